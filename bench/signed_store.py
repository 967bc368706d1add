"""A counter store of N really signed dossiers, generated in bulk (for bench_verify at 100,000 and
1,000,000 dossiers, where the real intake path at ~100 dossiers/s would take hours).

    python bench/signed_store.py --dossiers 100000      # -> bench/out/signed-100000/

One dossier is received through the real `app.intake.receive` (clerk "lan", demo PKI); it is the
template of the data. Every further dossier gets its own id, code, event id and times, and its
own v2 event body with the counter chain (``counter_seq``/``counter_prev``) and the signed
``audit_head`` continuing exactly as intake writes them, canonicalised with the real
`signing.canonical.canonical_bytes` and signed — each payload separately — by the real
`P12Signer` of the clerk in a process pool sized to the cores. The audit rows are chained with
the real row hash, the outbox holds every event, and `code_sequences` holds each day's
high-water mark, so `motcua verify` checks every signature, every chain and every cross-check
of the generated store like any other (the benchmark asserts it reports no problem).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from pathlib import Path

import uuid6

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
PER_DAY = 9000  # a counter numbers at most 9,999 dossiers a day
CHUNK = 5000

_signer = None


def _init(p12: str, password: str) -> None:
    global _signer
    from signing.signer import P12Signer

    _signer = P12Signer.open(Path(p12), password)


def _sign(payload: bytes) -> bytes:
    return _signer.sign(payload)  # type: ignore[union-attr]


def generate(n: int, *, workers: int | None = None) -> Path:
    """bench/out/signed-N/ (data/ = the counter folder, pki/ = its demo PKI); made once."""
    tpl = OUT / f"signed-{n}"
    if (tpl / "done").exists():
        return tpl
    from app import evidence, intake
    from app.domain import now_vn
    from localdb import audit
    from localdb.search import search_text
    from signing.canonical import canonical_bytes
    from tests.helpers import P12_PASSWORD, demo_signer, dossier_json, make_counter, shared_pki

    if tpl.exists():
        shutil.rmtree(tpl)
    t0 = time.perf_counter()
    print(f"generating {n:,} signed dossiers into {tpl} (once) …", flush=True)
    c = make_counter(tpl / "data")
    start = now_vn().replace(microsecond=0, second=0, minute=0, hour=7) - timedelta(days=1 + n // PER_DAY)
    with demo_signer() as signer:
        # `now` = the template's own day: the late-entry window (60 days) is shorter than the
        # ~110 days a million dossiers span at 9,000 a day
        intake.receive(c, intake.parse_request(dossier_json(received_at=start.isoformat())),
                       clerk="lan", signer=signer, now=start + timedelta(hours=1))
        fields = evidence.signer_fields(signer)
    conn = c.store.conn
    conn.execute("PRAGMA synchronous=OFF")  # generation only; verify reads a checkpointed file
    row = dict(zip([d[0] for d in conn.execute("SELECT * FROM dossiers").description],
                   conn.execute("SELECT * FROM dossiers").fetchone(), strict=True))
    row.pop("rowid", None)  # an alias of the table's rowid: numbered by SQLite
    ev = conn.execute("SELECT actor, recorded_at, CAST(payload AS BLOB) FROM events").fetchone()
    actor, recorded_at = ev[0], ev[1]
    body0 = json.loads(ev[2])
    arow = conn.execute("SELECT at, actor, counter, action FROM audit ORDER BY seq DESC LIMIT 1"
                        ).fetchone()
    (day_key, _last), = conn.execute("SELECT day, last FROM code_sequences").fetchall()
    cseq, cprev = evidence.counter_head(conn)
    head = evidence.audit_head(conn)
    aseq, ahash = head["seq"], head["hash"]
    agency, counter_no = c.agency_code, c.counter_no
    days: dict[str, int] = {day_key: 1}
    p12 = str(shared_pki().clerk("clerk1").p12)
    done = 1
    with ProcessPoolExecutor(workers or os.cpu_count() or 1, initializer=_init,
                             initargs=(p12, P12_PASSWORD)) as pool:
        while done < n:
            batch = range(done, min(n, done + CHUNK))
            dossiers, events, audits = [], [], []
            for k in batch:
                day = start + timedelta(days=k // PER_DAY)
                number = k % PER_DAY + 1
                received = (day + timedelta(seconds=number)).isoformat()
                code = f"{agency}-{day:%y%m%d}-{counter_no:02d}{number:04d}"
                days[f"{day:%Y-%m-%d}" if "-" in day_key else f"{day:%y%m%d}"] = number
                did, eid = str(uuid6.uuid7()), str(uuid6.uuid7())  # as app/intake.py mints them
                data = copy.deepcopy(body0["data"])
                data.update(id=did, code=code, received_at=received,
                            appointment_at=(day + timedelta(days=1, hours=10)).isoformat())
                body = {**body0, "id": eid, "dossier_id": did, "dossier_code": code,
                        "occurred_at": received, "signer": fields, "dossier_prev": None,
                        "counter_seq": cseq + 1, "counter_prev": cprev,
                        "audit_head": {"seq": aseq, "hash": ahash}, "data": data}
                payload = canonical_bytes(body)
                cseq, cprev = cseq + 1, evidence.event_hash(payload)
                dossiers.append({**row, "id": did, "code": code, "received_at": received,
                                 "appointment_at": data["appointment_at"],
                                 "data": json.dumps(data, ensure_ascii=False, sort_keys=True),
                                 "search_text": search_text(
                                     applicant_name=row["applicant_name"],
                                     citizen_id=row["citizen_id"], phone=row["phone"],
                                     code=code)})
                events.append((eid, did, received, payload))
                detail = json.dumps({"dossier_id": did, "event_id": eid, "received_at": received,
                                     "signer_sha256": fields.get("sha256", "")},
                                    ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                aseq += 1
                digest = audit._row_hash(ahash, aseq, arow[0], arow[1], arow[2],
                                         arow[3], code, detail)
                audits.append((aseq, arow[0], arow[1], arow[2], arow[3], code, detail, ahash,
                               digest))
                ahash = digest
            sigs = list(pool.map(_sign, [e[3] for e in events], chunksize=100))
            cols = list(row)
            conn.execute("BEGIN")
            conn.executemany(f"INSERT INTO dossiers ({', '.join(cols)}) VALUES "  # noqa: S608
                             f"({', '.join('?' * len(cols))})",  # the table's own column names
                             [tuple(d[k] for k in cols) for d in dossiers])
            conn.executemany(
                "INSERT INTO events (id, dossier_id, type, occurred_at, origin, actor, payload, "
                "signature, recorded_at) VALUES (?, ?, 'received', ?, 'counter', ?, ?, ?, ?)",
                [(e, d, o, actor, p, s, recorded_at) for (e, d, o, p), s in zip(events, sigs,
                                                                                strict=True)])
            conn.executemany("INSERT INTO outbox (event_id, state, attempts, created_at) "
                             "VALUES (?, 'pending', 0, ?)", [(e[0], recorded_at) for e in events])
            conn.executemany("INSERT INTO audit (seq, at, actor, counter, action, subject, "
                             "detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", audits)
            conn.execute("COMMIT")
            done = batch.stop
            rate = (done - 1) / (time.perf_counter() - t0)
            print(f"  {done:,} / {n:,} ({rate:,.0f} dossiers/s)", flush=True)
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO code_sequences (day, last) VALUES (?, ?) "
                     "ON CONFLICT (day) DO UPDATE SET last = excluded.last", list(days.items()))
    conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE "
                 "SET value = excluded.value", (audit.HEAD_KEY, f"{aseq}:{ahash}"))
    conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE "
                 "SET value = excluded.value",
                 (evidence.META_COUNTER_HEAD, json.dumps({"seq": cseq, "hash": cprev})))
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.close()
    shutil.copytree(shared_pki().out_dir, tpl / "pki")
    (tpl / "done").write_text("ok")
    print(f"generated in {time.perf_counter() - t0:.0f} s", flush=True)
    return tpl


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dossiers", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args()
    generate(args.dossiers, workers=args.workers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
