"""The PrairieLearn export, tested the way PrairieLearn uses it.

PrairieLearn cannot run here, so each step it takes is reproduced: ``info.json`` is
validated against PrairieLearn's own schema (``pl_question_info_schema.json``, a verbatim
copy of ``apps/prairielearn/src/schemas/schemas/infoQuestion.json`` at PrairieLearn/
PrairieLearn@88fb8556a7a1768e2082736be9095241b11238d7, draft-07); ``server.py`` is run as
its zygote runs it (source exec'd into a fresh dict, question folder first on
``sys.path``, then ``serverFilesCourse``, working folder the question's) with the ``data``
dict of the generate phase; ``question.html`` is rendered as mustache.js does (``{{x}}``
HTML-escaped) and then parsed, and the figure's DOT read back from ``<pl-graph>``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from gradviz import Builder, evaluate, example, parse
from gradviz.core.format import fmt
from gradviz.course.prairielearn import Tolerance, cells, export, info_json
from gradviz.views.render import run_dot

SCHEMA = json.loads((Path(__file__).with_name("pl_question_info_schema.json"))
                    .read_text(encoding="utf-8"))


# ----------------------------------------------------------------- info.json schema
def schema_errors(value, schema, root=SCHEMA, where="$") -> list[str]:
    """The draft-07 keywords PrairieLearn's schema uses (jsonschema is not installed)."""
    if "$ref" in schema:
        schema = root["definitions"][schema["$ref"].split("/")[-1]]
    errors = []
    kinds = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None),
             "integer": int, "number": (int, float)}
    types = schema.get("type")
    if types:
        types = [types] if isinstance(types, str) else types
        ok = any(isinstance(value, kinds[t]) and not (t in ("integer", "number") and
                                                        isinstance(value, bool))
                 for t in types)
        if not ok:
            return [f"{where}: not {types}"]
    for sub in schema.get("allOf", []):
        errors += schema_errors(value, sub, root, where)
    if "anyOf" in schema and all(schema_errors(value, s, root, where) for s in schema["anyOf"]):
        errors.append(f"{where}: matches none of anyOf")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: not in {schema['enum']}")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{where}: does not match {schema['pattern']}")
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength",
                                                                             10**9):
            errors.append(f"{where}: bad length")
    if isinstance(value, list):
        if len(value) > schema.get("maxItems", 10**9):
            errors.append(f"{where}: too many items")
        errors += [e for i, v in enumerate(value) if "items" in schema
                   for e in schema_errors(v, schema["items"], root, f"{where}[{i}]")]
    if isinstance(value, dict):
        props = schema.get("properties", {})
        errors += [f"{where}: {k} is required" for k in schema.get("required", [])
                   if k not in value]
        for k, v in value.items():
            if k in props:
                errors += schema_errors(v, props[k], root, f"{where}.{k}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{where}: {k} is not allowed")
    return errors


def validate(info: dict) -> list[str]:
    try:
        import jsonschema  # PrairieLearn's own validator, where installed
    except ImportError:
        return schema_errors(info, SCHEMA)
    return [e.message for e in jsonschema.Draft7Validator(SCHEMA).iter_errors(info)]


def test_the_schema_check_rejects_what_prairielearn_rejects():
    good = {"uuid": "8b4891d6-64d1-4e89-b72d-ad2133f25b2f", "title": "Simple calculation",
            "topic": "Demo", "tags": ["mwest", "fa17"], "type": "v3"}
    assert validate(good) == []
    for bad in ({**good, "uuid": "not-a-uuid"}, {**good, "$schema": "x"},
                {k: v for k, v in good.items() if k != "title"}, {**good, "type": "v4"},
                {**good, "tags": "gradviz"}, {**good, "singleVariant": "yes"}):
        assert validate(bad), bad


@pytest.mark.parametrize("name", ["interesting", "mlp", "softmax_classifier"])
def test_info_json_is_valid_and_its_uuid_follows_the_graph(name):
    info = json.loads(info_json(example(name)))
    assert validate(info) == [] and info["type"] == "v3" and info["topic"]
    assert info["uuid"] == json.loads(info_json(example(name)))["uuid"]
    assert info["uuid"] != json.loads(info_json(example("xyz")))["uuid"]


