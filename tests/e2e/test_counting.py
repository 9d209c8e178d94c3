"""Counts in milliseconds, in the real app: the in-memory engine counts the preview, every node
shows its own count and the count "without" it (checked against `segment-builder count
--explain` on the same file), sample records list the conditions they met, and the overlap of
two segments is drawn with exact region counts (checked against SQL)."""

import json
import sqlite3
import subprocess

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from test_builder import app, css, node, replace_text, request_id, screenshot, select, settled_count  # noqa: F401

NOW = "2026-11-01T00:00:00Z"


def build_us_purchasers(driver):
    root = node("/root")
    css(driver, f'{root} > .group-actions [data-testid="add-condition"]').click()
    cond = node("/root/children/0")
    select(css(driver, f'{cond} [data-testid="attribute"]'), "country")
    select(css(driver, f'{cond} [data-testid="operator"]'), "is")
    replace_text(css(driver, f'{cond} [data-testid="value"]'), "US")
    css(driver, f'{root} > .group-actions [data-testid="add-relationship"]').click()
    rel = node("/root/children/1")
    select(css(driver, f'{rel} [data-testid="relationship-picker"]'), "events")
    select(css(driver, f'{rel} [data-testid="constraint-operator"]'), "at_least")
    replace_text(css(driver, f'{rel} [data-testid="constraint-value"]'), "2")
    css(driver, f'{node("/root/children/1/filter")} > .group-actions [data-testid="add-condition"]').click()
    inner = node("/root/children/1/filter/children/0")
    select(css(driver, f'{inner} [data-testid="attribute"]'), "name")
    select(css(driver, f'{inner} [data-testid="operator"]'), "is")
    replace_text(css(driver, f'{inner} [data-testid="value"]'), "purchase")


def engine_of(driver) -> str | None:
    found = driver.find_elements(By.CSS_SELECTOR, '[data-testid="count-engine"]')
    return found[0].get_attribute("data-engine") if found else None


def counted_in_memory(driver, timeout=90):
    """The engine loads in the background after start; until then previews count with SQL.
    Re-previews (pressing AND again) until a preview is counted in memory."""

    def memory(d):
        if engine_of(d) == "memory":
            return True
        before = request_id(d)
        css(d, f'{node("/root")} > .group-head [data-testid="group-and"]').click()
        settled_count(d, after=before)
        return engine_of(d) == "memory"

    WebDriverWait(driver, timeout, poll_frequency=1).until(memory)


def badge(driver, path) -> tuple[int, int]:
    el = css(driver, f'[data-testid="node-counts"][data-path="{path}"]')
    count = int(el.find_element(By.CSS_SELECTOR, '[data-testid="node-count"]').text.replace(",", ""))
    without = int(el.find_element(By.CSS_SELECTOR, '[data-testid="node-without"]').get_attribute("data-value"))
    return count, without


