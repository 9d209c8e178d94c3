"""A segment counted on PostgreSQL through the real window: the app's demo data is copied into a
schema of the server the test runs beside (scripts/with-postgres.sh exports SEGMENT_PG_URL); on
the Data screen's "Warehouses" card the connection is saved as a profile, tested and connected;
a segment built in the builder then counts, per node and in samples, exactly what
`segment-builder count` counts on the same server, and what the in-memory engine counts on the
demo file it came from; its breakdown by a real-valued attribute shows the bars
`segment-builder breakdown` prints for the server and for the file, and the count's Cancel
stops the breakdown too. Skipped, saying why, when no server is given."""

import json
import os
import re
import sqlite3
import subprocess
import time

import pytest

from selenium.webdriver.common.by import By

from helpers import (
    RETRIED_ACTIONS,
    add_node,
    attr,
    attrs,
    click,
    content,
    eventually,
    eventually_equal,
    maybe_text,
    node,
    paste,
    present,
    replace_text,
    request_id,
    run_cli,
    screenshot,
    select,
    set_condition,
    settled_count,
    shown_segment,
    text,
    until,
    value,
    wait_for,
)
from test_data_sources import then_back_to_demo

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PG_URL = os.environ.get("SEGMENT_PG_URL")
SCHEMA = f"e2e_demo_{os.getpid()}"

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="SEGMENT_PG_URL is not set: run under scripts/with-postgres.sh to test against PostgreSQL"
)


def copy_demo_to_postgres(demo) -> int:
    """The app's demo file copied into SCHEMA (native types, declared keys), by the service's
    copy_to_postgres example (built here when SEGMENT_BUILDER_PG_COPY does not name it)."""
    return copy_to_postgres(demo, SCHEMA)


SLOW = "(SELECT count(*) FROM events a, events b, events c) >= 0"


def click_now(driver, selector):
    """Clicks without waiting for the preview to settle (`helpers.click` waits: this preview
    would not settle)."""
    until(driver, lambda d: d.find_element(By.CSS_SELECTOR, selector).click() or True,
          message=f"could not click {selector}", retried=RETRIED_ACTIONS)


