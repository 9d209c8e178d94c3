"""Reading and driving the app's elements without ever holding one across a re-render.

React replaces DOM nodes whenever it re-renders, so an element found a moment ago can be stale
by the time it is read or clicked. Every function here finds its element afresh, inside a
WebDriverWait that retries when the element went stale (or is not there yet), and returns plain
values (strings, numbers, lists), never an element. Tests read and act only through these.

Waits are generous (the suite runs on slow, busy machines) and never sleeps: a wait ends as soon
as its condition holds.
"""

import json
import os
import sqlite3
import subprocess
import tempfile

from selenium.common.exceptions import (
    ElementClickInterceptedException,
    ElementNotInteractableException,
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

# Seconds. Generous: two cores shared with compilers make every step slow at times.
TIMEOUT = 60
POLL = 0.1

# Retried by every wait: the element went stale (re-rendered) or is not (yet) there.
RETRIED = (StaleElementReferenceException, NoSuchElementException)
# Retried by clicks and typing too: the element is there but not yet usable.
RETRIED_ACTIONS = RETRIED + (ElementClickInterceptedException, ElementNotInteractableException)


class _Value:
    """Wraps a result so that falsy values ("", 0, [], None) still end a wait."""

    def __init__(self, value):
        self.value = value


def tid(name: str) -> str:
    return f'[data-testid="{name}"]'


def node(path: str) -> str:
    return f'[data-path="{path}"]'


def until(driver, condition, timeout=TIMEOUT, message="", retried=RETRIED):
    """Waits until `condition(driver)` is truthy and returns its value. A condition that meets a
    stale or missing element is simply tried again at the next poll; on timeout, the message
    names the last such exception."""
    last = []

    def attempt(d):
        try:
            return condition(d)
        except retried as e:
            last[:] = [e]
            return False

    try:
        return WebDriverWait(driver, timeout, poll_frequency=POLL).until(attempt)
    except TimeoutException:
        why = f" (last: {type(last[0]).__name__}: {str(last[0]).strip()[:300]})" if last else ""
        raise TimeoutException(f"{message or 'condition not met'} after {timeout} s{why}") from None


def read(driver, fn, timeout=TIMEOUT, message=""):
    """`fn(driver)` retried until it runs without meeting a stale or missing element; its value,
    whatever it is (falsy values included)."""
    return until(driver, lambda d: _Value(fn(d)), timeout, message).value


def eventually(driver, fn, check, timeout=TIMEOUT):
    """Waits until `check(fn(driver))` holds (for what the app updates asynchronously) and returns
    that value; fails with the last value seen when it never holds."""
    last = []

    def ok(d):
        last[:] = [fn(d)]
        return check(last[0])

    try:
        until(driver, ok, timeout)
    except TimeoutException:
        raise AssertionError(f"after {timeout} s, still: {last[0] if last else None!r}") from None
    return last[0]


def eventually_equal(driver, fn, expected, timeout=TIMEOUT):
    """Waits until `fn(driver)` equals `expected` (e.g. a list that is replaced when a response
    arrives); fails with the last value seen when it never does."""
    return eventually(driver, fn, lambda v: v == expected, timeout)


def _find(driver, selector):
    return driver.find_element(By.CSS_SELECTOR, selector)


# --- Presence ------------------------------------------------------------------------------


def present(driver, selector) -> bool:
    """Whether an element matches now (no wait)."""
    return bool(driver.find_elements(By.CSS_SELECTOR, selector))


def count(driver, selector) -> int:
    """How many elements match now (no wait)."""
    return len(driver.find_elements(By.CSS_SELECTOR, selector))


def wait_for(driver, selector, timeout=TIMEOUT):
    """Waits until an element matches."""
    until(driver, lambda d: present(d, selector), timeout, f"nothing matches {selector}")


def wait_gone(driver, selector, timeout=TIMEOUT):
    """Waits until no element matches."""
    until(driver, lambda d: not present(d, selector), timeout, f"still there: {selector}")


# --- Reading -------------------------------------------------------------------------------


def text(driver, selector, timeout=TIMEOUT) -> str:
    """The rendered text of the first match, waiting for it to exist."""
    return read(driver, lambda d: _find(d, selector).text, timeout, f"no text at {selector}")


def attr(driver, selector, name, timeout=TIMEOUT):
    """An attribute (or property, e.g. "value", "textContent") of the first match, waiting for
    it to exist."""
    return read(driver, lambda d: _find(d, selector).get_attribute(name), timeout, f"no {name} at {selector}")


def value(driver, selector, timeout=TIMEOUT) -> str:
    """The current value of an input, select or textarea."""
    return attr(driver, selector, "value", timeout)


def content(driver, selector, timeout=TIMEOUT) -> str:
    """textContent of the first match: its text even when it is folded away or not displayed."""
    return attr(driver, selector, "textContent", timeout)


def _first_or(driver, selector, fn, default):
    found = driver.find_elements(By.CSS_SELECTOR, selector)
    return fn(found[0]) if found else default


def maybe_text(driver, selector) -> str:
    """The first match's text, or "" when nothing matches (no wait for it to appear)."""
    return read(driver, lambda d: _first_or(d, selector, lambda e: e.text, ""))


def maybe_attr(driver, selector, name):
    """The first match's attribute, or None when nothing matches (no wait for it to appear)."""
    return read(driver, lambda d: _first_or(d, selector, lambda e: e.get_attribute(name), None))


def each(driver, selector, fn) -> list:
    """`fn(element)` for every match, as one consistent read: if any went stale meanwhile, the
    whole list is read again. Empty when nothing matches (no wait for it to appear)."""
    return read(driver, lambda d: [fn(e) for e in d.find_elements(By.CSS_SELECTOR, selector)])


def texts(driver, selector) -> list[str]:
    return each(driver, selector, lambda e: e.text)


def attrs(driver, selector, name) -> list:
    return each(driver, selector, lambda e: e.get_attribute(name))


# --- Acting --------------------------------------------------------------------------------


def quiet(driver, timeout=TIMEOUT):
    """Waits until no preview is pending. A preview's result re-renders the builder (the node
    count badges are hidden while a preview is pending and come back with its result), which
    moves what is about to be clicked: a click aimed before the move lands beside its target and
    is lost. A user clicks what they see settled; so do the tests. Gives up quietly after
    `timeout` (the click then goes ahead)."""
    let_edits_land(driver)
    try:
        until(driver, lambda d: (p := panel(d)) is None or p["state"] != "pending", timeout)
    except TimeoutException:
        pass


def _into_view(driver, el):
    """Scrolls `el` into its scrolling containers' view if it is not (WebKitWebDriver does not
    always reach an element below the fold of a nested scroller, and then calls it not
    interactable)."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'nearest'})", el)


def click(driver, selector, timeout=TIMEOUT):
    """Clicks the first match once it is displayed and enabled, with no preview pending (see
    `quiet`)."""
    quiet(driver)

    def go(d):
        el = _find(d, selector)
        if not (el.is_displayed() and el.is_enabled()):
            return False
        _into_view(d, el)
        el.click()
        return True

    until(driver, go, timeout, f"could not click {selector}", RETRIED_ACTIONS)


def select(driver, selector, option_value: str, timeout=TIMEOUT):
    """Picks an option of a <select> by value, waiting for the option to exist, and waits until
    the select shows it."""

    def go(d):
        Select(_find(d, selector)).select_by_value(option_value)  # NoSuchElement: no such option yet
        return _find(d, selector).get_attribute("value") == option_value

    until(driver, go, timeout, f"could not select {option_value!r} in {selector}", RETRIED_ACTIONS)


def replace_text(driver, selector, new_text: str, verify=True, timeout=TIMEOUT):
    """Selects all and types, as a user would (clear() would bypass React's input events). With
    `verify`, waits until the field holds exactly `new_text`, typing again if a re-render lost
    keystrokes. Clicks into the field with no preview pending (see `quiet`)."""
    quiet(driver)

    def go(d):
        el = _find(d, selector)
        _into_view(d, el)
        el.click()
        el.send_keys(Keys.CONTROL, "a")
        el.send_keys(new_text)
        return not verify or _find(d, selector).get_attribute("value") == new_text

    until(driver, go, timeout, f"could not type {new_text!r} into {selector}", RETRIED_ACTIONS)


def paste(driver, selector, new_text: str, timeout=TIMEOUT):
    """Sets a textarea's whole value at once, as pasting does (typing "\\n" in a textarea is not
    reliable over WebDriver), through the native setter so that React sees the input event."""

    def go(d):
        d.execute_script(
            "const [el, v] = arguments;"
            "const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;"
            "Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, v);"
            "el.dispatchEvent(new Event('input', { bubbles: true }));",
            _find(d, selector),
            new_text,
        )
        return _find(d, selector).get_attribute("value") == new_text

    until(driver, go, timeout, f"could not paste into {selector}", RETRIED_ACTIONS)


def screenshot(driver, artifacts, name):
    driver.save_screenshot(str(artifacts / f"{name}.png"))
    # The whole X screen too, as a user would see it (needs DISPLAY, i.e. run under xvfb-run).
    subprocess.run(["import", "-window", "root", str(artifacts / f"{name}-screen.png")], check=False)


# --- The live count ------------------------------------------------------------------------

# One atomic read of the count panel (a script runs between renders, so the state, request id,
# count, total and SQL all belong to the same response).
_PANEL = """
const q = (s) => document.querySelector(s);
const panel = q('[data-testid="count-panel"]');
if (!panel) return null;
const t = (s) => { const e = q(s); return e ? e.textContent : null; };
return {
  state: panel.getAttribute('data-state'),
  id: Number(panel.getAttribute('data-request-id') || 0),
  count: t('[data-testid="count"]'),
  total: t('[data-testid="total"]'),
  sql: t('[data-testid="sql-pane"]'),
};
"""


def panel(driver) -> dict | None:
    return driver.execute_script(_PANEL)


def request_id(driver) -> int:
    """The request id of the preview the count panel shows (0: none yet)."""
    p = until(driver, panel, message="no count panel")
    return int(p["id"])


def let_edits_land(driver):
    """Lets the page handle what the last action queued (React's render of the edit, whose effect
    marks a preview as scheduled) before the count panel is trusted: a round trip through the
    page's event loop, which runs after the tasks already queued. No wall-clock wait."""
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "const ping = (k) => { const c = new MessageChannel(); c.port1.onmessage = () => k(); c.port2.postMessage(0); };"
        "setTimeout(() => ping(() => setTimeout(() => ping(() => done(true)), 0)), 0);"
    )


