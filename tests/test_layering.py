"""House rules of the layers (docs/ARCHITECTURE.md): only ui/ imports Qt, and only the
composition root app/gui.py imports ui; localdb/ and signing/ import nothing of ours; sync/
imports only signing/. Checked twice: by importing every core module in a clean interpreter
(nothing loads PySide6) and by reading every source file (late imports inside functions, and
module names in strings run by a child interpreter, are caught too)."""

from __future__ import annotations

import ast
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
OURS = ("app", "ui", "localdb", "signing", "sync")
QT = ("PySide6", "qasync", "shiboken6")
COMPOSITION_ROOT = "app/gui.py"
# Files allowed one more layer than their package, each for a stated reason (ARCHITECTURE.md):
EXCEPTIONS = {
    # `motcua-gateway catalogue publish` validates a catalogue exactly as counters do
    "sync/gateway/cli.py": {"app"},
}
# which of our packages each package may import (besides itself)
ALLOWED = {
    "localdb": set(),
    "signing": set(),
    "sync": {"signing"},
    "app": {"localdb", "signing", "sync"},  # + ui, from the composition root only
    "ui": {"app", "signing"},  # signing: certificate details shown in the key dialogs
}


# an import statement at the start of a code string or after ";" (python -c "...; from x import y")
_CODE_IMPORT = re.compile(r"(?:^|;)\s*(?:from|import)\s+([A-Za-z_][\w.]*)", re.MULTILINE)


def _imports(path: pathlib.Path) -> list[tuple[int, str]]:
    """(line, module) of every import statement anywhere in the file, and of module names
    written inside strings that a child interpreter runs (``"from ui.x import y"``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            for m in _CODE_IMPORT.finditer(node.value):
                if m.group(1).split(".")[0] in (*OURS, *QT):
                    found.append((node.lineno, m.group(1)))
    return found


def _sources(pkg: str) -> list[pathlib.Path]:
    return sorted(p for p in (ROOT / pkg).rglob("*.py") if "__pycache__" not in p.parts)


def test_sources_respect_the_layers():
    bad = []
    for pkg in OURS:
        for path in _sources(pkg):
            rel = path.relative_to(ROOT).as_posix()
            for line, mod in _imports(path):
                top = mod.split(".")[0]
                if top in QT and pkg != "ui" and rel != COMPOSITION_ROOT:
                    bad.append(f"{rel}:{line} imports {mod} (only ui/ imports Qt)")
                elif top in OURS and top != pkg and top not in ALLOWED[pkg] \
                        and top not in EXCEPTIONS.get(rel, set()) \
                        and not (top == "ui" and rel == COMPOSITION_ROOT):
                    bad.append(f"{rel}:{line} imports {mod} ({pkg}/ may not import {top}/)")
    assert not bad, "\n".join(bad)


def test_the_layering_scan_sees_late_and_string_imports(tmp_path):
    """The scan itself can fail: a late import inside a function and a child-interpreter
    string are both found."""
    src = tmp_path / "m.py"
    src.write_text("def f():\n    from ui.printing import render_pdf\n"
                   "CMD = 'import sys; from ui.selftest_qt import main'\n", encoding="utf-8")
    assert [m for _, m in _imports(src)] == ["ui.printing", "ui.selftest_qt"]


def test_core_packages_never_load_qt():
    code = (
        "import sys, pkgutil, importlib\n"
        "import app, localdb, signing, sync\n"
        "for pkg in (app, localdb, signing, sync):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        if m.name in ('app.gui', 'app.__main__'):\n"
        "            continue\n"
        "        importlib.import_module(m.name)\n"
        "import app.cli; app.cli.build_parser()\n"
        "bad = sorted(n for n in sys.modules if n.startswith(('PySide6', 'qasync', 'shiboken6')))\n"
        "print(bad)\n"
        "assert not bad, bad\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip() == "[]"


def test_packaging_folder_is_not_a_package():
    assert not (ROOT / "packaging" / "__init__.py").exists()
