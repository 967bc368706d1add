# PyInstaller runtime hook (packaging/motcua.spec): what PyInstaller's own PySide6 hook does,
# minus importing PySide6.QtCore at every start. That import loaded the Qt libraries (ICU
# included) even for `motcua --version` and every CLI command, which never show a window; the
# bundled PySide6 sets its own qt.conf prefix when ui/ imports it.
import os
import sys

_qt = os.path.join(sys._MEIPASS, "PySide6") if sys.platform.startswith("win") \
    else os.path.join(sys._MEIPASS, "PySide6", "Qt")
os.environ["QT_PLUGIN_PATH"] = os.path.join(_qt, "plugins")
os.environ["QML2_IMPORT_PATH"] = os.path.join(_qt, "qml")
if sys.platform.startswith("win"):
    os.environ["PATH"] = sys._MEIPASS + os.pathsep + os.environ.get("PATH", "")
del _qt
