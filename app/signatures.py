"""Re-verifying the store and exporting evidence for an outside party.

`verify_store` checks, for every dossier: each counter event's CMS signature over its exact
stored bytes (chain, validity at signing time, key usage, revocation — by signing.verify), that
the event's columns match its signed body, and that the dossier row, its attachments and its
status are exactly what the signed events say. Any single changed byte in those tables is
therefore reported, naming the dossier.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from app.context import Counter
from app.errors import UserError
from app.status import derive_status
from app.trust import load_trust
from localdb import dossiers as repo
from localdb.search import search_text

log = logging.getLogger(__name__)

# Projection columns and where they come from in the signed `received` body.
_PROJECTION = {
    "code": lambda d: d["code"],
    "procedure_code": lambda d: d["procedure"]["code"],
    "procedure_name": lambda d: d["procedure"]["name"],
    "applicant_name": lambda d: d["applicant"]["full_name"],
    "citizen_id": lambda d: d["applicant"].get("citizen_id") or "",
    "phone": lambda d: d["applicant"].get("phone") or "",
    "channel": lambda d: d["channel"],
    "received_at": lambda d: d["received_at"],
    "clerk": lambda d: d["clerk"]["username"],
}

_PROBLEM_TEXT = {
    "unsigned": ("sự kiện của quầy không có chữ ký", "counter event has no signature"),
    "body_mismatch": ("cột của sự kiện khác nội dung đã ký", "event columns differ from the signed body"),
    "payload_unreadable": ("nội dung đã ký không đọc được", "signed body is unreadable"),
    "row_mismatch": ("dữ liệu hồ sơ khác nội dung đã ký", "dossier row differs from the signed data"),
    "attachments_mismatch": ("danh sách tệp đính kèm khác nội dung đã ký",
                             "attachment list differs from the signed data"),
    "status_mismatch": ("trạng thái khác trạng thái suy ra từ sự kiện",
                        "status differs from the one derived from events"),
    "no_receipt": ("hồ sơ không có sự kiện tiếp nhận", "dossier has no received event"),
}


@dataclass
class VerifyReport:
    dossiers: int = 0
    signatures: int = 0
    problems: list[dict] = field(default_factory=list)  # {code, event_id, problem, message_vi, message_en}
    warnings: set[str] = field(default_factory=set)
    notes: dict[str, tuple[str, str]] = field(default_factory=dict)  # warning -> (vi, en) words
    timestamped: int = 0  # counter signatures with a verified RFC 3161 time proof
    not_timestamped: list[str] = field(default_factory=list)  # dossier codes awaiting a token

    @property
    def bad_dossiers(self) -> list[str]:
        return sorted({p["code"] for p in self.problems})


def _problem(report: VerifyReport, code: str, event_id: str | None, problem: str,
             vi: str | None = None, en: str | None = None, detail: str = "") -> None:
    dvi, den = _PROBLEM_TEXT.get(problem, (problem, problem))
    report.problems.append({"code": code, "event_id": event_id, "problem": problem,
                            "message_vi": vi or dvi, "message_en": en or den, "detail": detail})


def verify_store(counter: Counter) -> VerifyReport:
    """Every dossier of the store (see the module docstring)."""
    return _verify(counter, None)


def verify_dossier(counter: Counter, code: str) -> VerifyReport:
    """One dossier, for the detail screen's "check signatures" (no whole-store scan)."""
    report = _verify(counter, code.strip().upper())
    if report.dossiers == 0:
        raise UserError(f"Không tìm thấy hồ sơ '{code}'.", f"Dossier '{code}' not found.",
                        code="not_found")
    return report


def _verify(counter: Counter, code: str | None) -> VerifyReport:
    from signing.verify import verify_detached

    trust = load_trust(counter.settings)
    report = VerifyReport()
    with counter.store._lock:  # noqa: SLF001 - consistent read of the whole store
        conn = counter.store.conn
        if code is None:
            dossier_rows = conn.execute("SELECT * FROM dossiers ORDER BY rowid")
        else:
            dossier_rows = conn.execute("SELECT * FROM dossiers WHERE code = ?", (code,))
        cols = [c[0] for c in dossier_rows.description]
        for raw in dossier_rows.fetchall():
            _verify_one(conn, dict(zip(cols, raw, strict=True)), trust, report, verify_detached)
    return report


