"""Helpers shared by several test modules (no tests here)."""

from __future__ import annotations

import html
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


def page_words(path: Path) -> list[list[tuple[str, float, float, float, float]]]:
    """Every page's words as (text, xMin, yMin, xMax, yMax) in points from the page's top-left
    (`pdftotext -bbox`), in reading order."""
    need("pdftotext")
    out = run("pdftotext", "-enc", "UTF-8", "-bbox", str(path), "-")
    word = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                      r"([^<]*)</word>")
    return [[(html.unescape(m.group(5)), *(float(m.group(i)) for i in range(1, 5)))
             for m in word.finditer(page)] for page in out.split("<page ")[1:]]
