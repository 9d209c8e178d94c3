"""Related records in time order, built in the real window on the demo data, one of each: the
first time (new customers), the last time (lapsed), the most recent record's attribute, distinct
days, and a sequence (page view then purchase within 7 days; then with "and no login in
between"). The window opens the demo corpus's data (`segment-builder demo --profiles 3000
--seed 11`), so each count shown must equal the reference count of the same segment in
tests/corpus/demo/expected.json (checked against a brute-force reference by
crates/segment-source/tests/reference_counts.rs), `segment-builder count` on the same
definition, data file and "now" (in memory and in SQL), and the SQL pane's SQL run on the file.

"As of" (ARCHITECTURE: "As of means the data as it was") leaves out related records after it,
while the corpus's counts are of every record at its pinned "now" (inside the data's span): the
conditions that do not depend on "now" are counted as of the data's end, where both agree; the
first and last time as of the corpus's "now"."""

import json
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from selenium.webdriver.common.keys import Keys

from helpers import (
    add_node,
    click,
    paste,
    queue_pick,
    count_matches_cli,
    node,
    present,
    replace_text,
    request_id,
    screenshot,
    select,
    set_condition,
    settled_count,
    sql_count,
    tid,
    until,
    value,
    wait_for,
)

from test_data_sources import back_to_demo, opened

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "demo"
# The demo corpus's data and "now" (crates/segment-source/tests/reference_counts.rs).
CORPUS_PROFILES, CORPUS_SEED = 3000, 11
CORPUS_NOW = "2026-10-15 12:34:56"
# The demo data's end: no record is later.
DATA_END = "2026-11-01 00:00"


@pytest.fixture(scope="module")
def corpus_data(driver, data_dir, cli_binary):
    """The corpus's demo data written by the CLI and opened in the window; the app's own demo
    data is open again afterwards (the later tests expect it)."""
    path = data_dir / "corpus-demo.sqlite"
    subprocess.run([str(cli_binary), "demo", "--out", str(path), "--profiles", str(CORPUS_PROFILES), "--seed", str(CORPUS_SEED)], check=True, capture_output=True)
    wait_for(driver, f'{tid("builder")} {tid("group")}', timeout=180)
    click(driver, tid("tab-data"))
    queue_pick(path)
    click(driver, tid("open-sqlite"))
    opened(driver, path)
    click(driver, tid("tab-builder"))
    yield path
    back_to_demo(driver)


@pytest.fixture
def corpus(app, corpus_data):
    """The builder, empty, on the corpus's data."""
    return app, corpus_data


def as_of(driver, instant: str):
    if value(driver, tid("as-of")) != instant:
        paste(driver, tid("as-of"), instant)


def reference(file: str) -> int:
    """The demo corpus's expected count of the segment in `file`."""
    expected = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
    return expected[file]["count"]


def related(driver, relationship: str, measure: str) -> str:
    """A new "Has <relationship> where the <measure> …" condition; its path."""
    rel = add_node(driver, "/root", "relationship")
    select(driver, f'{node(rel)} [data-testid="relationship-picker"]', relationship)
    select(driver, f'{node(rel)} [data-testid="constraint-measure"]', measure)
    return rel


def only_purchases(driver, rel: str):
    """The related records filtered to events whose name is purchase."""
    name = add_node(driver, f"{rel}/filter")
    set_condition(driver, name, "name", "is", "purchase")


def rfc3339(instant: str) -> str:
    return instant.replace(" ", "T") + (":00Z" if len(instant) == 16 else "Z")


def counted(driver, cli_binary, data, after: int, corpus_file: str | None, instant=DATA_END) -> dict:
    """The settled count, as of `instant`, equals the CLI's, the SQL pane's and the corpus's
    reference (when given)."""
    shown = count_matches_cli(driver, cli_binary, data, data.parent, after=after)
    assert shown["now"] == rfc3339(instant), shown["now"]
    if corpus_file:
        assert shown["count"] == reference(corpus_file), (corpus_file, shown["definition"])
    return shown


def test_first_purchase_in_the_last_30_days(corpus, cli_binary):
    driver, data = corpus
    as_of(driver, CORPUS_NOW)
    before = request_id(driver)
    rel = related(driver, "events", "first_time")
    # New customers are the default: "the first one was in the last 30 days".
    assert value(driver, f'{node(rel)} [data-testid="ordered-operator"]') == "in_the_last"
    only_purchases(driver, rel)
    shown = counted(driver, cli_binary, data, before, "174-first-purchase-in-the-last-30-days.json", CORPUS_NOW)
    assert '"first_time"' in shown["definition"]


