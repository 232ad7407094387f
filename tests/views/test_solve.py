"""Worked solutions, the answer checker and problem variants."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest

import gradviz
from gradviz import evaluate, example, examples
from gradviz.views.answers import asked
from gradviz.views.solve import named_chain, solution, to_json, to_latex, to_markdown


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
    assert "−y · ln(ŷ)" in s.loss_formula


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


