"""The Formats pane and "Import definition": build "country is US", read its PQL text tab, import
an OData filter into the builder, and see a malformed one's error at its line and column."""

import subprocess

from helpers import (
    click,
    content,
    count_matches_cli,
    maybe_attr,
    node,
    paste,
    replace_text,
    screenshot,
    select,
    settled_count,
    shown_segment,
    sql_count,
    text,
    until,
    value,
    wait_for,
    wait_gone,
)


def code_text(driver, fmt):
    """Shows a format's tab and returns its code once it is there."""
    click(driver, f'[data-testid="format-tab-{fmt}"]')
    code = f'[data-testid="format-body"][data-format="{fmt}"] [data-testid="format-code"]'
    return until(driver, lambda d: maybe_attr(d, code, "textContent"), message=f"no {fmt} code")


def import_definition(driver, definition, fmt=""):
    click(driver, '[data-testid="import-definition"]')
    # As pasted: the whole value at once.
    paste(driver, '[data-testid="import-text"]', definition)
    select(driver, '[data-testid="import-format"]', fmt)
    click(driver, '[data-testid="import-submit"]')


def rendered(cli_binary, data_dir, shown, fmt) -> str:
    """`segment-builder render` of the definition the window shows, in format `fmt`."""
    segment = data_dir / "formats-segment.json"
    segment.write_text(shown["definition"])
    done = subprocess.run(
        [str(cli_binary), "render", "--data", str(data_dir / "demo.sqlite"), "--segment", str(segment),
         "--now", shown["now"], "--to", fmt],
        capture_output=True, text=True, check=True,
    )
    return done.stdout.strip()


def test_pql_tab_and_import_definition(app, artifacts, data_dir, cli_binary):
    driver = app
    root = node("/root")
    click(driver, f'{root} > .group-actions [data-testid="add-condition"]')
    cond = node("/root/children/0")
    select(driver, f'{cond} [data-testid="attribute"]', "country")
    select(driver, f'{cond} [data-testid="operator"]', "is")
    replace_text(driver, f'{cond} [data-testid="value"]', "US")
    settled_count(driver)

    # The PQL text tab shows the condition, highlighted: exactly what the CLI renders.
    shown = shown_segment(driver)
    until(driver, lambda d: "US" in code_text(d, "pql-text"))
    pql = code_text(driver, "pql-text")
    assert pql.strip() == rendered(cli_binary, data_dir, shown, "pql-text") == 'country = "US"', pql
    wait_for(driver, '[data-testid="format-code"] .tok-string')
    # SQL tabs are highlighted too.
    sql = code_text(driver, "sql-postgres")
    assert sql.strip() == rendered(cli_binary, data_dir, shown, "sql-postgres"), sql
    assert "SELECT" in sql.upper() and "'US'" in sql, sql
    wait_for(driver, '[data-testid="format-code"] .tok-keyword')
    assert code_text(driver, "odata").strip() == rendered(cli_binary, data_dir, shown, "odata") == "country eq 'US'"
    code_text(driver, "pql-text")
    driver.execute_script('document.querySelector(\'[data-testid="formats-pane"]\').scrollIntoView()')
    screenshot(driver, artifacts, "formats-01-pql")

    # Import an OData filter (auto-detected): the builder shows it.
    import_definition(driver, "country eq 'FR' and age ge 30")
    wait_gone(driver, '[data-testid="import-dialog"]')
    wait_for(driver, node("/root/children/1"))
    first, second = node("/root/children/0"), node("/root/children/1")
    assert value(driver, f'{first} [data-testid="attribute"]') == "country"
    assert value(driver, f'{first} [data-testid="value"]') == "FR"
    assert value(driver, f'{second} [data-testid="attribute"]') == "age"
    assert value(driver, f'{second} [data-testid="value"]') == "30"
    until(driver, lambda d: "FR" in code_text(d, "odata"))
    imported = count_matches_cli(driver, cli_binary, data_dir / "demo.sqlite", data_dir)
    assert imported["count"] == sql_count(data_dir / "demo.sqlite", "SELECT count(*) FROM profiles WHERE country = 'FR' AND age >= 30")
    assert code_text(driver, "odata").strip() == rendered(cli_binary, data_dir, imported, "odata")

    # A malformed one: the error is at its line and column, the line shown and underlined.
    import_definition(driver, "country eq 'FR' and\n  (age gt )", "odata")
    err = text(driver, '[data-testid="import-error"]')
    where = text(driver, '[data-testid="import-error-where"]')
    assert "line 2, column" in where, err
    column = int(where.split("column")[1].strip(" )"))
    assert column == 11, err  # the ")" where a value is expected
    line = content(driver, '[data-testid="import-error-line"]')
    assert "(age gt )" in line, line
    assert content(driver, '[data-testid="import-error-mark"]') == ")"
    screenshot(driver, artifacts, "formats-02-import-error")
    click(driver, '[data-testid="import-cancel"]')
    # The builder still holds the imported segment.
    assert value(driver, f'{node("/root/children/0")} [data-testid="value"]') == "FR"
