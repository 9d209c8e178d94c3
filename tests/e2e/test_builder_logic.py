"""The builder's logic, clicked through in the real window: OR, NOT on a group and on a single
condition, nested groups, a raw SQL condition, related records in a time window, aggregates,
multi-value chips and the "as of" instant. After every step the count shown must equal the count
of `segment-builder count` on the same definition, data file and "now" (in memory and in SQL),
the SQL pane's SQL run as is on the file, and a query written here by hand."""

import datetime as dt

from helpers import (
    add_chip,
    add_node,
    chips,
    click,
    count_matches_cli,
    maybe_attr,
    node,
    panel,
    paste,
    present,
    replace_text,
    request_id,
    screenshot,
    select,
    set_condition,
    shown_segment,
    sql_count,
    texts,
    tid,
    until,
    value,
    wait_gone,
)


def toggle(driver, group: str, testid: str):
    """Presses NOT / AND / OR in the head of the group at `group`."""
    click(driver, f'{node(group)} > .group-head [data-testid="{testid}"]')


def checked(driver, cli_binary, data_dir, where: str, after=None) -> dict:
    """The count shown equals the CLI's, the SQL pane's and `SELECT count(*) … WHERE where`."""
    shown = count_matches_cli(driver, cli_binary, data_dir / "demo.sqlite", data_dir, after=after)
    by_hand = sql_count(data_dir / "demo.sqlite", f"SELECT count(*) FROM profiles p WHERE {where}")
    assert shown["count"] == by_hand, (where, shown["definition"])
    return shown


def unix(rfc3339: str) -> int:
    return int(dt.datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp())


def test_or_not_and_nested_groups(app, data_dir, artifacts, cli_binary):
    driver = app
    # country is US  OR  (plan is pro AND (age > 60 OR is subscribed))
    toggle(driver, "/root", "group-or")
    us = add_node(driver, "/root")
    set_condition(driver, us, "country", "is", "US")
    outer = add_node(driver, "/root", "group")
    pro = add_node(driver, outer)
    set_condition(driver, pro, "plan", "is", "pro")
    inner = add_node(driver, outer, "group")
    toggle(driver, inner, "group-or")
    old = add_node(driver, inner)
    set_condition(driver, old, "age", "greater_than")
    replace_text(driver, f'{node(old)} [data-testid="value"]', "60")
    subscribed = add_node(driver, inner)
    set_condition(driver, subscribed, "is_subscribed", "is_true")
    assert not present(driver, f'{node(subscribed)} [data-testid="value"]')

    inner_sql = "coalesce(p.age > 60 OR p.is_subscribed = 1, 0)"
    outer_sql = f"coalesce(p.plan = 'pro', 0) AND {inner_sql}"
    plain = checked(driver, cli_binary, data_dir, f"coalesce(p.country = 'US', 0) OR ({outer_sql})")
    total = plain["total"]
    assert 0 < plain["count"] < total
    screenshot(driver, artifacts, "logic-01-nested")

    # NOT on the nested group: everyone outside it, records with missing values included.
    before = request_id(driver)
    toggle(driver, outer, "group-not")
    until(driver, lambda d: "negated" in (maybe_attr(d, node(outer), "class") or ""))
    negated = checked(driver, cli_binary, data_dir, f"coalesce(p.country = 'US', 0) OR NOT ({outer_sql})", after=before)
    assert '"negated": true' in negated["definition"]

    # NOT on the innermost group too (a double negation of its conditions' branch).
    before = request_id(driver)
    toggle(driver, inner, "group-not")
    checked(driver, cli_binary, data_dir, f"coalesce(p.country = 'US', 0) OR NOT (coalesce(p.plan = 'pro', 0) AND NOT {inner_sql})", after=before)

    # The root back to AND, then NOT on the root: the complement of the whole segment.
    before = request_id(driver)
    toggle(driver, "/root", "group-and")
    both = checked(driver, cli_binary, data_dir, f"coalesce(p.country = 'US', 0) AND NOT (coalesce(p.plan = 'pro', 0) AND NOT {inner_sql})", after=before)
    before = request_id(driver)
    toggle(driver, "/root", "group-not")
    complement = checked(driver, cli_binary, data_dir, f"NOT (coalesce(p.country = 'US', 0) AND NOT (coalesce(p.plan = 'pro', 0) AND NOT {inner_sql}))", after=before)
    assert complement["count"] == total - both["count"]
    screenshot(driver, artifacts, "logic-02-not")


