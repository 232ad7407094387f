"""Worked solutions, the answer checker and problem variants."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest

import gradviz
from gradviz import evaluate, example, examples, fmt_value
from gradviz.cli import main
from gradviz.teaching.check import agrees, check, match_quantity, read_answers
from gradviz.teaching.generate import Rules, quality, variants, write_variant
from gradviz.views.answers import asked
from gradviz.views.solve import named_chain, solution, to_json, to_latex, to_markdown


# ---------------------------------------------------------------------- solutions
@pytest.mark.parametrize("name", examples())
def test_solution_snapshot(name, snapshot):
    assert to_markdown(solution(evaluate(example(name)))) == snapshot


@pytest.mark.parametrize("name", examples())
def test_solution_numbers_are_the_trace(name):
    trace = evaluate(example(name))
    data = json.loads(to_json(solution(trace)))
    for block in data["backward"]:
        np.testing.assert_allclose(block["grad"], trace.grad(block["node"]), rtol=0, atol=0)
        total = sum(np.asarray(t["contribution"]) for t in block["terms"])
        np.testing.assert_allclose(total, trace.grad(block["node"]), rtol=1e-12, atol=1e-12)
    answers = {a["quantity"]: a["value"] for a in data["answers"]}
    for q, v in asked(trace):
        np.testing.assert_array_equal(answers[q], v)


def test_forward_lines_substitute_the_numbers():
    s = solution(evaluate(example("interesting")))
    lines = dict(s.forward)
    assert lines["H4"] == "H₄ = W₂ · H₂ / H₁ = -3 · (-1) / 1.5 = 2"
    assert lines["L"].startswith("L = bce(Ŷ, Y) = bce(0.3775, 1) = 0.9741")
    assert "−y log ŷ" in s.loss_formula


def test_chain_rule_sums_every_path_of_h1():
    md = to_markdown(solution(evaluate(example("interesting"))))
    assert ("∂L/∂H₁ = ∂L/∂H₃·∂H₃/∂H₁ + ∂L/∂H₄·∂H₄/∂H₁ + ∂L/∂H₅·∂H₅/∂H₁ = "
            "(-0.6225)·1 + 0.6225·(-1.333) + 0.6225·0 = -1.452") in md


def test_kink_sentences_for_min_max_and_leaky():
    md = to_markdown(solution(evaluate(example("interesting"))))
    assert "H₅ = max(H₄, H₁) takes H₄ since 2 > 1.5, so ∂H₅/∂H₄ = 1 and ∂H₅/∂H₁ = 0." in md
    assert "H₃ = min(X₁, H₁) takes H₁ since 1.5 < 2, so ∂H₃/∂H₁ = 1 and ∂H₃/∂X₁ = 0." in md
    mlp = to_markdown(solution(evaluate(example("mlp"))))
    assert "with W₁ · X + B₁ = -2 < 0, so the slope is 0.1." in mlp
    assert "with W₂ · X + B₂ = 2 ≥ 0, so the slope is 1." in mlp
    tie = to_markdown(solution(evaluate(example("interesting"), X1=3)))  # H1 = 3 too
    assert "min(X₁, H₁) is a tie (3 = 3), so the gradient splits ½/½" in tie


def test_local_derivative_through_unnamed_intermediates():
    trace = evaluate(example("interesting"))
    (term,) = named_chain(trace, "H2")
    assert term.via == "H4" and float(term.local) == pytest.approx(-2.0)  # W2 / H1
    assert float(term.contribution) == pytest.approx(float(trace.grad("H2")))


def test_answer_table_in_the_problems_order():
    s = solution(evaluate(example("mlp")))
    assert [q for q, _ in s.answers][:4] == ["Yhat", "L", "∇W3", "∇B3"]
    assert s.answers[2][1].shape == (2,)  # vectors stay vectors


def test_latex_compiles_with_pdflatex(tmp_path):
    pdflatex = shutil.which("pdflatex")
    assert pdflatex, "./run.sh installs texlive-latex-base"
    for name in ("interesting", "mlp", "softmax_classifier"):
        from gradviz.views.solve import write_solution

        out = tmp_path / name / f"{name}.tex"
        write_solution(evaluate(example(name)), "tex", out)
        done = subprocess.run([pdflatex, "-interaction=nonstopmode", "-halt-on-error",
                               out.name], cwd=out.parent, capture_output=True, timeout=120)
        assert done.returncode == 0, done.stdout[-1500:]
        assert (out.parent / f"{name}.pdf").read_bytes()[:5] == b"%PDF-"
        assert r"\includegraphics" in out.read_text()


def test_latex_never_receives_raw_names():
    b = gradviz.Builder()
    x = b.input("x", 2.0)
    b.loss("L", x * x)
    tex = to_latex(solution(evaluate(b.build())))
    assert r"\input" not in tex.replace(r"\includegraphics", "")


def test_solve_cli(tmp_path, capsys):
    assert main(["solve", "interesting"]) == 0
    assert "## Answer table" in capsys.readouterr().out
    assert main(["solve", "mlp", "-o", str(tmp_path / "mlp.html")]) == 0
    page = (tmp_path / "mlp.html").read_text()
    assert "<h2>Backward pass</h2>" in page and 'src="mlp_figures/blank.svg"' in page
    assert (tmp_path / "mlp_figures" / "all.svg").exists()
    capsys.readouterr()
    assert main(["solve", "xyz", "--format", "json", "--set", "x=3"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {a["quantity"]: a["value"] for a in data["answers"]}["w"] == 384.0  # a=8, b=48


# ------------------------------------------------------------------------ checker
def table(trace, **changes):
    rows = [(q, fmt_value(v)) for q, v in asked(trace)]
    return [(q, changes.get(q, v)) for q, v in rows]


def test_correct_tables_pass_in_every_format(tmp_path):
    trace = evaluate(example("mlp"))
    rows = table(trace)
    assert check(trace, rows).ok
    csv_text = ",".join(f'"{q}"' for q, _ in rows) + "\n" + ",".join(f'"{v}"' for _, v in rows)
    md = "| " + " | ".join(q for q, _ in rows) + " |\n|" + "---|" * len(rows) + "\n| " + \
        " | ".join(v for _, v in rows) + " |"
    js = json.dumps({q: v for q, v in rows})
    yaml = "\n".join(f"{q}: {v}" for q, v in rows)
    for text in (csv_text, md, js, yaml):
        assert check(trace, read_answers(text)).ok, text


def test_student_names_and_rounding():
    g = example("mlp")
    assert match_quantity(r"$\nabla \mathbf{W}_1$", g) == "∇W1"
    assert match_quantity("∇H_2", g) == "∇H2"
    assert match_quantity(r"$\hat{Y}$", g) == "Yhat"
    assert match_quantity("dL/dX2", g) == "∇X2"
    trace = evaluate(g)
    for digits in (2, 3, 4):
        rows = [(q, fmt_value(v, digits)) for q, v in asked(trace)]
        assert check(trace, rows).ok, digits
    assert agrees("0.6225", np.array(0.6225), np.array(0.62246))
    assert not agrees("0.6", np.array(0.6), np.array(0.69))


def test_unknown_missing_and_unreadable_cells():
    trace = evaluate(example("xyz"))
    rows = table(trace)[:-1] + [("banana", "1"), ("a", "five")]
    r = check(trace, rows)
    status = {c.written: c.status for c in r.cells}
    assert status["banana"] == "unknown" and status["a"] == "unreadable"
    assert "missing" in status.values() and not r.ok


@pytest.mark.parametrize("name, cell, value, cause", [
    # a sign error
    ("interesting", "∇H4", "-0.6225", "sign"),
    # ∇H1 without the path through H3 (the classic fan-out mistake)
    ("interesting", "∇H1", "-0.8299", "missing_path"),
    # ∇X2 without the path through H2
    ("interesting", "∇X2", "-2.179", "missing_path"),
    # the leaky ReLU's wrong branch: slope 1 instead of 0.1 at H1
    ("mlp", "∇B1", "0.69", "branch"),
    # the min's wrong branch: the gradient sent to X1 instead of H1
    ("interesting", "∇X1", "-0.6225", "branch"),
    ("mlp", "∇X1", "0.621", "sign"),
])
def test_classic_mistakes_are_flagged_and_explained(name, cell, value, cause):
    trace = evaluate(example(name))
    r = check(trace, table(trace, **{cell: value}))
    wrong = [c for c in r.cells if c.status != "correct"]
    assert [c.quantity for c in wrong] == [cell]
    assert wrong[0].cause == cause, wrong[0].explanation


def test_missing_path_names_the_path():
    trace = evaluate(example("interesting"))
    r = check(trace, table(trace, **{"∇X2": "-2.179"}))
    (c,) = [c for c in r.cells if c.status == "wrong"]
    assert c.detail["path_through"] == "H2" and "through H₂" in c.explanation


def test_inherited_error_names_its_source():
    trace = evaluate(example("interesting"))
    r = check(trace, table(trace, **{"∇H4": "-0.6225", "∇H2": "1.245", "∇W2": "0.415"}))
    cells = {c.quantity: c for c in r.cells}
    assert cells["∇H4"].cause == "sign"
    assert cells["∇H2"].cause == "inherited" and cells["∇H2"].detail["from"] == ["∇H4"]
    assert cells["∇W2"].cause == "inherited"


def test_check_cli_exit_codes_and_json(tmp_path, capsys):
    trace = evaluate(example("interesting"))
    good = tmp_path / "good.csv"
    good.write_text("quantity,value\n" + "\n".join(f"{q},{v}" for q, v in table(trace)))
    assert main(["check", "interesting", str(good)]) == 0
    assert "13 of 13 correct" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(dict(table(trace, **{"∇H1": "-0.8299"}))))
    assert main(["check", "interesting", str(bad), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    (wrong,) = [c for c in report["cells"] if c["status"] == "wrong"]
    assert wrong["cause"] == "missing_path" and wrong["path_through"] == "H3"
    assert main(["check", "interesting", str(tmp_path / "nope.csv")]) == 2


# ----------------------------------------------------------------------- variants
@pytest.mark.parametrize("name", ["interesting", "mlp", "xyz", "two_layer_relu",
                                  "softmax_classifier", "sigmoid_regression"])
def test_variants_are_reproducible_and_good(name):
    g = example(name)
    a = variants(g, seed=11, count=3)
    b = variants(g, seed=11, count=3)
    assert [v.to_text() for v in a] == [v.to_text() for v in b]
    assert a[0].to_text() != variants(g, seed=12, count=1)[0].to_text()
    original = evaluate(g)
    for v in a:
        trace = evaluate(v)  # finite, or this raises
        batch = evaluate(v, {n: np.asarray(trace.value(n))[None]
                             for n in v.leaves("input")}, check_finite=False)
        assert quality(batch, original, Rules()).all()


def test_variant_keeps_min_max_branches_and_avoids_small_divisors():
    original = evaluate(example("interesting"))
    for v in variants(example("interesting"), seed=5, count=5):
        t = evaluate(v)
        assert (float(t.value("H4")) > float(t.value("H1"))) == \
            (float(original.value("H4")) > float(original.value("H1")))
        assert (float(t.value("X1")) > float(t.value("H1"))) == \
            (float(original.value("X1")) > float(original.value("H1")))
        assert abs(float(t.value("H1"))) >= 0.25


def test_generate_cli_writes_problem_and_key(tmp_path):
    assert main(["generate", "interesting", "--seed", "7", "--count", "2", "-o",
                 str(tmp_path)]) == 0
    folders = sorted(p for p in tmp_path.iterdir())
    assert [f.name for f in folders] == ["interesting_seed7_v1", "interesting_seed7_v2"]
    problem = (folders[0] / "problem.md").read_text()
    assert "Compute, showing your work: Ŷ, L, ∇H₅" in problem
    key = (folders[0] / "answer_key.md").read_text()
    assert "## Answer table" in key and (folders[0] / "answer.svg").exists()
    g = gradviz.load(folders[0] / "graph.grad")
    assert check(evaluate(g), table(evaluate(g))).ok
    write_variant(g, tmp_path / "again")
    assert (tmp_path / "again" / "problem.md").read_text() == problem
