"""The packaged build, for real: PyInstaller builds the bundle from packaging/motcua.spec, then
the bundle runs its self-test offscreen with an empty HOME, opens a store made by the oldest
schema, stays within the size budget and starts about as fast as the source.

Slow (about a minute to build on 2 cores), so the build is cached: the key is a hash of the
spec, the build scripts and every source/data file that goes into the bundle, plus the Python,
PyInstaller and PySide6 versions. A cache hit (build/bundle-cache/<key>/, or
$MOTCUA_BUNDLE_CACHE/<key>/) skips the build; one build per session otherwise.
Needs PyInstaller (the `build` extra): skipped with a message when it is not installed.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest

# slow; and one xdist worker builds and uses the cached bundle (--dist loadgroup)
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("bundle")]

ROOT = Path(__file__).resolve().parent.parent
SIZE_BUDGET_MB = 170  # as packaging/build.py (150 before pydantic, Pillow and pypdf)
INPUT_DIRS = ("app", "ui", "localdb", "signing", "sync", "packaging")
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def _cache_key() -> str:
    from importlib import metadata

    h = hashlib.sha256()
    for name in ("pyinstaller", "PySide6-Essentials"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            h.update(f"{name}={metadata.version(name)}\n".encode())
    h.update(sys.version.encode())
    files = [ROOT / "pyproject.toml"]
    for d in INPUT_DIRS:
        files += [p for p in (ROOT / d).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    for p in sorted(files):
        h.update(str(p.relative_to(ROOT)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:16]


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """The dist folder holding motcua/ and the .tar.gz (built once, or reused from the cache)."""
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        pytest.skip("PyInstaller is not installed: pip install -e '.[build]' "
                    "(scripts/test.sh must install the build extra for CI)")
    cache_root = Path(os.environ.get("MOTCUA_BUNDLE_CACHE") or ROOT / "build" / "bundle-cache")
    cache_root.mkdir(parents=True, exist_ok=True)
    dist = cache_root / _cache_key()
    exe = dist / "motcua" / ("motcua.exe" if sys.platform == "win32" else "motcua")
    with open(cache_root.parent / "bundle-cache.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one build at a time, whatever runs the tests
        _build_once(cache_root, dist, exe)
    return dist


def _build_once(cache_root: Path, dist: Path, exe: Path) -> None:
    if not (exe.exists() and (dist / "motcua-build.json").exists()):
        if cache_root.exists():  # keep only the newest build: each is ~150 MB
            for old in cache_root.iterdir():
                shutil.rmtree(old, ignore_errors=True)
        work = cache_root.parent / "pyinstaller-work"
        out = subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"),
                              "--dist", str(dist), "--work", str(work)],
                             cwd=ROOT, capture_output=True, text=True, timeout=1500)
        assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-5000:]


@pytest.fixture(scope="session")
def exe(built) -> Path:
    return built / "motcua" / ("motcua.exe" if sys.platform == "win32" else "motcua")


def empty_env(home: Path, **extra: str) -> dict[str, str]:
    """Like a fresh PC account: empty HOME, no Python paths, no MOTCUA_* settings."""
    home.mkdir(parents=True, exist_ok=True)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
           "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(home.parent)}
    if sys.platform == "win32":
        env = {**os.environ, "USERPROFILE": str(home), "LOCALAPPDATA": str(home / "AppData"),
               "QT_QPA_PLATFORM": "offscreen"}
        env = {k: v for k, v in env.items() if not k.startswith(("MOTCUA_", "PYTHON"))}
    env.update(extra)
    return env


def run(exe: Path, *args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(exe), *args], env=env, cwd=cwd, capture_output=True, timeout=300,
                          encoding="utf-8", errors="replace")


def test_bundle_self_test_passes_offscreen_with_an_empty_home(exe, tmp_path):
    home = tmp_path / "home"
    out = run(exe, "--self-test", env=empty_env(home), cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"MotCua Counter {VERSION} (bundle)" in out.stdout  # version stamped from pyproject
    assert "✘" not in out.stdout and out.stdout.count("✔") >= 12
    for needle in ("Qt 6", "PKI demo", "ĐđƯưƠơẠạỹ", "60 thủ tục", "34 tỉnh/thành phố, 3321",
                   "phông đã nhúng", "FTS5", "cổng demo http://127.0.0.1"):
        assert needle in out.stdout, needle
    assert not list(home.rglob("motcua.sqlite3"))  # the real data folder is left alone


def test_bundle_self_test_fails_on_broken_site_configuration(exe, tmp_path):
    site = tmp_path / "motcua.toml"
    site.write_text("idle_lock_minutes = 0\n", encoding="utf-8")
    out = run(exe, "--self-test", env=empty_env(tmp_path / "home", MOTCUA_SITE_CONFIG=str(site)),
              cwd=tmp_path)
    assert out.returncode == 1
    assert "✘ Cấu hình" in out.stdout and "idle_lock_minutes" in out.stdout


def test_bundle_cli_works_without_the_source_tree(exe, tmp_path):
    env = empty_env(tmp_path / "home")
    data = tmp_path / "data"
    out = run(exe, "--data-dir", str(data), "init", "--agency-code", "000.20.27.H57",
              "--counter", "3", env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    out = run(exe, "--data-dir", str(data), "catalogue", "list", "--json", env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count('"code"') >= 30


def test_bundle_upgrades_a_store_made_by_the_oldest_schema(exe, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(ROOT / "tests" / "data" / "store-v1.sqlite3", data / "motcua.sqlite3")
    out = run(exe, "--data-dir", str(data), "search", "dang thi huong", "--json",
              env=empty_env(tmp_path / "home"), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "Đặng Thị Hương" in out.stdout
    assert len(list((data / "backups").glob("motcua-v1-before-v*.sqlite3"))) == 1


def test_bundle_size_budget_and_filtered_qt(built):
    bundle = built / "motcua"
    files = [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()]
    size_mb = sum(p.stat().st_size for p in files) / 1e6
    print(f"bundle: {size_mb:.1f} MB in {len(files)} files")
    assert size_mb <= SIZE_BUDGET_MB
    names = [p.name for p in files]
    for unused in ("Qt6Quick", "Qt6Qml", "Qt6Pdf", "Qt6WebEngine", "Qt63D", "Qt6Multimedia",
                   "Qt6Network", "Qt6Designer"):
        assert not [n for n in names if unused in n], unused
    platforms = sorted(p.name for p in files if p.parent.name == "platforms")
    assert platforms and all(any(k in n for k in ("offscreen", "xcb", "windows", "cocoa"))
                             for n in platforms), platforms
    data = {p.relative_to(bundle).as_posix() for p in files}
    for needed in ("_internal/app/data/procedures.json", "_internal/ui/fonts/DejaVuSans.ttf",
                   "_internal/vietnam_provinces/data/flat-divisions.json",
                   "_internal/certifi/cacert.pem"):
        assert needed in data, needed
    # the demo's loopback gateway is inside (issue 15); the province's PostgreSQL driver is not
    assert not any(d.startswith("_internal/psycopg") for d in data)
    assert "_internal/motcua-versions.json" in data


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux archive")
def test_linux_tarball_has_desktop_entry_icon_and_installer(built):
    tars = list(built.glob(f"motcua-{VERSION}-linux-*.tar.gz"))
    assert len(tars) == 1
    with tarfile.open(tars[0]) as tar:
        members = {m.name: m for m in tar.getmembers()}
        top = tars[0].name[: -len(".tar.gz")]
        for name in ("motcua", "motcua.desktop", "motcua.png", "motcua.svg", "install.sh",
                     "motcua.toml.example", "_internal/app/data/procedures.json"):
            assert f"{top}/{name}" in members, name
        assert members[f"{top}/motcua"].mode & 0o111 and members[f"{top}/install.sh"].mode & 0o111
        desktop = tar.extractfile(f"{top}/motcua.desktop").read().decode()
    for line in ("[Desktop Entry]", "Type=Application", "Exec=motcua", "Icon=motcua",
                 "Name[vi]=", "Terminal=false"):
        assert line in desktop
    if shutil.which("desktop-file-validate"):
        path = built / "check.desktop"
        path.write_text(desktop)
        out = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
        assert out.returncode == 0, out.stdout + out.stderr


def test_bundle_opens_the_login_window(exe, tmp_path):
    """The bundle starts the real window on a demo store and reaches the login screen (its
    start time against the source is a benchmark: bench/bench_bundle.py)."""
    from app import demo

    data = tmp_path / "data"
    demo.prepare(data)
    env = empty_env(tmp_path / "home", QT_QPA_PLATFORM="offscreen", MOTCUA_GUI_EXIT_WHEN_READY="1")
    out = subprocess.run([str(exe), "--data-dir", str(data)], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert any(line.startswith("MOTCUA_READY ") for line in out.stdout.splitlines()), out.stdout


# ------------------------------------------------------------------ issue 15: a complete bundle


def test_bundle_softhsm_demo_runs_its_child_inside_the_bundle(exe, tmp_path):
    """`pki demo --softhsm-label` imports the key in a child process: `python -m` from source,
    the bundle itself (MOTCUA_RUN_MODULE) when frozen."""
    from tests.signing_fixtures import SOFTHSM_MODULE

    if not Path(SOFTHSM_MODULE).exists() or shutil.which("softhsm2-util") is None:
        pytest.skip("SoftHSM2 not installed; CI installs package softhsm2")
    env = empty_env(tmp_path / "home")
    out = run(exe, "pki", "demo", "--out", str(tmp_path / "pki"), "--softhsm-label", "BUNDLE",
              "--pin", "1111", env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    import json

    hsm = json.loads(out.stdout)["softhsm"]
    listed = run(exe, "pki", "list", "--pkcs11-module", hsm["module"], "--token-label", "BUNDLE",
                 "--secret-env", "PIN", cwd=tmp_path,
                 env={**env, "SOFTHSM2_CONF": hsm["softhsm2_conf"], "PIN": "1111"})
    assert listed.returncode == 0, listed.stderr
    assert [c["label"] for c in json.loads(listed.stdout)["certificates"]] == ["clerk1"]


def test_bundle_without_a_display_says_so_in_one_line(exe, tmp_path):
    env = empty_env(tmp_path / "home")
    env.pop("QT_QPA_PLATFORM")
    out = run(exe, "--data-dir", str(tmp_path / "data"), env=env, cwd=tmp_path)
    assert out.returncode == 3, out.stderr
    assert out.stderr.strip().count("\n") == 0 and "DISPLAY" in out.stderr


def test_bundle_gives_qt_a_utf8_locale(exe, tmp_path):
    """LANG unset: no 'Detected locale "C" … not UTF-8' warning from Qt."""
    env = {k: v for k, v in empty_env(tmp_path / "home").items() if k != "LANG"}
    out = run(exe, "screenshots", str(tmp_path / "shots"), "--langs", "vi", env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "locale" not in out.stderr.lower(), out.stderr


def test_bundle_version_verbose_lists_what_it_carries(exe, tmp_path):
    out = run(exe, "--version", "--verbose", env=empty_env(tmp_path / "home"), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"motcua {VERSION} (bundle)")
    names = {line.split()[0].lower().replace("_", "-") for line in out.stdout.splitlines()[4:]}
    assert {"cryptography", "pyside6-essentials", "fastapi", "uvicorn", "pydantic"} <= names
    assert not any(n.startswith("psycopg") for n in names)
