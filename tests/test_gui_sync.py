"""Going offline and back online against a real gateway changes nothing for the clerk but the
status-bar indicator and the pending count."""

from __future__ import annotations

import asyncio

import qasync

from app import intake
from sync.gateway.server import GatewayServer
from tests.gui_support import demo_copy, open_logged_in, run, until
from tests.helpers import dossier_json


def test_indicator_follows_the_gateway_going_away_and_back(qapp, tmp_path):
    from app.demo_gateway import start_demo_gateway

    qapp.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    demo = demo_copy(tmp_path / "data")
    url, gw = start_demo_gateway(demo)
    port = int(url.rsplit(":", 1)[1])
    gw_app = gw.server._server.config.app
    servers = [gw.server]

    async def scenario() -> None:
        window = await open_logged_in(demo)
        session, label = window.session, window.sync_label
        await until(lambda: session.sync is not None, what="sync started")  # enrolled
        session.wake_sync()
        await until(lambda: label.property("online") is True and label.property("pending") == 0,
                    timeout=30, what=lambda: label.text())
        assert label.text().startswith("● Trực tuyến")

        servers[0].stop()  # the link to the province goes down
        req = intake.parse_request(dossier_json())
        saved = await session.run(lambda: intake.receive(session.counter, req, clerk="demo",
                                                         signer=session.signer))
        assert saved["code"]  # saving does not care
        session.wake_sync()
        await until(lambda: label.property("online") is False and label.property("pending") == 1,
                    timeout=30, what=lambda: label.text())
        assert label.text().startswith("● Mất kết nối")
        assert "1 chờ gửi" in label.text()

        servers.append(GatewayServer(gw_app, port=port).start())  # the link comes back
        session.wake_sync()
        await until(lambda: label.property("online") is True and label.property("pending") == 0,
                    timeout=30, what=lambda: label.text())
        window.close()
        await session.close()

    try:
        run(loop, scenario(), timeout=120)
    finally:
        servers[-1].stop()
        gw.store.close()
        loop.close()  # joins qasync's executor threads: a live QThread at exit aborts Python
        asyncio.set_event_loop(None)
