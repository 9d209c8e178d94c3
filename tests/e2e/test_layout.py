"""The minimum window (900×600) in both themes: no screen scrolls sideways, the count and the
segment bar stay in view, and the theme picker really switches the page's colours.

Screenshots of each screen go to the artifacts folder (the committed set in docs/screenshots is
made by docs/screenshots/take.py)."""

import re

import pytest

from helpers import click, content, select, settled_count, tid, until, wait_for

# Anything wider than its box that the user would have to scroll sideways to see.
OVERFLOW = """
const out = [];
const check = (el, name) => { if (el && el.scrollWidth > el.clientWidth + 1) out.push(`${name} ${el.scrollWidth}>${el.clientWidth}`); };
check(document.documentElement, 'page');
check(document.body, 'body');
for (const s of ['.topbar', '.builder', '.side-body', '.data-main', '.sources', '.segment-bar'])
  document.querySelectorAll(s).forEach((el) => check(el, s));
return out;
"""

# Whether an element is inside the window (the user sees it without scrolling the page).
IN_VIEW = """
const el = document.querySelector(arguments[0]);
if (!el) return false;
const r = el.getBoundingClientRect();
return r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0 && r.right <= window.innerWidth + 1;
"""

SCROLL_TO_TOP = """
document.querySelectorAll('*').forEach((e) => { if (e.scrollTop) e.scrollTop = 0; });
window.scrollTo(0, 0);
"""

# The colour the page is painted with (the first element from the top with a background of its own).
BACKGROUND = """
for (let el = document.elementFromPoint(5, window.innerHeight - 5); el; el = el.parentElement) {
  const c = getComputedStyle(el).backgroundColor;
  if (c && c !== "transparent" && !c.startsWith("rgba(0, 0, 0, 0")) return c;
}
return getComputedStyle(document.documentElement).backgroundColor;
"""


def luminance(css_rgb: str) -> float:
    """Relative brightness (0..1) of a CSS rgb()/rgba() colour, near enough to tell dark from light."""
    parts = css_rgb[css_rgb.index("(") + 1 : css_rgb.index(")")].split(",")
    r, g, b = (float(p) for p in parts[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


@pytest.fixture
def small_window(app):
    rect = app.get_window_rect()
    app.set_window_rect(width=900, height=600)
    until(app, lambda d: d.execute_script("return window.innerWidth") <= 900, message="the window did not shrink")
    # Start from the top, as a fresh window does: an earlier test may have left the side panel
    # scrolled down to a card below the count.
    app.execute_script(SCROLL_TO_TOP)
    yield app
    select(app, tid("theme-toggle"), "system")
    app.set_window_rect(width=rect["width"], height=rect["height"])


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_screen_fits_900_by_600(small_window, theme, artifacts):
    driver = small_window
    select(driver, tid("theme-toggle"), theme)
    until(driver, lambda d: d.execute_script("return document.documentElement.dataset.theme") == theme)
    brightness = luminance(driver.execute_script(BACKGROUND))
    assert (brightness < 0.3) if theme == "dark" else (brightness > 0.7), (theme, brightness)

    settled_count(driver)
    problems = {}
    problems["builder"] = driver.execute_script(OVERFLOW)
    assert driver.execute_script(IN_VIEW, tid("count")), "the count is out of view at 900×600"
    assert driver.execute_script(IN_VIEW, tid("theme-toggle")), "the top bar is cut off at 900×600"
    driver.save_screenshot(str(artifacts / f"layout-900x600-{theme}-builder.png"))

    click(driver, tid("open-library"))
    wait_for(driver, tid("lib-table"))
    problems["library"] = driver.execute_script(OVERFLOW)
    driver.save_screenshot(str(artifacts / f"layout-900x600-{theme}-library.png"))
    click(driver, tid("lib-close"))

    click(driver, tid("tab-data"))
    wait_for(driver, tid("schema-browser"), timeout=120)
    problems["data"] = driver.execute_script(OVERFLOW)
    # The user is told of the fast-start copies in the app's data folder. The demo's copy is
    # written once the engine has loaded it, which may come after the list was read: "none" is
    # a right answer then (listing a written copy is tested through IPC, src-tauri/tests).
    copies = content(driver, tid("fast-start-copies"))
    assert re.fullmatch(r"Fast-start copies of your data: (none|\d+ \([\d.]+ [KMG]?B\) · Remove)", copies), copies
    driver.save_screenshot(str(artifacts / f"layout-900x600-{theme}-data.png"))
    click(driver, tid("tab-builder"))
    wait_for(driver, tid("builder"))

    assert {screen: found for screen, found in problems.items() if found} == {}
