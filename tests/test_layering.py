"""House rule: only ui/ imports Qt; the core runs and is tested without a display."""

import subprocess
import sys


def test_core_packages_never_load_qt():
    code = (
        "import sys, pkgutil, importlib\n"
        "import app, localdb, signing, sync\n"
        "for pkg in (app, localdb, signing, sync):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        if m.name.startswith(('app.gui', 'app.launch', 'app.__main__')):\n"
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
    import pathlib

    assert not (pathlib.Path(__file__).parent.parent / "packaging" / "__init__.py").exists()
