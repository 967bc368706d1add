"""Detect a USB citizen-ID QR scanner typing into the form (Qt-free, so it is unit-tested).

A keyboard-wedge scanner "types" the QR string, e.g. `079190000123||Đặng Thị Hương|12051990|
Nữ|12 Lê Lợi, ...|01012021`, then Enter, a few milliseconds per character, into whatever field
has the focus. A human never types nine or more characters in one fast burst followed by `|`,
so that is the signature: once seen, the keys are swallowed until Enter (or a short silence)
and the whole burst — including what already went into the focused field — is the scan.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

BURST_GAP = 0.1  # seconds between keys that still belong to one burst
MIN_LEAD = 9  # characters before the first '|' (an old 9-digit ID or a 12-digit CCCD)
SILENCE = 0.4  # a scan without Enter ends after this much silence


class Action(enum.Enum):
    PASS = "pass"  # noqa: S105 - an action name, not a secret. Let the key reach the widget
    SNAPSHOT_AND_PASS = "snapshot"  # noqa: S105 - an action name, not a secret; first key of a burst: remember the widget, then pass
    START = "start"  # the burst is a scan: restore the snapshot, swallow this key
    SWALLOW = "swallow"  # part of a scan
    DONE = "done"  # Enter ended a scan: `text` holds it


@dataclass
class ScanDetector:
    burst: list[str] = field(default_factory=list)
    last: float = -1e9
    scanning: bool = False
    text: str = ""

    def feed(self, ch: str, t: float) -> Action:
        """One key press with its text ('\\r' or '\\n' for Enter) at time t (seconds).

        A key press without text (Shift, AltGr, Caps Lock: a scanner in keyboard mode presses
        Shift for `|` and capitals) is not a character: it neither ends nor restarts a burst,
        and does not count for its timing."""
        if not ch:
            return Action.SWALLOW if self.scanning else Action.PASS
        fresh = t - self.last > BURST_GAP
        self.last = t
        enter = ch in ("\r", "\n")
        if self.scanning:
            if enter:
                self.text = "".join(self.burst)
                self.burst, self.scanning = [], False
                return Action.DONE
            self.burst.append(ch)
            return Action.SWALLOW
        if enter:
            self.burst = []
            return Action.PASS
        if fresh:
            self.burst = [ch]
            return Action.SNAPSHOT_AND_PASS
        if ch == "|" and len(self.burst) >= MIN_LEAD:
            self.scanning = True
            self.burst.append(ch)
            return Action.START
        self.burst.append(ch)
        return Action.PASS

    def expire(self, t: float) -> str | None:
        """Called by a timer: a scan that stopped without Enter ends after SILENCE."""
        if self.scanning and t - self.last > SILENCE:
            text = "".join(self.burst)
            self.burst, self.scanning = [], False
            return text
        return None

    def reset(self) -> None:
        self.burst, self.scanning, self.last = [], False, -1e9
