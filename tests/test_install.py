"""install.sh / uninstall.sh as IT runs them: root installs a tarball that an ordinary account
unpacked; every installed file must be root's; PREFIX and DESTDIR move every path; the previous
version is kept for rollback; uninstall removes the program and keeps the site configuration.

The tarball comes from packaging/build.py's own `linux_tarball` around a stand-in bundle (the
real one takes a minute to build; tests/test_bundle.py covers it)."""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNPACKER = "motcua-unpacker"

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.geteuid() != 0 or shutil.which("useradd") is None,
    reason="needs Linux, root and useradd (CI runs as root)")


def build_module():
    sys.path.insert(0, str(ROOT / "packaging"))
    try:
        import build
    finally:
        sys.path.pop(0)
    return build


def unpacker_account() -> pwd.struct_passwd:
    """An ordinary account (created once; kept: a second run reuses it)."""
    try:
        return pwd.getpwnam(UNPACKER)
    except KeyError:
        subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", UNPACKER],
                       check=True, capture_output=True)
        return pwd.getpwnam(UNPACKER)


def tarball(tmp: Path, version: str) -> Path:
    bundle = tmp / f"bundle-{version}" / "motcua"
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "motcua").write_text(f"#!/bin/sh\necho motcua {version}\n")
    (bundle / "motcua").chmod(0o755)
    (bundle / "_internal" / "libqt.so").write_bytes(b"\x7fELF stand-in")
    dist = tmp / f"dist-{version}"
    dist.mkdir()
    return build_module().linux_tarball(bundle, dist, version)


def unpack_as_unpacker(archive: Path, where: Path) -> Path:
    """What `tar xzf` by an ordinary account leaves: its files, with a careless umask (0)."""
    account = unpacker_account()
    where.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        tar.extractall(where, filter="tar")
    for p in [where, *where.rglob("*")]:
        os.lchown(p, account.pw_uid, account.pw_gid)
        if not p.is_symlink():
            p.chmod(stat.S_IMODE(p.stat().st_mode) | 0o666 | (0o111 if p.is_dir() else 0))
    (top,) = where.iterdir()
    return top


def run(script: Path, **env: str) -> subprocess.CompletedProcess:
    out = subprocess.run(["sh", str(script)], env={**os.environ, **env}, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    return out


def every_path(root: Path) -> list[Path]:
    return [p for p in root.rglob("*")]


def assert_root_owned(root: Path) -> None:
    for p in every_path(root):
        st = p.lstat()
        assert (st.st_uid, st.st_gid) == (0, 0), f"{p} owned by {st.st_uid}:{st.st_gid}"
        if not p.is_symlink():
            assert not st.st_mode & 0o022, f"{p} is writable by others: {oct(st.st_mode)}"


def test_root_install_from_an_ordinary_accounts_unpacked_tarball(tmp_path):
    unpacked = unpack_as_unpacker(tarball(tmp_path, "1.0.0"), tmp_path / "home-unpacker")
    assert (unpacked / "install.sh").stat().st_uid == unpacker_account().pw_uid
    dest = tmp_path / "root"
    out = run(unpacked / "install.sh", DESTDIR=str(dest))
    assert "/opt/motcua" in out.stdout
    assert_root_owned(dest)
    app = dest / "opt" / "motcua"
    assert os.access(app / "motcua", os.X_OK) and (app / "uninstall.sh").is_file()
    assert os.readlink(dest / "usr/local/bin/motcua") == "/opt/motcua/motcua"
    desktop = (dest / "usr/local/share/applications/motcua.desktop").read_text()
    assert "Exec=/usr/local/bin/motcua" in desktop
    for p in ("usr/local/share/icons/hicolor/256x256/apps/motcua.png",
              "usr/local/share/icons/hicolor/scalable/apps/motcua.svg",
              "etc/motcua/motcua.toml.example"):
        assert (dest / p).is_file(), p
    # nothing outside the documented paths
    tops = {p.relative_to(dest).parts[0] for p in dest.iterdir()}
    assert tops == {"opt", "usr", "etc"}
    assert {p.name for p in (dest / "usr").iterdir()} == {"local"}


def test_prefix_moves_every_path(tmp_path):
    unpacked = unpack_as_unpacker(tarball(tmp_path, "1.0.0"), tmp_path / "u")
    dest = tmp_path / "root"
    run(unpacked / "install.sh", DESTDIR=str(dest), PREFIX="/srv/mc")
    assert_root_owned(dest)
    assert {p.relative_to(dest).as_posix() for p in dest.iterdir()} == {"srv"}
    base = dest / "srv" / "mc"
    assert (base / "lib/motcua/motcua").is_file()
    assert os.readlink(base / "bin/motcua") == "/srv/mc/lib/motcua/motcua"
    assert (base / "share/applications/motcua.desktop").is_file()
    assert (base / "etc/motcua/motcua.toml.example").is_file()


def test_upgrade_keeps_the_old_version_rollback_and_uninstall(tmp_path):
    dest = tmp_path / "root"
    v1 = unpack_as_unpacker(tarball(tmp_path, "1.0.0"), tmp_path / "u1")
    v2 = unpack_as_unpacker(tarball(tmp_path, "2.0.0"), tmp_path / "u2")
    run(v1 / "install.sh", DESTDIR=str(dest))
    site = dest / "etc" / "motcua" / "motcua.toml"
    site.write_text('agency_code = "000.20.27.H57"\n')  # IT's file: never touched
    run(v2 / "install.sh", DESTDIR=str(dest))
    app = dest / "opt" / "motcua"
    assert "2.0.0" in (app / "motcua").read_text() and "1.0.0" in (app.parent / "motcua.old" / "motcua").read_text()
    assert_root_owned(dest / "opt")
    # rollback: the kept version's own install.sh puts it back (and keeps 2.0.0 as .old)
    run(app.parent / "motcua.old" / "install.sh", DESTDIR=str(dest))
    assert "1.0.0" in (app / "motcua").read_text()
    assert "2.0.0" in (app.parent / "motcua.old" / "motcua").read_text()
    out = run(app / "uninstall.sh", DESTDIR=str(dest))
    assert "Kept" in out.stdout
    left = sorted(p.relative_to(dest).as_posix() for p in every_path(dest) if p.is_file() or p.is_symlink())
    assert left == ["etc/motcua/motcua.toml"]
    assert site.read_text() == 'agency_code = "000.20.27.H57"\n'
