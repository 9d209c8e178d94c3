"""The Formats pane and "Import definition": build "country is US", read its PQL text tab, import
an OData filter into the builder, and see a malformed one's error at its line and column."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from test_builder import app, css, node, replace_text, screenshot, select, settled_count  # noqa: F401


def wait(driver, fn, timeout=30):
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(fn)


def code_text(driver, fmt):
    css(driver, f'[data-testid="format-tab-{fmt}"]').click()

    def ready(d):
        body = d.find_elements(By.CSS_SELECTOR, f'[data-testid="format-body"][data-format="{fmt}"] [data-testid="format-code"]')
        return body and body[0].get_attribute("textContent")

    return wait(driver, ready)


def import_definition(driver, text, fmt=""):
    css(driver, '[data-testid="import-definition"]').click()
    box = css(driver, '[data-testid="import-text"]')
    # As pasted: set the whole value at once (typing "\n" in a textarea is not reliable over
    # WebDriver), through the native setter so React sees the input event.
    driver.execute_script(
        "const [el, v] = arguments;"
        "Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set.call(el, v);"
        "el.dispatchEvent(new Event('input', { bubbles: true }));",
        box,
        text,
    )
    Select(css(driver, '[data-testid="import-format"]')).select_by_value(fmt)
    css(driver, '[data-testid="import-submit"]').click()


def test_pql_tab_and_import_definition(app, artifacts):
    driver = app
    root = node("/root")
    css(driver, f'{root} > .group-actions [data-testid="add-condition"]').click()
    cond = node("/root/children/0")
    select(css(driver, f'{cond} [data-testid="attribute"]'), "country")
    select(css(driver, f'{cond} [data-testid="operator"]'), "is")
    replace_text(css(driver, f'{cond} [data-testid="value"]'), "US")
    settled_count(driver)

    # The PQL text tab shows the condition, highlighted.
    wait(driver, lambda d: "US" in (code_text(d, "pql-text") or ""))
    pql = code_text(driver, "pql-text")
    assert "country" in pql and '"US"' in pql, pql
    assert driver.find_elements(By.CSS_SELECTOR, '[data-testid="format-code"] .tok-string')
    # SQL tabs are highlighted too.
    sql = code_text(driver, "sql-postgres")
    assert "SELECT" in sql.upper() and "'US'" in sql, sql
    assert driver.find_elements(By.CSS_SELECTOR, '[data-testid="format-code"] .tok-keyword')
    code_text(driver, "pql-text")
    driver.execute_script('document.querySelector(\'[data-testid="formats-pane"]\').scrollIntoView()')
    screenshot(driver, artifacts, "formats-01-pql")

    # Import an OData filter (auto-detected): the builder shows it.
    import_definition(driver, "country eq 'FR' and age ge 30")
    wait(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, '[data-testid="import-dialog"]'))
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, node("/root/children/1")))
    first = css(driver, node("/root/children/0"))
    second = css(driver, node("/root/children/1"))
    assert first.find_element(By.CSS_SELECTOR, '[data-testid="attribute"]').get_attribute("value") == "country"
    assert first.find_element(By.CSS_SELECTOR, '[data-testid="value"]').get_attribute("value") == "FR"
    assert second.find_element(By.CSS_SELECTOR, '[data-testid="attribute"]').get_attribute("value") == "age"
    assert second.find_element(By.CSS_SELECTOR, '[data-testid="value"]').get_attribute("value") == "30"
    wait(driver, lambda d: "FR" in (code_text(d, "odata") or ""))
    settled_count(driver)

    # A malformed one: the error is at its line and column, the line shown and underlined.
    import_definition(driver, "country eq 'FR' and\n  (age gt )", "odata")
    err = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="import-error"]'))[0]
    where = css(driver, '[data-testid="import-error-where"]').text
    assert "line 2, column" in where, err.text
    column = int(where.split("column")[1].strip(" )"))
    assert column == 11, err.text  # the ")" where a value is expected
    line = css(driver, '[data-testid="import-error-line"]').get_attribute("textContent")
    assert "(age gt )" in line, line
    assert css(driver, '[data-testid="import-error-mark"]').get_attribute("textContent") == ")"
    screenshot(driver, artifacts, "formats-02-import-error")
    css(driver, '[data-testid="import-cancel"]').click()
    # The builder still holds the imported segment.
    assert css(driver, f'{node("/root/children/0")} [data-testid="value"]').get_attribute("value") == "FR"