def _newest(driver, states, after):
    p = panel(driver)
    if not p or p["state"] not in states:
        return None
    if after is not None and p["id"] <= after:
        return None
    return p


def settled_count(driver, timeout=90, after: int | None = None) -> tuple[int, int, str]:
    """Waits until the count panel shows the newest request's result (newer than `after`, when
    given) with nothing newer scheduled, and returns (count, total, sql)."""
    let_edits_land(driver)

    def ready(d):
        p = _newest(d, ("ready",), after)
        if not p:
            return False
        try:
            return int(p["count"].replace(",", "")), int(p["total"].replace(",", "")), p["sql"]
        except (AttributeError, ValueError):
            return False

    return until(driver, ready, timeout, "the count did not settle")


def settled(driver, after: int | None, timeout=90) -> str:
    """Waits for the newest request's result, valid or not (newer than `after`, when given);
    returns the panel's state."""
    let_edits_land(driver)

    def done(d):
        p = _newest(d, ("ready", "invalid"), after)
        return p and p["state"]

    return until(driver, done, timeout, "the preview did not settle")


# --- The same segment through the command-line tool ----------------------------------------

# One atomic read of what the builder shows: the count panel (state, request id, count, total,
# SQL, the instant relative dates were computed from, the engine) and the definition pane, so the
# definition is exactly the one that was counted.
_SHOWN = """
const q = (s) => document.querySelector(s);
const panel = q('[data-testid="count-panel"]');
if (!panel) return null;
const t = (s) => { const e = q(s); return e ? e.textContent : null; };
const engine = q('[data-testid="count-engine"]');
return {
  state: panel.getAttribute('data-state'),
  id: Number(panel.getAttribute('data-request-id') || 0),
  now: panel.getAttribute('data-now'),
  count: t('[data-testid="count"]'),
  total: t('[data-testid="total"]'),
  sql: t('[data-testid="sql-pane"]'),
  engine: engine ? engine.getAttribute('data-engine') : null,
  definition: t('[data-testid="segment-json"]'),
};
"""


