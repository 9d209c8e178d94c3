"""Counts in milliseconds, in the real app: the in-memory engine counts the preview, every node
shows its own count and the count "without" it (checked against `segment-builder count
--explain` on the same file), sample records list the conditions they met, and the overlap of
two segments is drawn with exact region counts (checked against SQL)."""

import json
import sqlite3
import subprocess

from helpers import (
    attr,
    attrs,
    click,
    content,
    count as count_of,
    each,
    eventually_equal,
    maybe_attr,
    node,
    present,
    replace_text,
    request_id,
    screenshot,
    select,
    settled_count,
    text,
    until,
    wait_for,
)

NOW = "2026-11-01T00:00:00Z"


def build_us_purchasers(driver):
    root = node("/root")
    click(driver, f'{root} > .group-actions [data-testid="add-condition"]')
    cond = node("/root/children/0")
    select(driver, f'{cond} [data-testid="attribute"]', "country")
    select(driver, f'{cond} [data-testid="operator"]', "is")
    replace_text(driver, f'{cond} [data-testid="value"]', "US")
    click(driver, f'{root} > .group-actions [data-testid="add-relationship"]')
    rel = node("/root/children/1")
    select(driver, f'{rel} [data-testid="relationship-picker"]', "events")
    select(driver, f'{rel} [data-testid="constraint-operator"]', "at_least")
    replace_text(driver, f'{rel} [data-testid="constraint-value"]', "2")
    click(driver, f'{node("/root/children/1/filter")} > .group-actions [data-testid="add-condition"]')
    inner = node("/root/children/1/filter/children/0")
    select(driver, f'{inner} [data-testid="attribute"]', "name")
    select(driver, f'{inner} [data-testid="operator"]', "is")
    replace_text(driver, f'{inner} [data-testid="value"]', "purchase")


def engine_of(driver) -> str | None:
    return maybe_attr(driver, '[data-testid="count-engine"]', "data-engine")


def counted_in_memory(driver, timeout=90):
    """The engine loads in the background after start; until then previews count with SQL.
    Re-previews (pressing AND again) until a preview is counted in memory."""

    def memory(d):
        if engine_of(d) == "memory":
            return True
        before = request_id(d)
        click(d, f'{node("/root")} > .group-head [data-testid="group-and"]')
        settled_count(d, after=before)
        return engine_of(d) == "memory"

    until(driver, memory, timeout, "previews are not counted in memory")


def badge(driver, path) -> tuple[int, int]:
    counts = f'[data-testid="node-counts"][data-path="{path}"]'
    count = int(text(driver, f'{counts} [data-testid="node-count"]').replace(",", ""))
    without = int(attr(driver, f'{counts} [data-testid="node-without"]', "data-value"))
    return count, without