def test_node_counts_samples_and_overlap(app, data_dir, artifacts, cli_binary):
    driver = app
    build_us_purchasers(driver)
    count, total, _ = settled_count(driver)
    counted_in_memory(driver)
    count, total, _ = settled_count(driver)
    screenshot(driver, artifacts, "10-node-counts")

    # Every node's badge equals the CLI's --explain on the same definition and file.
    definition = css(driver, '[data-testid="segment-json"]').get_attribute("textContent")
    segment_file = data_dir / "counting-segment.json"
    segment_file.write_text(definition)
    cli = subprocess.run(
        [str(cli_binary), "count", "--data", str(data_dir / "demo.sqlite"), "--segment", str(segment_file),
         "--now", NOW, "--explain"],
        capture_output=True, text=True, check=True,
    )
    explained = json.loads(cli.stdout)
    assert explained["count"] == count
    nodes = {n["path"]: (n["count"], n["without"]) for n in explained["nodes"]}
    for path in ["/root/children/0", "/root/children/1", "/root/children/1/filter/children/0"]:
        assert badge(driver, path) == nodes[path], path
    db = sqlite3.connect(f"file:{data_dir / 'demo.sqlite'}?mode=ro", uri=True)
    us = db.execute("SELECT count(*) FROM profiles WHERE country = 'US'").fetchone()[0]
    purchasers2 = db.execute(
        "SELECT count(*) FROM profiles p WHERE (SELECT count(*) FROM events e "
        "WHERE e.profile_id = p.id AND e.name = 'purchase') >= 2"
    ).fetchone()[0]
    assert badge(driver, "/root/children/0") == (us, purchasers2)

    # Samples: the first 10 matching profiles by id, each meeting every condition.
    css(driver, '[data-testid="tab-samples"]').click()
    css(driver, '[data-testid="samples-first"]').click()
    keys = WebDriverWait(driver, 60, poll_frequency=0.2, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: [int(float(s.get_attribute("data-key"))) for s in d.find_elements(By.CSS_SELECTOR, '[data-testid="sample"]')]
    )
    expected_keys = [r[0] for r in db.execute(
        "SELECT id FROM profiles p WHERE country = 'US' AND (SELECT count(*) FROM events e "
        "WHERE e.profile_id = p.id AND e.name = 'purchase') >= 2 ORDER BY id LIMIT 10"
    )]
    assert keys == expected_keys
    css(driver, '[data-testid="sample"] .sample-head').click()
    met = driver.find_elements(By.CSS_SELECTOR, '[data-testid="sample"] [data-testid="met"]')
    unmet = driver.find_elements(By.CSS_SELECTOR, '[data-testid="sample"] [data-testid="unmet"]')
    assert len(met) == 3 and not unmet
    fields = css(driver, '[data-testid="sample-fields"]').text
    assert "country" in fields and "US" in fields
    screenshot(driver, artifacts, "11-samples")

    # Random samples are matching records too.
    matching = {r[0] for r in db.execute(
        "SELECT id FROM profiles p WHERE country = 'US' AND (SELECT count(*) FROM events e "
        "WHERE e.profile_id = p.id AND e.name = 'purchase') >= 2"
    )}
    css(driver, '[data-testid="samples-random"]').click()
    # The list re-renders when the new sample arrives: ignore elements that went stale meanwhile.
    WebDriverWait(driver, 60, poll_frequency=0.2, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="sample"]')
        and not d.find_elements(By.CSS_SELECTOR, '[data-testid="sample"] .sample-body')
    )
    random_keys = WebDriverWait(driver, 30, poll_frequency=0.2, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: {int(float(s.get_attribute("data-key"))) for s in d.find_elements(By.CSS_SELECTOR, '[data-testid="sample"]')}
    )
    assert len(random_keys) == min(10, count) and random_keys <= matching

    # Overlap with "on a paid plan".
    css(driver, '[data-testid="tab-overlap"]').click()
    paid = {"version": 1, "entity": "profiles", "root": {"combinator": "and", "children": [
        {"type": "condition", "attribute": "plan", "operator": "is_one_of", "value": ["pro", "enterprise"]}]}}
    box = css(driver, '[data-testid="overlap-json-1"]')
    box.click()
    box.send_keys(json.dumps(paid))
    css(driver, '[data-testid="overlap-run"]').click()

    def result(d):
        try:
            return d.find_elements(By.CSS_SELECTOR, '[data-testid="overlap-result"]') and {
                r.get_attribute("data-segments"): int(r.text.replace(",", ""))
                for r in d.find_elements(By.CSS_SELECTOR, '[data-testid="venn-region"]')
            }
        except StaleElementReferenceException:
            return False

    regions = WebDriverWait(driver, 60, poll_frequency=0.2).until(result)
    paid_count = db.execute("SELECT count(*) FROM profiles WHERE plan IN ('pro', 'enterprise')").fetchone()[0]
    both = db.execute(
        "SELECT count(*) FROM profiles p WHERE plan IN ('pro', 'enterprise') AND country = 'US' AND "
        "(SELECT count(*) FROM events e WHERE e.profile_id = p.id AND e.name = 'purchase') >= 2"
    ).fetchone()[0]
    assert regions == {"0": count - both, "1": paid_count - both, "0,1": both}
    assert int(css(driver, '[data-testid="overlap-count-0"]').text.replace(",", "")) == count
    assert int(css(driver, '[data-testid="overlap-count-1"]').text.replace(",", "")) == paid_count
    screenshot(driver, artifacts, "12-overlap")

    # A third segment: "older than 40"; the centre region is in all three.
    css(driver, '[data-testid="overlap-add"]').click()
    older = {"version": 1, "entity": "profiles", "root": {"combinator": "and", "children": [
        {"type": "condition", "attribute": "age", "operator": "greater_than", "value": 40}]}}
    box = css(driver, '[data-testid="overlap-json-2"]')
    box.click()
    box.send_keys(json.dumps(older))
    css(driver, '[data-testid="overlap-run"]').click()
    regions = WebDriverWait(driver, 60, poll_frequency=0.2).until(lambda d: (r := result(d)) and len(r) == 7 and r)
    centre = db.execute(
        "SELECT count(*) FROM profiles p WHERE plan IN ('pro', 'enterprise') AND country = 'US' AND age > 40 AND "
        "(SELECT count(*) FROM events e WHERE e.profile_id = p.id AND e.name = 'purchase') >= 2"
    ).fetchone()[0]
    older_count = db.execute("SELECT count(*) FROM profiles WHERE age > 40").fetchone()[0]
    db.close()
    assert regions["0,1,2"] == centre
    assert sum(v for k, v in regions.items() if "2" in k.split(",")) == older_count
    screenshot(driver, artifacts, "13-overlap-three")
