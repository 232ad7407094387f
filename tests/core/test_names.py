"""Names typeset as people write them, and user text made safe for each output."""

from __future__ import annotations

import pytest

from gradviz.core import names


@pytest.mark.parametrize(("name", "plain", "tex"), [
    ("W1", "W₁", "W_{1}"), ("Yhat", "Ŷ", r"\hat{Y}"), ("alpha_2", "α₂", r"\alpha_{2}"),
    ("w11_2", "w₁₁,₂", "w_{11,2}"), ("b_out", "b_out", "b_{out}"), ("yhat", "ŷ", r"\hat{y}"),
])
def test_conventional_names(name, plain, tex):
    assert names.plain(name) == plain and names.tex(name) == tex


def test_tex_never_receives_markup():
    assert names.tex(r"\input{/etc/passwd}") == r"\text{inputetcpasswd}"
    assert "\\" not in names.tex("x<y>{}")[len(r"\text{"):]


def test_html_escapes_everything():
    assert names.html("<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"
    assert names.html("W1") == "W<SUB>1</SUB>"


def test_safe_text_bounds_length():
    assert len(names.safe_text("x" * 20_000)) == names.MAX_LABEL


@pytest.mark.parametrize("name", ["W1", "Yhat", "alpha_2", "w11_2", "b_out", "x<y>", "H2.1",
                                  "what", "Omegatilde_3", "a" * 100, "b_" + "c" * 80, "x\u202e"])
def test_label_is_plain_and_html_at_once(name):
    assert names.label(name) == (names.plain(name), names.html(name))
