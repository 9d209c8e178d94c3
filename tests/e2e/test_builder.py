"""Drives the real app as a user would: builds "profiles in the US who did purchase at least 2
times" in the builder, then checks the live count against hand-written SQL, the SQL pane's SQL
and the command-line tool on the same demo file, and that the SQL pane shows the relationship
subquery."""

import json
import sqlite3
import subprocess
import time

import pytest

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait


def css(driver, selector):
    return driver.find_element(By.CSS_SELECTOR, selector)


def node(path: str) -> str:
    return f'[data-path="{path}"]'


def replace_text(element, text: str):
    """Select all and type, as a user would (clear() would bypass React's input events)."""
    element.click()
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(text)


def select(element, value: str):
    Select(element).select_by_value(value)


def request_id(driver) -> int:
    return int(css(driver, '[data-testid="count-panel"]').get_attribute("data-request-id") or 0)


def settled_count(driver, timeout=60, after: int | None = None) -> tuple[int, int, str]:
    """Waits until the count panel shows the newest request's result (newer than `after`, when
    given) with nothing newer scheduled, and returns (count, total, sql)."""

    def ready(d):
        try:
            panel = css(d, '[data-testid="count-panel"]')
            if panel.get_attribute("data-state") != "ready":
                return False
            if after is not None and int(panel.get_attribute("data-request-id") or 0) <= after:
                return False
            count = css(d, '[data-testid="count"]').text.replace(",", "")
            total = css(d, '[data-testid="total"]').text.replace(",", "")
            sql = css(d, '[data-testid="sql-pane"]').text
            return int(count), int(total), sql
        except (StaleElementReferenceException, ValueError):
            return False

    if after is None:
        # Let the last edit schedule its request (the debounce is 250 ms) before trusting "ready".
        time.sleep(0.6)
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(ready)


def settled(driver, after: int | None, timeout=30) -> str:
    """Waits for the newest request's result, valid or not; returns the panel's state."""
    if after is None:
        time.sleep(0.6)

    def done(d):
        panel = css(d, '[data-testid="count-panel"]')
        state = panel.get_attribute("data-state")
        if state not in ("ready", "invalid"):
            return False
        if after is not None and int(panel.get_attribute("data-request-id") or 0) <= after:
            return False
        return state

    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(done)


def screenshot(driver, artifacts, name):
    driver.save_screenshot(str(artifacts / f"{name}.png"))
    # The whole X screen too, as a user would see it (needs DISPLAY, i.e. run under xvfb-run).
    subprocess.run(["import", "-window", "root", str(artifacts / f"{name}-screen.png")], check=False)


@pytest.fixture
def app(driver):
    """The app with the builder shown (the first start generates the demo data) and empty."""
    WebDriverWait(driver, 180, poll_frequency=0.5).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="builder"] [data-testid="group"]')
    )
    if driver.find_elements(By.CSS_SELECTOR, '[data-path="/root/children/0"]'):
        before = request_id(driver)
        css(driver, '[data-testid="clear"]').click()
        settled_count(driver, after=before)
    return driver


def test_relationship_segment_count_matches_sql(app, data_dir, artifacts, cli_binary):
    driver = app
    total_profiles = settled_count(driver)[1]
    screenshot(driver, artifacts, "01-empty")

    root = node("/root")
    # country is US
    css(driver, f'{root} > .group-actions [data-testid="add-condition"]').click()
    cond = node("/root/children/0")
    select(css(driver, f'{cond} [data-testid="attribute"]'), "country")
    select(css(driver, f'{cond} [data-testid="operator"]'), "is")
    replace_text(css(driver, f'{cond} [data-testid="value"]'), "US")

    # did purchase at least 2 times
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

    count, total, sql = settled_count(driver)
    screenshot(driver, artifacts, "02-relationship")

    # The same definition through the command-line tool, on the same file.
    definition = css(driver, '[data-testid="segment-json"]').get_attribute("textContent")
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
    assert not driver.find_elements(By.CSS_SELECTOR, '[data-testid="problem"]')


def test_problems_are_shown_at_the_offending_node(driver, artifacts):
    # Continues from the previous test's segment.
    # Change the relationship's count to something that is not a number.
    rel = node("/root/children/1")
    replace_text(css(driver, f'{rel} [data-testid="constraint-value"]'), "two")
    WebDriverWait(driver, 30, poll_frequency=0.2).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, f'{rel} > [data-testid="problems"] [data-testid="problem"]')
    )
    panel = css(driver, '[data-testid="count-panel"]')
    assert panel.get_attribute("data-state") in ("invalid", "pending")
    screenshot(driver, artifacts, "03-problem")
    replace_text(css(driver, f'{rel} [data-testid="constraint-value"]'), "2")
    settled_count(driver)


def test_every_operator_offers_an_editor_whose_default_is_valid(app, artifacts):
    """For one attribute of each type, every operator: the editor appears and, where the
    editor starts with a complete value, validation accepts it (no problem shown)."""
    driver = app
    css(driver, f'{node("/root")} > .group-actions [data-testid="add-condition"]').click()
    cond = node("/root/children/0")
    # Editors that start empty and need the user's input.
    needs_input = {"is_one_of", "is_none_of", "contains_any_of", "contains_all_of", "contains_none_of"}
    failures = []
    for attribute in ["country", "age", "is_subscribed", "signed_up_at", "tags"]:
        before = request_id(driver)
        select(css(driver, f'{cond} [data-testid="attribute"]'), attribute)
        settled(driver, after=before)
        operators = [
            o.get_attribute("value")
            for o in css(driver, f'{cond} [data-testid="operator"]').find_elements(By.TAG_NAME, "option")
        ]
        assert len(operators) >= 4, (attribute, operators)
        for op in operators:
            before = request_id(driver)
            picker = css(driver, f'{cond} [data-testid="operator"]')
            changed = picker.get_attribute("value") != op
            select(picker, op)
            if op in needs_input:
                # Let this operator's (invalid: empty) preview arrive before the next one, or
                # the next operator's wait could end on it and read its problem.
                settled(driver, after=before if changed else None)
                continue
            if op in ("is", "is_not", "contains", "does_not_contain", "starts_with", "does_not_start_with",
                      "ends_with", "does_not_end_with", "like", "matches_regex"):
                replace_text(css(driver, f'{cond} [data-testid="value"]'), "a")
                changed = True
            settled(driver, after=before if changed else None)
            problems = [p.text for p in driver.find_elements(By.CSS_SELECTOR, '[data-testid="problem"]')]
            if problems:
                failures.append((attribute, op, problems))
        screenshot(driver, artifacts, f"04-{attribute}")
    assert not failures, failures
