"""Takes the screenshots in this folder: every screen of the real app (builder, samples, overlap,
formats, history, members, library, data) in the light and dark themes, at one window size, and
checks that no screen scrolls sideways.

Run under Xvfb with a screen of the window's size, e.g. for the minimum window:
    xvfb-run -a -s "-screen 0 900x600x24" target/e2e-venv/bin/python docs/screenshots/take.py 900x600
(the app binary built with custom-protocol: see tests/e2e/conftest.py; SEGMENT_BUILDER_APP).
Prints one line per screen: its name and whether anything overflows horizontally."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from selenium import webdriver  # noqa: E402
from selenium.webdriver.common.options import ArgOptions  # noqa: E402

from conftest import free_port  # noqa: E402
from helpers import click, node, paste, present, replace_text, select, settled_count, tid, until, wait_for, wait_gone  # noqa: E402

SEGMENT = {
    "version": 1,
    "entity": "profiles",
    "root": {
        "combinator": "and",
        "children": [
            {"type": "condition", "attribute": "country", "operator": "is_one_of", "value": ["US", "CA"]},
            {
                "type": "relationship",
                "relationship": "events",
                "constraint": {"type": "occurrences", "operator": "at_least", "value": 3},
                "window": {"type": "in_the_last", "amount": 90, "unit": "day"},
                "filter": {"combinator": "and", "children": [{"type": "condition", "attribute": "name", "operator": "is", "value": "purchase"}]},
            },
        ],
    },
}
PAID = {"version": 1, "entity": "profiles", "root": {"combinator": "and", "children": [
    {"type": "condition", "attribute": "plan", "operator": "is_one_of", "value": ["pro", "enterprise"]}]}}

# Anything wider than its box that the user would have to scroll sideways to see.
OVERFLOW = """
const out = [];
const check = (el, name) => { if (el && el.scrollWidth > el.clientWidth + 1) out.push(`${name} ${el.scrollWidth}>${el.clientWidth}`); };
check(document.documentElement, 'page');
check(document.body, 'body');
for (const s of ['.topbar', '.builder', '.side-body', '.data-main', '.sources', '.sheet', '.overlay', '.segment-bar'])
  document.querySelectorAll(s).forEach((el) => check(el, s));
