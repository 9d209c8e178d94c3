"""The segment library end to end: build a segment, save it (revision 0), edit and save again
(revision 1), open the history and its diff, restore revision 0 (as revision 2), find the
segment in the library list and open it; freeze it into a static segment and see its members.
The library lives in the test's temporary directory (SEGMENT_BUILDER_LIBRARY, see conftest)."""

import sqlite3

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from test_builder import app, css, node, replace_text, screenshot, select, settled_count  # noqa: F401 (app is a fixture)

SEGMENT_ID = "e2e_us_profiles"


def wait(driver, fn, timeout=30):
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(fn)


def tid(name: str) -> str:
    return f'[data-testid="{name}"]'


def text_of(driver, name: str) -> str:
    found = driver.find_elements(By.CSS_SELECTOR, tid(name))
    return found[0].text if found else ""


def test_save_edit_history_restore_and_library(app, artifacts, data_dir):
    driver = app
    css(driver, tid("seg-new")).click()
    css(driver, f'{node("/root")} > .group-actions [data-testid="add-condition"]').click()
    cond = node("/root/children/0")
    select(css(driver, f'{cond} [data-testid="attribute"]'), "country")
    select(css(driver, f'{cond} [data-testid="operator"]'), "is")
    replace_text(css(driver, f'{cond} [data-testid="value"]'), "US")
    us_count = settled_count(driver)[0]

    # Save: a bad id is explained before anything is written.
    css(driver, tid("seg-save")).click()
    replace_text(css(driver, tid("seg-name-input")), "E2E US profiles")
    assert css(driver, tid("seg-id-input")).get_attribute("value") == SEGMENT_ID
    replace_text(css(driver, tid("seg-id-input")), "9 lives")
    assert "spaces" in css(driver, tid("seg-id-hint")).text
    css(driver, tid("seg-dialog-confirm")).click()
    assert css(driver, tid("seg-dialog"))  # refused: the dialog stays, nothing is saved
    screenshot(driver, artifacts, "10-save-bad-id")
    replace_text(css(driver, tid("seg-id-input")), SEGMENT_ID)
    css(driver, tid("seg-dialog-confirm")).click()
    wait(driver, lambda d: text_of(d, "seg-revision") == "0")
    assert text_of(driver, "seg-id") == SEGMENT_ID
    assert f"{us_count:,} records" in text_of(driver, "seg-count")

    # Edit and save again: revision 1.
    replace_text(css(driver, f'{cond} [data-testid="value"]'), "CA")
    ca_count = settled_count(driver)[0]
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, tid("seg-dirty")))
    css(driver, tid("seg-save")).click()
    wait(driver, lambda d: text_of(d, "seg-revision") == "1")
    assert f"{ca_count:,} records" in text_of(driver, "seg-count")
    screenshot(driver, artifacts, "11-saved-revision-1")

    # History: both revisions, the diff names the changed value and the count change.
    css(driver, tid("seg-history")).click()
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, tid("history-row-1")))
    diff = wait(driver, lambda d: text_of(d, "diff"))
    assert "/root/children/0/value" in diff and '"US"' in diff and '"CA"' in diff, diff
    assert f"{us_count:,}" in text_of(driver, "diff-count") and f"{ca_count:,}" in text_of(driver, "diff-count")
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, tid("count-chart")))
    screenshot(driver, artifacts, "12-history")

    # Restore revision 0: a new revision 2 with revision 0's definition, back in the builder.
    css(driver, tid("history-restore-0")).click()
    wait(driver, lambda d: text_of(d, "seg-revision") == "2")
    assert not driver.find_elements(By.CSS_SELECTOR, tid("history-view"))
    assert css(driver, f'{cond} [data-testid="value"]').get_attribute("value") == "US"
    assert settled_count(driver)[0] == us_count
    # The restored revision's live count becomes its cached count.
    wait(driver, lambda d: f"{us_count:,} records" in text_of(d, "seg-count") and "revision 2" in text_of(d, "seg-count"))

    # The library lists it (search, revision 2) and opens it.
    css(driver, tid("open-library")).click()
    replace_text(css(driver, tid("lib-search")), "e2e us")
    row = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, tid(f"lib-row-{SEGMENT_ID}")))[0]
    cells = [td.text for td in row.find_elements(By.TAG_NAME, "td")]
    assert "E2E US profiles" in cells and SEGMENT_ID in cells and "2" in cells and "Active" in cells, cells
    assert f"{us_count:,}" in cells, cells
    assert text_of(driver, "lib-total") == "1–1 of 1"
    css(driver, tid("lib-sort-name")).click()
    wait(driver, lambda d: "▲" in css(d, tid("lib-sort-name")).text)
    css(driver, tid("lib-sort-name")).click()
    wait(driver, lambda d: "▼" in css(d, tid("lib-sort-name")).text)
    screenshot(driver, artifacts, "13-library")
    css(driver, tid(f"lib-open-{SEGMENT_ID}")).click()
    wait(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, tid("library-view")))
    assert text_of(driver, "seg-id") == SEGMENT_ID

    # The library file is the test's, not the user's.
    library = data_dir / "library.sqlite"
    assert library.exists()
    db = sqlite3.connect(f"file:{library}?mode=ro", uri=True)
    assert db.execute("SELECT revision FROM segments WHERE id = ?", (SEGMENT_ID,)).fetchone() == (2,)
    db.close()


def test_freeze_into_a_static_segment_with_members(driver, artifacts):
    # Continues with the segment opened above (dynamic, country is US).
    us_count = settled_count(driver)[0]
    css(driver, tid("seg-members")).click()
    css(driver, tid("freeze")).click()
    wait(driver, lambda d: text_of(d, "seg-id") == f"{SEGMENT_ID}_frozen", timeout=60)
    assert f"{us_count:,} members" in text_of(driver, "seg-count")
    css(driver, tid("seg-members")).click()
    replace_text(css(driver, tid("members-input")), "zz_not_a_profile")
    css(driver, tid("members-add")).click()
    wait(driver, lambda d: "zz_not_a_profile" in text_of(d, "changes-table"))
    assert "ADDED" in text_of(driver, "changes-table").split("zz_not_a_profile")[0].splitlines()[-1]
    wait(driver, lambda d: f"{us_count + 1:,} members" in text_of(d, "seg-count"))
    replace_text(css(driver, tid("members-input")), "zz_not_a_profile")
    css(driver, tid("members-remove")).click()
    wait(driver, lambda d: f"{us_count:,} members" in text_of(d, "seg-count"))
    select(css(driver, tid("changes-operation")), "REMOVED")
    wait(driver, lambda d: "zz_not_a_profile" in text_of(d, "changes-table"))
    screenshot(driver, artifacts, "14-members")
    css(driver, tid("members-close")).click()


def test_unsaved_changes_are_never_dropped_silently(driver, artifacts):
    # Continues with the frozen segment open: edit it, then try to start a new segment.
    css(driver, f'{node("/root")} > .group-actions [data-testid="add-condition"]').click()
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, tid("seg-dirty")))
    css(driver, tid("seg-new")).click()
    assert "Discard unsaved changes?" in wait(driver, lambda d: text_of(d, "seg-dialog"))
    screenshot(driver, artifacts, "15-discard")
    css(driver, tid("seg-dialog-cancel")).click()
    assert driver.find_elements(By.CSS_SELECTOR, node("/root/children/1"))
    assert text_of(driver, "seg-id") == f"{SEGMENT_ID}_frozen"
    css(driver, tid("seg-new")).click()
    css(driver, tid("seg-dialog-confirm")).click()
    wait(driver, lambda d: "New segment" in text_of(d, "segment-bar"))