def running_on_server(fragment: str, timeout=30) -> bool:
    """Whether a statement containing `fragment` still runs on the server after `timeout` s
    (asked through psql, when SEGMENT_SQL_PSQL says how to reach it; False without it)."""
    psql = os.environ.get("SEGMENT_SQL_PSQL")
    if not psql:
        return False
    pattern = "%" + fragment.replace("'", "''").split("FROM ")[-1].split(")")[0] + "%"
    ask = psql.split() + ["-At", "-c", "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                          f"AND query LIKE '{pattern}' AND pid <> pg_backend_pid()"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if subprocess.run(ask, capture_output=True, text=True).stdout.strip() == "0":
            return False
        time.sleep(0.5)
    return True


def cli_explain(cli_binary, data, definition: str, now: str, folder, *extra) -> dict:
    """`segment-builder count --explain` of the definition: count, total and per-node counts."""
    path = folder / "postgres-segment.json"
    path.write_text(definition)
    out = run_cli(cli_binary, "count", "--data", data, "--segment", path, "--now", now, "--explain", *extra)
    return {"count": out["count"], "total": out["total"], "engine": out.get("engine"),
            "nodes": {n["path"]: (n["count"], n["without"]) for n in out["nodes"]}}


def badge(driver, path) -> tuple[int, int]:
    counts = f'[data-testid="node-counts"][data-path="{path}"]'
    count = int(text(driver, f'{counts} [data-testid="node-count"]').replace(",", ""))
    without = int(attr(driver, f'{counts} [data-testid="node-without"]', "data-value"))
    return count, without


def node_counts_shown(driver, paths) -> dict:
    """The badges of `paths`. The app makes per-node counts in SQL only when the count was quick;
    when it was not, the same definition is counted again (pressing AND again): the remembered
    count answers at once and the per-node counts are added to it."""

    def shown(d):
        if all(present(d, f'[data-testid="node-counts"][data-path="{p}"]') for p in paths):
            return {p: badge(d, p) for p in paths}
        before = request_id(d)
        click(d, f'{node("/root")} > .group-head [data-testid="group-and"]')
        settled_count(d, after=before)
        return False

    return until(driver, shown, timeout=120, message="no per-node counts")


def build_us_purchasers(driver):
    """country is US, and at least 2 events named purchase."""
    country = add_node(driver, "/root")
    set_condition(driver, country, "country", "is", "US")
    rel = add_node(driver, "/root", "relationship")
    select(driver, f'{node(rel)} [data-testid="relationship-picker"]', "events")
    select(driver, f'{node(rel)} [data-testid="constraint-operator"]', "at_least")
    replace_text(driver, f'{node(rel)} [data-testid="constraint-value"]', "2")
    name = add_node(driver, f"{rel}/filter")
    set_condition(driver, name, "name", "is", "purchase")
    return [country, rel, name]


def test_a_segment_counted_on_postgresql(app, data_dir, artifacts, cli_binary):
    driver = app
    started = time.monotonic()
    demo = data_dir / "demo.sqlite"
    rows = copy_demo_to_postgres(demo)
    assert rows > 20_000, rows

    # The Warehouses card: save the connection as a profile, test it, connect.
    click(driver, '[data-testid="tab-data"]')
    with then_back_to_demo(driver, artifacts, "postgres"):
        replace_text(driver, '[data-testid="connection-url"]', PG_URL)
        # The sidebar does not scroll sideways: the strip of its sideways scrollbar (the TLS
        # choice's long text was counted as overflow) lay over the buttons at its bottom edge.
        assert driver.execute_script("const a = document.querySelector('.sources'); return a.scrollWidth <= a.clientWidth")
        replace_text(driver, '[data-testid="connection-schema"]', SCHEMA)
        replace_text(driver, '[data-testid="connection-name"]', "Demo on PostgreSQL")
        click(driver, '[data-testid="connection-save"]')
        until(driver, lambda d: any(t.startswith("Demo on PostgreSQL")
                                    for t in attrs(d, '[data-testid="connection-item"]', "textContent")),
              message="the saved profile is not listed")
        click(driver, '[data-testid="connection-test"]')
        note = eventually(driver, lambda d: content(d, '[data-testid="connection-note"]'), lambda t: "table" in t)
        assert note.startswith("Connected to ") and "3 table(s)" in note, note
        screenshot(driver, artifacts, "postgres-01-tested")
        click(driver, '[data-testid="connection-connect"]')
        eventually(driver, lambda d: attr(d, '[data-testid="source-path"]', "title"), lambda t: t.startswith("postgresql://"))
        # The server's tables are the records the builder offers.
        until(
            driver,
            lambda d: {"profiles", "events"} <= set(attrs(d, '[data-testid="entity-picker"] option', "value")),
            message="the builder does not offer the server's tables",
        )
        # The Data screen lists the server's tables, with their rows and columns, as a file's.
        eventually(driver, lambda d: set(attrs(d, '[data-testid="schema-entity"]', "data-entity")),
                   lambda names: {"profiles", "events", "orders"} <= names)
        profiles_card = content(driver, '[data-testid="schema-entity"][data-entity="profiles"]')
        assert re.search(r"20.000 rows", profiles_card) and "country" in profiles_card, profiles_card
        screenshot(driver, artifacts, "postgres-02-connected")

        # The builder on the server's tables: a segment counted where the data is.
        click(driver, '[data-testid="tab-builder"]')
        select(driver, '[data-testid="entity-picker"]', "profiles")
        if present(driver, node("/root/children/0")):
            click(driver, '[data-testid="clear"]')
        paths = build_us_purchasers(driver)
        shown = shown_segment(driver)
        assert shown["engine"] == "sql", shown
        on_server = cli_explain(cli_binary, PG_URL, shown["definition"], shown["now"], data_dir,
                                "--schema", SCHEMA, "--engine", "sql")
        in_memory = cli_explain(cli_binary, demo, shown["definition"], shown["now"], data_dir)
        assert in_memory["engine"] == "engine", in_memory
        expected = {"count": shown["count"], "total": shown["total"]}
        assert {k: on_server[k] for k in expected} == expected, (on_server, shown["definition"])
        assert {k: in_memory[k] for k in expected} == expected, (in_memory, shown["definition"])
        assert shown["total"] == 20_000 and 0 < shown["count"] < 20_000, shown

        # The SQL pane shows PostgreSQL's SQL, as `segment-builder sql` writes it for the server.
        sql = run_cli(cli_binary, "sql", "--data", PG_URL, "--schema", SCHEMA,
                      "--segment", _write(data_dir, shown["definition"]), "--now", shown["now"])
        assert sql["dialect"] == "postgresql", sql
        eventually(driver, lambda d: content(d, '[data-testid="sql-pane-title"]'), lambda t: t == "SQL (PostgreSQL)")
        assert content(driver, '[data-testid="sql-pane"]') == sql["sql"]

        # Per-node counts: every badge equals the server's and the engine's.
        assert on_server["nodes"] == in_memory["nodes"]
        assert node_counts_shown(driver, paths) == {p: on_server["nodes"][p] for p in paths}
        screenshot(driver, artifacts, "postgres-03-counted")

        # Samples: the first 10 matching profiles by id, as the CLI samples them on the server.
        sampled = run_cli(cli_binary, "sample", "--data", PG_URL, "--schema", SCHEMA,
                          "--segment", _write(data_dir, shown["definition"]), "--now", shown["now"], "-n", "10")
        expected_keys = [int(float(s["key"])) for s in _records(sampled)]
        assert len(expected_keys) == 10, sampled
        click(driver, '[data-testid="tab-samples"]')
        click(driver, '[data-testid="samples-first"]')
        eventually_equal(driver, lambda d: [int(float(k)) for k in attrs(d, '[data-testid="sample"]', "data-key")], expected_keys)
        click(driver, '[data-testid="sample"] .sample-head')
        wait_for(driver, '[data-testid="sample"] [data-testid="met"]')
        assert len(attrs(driver, '[data-testid="sample"] [data-testid="met"]', "class")) == 3
        assert not present(driver, '[data-testid="sample"] [data-testid="unmet"]')
        fields = text(driver, '[data-testid="sample-fields"]')
        assert "country" in fields and "US" in fields, fields
        screenshot(driver, artifacts, "postgres-04-samples")

        # A breakdown by a real-valued attribute, computed on the server (one row per bar): the
        # bars sum to the count and are the ones `segment-builder breakdown` prints for the
        # server, and for the demo file in the engine.
        bars = breakdown_shown(driver, "lifetime_value", shown["count"])
        segment_file = _write(data_dir, shown["definition"])
        by = ["breakdown", "--segment", segment_file, "--now", shown["now"], "--by", "lifetime_value", "--json"]
        on_server = run_cli(cli_binary, *by, "--data", PG_URL, "--schema", SCHEMA)
        in_memory = run_cli(cli_binary, *by, "--data", demo)
        assert on_server["method"] == "sql" and in_memory["method"] == "memory", (on_server, in_memory)
        expected = [(r["label"], r["count"]) for r in on_server["rows"]]
        assert bars == expected, (bars, expected)
        assert [(r["label"], r["count"]) for r in in_memory["rows"]] == expected
        assert len(bars) > 5, bars
        summary = content(driver, '[data-testid="breakdown"] .breakdown-summary')
        assert "members by lifetime_value" in summary, summary
        screenshot(driver, artifacts, "postgres-05-breakdown")

        # A count that would run for hours (a raw SQL condition over a three-way product of the
        # events): the panel says where it runs and for how long, and Cancel stops it on the server.
        # (At 900 by 600, in the dark theme: the smallest window the app supports.)
        rect = driver.get_window_rect()
        driver.set_window_rect(width=900, height=600)
        select(driver, '[data-testid="theme-toggle"]', "dark")
        try:
            raw = add_node(driver, "/root", "sql")
            paste(driver, f'{node(raw)} [data-testid="sql-input"]', SLOW)
            seconds = eventually(driver, lambda d: maybe_text(d, '[data-testid="counting-seconds"]'),
                                 lambda t: t and float(t) >= 1.0, timeout=90)
            driver.execute_script("document.querySelector('[data-testid=\"count-panel\"]').scrollIntoView()")
            screenshot(driver, artifacts, "postgres-06-counting-900x600-dark")
            running = content(driver, '[data-testid="counting-on"]')
            assert running.startswith("Counting on PostgreSQL postgres … "), (running, seconds)
            click_now(driver, '[data-testid="count-cancel"]')
            status = eventually(driver, lambda d: content(d, '[data-testid="preview-status"]'), lambda t: "cancelled" in t)
            assert status.startswith("Count cancelled"), status
            assert not running_on_server(SLOW), "the cancelled statement still runs on the server"
            # The breakdown of the same segment was stopped with it, and says so.
            wait_for(driver, '[data-testid="breakdown-cancelled"]')
            screenshot(driver, artifacts, "postgres-07-cancelled-900x600-dark")
        finally:
            select(driver, '[data-testid="theme-toggle"]', "system")
            driver.set_window_rect(width=rect["width"], height=rect["height"])
        # The builder is scrolled down to the raw condition: bring "Clear all" out from under the
        # segment bar before clicking it.
        driver.execute_script("document.querySelector('[data-testid=\"clear\"]').scrollIntoView({block: 'center'})")
        click(driver, '[data-testid="clear"]')
    print(f"PostgreSQL end to end: {time.monotonic() - started:.1f} s ({rows} rows copied)")


def shop_without_foreign_keys(folder) -> str:
    """Customers and their purchases, related only by a column whose name says nothing
    (`purchases.buyer` → `customers.id`), with no foreign key declared (as many warehouses)."""
    path = folder / "shop-no-keys.sqlite"
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, country TEXT);"
        "CREATE TABLE purchases (id INTEGER PRIMARY KEY, buyer INTEGER, amount REAL, at DATETIME);"
    )
    db.executemany("INSERT INTO customers VALUES (?, ?)", [(i, ["US", "FR", "DE"][i % 3]) for i in range(1, 61)])
    db.executemany(
        "INSERT INTO purchases VALUES (?, ?, ?, ?)",
        [(i, 1 + (i * 7) % 45, (i % 13) * 10.0, f"2026-10-{1 + i % 28:02d} 12:00:00") for i in range(1, 201)],
    )
    db.commit()
    db.close()
    return str(path)


