"""Refresh ui/i18n/*.ts from the sources (pyside6-lupdate), fill new messages from a JSON file
of {"Context": {"source": "translation"}} (optional), and compile the .qm files
(pyside6-lrelease). English copies the source text. Run from the repository root:

    python scripts/update_translations.py [new-vi.json]
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
I18N = ROOT / "ui" / "i18n"
BIN = Path(sys.executable).parent


def _unesc(s: str) -> str:
    return html.unescape(s)


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") \
        .replace('"', "&quot;").replace("'", "&apos;")


def fill(ts: Path, lang: str, table: dict[str, dict[str, str]]) -> list[tuple[str, str]]:
    text = ts.read_text(encoding="utf-8")
    missing: list[tuple[str, str]] = []
    out = []
    for ctx in re.split(r"(?=<context>)", text):
        m = re.search(r"<name>(.*?)</name>", ctx)
        name = _unesc(m.group(1)) if m else ""

        def msg(mm: re.Match[str], name: str = name) -> str:
            block = mm.group(0)
            src = _unesc(re.search(r"<source>(.*?)</source>", block, re.S).group(1))
            given = table.get(name, {}).get(src) if lang != "en" else None
            if given is None and 'type="unfinished"' not in block \
                    and 'type="vanished"' not in block:
                return block  # translated before; the JSON overrides only what it names
            tr = src if lang == "en" else table.get(name, {}).get(src) or \
                table.get("*", {}).get(src)
            if tr is None:
                missing.append((name, src))
                return block
            return re.sub(r"<translation[^>]*>.*?</translation>|<translation[^>]*/>",
                          lambda _: f"<translation>{_esc(tr)}</translation>", block, flags=re.S)

        out.append(re.sub(r"<message>.*?</message>", msg, ctx, flags=re.S))
    ts.write_text("".join(out), encoding="utf-8")
    return missing


def main(argv: list[str]) -> int:
    table = json.loads(Path(argv[0]).read_text(encoding="utf-8")) if argv else {}
    sources = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "ui").glob("*.py"))
    missing = []
    for lang in ("vi", "en"):
        ts = I18N / f"motcua_{lang}.ts"
        subprocess.run([str(BIN / "pyside6-lupdate"), "-no-obsolete", *sources, "-ts", str(ts)],
                       cwd=ROOT, check=True, capture_output=True)
        missing += [(lang, c, s) for c, s in fill(ts, lang, table)]
        subprocess.run([str(BIN / "pyside6-lrelease"), str(ts), "-qm",
                        str(ts.with_suffix(".qm"))], cwd=ROOT, check=True, capture_output=True)
    for ts in I18N.glob("qt_*.ts"):  # Qt's own contexts, kept by hand
        subprocess.run([str(BIN / "pyside6-lrelease"), str(ts), "-qm",
                        str(ts.with_suffix(".qm"))], cwd=ROOT, check=True, capture_output=True)
    for lang, ctx, src in missing:
        print(f"untranslated [{lang}] {ctx}: {src}")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