def test_node_counts_samples_and_overlap(app, data_dir, artifacts, cli_binary):
    driver = app
    build_us_purchasers(driver)
    count, total, _ = settled_count(driver)
    counted_in_memory(driver)
    count, total, _ = settled_count(driver)
    screenshot(driver, artifacts, "10-node-counts")

    # Every node's badge equals the CLI's --explain on the same definition and file.
    definition = content(driver, '[data-testid="segment-json"]')
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
    click(driver, '[data-testid="tab-samples"]')
    click(driver, '[data-testid="samples-first"]')
    expected_keys = [r[0] for r in db.execute(
        "SELECT id FROM profiles p WHERE country = 'US' AND (SELECT count(*) FROM events e "
        "WHERE e.profile_id = p.id AND e.name = 'purchase') >= 2 ORDER BY id LIMIT 10"
    )]
    # The list is replaced when the response arrives: wait for it (fails with the last list seen).
    eventually_equal(driver, lambda d: [int(float(k)) for k in attrs(d, '[data-testid="sample"]', "data-key")], expected_keys)
    click(driver, '[data-testid="sample"] .sample-head')
    wait_for(driver, '[data-testid="sample"] [data-testid="met"]')
    met = count_of(driver, '[data-testid="sample"] [data-testid="met"]')
    unmet = count_of(driver, '[data-testid="sample"] [data-testid="unmet"]')
    assert met == 3 and not unmet, (met, unmet)
    fields = text(driver, '[data-testid="sample-fields"]')
    assert "country" in fields and "US" in fields
    screenshot(driver, artifacts, "11-samples")

    # Random samples are matching records too.
    matching = {r[0] for r in db.execute(
        "SELECT id FROM profiles p WHERE country = 'US' AND (SELECT count(*) FROM events e "
        "WHERE e.profile_id = p.id AND e.name = 'purchase') >= 2"
    )}
    click(driver, '[data-testid="samples-random"]')
    # The list re-renders when the new sample arrives: ignore elements that went stale meanwhile.
    until(
        driver,
        lambda d: present(d, '[data-testid="sample"]') and not present(d, '[data-testid="sample"] .sample-body'),
    )
    random_keys = until(driver, lambda d: {int(float(k)) for k in attrs(d, '[data-testid="sample"]', "data-key")})
    assert len(random_keys) == min(10, count) and random_keys <= matching

    # Overlap with "on a paid plan".
    click(driver, '[data-testid="tab-overlap"]')
    paid = {"version": 1, "entity": "profiles", "root": {"combinator": "and", "children": [
        {"type": "condition", "attribute": "plan", "operator": "is_one_of", "value": ["pro", "enterprise"]}]}}
    replace_text(driver, '[data-testid="overlap-json-1"]', json.dumps(paid))
    click(driver, '[data-testid="overlap-run"]')

    def result(d):
        return present(d, '[data-testid="overlap-result"]') and dict(
            each(d, '[data-testid="venn-region"]', lambda r: (r.get_attribute("data-segments"), int(r.text.replace(",", ""))))
        )

    regions = until(driver, result)
    paid_count = db.execute("SELECT count(*) FROM profiles WHERE plan IN ('pro', 'enterprise')").fetchone()[0]
    both = db.execute(
        "SELECT count(*) FROM profiles p WHERE plan IN ('pro', 'enterprise') AND country = 'US' AND "
        "(SELECT count(*) FROM events e WHERE e.profile_id = p.id AND e.name = 'purchase') >= 2"
    ).fetchone()[0]
    assert regions == {"0": count - both, "1": paid_count - both, "0,1": both}
    assert int(text(driver, '[data-testid="overlap-count-0"]').replace(",", "")) == count
    assert int(text(driver, '[data-testid="overlap-count-1"]').replace(",", "")) == paid_count
    screenshot(driver, artifacts, "12-overlap")

    # A third segment: "older than 40"; the centre region is in all three.
    click(driver, '[data-testid="overlap-add"]')
    older = {"version": 1, "entity": "profiles", "root": {"combinator": "and", "children": [
        {"type": "condition", "attribute": "age", "operator": "greater_than", "value": 40}]}}
    replace_text(driver, '[data-testid="overlap-json-2"]', json.dumps(older))
    click(driver, '[data-testid="overlap-run"]')
    regions = until(driver, lambda d: (r := result(d)) and len(r) == 7 and r)
    centre = db.execute(
        "SELECT count(*) FROM profiles p WHERE plan IN ('pro', 'enterprise') AND country = 'US' AND age > 40 AND "
        "(SELECT count(*) FROM events e WHERE e.profile_id = p.id AND e.name = 'purchase') >= 2"
    ).fetchone()[0]
    older_count = db.execute("SELECT count(*) FROM profiles WHERE age > 40").fetchone()[0]
    db.close()
    assert regions["0,1,2"] == centre
    assert sum(v for k, v in regions.items() if "2" in k.split(",")) == older_count
    screenshot(driver, artifacts, "13-overlap-three")
