"""Counting wrong passwords/PINs per key source, so the message can say "wrong attempt N".

A PKCS#11 token counts failures itself but most only expose "count low"/"final try" flags, and
a PKCS#12 file counts nothing; the command line is a new process for every try. So the count is
kept by the caller: in memory for one process (the window), or in a small JSON file in the data
folder for the command line. Keys are opaque digests of the key source (a token's module and
serial, a .p12 file's content), never a secret; a success resets the count.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from pathlib import Path
from typing import Protocol

log = logging.getLogger("motcua.signing.attempts")


class FailureCounter(Protocol):
    def failed(self, key: str) -> int:
        """Record one more wrong secret for `key`; returns the count so far (1, 2, …)."""

    def succeeded(self, key: str) -> None:
        """The secret was right: start counting again."""


def source_key(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else p.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:32]


class MemoryCounter:
    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def failed(self, key: str) -> int:
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + 1
            return self._counts[key]

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)


class FileCounter:
    """Counts kept in a JSON file (mode 0600), for processes that live for one try."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def _load(self) -> dict[str, int]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return {str(k): int(v) for k, v in data.items()} if isinstance(data, dict) else {}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, TypeError) as exc:
            log.warning("ignoring unreadable attempt counts %s: %s", self.path, exc)
            return {}

    def _save(self, counts: dict[str, int]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(counts, f)
            tmp.replace(self.path)
        except OSError as exc:  # counting is a courtesy: never block signing over it
            log.warning("cannot keep attempt counts in %s: %s", self.path, exc)

    def failed(self, key: str) -> int:
        with self._lock:
            counts = self._load()
            counts[key] = counts.get(key, 0) + 1
            self._save(counts)
            return counts[key]

    def succeeded(self, key: str) -> None:
        with self._lock:
            counts = self._load()
            if counts.pop(key, None) is not None:
                self._save(counts)


#: the default for callers that pass nothing (one process, e.g. the window)
PROCESS_COUNTER = MemoryCounter()
