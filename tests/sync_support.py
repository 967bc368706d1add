"""Helpers for the client-sync tests (no tests in here): a fault-injecting HTTP proxy, a gateway
with the real signature verifier (in a thread or in its own process), and counters full of
really signed dossiers.

The proxy is a real TCP server between the client and the gateway. It parses HTTP/1.1 requests
(Content-Length bodies, keep-alive) and, per request, applies the first matching rule: pass,
reset before the gateway sees the request, reset after the gateway committed (the response is
lost), hold the response past the client's timeout, answer 500/503/429 itself, answer garbage,
answer for events that were not sent, cut an upload mid-body. With no rule left it forwards.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from app import intake, sync_service
from app.context import Counter
from sync.gateway import GatewayConfig, create_app
from sync.gateway.server import GatewayServer, free_port
from sync.gateway.store import Store, open_store
from sync.gateway.verify import signing_verifier
from tests.helpers import (
    cache_dir,
    demo_signer,
    dossier_json,
    gateway_signer,
    make_counter,
    shared_pki,
)

ROOT = Path(__file__).resolve().parent.parent
AGENCY = "000.20.27.H57"
ADMIN_TOKEN = "admin-" + "y" * 40


# ---- fault proxy -----------------------------------------------------------------------------


@dataclass
class Rule:
    action: str
    method: str | None = None
    path: str | None = None
    times: int = 1
    kw: dict[str, Any] = field(default_factory=dict)

    def matches(self, method: str, path: str) -> bool:
        return (self.times > 0 and (self.method is None or self.method == method)
                and (self.path is None or self.path in path))


def _rst(sock: socket.socket) -> None:
    """Close with a TCP RST (SO_LINGER 0): the client sees 'connection reset by peer'."""
    with suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _read_head(f: Any) -> tuple[bytes, list[tuple[str, str]]] | None:
    first = f.readline(65536)
    if not first:
        return None
    headers: list[tuple[str, str]] = []
    raw = first
    while True:
        line = f.readline(65536)
        if not line:
            return None
        raw += line
        if line in (b"\r\n", b"\n"):
            break
        k, _, v = line.decode("latin-1").partition(":")
        headers.append((k.strip().lower(), v.strip()))
    return raw, headers


def _hget(headers: list[tuple[str, str]], name: str) -> str | None:
    for k, v in headers:
        if k == name:
            return v
    return None


class FaultProxy:
    """Threaded HTTP/1.1 proxy with scripted faults; ``upstream`` may change (restarts)."""

    def __init__(self, upstream_port: int, host: str = "127.0.0.1"):
        self.host = host
        self.upstream_port = upstream_port
        self.port = free_port(host)
        self.rules: list[Rule] = []
        self.lock = threading.Lock()
        self.seen: list[tuple[str, str, str]] = []  # (method, path, action)
        self.put_body_bytes = 0  # attachment chunk bytes that reached the proxy
        self._listener: socket.socket | None = None
        self._accept_thread: threading.Thread | None = None
        self._closing = False
        self._conns: set[socket.socket] = set()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # lifecycle
    def start(self) -> FaultProxy:
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((self.host, self.port))
        ls.listen(64)
        self._listener = ls
        self._accept_thread = threading.Thread(target=self._accept, args=(ls,), daemon=True)
        self._accept_thread.start()
        return self

    def refuse(self) -> None:
        """Stop listening: new connections are refused (existing ones are reset)."""
        ls, self._listener = self._listener, None
        if ls is not None:
            ls.close()
        with self.lock:
            conns = list(self._conns)
        for c in conns:
            _rst(c)

    def accept_again(self) -> None:
        if self._listener is None:
            self.start()

    def stop(self) -> None:
        self._closing = True
        self.refuse()

    def add(self, action: str, *, method: str | None = None, path: str | None = None,
            times: int = 1, **kw: Any) -> None:
        with self.lock:
            self.rules.append(Rule(action, method, path, times, kw))

    def pending_rules(self) -> int:
        with self.lock:
            return sum(r.times for r in self.rules)

    def actions(self) -> list[str]:
        with self.lock:
            return [a for _, _, a in self.seen]

    # serving
    def _accept(self, ls: socket.socket) -> None:
        while True:
            try:
                conn, _ = ls.accept()
            except OSError:
                return
            with self.lock:
                self._conns.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _pick(self, method: str, path: str) -> Rule | None:
        with self.lock:
            for r in self.rules:
                if r.matches(method, path):
                    r.times -= 1
                    return r
        return None

    def _serve(self, conn: socket.socket) -> None:
        f = conn.makefile("rb")
        try:
            while True:
                head = _read_head(f)
                if head is None:
                    break
                raw_head, headers = head
                method, path = raw_head.split(b" ", 2)[:2]
                method_s, path_s = method.decode(), path.decode("latin-1")
                length = int(_hget(headers, "content-length") or 0)
                rule = self._pick(method_s, path_s)
                action = rule.action if rule else "pass"
                with self.lock:
                    self.seen.append((method_s, path_s, action))
                if action == "reset_mid_body":
                    keep = min(length, int(rule.kw.get("after", length // 2)))  # type: ignore[union-attr]
                    f.read(keep)
                    if method_s == "PUT":
                        with self.lock:
                            self.put_body_bytes += keep
                    _rst(conn)
                    return
                body = f.read(length) if length else b""
                if method_s == "PUT":
                    with self.lock:
                        self.put_body_bytes += len(body)
                if action == "fail_if_body_has":  # a gateway that breaks on one event
                    assert rule is not None
                    if rule.kw["marker"] in body:
                        payload = b'{"reason": "internal_error", "detail": "injected"}'
                        conn.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: "
                                     b"application/json\r\nContent-Length: "
                                     + str(len(payload)).encode() + b"\r\n\r\n" + payload)
                        continue
                    with self.lock:
                        rule.times += 1  # not consumed by requests without the marker
                if action == "reset_before":
                    _rst(conn)
                    return
                if action == "status":
                    assert rule is not None
                    code = int(rule.kw.get("code", 503))
                    extra = "".join(f"{k}: {v}\r\n" for k, v in rule.kw.get("headers", {}).items())
                    payload = json.dumps({"reason": f"proxy_{code}", "detail": "injected"}).encode()
                    conn.sendall(
                        f"HTTP/1.1 {code} Injected\r\nContent-Type: application/json\r\n"
                        f"Content-Length: {len(payload)}\r\n{extra}\r\n".encode() + payload)
                    continue
                if action == "garbage":
                    payload = b"<html><body>Gateway Timeout (proxy)</body></html>\x00\xff"
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 + f"Content-Length: {len(payload)}\r\n\r\n".encode() + payload)
                    continue
                resp = self._forward(raw_head + body)
                if resp is None:  # upstream down mid-request: the client sees a reset
                    _rst(conn)
                    return
                if action == "reset_after":
                    _rst(conn)
                    return
                if action == "delay":
                    time.sleep(float(rule.kw.get("seconds", 3)))  # type: ignore[union-attr]
                    _rst(conn)
                    return
                if action == "foreign_ids":
                    resp = _rewrite_ids(resp)
                conn.sendall(resp)
        except OSError:
            pass
        finally:
            with self.lock:
                self._conns.discard(conn)
            with suppress(OSError):
                conn.close()

    def _forward(self, request: bytes) -> bytes | None:
        try:
            up = socket.create_connection((self.host, self.upstream_port), timeout=60)
        except OSError:
            return None
        try:
            up.sendall(request)
            uf = up.makefile("rb")
            head = _read_head(uf)
            if head is None:
                return None
            raw_head, headers = head
            status = int(raw_head.split(b" ", 2)[1])
            length = _hget(headers, "content-length")
            if length is not None:
                body = uf.read(int(length))
            elif status in (204, 304):
                body = b""
            else:
                body = uf.read()
            return raw_head + body
        except OSError:
            return None
        finally:
            up.close()


def _rewrite_ids(resp: bytes) -> bytes:
    head, _, body = resp.partition(b"\r\n\r\n")
    try:
        doc = json.loads(body)
        for r in doc.get("results", []):
            r["id"] = str(uuid.uuid4())
    except (ValueError, AttributeError):
        return resp
    new = json.dumps(doc).encode()
    lines = [ln for ln in head.split(b"\r\n") if not ln.lower().startswith(b"content-length")]
    return b"\r\n".join(lines) + f"\r\ncontent-length: {len(new)}\r\n\r\n".encode() + new


# ---- gateways --------------------------------------------------------------------------------


def verifier_paths() -> tuple[list[str], list[str]]:
    pki = shared_pki()
    return [str(pki.root_pem), str(pki.subca_pem)], [str(pki.crl_der)]


def real_verifier() -> Any:
    anchors, crls = verifier_paths()
    return signing_verifier([Path(a) for a in anchors], [Path(c) for c in crls])


@contextmanager
def thread_gateway(data_dir: Path, **server_kw: Any) -> Iterator[tuple[GatewayServer, Store]]:
    """A gateway (real CMS verifier, SQLite) in a thread of this process."""
    data_dir.mkdir(parents=True, exist_ok=True)
    store = open_store(None, data_dir)
    signer = gateway_signer()
    app = create_app(GatewayConfig(data_dir=data_dir, verifier=real_verifier(),
                                   admin_token=ADMIN_TOKEN, store=store, signer=signer))
    server = GatewayServer(app, **server_kw).start()
    try:
        yield server, store
    finally:
        server.stop()
        store.close()
        signer.close()


def install_gateway_signing(data_dir: Path) -> Path:
    """The demo gateway signing certificate where `motcua-gateway` looks for it by default
    (password in $MOTCUA_GATEWAY_SIGNING_PASSWORD, 'demo')."""
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / "gateway-signing.p12"
    shutil.copyfile(shared_pki().gateway.p12, target)
    return target


GATEWAY_SIGNING_ENV = {"MOTCUA_GATEWAY_SIGNING_PASSWORD": "demo"}


_SERVE = """
import sys
from pathlib import Path
import uvicorn
from sync.gateway.app import GatewayConfig, create_app
from sync.gateway.cli import uvicorn_options
from sync.gateway.verify import signing_verifier
from signing.signer import P12Signer
verifier = signing_verifier([Path(a) for a in {anchors!r}], [Path(c) for c in {crls!r}])
signer = P12Signer.open(Path({data!r}) / "gateway-signing.p12", "demo")
app = create_app(GatewayConfig(db_url={db!r}, data_dir=Path({data!r}), verifier=verifier,
                               admin_token={admin!r}, signer=signer))
