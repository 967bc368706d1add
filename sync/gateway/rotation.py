"""The gateway's half of a signing-certificate rotation (format: sync/rotation.py).

``motcua-gateway serve --signing-p12 OLD.p12 --next-signing-p12 NEW.p12 --next-signing-from T``
signs province events with OLD until T and with NEW from T on. At start it publishes the
announcement "NEW replaces OLD from T", signed by OLD, as a file in
``DATA_DIR/gateway-rotations/`` (created once, never rewritten, so every process and every
restart serves the same bytes); ``GET /api/v1/gateway-rotations`` serves every announcement in
that folder, oldest first, so a counter that was offline through several rotations can follow
them one by one, and the old key can leave the configuration once T has passed.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sync.rotation import Announcement, make_announcement, read_announcement, sha256_of
from sync.wire import WireError

log = logging.getLogger(__name__)

ROTATIONS_DIR = "gateway-rotations"


class RotationError(ValueError):
    """A rotation the gateway cannot publish (configuration problem); message for IT."""


@dataclass
class SigningKeys:
    """Which certificate signs province events at a given moment."""

    signer: Any = None  # the certificate counters pin today (signing.signer.Signer)
    next_signer: Any = None  # the one that takes over at `next_from`
    next_from: datetime | None = None
    announcements: list[Announcement] = field(default_factory=list)

    def at(self, now: datetime | None = None) -> Any:
        if self.next_signer is not None and self.next_from is not None \
                and (now or datetime.now(UTC)) >= self.next_from:
            return self.next_signer
        return self.signer


def _name(old_sha: str, new_sha: str) -> str:
    return f"{old_sha[:16]}-to-{new_sha[:16]}.json"


def publish(data_dir: Path, old_signer: Any, new_signer: Any,
            effective_at: datetime) -> Announcement:
    """The announcement for OLD -> NEW (made and written once; an existing one is reused).
    Refuses an existing announcement of the same pair with another effective time: counters
    may already have applied it."""
    old_sha, new_sha = sha256_of(old_signer.certificate), sha256_of(new_signer.certificate)
    if old_sha == new_sha:
        raise RotationError("the next signing certificate is the current one")
    folder = data_dir / ROTATIONS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / _name(old_sha, new_sha)
    if path.is_file():
        existing = read_announcement(json.loads(path.read_text(encoding="utf-8")))
        if existing.effective_at != effective_at.replace(microsecond=0):
            raise RotationError(
                f"{path} already announces this rotation from "
                f"{existing.effective_at.isoformat()}; counters may have applied it. Keep that "
                "time, or remove the file deliberately to announce another one")
        return existing
    ann = make_announcement(old_signer, new_signer.certificate, effective_at,
                            tuple(getattr(new_signer, "chain", ()) or ()))
    tmp = path.with_suffix(".tmp")
    with tmp.open("x", encoding="utf-8") as f:  # exclusive: two processes cannot both write
        f.write(json.dumps(ann.to_json()))
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)
    log.info("rotation announced: %s… replaces %s… from %s", new_sha[:16], old_sha[:16],
             ann.effective_at.isoformat())
    return ann


def load_all(data_dir: Path | None) -> list[Announcement]:
    """Every announcement in DATA_DIR/gateway-rotations, oldest effective time first (a
    damaged file is logged and left out: counters would refuse it anyway)."""
    if data_dir is None or not (data_dir / ROTATIONS_DIR).is_dir():
        return []
    out: list[Announcement] = []
    for path in sorted((data_dir / ROTATIONS_DIR).glob("*.json")):
        try:
            out.append(read_announcement(json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError, WireError) as exc:
            log.error("rotation announcement %s not served: %s", path.name, exc)
    return sorted(out, key=lambda a: a.effective_at)


def signing_keys(data_dir: Path | None, signer: Any, next_signer: Any = None,
                 next_from: datetime | None = None) -> SigningKeys:
    """The gateway's signing configuration: publishes the announcement when a next signer is
    configured, then loads every announcement to serve."""
    if next_signer is not None:
        if signer is None:
            raise RotationError("a next signing certificate needs the current one "
                                "(--signing-p12): only the current key can announce it")
        if next_from is None or next_from.tzinfo is None:
            raise RotationError("--next-signing-from needs a time with its offset, e.g. "
                                "2026-12-15T00:00:00+07:00")
        if data_dir is None:
            raise RotationError("a rotation needs the gateway's data folder")
        publish(data_dir, signer, next_signer, next_from)
    return SigningKeys(signer, next_signer, next_from, load_all(data_dir))