def shown_segment(driver, after: int | None = None, timeout=90) -> dict:
    """Waits like `settled_count` for the newest request's result, then returns, read at once:
    {"count", "total" (ints), "sql", "now" (RFC 3339), "engine", "definition" (the JSON text), "id"}."""
    let_edits_land(driver)

    def ready(d):
        p = d.execute_script(_SHOWN)
        if not p or p["state"] != "ready" or (after is not None and p["id"] <= after) or not p["now"]:
            return False
        try:
            p["count"] = int(p["count"].replace(",", ""))
            p["total"] = int(p["total"].replace(",", ""))
        except (AttributeError, ValueError):
            return False
        return p

    return until(driver, ready, timeout, "the count did not settle")


def run_cli(cli_binary, *args, env=None):
    """Runs the command-line tool; its stdout as JSON. A failure shows its stderr."""
    done = subprocess.run([str(cli_binary), *map(str, args)], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise AssertionError(f"segment-builder {' '.join(map(str, args))} failed: {done.stderr.strip()}")
    return json.loads(done.stdout)


def cli_count(cli_binary, data, definition: str, now: str | None, folder, engine="engine", env=None) -> dict:
    """`segment-builder count` of a definition (JSON text) on a data file: {"count", "total"}."""
    fd, name = tempfile.mkstemp(prefix="segment-", suffix=".json", dir=folder)
    with os.fdopen(fd, "w") as f:
        f.write(definition)
    try:
        args = ["count", "--data", data, "--segment", name, "--engine", engine]
        if now:
            args += ["--now", now]
        return run_cli(cli_binary, *args, env=env)
    finally:
        os.unlink(name)


def sql_count(data, sql: str) -> int:
    """Runs a SELECT count(*) on the data file, read-only."""
    db = sqlite3.connect(f"file:{data}?mode=ro", uri=True)
    try:
        return db.execute(sql).fetchone()[0]
    finally:
        db.close()


def count_matches_cli(driver, cli_binary, data, folder, after: int | None = None, env=None, run_shown_sql=True,
                      engines=("engine", "sql")) -> dict:
    """The settled count shown in the window, checked against `segment-builder count` on the same
    definition, data file and "now" (counted in memory and in SQL, or with `engines`) and, with
    `run_shown_sql`, against the SQL pane's SQL run as is on the file. Returns what was shown."""
    shown = shown_segment(driver, after=after)
    expected = {"count": shown["count"], "total": shown["total"]}
    for engine in engines:
        got = cli_count(cli_binary, data, shown["definition"], shown["now"], folder, engine, env)
        assert got == expected, f"the CLI ({engine}) counts {got}, the window shows {expected}: {shown['definition']}"
    if run_shown_sql:
        assert sql_count(data, shown["sql"]) == shown["count"], shown["sql"]
    return shown


# --- Building segments ---------------------------------------------------------------------


def add_node(driver, group: str, kind="condition") -> str:
    """Presses the group's "+ Condition" ("+ Group", "+ Related records", "+ SQL": kind
    "group", "relationship", "sql") and returns the JSON Pointer of the new last child."""
    i = read(driver, lambda d: next(n for n in range(10_000) if not present(d, node(f"{group}/children/{n}"))))
    click(driver, f'{node(group)} > .group-actions [data-testid="add-{kind}"]')
    path = f"{group}/children/{i}"
    wait_for(driver, node(path))
    return path


def set_condition(driver, path: str, attribute: str, operator: str, text_value: str | None = None):
    """attribute · operator (· a typed value) of the condition at `path`."""
    select(driver, f'{node(path)} [data-testid="attribute"]', attribute)
    select(driver, f'{node(path)} [data-testid="operator"]', operator)
    if text_value is not None:
        replace_text(driver, f'{node(path)} [data-testid="value"]', text_value)


def chips(driver, path: str) -> list[str]:
    """The values shown as chips in the node at `path` (without their remove buttons)."""
    return [t.replace("×", "").strip() for t in texts(driver, f'{node(path)} [data-testid="chip"]')]


def add_chip(driver, path: str, chip: str, key=Keys.ENTER):
    """Types a value into the node's chips input and presses Enter (or `key`, e.g. ","); waits
    until it shows as the last chip."""
    field = f'{node(path)} [data-testid="chips-input"]'
    quiet(driver)

    def go(d):
        el = _find(d, field)
        el.click()
        el.send_keys(chip, key)
        return True

    until(driver, go, message=f"could not type {chip!r} into {field}", retried=RETRIED_ACTIONS)
    until(driver, lambda d: chips(d, path)[-1:] == [chip], message=f"no chip {chip!r}")


# --- Native dialogs, answered by the scripted picks --------------------------------------------


def queue_pick(path) -> None:
    """Answers the app's next open or save dialog with `path` (a path; a list of paths for a
    multiple pick; "" for a cancelled dialog): appends one line to the scripted picks file the
    app reads instead of showing a dialog (SEGMENT_BUILDER_TEST_PICKS, set by conftest.py)."""
    paths = [path] if isinstance(path, (str, os.PathLike)) else list(path)
    line = os.pathsep.join(str(p) for p in paths)
    with open(os.environ["SEGMENT_BUILDER_TEST_PICKS"], "a", encoding="utf-8") as f:
        f.write(line + "\n")
