"""A condition comparing two attributes of the same record, built in the real window on the
demo data: "signed up at · before · another attribute: last seen at", then by the day only; each
count equals `segment-builder count` on the same definition (in memory and in SQL) and the SQL
pane's SQL run on the file. Seen at 900x600."""

from helpers import (
    add_node,
    click,
    count_matches_cli,
    node,
    request_id,
    screenshot,
    select,
    set_condition,
    until,
    value,
    wait_for,
)


def test_signed_up_before_last_seen(app, data_dir, cli_binary, artifacts):
    driver = app
    data = data_dir / "demo.sqlite"
    rect = driver.get_window_rect()
    driver.set_window_rect(width=900, height=600)
    try:
        build_and_compare(driver, data, data_dir, cli_binary, artifacts)
    finally:
        # The later tests expect the window as it was.
        driver.set_window_rect(width=rect["width"], height=rect["height"])


def build_and_compare(driver, data, data_dir, cli_binary, artifacts):
    path = add_node(driver, "/root")
    set_condition(driver, path, "signed_up_at", "before")
    before = request_id(driver)
    select(driver, f'{node(path)} [data-testid="compare-source"]', "attribute")
    select(driver, f'{node(path)} [data-testid="other-attribute"]', "last_seen_at")
    shown = count_matches_cli(driver, cli_binary, data, data_dir, after=before)
    assert "last_seen_at" in shown["definition"], shown["definition"]
    assert 0 < shown["count"] < shown["total"], shown
    screenshot(driver, artifacts, "900x600-compare-attributes")
    before = request_id(driver)
    click(driver, f'{node(path)} [data-testid="date-only-toggle"]')
    by_day = count_matches_cli(driver, cli_binary, data, data_dir, after=before)
    assert "date_only" in by_day["definition"], by_day["definition"]
    assert by_day["count"] <= shown["count"]
    # Back to a value: the value editor returns.
    select(driver, f'{node(path)} [data-testid="compare-source"]', "value")
    wait_for(driver, f'{node(path)} [data-testid="value"]')
    until(driver, lambda d: value(d, f'{node(path)} [data-testid="compare-source"]') == "value")