def test_not_on_a_single_condition(app, data_dir, cli_binary):
    """A condition is negated by putting it in a NOT group: the records it does not match,
    including those whose value is missing (age is NULL for some profiles)."""
    driver = app
    group = add_node(driver, "/root", "group")
    age = add_node(driver, group)
    set_condition(driver, age, "age", "greater_than")
    replace_text(driver, f'{node(age)} [data-testid="value"]', "40")
    alone = checked(driver, cli_binary, data_dir, "p.age > 40")
    before = request_id(driver)
    toggle(driver, group, "group-not")
    negated = checked(driver, cli_binary, data_dir, "NOT coalesce(p.age > 40, 0)", after=before)
    assert negated["count"] == alone["total"] - alone["count"]
    missing = sql_count(data_dir / "demo.sqlite", "SELECT count(*) FROM profiles WHERE age IS NULL")
    assert missing > 0 and negated["count"] > sql_count(data_dir / "demo.sqlite", "SELECT count(*) FROM profiles WHERE age <= 40")


def test_raw_sql_condition(app, data_dir, artifacts, cli_binary):
    driver = app
    us = add_node(driver, "/root")
    set_condition(driver, us, "country", "is", "US")
    raw = add_node(driver, "/root", "sql")
    paste(driver, f'{node(raw)} [data-testid="sql-input"]', "age BETWEEN 30 AND 39 AND lifetime_value > 100")
    shown = checked(driver, cli_binary, data_dir, "p.country = 'US' AND p.age BETWEEN 30 AND 39 AND p.lifetime_value > 100")
    assert 0 < shown["count"]
    # The in-memory engine cannot judge raw SQL: the window says the count was made in SQL.
    assert shown["engine"] == "sql", shown["engine"]
    screenshot(driver, artifacts, "logic-03-raw-sql")

    # A column that does not exist: SQLite's words at the SQL condition, and no count.
    paste(driver, f'{node(raw)} [data-testid="sql-input"]', "no_such_column > 1")
    problem = until(driver, lambda d: [t for t in texts(d, f'{node(raw)} [data-testid="problem"]') if "no_such_column" in t])
    assert "no such column" in problem[0], problem
    until(driver, lambda d: (p := panel(d)) and p["state"] == "error" and p["count"] == "—")

    # Fixed again.
    before = request_id(driver)
    paste(driver, f'{node(raw)} [data-testid="sql-input"]', "age BETWEEN 30 AND 39")
    checked(driver, cli_binary, data_dir, "p.country = 'US' AND p.age BETWEEN 30 AND 39", after=before)


def test_related_records_in_a_time_window_and_the_as_of_instant(app, data_dir, artifacts, cli_binary):
    driver = app
    # Has events (name is purchase) at least 2 times in the last 30 days.
    rel = add_node(driver, "/root", "relationship")
    select(driver, f'{node(rel)} [data-testid="relationship-picker"]', "events")
    select(driver, f'{node(rel)} [data-testid="constraint-operator"]', "at_least")
    replace_text(driver, f'{node(rel)} [data-testid="constraint-value"]', "2")
    select(driver, f'{node(rel)} [data-testid="window-type"]', "in_the_last")
    replace_text(driver, f'{node(rel)} [data-testid="window-amount"]', "30")
    select(driver, f'{node(rel)} [data-testid="window-unit"]', "day")
    name = add_node(driver, f"{rel}/filter")
    set_condition(driver, name, "name", "is", "purchase")

    def by_hand(now: int, days: int) -> str:
        return (f"(SELECT count(*) FROM events e WHERE e.profile_id = p.id AND e.name = 'purchase' "
                f"AND e.ts > {now - days * 86400} AND e.ts <= {now}) >= 2")

    first = shown_segment(driver)
    now = unix(first["now"])
    last30 = checked(driver, cli_binary, data_dir, by_hand(now, 30))
    assert 0 < last30["count"], "the demo data should have recent purchasers"
    assert '"in_the_last"' in last30["definition"]
    screenshot(driver, artifacts, "logic-04-window")

    # A wider window takes in more profiles.
    before = request_id(driver)
    replace_text(driver, f'{node(rel)} [data-testid="window-amount"]', "90")
    last90 = checked(driver, cli_binary, data_dir, by_hand(now, 90), after=before)
    assert last90["count"] > last30["count"]

    # "As of" another instant: the window moves with it; the CLI, given that instant, agrees.
    default_as_of = value(driver, tid("as-of"))
    before = request_id(driver)
    paste(driver, tid("as-of"), "2026-03-15T12:00")
    moved = shown_segment(driver, after=before)
    assert moved["now"].startswith("2026-03-15T12:00"), moved["now"]
    checked(driver, cli_binary, data_dir, by_hand(unix(moved["now"]), 90), after=before)
    assert moved["count"] != last90["count"]
    screenshot(driver, artifacts, "logic-05-as-of")

    # "reset" goes back to the data's own instant and its count.
    before = request_id(driver)
    click(driver, tid("as-of-reset"))
    until(driver, lambda d: value(d, tid("as-of")) == default_as_of)
    wait_gone(driver, tid("as-of-reset"))
    back = checked(driver, cli_binary, data_dir, by_hand(now, 90), after=before)
    assert back["count"] == last90["count"] and back["now"] == first["now"]