def test_tables_related_on_postgresql_count_as_on_the_file(app, data_dir, artifacts, cli_binary):
    """A warehouse whose tables declare no foreign key: the relationship is added on the Data
    screen (kept in the app's sidecar store, keyed by the address and schema, never written to the
    server), the builder then offers the related records, and the count equals the CLI's on the
    server (same store) and on the same data in a file related the same way."""
    driver = app
    shop = shop_without_foreign_keys(data_dir)
    schema = f"e2e_shop_{os.getpid()}"
    copy_to_postgres(shop, schema)
    env = dict(os.environ, SEGMENT_BUILDER_STORE=str(data_dir / "sources.json"))
    click(driver, '[data-testid="tab-data"]')
    with then_back_to_demo(driver, artifacts, "postgres-relate"):
        replace_text(driver, '[data-testid="connection-url"]', PG_URL)
        replace_text(driver, '[data-testid="connection-schema"]', schema)
        click(driver, '[data-testid="connection-connect"]')
        eventually(driver, lambda d: attr(d, '[data-testid="source-path"]', "title"), lambda t: t.startswith("postgresql://"))
        wait_for(driver, '[data-testid="warehouse-note"]')
        form = '[data-testid="link-form"]'
        select(driver, f'{form} select[aria-label="Child table"]', "purchases")
        select(driver, f'{form} select[aria-label="Child column"]', "buyer")
        select(driver, f'{form} select[aria-label="Parent table"]', "customers")
        select(driver, f'{form} select[aria-label="Parent column"]', "id")
        click(driver, '[data-testid="link-add"]')
        confirmed = eventually(driver, lambda d: maybe_text(d, '[data-testid="link-confirmed"]'), lambda t: bool(t))
        assert "purchases.buyer" in confirmed and "customers.id" in confirmed, confirmed
        screenshot(driver, artifacts, "postgres-08-related")
        # A label on a warehouse's column is kept (under the address and schema) and shown again.
        label = '[data-testid="schema-entity"][data-entity="purchases"] input[aria-label="Label of buyer"]'
        replace_text(driver, label, "Customer who paid")
        click(driver, '[data-testid="warehouse-note"]')  # leaves the field: the label is saved
        eventually(driver, lambda d: run_cli(cli_binary, "schema", "--data", PG_URL, "--schema", schema, "--stats", env=env),
                   lambda out: any(c.get("label") == "Customer who paid"
                                   for e in out["entities"] if e["name"] == "purchases" for c in e["columns"]))
        eventually(driver, lambda d: value(d, label), lambda v: v == "Customer who paid")
        assert not present(driver, '[data-testid="schema-entity"] [data-testid="treat-as"]')

        click(driver, '[data-testid="tab-builder"]')
        select(driver, '[data-testid="entity-picker"]', "customers")
        if present(driver, node("/root/children/0")):
            click(driver, '[data-testid="clear"]')
        rel = add_node(driver, "/root", "relationship")
        select(driver, f'{node(rel)} [data-testid="relationship-picker"]', "purchases")
        select(driver, f'{node(rel)} [data-testid="constraint-operator"]', "at_least")
        replace_text(driver, f'{node(rel)} [data-testid="constraint-value"]', "5")
        shown = shown_segment(driver)
        assert shown["engine"] == "sql", shown
        definition = _write(data_dir, shown["definition"])
        on_server = run_cli(cli_binary, "count", "--data", PG_URL, "--schema", schema, "--segment", definition,
                            "--now", shown["now"], env=env)
        run_cli(cli_binary, "relate", "--data", shop, "purchases.buyer", "customers.id", env=env)
        in_file = run_cli(cli_binary, "count", "--data", shop, "--segment", definition, "--now", shown["now"], env=env)
        assert (on_server["count"], on_server["total"]) == (shown["count"], shown["total"]), (on_server, shown)
        assert in_file["count"] == shown["count"], (in_file, shown)
        assert shown["total"] == 60 and 0 < shown["count"] < 60, shown
        screenshot(driver, artifacts, "postgres-09-related-counted")
        click(driver, '[data-testid="clear"]')


