"""Insight in the real app: the size over time of a segment (its last point is the live count and
equals `segment-builder trend` on the same file), "why is … (not) in it?" for a member and a
non-member (every condition met, or the one that fails with the record's value), near misses
with their curves; and the card at the minimum window (900×600) in both themes, nothing
scrolling sideways."""

import json
import sqlite3
import subprocess

import pytest

from helpers import attrs, click, content, replace_text, select, settled_count, text, tid, until, wait_for
from test_counting import NOW, build_us_purchasers

OVERFLOW = """
const out = [];
const check = (el, name) => { if (el && el.scrollWidth > el.clientWidth + 1) out.push(`${name} ${el.scrollWidth}>${el.clientWidth}`); };
check(document.documentElement, 'page');
for (const s of ['.side-body', '.insight-card', '.why-tree', '.near-list'])
  document.querySelectorAll(s).forEach((el) => check(el, s));
return out;
"""


def reveal(driver, selector):
    driver.execute_script("document.querySelector(arguments[0]).scrollIntoView({block: 'center'})", selector)


def ask_why(driver, key: str) -> str:
    replace_text(driver, tid("why-key"), key)
    click(driver, tid("why-explain"))
    until(driver, lambda d: d.execute_script(
        "const v = document.querySelector('[data-testid=\"why-verdict\"]'); return v && v.textContent.startsWith(arguments[0])", key),
        message=f"no answer for {key}")
    return text(driver, tid("why-verdict"))


def test_size_over_time_why_not_and_near_misses(app, data_dir, artifacts, cli_binary):
    driver = app
    build_us_purchasers(driver)
    count, _, _ = settled_count(driver)

    # Size over time, weekly over 90 days: the last point is the count shown, and the CLI agrees.
    reveal(driver, tid("insight"))
    click(driver, tid("tab-trend"))
    select(driver, tid("trend-step"), "week")
    click(driver, tid("trend-show"))
    wait_for(driver, tid("trend-chart"), timeout=60)
    assert int(text(driver, tid("trend-last")).replace(",", "")) == count
    assert "as they are now" in text(driver, tid("trend-note"))
    segment_file = data_dir / "insight-segment.json"
    segment_file.write_text(content(driver, '[data-testid="segment-json"]'))
    trend = json.loads(subprocess.run(
        [str(cli_binary), "trend", "--data", str(data_dir / "demo.sqlite"), "--segment", str(segment_file),
         "--now", NOW, "--days", "90", "--step", "week", "--json"],
        capture_output=True, text=True, check=True).stdout)
    assert trend["points"][-1]["count"] == count
    driver.save_screenshot(str(artifacts / "insight-trend.png"))

    # Why / why not: a member meets every condition; a profile outside the US fails the country.
    db = sqlite3.connect(f"file:{data_dir / 'demo.sqlite'}?mode=ro", uri=True)
    member = db.execute(
        "SELECT id FROM profiles p WHERE country = 'US' AND (SELECT count(*) FROM events e "
        "WHERE e.profile_id = p.id AND e.name = 'purchase') >= 2 ORDER BY id LIMIT 1").fetchone()[0]
    outsider, country = db.execute(
        "SELECT id, country FROM profiles WHERE country IS NOT NULL AND country <> 'US' ORDER BY id LIMIT 1").fetchone()
    click(driver, tid("tab-why"))
    assert ask_why(driver, str(member)) == f"{member} is in the segment."
    assert set(attrs(driver, tid("why-node"), "data-met")) == {"true"}
    assert ask_why(driver, str(outsider)) == f"{outsider} is not in the segment."
    country_row = f'{tid("why-node")}[data-path="/root/children/0"]'
    assert text(driver, country_row).count(country) >= 1
    assert attrs(driver, country_row, "data-met") == ["false"]
    assert attrs(driver, f'{tid("why-node")}[data-path="/root"]', "data-met") == ["false"]
    driver.save_screenshot(str(artifacts / "insight-why.png"))

    # Near misses: one entry per condition, with curves for the occurrences.
    click(driver, tid("tab-near"))
    click(driver, tid("near-show"))
    wait_for(driver, tid("near-curve"), timeout=60)
    paths = attrs(driver, tid("near-node"), "data-path")
    assert paths == ["/root/children/0", "/root/children/1", "/root/children/1/filter/children/0"], paths
    driver.save_screenshot(str(artifacts / "insight-near.png"))


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_insight_card_fits_900_by_600(app, theme, artifacts):
    driver = app
    rect = driver.get_window_rect()
    driver.set_window_rect(width=900, height=600)
    try:
        until(driver, lambda d: d.execute_script("return window.innerWidth") <= 900, message="the window did not shrink")
        select(driver, tid("theme-toggle"), theme)
        build_us_purchasers(driver)
        settled_count(driver)
        reveal(driver, tid("insight"))
        click(driver, tid("tab-trend"))
        click(driver, tid("trend-show"))
        wait_for(driver, tid("trend-chart"), timeout=60)
        assert driver.execute_script(OVERFLOW) == []
        driver.save_screenshot(str(artifacts / f"900x600-{theme}-insight-trend.png"))
        click(driver, tid("tab-why"))
        ask_why(driver, "1")
        reveal(driver, tid("why-result"))
        assert driver.execute_script(OVERFLOW) == []
        driver.save_screenshot(str(artifacts / f"900x600-{theme}-insight-why.png"))
        click(driver, tid("tab-near"))
        click(driver, tid("near-show"))
        wait_for(driver, tid("near-curve"), timeout=60)
        reveal(driver, tid("near-curve"))
        assert driver.execute_script(OVERFLOW) == []
        driver.save_screenshot(str(artifacts / f"900x600-{theme}-insight-near.png"))
    finally:
        select(driver, tid("theme-toggle"), "system")
        driver.set_window_rect(width=rect["width"], height=rect["height"])