def _verify_one(conn, row: dict, trust, report: VerifyReport, verify_detached) -> None:  # noqa: ANN001
    report.dossiers += 1
    code = row["code"]
    events = repo.events_of(conn, row["id"])
    tsts = repo.time_stamps_of(conn, row["id"])
    received = None
    appointment = None
    for ev in events:
        try:
            body = json.loads(ev["payload"])
        except (ValueError, UnicodeDecodeError):
            _problem(report, code, ev["id"], "payload_unreadable")
            continue
        expected = {"id": ev["id"], "dossier_id": row["id"], "type": ev["type"],
                    "occurred_at": ev["occurred_at"], "actor": ev["actor"]}
        if any(body.get(k) != v for k, v in expected.items()):
            _problem(report, code, ev["id"], "body_mismatch")
        if ev["origin"] == "counter":
            if ev["signature"] is None:
                _problem(report, code, ev["id"], "unsigned")
            else:
                report.signatures += 1
                tst = tsts.get(ev["id"])
                res = verify_detached(bytes(ev["payload"]), bytes(ev["signature"]), trust,
                                      tst=tst)
                report.warnings.update(res.warnings)
                report.notes.update(res.notes)
                if res.time_proof is not None:
                    report.timestamped += 1
                elif tst is None and len(report.not_timestamped) < 10_000:
                    report.not_timestamped.append(code)  # not yet sent/answered: not invalid
                if not res.ok:
                    _problem(report, code, ev["id"], res.code, res.message_vi,
                             res.message_en, res.detail)
        if ev["type"] == "received" and received is None:
            received = body.get("data")
            appointment = (received or {}).get("appointment_at")
        elif ev["type"] == "supplement_received" and ev["origin"] == "counter":
            appointment = (body.get("data") or {}).get("appointment_at") or appointment
    if received is None:
        _problem(report, code, None, "no_receipt")
        return
    try:
        stored = json.loads(row["data"])
        mismatch = stored != received or any(
            row[c] != f(received) for c, f in _PROJECTION.items())
        mismatch = mismatch or row["appointment_at"] != appointment
        mismatch = mismatch or row["search_text"] != search_text(
            applicant_name=row["applicant_name"], citizen_id=row["citizen_id"],
            phone=row["phone"], code=row["code"])
    except (ValueError, KeyError, TypeError):
        mismatch = True
    if mismatch:
        _problem(report, code, None, "row_mismatch")
    atts = {(a["sha256"], a["name"], a["media_type"], a["size"])
            for a in repo.attachments_of(conn, row["id"])}
    signed_atts = {(a["sha256"], a["name"], a["media_type"], a["size"])
                   for a in received.get("attachments", [])}
    if atts != signed_atts:
        _problem(report, code, None, "attachments_mismatch")
    if int(derive_status(events).status) != row["status"]:
        _problem(report, code, None, "status_mismatch")


def export_dossier(counter: Counter, code: str, out_dir: Path) -> list[Path]:
    """Write each event's canonical bytes, its .p7s, the certificates and a how-to, so an
    outside party can check everything with openssl alone."""
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

    with counter.store._lock:  # noqa: SLF001
        row = repo.get(counter.store.conn, code=code.strip())
        if row is None:
            raise UserError(f"Không tìm thấy hồ sơ '{code}'.", f"Dossier '{code}' not found.",
                            code="not_found")
        events = repo.events_of(counter.store.conn, row["id"])
        tsts = repo.time_stamps_of(counter.store.conn, row["id"])
    folder = Path(out_dir) / row["code"]
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    chain: dict[bytes, bytes] = {}
    lines = [
        f"Hồ sơ / Dossier {row['code']}",
        "",
        "Kiểm tra chữ ký bằng OpenSSL / Verify each signature with OpenSSL:",
    ]
    for i, ev in enumerate(events, 1):
        stem = f"{i:02d}-{ev['type']}"
        data = folder / f"{stem}.json"
        data.write_bytes(bytes(ev["payload"]))
        written.append(data)
        if ev["signature"] is not None:
            sig = folder / f"{stem}.p7s"
            cms_der = bytes(ev["signature"])
            token = tsts.get(ev["id"])
            if token is not None:  # RFC 3161 token as the unsigned signatureTimeStampToken
                from signing.tsa import signature_value, with_timestamp

                cms_der = with_timestamp(cms_der, bytes(token))
                tst_file = folder / f"{stem}.tst"
                tst_file.write_bytes(bytes(token))
                written.append(tst_file)
                sv_digest = hashlib.sha256(signature_value(cms_der)).hexdigest()
            sig.write_bytes(cms_der)
            written.append(sig)
            for cert in pkcs7.load_der_pkcs7_certificates(bytes(ev["signature"])):
                chain[cert.fingerprint(cert.signature_hash_algorithm or _sha256())] = \
                    cert.public_bytes(Encoding.PEM)
            lines.append(f"  openssl cms -verify -binary -inform DER -in {stem}.p7s "
                         f"-content {stem}.json -CAfile root.pem -purpose any -out /dev/null")
            if token is not None:
                lines.append(f"  openssl ts -verify -in {stem}.tst -token_in -digest {sv_digest} "
                             "-CAfile root.pem")
        else:
            lines.append(f"  ({stem}: sự kiện từ tỉnh, không có chữ ký của quầy / province event, "
                         "not signed by the counter)")
    if chain:
        p = folder / "chain.pem"
        p.write_bytes(b"".join(chain.values()))
        written.append(p)
    anchors = b"".join(f.read_bytes() for f in _anchor_pems(counter))
    if anchors:
        p = folder / "root.pem"
        p.write_bytes(anchors)
        written.append(p)
    readme = folder / "VERIFY.txt"
    readme.write_text("\n".join(lines) + "\n", encoding="utf-8")
    written.append(readme)
    return written


def _sha256():
    from cryptography.hazmat.primitives import hashes

    return hashes.SHA256()


def _anchor_pems(counter: Counter) -> list[Path]:
    from app.trust import anchor_files

    return [p for p in anchor_files(counter.settings) if p.suffix.lower() in (".pem", ".crt")]