return out;
"""


def load(driver, definition):
    click(driver, tid("import-definition"))
    paste(driver, tid("import-text"), json.dumps(definition, indent=2))
    click(driver, tid("import-submit"))
    wait_gone(driver, tid("import-dialog"))
    settled_count(driver)
    # WebDriver scrolled the side panel to reach the button; a person sees its top again.
    driver.execute_script("document.querySelector('.side-body').scrollTop = 0")


# The pictures show a neutral folder instead of this run's temporary one.
MASK = """
const [from, to] = arguments;
const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let n = walk.nextNode(); n; n = walk.nextNode()) if (n.nodeValue.includes(from)) n.nodeValue = n.nodeValue.split(from).join(to);
"""
DATA_DIR = ""


def shoot(driver, out: Path, name: str, report: list):
    time.sleep(0.4)  # let transitions and fonts settle before the picture
    driver.execute_script(MASK, DATA_DIR, "~/Segment Builder")
    driver.save_screenshot(str(out / f"{name}.png"))
    report.append((name, driver.execute_script(OVERFLOW)))


def reveal(driver, selector):
    driver.execute_script("document.querySelector(arguments[0]).scrollIntoView({block: 'start'})", selector)


def run(driver, size: str, theme: str, out: Path, report: list):
    wait_for(driver, f'{tid("builder")} {tid("group")}', timeout=180)
    select(driver, tid("theme-toggle"), theme)
    prefix = f"{size}-{theme}"
    load(driver, SEGMENT)
    click(driver, tid("seg-save"))
    replace_text(driver, tid("seg-name-input"), "North American repeat buyers")
    click(driver, tid("seg-dialog-confirm"))
    until(driver, lambda d: present(d, tid("seg-revision")))
    settled_count(driver)
    shoot(driver, out, f"{prefix}-builder", report)

    # A second revision for the history: 2 purchases instead of 3.
    second = json.loads(json.dumps(SEGMENT))
    second["root"]["children"][1]["constraint"]["value"] = 2
    load(driver, second)
    click(driver, tid("seg-save"))
    until(driver, lambda d: d.find_element("css selector", tid("seg-revision")).text == "1")

    click(driver, tid("samples-first"))
    wait_for(driver, tid("sample"))
    click(driver, f'{tid("sample")} .sample-head')
    wait_for(driver, tid("sample-fields"))
    shoot(driver, out, f"{prefix}-samples", report)

    click(driver, tid("tab-overlap"))
    paste(driver, tid("overlap-json-1"), json.dumps(PAID))
    click(driver, tid("overlap-run"))
    wait_for(driver, tid("venn"))
    reveal(driver, tid("overlap"))
    shoot(driver, out, f"{prefix}-overlap", report)

    reveal(driver, tid("formats-pane"))
    click(driver, tid("format-tab-pql-text"))
    wait_for(driver, tid("format-code"))
    reveal(driver, tid("formats-pane"))
    shoot(driver, out, f"{prefix}-formats", report)

    click(driver, tid("seg-history"))
    wait_for(driver, tid("diff-change"))
    wait_for(driver, tid("count-chart"))
    shoot(driver, out, f"{prefix}-history", report)
    click(driver, tid("history-close"))

    click(driver, tid("seg-members"))
    click(driver, tid("freeze"))
    until(driver, lambda d: "frozen" in d.find_element("css selector", tid("seg-id")).text, timeout=120)
    click(driver, tid("seg-members"))
    paste(driver, tid("members-input"), "zz_not_a_profile")
    click(driver, tid("members-add"))
    until(driver, lambda d: "zz_not_a_profile" in d.find_element("css selector", tid("changes-table")).text)
    shoot(driver, out, f"{prefix}-members", report)
    click(driver, tid("members-close"))

    click(driver, tid("open-library"))
    wait_for(driver, tid("lib-table"))
    shoot(driver, out, f"{prefix}-library", report)
    click(driver, tid("lib-close"))

    click(driver, tid("tab-data"))
    wait_for(driver, tid("schema-browser"), timeout=120)
    shoot(driver, out, f"{prefix}-data", report)
    click(driver, tid("tab-builder"))


def main():
    size = sys.argv[1] if len(sys.argv) > 1 else "1280x800"
    themes = sys.argv[2].split(",") if len(sys.argv) > 2 else ["light", "dark"]
    width, height = (int(v) for v in size.split("x"))
    app = Path(os.environ.get("SEGMENT_BUILDER_APP", ROOT / "target" / "debug" / "segment-builder-desktop")).resolve()
    out = Path(os.environ.get("SCREENSHOTS", HERE))
    data = Path(tempfile.mkdtemp(prefix="segment-builder-shots-"))
    global DATA_DIR
    DATA_DIR = str(data)
    report: list = []
    try:
        for theme in themes:
            env = dict(os.environ)
            env["SEGMENT_BUILDER_DATA"] = str(data / "demo.sqlite")
            env["XDG_DATA_HOME"] = str(data / "xdg")
            env["SEGMENT_BUILDER_LIBRARY"] = str(data / f"library-{theme}.sqlite")
            env["SEGMENT_BUILDER_STORE"] = str(data / "sources.json")
            port, native = free_port(), free_port()
            exe = shutil.which("tauri-driver") or str(Path.home() / ".cargo" / "bin" / "tauri-driver")
            proc = subprocess.Popen([exe, "--port", str(port), "--native-port", str(native)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                for _ in range(150):
                    try:
                        urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=1)
                        break
                    except OSError:
                        time.sleep(0.2)
                options = ArgOptions()
                options.set_capability("browserName", "wry")
                options.set_capability("tauri:options", {"application": str(app)})
                driver = webdriver.Remote(command_executor=f"http://127.0.0.1:{port}", options=options)
                try:
                    driver.set_window_rect(x=0, y=0, width=width, height=height)
                    try:
                        run(driver, size, theme, out, report)
                    except Exception:
                        driver.save_screenshot(str(out / f"FAILED-{size}-{theme}.png"))
                        raise
                finally:
                    driver.quit()
            finally:
                proc.terminate()
                proc.wait(timeout=10)
    finally:
        shutil.rmtree(data, ignore_errors=True)
    for name, overflow in report:
        print(f"{name}: {'no horizontal scroll' if not overflow else 'OVERFLOW ' + '; '.join(overflow)}")


if __name__ == "__main__":
    main()
