"""A throw-away PostgreSQL cluster for tests and benchmarks.

Started once per process from the system's server binaries (``initdb`` + ``pg_ctl``) in a temp
folder, listening on 127.0.0.1 on a free port, stopped at exit. PostgreSQL refuses to run as
root, so as root (CI) the cluster is created and run as the ``postgres`` system user via
``runuser``. With ``MOTCUA_TEST_PG_URL`` set (an admin URL to an existing server) that server is
used instead. Each caller gets a fresh database from :func:`fresh_database_url`.
"""

from __future__ import annotations

import atexit
import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import uuid
from pathlib import Path

import pytest

PG_URL_ENV = "MOTCUA_TEST_PG_URL"
_lock = threading.Lock()
_cluster: PgCluster | None = None


def _bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgCluster:
    """A running server; ``admin_url`` connects as the superuser to database ``postgres``."""

    def __init__(self, admin_url: str, stop: callable | None = None,  # type: ignore[valid-type]
                 data: Path | None = None):
        self.admin_url = admin_url
        self._stop = stop
        self.data = data  # the data folder of a cluster started here (None: external server)

    def server_cpu(self) -> float:
        """CPU seconds (user + system) the server has used so far: the postmaster, its live
        processes, and the backends that already exited (Linux /proc; 0 when unknown)."""
        return sum(self.server_cpu_by_kind().values())

    def server_cpu_by_kind(self) -> dict[str, float]:
        """`server_cpu` by kind of process: "backend" (client connections), each auxiliary
        process by its title (walwriter, checkpointer, autovacuum worker, ...), "postmaster"
        (its own time) and "exited" (children it has reaped, e.g. autovacuum workers that
        ended). Empty when unknown (an external server, not Linux)."""
        out: dict[str, float] = {}
        if self.data is None:
            return out
        try:
            pm = int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return out
        tick = os.sysconf("SC_CLK_TCK")
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open(f"/proc/{d}/stat", "rb") as f:
                    parts = f.read().rsplit(b")", 1)[1].split()
                if int(d) != pm and int(parts[1]) != pm:
                    continue
                with open(f"/proc/{d}/cmdline", "rb") as f:
                    title = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
            except OSError:
                continue
            if int(d) == pm:
                out["postmaster"] = out.get("postmaster", 0.0) + (int(parts[11]) + int(parts[12])) / tick
                out["exited"] = out.get("exited", 0.0) + (int(parts[13]) + int(parts[14])) / tick
                continue
            kind = title.removeprefix("postgres: ")
            if re.match(r"\S+ \S+ (127\.0\.0\.1|\[local\]|::1)", kind):
                kind = "backend"
            elif kind.startswith("autovacuum worker"):
                kind = "autovacuum worker"
            out[kind] = out.get(kind, 0.0) + (int(parts[11]) + int(parts[12])) / tick
        return out

    def url_for(self, dbname: str) -> str:
        base, _, _ = self.admin_url.rpartition("/")
        return f"{base}/{dbname}"

    def create_database(self, name: str | None = None) -> str:
        import psycopg

        name = name or f"motcua_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url_for(name)

    def pause(self) -> None:
        raise NotImplementedError("only clusters started by start_cluster() can be paused")

    def resume(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        if self._stop:
            self._stop()
            self._stop = None


def _as_pg_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


def start_cluster(*, durable: bool = False, settings: dict[str, str] | None = None
                  ) -> PgCluster:
    """Start a new cluster. ``durable=False`` turns fsync off (fast tests); benchmarks pass
    True so commits really reach the disk. ``settings``: more server settings (``-c``)."""
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not initdb or not pg_ctl:
        raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    root = os.geteuid() == 0
    if root:
        import pwd

        try:
            pw = pwd.getpwnam("postgres")
        except KeyError as exc:
            raise FileNotFoundError("running as root and no 'postgres' system user") from exc
    cache = os.environ.get("MOTCUA_TEST_CACHE")  # the test session's folder, removed at its end
    base = Path(tempfile.mkdtemp(prefix="motcua-pg-", dir=cache))
    if root:
        os.chown(base, pw.pw_uid, pw.pw_gid)
    data = base / "data"
    port = _free_port()
    subprocess.run(
        _as_pg_user([initdb, "-D", str(data), "--auth=trust", "--username=postgres",
                     "--encoding=UTF8", "--no-sync"]),
        check=True, capture_output=True,
    )
    opts = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c max_connections=300"
    if not durable:
        opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    for key, value in (settings or {}).items():
        if not re.fullmatch(r"[a-z_.]+", key) or not re.fullmatch(r"[A-Za-z0-9_.,]+", value):
            raise ValueError(f"bad server setting {key}={value}")
        opts += f" -c {key}={value}"
    subprocess.run(
        _as_pg_user([pg_ctl, "-D", str(data), "-o", opts, "-l", str(base / "server.log"),
                     "-w", "-t", "60", "start"]),
        check=True, capture_output=True,
    )

    def stop() -> None:
        subprocess.run(_as_pg_user([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)

    def pause() -> None:  # crash-stop the server, keep its data (fault tests)
        subprocess.run(_as_pg_user([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
                       check=True, capture_output=True)

    def resume() -> None:
        subprocess.run(
            _as_pg_user([pg_ctl, "-D", str(data), "-o", opts, "-l", str(base / "server.log"),
                         "-w", "-t", "60", "start"]),
            check=True, capture_output=True,
        )

    cluster = PgCluster(f"postgresql://postgres@127.0.0.1:{port}/postgres", stop, data)
    cluster.pause, cluster.resume = pause, resume  # type: ignore[method-assign]
    return cluster


def shared_cluster() -> PgCluster:
    """The process-wide test cluster (started on first use); skips the test when impossible."""
    global _cluster
    with _lock:
        if _cluster is None:
            env = os.environ.get(PG_URL_ENV)
            if env:
                _cluster = PgCluster(env)
            else:
                try:
                    _cluster = start_cluster()
                except FileNotFoundError as exc:
                    pytest.skip(f"PostgreSQL not available: {exc}")
                atexit.register(_cluster.stop)
        return _cluster


def stop_shared() -> None:
    """Stop the process-wide cluster now (the suite's end; idempotent)."""
    global _cluster
    with _lock:
        if _cluster is not None:
            _cluster.stop()
            _cluster = None


def fresh_database_url() -> str:
    """A new, empty database on the shared cluster."""
    return shared_cluster().create_database()
