"""The segment bar's actions clicked through: Save, Save as, Rename, Duplicate, Delete and Export,
then the library list sorted by every column that matters. What the window shows is checked
against the library file through `segment-builder segments` (names, revisions, cached counts) and
every cached count against `segment-builder count` of the saved definition on the same data."""

import json

from helpers import (
    add_chip,
    add_node,
    attrs,
    chips,
    click,
    cli_count,
    count_matches_cli,
    eventually,
    eventually_equal,
    maybe_attr,
    node,
    present,
    queue_pick,
    replace_text,
    request_id,
    run_cli,
    screenshot,
    set_condition,
    shown_segment,
    text,
    texts,
    tid,
    until,
    value,
    wait_for,
    wait_gone,
)

SEARCH = "lib "


def text_of(driver, name: str) -> str:
    """The textContent of the element with this test id ("" while there is none): what it says,
    even where the layout clips it (a long name in the segment bar)."""
    return maybe_attr(driver, tid(name), "textContent") or ""


def library(cli_binary, data_dir, *args):
    return run_cli(cli_binary, "segments", *args, "--store", data_dir / "library.sqlite")


def listed(cli_binary, data_dir) -> dict:
    """The library's segments matching SEARCH, by id, as the CLI reads them."""
    page = library(cli_binary, data_dir, "list", "--search", SEARCH, "--size", "100")
    return {item["id"]: item for item in page["items"]}


def start_new_segment(driver):
    """"New segment", discarding what a previous test left unsaved."""
    click(driver, tid("seg-new"))
    until(driver, lambda d: present(d, tid("seg-dialog")) or "New segment" in text_of(d, "segment-bar"))
    if present(driver, tid("seg-dialog")):
        click(driver, tid("seg-dialog-confirm"))
    until(driver, lambda d: "New segment" in text_of(d, "segment-bar"))


def fill_save_dialog(driver, name: str, segment_id: str):
    replace_text(driver, tid("seg-name-input"), name)
    replace_text(driver, tid("seg-id-input"), segment_id)
    click(driver, tid("seg-dialog-confirm"))
    wait_gone(driver, tid("seg-dialog"))
    until(driver, lambda d: text_of(d, "seg-id") == segment_id)


def cached_count(driver, count: int, revision: int):
    """Waits until the segment bar shows this cached count for this revision."""
    eventually(driver, lambda d: text_of(d, "seg-count"), lambda t: f"{count:,} records" in t and f"revision {revision})" in t)


def open_from_library(driver, segment_id: str):
    click(driver, tid("open-library"))
    replace_text(driver, tid("lib-search"), SEARCH)
    click(driver, tid(f"lib-open-{segment_id}"))
    wait_gone(driver, tid("library-view"))
    until(driver, lambda d: text_of(d, "seg-id") == segment_id)


def row_ids(driver) -> list[str]:
    return [t.removeprefix("lib-row-") for t in attrs(driver, '[data-testid^="lib-row-"]', "data-testid")]


def row_cells(driver, segment_id: str) -> list[str]:
    return texts(driver, f'{tid(f"lib-row-{segment_id}")} td')


