"""Dependencies as declared: the counter does not pull the gateway's server stack, every package
the code imports is declared, versions are pinned in constraints.txt (used by CI and the build)
and printed by `motcua --version --verbose`."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
OURS = {"app", "ui", "localdb", "sync", "signing", "packaging"}


def names(reqs: list[str]) -> set[str]:
    return {re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", r).group(0)).lower() for r in reqs}


def imported_distributions(folders: list[Path]) -> dict[str, set[str]]:
    """distribution name -> files importing it (third-party top-level imports only)."""
    by_module = metadata.packages_distributions()
    out: dict[str, set[str]] = {}
    for folder in folders:
        for p in folder.rglob("*.py"):
            for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    mods = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    mods = [node.module]
                else:
                    continue
                for mod in mods:
                    top = mod.split(".")[0]
                    if top in sys.stdlib_module_names or top in OURS:
                        continue
                    for dist in by_module.get(top, [top]):
                        out.setdefault(re.sub(r"[-_.]+", "-", dist).lower(), set()).add(
                            str(p.relative_to(ROOT)))
    return out


def test_the_counter_does_not_install_the_gateway_server_stack():
    base = names(PROJECT["dependencies"])
    gateway = names(PROJECT["optional-dependencies"]["gateway"])
    assert {"fastapi", "uvicorn", "psycopg", "starlette"} <= gateway
    assert not base & {"fastapi", "uvicorn", "psycopg", "starlette"}
    assert "motcua[gateway]" in PROJECT["optional-dependencies"]["build"]  # the demo gateway


def test_every_imported_package_is_declared():
    base = names(PROJECT["dependencies"])
    gateway = names(PROJECT["optional-dependencies"]["gateway"])
    used = imported_distributions([ROOT / d for d in ("app", "ui", "localdb", "signing", "sync")])
    used = {d: {f for f in files if not f.startswith("sync/gateway")} for d, files in used.items()}
    used = {d: files for d, files in used.items() if files}
    missing = {d: sorted(f)[:2] for d, f in used.items() if d not in base}
    # the demo starts the reference gateway from app/: those imports are the gateway extra's
    assert {d for d in missing if d not in gateway} == set(), missing
    in_gateway = imported_distributions([ROOT / "sync" / "gateway"])
    assert {d for d in in_gateway if d not in base | gateway} == set(), in_gateway


def test_spdx_licence_string():
    assert PROJECT["license"] == "Apache-2.0"


def test_constraints_pin_every_declared_package_and_are_used():
    pinned = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$", line.strip())
        if m:
            pinned[re.sub(r"[-_.]+", "-", m.group(1)).lower()] = m.group(2)
    declared = names(PROJECT["dependencies"]) | names(PROJECT["optional-dependencies"]["gateway"]) \
        | names(PROJECT["optional-dependencies"]["test"]) | {"pyinstaller"}
    assert declared - set(pinned) == set()
    test_sh = (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert "-c constraints.txt -e '.[test,build,gateway]'" in test_sh


def test_build_refuses_versions_that_differ_from_the_constraints(tmp_path):
    sys.path.insert(0, str(ROOT / "packaging"))
    try:
        import build
    finally:
        sys.path.pop(0)
    have = metadata.version("cryptography")
    good = tmp_path / "good.txt"
    good.write_text(f"# header\ncryptography=={have}\nnot-installed-anywhere==1.0\n")
    assert build.constraint_drift(good) == []
    bad = tmp_path / "bad.txt"
    bad.write_text("cryptography==0.0.1\n")
    assert build.constraint_drift(bad) == [f"cryptography: installed {have}, constraints.txt 0.0.1"]


def test_version_verbose_lists_the_libraries():
    out = subprocess.run([sys.executable, "-m", "app", "--version", "--verbose"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("motcua ") and lines[1].startswith("Python ")
    assert any(re.match(rf"\s+cryptography\s+{re.escape(metadata.version('cryptography'))}$", line)
               for line in lines)
    assert any(line.split()[0] == "PySide6_Essentials" or line.split()[0] == "PySide6-Essentials"
               for line in lines[4:])
    short = subprocess.run([sys.executable, "-m", "app", "--version"], cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
    assert short.stdout.strip() == lines[0]
