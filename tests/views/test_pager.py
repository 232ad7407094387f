"""The interactive step-through page, driven in headless Chromium: keyboard and button
paging, chain-rule tooltips on hover and on keyboard focus, no console errors, no
external assets."""

from __future__ import annotations

import pytest

from gradviz import evaluate, example
from gradviz.views.frames import write_frames
from tests.browser import chromium, console_errors


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as driver:
        yield driver


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("frames")
    write_frames(evaluate(example("interesting")), folder)
    return folder / "index.html"


def test_page_is_self_contained(page):
    text = page.read_text(encoding="utf-8")
    for external in ("src=\"http", "href=\"http", "@import", "url(http"):
        assert external not in text
    assert "<script type=\"application/json\" id=\"gradviz-data\">" in text


def test_keys_and_buttons_page_through(browser, page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(page.as_uri())
    pos = browser.find_element(By.CLASS_NAME, "pos")
    assert pos.text.startswith("step 0 /")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.ARROW_RIGHT)
    body.send_keys(Keys.ARROW_RIGHT)
    assert pos.text.startswith("step 2 /")
    body.send_keys(Keys.ARROW_LEFT)
    assert pos.text.startswith("step 1 /")
    browser.find_element(By.CLASS_NAME, "next").click()
    assert pos.text.startswith("step 2 /")
    body.send_keys(Keys.END)
    last = int(pos.text.split("/")[1])
    assert pos.text == f"step {last} / {last}"
    caption = browser.find_element(By.CLASS_NAME, "caption").text
    assert caption.startswith("∂L/∂") and "−" in caption
    body.send_keys(Keys.HOME)
    assert pos.text.startswith("step 0 /") and "Given" in \
        browser.find_element(By.CLASS_NAME, "caption").text
    assert not console_errors(browser)


def test_hover_and_focus_show_the_chain_rule_sum(browser, page):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(page.as_uri())
    body = browser.find_element(By.TAG_NAME, "body")
    tip = browser.find_element(By.CLASS_NAME, "tip")

    def node(name):
        return next(g for g in browser.find_elements(By.CSS_SELECTOR, "g.node[data-node]")
                    if g.get_attribute("aria-label") == name)

    ActionChains(browser).move_to_element(node("H₁")).perform()
    assert tip.is_displayed()
    assert tip.text.startswith("H₁") and "? via H₃" in tip.text  # nothing known at step 0
    body.send_keys(Keys.END)
    ActionChains(browser).move_to_element(node("H₁")).perform()
    assert tip.text == ("H₁ = 1.50\n∂L/∂H₁ = (−0.62 via H₃) + (−0.83 via H₄) + "
                        "(0.00 via H₅) = −1.45")
    ActionChains(browser).move_to_element(browser.find_element(By.TAG_NAME, "h1")).perform()
    assert not tip.is_displayed()
    for _ in range(60):  # Tab through the page until the keyboard reaches W₂
        browser.switch_to.active_element.send_keys(Keys.TAB)
        if browser.switch_to.active_element.get_attribute("aria-label") == "W₂":
            break
    assert tip.is_displayed() and tip.text.startswith("W₂ = −3.00\n∂L/∂W₂ = ")
    focusable = browser.find_elements(By.CSS_SELECTOR, "g.node[tabindex='0']")
    assert len(focusable) >= 15
    assert not console_errors(browser)


