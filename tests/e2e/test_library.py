"""The segment library end to end: build a segment, save it (revision 0), edit and save again
(revision 1), open the history and its diff, restore revision 0 (as revision 2), find the
segment in the library list and open it; freeze it into a static segment and see its members.
The library lives in the test's temporary directory (SEGMENT_BUILDER_LIBRARY, see conftest)."""

import re
import sqlite3

from helpers import (
    attr,
    click,
    each,
    eventually,
    eventually_equal,
    maybe_text,
    node,
    present,
    replace_text,
    screenshot,
    select,
    settled_count,
    text,
    texts,
    tid,
    until,
    value,
    wait_for,
    wait_gone,
)

SEGMENT_ID = "e2e_us_profiles"


def text_of(driver, name: str) -> str:
    """The text of the element with this data-testid, or "" while there is none."""
    return maybe_text(driver, tid(name))


def chart_points(driver) -> list[tuple[int, int]]:
    """The count chart's points as (count, revision), read from each point's title."""
    titles = each(driver, f'{tid("count-chart")} [data-testid="count-point"] title', lambda e: e.get_attribute("textContent"))
    points = [re.match(r"([\d,]+) at revision (\d+),", t) for t in titles]
    return [(int(m[1].replace(",", "")), int(m[2])) if m else t for m, t in zip(points, titles)]


def test_save_edit_history_restore_and_library(app, artifacts, data_dir):
    driver = app
    click(driver, tid("seg-new"))
    click(driver, f'{node("/root")} > .group-actions [data-testid="add-condition"]')
    cond = node("/root/children/0")
    select(driver, f'{cond} [data-testid="attribute"]', "country")
    select(driver, f'{cond} [data-testid="operator"]', "is")
    replace_text(driver, f'{cond} [data-testid="value"]', "US")
    us_count = settled_count(driver)[0]

    # Save: a bad id is explained before anything is written.
    click(driver, tid("seg-save"))
    replace_text(driver, tid("seg-name-input"), "E2E US profiles")
    assert value(driver, tid("seg-id-input")) == SEGMENT_ID
    replace_text(driver, tid("seg-id-input"), "9 lives")
    assert "spaces" in text(driver, tid("seg-id-hint"))
    click(driver, tid("seg-dialog-confirm"))
    assert present(driver, tid("seg-dialog"))  # refused: the dialog stays, nothing is saved
    screenshot(driver, artifacts, "10-save-bad-id")
    replace_text(driver, tid("seg-id-input"), SEGMENT_ID)
    click(driver, tid("seg-dialog-confirm"))
    until(driver, lambda d: text_of(d, "seg-revision") == "0")
    assert text_of(driver, "seg-id") == SEGMENT_ID
    eventually(driver, lambda d: text_of(d, "seg-count"), lambda t: f"{us_count:,} records" in t)

    # Edit and save again: revision 1.
    replace_text(driver, f'{cond} [data-testid="value"]', "CA")
    ca_count = settled_count(driver)[0]
    wait_for(driver, tid("seg-dirty"))
    click(driver, tid("seg-save"))
    until(driver, lambda d: text_of(d, "seg-revision") == "1")
    eventually(driver, lambda d: text_of(d, "seg-count"), lambda t: f"{ca_count:,} records" in t)
    screenshot(driver, artifacts, "11-saved-revision-1")

    # History: both revisions, the diff names the changed value and the count change.
    click(driver, tid("seg-history"))
    wait_for(driver, tid("history-row-1"))
    eventually(
        driver,
        lambda d: text_of(d, "diff"),
        lambda diff: "country: is" in diff and '"US"' in diff and '"CA"' in diff,
    )
    eventually(driver, lambda d: text_of(d, "diff-count"), lambda t: f"{us_count:,}" in t and f"{ca_count:,}" in t)
    # The count chart plots each recorded count at its revision, oldest first.
    eventually_equal(driver, chart_points, [(us_count, 0), (ca_count, 1)])
    assert f"newest {ca_count:,}" in attr(driver, f'{tid("count-chart")} svg', "aria-label")
    screenshot(driver, artifacts, "12-history")

    # Restore revision 0: a new revision 2 with revision 0's definition, back in the builder.
    click(driver, tid("history-restore-0"))
    until(driver, lambda d: text_of(d, "seg-revision") == "2")
    wait_gone(driver, tid("history-view"))
    eventually_equal(driver, lambda d: value(d, f'{cond} [data-testid="value"]'), "US")
    assert settled_count(driver)[0] == us_count
    # The restored revision's live count becomes its cached count.
    until(driver, lambda d: f"{us_count:,} records" in text_of(d, "seg-count") and "revision 2" in text_of(d, "seg-count"))

    # The library lists it (search, revision 2) and opens it.
    click(driver, tid("open-library"))
    replace_text(driver, tid("lib-search"), "e2e us")
    wait_for(driver, tid(f"lib-row-{SEGMENT_ID}"))
    cells = texts(driver, f'{tid(f"lib-row-{SEGMENT_ID}")} td')
    assert "E2E US profiles" in cells and SEGMENT_ID in cells and "2" in cells and "Active" in cells, cells
    assert f"{us_count:,}" in cells, cells
    eventually_equal(driver, lambda d: text_of(d, "lib-total"), "1–1 of 1")
    click(driver, tid("lib-sort-name"))
    until(driver, lambda d: "▲" in text(d, tid("lib-sort-name")))
    click(driver, tid("lib-sort-name"))
    until(driver, lambda d: "▼" in text(d, tid("lib-sort-name")))
    screenshot(driver, artifacts, "13-library")
    click(driver, tid(f"lib-open-{SEGMENT_ID}"))
    wait_gone(driver, tid("library-view"))
    eventually_equal(driver, lambda d: text_of(d, "seg-id"), SEGMENT_ID)

    # The library file is the test's, not the user's.
    library = data_dir / "library.sqlite"
    assert library.exists()
    db = sqlite3.connect(f"file:{library}?mode=ro", uri=True)
    assert db.execute("SELECT revision FROM segments WHERE id = ?", (SEGMENT_ID,)).fetchone() == (2,)
    db.close()


