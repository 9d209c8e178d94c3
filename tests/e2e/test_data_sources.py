"""Opening a SQLite file of the user's as a data source, in the real window: its tables and
declared foreign keys become the builder's records and related records, a segment on it counts
what `segment-builder count` counts on the same file, the file is never written (nothing created
beside it), and the demo data is one click away again. Opened by a typed path, and through
"Open SQLite file…" (the native dialog answered by the scripted picks)."""

import contextlib
import hashlib
import sqlite3

from selenium.webdriver.remote.file_detector import UselessFileDetector

from helpers import (
    add_node,
    attrs,
    click,
    content,
    count_matches_cli,
    eventually,
    node,
    present,
    queue_pick,
    replace_text,
    screenshot,
    select,
    set_condition,
    sql_count,
    text,
    until,
    value,
    wait_for,
)

BUILDER_SHOWN = '[data-testid="builder"] [data-testid="group"]'
TIERS = ["gold", "silver", "bronze"]
PAGES = ["pricing", "docs", "blog", "signup"]


def write_members(path):
    """A small SQLite file as another tool would write it: members and their visits, related by
    a declared foreign key."""
    db = sqlite3.connect(path)
    db.executescript(
        """CREATE TABLE members (id INTEGER PRIMARY KEY, name TEXT NOT NULL, tier TEXT, score REAL);
           CREATE TABLE visits (id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL REFERENCES members(id),
                                page TEXT NOT NULL, seconds INTEGER);"""
    )
    db.executemany(
        "INSERT INTO members VALUES (?, ?, ?, ?)",
        [(i, f"Member {i}", TIERS[i % 3] if i % 11 else None, (i * 37) % 100 / 2) for i in range(1, 301)],
    )
    db.executemany(
        "INSERT INTO visits VALUES (?, ?, ?, ?)",
        [(i, 1 + (i * 7) % 300, PAGES[(i // 3) % 4], (i * 13) % 600) for i in range(1, 2001)],
    )
    db.commit()
    db.close()


def fingerprint(path) -> tuple[str, float, list[str]]:
    """The file's bytes, modification time and what lies beside it."""
    return (
        hashlib.sha256(path.read_bytes()).hexdigest(),
        path.stat().st_mtime,
        sorted(p.name for p in path.parent.iterdir()),
    )


def opened(driver, path):
    """Waits until the Data screen shows `path` as the open data source (fails with the Data
    screen's error, if it shows one instead)."""
    on = f'[data-testid="source-item"].on[data-path="{path}"]'
    until(driver, lambda d: present(d, on) or present(d, '[data-testid="data-error"]'))
    assert not present(driver, '[data-testid="data-error"]'), text(driver, '[data-testid="data-error"]')
    eventually(driver, lambda d: content(d, '[data-testid="source-path"]'), lambda t: t.strip() == f"Data: {path.name}")


def back_to_demo(driver):
    click(driver, '[data-testid="tab-data"]')
    click(driver, '[data-testid="source-item"]')  # the first: the demo data
    wait_for(driver, '[data-testid="source-item"].on[data-path$="demo.sqlite"]')
    click(driver, '[data-testid="tab-builder"]')
    until(driver, lambda d: value(d, '[data-testid="entity-picker"]') == "profiles")


@contextlib.contextmanager
def then_back_to_demo(driver, artifacts, name):
    """The later tests expect the demo data open: switch back even when the test fails (after
    keeping what the window showed)."""
    try:
        yield
    except BaseException:
        screenshot(driver, artifacts, f"FAILED-{name}-before-back-to-demo")
        (artifacts / f"FAILED-{name}-before-back-to-demo.html").write_text(driver.page_source)
        raise
    finally:
        back_to_demo(driver)


def count_gold_pricing_visitors(driver, path, data_dir, cli_binary, env=None) -> dict:
    """Builds "members in the gold tier with at least 3 visits of the pricing page" on the open
    file and checks its count against the CLI, the SQL pane and hand-written SQL."""
    click(driver, '[data-testid="tab-builder"]')
    until(driver, lambda d: set(attrs(d, '[data-testid="entity-picker"] option', "value")) == {"members", "visits"})
    select(driver, '[data-testid="entity-picker"]', "members")
    wait_for(driver, BUILDER_SHOWN)
    tier = add_node(driver, "/root")
    set_condition(driver, tier, "tier", "is", "gold")
    rel = add_node(driver, "/root", "relationship")
    select(driver, f'{node(rel)} [data-testid="relationship-picker"]', "visits")
    select(driver, f'{node(rel)} [data-testid="constraint-operator"]', "at_least")
    replace_text(driver, f'{node(rel)} [data-testid="constraint-value"]', "3")
    page = add_node(driver, f"{rel}/filter")
    set_condition(driver, page, "page", "is", "pricing")
    shown = count_matches_cli(driver, cli_binary, path, data_dir, env=env)
    by_hand = sql_count(
        path,
        """SELECT count(*) FROM members m WHERE m.tier = 'gold'
           AND (SELECT count(*) FROM visits v WHERE v.member_id = m.id AND v.page = 'pricing') >= 3""",
    )
    assert shown["count"] == by_hand and 0 < by_hand < 100, (shown, by_hand)
    assert shown["total"] == 300
    return shown


def test_open_a_sqlite_file_by_its_path(app, data_dir, artifacts, cli_binary):
    driver = app
    # A folder of its own, so that anything created beside the file would show.
    path = data_dir / "typed" / "members.sqlite"
    path.parent.mkdir(exist_ok=True)
    write_members(path)
    before = fingerprint(path)
    click(driver, '[data-testid="tab-data"]')
    with then_back_to_demo(driver, artifacts, "typed-path"):
        # Typing an existing file's path would otherwise make selenium upload the file.
        driver.file_detector = UselessFileDetector()
        replace_text(driver, '[data-testid="import-path"]', str(path))
        click(driver, '[data-testid="import-path-go"]')
        opened(driver, path)
        # The schema browser shows the file's tables.
        # (Generous: right after the app starts, its statistics wait behind the demo data's load.)
        until(
            driver,
            lambda d: {"members", "visits"} <= set(attrs(d, '[data-testid="schema-entity"]', "data-entity")),
            timeout=180,
            message="the schema browser does not show the file's tables",
        )
        screenshot(driver, artifacts, "sources-01-opened")
        count_gold_pricing_visitors(driver, path, data_dir, cli_binary)
        screenshot(driver, artifacts, "sources-02-segment")
    assert fingerprint(path) == before, "the user's file is never written, nothing is created beside it"


def test_open_a_sqlite_file_from_the_dialog(app, data_dir, artifacts, cli_binary):
    driver = app
    folder = data_dir / "picked"
    folder.mkdir(exist_ok=True)
    path = folder / "club.sqlite"
    write_members(path)
    before = fingerprint(path)
    click(driver, '[data-testid="tab-data"]')
    with then_back_to_demo(driver, artifacts, "dialog"):
        queue_pick(path)
        click(driver, '[data-testid="open-sqlite"]')
        opened(driver, path)
        count_gold_pricing_visitors(driver, path, data_dir, cli_binary)
        # Listed among the data sources, one click away after switching back.
        back_to_demo(driver)
        click(driver, '[data-testid="tab-data"]')
        click(driver, f'[data-testid="source-item"][data-path="{path}"]')
        opened(driver, path)
        screenshot(driver, artifacts, "sources-03-reopened")
    assert fingerprint(path) == before, "the user's file is never written, nothing is created beside it"
