"""Start-up objects moved out of the garbage collector's walks.

A long-running process (the gateway, its signature workers, the counter's sync) holds tens of
thousands of objects from its start-up (modules, classes, functions, the app's routes) for its
whole life. Python's oldest-generation collection walks every one of them each time it runs,
and a drain allocates enough to run it often: ~6-7 µs per event in a signature worker and as
much in the gateway's HTTP process (measured with gc callbacks; README, issue 13). Moving
them to the permanent generation once they exist (`gc.freeze`) takes that walk away; reference
counting still frees them, and new objects are collected as before. Only a reference cycle among
the frozen objects would never be collected, so this is done once, after a collection, in a
process that runs one service (never in a test process that builds many apps).
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)


def freeze_startup_heap(who: str) -> int:
    """Collect start-up garbage, then freeze what is left; returns how many objects are now
    frozen (all of them, over every call)."""
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    log.debug("%s: %d start-up objects left out of the garbage collector's walks", who, frozen)
    return frozen