def test_freeze_into_a_static_segment_with_members(driver, artifacts):
    # Continues with the segment opened above (dynamic, country is US).
    us_count = settled_count(driver)[0]
    click(driver, tid("seg-members"))
    click(driver, tid("freeze"))
    until(driver, lambda d: text_of(d, "seg-id") == f"{SEGMENT_ID}_frozen", timeout=120)
    eventually(driver, lambda d: text_of(d, "seg-count"), lambda t: f"{us_count:,} members" in t)
    click(driver, tid("seg-members"))
    replace_text(driver, tid("members-input"), "zz_not_a_profile")
    click(driver, tid("members-add"))
    until(driver, lambda d: "zz_not_a_profile" in text_of(d, "changes-table"))
    assert "ADDED" in text_of(driver, "changes-table").split("zz_not_a_profile")[0].splitlines()[-1]
    until(driver, lambda d: f"{us_count + 1:,} members" in text_of(d, "seg-count"))
    replace_text(driver, tid("members-input"), "zz_not_a_profile")
    click(driver, tid("members-remove"))
    until(driver, lambda d: f"{us_count:,} members" in text_of(d, "seg-count"))
    select(driver, tid("changes-operation"), "REMOVED")
    until(driver, lambda d: "zz_not_a_profile" in text_of(d, "changes-table"))
    screenshot(driver, artifacts, "14-members")
    click(driver, tid("members-close"))


def test_unsaved_changes_are_never_dropped_silently(driver, artifacts):
    # Continues with the frozen segment open: edit it, then try to start a new segment.
    click(driver, f'{node("/root")} > .group-actions [data-testid="add-condition"]')
    wait_for(driver, tid("seg-dirty"))
    click(driver, tid("seg-new"))
    assert "Discard unsaved changes?" in until(driver, lambda d: text_of(d, "seg-dialog"))
    screenshot(driver, artifacts, "15-discard")
    click(driver, tid("seg-dialog-cancel"))
    assert present(driver, node("/root/children/1"))
    assert text_of(driver, "seg-id") == f"{SEGMENT_ID}_frozen"
    click(driver, tid("seg-new"))
    click(driver, tid("seg-dialog-confirm"))
    until(driver, lambda d: "New segment" in text_of(d, "segment-bar"))