# ------------------------------------------------------------------- server.py
def run_generate(question: Path, seed: int, monkeypatch, server_files: Path | None = None):
    """generate(data) as PrairieLearn's zygote calls it."""
    data = {"params": {}, "correct_answers": {}, "variant_seed": seed,
            "options": {"question_path": str(question),
                        "client_files_question_path": str(question / "clientFilesQuestion"),
                        "server_files_course_path": str(server_files or question)},
            "preferences": {}}
    monkeypatch.chdir(question)
    mod: dict = {}
    exec(compile((question / "server.py").read_text(encoding="utf-8"),
                 str(question / "server.py"), "exec"), mod)
    before = json.loads(json.dumps(data))
    mod["generate"](data)
    json.dumps(data, allow_nan=False)  # what PrairieLearn stores must be JSON
    for key in ("variant_seed", "options", "preferences"):  # generate may edit only these two
        assert data[key] == before[key]
    assert set(data) == set(before)
    return data


@pytest.fixture(scope="module")
def question(tmp_path_factory):
    out = tmp_path_factory.mktemp("course") / "questions" / "interesting"
    export(example("interesting"), out)
    return out


def test_the_folder_holds_what_prairielearn_reads(question):
    assert sorted(p.name for p in question.iterdir()) == [
        "README.md", "graph.grad", "info.json", "question.html", "server.py"]
    assert "serverFilesCourse" in (question / "README.md").read_text()


def test_generate_draws_the_variant_of_the_seed(question, monkeypatch):
    a = run_generate(question, 1_234_567_890, monkeypatch)
    assert a == run_generate(question, 1_234_567_890, monkeypatch)  # same seed, same variant
    b = run_generate(question, 4_294_967_295, monkeypatch)
    assert a["params"]["graph"] != b["params"]["graph"]
    variant = parse(a["params"]["graph"])
    trace = evaluate(variant)
    expected = {c.name: c.value(trace) for c in cells(trace)}
    assert a["correct_answers"] == expected and len(expected) == 13
    assert all(type(v) is float for v in expected.values())
    assert a["params"]["given"]["v2"] == str(variant.default("W1")).removesuffix(".0") \
        .replace("-", "−")


def test_a_vector_answer_is_asked_element_by_element(tmp_path, monkeypatch):
    export(example("mlp"), tmp_path / "mlp")
    data = run_generate(tmp_path / "mlp", 7, monkeypatch)
    names = list(data["correct_answers"])
    assert names[:4] == ["q1", "q2", "q3_1", "q3_2"] and len(names) == 15


