"""Bring your own data through the UI: import two CSV files into a new data source (the second
with a bad value, imported as NULL after the app stops on it), confirm the proposed relationship
between them, build a segment on the imported tables and check its count against the CLI and
against SQL on the file. The native file dialog cannot be driven, so the test types the file's
path into the Data screen's path field (which users can use too; the files are in the test's
data folder, which SEGMENT_BUILDER_ALLOW_DIRS allows), or answers the dialog with queue_pick.
A file elsewhere is read only once chosen."""

import json
import os
import re
import sqlite3
import subprocess

from selenium.webdriver.remote.file_detector import UselessFileDetector

from helpers import (
    attrs,
    click,
    content,
    eventually_equal,
    node,
    present,
    queue_pick,
    replace_text,
    screenshot,
    select,
    settled_count,
    text,
    texts,
    until,
    value,
    wait_for,
)

BUILDER_SHOWN = '[data-testid="builder"] [data-testid="group"]'


def write_files(folder):
    countries = ["US", "FR", "US", "DE", "CA"]
    customers = folder / "customers.csv"
    lines = ["id,Full Name,country,signed_up"]
    for i in range(1, 61):
        lines.append(f"{i},Customer {i},{countries[i % 5]},2026-0{1 + i % 9}-1{i % 10}")
    customers.write_text("\n".join(lines) + "\n")
    orders = folder / "orders.csv"
    lines = ["id,customer_id,status,total,placed_at"]
    for i in range(1, 201):
        total = "n/a" if i == 77 else f"{(i * 37) % 500}.5"
        status = "paid" if i % 3 else "refunded"
        lines.append(f"{i},{1 + (i * 7) % 50},{status},{total},2026-10-{1 + i % 28:02d}T12:00:00Z")
    orders.write_text("\n".join(lines) + "\n")
    return customers, orders


def import_file(driver, path):
    # Typing an existing file's path would otherwise make selenium upload the file.
    driver.file_detector = UselessFileDetector()
    replace_text(driver, '[data-testid="import-path"]', str(path))
    click(driver, '[data-testid="import-path-go"]')
    wait_for(driver, '[data-testid="import-dialog"] [data-testid="import-dialect"]')


def test_import_relate_and_count(driver, data_dir, artifacts, cli_binary):
    wait_for(driver, BUILDER_SHOWN, timeout=180)
    customers, orders = write_files(data_dir)
    click(driver, '[data-testid="tab-data"]')
    wait_for(driver, '[data-testid="data-view"]')
    replace_text(driver, '[data-testid="new-source-name"]', "shop")

    # customers.csv: preview with the detected dialect and inferred types, then import.
    import_file(driver, customers)
    assert "delimiter" in text(driver, '[data-testid="import-dialect"]')
    assert value(driver, '[data-testid="type-signed_up"]') == "date"
    screenshot(driver, artifacts, "10-import-preview")
    click(driver, '[data-testid="import-start"]')
    report = text(driver, '[data-testid="import-report"]')
    assert "60 rows" in report, report
    click(driver, '[data-testid="import-close"]')
    shop = str(data_dir / "imported" / "shop.sqlite")
    wait_for(driver, f'[data-testid="source-item"].on[data-path="{shop}"]')

    # orders.csv into the same data source: the bad value stops the import, then goes in as NULL.
    import_file(driver, orders)
    click(driver, '[data-testid="import-start"]')
    error = text(driver, '[data-testid="import-error"]')
    assert "line 78" in error and "n/a" in error, error
    screenshot(driver, artifacts, "11-import-bad-values")
    click(driver, '[data-testid="import-as-null"]')
    bad = text(driver, '[data-testid="bad-values"]')
    assert "line 78" in bad, bad
    click(driver, '[data-testid="import-close"]')

    # The proposed relationship, with its share of matching keys; confirm it.
    proposal = text(driver, '[data-testid="link-proposal"]')
    assert "orders.customer_id → customers.id" in proposal and "100%" in proposal, proposal
    click(driver, '[data-testid="link-confirm"]')
    wait_for(driver, '[data-testid="link-confirmed"]')
    wait_for(driver, '[data-testid="schema-entity"][data-entity="orders"] svg.dist')
    # Confirmed, and no longer proposed once the proposals are refreshed.
    until(
        driver,
        lambda d: present(d, '[data-testid="link-confirmed"]') and not present(d, '[data-testid="link-proposal"]'),
        message="the confirmed link is still proposed",
    )
    screenshot(driver, artifacts, "12-data-view")

    # A segment on the imported tables: customers in the US with at least 2 paid orders.
    click(driver, '[data-testid="tab-builder"]')
    select(driver, '[data-testid="entity-picker"]', "customers")
    root = node("/root")
    click(driver, f'{root} > .group-actions [data-testid="add-condition"]')
    cond = node("/root/children/0")
    select(driver, f'{cond} [data-testid="attribute"]', "country")
    select(driver, f'{cond} [data-testid="operator"]', "is")
    options = f'{cond} [data-testid="value-suggestions"] option'
    eventually_equal(driver, lambda d: set(attrs(d, options, "value")), {"US", "FR", "DE", "CA"})
    suggested = attrs(driver, options, "value")
    assert suggested[0] == "US" and set(suggested) == {"US", "FR", "DE", "CA"}, suggested
    replace_text(driver, f'{cond} [data-testid="value"]', "US")
    click(driver, f'{root} > .group-actions [data-testid="add-relationship"]')
    rel = node("/root/children/1")
    select(driver, f'{rel} [data-testid="relationship-picker"]', "orders")
    select(driver, f'{rel} [data-testid="constraint-operator"]', "at_least")
    replace_text(driver, f'{rel} [data-testid="constraint-value"]', "2")
    click(driver, f'{node("/root/children/1/filter")} > .group-actions [data-testid="add-condition"]')
    inner = node("/root/children/1/filter/children/0")
    select(driver, f'{inner} [data-testid="attribute"]', "status")
    select(driver, f'{inner} [data-testid="operator"]', "is")
    replace_text(driver, f'{inner} [data-testid="value"]', "paid")
    count, total, _sql = settled_count(driver)
    screenshot(driver, artifacts, "13-segment-on-imported")

    definition = content(driver, '[data-testid="segment-json"]')
    segment_file = data_dir / "imported-segment.json"
    segment_file.write_text(definition)
    env = dict(os.environ, SEGMENT_BUILDER_STORE=str(data_dir / "sources.json"))
    cli = subprocess.run([str(cli_binary), "count", "--data", shop, "--segment", str(segment_file)],
                         capture_output=True, text=True, check=True, env=env)
    db = sqlite3.connect(f"file:{shop}?mode=ro", uri=True)
    expected = db.execute(
        """SELECT count(*) FROM customers c WHERE c.country = 'US'
           AND (SELECT count(*) FROM orders o WHERE o.customer_id = c.id AND o.status = 'paid') >= 2"""
    ).fetchone()[0]
    nulls = db.execute("SELECT count(*) FROM orders WHERE total IS NULL").fetchone()[0]
    db.close()
    assert nulls == 1
    assert total == 60
    assert 0 < expected < 60
    assert count == expected
    assert json.loads(cli.stdout) == {"count": count, "total": total}

    # Back to the demo data: the builder follows.
    click(driver, '[data-testid="tab-data"]')
    click(driver, '[data-testid="source-item"]')  # the first: the demo data
    wait_for(driver, '[data-testid="source-item"].on[data-path$="demo.sqlite"]')
    click(driver, '[data-testid="tab-builder"]')
    until(driver, lambda d: value(d, '[data-testid="entity-picker"]') == "profiles")


