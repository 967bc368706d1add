"""Signature verification seen from the gateway: one small callable, injected into the app.

The gateway only needs "is this signature over these bytes valid, chained to our anchors, not
revoked, at that time?" plus a machine-readable reason. Keeping that behind a callable lets the
gateway be built and tested independently of ``signing/``, and lets a province plug another
verifier in without touching the HTTP layer.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

# anchor files, CRL files, CRL folder (as str: pickles small and portable)
_Spec = tuple[tuple[str, ...], tuple[str, ...], str | None]

log = logging.getLogger(__name__)

#: (payload, detached CMS DER, claimed signing time) -> (ok, reason code, detail text)
Verifier = Callable[[bytes, bytes, datetime], tuple[bool, str, str]]


def reject_all(reason: str = "untrusted", detail: str = "") -> Verifier:
    """A verifier for a gateway with no trust anchors: refuses everything, loudly."""
    text = detail or "the gateway has no trust anchors configured"

    def verify(payload: bytes, signature: bytes, occurred_at: datetime) -> tuple[bool, str, str]:
        return False, reason, text

    return verify


class SigningVerifier:
    """The production verifier, backed by ``signing.verify.verify_detached`` (its fast path for
    our own CMS template): CMS signature, RFC 5280 chain to the gateway's own anchors, the
    gateway's CRLs.

    ``occurred_at`` is deliberately NOT passed as the validation time: it is asserted by the
    counter, exactly like the CMS signing-time, so it is not a trusted time. Without one,
    ``signing.verify`` checks validity at the signing time and treats any revocation as fatal
    (a back-dated event signed with a stolen key must not pass). An event signed offline by a
    clerk whose certificate was revoked since is therefore rejected (``revoked``) and parked
    for a person to look at, which is the safe side.

    It pickles as its configuration (anchor and CRL files), so a process pool rebuilds the same
    verifier, with its own caches, in every worker (see sync.gateway.checks).
    """

    def __init__(self, anchors: Sequence[Path], crl_files: Sequence[Path] = (),
                 crl_dir: Path | None = None):
        self.spec: _Spec = (tuple(str(a) for a in anchors), tuple(str(c) for c in crl_files),
                     str(crl_dir) if crl_dir else None)
        self._load()

    def _load(self) -> None:
        from signing.trust import TrustStore

        anchors, crl_files, crl_dir = self.spec
        self.trust = TrustStore.from_paths([Path(p) for p in anchors],
                                           Path(crl_dir) if crl_dir else None)
        for crl in crl_files:
            self.trust.add_crl(Path(crl).read_bytes())

    def __getstate__(self) -> dict[str, _Spec]:
        return {"spec": self.spec}

    def __setstate__(self, state: dict[str, _Spec]) -> None:
        self.spec = state["spec"]
        self._load()

    def warm(self) -> None:
        """Import the signing stack now (see sync.gateway.checks.warm)."""
        _verify_detached()

    def __call__(self, payload: bytes, signature: bytes,
                 occurred_at: datetime) -> tuple[bool, str, str]:
        result = _verify_detached()(payload, signature, self.trust)
        if result.ok:
            if result.warnings:
                log.info("signature accepted with warnings %s", ",".join(result.warnings))
            return True, "ok", ""
        code = SIGNING_CODES.get(result.code, result.code or "bad_signature")
        detail = str(result.message_en or "")
        if result.detail:
            detail = f"{detail} ({result.detail})"
        return False, code, detail


@functools.cache
def _verify_detached() -> Callable[..., Any]:
    """signing.verify.verify_detached, imported on first use (the gateway's stub-verifier tests
    never load the signing stack) and then looked up once, not per event."""
    from signing.verify import verify_detached

    return verify_detached


def signing_verifier(
    anchors: Sequence[Path], crl_files: Sequence[Path] = (), crl_dir: Path | None = None
) -> Verifier:
    """The production verifier (see :class:`SigningVerifier`)."""
    return SigningVerifier(anchors, crl_files, crl_dir)


#: signing.verify codes -> push rejection reasons. Passed through unchanged except where the
#: name would be ambiguous next to the gateway's own reasons ("malformed" is the envelope's).
SIGNING_CODES = {"malformed": "signature_malformed"}


def default_verifier(
    anchors: Sequence[Path], crl_files: Sequence[Path] = (), crl_dir: Path | None = None
) -> Verifier:
    """What ``serve`` uses: the signing verifier when anchors are configured, else reject all."""
    if not anchors:
        log.warning("no trust anchors configured: every counter event will be rejected")
        return reject_all()
    return signing_verifier(anchors, crl_files, crl_dir)