def test_last_order_more_than_90_days_ago(corpus, cli_binary):
    driver, data = corpus
    as_of(driver, CORPUS_NOW)
    before = request_id(driver)
    rel = related(driver, "orders", "last_time")
    # Lapsed customers are the default: "the last one was more than 90 days ago".
    assert value(driver, f'{node(rel)} [data-testid="ordered-operator"]') == "more_than_ago"
    shown = counted(driver, cli_binary, data, before, None, CORPUS_NOW)
    # The corpus counts every order at its "now" (orders placed later too); as of that instant,
    # only the orders placed by then: more customers had lapsed.
    now = int(datetime.fromisoformat(shown["now"].replace("Z", "+00:00")).timestamp())
    lapsed = "SELECT count(*) FROM (SELECT max(placed_at) AS last FROM orders {} GROUP BY profile_id) WHERE last < {}"
    assert sql_count(data, lapsed.format("", now - 90 * 86_400)) == reference("175-last-order-more-than-90-days-ago.json")
    assert shown["count"] == sql_count(data, lapsed.format(f"WHERE placed_at <= {now}", now - 90 * 86_400))
    assert 0 < shown["count"] < shown["total"]


def test_most_recent_order_is_refunded(corpus, cli_binary):
    driver, data = corpus
    as_of(driver, DATA_END)
    rel = related(driver, "orders", "last_record")
    select(driver, f'{node(rel)} [data-testid="ordered-attribute"]', "status")
    select(driver, f'{node(rel)} [data-testid="ordered-operator"]', "is")
    before = request_id(driver)
    replace_text(driver, f'{node(rel)} > .node-line [data-testid="value"]', "refunded")
    counted(driver, cli_binary, data, before, "177-most-recent-order-is-refunded.json")


def test_purchases_on_at_least_3_distinct_days(corpus, cli_binary):
    driver, data = corpus
    as_of(driver, DATA_END)
    rel = related(driver, "events", "distinct_day")
    only_purchases(driver, rel)
    before = request_id(driver)
    replace_text(driver, f'{node(rel)} [data-testid="constraint-value"]', "3")
    counted(driver, cli_binary, data, before, "179-purchases-on-at-least-3-distinct-days.json")


def step_value(rel: str, step: int, condition=0) -> str:
    return f'{node(rel)} [data-testid="sequence-condition-{step}-{condition}"] [data-testid="value"]'


def test_page_view_then_purchase_and_no_login_in_between(corpus, artifacts, cli_binary):
    driver, data = corpus
    as_of(driver, DATA_END)
    rel = related(driver, "events", "sequence")
    select(driver, f'{node(rel)} [data-testid="sequence-attribute-0"]', "name")
    replace_text(driver, step_value(rel, 0), "page_view")
    select(driver, f'{node(rel)} [data-testid="sequence-attribute-1"]', "name")
    # Within 7 days is the default gap.
    assert value(driver, f'{node(rel)} [data-testid="sequence-within-1"]') == "7"
    assert value(driver, f'{node(rel)} [data-testid="sequence-within-1-unit"]') == "day"
    before = request_id(driver)
    replace_text(driver, step_value(rel, 1), "purchase")
    counted(driver, cli_binary, data, before, "181-page-view-then-purchase-within-7-days.json")
    screenshot(driver, artifacts, "conditions-sequence-within")

    # Any time later: the gap's amount emptied.
    before = request_id(driver)
    replace_text(driver, f'{node(rel)} [data-testid="sequence-within-1"]', Keys.BACKSPACE, verify=False)
    until(driver, lambda d: value(d, f'{node(rel)} [data-testid="sequence-within-1"]') == "")
    any_gap = count_matches_cli(driver, cli_binary, data, data.parent, after=before)
    assert '"within"' not in any_gap["definition"]

    # "And no … in between": waiting for its value, it is marked and not counted.
    excluding = f'{node(rel)} [data-testid="sequence-excluding-1"]'
    before = request_id(driver)
    click(driver, f'{node(rel)} [data-testid="sequence-exclude-1"]')
    until(driver, lambda d: present(d, f'{excluding} {tid("incomplete")}'))
    # (The definition keeps it as written; what is counted, and so the SQL, is without it.)
    waiting, _, waiting_sql = settled_count(driver, after=before)
    assert (waiting, waiting_sql) == (any_gap["count"], any_gap["sql"])

    before = request_id(driver)
    replace_text(driver, f'{excluding} [data-testid="sequence-excluding-1-0"] [data-testid="value"]', "login")
    until(driver, lambda d: not present(d, f'{excluding} {tid("incomplete")}'))
    shown = counted(driver, cli_binary, data, before, "182-page-view-then-purchase-with-no-login-in-between.json")
    assert '"excluding"' in shown["definition"]
    assert shown["count"] < any_gap["count"]
    screenshot(driver, artifacts, "conditions-sequence-no-login")
