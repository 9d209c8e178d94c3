"""Bring your own data through the UI: import two CSV files into a new data source (the second
with a bad value, imported as NULL after the app stops on it), confirm the proposed relationship
between them, build a segment on the imported tables and check its count against the CLI and
against SQL on the file. The native file dialog cannot be driven, so the test types the file's
path into the Data screen's path field (which users can use too)."""

import json
import os
import re
import sqlite3
import subprocess
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.file_detector import UselessFileDetector
from selenium.webdriver.support.ui import WebDriverWait

from test_builder import css, node, replace_text, screenshot, select, settled_count


def wait(driver, selector, timeout=60):
    return WebDriverWait(driver, timeout, poll_frequency=0.2).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, selector) or False
    )[0]


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
    field = css(driver, '[data-testid="import-path"]')
    replace_text(field, str(path))
    css(driver, '[data-testid="import-path-go"]').click()
    wait(driver, '[data-testid="import-dialog"] [data-testid="import-dialect"]')


def test_import_relate_and_count(driver, data_dir, artifacts, cli_binary):
    WebDriverWait(driver, 180, poll_frequency=0.5).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="builder"] [data-testid="group"]')
    )
    customers, orders = write_files(data_dir)
    css(driver, '[data-testid="tab-data"]').click()
    wait(driver, '[data-testid="data-view"]')
    replace_text(css(driver, '[data-testid="new-source-name"]'), "shop")

    # customers.csv: preview with the detected dialect and inferred types, then import.
    import_file(driver, customers)
    assert "delimiter" in css(driver, '[data-testid="import-dialect"]').text
    assert css(driver, '[data-testid="type-signed_up"]').get_attribute("value") == "date"
    screenshot(driver, artifacts, "10-import-preview")
    css(driver, '[data-testid="import-start"]').click()
    report = wait(driver, '[data-testid="import-report"]')
    assert "60 rows" in report.text
    css(driver, '[data-testid="import-close"]').click()
    shop = str(data_dir / "imported" / "shop.sqlite")
    wait(driver, f'[data-testid="source-item"].on[data-path="{shop}"]')

    # orders.csv into the same data source: the bad value stops the import, then goes in as NULL.
    import_file(driver, orders)
    css(driver, '[data-testid="import-start"]').click()
    error = wait(driver, '[data-testid="import-error"]')
    assert "line 78" in error.text and "n/a" in error.text, error.text
    screenshot(driver, artifacts, "11-import-bad-values")
    css(driver, '[data-testid="import-as-null"]').click()
    bad = wait(driver, '[data-testid="bad-values"]')
    assert "line 78" in bad.text
    css(driver, '[data-testid="import-close"]').click()

    # The proposed relationship, with its share of matching keys; confirm it.
    proposal = wait(driver, '[data-testid="link-proposal"]')
    assert "orders.customer_id → customers.id" in proposal.text and "100%" in proposal.text, proposal.text
    css(driver, '[data-testid="link-confirm"]').click()
    wait(driver, '[data-testid="link-confirmed"]')
    wait(driver, '[data-testid="schema-entity"][data-entity="orders"] svg.dist')
    time.sleep(1)
    assert driver.find_elements(By.CSS_SELECTOR, '[data-testid="link-confirmed"]')
    assert not driver.find_elements(By.CSS_SELECTOR, '[data-testid="link-proposal"]')
    screenshot(driver, artifacts, "12-data-view")

    # A segment on the imported tables: customers in the US with at least 2 paid orders.
    css(driver, '[data-testid="tab-builder"]').click()
    select(css(driver, '[data-testid="entity-picker"]'), "customers")
    root = node("/root")
    wait(driver, f'{root} > .group-actions [data-testid="add-condition"]').click()
    cond = node("/root/children/0")
    select(css(driver, f'{cond} [data-testid="attribute"]'), "country")
    select(css(driver, f'{cond} [data-testid="operator"]'), "is")
    suggested = [o.get_attribute("value") for o in driver.find_elements(By.CSS_SELECTOR, f'{cond} [data-testid="value-suggestions"] option')]
    assert suggested[0] == "US" and set(suggested) == {"US", "FR", "DE", "CA"}, suggested
    replace_text(css(driver, f'{cond} [data-testid="value"]'), "US")
    css(driver, f'{root} > .group-actions [data-testid="add-relationship"]').click()
    rel = node("/root/children/1")
    select(css(driver, f'{rel} [data-testid="relationship-picker"]'), "orders")
    select(css(driver, f'{rel} [data-testid="constraint-operator"]'), "at_least")
    replace_text(css(driver, f'{rel} [data-testid="constraint-value"]'), "2")
    css(driver, f'{node("/root/children/1/filter")} > .group-actions [data-testid="add-condition"]').click()
    inner = node("/root/children/1/filter/children/0")
    select(css(driver, f'{inner} [data-testid="attribute"]'), "status")
    select(css(driver, f'{inner} [data-testid="operator"]'), "is")
    replace_text(css(driver, f'{inner} [data-testid="value"]'), "paid")
    count, total, _sql = settled_count(driver)
    screenshot(driver, artifacts, "13-segment-on-imported")

    definition = css(driver, '[data-testid="segment-json"]').get_attribute("textContent")
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
    css(driver, '[data-testid="tab-data"]').click()
    wait(driver, '[data-testid="source-item"]')
    driver.find_elements(By.CSS_SELECTOR, '[data-testid="source-item"]')[0].click()
    wait(driver, '[data-testid="source-item"].on[data-path$="demo.sqlite"]')
    css(driver, '[data-testid="tab-builder"]').click()
    WebDriverWait(driver, 30).until(lambda d: css(d, '[data-testid="entity-picker"]').get_attribute("value") == "profiles")


def test_a_long_import_shows_progress_and_cancels(driver, data_dir, artifacts):
    WebDriverWait(driver, 180, poll_frequency=0.5).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="builder"] [data-testid="group"]')
    )
    big = data_dir / "events.csv"
    with big.open("w") as f:
        f.write("id,user_id,name,amount,ts\n")
        for i in range(1, 1_500_001):
            f.write(f"{i},{i % 9973},event{i % 17},{i % 1000}.25,2026-{1 + i % 12:02d}-{1 + i % 28:02d}T10:00:00Z\n")
    css(driver, '[data-testid="tab-data"]').click()
    wait(driver, '[data-testid="data-view"]')
    before = set(p.name for p in (data_dir / "imported").iterdir())
    import_file(driver, big)
    css(driver, '[data-testid="import-start"]').click()
    WebDriverWait(driver, 60, poll_frequency=0.1).until(
        lambda d: any(re.search(r"[1-9][0-9,]* rows, .* rows/s", e.text) for e in d.find_elements(By.CSS_SELECTOR, '[data-testid="import-progress"]'))
    )
    screenshot(driver, artifacts, "14-import-progress")
    css(driver, '[data-testid="import-cancel"]').click()
    error = wait(driver, '[data-testid="import-error"]')
    assert "cancelled" in error.text, error.text
    css(driver, '[data-testid="import-abort"]').click()
    assert set(p.name for p in (data_dir / "imported").iterdir()) == before, "a cancelled import leaves nothing behind"
    css(driver, '[data-testid="tab-builder"]').click()
