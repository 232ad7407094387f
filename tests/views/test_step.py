"""``gradviz.step``: the step-through as a Jupyter widget (anywidget), its script run in
headless Chromium with a stand-in for the notebook's model, and the static fallback."""

from __future__ import annotations

import json
import sys

import pytest

import gradviz
from gradviz import evaluate, example, story
from gradviz.views.step import ESM, INSTALL_WIDGET, Frames, step
from tests.browser import chromium, console_errors

HOST = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<div id="cell"></div>
<script type="text/plain" id="esm">{esm}</script>
<script type="application/json" id="data">{data}</script>
<script type="module">
const src = document.getElementById("esm").textContent;
const url = URL.createObjectURL(new Blob([src], {{type: "text/javascript"}}));
const mod = await import(url);
const data = JSON.parse(document.getElementById("data").textContent);
const model = {{ get: k => data, on: () => {{}} }};  // what anywidget hands render()
mod.default.render({{ model, el: document.getElementById("cell") }});
window.mounted = true;
</script></body></html>"""


def test_step_is_a_widget_with_every_frame():
    trace = evaluate(example("xyz"))
    view = gradviz.step(trace)
    import anywidget

    assert isinstance(view, anywidget.AnyWidget)
    assert len(view.data["svgs"]) == len(story(trace)) + 1
    assert view.data["captions"][0].startswith("Given")
    assert "export default" in view._esm and "gradvizMount" in view._esm


def test_step_wants_a_trace():
    with pytest.raises(gradviz.GradvizError, match="evaluate"):
        step(example("xyz"))


def test_without_anywidget_the_frames_are_shown_static(monkeypatch):
    monkeypatch.setitem(sys.modules, "anywidget", None)  # import anywidget fails
    view = step(evaluate(example("xyz")))
    assert isinstance(view, Frames) and len(view) == len(story(evaluate(example("xyz")))) + 1
    page = view._repr_html_()
    assert page.count("<svg") == len(view) and INSTALL_WIDGET in page.replace("&#x27;", "'")
    assert "pip install" in repr(view)


def test_the_widget_script_runs_in_a_browser(tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    data = step(evaluate(example("xyz"))).data
    host = tmp_path / "host.html"
    host.write_text(HOST.format(esm=ESM.replace("</", "<\\/"),
                                data=json.dumps(data).replace("</", "<\\/")),
                    encoding="utf-8")
    with chromium(tmp_path / "profile") as browser:
        browser.get(host.as_uri())
        assert browser.execute_script("return window.mounted === true")
        cell = browser.find_element(By.ID, "cell")
        pos = cell.find_element(By.CLASS_NAME, "pos")
        assert pos.text.startswith("step 0 /")
        cell.click()
        browser.switch_to.active_element.send_keys(Keys.ARROW_RIGHT)
        assert pos.text.startswith("step 1 /")
        assert cell.find_elements(By.CSS_SELECTOR, "g.node[tabindex='0']")
        assert not console_errors(browser)
