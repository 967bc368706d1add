"""Shared fixtures. Qt runs offscreen; every test gets its own data folder."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if "MOTCUA_LOG_DIR" not in os.environ:  # test runs never write logs into the user's HOME
    import tempfile

    os.environ["MOTCUA_LOG_DIR"] = tempfile.mkdtemp(prefix="motcua-test-logs-")

import pytest  # noqa: E402


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
    """clerk1's demo PKCS#12 signer, checked against the counter's trust anchors."""
    from tests.helpers import demo_signer

    with demo_signer("clerk1", counter) as s:
        yield s


_EXIT = {"status": None}


def pytest_sessionfinish(session, exitstatus):
    _EXIT["status"] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """PySide6 can crash while Python finalises after many windows and qasync loops in one
    process (seen as SIGABRT after every test passed). Once pytest has reported everything,
    leave without running the interpreter's finalisers, keeping pytest's exit status."""
    if _EXIT["status"] is not None and "PySide6.QtWidgets" in sys.modules:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_EXIT["status"])