def test_save_as_rename_duplicate_delete(app, data_dir, artifacts, cli_binary):
    driver = app
    start_new_segment(driver)
    country = add_node(driver, "/root")
    set_condition(driver, country, "country", "is_one_of")
    add_chip(driver, country, "US")
    add_chip(driver, country, "CA")
    north_america = count_matches_cli(driver, cli_binary, data_dir / "demo.sqlite", data_dir)

    # Save: the id is suggested from the name.
    click(driver, tid("seg-save"))
    replace_text(driver, tid("seg-name-input"), "Lib Zeta North America")
    assert value(driver, tid("seg-id-input")) == "lib_zeta_north_america"
    click(driver, tid("seg-dialog-confirm"))
    until(driver, lambda d: text_of(d, "seg-id") == "lib_zeta_north_america" and text_of(d, "seg-revision") == "0")
    cached_count(driver, north_america["count"], 0)

    # Save as: a copy under a new id and name, opened in the builder; then edited and saved.
    click(driver, tid("seg-save-as"))
    assert value(driver, tid("seg-name-input")) == "Lib Zeta North America (copy)"
    assert value(driver, tid("seg-id-input")) == "lib_zeta_north_america_copy"
    fill_save_dialog(driver, "Lib Alpha Canada", "lib_alpha_canada")
    until(driver, lambda d: text_of(d, "seg-revision") == "0" and text_of(d, "seg-name") == "Lib Alpha Canada")
    before = request_id(driver)
    click(driver, f'{node(country)} [data-testid="chip"]:nth-of-type(1) [data-testid="chip-remove"]')
    until(driver, lambda d: chips(d, country) == ["CA"])
    canada = count_matches_cli(driver, cli_binary, data_dir / "demo.sqlite", data_dir, after=before)
    assert 0 < canada["count"] < north_america["count"]
    wait_for(driver, tid("seg-dirty"))
    click(driver, tid("seg-save"))
    until(driver, lambda d: text_of(d, "seg-revision") == "1")
    cached_count(driver, canada["count"], 1)
    screenshot(driver, artifacts, "lib-01-save-as")

    # Rename: same id, new name, a new revision; the live count is cached for it.
    click(driver, tid("seg-rename"))
    assert value(driver, tid("seg-name-input")) == "Lib Alpha Canada"
    replace_text(driver, tid("seg-name-input"), "Lib Beta Canada")
    click(driver, tid("seg-dialog-confirm"))
    wait_gone(driver, tid("seg-dialog"))
    until(driver, lambda d: text_of(d, "seg-name") == "Lib Beta Canada" and text_of(d, "seg-revision") == "2")
    until(driver, lambda d: text_of(d, "seg-id") == "lib_alpha_canada")
    cached_count(driver, canada["count"], 2)

    # Duplicate: a copy of the saved definition, opened, with its own count.
    click(driver, tid("seg-duplicate"))
    assert value(driver, tid("seg-id-input")) == "lib_alpha_canada_copy"
    assert value(driver, tid("seg-name-input")) == "Lib Beta Canada (copy)"
    fill_save_dialog(driver, "Lib Gamma Canada", "lib_gamma_canada")
    until(driver, lambda d: "Duplicated into lib_gamma_canada" in text_of(d, "seg-note"))
    assert chips(driver, country) == ["CA"]
    cached_count(driver, canada["count"], 0)
    screenshot(driver, artifacts, "lib-02-duplicate")

    # The library file, read by the CLI: names, revisions, and each cached count is what the CLI
    # counts for the saved definition.
    now = shown_segment(driver)["now"]
    saved = listed(cli_binary, data_dir)
    assert {k: (v["name"], v["revision"]) for k, v in saved.items()} == {
        "lib_zeta_north_america": ("Lib Zeta North America", 0),
        "lib_alpha_canada": ("Lib Beta Canada", 2),
        "lib_gamma_canada": ("Lib Gamma Canada", 0),
    }
    expected = {"lib_zeta_north_america": north_america["count"], "lib_alpha_canada": canada["count"], "lib_gamma_canada": canada["count"]}
    for segment_id, item in saved.items():
        counted = cli_count(cli_binary, data_dir / "demo.sqlite", json.dumps(item["definition"]), now, data_dir)
        assert item["recordCount"]["count"] == counted["count"] == expected[segment_id], segment_id
        assert item["recordCount"]["revision"] == item["revision"], segment_id

    # Delete the duplicate: gone from the library (its history stays), the bar starts anew.
    click(driver, tid("seg-delete"))
    assert "lib_gamma_canada" in text(driver, tid("seg-dialog"))
    click(driver, tid("seg-dialog-confirm"))
    wait_gone(driver, tid("seg-dialog"))
    until(driver, lambda d: "Deleted lib_gamma_canada" in text_of(d, "seg-note"))
    until(driver, lambda d: "New segment" in text_of(d, "segment-bar"))
    assert set(listed(cli_binary, data_dir)) == {"lib_zeta_north_america", "lib_alpha_canada"}
    history = library(cli_binary, data_dir, "history", "lib_gamma_canada")
    assert history, "a deleted segment keeps its history"

    # What the builder still shows, with France added, saved as a third segment.
    before = request_id(driver)
    add_chip(driver, country, "FR")
    canada_france = count_matches_cli(driver, cli_binary, data_dir / "demo.sqlite", data_dir, after=before)
    assert canada_france["count"] not in (canada["count"], north_america["count"])
    click(driver, tid("seg-save"))
    fill_save_dialog(driver, "Lib Delta Canada and France", "lib_delta_canada_and_france")
    cached_count(driver, canada_france["count"], 0)

    # The library view lists the three, with the CLI's names, revisions and counts.
    click(driver, tid("open-library"))
    replace_text(driver, tid("lib-search"), SEARCH)
    eventually_equal(driver, lambda d: sorted(row_ids(d)), ["lib_alpha_canada", "lib_delta_canada_and_france", "lib_zeta_north_america"])
    eventually_equal(driver, lambda d: text_of(d, "lib-total"), "1–3 of 3")
    for segment_id, item in listed(cli_binary, data_dir).items():
        cells = row_cells(driver, segment_id)
        assert cells[0] == item["name"] and cells[1] == segment_id, cells
        assert cells[6] == str(item["revision"]) and cells[7] == f'{item["recordCount"]["count"]:,}', cells
    screenshot(driver, artifacts, "lib-03-after-delete")
    click(driver, tid("lib-close"))
    wait_gone(driver, tid("library-view"))


