"""Audience tools in the real app: a breakdown of the segment shows bars whose counts sum to the
live count (and equal `segment-builder breakdown`); "compare with everyone" ranks by lift; a
45/45/10 split's group counts sum to the count and equal the CLI's with the same salt; priority
tiers of saved segments keep each record once (the kept counts add up to the union); and the card
at the minimum window (900×600) in both themes, nothing scrolling sideways."""

import json
import subprocess

import pytest

from helpers import attrs, click, content, replace_text, select, settled_count, text, texts, tid, until, wait_for
from test_counting import NOW, build_us_purchasers

OVERFLOW = """
const out = [];
const check = (el, name) => { if (el && el.scrollWidth > el.clientWidth + 1) out.push(`${name} ${el.scrollWidth}>${el.clientWidth}`); };
check(document.documentElement, 'page');
for (const s of ['.side-body', '.audience-card', '.bars', '.split', '.tiers'])
  document.querySelectorAll(s).forEach((el) => check(el, s));
return out;
"""


def reveal(driver, selector):
    driver.execute_script("document.querySelector(arguments[0]).scrollIntoView({block: 'center'})", selector)


def bar_counts(driver) -> list[int]:
    return [int(c) for c in attrs(driver, tid("breakdown-row"), "data-count")]


def cli(cli_binary, *args) -> dict:
    out = subprocess.run([str(cli_binary), *args, "--json"], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def saved_segment_file(driver, data_dir, name) -> str:
    path = data_dir / name
    path.write_text(content(driver, '[data-testid="segment-json"]'))
    return str(path)


def test_breakdown_split_and_tiers(app, data_dir, artifacts, cli_binary):
    driver = app
    build_us_purchasers(driver)
    count, _, _ = settled_count(driver)
    segment = saved_segment_file(driver, data_dir, "audience-segment.json")
    data = str(data_dir / "demo.sqlite")

    # Breakdown by plan: one bar per plan, summing to the count, as the CLI says.
    reveal(driver, tid("audience"))
    click(driver, tid("tab-breakdown"))
    select(driver, tid("breakdown-by"), json.dumps({"kind": "attribute", "column": "plan"}, separators=(",", ":")))
    until(driver, lambda d: len(attrs(d, tid("breakdown-row"), "data-count")) > 0 and sum(bar_counts(d)) == count,
          message="the bars do not sum to the count")
    expected = cli(cli_binary, "breakdown", "--data", data, "--segment", segment, "--now", NOW, "--by", "plan")
    assert bar_counts(driver) == [r["count"] for r in expected["rows"]]
    driver.save_screenshot(str(artifacts / "audience-breakdown.png"))
    click(driver, tid("breakdown-compare"))
    until(driver, lambda d: "×" in text(d, tid("breakdown-bars")), message="no lift shown")
    assert sum(bar_counts(driver)) == count

    # A 45/45/10 holdout: the group counts sum to the count and match the CLI with the salt.
    click(driver, tid("tab-split"))
    replace_text(driver, tid("split-salt"), "e2e-salt")
    click(driver, tid("split-run"))
    wait_for(driver, tid("split-total"), timeout=60)
    groups = [int(t.replace(",", "")) for t in texts(driver, tid("split-count"))]
    assert sum(groups) == count == int(text(driver, tid("split-total")).replace(",", ""))
    split = cli(cli_binary, "split", "--data", data, "--segment", segment, "--now", NOW, "--salt", "e2e-salt",
                "--group", "Group A=45", "--group", "Group B=45", "--group", "Holdout=10")
    assert groups == [g["count"] for g in split["groups"]]
    driver.save_screenshot(str(artifacts / "audience-split.png"))

    # Tiers: US purchasers first, then everyone in the US; the second keeps the rest.
    library = str(data_dir / "library.sqlite")
    us = data_dir / "audience-us.json"
    us.write_text(json.dumps({"version": 1, "entity": "profiles", "root": {"combinator": "and", "children": [
        {"type": "condition", "attribute": "country", "operator": "is", "value": "US"}]}}))
    for id_, file, name in [("aud_buyers", segment, "US purchasers"), ("aud_us", str(us), "Everyone in the US")]:
        subprocess.run([str(cli_binary), "segments", "--store", library, "save", id_, "--file", file, "--name", name],
                       capture_output=True, check=True)
    click(driver, tid("tab-tiers"))
    until(driver, lambda d: "aud_buyers" in attrs(d, f'{tid("tier-choice")} option', "value"), message="saved segments not listed")
    for id_ in ["aud_buyers", "aud_us"]:
        select(driver, tid("tier-choice"), id_)
        click(driver, tid("tier-add"))
    until(driver, lambda d: all(t.strip() for t in texts(d, tid("tier-count"))) and len(texts(d, tid("tier-count"))) == 2,
          message="the tiers were not counted")
    kept = [int(t.replace(",", "")) for t in texts(driver, tid("tier-count"))]
    assert kept[0] == count
    tiers = cli(cli_binary, "tiers", "--data", data, "--store", library, "--now", NOW, "--tier", "aud_buyers", "--tier", "aud_us")
    assert kept == [t["count"] for t in tiers["tiers"]]
    assert text(driver, tid("tier-union")).replace(",", "").startswith(f'{tiers["union"]} of ')
    driver.save_screenshot(str(artifacts / "audience-tiers.png"))


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_audience_card_fits_900_by_600(app, theme, artifacts):
    driver = app
    rect = driver.get_window_rect()
    driver.set_window_rect(width=900, height=600)
    try:
        until(driver, lambda d: d.execute_script("return window.innerWidth") <= 900, message="the window did not shrink")
        select(driver, tid("theme-toggle"), theme)
        build_us_purchasers(driver)
        count, _, _ = settled_count(driver)
        reveal(driver, tid("audience"))
        click(driver, tid("tab-breakdown"))
        until(driver, lambda d: sum(bar_counts(d)) == count, message="the bars do not sum to the count")
        click(driver, tid("breakdown-compare"))
        until(driver, lambda d: "×" in text(d, tid("breakdown-bars")), message="no lift shown")
        reveal(driver, tid("breakdown-bars"))
        assert driver.execute_script(OVERFLOW) == []
        driver.save_screenshot(str(artifacts / f"900x600-{theme}-audience-breakdown.png"))
        click(driver, tid("tab-split"))
        click(driver, tid("split-run"))
        wait_for(driver, tid("split-total"), timeout=60)
        reveal(driver, tid("split"))
        assert driver.execute_script(OVERFLOW) == []
        driver.save_screenshot(str(artifacts / f"900x600-{theme}-audience-split.png"))
        click(driver, tid("tab-breakdown"))
    finally:
        select(driver, tid("theme-toggle"), "system")
        driver.set_window_rect(width=rect["width"], height=rect["height"])
