"""Worked solutions end to end: every built-in example's key in every format, checked the
way a TA and a reviewer would: snapshots of the Markdown, the numbers against the trace,
no code words, hostile text escaped, pdflatex without overfull lines, MathML in Chromium,
and bounded time and output on big graphs."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import gradviz
from gradviz import evaluate, example, examples, parse
from gradviz.views.answers import asked
from gradviz.views.solve import FORMATS, solution, to_json, to_markdown, write_solution
from tests.browser import chromium

INTERNAL = ["(as a)", "(as b)", "as x", "stack gives", "∂L/∂L", "∂w/∂w", "∂MSE/∂MSE",
            "leaky_relu", "sigmoid(", "bce(", "slope=", "f.1", "Yhat.1"]


def key(name: str, fmt: str = "md", **values) -> str:
    return FORMATS[fmt](solution(evaluate(example(name), **values)))


def flat(md: str) -> str:
    """A Markdown key with its display blocks joined into one line each (whatever the
    line breaking), to search it for whole equations."""
    md = re.sub(r" *\\\\\n *&(\\quad \{\} )?", " ", md)
    return md.replace(" &=", " =").replace(" &\\approx", " \\approx")


@pytest.mark.parametrize("name", examples())
def test_markdown_key_snapshot(name, snapshot):
    assert key(name) == snapshot


@pytest.mark.parametrize("name", examples())
def test_numbers_are_the_trace(name):
    trace = evaluate(example(name))
    data = json.loads(to_json(solution(trace)))
    for block in data["backward"]:
        node = block["node"]
        if node not in trace.graph:  # a temporary name (z₁) of an unnamed value
            continue
        np.testing.assert_array_equal(block["grad"], trace.grad(node))
        parts = [np.asarray(t["contribution"]) for t in block["terms"]]
        np.testing.assert_allclose(sum(parts), trace.grad(node), rtol=1e-12, atol=1e-12)
    answers = {a["quantity"]: a["value"] for a in data["answers"]}
    for q, v in asked(trace):
        np.testing.assert_array_equal(answers[q], v)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("name", examples())
def test_no_code_words_or_internal_names(name, fmt):
    text = key(name, fmt)
    internal = [n for n in example(name).nx.nodes if "." in n]
    for word in INTERNAL + internal:
        assert word not in text, (word, name, fmt)


@pytest.mark.parametrize("name", examples())
def test_minus_is_u2212_in_text(name):
    data = json.loads(key(name, "json"))
    texts = [step["text"] for part in ("forward", "backward", "updates") for line in data[part]
             for eq in line["equations"] for step in eq["steps"]]
    assert texts and not [t for t in texts if re.search(r"-\d", t)]


def test_one_expression_gets_a_full_chain():
    g = parse("x1: input = 1\nx2: input = -2\nw1: param = 0.5\nw2: param = -1\nb: param = 0.1\n"
              "f: output = sigmoid(x1 * w1 + x2 * w2 + b)")
    md = to_markdown(solution(evaluate(g)))
    assert "z = x_{1} w_{1} + x_{2} w_{2} + b" in md
    assert r"\frac{\partial f}{\partial z} = \sigma'(z)" in md
    assert r"\frac{\partial z}{\partial w_{1}} = x_{1} = 1" in md


def test_interesting_matches_the_gold_key():
    md = flat(key("interesting"))
    for line in [
        r"H_{1} = W_{1} \left(X_{1} + X_{2}\right) = 1.5 \times \left(2 + \left(-1\right)"
        r"\right) = 1.5 \times 1 = 1.5",
        r"H_{4} = \frac{W_{2} H_{2}}{H_{1}} = \frac{\left(-3\right) \times \left(-1\right)}"
        r"{1.5} = \frac{3}{1.5} = 2",
        r"\frac{\partial H_{4}}{\partial H_{1}} = -\frac{W_{2} H_{2}}{H_{1}^{2}}",
        r"\frac{\partial H_{4}}{\partial H_{2}} = \frac{W_{2}}{H_{1}}",
        r"\sigma'(z) = \sigma(z) \left(1 - \sigma(z)\right) = \hat{Y} \left(1 - \hat{Y}\right)",
        r"\delta = \hat{Y} - Y = 0.3775 - 1 \approx -0.6225",
        r"= -0.6225 + \left(-0.8299\right) + 0 \approx -1.452",
        r"\frac{\partial H_{5}}{\partial H_{4}} = 1`$ ($`H_{5}`$ takes $`H_{4}`$)",
        r"\frac{\partial H_{2}}{\partial X_{3}} = X_{1} X_{2} = 2 \times \left(-1\right) = -2",
    ]:
        assert line in md, line
    assert md.count("takes $`H_{4}`$") == 3  # the forward branch, then two local derivatives
    order = re.findall(r"^### \$`(.*)`\$$", md, re.M)
    assert order[2:] == [r"\nabla H_{5}", r"\nabla H_{3}", r"\nabla H_{4}", r"\nabla H_{2}",
                         r"\nabla H_{1}", r"\nabla W_{2}", r"\nabla W_{1}", r"\nabla B_{1}",
                         r"\nabla X_{3}", r"\nabla X_{2}", r"\nabla X_{1}"]


def test_mlp_layer_by_layer_with_deltas_and_the_simplification():
    md = flat(key("mlp"))
    order = re.findall(r"^### \$`(.*)`\$$", md, re.M)
    assert order.index(r"\nabla H_{2}") < order.index(r"\nabla W_{2}")  # needed first
    assert order.index(r"\nabla B_{3}") < order.index(r"\nabla H_{2}")  # layer by layer
    assert r"\delta_{3} = \hat{Y} - Y = 0.6900 - 0 \approx 0.6900" in md
    assert r"= 0.6900 \times \left[-0.2, 2\right] \approx \left[-0.1380, 1.380\right]" in md
    assert r"\max(-2, 0.1 \times \left(-2\right)) = \max(-2, -0.2) = -0.2" in md


def test_update_of_two_layer_relu():
    md = flat(key("two_layer_relu"))
    assert (r"{w_{21}}^{+} = w_{21} - \eta \cdot \frac{\partial \mathrm{MSE}}{\partial w_{21}}"
            r" = 0.5 - 0.1 \times \left(-1.5\right) = 0.65") in md
    assert r"Learning rate: $`\eta = 0.1`$" in md


def test_softmax_and_vector_forms():
    md = flat(key("softmax_classifier"))
    assert r"\delta_{2} = \hat{y} - y" in md
    assert r"\frac{\partial L}{\partial W_{2}} = \delta_{2} a_{1}^{\top}" in md
    assert r"\frac{\partial L}{\partial a_{1}} = W_{2}^{\top} \delta_{2}" in md
    assert r"\odot \operatorname{LeakyReLU}'(z_{1})" in md


# ------------------------------------------------------------------------- hostile text
HOSTILE = ["<img src=x onerror=alert(1)>", "[click](javascript:alert(1))", "<script>x</script>",
           r"k}\input{/etc/hostname}\def\z{", "50% $x$ & #1 ~^_", "x١", "a\u202eb\x1b[2J"]


def hostile_graph(text: str) -> gradviz.Graph:
    b = gradviz.Builder(title=text, source=text)
    x = b.input(text if text.isprintable() else "x", 2.0)
    y = b.input("w١", 3.0)
    b.loss("L", b.sigmoid(x * y))
    return b.build()


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_in_markdown_and_html(text):
    s = solution(evaluate(hostile_graph(text)))
    md, page = FORMATS["md"](s), FORMATS["html"](s)
    assert not re.search(r"<(img|script|a)\b", md, re.I)
    assert not re.search(r"(?<!\\)\]\((javascript|x)", md)  # no link, escaped or not
    assert "\x1b" not in md and "\u202e" not in md
    assert not re.search(r"<(img|script)\b[^>]*onerror|<script>x", page)
    assert "\x1b" not in page and "\u202e" not in page


def compile_tex(tex: str, folder: Path) -> str:
    (folder / "key.tex").write_text(tex, encoding="utf-8")
    done = subprocess.run(["pdflatex", "-no-shell-escape", "-interaction=nonstopmode",
                           "-halt-on-error", "key.tex"], cwd=folder, capture_output=True,
                          timeout=120)
    log = (folder / "key.log").read_text(errors="replace")
    assert done.returncode == 0, log[-1500:]
    return log


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_in_latex_compiles_and_reads_no_file(tmp_path, text):
    log = compile_tex(FORMATS["tex"](solution(evaluate(hostile_graph(text)))), tmp_path)
    assert "/etc/hostname" not in log.split("key.tex", 1)[-1]


# ---------------------------------------------------------------------------- pdflatex
@pytest.mark.parametrize("name", examples())
def test_latex_key_compiles_without_overfull_lines(tmp_path, name):
    assert shutil.which("pdflatex"), "./run.sh installs texlive-latex-base"
    out = tmp_path / "key.tex"
    write_solution(evaluate(example(name)), "tex", out)
    log = compile_tex(out.read_text(), tmp_path)
    over = [float(x) for x in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide", log)]
    assert max(over, default=0.0) <= 1.0, over
    assert "! " not in log and (tmp_path / "key.pdf").read_bytes()[:5] == b"%PDF-"
    for scale in re.findall(r"\\includegraphics\[scale=([\d.]+)\]", out.read_text()):
        assert 0 < float(scale) <= 1


@pytest.mark.parametrize(("act", "out", "loss", "granularity"), [
    ("gelu_tanh", "identity", "cross_entropy_with_logits", "neuron"),
    ("elu", "sigmoid", "cross_entropy", "layer"), ("silu", "tanh", "hinge", "layer")])
def test_latex_of_generated_mlps_fits(tmp_path, act, out, loss, granularity):
    g = gradviz.mlp([3, 2, 2], activation=act, output=out, loss=loss, granularity=granularity)
    log = compile_tex(FORMATS["tex"](solution(evaluate(g))), tmp_path)
    assert "Overfull" not in log


def test_latex_figures_print_labels_of_8_pt_or_say_why(tmp_path):
    from gradviz.views.solve.figures import MIN_LABEL_PT, draw

    figs = draw(evaluate(example("interesting")), tmp_path / "key.tex", "tex")
    assert all(f.scale and f.label >= MIN_LABEL_PT for f in figs.values())
    out = tmp_path / "vec.tex"
    write_solution(evaluate(example("softmax_classifier")), "tex", out)
    figs = draw(evaluate(example("softmax_classifier")), out, "tex")
    assert figs["all"].scale is None and figs["all"].label < MIN_LABEL_PT
    assert "cannot be printed on the page with labels of 8 pt" in out.read_text()


# ---------------------------------------------------------------------------- Chromium
@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with chromium(tmp_path_factory.mktemp("chromium-solve"), size=(1280, 900)) as driver:
        yield driver


def test_html_keys_open_in_chromium_with_mathml(browser, tmp_path):
    for name in examples():
        out = tmp_path / name / "key.html"
        write_solution(evaluate(example(name)), "html", out)
        browser.get(out.as_uri())
        assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"], name
        maths, drawn, native = browser.execute_script(
            "const m = Array.from(document.querySelectorAll('math'));"
            "return [m.length, m.filter(x => x.getBoundingClientRect().width > 0).length,"
            " m.every(x => x instanceof MathMLElement)]")
        assert maths > 10 and drawn == maths and native, name
        assert not browser.execute_script(
            "return Array.from(document.querySelectorAll('link, script')).length")
        assert browser.execute_script(
            "return Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")


# ------------------------------------------------------------------------- size and time
def test_big_neuron_mlp_is_summarised():
    g = gradviz.mlp([30, 30, 1], granularity="neuron")
    s = solution(evaluate(g))
    from gradviz.views.solve.model import MAX_STEPS

    assert len(s.backward) == MAX_STEPS and s.omitted
    md = to_markdown(s)
    assert "are written out" in md and len(md) < 2_000_000


def test_a_big_jacobian_is_never_built(monkeypatch):
    rng = np.random.default_rng(0)
    b = gradviz.Builder()
    h = b.input("x", rng.uniform(-1, 1, 300))
    W = b.param("W", rng.uniform(-0.1, 0.1, (300, 300)))
    b.loss("L", b.sum(b.tanh(W @ h)))
    trace = evaluate(b.build())

    def refuse(self, node, arg, variant=0):
        raise AssertionError("a Jacobian was built")
    monkeypatch.setattr(type(trace), "_jacobian", refuse)
    text = FORMATS["md"](solution(trace))
    assert r"\frac{\partial L}{\partial z} x^{\top}" in text  # δxᵀ, never the Jacobian
    assert r"W^{\top} \frac{\partial L}{\partial z}" in text
    assert "300 × 300 matrix, not written out" in text


def test_output_size_is_bounded(monkeypatch):
    monkeypatch.setenv("GRADVIZ_MAX_OUTPUT_BYTES", "1000")
    with pytest.raises(gradviz.GradvizError, match="GRADVIZ_MAX_OUTPUT_BYTES"):
        write_solution(evaluate(example("xyz")), "md", None)


# ----------------------------------------------------------- every step is the same number
def _funcs():
    from gradviz.core.ops import FUNCS

    def T(x):
        return x.T if np.ndim(x) == 2 else np.reshape(x, (1, -1))

    def matmul(a, b):
        if np.ndim(a) == 1 and np.ndim(b) == 2 and np.shape(b)[0] == 1:
            return np.outer(a, b[0])
        return np.matmul(a, b)

    extra = {"vector": lambda *xs: np.array(xs, dtype=float),
             "stack": lambda *xs: np.array(xs, dtype=float),
             "row": lambda *xs: np.array(xs, dtype=float),
             "matrix": lambda *rows: np.array(rows, dtype=float),
             "T": T, "matmul": matmul, "index": lambda x, i: np.asarray(x)[int(i)],
             "outer": lambda a, b: np.outer(a, b)}
    return {**FUNCS, **extra}


def _value(s, e):
    """``e`` evaluated with the trace's values; None if it names something without one
    (a local derivative ∂v/∂u, an activation's derivative f′(z), an op by name)."""
    from gradviz.core import formula as F

    if F.calls(e) - set(_funcs()):  # f′(z), an op by name (its params are not written)
        return None
    env = {}
    for name in F.free_symbols(e):
        v = s.num.value(name)
        if v is None:
            return None
        env[name] = np.asarray(v, dtype=float)
    with np.errstate(all="ignore"):
        return F.evaluate(e, env, _funcs())


GRAPHS = [*examples(), "mlp-neuron", "mlp-layer", "tanh-bce-layer", "elu-ce-layer"]


def graph_of(name):
    configs = {"mlp-neuron": ([3, 3, 2], "relu", "identity", "mse", "neuron"),
               "mlp-layer": ([3, 4, 2], "tanh", "sigmoid", "bce", "layer"),
               "tanh-bce-layer": ([2, 3, 1], "tanh", "sigmoid", "bce", "neuron"),
               "elu-ce-layer": ([3, 3, 3], "elu", "sigmoid", "cross_entropy", "layer")}
    if name not in configs:
        return example(name)
    sizes, act, out, loss, gran = configs[name]
    return gradviz.mlp(sizes, activation=act, output=out, loss=loss, granularity=gran)


@pytest.mark.parametrize("name", GRAPHS)
def test_every_step_of_every_equation_is_the_same_number(name):
    s = solution(evaluate(graph_of(name)))
    checked = 0
    for line in [*s.forward, *s.backward, *s.updates]:
        for eq in [*line.eqs, *(n for n in line.notes if not isinstance(n, tuple))]:
            target = _value(s, eq.rhs[-1].expr)
            assert target is not None, (name, line.node)
            for r in eq.rhs[:-1]:
                got = _value(s, r.expr)
                if got is None:
                    continue
                np.testing.assert_allclose(got, target, rtol=1e-9, atol=1e-12,
                                           err_msg=f"{name} {line.node}")
                checked += 1
    assert checked > 10


def test_kinks_and_ties_in_words():
    tie = key("interesting", X1=3)  # H1 = 3 = X1: min is a tie
    assert r"\tfrac{1}{2}" in tie and "splits the gradient" in tie
    at_zero = FORMATS["md"](solution(evaluate(parse(
        "x: input = 0\nw: param = 2\nL: loss = leaky_relu(w * x, slope=0.1)"))))
    assert "LeakyReLU′(0) = 1" in at_zero
    for word in INTERNAL:
        assert word not in tie and word not in at_zero, word