def copy_to_postgres(sqlite_file, schema) -> int:
    """A SQLite file copied into `schema` of the test's server (see copy_demo_to_postgres)."""
    copier = os.environ.get("SEGMENT_BUILDER_PG_COPY")
    if not copier:
        subprocess.run(
            ["cargo", "build", "-q", "-p", "segment-service", "--example", "copy_to_postgres"],
            cwd=ROOT, check=True,
        )
        copier = os.path.join(ROOT, "target", "debug", "examples", "copy_to_postgres")
    done = subprocess.run([copier, str(sqlite_file), PG_URL, schema], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return int(done.stdout.strip())


def breakdown_shown(driver, column: str, count: int) -> list[tuple[str, int]]:
    """The audience card's breakdown by `column`: its bars (label, members) once they sum to
    `count`."""
    driver.execute_script("document.querySelector('[data-testid=\"audience\"]').scrollIntoView({block: 'center'})")
    click(driver, '[data-testid="tab-breakdown"]')
    select(driver, '[data-testid="breakdown-by"]', json.dumps({"kind": "attribute", "column": column}, separators=(",", ":")))

    def bars(d):
        labels = attrs(d, '[data-testid="breakdown-row"] .aud-label', "title")
        counts = [int(c) for c in attrs(d, '[data-testid="breakdown-row"]', "data-count")]
        summary = maybe_text(d, '[data-testid="breakdown"] .breakdown-summary') or ""
        if column in summary and counts and sum(counts) == count and len(labels) == len(counts):
            return list(zip(labels, counts))
        return False

    return until(driver, bars, timeout=120, message=f"no breakdown by {column} summing to {count}")


def _write(folder, definition: str):
    path = folder / "postgres-sample.json"
    path.write_text(definition)
    return path


def _records(sampled):
    return sampled if isinstance(sampled, list) else sampled.get("samples") or sampled.get("records") or []
