"""After a restore, `motcua sync recover` takes back from a real gateway (loopback, real CMS
verification) the dossiers the backup lacked, and the gateway's high-water mark of codes."""

from __future__ import annotations

import json

from app import storeops, sync_service
from app.context import open_counter
from tests.helpers import motcua
from tests.sync_support import counter_with, enrol, fill, thread_gateway


def test_recover_after_restore_brings_back_lost_dossiers_and_codes(tmp_path):
    with thread_gateway(tmp_path / "gw") as (server, gstore):
        counter = counter_with(tmp_path / "c", 2)
        enrol(counter, gstore, server.url)
        settings = counter.settings
        backup = tmp_path / "b.sqlite3"
        storeops.backup_store(counter.store, settings, backup)
        lost = fill(counter, 3)  # received after the backup, pushed, then lost by the restore
        assert sync_service.sync_once(counter).ok
        counter.close()
        storeops.restore_store(settings, backup)
        # the mark beside the store is gone too (a new disk): only the gateway still knows
        (settings.data_dir / "motcua.sqlite3.codes").unlink()
        with open_counter(settings, create=False) as c:
            assert c.store.scalar("SELECT count(*) FROM dossiers") == 2
        r = motcua("sync", "recover", data_dir=settings.data_dir)
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout)
        assert out["materialised"] == 3 and out["refused"] == 0
        assert out["last_code_at_gateway"] == max(lost)
        r = motcua("sync", "recover", data_dir=settings.data_dir)  # idempotent
        assert json.loads(r.stdout)["materialised"] == 0
        with open_counter(settings, create=False) as c:
            assert {r["code"] for r in c.store.query("SELECT code FROM dossiers")} >= set(lost)
            fresh = fill(c, 1)[0]
            assert fresh not in lost and int(fresh[-4:]) > max(int(x[-4:]) for x in lost)
            assert c.store.query("SELECT action FROM audit WHERE action = 'sync.recover'")
        r = motcua("verify", data_dir=settings.data_dir, lang="en")
        assert "event chain" not in r.stdout  # the new dossier continues the recovered chain
        check = motcua("check", data_dir=settings.data_dir)
        assert check.returncode == 0, check.stdout
        # the recovered events' audit heads point into the rolled-back log: said, not failed
        assert check.stdout.startswith("Ghi chú: 3 sự kiện lấy lại từ cổng tỉnh sau lần khôi "
                                       "phục ('motcua sync recover')")
