"""Fixtures for the end-to-end test: a private demo data file, tauri-driver, and a WebDriver
session on the real app binary (built with custom-protocol, so it serves the built UI).

Environment:
  SEGMENT_BUILDER_APP   the app binary (default: target/debug/segment-builder-desktop)
  SEGMENT_BUILDER_CLI   the command-line tool (default: target/debug/segment-builder)
  E2E_ARTIFACTS         where screenshots go (default: target/e2e)

The app itself gets (through tauri-driver, which passes its environment on to the app):
  SEGMENT_BUILDER_ALLOW_DIRS   the test's data folder: files written there may be used as if chosen
  SEGMENT_BUILDER_TEST_PICKS   the scripted answers of the native open/save dialogs (which a
                               WebDriver cannot click): helpers.queue_pick appends one
  SEGMENT_BUILDER_SNAPSHOTS    the engine's fast-start copies (also the CLI's): the test's folder
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.options import ArgOptions

from helpers import click, node, present, request_id, settled_count, tid, wait_for

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    path = Path(os.environ.get("E2E_ARTIFACTS", ROOT / "target" / "e2e"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def data_dir():
    """A fresh directory for the app's data: the app generates its demo file there."""
    d = tempfile.mkdtemp(prefix="segment-builder-e2e-")
    # The engine's fast-start copies of the tests' data stay here too, for the app (through
    # tauri-driver's environment) and the command-line tool alike, not in the home's data folder.
    os.environ["SEGMENT_BUILDER_SNAPSHOTS"] = str(Path(d) / "snapshots")
    yield Path(d)
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def app_binary() -> Path:
    binary = Path(os.environ.get("SEGMENT_BUILDER_APP", ROOT / "target" / "debug" / "segment-builder-desktop"))
    if not binary.exists():
        pytest.fail(f"app binary not found: {binary} (build it with scripts/test.sh)")
    return binary.resolve()


@pytest.fixture(scope="session")
def cli_binary() -> Path:
    binary = Path(os.environ.get("SEGMENT_BUILDER_CLI", ROOT / "target" / "debug" / "segment-builder"))
    if not binary.exists():
        pytest.fail(f"CLI binary not found: {binary} (cargo build -p segment-cli)")
    return binary.resolve()


@pytest.fixture(scope="session")
def picks_file(data_dir) -> Path:
    """The scripted answers of the app's open and save dialogs (one line each, taken in order);
    also in this process's environment, where helpers.queue_pick finds it."""
    path = data_dir / "picks.txt"
    path.write_text("")
    os.environ["SEGMENT_BUILDER_TEST_PICKS"] = str(path)
    return path


@pytest.fixture(scope="session")
def outside_dir():
    """A folder of the user's that the app is not allowed to touch until a file there is chosen."""
    d = tempfile.mkdtemp(prefix="segment-builder-e2e-outside-")
    yield Path(d)
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def tauri_driver(data_dir, artifacts, picks_file):
    exe = shutil.which("tauri-driver") or str(Path.home() / ".cargo" / "bin" / "tauri-driver")
    port, native_port = free_port(), free_port()
    env = dict(os.environ)
    # The app reads and (on first start) writes its demo data here, not in the user's data dir.
    env["SEGMENT_BUILDER_DATA"] = str(data_dir / "demo.sqlite")
    env["XDG_DATA_HOME"] = str(data_dir / "xdg")
    # The segment library (saved segments, history, members) too.
    env["SEGMENT_BUILDER_LIBRARY"] = str(data_dir / "library.sqlite")
    # Relationships confirmed in the app go here; the CLI reads the same file (see test_import.py).
    env["SEGMENT_BUILDER_STORE"] = str(data_dir / "sources.json")
    # Files the tests write in their data folder may be used as if chosen; anything else only
    # once picked (the dialogs answer from the picks file) or dropped.
    env["SEGMENT_BUILDER_ALLOW_DIRS"] = str(data_dir)
    env["SEGMENT_BUILDER_TEST_PICKS"] = str(picks_file)
    log = open(artifacts / "tauri-driver.log", "wb")
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--native-port", str(native_port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            with urllib.request.urlopen(url + "/status", timeout=1):
                break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                pytest.fail(f"tauri-driver did not start (see {artifacts / 'tauri-driver.log'})")
            time.sleep(0.2)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def driver(tauri_driver, app_binary):
    options = ArgOptions()
    options.set_capability("browserName", "wry")
    options.set_capability("tauri:options", {"application": str(app_binary)})
    d = webdriver.Remote(command_executor=tauri_driver, options=options)
    d.implicitly_wait(0)
    yield d
    d.quit()


@pytest.fixture
def app(driver):
    """The app with the builder shown (the first start generates the demo data) and empty."""
    wait_for(driver, f'{tid("builder")} {tid("group")}', timeout=180)
    if present(driver, node("/root/children/0")):
        before = request_id(driver)
        click(driver, tid("clear"))
        settled_count(driver, after=before)
    return driver


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def evidence_on_failure(request, artifacts):
    """When a test fails, keeps what the window showed: a screenshot and the page's HTML."""
    yield
    report = getattr(request.node, "report_call", None)
    if report is None or not report.failed or "driver" not in request.fixturenames:
        return
    driver = request.getfixturevalue("driver")
    name = f"FAILED-{request.node.name}"
    try:
        driver.save_screenshot(str(artifacts / f"{name}.png"))
        (artifacts / f"{name}.html").write_text(driver.page_source)
    except Exception as e:  # the evidence is a courtesy: never mask the failure
        print(f"could not keep evidence of {request.node.name}: {e}")
    # A failure can leave a dialog open over the window, which would fail every later test too:
    # start the next one from a freshly loaded page (the data and the library stay).
    try:
        driver.refresh()
    except Exception as e:
        print(f"could not reload the page after {request.node.name}: {e}")
