"""The symbol table: every kind of symbol in plain Unicode, LaTeX and MathML; user names that
fit no grammar reach TeX as letters and digits only."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from gradviz.views.solve.symbols import Symbols


@pytest.fixture
def s() -> Symbols:
    return Symbols({"Yhat.1": "z3"}, {"Yhat.1": "3"}, "L")


def test_every_kind(s):
    cases = [(s.node("W1"), "W₁", "W_{1}"), (s.node("Yhat"), "Ŷ", r"\hat{Y}"),
             (s.node("Yhat.1"), "z₃", "z_{3}"), (s.d("H4", "H1"), "∂H₄/∂H₁",
                                                 r"\frac{\partial H_{4}}{\partial H_{1}}"),
             (s.d("L", "Yhat.1"), "δ₃", r"\delta_{3}"), (s.partial("Yhat.1"), "∂L/∂z₃",
                                                         r"\frac{\partial L}{\partial z_{3}}"),
             (s.nabla("b_out"), "∇b_out", r"\nabla b_{\mathrm{out}}"),
             (s.plus("w21"), "w₂₁⁺", "{w_{21}}^{+}"), (s.eta(), "η", r"\eta"),
             (s.entry("W3", 1), "W₃,₂", "W_{3,2}"),
             (s.grad_entry("X", 0), "(∂L/∂X)₁", r"\left(\frac{\partial L}{\partial X}\right)_{1}"),
             (s.mark("≈"), "≈", r"\approx"), (s.var("x"), "x", "x")]
    for sym, plain, tex in cases:
        assert (s.plain(sym.name), s.tex(sym.name)) == (plain, tex)
        ET.fromstring(f"<math>{s.mathml(sym.name)}</math>")


def test_short_symbols_may_be_juxtaposed(s):
    assert s.node("W1").name.startswith("v") and s.node("target").name.startswith("sym_")
    assert s.d("H4", "H1").name.startswith("sym_")  # ∂H₄/∂H₁ ∂L/∂H₄ would misread


@pytest.mark.parametrize("name", [r"k}\input{/etc/hostname}", "x١", "<b>&", "a$b", "ĥ_1"])
def test_hostile_names_reach_tex_as_letters_and_digits(s, name):
    tex = s.tex(s.node(name).name)
    assert tex.startswith(r"\text{") and tex.isascii()
    inner = tex[len(r"\text{"):-1]
    assert all(c.isalnum() or c == "?" for c in inner)
    ET.fromstring(f"<math>{s.mathml(s.node(name).name)}</math>")


def test_unknown_keys_are_shown_safely(s):
    assert s.tex("no such key") == r"\text{no?such?key}"
    assert s.mathml("<x>") == "<mi>&lt;x&gt;</mi>"
