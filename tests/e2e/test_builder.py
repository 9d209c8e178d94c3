"""Drives the real app as a user would: builds "profiles in the US who did purchase at least 2
times" in the builder, then checks the live count against hand-written SQL, the SQL pane's SQL
and the command-line tool on the same demo file, and that the SQL pane shows the relationship
subquery."""

import json
import sqlite3
import subprocess

from helpers import (
    add_chip,
    attr,
    chips,
    attrs,
    click,
    content,
    count_matches_cli,
    node,
    present,
    replace_text,
    request_id,
    screenshot,
    select,
    settled,
    settled_count,
    texts,
    until,
    value,
)


def test_relationship_segment_count_matches_sql(app, data_dir, artifacts, cli_binary):
    driver = app
    total_profiles = settled_count(driver)[1]
    screenshot(driver, artifacts, "01-empty")

    root = node("/root")
    # country is US
    click(driver, f'{root} > .group-actions [data-testid="add-condition"]')
    cond = node("/root/children/0")
    select(driver, f'{cond} [data-testid="attribute"]', "country")
    select(driver, f'{cond} [data-testid="operator"]', "is")
    replace_text(driver, f'{cond} [data-testid="value"]', "US")

    # did purchase at least 2 times
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

    count, total, sql = settled_count(driver)
    screenshot(driver, artifacts, "02-relationship")

    # The same definition through the command-line tool, on the same file.
    definition = content(driver, '[data-testid="segment-json"]')
    segment_file = data_dir / "segment.json"
    segment_file.write_text(definition)
    cli = subprocess.run(
        [str(cli_binary), "count", "--data", str(data_dir / "demo.sqlite"), "--segment", str(segment_file),
         "--now", "2026-11-01T00:00:00Z"],
        capture_output=True, text=True, check=True,
    )
    cli_count = json.loads(cli.stdout)

    db = sqlite3.connect(f"file:{data_dir / 'demo.sqlite'}?mode=ro", uri=True)
    shown_sql_count = db.execute(sql).fetchone()[0]
    expected = db.execute(
        """SELECT count(*) FROM profiles p
           WHERE p.country = 'US'
             AND (SELECT count(*) FROM events e
                  WHERE e.profile_id = p.id AND e.name = 'purchase') >= 2"""
    ).fetchone()[0]
    all_profiles = db.execute("SELECT count(*) FROM profiles").fetchone()[0]
    db.close()

    assert total == all_profiles == total_profiles
    assert 0 < expected < all_profiles, "the demo data should make this an informative segment"
    assert count == expected
    assert cli_count == {"count": count, "total": total}
    assert shown_sql_count == count, "the SQL pane's SQL, run as is, counts the same"
    assert "events" in sql and sql.upper().count("SELECT") >= 2, sql
    assert "'US'" in sql and "'purchase'" in sql, sql
    assert not present(driver, '[data-testid="problem"]')


def test_problems_are_shown_at_the_offending_node(driver, artifacts):
    # Continues from the previous test's segment.
    # Change the relationship's count to something that is not a number.
    rel = node("/root/children/1")
    replace_text(driver, f'{rel} [data-testid="constraint-value"]', "two")
    until(driver, lambda d: present(d, f'{rel} > [data-testid="problems"] [data-testid="problem"]'))
    assert attr(driver, '[data-testid="count-panel"]', "data-state") in ("invalid", "pending")
    screenshot(driver, artifacts, "03-problem")
    replace_text(driver, f'{rel} [data-testid="constraint-value"]', "2")
    settled_count(driver)


# What the sweep types for each kind of editor, per attribute, so that every operator counts
# something informative.
TEXT_OPERATORS = {"is", "is_not", "contains", "does_not_contain", "starts_with", "does_not_start_with",
                  "ends_with", "does_not_end_with", "like", "matches_regex",
                  # On the items of a list of text: one text too.
                  "any_item_starts_with", "any_item_ends_with", "any_item_contains", "every_item_is"}
NUMBER_OPERATORS = {"equals", "not_equals", "less_than", "less_than_or_equal", "greater_than", "greater_than_or_equal"}
LENGTH_OPERATORS = {"length_equals", "length_less_than", "length_greater_than", "size_equals", "size_less_than", "size_greater_than"}
LIST_OPERATORS = {"is_one_of", "is_none_of", "contains_any_of", "contains_all_of", "contains_none_of"}
TEXT_VALUES = {"country": "US", "tags": "newsletter"}
LIKE_VALUES = {"country": "U%", "matches_regex": "^(US|FR)$"}
CHIP_VALUES = {"country": ["US", "FR"], "age": ["30", "40"], "tags": ["newsletter", "student"]}


def test_every_operator_counts_what_the_cli_counts(app, data_dir, artifacts, cli_binary):
    """For one attribute of each type, every operator the builder offers: its editor appears, a
    value is given where the operator needs one, validation accepts it, and the count shown equals
    `segment-builder count` (in memory and in SQL) and the SQL pane's SQL run on the file."""
    driver = app
    click(driver, f'{node("/root")} > .group-actions [data-testid="add-condition"]')
    cond = node("/root/children/0")
    failures = []
    counted = {}
    for attribute in ["country", "age", "is_subscribed", "signed_up_at", "tags"]:
        before = request_id(driver)
        select(driver, f'{cond} [data-testid="attribute"]', attribute)
        settled(driver, after=before)
        operators = attrs(driver, f'{cond} [data-testid="operator"] option', "value")
        assert len(operators) >= 4, (attribute, operators)
        for op in operators:
            before = request_id(driver)
            picker = f'{cond} [data-testid="operator"]'
            changed = value(driver, picker) != op
            select(driver, picker, op)
            if op in LIST_OPERATORS:
                # The values stay when one list operator follows another.
                for chip in CHIP_VALUES[attribute]:
                    if chip not in chips(driver, "/root/children/0"):
                        add_chip(driver, "/root/children/0", chip)
                        changed = True
            elif op in TEXT_OPERATORS or op in NUMBER_OPERATORS or op in LENGTH_OPERATORS:
                typed = (LIKE_VALUES.get(op) if op in ("like", "matches_regex") else None) or TEXT_VALUES.get(attribute, "a")
                if op in NUMBER_OPERATORS:
                    typed = "40"
                elif op in LENGTH_OPERATORS:
                    typed = "2"
                replace_text(driver, f'{cond} [data-testid="value"]', typed)
                changed = True
            state = settled(driver, after=before if changed else None)
            problems = texts(driver, '[data-testid="problem"]')
            if problems or state != "ready":
                failures.append((attribute, op, state, problems))
                continue
            try:
                # Python's sqlite3 has no REGEXP function: that operator's SQL is not run here.
                # The CLI counts in SQL: a path independent of the app's in-memory engine.
                shown = count_matches_cli(driver, cli_binary, data_dir / "demo.sqlite", data_dir,
                                          run_shown_sql=op != "matches_regex", engines=("sql",))
                counted[(attribute, op)] = shown["count"]
            except AssertionError as e:
                failures.append((attribute, op, str(e)))
        screenshot(driver, artifacts, f"04-{attribute}")
    assert not failures, failures
    # The sweep counted something informative: most operators match some but not all profiles.
    total = settled_count(driver)[1]
    informative = [k for k, c in counted.items() if 0 < c < total]
    assert len(informative) >= len(counted) // 2, counted