def test_aggregates_of_related_records(app, data_dir, artifacts, cli_binary):
    driver = app
    # Has orders (delivered) where the sum of total is at least 300.
    rel = add_node(driver, "/root", "relationship")
    select(driver, f'{node(rel)} [data-testid="relationship-picker"]', "orders")
    select(driver, f'{node(rel)} [data-testid="constraint-measure"]', "sum")
    select(driver, f'{node(rel)} [data-testid="constraint-attribute"]', "total")
    select(driver, f'{node(rel)} [data-testid="constraint-operator"]', "at_least")
    replace_text(driver, f'{node(rel)} [data-testid="constraint-value"]', "300")
    status = add_node(driver, f"{rel}/filter")
    set_condition(driver, status, "status", "is", "delivered")
    delivered = "FROM orders o WHERE o.profile_id = p.id AND o.status = 'delivered'"
    summed = checked(driver, cli_binary, data_dir, f"(SELECT sum(o.total) {delivered}) >= 300")
    assert 0 < summed["count"] < summed["total"]
    screenshot(driver, artifacts, "logic-06-sum")

    # The number of orders between 2 and 3.
    before = request_id(driver)
    select(driver, f'{node(rel)} [data-testid="constraint-measure"]', "count")
    select(driver, f'{node(rel)} [data-testid="constraint-operator"]', "between")
    replace_text(driver, f'{node(rel)} [data-testid="constraint-value"]', "2")
    replace_text(driver, f'{node(rel)} [data-testid="constraint-value-high"]', "3")
    checked(driver, cli_binary, data_dir, f"(SELECT count(*) {delivered}) BETWEEN 2 AND 3", after=before)

    # The largest delivered order is more than 200.
    before = request_id(driver)
    select(driver, f'{node(rel)} [data-testid="constraint-measure"]', "max")
    select(driver, f'{node(rel)} [data-testid="constraint-attribute"]', "total")
    select(driver, f'{node(rel)} [data-testid="constraint-operator"]', "more_than")
    replace_text(driver, f'{node(rel)} [data-testid="constraint-value"]', "200")
    checked(driver, cli_binary, data_dir, f"(SELECT max(o.total) {delivered}) > 200", after=before)


def test_multi_value_chips(app, data_dir, artifacts, cli_binary):
    driver = app
    country = add_node(driver, "/root")
    set_condition(driver, country, "country", "is_one_of")
    add_chip(driver, country, "US")
    add_chip(driver, country, "FR")
    add_chip(driver, country, "DE", ",")
    assert chips(driver, country) == ["US", "FR", "DE"]
    checked(driver, cli_binary, data_dir, "p.country IN ('US', 'FR', 'DE')")
    screenshot(driver, artifacts, "logic-07-chips")

    # Removing FR's chip.
    before = request_id(driver)
    click(driver, f'{node(country)} [data-testid="chip"]:nth-of-type(2) [data-testid="chip-remove"]')
    until(driver, lambda d: chips(d, country) == ["US", "DE"])
    checked(driver, cli_binary, data_dir, "p.country IN ('US', 'DE')", after=before)

    # is none of: the complement among profiles with a country.
    before = request_id(driver)
    select(driver, f'{node(country)} [data-testid="operator"]', "is_none_of")
    assert chips(driver, country) == ["US", "DE"]
    checked(driver, cli_binary, data_dir, "p.country NOT IN ('US', 'DE')", after=before)

    # Tags (a list attribute) containing any of two values.
    tags = add_node(driver, "/root")
    set_condition(driver, tags, "tags", "contains_any_of")
    add_chip(driver, tags, "newsletter")
    add_chip(driver, tags, "referral")
    has_tag = ("EXISTS (SELECT 1 FROM json_each(p.tags) t WHERE t.value IN ('newsletter', 'referral'))")
    checked(driver, cli_binary, data_dir, f"p.country NOT IN ('US', 'DE') AND {has_tag}")
