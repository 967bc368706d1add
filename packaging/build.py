"""Build the MotCua Counter bundle: `python packaging/build.py`.

Produces `dist/motcua/` (PyInstaller one-folder bundle from packaging/motcua.spec) and, on
Linux, `dist/motcua-<version>-linux-<arch>.tar.gz` with a .desktop entry, the icon and an
install script. On Windows the same command builds `dist\\motcua\\`; the installer is then made
with Inno Setup (packaging/windows/BUILD.md). Prints (and writes to dist/motcua-build.json) the
build time and the bundle size, the figures the release notes report.

Runs with the project's virtualenv Python, installed with the pinned versions:
    pip install -c constraints.txt -e '.[build,gateway]'
(it refuses to build when an installed library differs from constraints.txt).
Standard library only, so it runs unchanged on Windows.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
SPEC = PACKAGING / "motcua.spec"
# 150 MB until issue 12: strict input (pydantic_core 5 MB), real scan parsers (Pillow 6 MB,
# pypdf) added ~17 MB; see README "Strict input".
BUDGET_MB = 170

DESKTOP = """[Desktop Entry]
Type=Application
Version=1.4
Name=MotCua Counter
Name[vi]=MotCua - Tiếp nhận hồ sơ một cửa
Comment=Receive administrative-procedure dossiers at the one-stop counter
Comment[vi]=Tiếp nhận hồ sơ thủ tục hành chính tại bộ phận một cửa
Exec=motcua
Icon=motcua
Terminal=false
Categories=Office;
StartupWMClass=motcua
"""

LINUX = PACKAGING / "linux"  # install.sh, uninstall.sh (version filled in at build time)


def project_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def numeric_version(version: str) -> str:
    """A.B.C.D for Windows version resources (VersionInfoVersion), from the release part of a
    PEP 440 version: 0.2.0rc1 -> 0.2.0.0, 1.2 -> 1.2.0.0."""
    import re

    m = re.match(r"\d+(?:\.\d+)*", version.strip())
    parts = [int(x) for x in m.group(0).split(".")] if m else []
    return ".".join(str(x) for x in (parts + [0, 0, 0, 0])[:4])


def check_environment(version: str) -> None:
    """Fail early with the fix, not after a minute of PyInstaller."""
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        sys.exit("PyInstaller is missing: pip install -c constraints.txt -e '.[build,gateway]'")
    from importlib import metadata

    try:
        installed = metadata.version("motcua")
    except metadata.PackageNotFoundError:
        installed = None
    if installed != version:
        sys.exit(f"the installed motcua metadata is {installed}, pyproject.toml says {version}: "
                 "run pip install -e . first (the bundle's version comes from it)")
    drift = constraint_drift()
    if drift:
        sys.exit("installed versions differ from constraints.txt (two builds of one commit must "
                 "ship the same libraries):\n  " + "\n  ".join(drift) + "\nfix: pip install -c "
                 "constraints.txt -e '.[build,gateway]'  (or refresh constraints.txt on purpose)")


def constraint_drift(path: Path = ROOT / "constraints.txt") -> list[str]:
    """'name: installed X, constraints Y' for every pinned distribution installed otherwise
    (the gateway and build tools included: they go into the bundle or make it)."""
    import re
    from importlib import metadata

    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*([^\s;#]+)", line)
        if not m:
            continue
        try:
            have = metadata.version(m.group(1))
        except metadata.PackageNotFoundError:
            continue  # not needed here (e.g. a test tool)
        if have != m.group(2):
            out.append(f"{m.group(1)}: installed {have}, constraints.txt {m.group(2)}")
    return out


# Qt's xcb platform plugin links these; when the build machine lacks them PyInstaller cannot
# bundle them and the target PC must have them (Debian/Ubuntu package names).
XCB_LIBS = {"libxcb-icccm.so.4": "libxcb-icccm4", "libxcb-keysyms.so.1": "libxcb-keysyms1",
            "libxcb-cursor.so.0": "libxcb-cursor0", "libxkbcommon-x11.so.0": "libxkbcommon-x11-0"}


def missing_xcb_libs() -> list[str]:
    if not sys.platform.startswith("linux"):
        return []
    try:
        cache = subprocess.run(["ldconfig", "-p"],  # noqa: S607 - found on PATH on purpose
                               capture_output=True, text=True).stdout
    except OSError:
        return []
    return [pkg for lib, pkg in XCB_LIBS.items() if lib not in cache]


def folder_size(path: Path) -> int:
    total = 0
    for p in path.rglob("*"):
        if p.is_file() and not p.is_symlink():
            total += p.stat().st_size
    return total


def run_pyinstaller(dist: Path, work: Path, clean: bool) -> float:
    cmd = [sys.executable, "-m", "PyInstaller", str(SPEC), "--noconfirm", "--log-level", "WARN",
           "--distpath", str(dist), "--workpath", str(work)]
    if clean:
        cmd.append("--clean")
    started = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True)
    return time.perf_counter() - started


def linux_tarball(bundle: Path, dist: Path, version: str) -> Path:
    """motcua-<v>/ = the bundle + motcua.desktop + icons + install.sh, as one .tar.gz."""
    arch = platform.machine().lower() or "x86_64"
    name = f"motcua-{version}-linux-{arch}"
    (bundle / "motcua.desktop").write_text(DESKTOP, encoding="utf-8", newline="\n")
    for script in ("install.sh", "uninstall.sh"):
        text = (LINUX / script).read_text(encoding="utf-8").replace("@VERSION@", version)
        (bundle / script).write_text(text, encoding="utf-8", newline="\n")
        (bundle / script).chmod(0o755)
    for extra in ("motcua.png", "motcua.svg", "motcua.toml.example"):
        shutil.copyfile(PACKAGING / extra, bundle / extra)
    out = dist / f"{name}.tar.gz"
    tmp = out.with_suffix(".tmp")
    with tarfile.open(tmp, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=name)
    Path(tmp).replace(out)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dist", default=str(ROOT / "dist"), help="output folder (default dist/)")
    p.add_argument("--work", default=str(ROOT / "build" / "pyinstaller"), help="PyInstaller work folder")
    p.add_argument("--clean", action="store_true", help="drop PyInstaller's cache first")
    p.add_argument("--no-archive", action="store_true", help="bundle only, no .tar.gz")
    args = p.parse_args(argv)

    version = project_version()
    check_environment(version)
    dist, work = Path(args.dist).resolve(), Path(args.work).resolve()
    print(f"== building MotCua Counter {version} with {SPEC.relative_to(ROOT)}", flush=True)
    missing = missing_xcb_libs()
    if missing:
        print("note: this machine lacks " + " ".join(missing) + ": the bundle will need them on the "
              "target PC for the desktop window (apt-get install them here to bundle them)",
              file=sys.stderr)
    seconds = run_pyinstaller(dist, work, args.clean)
    bundle = dist / "motcua"
    size = folder_size(bundle)
    summary = {"version": version, "platform": sys.platform, "machine": platform.machine(),
               "build_seconds": round(seconds, 1), "bundle": str(bundle), "bundle_bytes": size,
               "bundle_mb": round(size / 1e6, 1), "budget_mb": BUDGET_MB,
               "unbundled_system_packages": missing}
    if sys.platform.startswith("linux") and not args.no_archive:
        tar = linux_tarball(bundle, dist, version)
        summary["archive"] = str(tar)
        summary["archive_mb"] = round(tar.stat().st_size / 1e6, 1)
    (dist / "motcua-build.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print(json.dumps(summary, indent=2))
    if size > BUDGET_MB * 1e6:
        print(f"bundle is {size / 1e6:.1f} MB, over the {BUDGET_MB} MB budget", file=sys.stderr)
        return 1
    if sys.platform == "win32":
        print('next: "C:\\Program Files (x86)\\Inno Setup 6\\ISCC.exe" '
              f"/DMyAppVersion={version} /DMyAppNumericVersion={numeric_version(version)} "
              "packaging\\windows\\motcua.iss")
    return 0


if __name__ == "__main__":
    sys.exit(main())
