"""sync.heap: freezing the start-up heap keeps the collector working for everything after.

Run in a subprocess: a freeze is for the life of a process (never this test process's)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_PROBE = """
import gc, weakref
from sync.heap import freeze_startup_heap

class Node:
    pass

def cycle():
    a, b = Node(), Node()
    a.other, b.other = b, a
    return weakref.ref(a)

before = cycle()  # start-up garbage: collected by the freeze, never frozen
frozen = freeze_startup_heap("probe")
after = cycle()  # made later: the collector still finds it
gc.collect()
print(frozen, before() is None, after() is None)
"""


def test_freeze_collects_startup_garbage_and_later_cycles() -> None:
    out = subprocess.run([sys.executable, "-c", _PROBE], cwd=ROOT, capture_output=True,
                         text=True, check=True, env={"PYTHONPATH": str(ROOT)}).stdout.split()
    assert int(out[0]) > 1000  # the interpreter's and the module's objects are frozen
    assert out[1:] == ["True", "True"]