def sort_by(driver, field: str, mark: str):
    """Clicks a column header until it shows `mark` (▲ ascending, ▼ descending)."""
    header = tid(f"lib-sort-{field}")
    for _ in range(3):
        shown = text(driver, header)
        if mark in shown:
            return
        click(driver, header)
        until(driver, lambda d: text(d, header) != shown)
    assert mark in text(driver, header)


def test_library_sorted_by_name_revision_and_count(app, data_dir, artifacts, cli_binary):
    """Every row is in order, for each sort (not just the first one)."""
    driver = app
    saved = listed(cli_binary, data_dir)
    assert len(saved) >= 3, "needs the segments saved by the test above"
    click(driver, tid("open-library"))
    replace_text(driver, tid("lib-search"), SEARCH)
    eventually_equal(driver, lambda d: sorted(row_ids(d)), sorted(saved))

    def rows_in_order(key, reverse):
        expected = sorted(saved, key=lambda i: (key(saved[i]), i), reverse=reverse)
        shown = row_ids(driver)
        # Ties may come in any order: compare the sort keys, then the set of rows.
        return [key(saved[i]) for i in shown] == [key(saved[i]) for i in expected] and sorted(shown) == sorted(expected)

    for field, key in [
        ("name", lambda r: r["name"].lower()),
        ("revision", lambda r: r["revision"]),
        ("recordCount", lambda r: r["recordCount"]["count"]),
    ]:
        for mark, reverse in [("▲", False), ("▼", True)]:
            sort_by(driver, field, mark)
            until(driver, lambda d: rows_in_order(key, reverse), message=f"rows not sorted by {field} {mark}: {row_ids(driver)}")
    screenshot(driver, artifacts, "lib-04-sorted")
    click(driver, tid("lib-close"))
    wait_gone(driver, tid("library-view"))


def test_export_a_segment_definition(app, data_dir, cli_binary):
    """Export… writes the saved segment to the file chosen in the save dialog (scripted): the same
    file the CLI's `segments export` writes, and its definition counts what the window shows."""
    driver = app
    start_new_segment(driver)
    open_from_library(driver, "lib_zeta_north_america")
    assert chips(driver, "/root/children/0") == ["US", "CA"]
    shown = count_matches_cli(driver, cli_binary, data_dir / "demo.sqlite", data_dir)

    target = data_dir / "exports" / "north-america.json"
    target.parent.mkdir(exist_ok=True)
    queue_pick(target)
    click(driver, tid("seg-export"))
    until(driver, lambda d: "Exported to" in text_of(d, "seg-note"), message=text_of(driver, "seg-error"))
    assert str(target) in text_of(driver, "seg-note")
    exported = json.loads(target.read_text())

    by_cli = data_dir / "exports" / "cli"
    library(cli_binary, data_dir, "export", "lib_zeta_north_america", "--out", by_cli)
    assert exported == json.loads((by_cli / "lib_zeta_north_america.json").read_text())
    assert exported["id"] == "lib_zeta_north_america" and exported["revision"] == 0
    counted = cli_count(cli_binary, data_dir / "demo.sqlite", json.dumps(exported["definition"]), shown["now"], data_dir)
    assert counted == {"count": shown["count"], "total": shown["total"]}
