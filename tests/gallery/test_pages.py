"""The gallery's pages: the values table escapes what the graph file says."""

from __future__ import annotations

from gradviz import evaluate, example, parse


def test_values_page_lists_the_asked_quantities_in_the_course_s_names():
    from gradviz.gallery.pages import values_page

    text = values_page(evaluate(example("two_layer_relu")))
    assert "| w₂₁⁺ | 0.65 |" in text and "w21+" not in text


def test_values_page_escapes_a_hostile_title_and_source():
    from gradviz.gallery.pages import values_page

    g = parse("#: title: <script>alert(1)</script> | [x](javascript:1)\n"
              "#: source: # heading\nx: input = 2\nL: loss = x * x\n")
    text = values_page(evaluate(g))
    first, _, source = text.splitlines()[:3]
    assert "<script>" not in text and "[x](javascript" not in text
    assert first.startswith("# ") and "\\|" in first and source.startswith("\\#")


def test_the_index_cards_write_negative_numbers_with_the_minus_sign(tmp_path):
    from gradviz.gallery.pages import write_pages

    from gradviz import examples

    for name in examples():
        (tmp_path / name).mkdir()
    write_pages(tmp_path, video=False)
    text = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Ŷ = −0.4621" in text and "Ŷ = -0.4621" not in text
