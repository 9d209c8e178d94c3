"""Segments know their data, in the real window: a segment saved on the demo data is listed with
its data source (the CLI reads the same), and opened while another file is open it offers to
switch back (saying what that file lacks) instead of an empty builder with an error. On the
other file "as of" is the clock, not the demo data's end date; a new condition waits for its
value and is not counted meanwhile."""


from selenium.webdriver.remote.file_detector import UselessFileDetector

from helpers import (
    add_node,
    attr,
    click,
    content,
    eventually,
    maybe_attr,
    node,
    present,
    replace_text,
    run_cli,
    screenshot,
    select,
    set_condition,
    settled_count,
    request_id,
    text,
    tid,
    until,
    value,
    wait_for,
    wait_gone,
)
from test_data_sources import opened, then_back_to_demo, write_members

SEGMENT_ID = "aware_us_profiles"
DEMO_END = "2026-11-01"


def text_of(driver, name: str) -> str:
    return maybe_attr(driver, tid(name), "textContent") or ""


def test_a_segment_of_other_data_offers_to_switch(app, data_dir, artifacts, cli_binary):
    driver = app
    # Built and saved on the demo data.
    before = request_id(driver)
    country = add_node(driver, "/root")
    until(driver, lambda d: attr(d, node(country), "data-incomplete") == "true")
    eventually(driver, lambda d: text_of(d, "count-incomplete"), lambda t: t == "1 condition is incomplete and not counted")
    screenshot(driver, artifacts, "aware-00-incomplete-condition")
    # A value absent from the data: a gentle warning with the near values, one click away.
    set_condition(driver, country, "country", "is", "UX")
    until(driver, lambda d: maybe_attr(d, node(country), "data-incomplete") is None)
    warning = f'{node(country)} {tid("absent-value")}'
    eventually(driver, lambda d: content(d, warning), lambda t: t.startswith("“UX” is not in the data, so it matches no record. Did you mean US"))
    wait_gone(driver, tid("count-incomplete"))
    screenshot(driver, artifacts, "aware-00-absent-value")
    click(driver, f'{warning} {tid("absent-suggestion")}')
    until(driver, lambda d: value(d, f'{node(country)} [data-testid="value"]') == "US")
    wait_gone(driver, warning)
    us, _, _ = settled_count(driver, after=before)
    assert us > 0
    click(driver, tid("seg-save-as"))
    replace_text(driver, tid("seg-name-input"), "Aware: US profiles")
    replace_text(driver, tid("seg-id-input"), SEGMENT_ID)
    click(driver, tid("seg-dialog-confirm"))
    wait_gone(driver, tid("seg-dialog"))
    until(driver, lambda d: text_of(d, "seg-id") == SEGMENT_ID)
    shown = run_cli(cli_binary, "segments", "show", SEGMENT_ID, "--store", data_dir / "library.sqlite")
    assert shown["dataSource"].endswith("demo.sqlite"), shown

    # Another file opened: "as of" is the clock there, not the demo data's end date.
    path = data_dir / "aware" / "members.sqlite"
    path.parent.mkdir(exist_ok=True)
    write_members(path)
    click(driver, tid("tab-data"))
    with then_back_to_demo(driver, artifacts, "data-aware"):
        driver.file_detector = UselessFileDetector()
        replace_text(driver, tid("import-path"), str(path))
        click(driver, tid("import-path-go"))
        opened(driver, path)
        click(driver, tid("tab-builder"))
        until(driver, lambda d: value(d, tid("entity-picker")) == "members")
        assert value(driver, tid("as-of")) == ""
        assert attr(driver, tid("as-of"), "placeholder") == "now (clock)"
        settled_count(driver)
        now = attr(driver, tid("count-panel"), "data-now")
        assert now and not now.startswith(DEMO_END), now
        screenshot(driver, artifacts, "aware-01-other-data-as-of-clock")

        # The library names each segment's data; opening the demo's segment here offers to switch.
        click(driver, tid("open-library"))
        replace_text(driver, tid("lib-search"), "Aware")
        cell = f'{tid("lib-data-" + SEGMENT_ID)}'
        eventually(driver, lambda d: content(d, cell), lambda t: t == "demo.sqliteother data")
        screenshot(driver, artifacts, "aware-02-library-data-column")
        click(driver, tid("lib-open-" + SEGMENT_ID))
        if present(driver, tid("seg-dialog")):  # the emptied builder of the switch counts as an edit
            click(driver, tid("seg-dialog-confirm"))
        wait_for(driver, tid("data-mismatch"))
        assert text(driver, tid("mismatch-saved-on")) == "It was saved on demo.sqlite; the open data is members.sqlite."
        assert "table profiles" in text(driver, tid("mismatch-missing"))
        assert text(driver, tid("mismatch-switch")) == "Switch to demo.sqlite"
        assert not present(driver, node("/root/children/0")), "the builder stays as it was until the user chooses"
        screenshot(driver, artifacts, "aware-03-offer-to-switch")

        before = request_id(driver)
        click(driver, tid("mismatch-switch"))
        wait_gone(driver, tid("data-mismatch"))
        eventually(driver, lambda d: content(d, tid("source-path")), lambda t: t.strip() == "Data: demo.sqlite")
        until(driver, lambda d: value(d, tid("entity-picker")) == "profiles")
        until(driver, lambda d: text_of(d, "seg-id") == SEGMENT_ID)
        assert value(driver, f'{node("/root/children/0")} [data-testid="attribute"]') == "country"
        assert value(driver, f'{node("/root/children/0")} [data-testid="value"]') == "US"
        assert value(driver, tid("as-of")) == f"{DEMO_END} 00:00"
        again, _, _ = settled_count(driver, after=before)
        assert again == us
        assert not present(driver, tid("load-error"))
        screenshot(driver, artifacts, "aware-04-switched-and-opened")