uvicorn.run(app, **uvicorn_options("127.0.0.1", {port}))
"""


class GatewayProcess:
    """A real gateway process over a SQLite file, restartable on the same port (kill -9)."""

    def __init__(self, data_dir: Path, port: int | None = None):
        self.data_dir = data_dir
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = data_dir / "gateway-process.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> GatewayProcess:
        anchors, crls = verifier_paths()
        install_gateway_signing(self.data_dir)
        code = _SERVE.format(anchors=anchors, crls=crls, db=None, data=str(self.data_dir),
                             admin=ADMIN_TOKEN, port=self.port)
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=str(ROOT),
                                         stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gateway exited: {self.log_path.read_text()[-2000:]}")
            try:
                if requests.get(f"{self.url}/api/v1/health", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("gateway process did not start")
            time.sleep(0.05)

    def kill9(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill9()


# ---- counters --------------------------------------------------------------------------------


def fill(counter: Counter, n: int, *, clerk: str = "clerk1",
         attach: list[Path] | None = None) -> list[str]:
    """Receive ``n`` really signed dossiers (one outbox event each); returns their codes."""
    codes = []
    with demo_signer(clerk) as signer:
        for i in range(n):
            req = intake.parse_request(dossier_json(), attach if i == 0 and attach else ())
            codes.append(intake.receive(counter, req, clerk="lan", signer=signer)["code"])
    return codes


_TEMPLATES: dict[int, Path] = {}


def counter_with(data_dir: Path, n: int) -> Counter:
    """A counter with ``n`` signed dossiers, copied from a per-process template (signing a
    thousand dossiers once, not once per test)."""
    tpl = _TEMPLATES.get(n)
    if tpl is None:
        tpl = cache_dir(f"sync-tpl-{n}-") / "data"
        c = make_counter(tpl)
        fill(c, n)
        c.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        c.close()
        _TEMPLATES[n] = tpl
    if data_dir.exists():
        shutil.rmtree(data_dir)
    shutil.copytree(tpl, data_dir)
    return make_counter(data_dir)


def enrol(counter: Counter, gateway_store: Store, url: str, **kw: Any) -> str:
    """Enrol the counter at the gateway and store the credential at the counter."""
    _, token = gateway_store.enrol(counter.agency_code, counter.counter_no)
    kw.setdefault("gateway_cert_sha256", demo_gateway_sha256())
    sync_service.enrol(counter, url, token=token, **kw)
    return token


def wait_for(pred: Callable[[], bool], timeout: float = 30, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()


def gateway_ids(store: Store) -> list[str]:
    return store.all_event_ids()


def outbox_state(counter: Counter) -> dict[str, int]:
    return {r["state"]: r["n"] for r in counter.store.query(
        "SELECT state, count(*) AS n FROM outbox GROUP BY state")}


_GW_SIGNER: list[Any] = []


def signed_act(gstore: Store, code: str, action: str, note: str | None = None) -> Any:
    """`province_act` signed by the demo gateway certificate (as a configured gateway does)."""
    from sync.gateway.service import province_act

    if not _GW_SIGNER:
        _GW_SIGNER.append(gateway_signer())
    return province_act(gstore, code, action, note, signer=_GW_SIGNER[0])


def demo_gateway_sha256() -> str:
    from cryptography.hazmat.primitives import hashes

    return shared_pki().gateway.cert.fingerprint(hashes.SHA256()).hex()
