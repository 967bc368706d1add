"""Shared fixtures and the suite's guards.

Qt runs offscreen; every test gets its own data folder. Each test process works in its own
private temp folder (``TMPDIR``), removed at the end: a test that leaves anything there fails,
and process-wide caches (demo PKI, templates, the PostgreSQL cluster) live in a cache folder
beside it. A skipped test fails the run unless ``MOTCUA_ALLOW_SKIPS=1``: the test command
installs every tool the tests need, so a skip means a missing install step.
"""

from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_SESSION = Path(tempfile.mkdtemp(prefix="motcua-tests-"))
# PostgreSQL runs as the `postgres` user under root: it must traverse into its cluster folder.
_SESSION.chmod(0o711)
_TMP = _SESSION / "tmp"
_CACHE = _SESSION / "cache"
_TMP.mkdir()
_CACHE.mkdir()
_CACHE.chmod(0o711)
os.environ["TMPDIR"] = str(_TMP)
os.environ["MOTCUA_TEST_CACHE"] = str(_CACHE)
tempfile.tempdir = str(_TMP)
if "MOTCUA_LOG_DIR" not in os.environ:  # test runs never write logs into the user's HOME
    os.environ["MOTCUA_LOG_DIR"] = str(_CACHE / "logs")


def _remove_session() -> None:
    from tests import pg_fixture

    pg_fixture.stop_shared()
    shutil.rmtree(_SESSION, ignore_errors=True)


atexit.register(_remove_session)

import pytest  # noqa: E402

_IGNORED_TMP = ("pytest-of-",)  # pytest's own tmp_path root lives in TMPDIR


def _tmp_entries() -> set[str]:
    return {n for n in os.listdir(_TMP) if not n.startswith(_IGNORED_TMP)}


@pytest.fixture(autouse=True)
def _leaves_no_temp_files():
    """Fail a test that leaves files in the system temp folder (code under test included)."""
    before = _tmp_entries()
    yield
    left = sorted(_tmp_entries() - before)
    if left:
        for name in left:
            p = _TMP / name
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
        pytest.fail(f"left in the system temp folder: {', '.join(left)}", pytrace=False)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A fresh data folder, also exported as MOTCUA_DATA_DIR for subprocesses."""
    d = tmp_path / "data"
    d.mkdir()
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(d))
    monkeypatch.setenv("MOTCUA_LANG", "vi")
    return d


@pytest.fixture
def counter(data_dir):
    """An initialised counter (agency 000.20.27.H57, counter 1, clerk 'lan') trusting the
    shared demo PKI, on a fresh data folder."""
    from tests.helpers import make_counter

    c = make_counter(data_dir)
    yield c
    c.close()


@pytest.fixture
def signer(counter):
    """clerk1's demo PKCS#12 signer, checked against the counter's anchors."""
    from tests.helpers import demo_signer

    with demo_signer("clerk1", counter) as s:
        yield s


@pytest.fixture
def loop(qapp):
    """A qasync loop on the test's QApplication (GUI tests), closed afterwards: a loop left
    open keeps QThreads alive past QApplication and aborts Python at exit."""
    import asyncio

    import qasync

    qapp.setQuitOnLastWindowClosed(False)  # as ui.app.run does
    lp = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(lp)
    yield lp
    try:
        lp.run_until_complete(asyncio.sleep(0))
    finally:
        lp.close()
        asyncio.set_event_loop(None)


@pytest.fixture
def demo(tmp_path):
    """A fresh copy of the prepared demo counter (GUI tests)."""
    from tests.gui_support import demo_copy

    return demo_copy(tmp_path / "data")


_QT_FIXTURES = {"qapp", "qtbot", "qtmodeltester", "qtlog"}


_QT_SOURCE = re.compile(r"^\s*(?:from|import)\s+(?:PySide6|qasync|ui)\b", re.MULTILINE)


@functools.cache
def _module_imports_qt(path: str) -> bool:
    return bool(_QT_SOURCE.search(Path(path).read_text(encoding="utf-8")))


def _uses_qt_in_process(item: pytest.Item) -> bool:
    """The test builds Qt objects in this process (Qt fixtures, or its module imports PySide6,
    qasync or our ui package anywhere, late imports included) rather than only in children."""
    if _QT_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    return _module_imports_qt(str(item.path))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark in-process Qt tests `qt`: scripts/test.sh runs them in one process of their own
    while pytest-xdist spreads the others, so no worker runs Qt's event processing (pytest-qt
    calls processEvents around every test once a QApplication exists) beside unrelated tests."""
    for item in items:
        if _uses_qt_in_process(item):
            item.add_marker(pytest.mark.qt)


_SKIPPED: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _SKIPPED.append(f"{report.nodeid}: {reason}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from tests import pg_fixture

    pg_fixture.stop_shared()  # never leave a PostgreSQL server running after the suite
    if _SKIPPED and os.environ.get("MOTCUA_ALLOW_SKIPS") != "1" and exitstatus == 0:
        tr = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = ["", f"FAILED: {len(_SKIPPED)} test(s) skipped — a tool the tests need is missing.",
                 "Run ./scripts/test.sh (it installs SoftHSM, poppler-utils, zbar-tools, PostgreSQL,"
                 " Xvfb …) or set MOTCUA_ALLOW_SKIPS=1 to accept skips on purpose:",
                 *(f"  {s}" for s in _SKIPPED[:50])]
        if tr is not None:
            for line in lines:
                tr.write_line(line)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