class Elements(HTMLParser):
    """The PrairieLearn elements of a rendered question and the text of <pl-graph>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.graph_text, self._in_graph = "", False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_graph = tag == "pl-graph"

    def handle_endtag(self, tag):
        self._in_graph = False

    def handle_data(self, data):
        if self._in_graph:
            self.graph_text += data


MUSTACHE_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
                    "/": "&#x2F;", "`": "&#x60;", "=": "&#x3D;"}  # mustache.js escapeHtml


def mustache(template: str, view: dict) -> str:
    """mustache.js on the subset gradviz writes: ``{{a.b.c}}``, HTML-escaped."""
    assert "{{{" not in template and "{{#" not in template and "{{!" not in template

    def value(m: re.Match) -> str:
        v = view
        for part in m.group(1).strip().split("."):
            v = v[part]
        return "".join(MUSTACHE_ESCAPES.get(c, c) for c in str(v))
    return re.sub(r"\{\{([^{}]+)\}\}", value, template)


def test_question_html_renders_the_figure_and_one_input_per_number(question, monkeypatch):
    data = run_generate(question, 99, monkeypatch)
    page = mustache((question / "question.html").read_text(encoding="utf-8"), data)
    parsed = Elements()
    parsed.feed(page)
    tags = [t for t, _ in parsed.tags]
    assert tags.count("pl-question-panel") == 1 and tags.count("pl-graph") == 1
    assert parsed.graph_text == data["params"]["dot"]  # every < of the DOT came back
    assert "label=<<TABLE" in parsed.graph_text
    assert run_dot(parsed.graph_text, "svg").startswith(b"<?xml")
    inputs = [a for t, a in parsed.tags if t == "pl-number-input"]
    assert [a["answers-name"] for a in inputs] == list(data["correct_answers"])
    tol = Tolerance().attributes()
    assert all({k: a[k] for k in tol} == tol for a in inputs)
    assert inputs[0]["label"] == r"$\hat{Y} =$" and inputs[2]["label"] == r"$\nabla H_{5} =$"
    assert "{{" not in page and data["params"]["given"]["v1"] in page


def test_the_tolerance_takes_keys_rounded_as_students_round(question, monkeypatch):
    data = run_generate(question, 5, monkeypatch)
    t = Tolerance()
    for key in data["correct_answers"].values():
        rounded = float(f"{key:.4g}")
        assert abs(rounded - key) <= t.atol + t.rtol * abs(key)  # PrairieLearn's relabs
        assert abs(key * 1.02 - key) > t.atol + t.rtol * abs(key) or abs(key) < 0.003


def test_hostile_titles_stay_text(tmp_path):
    b = Builder(title="<script>{{params}}</script> & {{{x}}}")
    x = b.input("x", 2.0)
    b.loss("L", x * x + x)
    export(b.build(), tmp_path / "q")
    page = (tmp_path / "q" / "question.html").read_text()
    assert "<script>" not in page and "{{params}}" not in page and "{{{" not in page
    assert json.loads((tmp_path / "q" / "info.json").read_text())["title"].startswith("<scr")


def test_server_files_make_gradviz_importable_as_on_prairielearn(tmp_path):
    course = tmp_path / "course"
    export(example("xyz"), course / "questions" / "xyz", course / "serverFilesCourse")
    script = (
        "import json, os, sys\n"
        f"sys.path.insert(0, {str(course / 'serverFilesCourse')!r})\n"
        f"sys.path.insert(0, {str(course / 'questions' / 'xyz')!r})\n"
        f"os.chdir({str(course / 'questions' / 'xyz')!r})\n"
        "mod = {}\nexec(compile(open('server.py').read(), 'server.py', 'exec'), mod)\n"
        "data = {'params': {}, 'correct_answers': {}, 'variant_seed': 42, 'options': {},"
        " 'preferences': {}}\nmod['generate'](data)\nimport gradviz\n"
        "print(json.dumps([gradviz.__file__, data['correct_answers']]))\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, cwd=tmp_path, check=True)
    where, answers = json.loads(done.stdout)
    assert Path(where).is_relative_to(course / "serverFilesCourse")
    assert len(answers) == 6 and all(isinstance(v, float) for v in answers.values())


def run_grade(question: Path, data: dict, answers: dict[str, str], monkeypatch) -> dict:
    """grade(data) as PrairieLearn calls it, after the answer boxes scored each part."""
    data = json.loads(json.dumps(data))
    data.update({"raw_submitted_answers": dict(answers),
                 "submitted_answers": {k: float(v) for k, v in answers.items()},
                 "format_errors": {}, "feedback": {}, "gradable": True})
    data["partial_scores"] = {
        k: {"score": float(abs(float(v) - data["correct_answers"][k]) <=
                           5e-5 + 0.01 * abs(data["correct_answers"][k])), "weight": 1}
        for k, v in answers.items()}
    data["score"] = sum(p["score"] for p in data["partial_scores"].values()) / len(answers)
    monkeypatch.chdir(question)
    mod: dict = {}
    exec(compile((question / "server.py").read_text(encoding="utf-8"),
                 str(question / "server.py"), "exec"), mod)
    before = json.loads(json.dumps(data))
    mod["grade"](data)
    json.dumps(data, allow_nan=False)
    assert set(data) == set(before) and data["score"] == before["score"]
    assert data["correct_answers"] == before["correct_answers"]
    return data


def test_grade_explains_every_answer_with_the_checker(question, monkeypatch):
    data = run_generate(question, 99, monkeypatch)
    trace = evaluate(parse(data["params"]["graph"]))
    boxes = {c.quantity.ask: c.name for c in cells(trace)}
    answers = {k: fmt(v, 4) for k, v in data["correct_answers"].items()}
    flipped = boxes["∇H4"]
    answers[flipped] = fmt(-data["correct_answers"][flipped], 4)
    graded = run_grade(question, data, answers, monkeypatch)
    assert graded["feedback"][flipped].startswith("wrong (sign")
    assert graded["partial_scores"][flipped]["feedback"] == graded["feedback"][flipped]
    assert graded["partial_scores"][flipped]["score"] == 0.0
    assert graded["feedback"][boxes["L"]] == "correct"
    assert "1 wrong" in graded["feedback"]["gradviz"]
    blank = {k: v for k, v in answers.items() if k != boxes["∇W1"]}
    graded = run_grade(question, data, blank, monkeypatch)
    assert boxes["∇W1"] not in graded["feedback"]


def test_grade_joins_the_boxes_of_a_vector_answer(tmp_path, monkeypatch):
    export(example("mlp"), tmp_path / "mlp")
    data = run_generate(tmp_path / "mlp", 7, monkeypatch)
    answers = {k: fmt(v, 4) for k, v in data["correct_answers"].items()}
    graded = run_grade(tmp_path / "mlp", data, answers, monkeypatch)
    assert set(graded["feedback"]) == set(answers) | {"gradviz"}
    assert all(graded["feedback"][k] in ("correct", "right (rounding)") or
               graded["feedback"][k].startswith("right (rounding)") for k in answers)
