"""Helper process for test_gui_x11 (not a test): the real window on a real X server (Xvfb),
logged in on a demo copy, the focus in the intake form's phone field. Prints READY, waits for
a scan typed by xdotool, then prints the form's fields as JSON and exits."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path


async def main(data_dir: Path) -> int:
    from app import demo as demo_mod
    from app.settings import Settings
    from ui.app import open_window

    demo = demo_mod.prepare(data_dir)
    window = await open_window(Settings(data_dir=data_dir, lang="vi"), demo=demo)
    s = window.session
    await s.unlock_p12(demo.clerk_p12, demo_mod.DEMO_P12_PASSWORD)
    user = await s.login(demo_mod.DEMO_USER, demo_mod.DEMO_USER_PASSWORD)
    await window.after_login(user)
    page = window.intake
    window.activateWindow()
    page.phone.setFocus()
    print(f"READY {int(window.winId())}", flush=True)
    end = time.monotonic() + 60
    while time.monotonic() < end and not page.qr_status.text().startswith("Đã quét"):
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)
    print(json.dumps({"name": page.name.text(), "citizen_id": page.citizen_id.text(),
                      "dob": page.dob.text(), "phone": page.phone.text(),
                      "gender": page.gender.currentData(), "province": page.province.code(),
                      "status": page.qr_status.text()}, ensure_ascii=False), flush=True)
    window.close()
    await s.close()
    return 0


if __name__ == "__main__":
    import qasync

    from ui.app import make_app

    app = make_app()
    app.setQuitOnLastWindowClosed(False)
    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        sys.exit(runner.run(main(Path(sys.argv[1]))))
