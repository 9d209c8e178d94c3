"""'Is in segment' end to end: save a segment (country is US), build a new segment whose only
condition is 'is in segment' picking it from the library, and see the same count; 'is not in
segment' counts the rest. The window's count equals the CLI's (`count --store`, in memory and
in SQL) and the SQL pane's SQL (the saved definition inlined) run on the file."""

import os
import subprocess

from helpers import (
    add_node,
    click,
    count_matches_cli,
    maybe_text,
    node,
    present,
    replace_text,
    screenshot,
    select,
    set_condition,
    settled_count,
    tid,
    until,
    wait_for,
    wait_gone,
)

SEGMENT_ID = "e2e_in_segment_us"


def text_of(driver, name: str) -> str:
    """The text of the element with this data-testid, or "" while there is none."""
    return maybe_text(driver, tid(name))


def start_new_segment(driver):
    """"New segment", discarding what a previous test left unsaved."""
    click(driver, tid("seg-new"))
    until(driver, lambda d: present(d, tid("seg-dialog")) or "New segment" in text_of(d, "segment-bar"))
    if present(driver, tid("seg-dialog")):
        click(driver, tid("seg-dialog-confirm"))
    until(driver, lambda d: "New segment" in text_of(d, "segment-bar"))


def test_in_segment_counts_the_saved_segment(app, artifacts, data_dir, cli_binary):
    driver = app
    start_new_segment(driver)
    cond = add_node(driver, "/root")
    set_condition(driver, cond, "country", "is", "US")
    us_count, total, _ = settled_count(driver)
    assert 0 < us_count < total

    click(driver, tid("seg-save"))
    replace_text(driver, tid("seg-name-input"), "E2E in segment US")
    replace_text(driver, tid("seg-id-input"), SEGMENT_ID)
    click(driver, tid("seg-dialog-confirm"))
    wait_gone(driver, tid("seg-dialog"))
    until(driver, lambda d: text_of(d, "seg-id") == SEGMENT_ID)

    start_new_segment(driver)
    ref = add_node(driver, "/root", "in-segment")
    picker = f'{node(ref)} [data-testid="in-segment-segment"]'
    wait_for(driver, f'{picker} option[value="{SEGMENT_ID}"]')
    select(driver, picker, SEGMENT_ID)
    count, total_again, sql = settled_count(driver)
    assert (count, total_again) == (us_count, total)
    assert "'US'" in sql, sql
    screenshot(driver, artifacts, "in-segment")

    env = dict(os.environ, SEGMENT_BUILDER_LIBRARY=str(data_dir / "library.sqlite"))
    data = data_dir / "demo.sqlite"
    count_matches_cli(driver, cli_binary, data, data_dir, env=env)

    select(driver, f'{node(ref)} [data-testid="in-segment-negated"]', "not")
    assert settled_count(driver)[0] == total - us_count
    print(f"in segment {SEGMENT_ID}: {us_count:,} of {total:,}; not in: {total - us_count:,}")
    count_matches_cli(driver, cli_binary, data, data_dir, env=env)


def test_a_pinned_revision_counts_as_it_was_saved(app, artifacts, data_dir, cli_binary):
    """The segment saved above (revision 0: country is US) gets a revision 1 from the CLI
    (country is CA); pinned to revision 0 the condition counts the US profiles, following the
    segment ("as it is now") the Canadian ones, each as the CLI counts the shown definition."""
    driver = app
    env = dict(os.environ, SEGMENT_BUILDER_LIBRARY=str(data_dir / "library.sqlite"))
    data = data_dir / "demo.sqlite"
    canada = data_dir / "in-segment-ca.json"
    canada.write_text(
        '{"version": 1, "entity": "profiles", "root": {"combinator": "and", "children": '
        '[{"type": "condition", "attribute": "country", "operator": "is", "value": "CA"}]}}'
    )
    saved = subprocess.run(
        [str(cli_binary), "segments", "save", SEGMENT_ID, "--file", str(canada)],
        env=env, capture_output=True, text=True, check=True,
    )
    assert '"revision": 1' in saved.stdout, saved.stdout

    start_new_segment(driver)
    ref = add_node(driver, "/root", "in-segment")
    picker = f'{node(ref)} [data-testid="in-segment-segment"]'
    wait_for(driver, f'{picker} option[value="{SEGMENT_ID}"]')
    select(driver, picker, SEGMENT_ID)
    now_count, total, sql = settled_count(driver)
    assert "'CA'" in sql, sql
    count_matches_cli(driver, cli_binary, data, data_dir, env=env)

    revision = f'{node(ref)} [data-testid="in-segment-revision"]'
    wait_for(driver, f'{revision} option[value="0"]')
    select(driver, revision, "0")
    pinned_count, _, sql = settled_count(driver)
    assert "'US'" in sql, sql
    assert pinned_count != now_count
    screenshot(driver, artifacts, "in-segment-pinned-revision")
    count_matches_cli(driver, cli_binary, data, data_dir, env=env)
    print(f"{SEGMENT_ID} as it is now (CA): {now_count:,}; pinned to revision 0 (US): {pinned_count:,} of {total:,}")
