"""No dossier lost or duplicated: concurrent processes share one store; kill -9 mid-intake."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

from hypothesis import given
from hypothesis import strategies as st

from app.dossier_code import format_code, parse_code
from localdb import audit
from localdb import backup as bk
from localdb.store import Store
from tests.helpers import make_counter, shared_pki

WORKER = r"""
import sys, json
from datetime import datetime
from app import intake
from app.context import open_counter
from app.settings import Settings
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from tests.helpers import dossier_json
from signing.signer import P12Signer
counter = open_counter(Settings(data_dir=Path(sys.argv[1])))
signer = P12Signer.open(sys.argv[4], "demo")
req = intake.parse_request(dossier_json())
n = int(sys.argv[2])
i = 0
while n < 0 or i < n:
    d = intake.receive(counter, req, clerk="lan", signer=signer)
    print(d["code"], flush=True)
    i += 1
"""


def _worker(data_dir, n, cwd):
    p12 = str(shared_pki().clerk("clerk1").p12)
    return subprocess.Popen([sys.executable, "-c", WORKER, str(data_dir), str(n), cwd, p12],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd)


def _assert_whole(data_dir):
    """Every dossier has its event, outbox row and audit entry; nothing half-written."""
    with Store.open(data_dir / "motcua.sqlite3") as s:
        d = s.scalar("SELECT count(*) FROM dossiers")
        assert s.scalar("SELECT count(*) FROM events") == d
        assert s.scalar("SELECT count(*) FROM outbox") == d
        assert s.scalar("SELECT count(*) FROM audit WHERE action = 'dossier.receive'") == d
        assert s.scalar("SELECT count(*) FROM dossiers d LEFT JOIN events e ON e.dossier_id = d.id "
                        "WHERE e.id IS NULL") == 0
        assert bk.integrity_problems(s) == []
        assert audit.verify(s.conn)[1] == []
        codes = [r["code"] for r in s.query("SELECT code FROM dossiers ORDER BY rowid")]
        assert len(codes) == len(set(codes))
        return codes


def test_two_processes_on_one_store_never_share_a_code(data_dir):
    make_counter(data_dir).close()
    cwd = os.getcwd()
    procs = [_worker(data_dir, 15, cwd) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
    printed = [c for out, _ in outs for c in out.split()]
    assert len(printed) == 30 == len(set(printed))
    codes = _assert_whole(data_dir)
    assert sorted(parse_code(c).number for c in codes) == list(range(1, 31))


def test_kill_9_mid_intake_leaves_whole_dossiers_or_nothing(data_dir):
    make_counter(data_dir).close()
    cwd = os.getcwd()
    rng = random.Random(7)
    acknowledged: set[str] = set()
    for _ in range(12):
        p = _worker(data_dir, -1, cwd)
        # wait until it is really saving, then kill at a random moment
        first = p.stdout.readline().strip()
        assert first, p.stderr.read()
        acknowledged.add(first)
        time.sleep(rng.uniform(0.0, 0.3))
        p.send_signal(signal.SIGKILL)
        out, _ = p.communicate()
        acknowledged.update(out.split())
        codes = _assert_whole(data_dir)
        # every code the process printed (i.e. committed) survived
        assert acknowledged <= set(codes)
    assert len(acknowledged) > 12


@given(st.integers(1, 99), st.integers(1, 9999), st.integers(1, 99), st.integers(1, 9999),
       st.dates())
def test_codes_of_different_counters_never_collide(c1, n1, c2, n2, day):
    a = format_code("000.20.27.H57", day, c1, n1)
    b = format_code("000.20.27.H57", day, c2, n2)
    assert (a == b) == ((c1, n1) == (c2, n2))
    p = parse_code(a)
    assert (p.counter, p.number) == (c1, n1)
    assert p.day.strftime("%y%m%d") == day.strftime("%y%m%d")
