"""A chip-card QR typed by a real keyboard-wedge scanner, simulated with xdotool on Xvfb with a
US layout: Shift is pressed for every capital and `|`, as a USB scanner in keyboard mode does.
The string is the card's QR without diacritics: on a US layout xdotool can only type "ễ" by
remapping a spare keycode for a moment, which races with the application on a loaded machine
(and a real scanner cannot type it on that layout either); Vietnamese letters through the burst
detector are covered by the offscreen tests with synthetic key events."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.gui_support import demo_copy

QR_ASCII = ("001090000456||Nguyen Van An|01021990|Nam|"
            "So 5 Hang Bac, Phuong Hang Buom, Quan Hoan Kiem, Ha Noi|15062021")

pytestmark = pytest.mark.skipif(not (shutil.which("Xvfb") and shutil.which("xdotool")),
                                reason="Xvfb and xdotool are not installed")


def _free_display() -> int:
    for n in range(90, 140):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    raise RuntimeError("no free X display number")


def test_scanner_typing_with_shift_under_a_real_x_server(tmp_path):
    demo = demo_copy(tmp_path / "data")
    n = _free_display()
    xvfb = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = {**os.environ, "DISPLAY": f":{n}", "QT_QPA_PLATFORM": "xcb",
           "PYTHONPATH": str(Path(__file__).resolve().parent.parent), "HOME": str(tmp_path)}
    env.pop("WAYLAND_DISPLAY", None)
    app = None
    try:
        deadline = time.monotonic() + 20
        while not Path(f"/tmp/.X11-unix/X{n}").exists():
            assert xvfb.poll() is None, "Xvfb did not start"
            assert time.monotonic() < deadline, "Xvfb did not start in time"
            time.sleep(0.05)
        app = subprocess.Popen([sys.executable, "-m", "tests.x11_scan_app", str(demo.data_dir)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, cwd=env["PYTHONPATH"])
        line = app.stdout.readline()
        assert line.startswith("READY"), (line, app.stderr.read() if app.poll() is not None
                                          else "")
        wid = line.split()[1]  # the main window's X id
        # no window manager on Xvfb: give the window the X input focus ourselves
        subprocess.run(["xdotool", "windowfocus", "--sync", wid], env=env, check=True, timeout=30)
        subprocess.run(["xdotool", "type", "--delay", "8", QR_ASCII], env=env, check=True, timeout=60)
        subprocess.run(["xdotool", "key", "Return"], env=env, check=True, timeout=30)
        out, err = app.communicate(timeout=90)
        fields = json.loads(out.strip().splitlines()[-1])
        assert fields["name"] == "Nguyen Van An", (fields, err[-2000:])
        assert fields["citizen_id"] == "001090000456"
        assert fields["dob"] == "01/02/1990"
        assert fields["gender"] == "male"
        assert fields["province"] == "01"
        assert fields["phone"] == ""  # nothing of the scan leaked into the focused field
    finally:
        if app is not None and app.poll() is None:
            app.kill()
            app.wait()
        xvfb.terminate()
        xvfb.wait(timeout=10)