def test_a_long_import_shows_progress_and_cancels(driver, data_dir, artifacts):
    wait_for(driver, BUILDER_SHOWN, timeout=180)
    big = data_dir / "events.csv"
    with big.open("w") as f:
        f.write("id,user_id,name,amount,ts\n")
        for i in range(1, 1_500_001):
            f.write(f"{i},{i % 9973},event{i % 17},{i % 1000}.25,2026-{1 + i % 12:02d}-{1 + i % 28:02d}T10:00:00Z\n")
    click(driver, '[data-testid="tab-data"]')
    wait_for(driver, '[data-testid="data-view"]')
    before = set(p.name for p in (data_dir / "imported").iterdir())
    import_file(driver, big)
    click(driver, '[data-testid="import-start"]')
    until(
        driver,
        lambda d: any(re.search(r"[1-9][0-9,]* rows, .* rows/s", t) for t in texts(d, '[data-testid="import-progress"]')),
        timeout=120,
        message="no import progress shown",
    )
    screenshot(driver, artifacts, "14-import-progress")
    click(driver, '[data-testid="import-cancel"]')
    error = text(driver, '[data-testid="import-error"]')
    assert "cancelled" in error, error
    click(driver, '[data-testid="import-abort"]')
    assert set(p.name for p in (data_dir / "imported").iterdir()) == before, "a cancelled import leaves nothing behind"
    click(driver, '[data-testid="tab-builder"]')


def test_a_file_is_read_only_once_chosen(driver, outside_dir, artifacts):
    wait_for(driver, BUILDER_SHOWN, timeout=180)
    elsewhere = outside_dir / "elsewhere.csv"
    elsewhere.write_text("id,country\n1,US\n2,FR\n")
    click(driver, '[data-testid="tab-data"]')
    wait_for(driver, '[data-testid="data-view"]')
    cancel = '[data-testid="import-dialog"] .modal-actions button:not([data-testid])'

    # Typed, never chosen: refused, with what to do instead; nothing of the file is shown.
    driver.file_detector = UselessFileDetector()
    replace_text(driver, '[data-testid="import-path"]', str(elsewhere))
    click(driver, '[data-testid="import-path-go"]')
    error = text(driver, '[data-testid="import-dialog"] [data-testid="import-error"]')
    assert "Choose the file with Open… or drop it on the window" in error, error
    assert not present(driver, '[data-testid="import-dialect"]')
    screenshot(driver, artifacts, "15-import-not-chosen")
    click(driver, cancel)
    until(driver, lambda d: not present(d, '[data-testid="import-dialog"]'))

    # Chosen in the Open dialog (answered by the scripted picks): read.
    queue_pick(elsewhere)
    click(driver, '[data-testid="add-data"]')
    wait_for(driver, '[data-testid="import-dialog"] [data-testid="import-dialect"]')
    assert value(driver, '[data-testid="type-country"]') == "text"
    click(driver, cancel)
    until(driver, lambda d: not present(d, '[data-testid="import-dialog"]'))

    click(driver, '[data-testid="tab-builder"]')
