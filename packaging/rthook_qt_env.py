# PyInstaller runtime hook (packaging/motcua.spec): what PyInstaller's own PySide6 hook does,
# minus importing PySide6.QtCore at every start. That import loaded the Qt libraries (ICU
# included) even for `motcua --version` and every CLI command, which never show a window; the
# bundled PySide6 sets its own qt.conf prefix when ui/ imports it.
import os
import sys
from pathlib import Path

_qt = Path(sys._MEIPASS, "PySide6") if sys.platform.startswith("win") \
    else Path(sys._MEIPASS, "PySide6", "Qt")
os.environ["QT_PLUGIN_PATH"] = str(_qt / "plugins")
os.environ["QML2_IMPORT_PATH"] = str(_qt / "qml")
if sys.platform.startswith("win"):
    os.environ["PATH"] = sys._MEIPASS + os.pathsep + os.environ.get("PATH", "")
del _qt
