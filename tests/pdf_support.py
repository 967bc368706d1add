"""Helpers shared by several test modules (no tests here)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest


def pdf_text(path: Path) -> str:
    """pdftotext output with whitespace folded, so wrapped lines compare as one."""
    need("pdftotext")
    return " ".join(run("pdftotext", "-enc", "UTF-8", str(path), "-").split())


def qr_payloads(path: Path, tmp: Path) -> list[str]:
    need("pdftoppm", "zbarimg")
    prefix = tmp / f"qr-{path.stem}"
    run("pdftoppm", "-r", "300", "-png", str(path), str(prefix))
    found = []
    for png in sorted(tmp.glob(f"{prefix.name}*.png")):
        out = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True,
                             text=True, timeout=120)
        found += [line for line in out.stdout.splitlines() if line]
    return found


def page_info(path: Path) -> tuple[int, float, float]:
    need("pdfinfo")
    info = run("pdfinfo", str(path))
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    m = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    return pages, float(m.group(1)), float(m.group(2))


def need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (Debian: poppler-utils, zbar-tools; "
                    "CI installs them)")


def run(*cmd: str) -> str:
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, f"{cmd}: {out.stdout}{out.stderr}"
    return out.stdout
