"""Catalogue sanity: processing times are bounded (≤ 365 working or calendar days) at import and
at publication; an older catalogue than the active one is refused unless --allow-downgrade."""

from __future__ import annotations

import copy
import json

import pytest

from app.catalogue import load_shipped_catalogue, parse_catalogue
from app.context import import_catalogue
from app.errors import UserError
from sync.gateway.store import StoreError, open_store
from tests.helpers import motcua


def catalogue(version: str = "2099.1.1", **time) -> dict:
    doc = copy.deepcopy(load_shipped_catalogue().to_dict())
    doc["version"] = version
    if time:
        doc["procedures"][0]["processing_time"] = time
    return doc


@pytest.mark.parametrize("time, unit", [
    ({"kind": "working_days", "value": 10 ** 9}, "365 ngày làm việc"),
    ({"kind": "working_days", "value": 366}, "365 ngày làm việc"),
    ({"kind": "calendar_days", "value": 365.5}, "365 ngày"),
    ({"kind": "working_hours", "value": 2921}, "2920 giờ làm việc"),
    ({"kind": "working_days", "value": 5,
      "by_channel": {"online": {"kind": "calendar_days", "value": 1000}}}, "365 ngày"),
])
def test_processing_time_beyond_a_year_is_refused_naming_procedure_and_field(time, unit):
    with pytest.raises(UserError) as err:
        parse_catalogue(catalogue(**time))
    e = err.value
    assert e.code == "catalogue_invalid" and unit in e.vi, e.vi
    assert "exceeds the limit" in e.en
    code = load_shipped_catalogue().procedures[0].code
    assert code in e.vi and "processing_time" in e.vi and "\n" not in e.vi


def test_a_year_is_still_accepted():
    parse_catalogue(catalogue(kind="calendar_days", value=365))
    parse_catalogue(catalogue(kind="working_days", value=365))


def test_older_catalogue_refused_unless_downgrade_is_explicit(counter, tmp_path):
    newer, older = tmp_path / "new.json", tmp_path / "old.json"
    newer.write_text(json.dumps(catalogue("2099.1.2"), ensure_ascii=False), encoding="utf-8")
    older.write_text(json.dumps(catalogue("2099.1.1"), ensure_ascii=False), encoding="utf-8")
    assert import_catalogue(counter, newer)["version"] == "2099.1.2"
    with pytest.raises(UserError) as err:
        import_catalogue(counter, older)
    assert err.value.code == "catalogue_downgrade" and "--allow-downgrade" in err.value.vi
    assert counter.catalogue().version == "2099.1.2"
    r = import_catalogue(counter, older, allow_downgrade=True)
    assert r == {"version": "2099.1.1", "procedures": len(counter.catalogue().procedures)}
    counter.forget_catalogue()
    assert counter.catalogue().version == "2099.1.1"
    audit = counter.store.query(
        "SELECT action, subject, detail FROM audit ORDER BY seq DESC LIMIT 1")[0]
    assert (audit["action"], audit["subject"]) == ("catalogue.downgrade", "2099.1.1")
    assert json.loads(audit["detail"])["previous"] == "2099.1.2"
    # re-importing the active version is not a downgrade
    import_catalogue(counter, older)


def test_older_than_the_shipped_catalogue_is_a_downgrade_too(counter, tmp_path):
    old = tmp_path / "old.json"
    old.write_text(json.dumps(catalogue("2000.1.1"), ensure_ascii=False), encoding="utf-8")
    with pytest.raises(UserError):
        import_catalogue(counter, old)


def test_cli_downgrade_needs_the_flag(data_dir, tmp_path):
    assert motcua("init", "--agency-code", "000.20.27.H57", "--counter", "1",
                  data_dir=data_dir).returncode == 0
    newer, older = tmp_path / "new.json", tmp_path / "old.json"
    newer.write_text(json.dumps(catalogue("2099.1.2"), ensure_ascii=False), encoding="utf-8")
    older.write_text(json.dumps(catalogue("2099.1.1"), ensure_ascii=False), encoding="utf-8")
    assert motcua("catalogue", "import", str(newer), data_dir=data_dir).returncode == 0
    r = motcua("catalogue", "import", str(older), data_dir=data_dir)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "2099.1.2" in r.stderr and "--allow-downgrade" in r.stderr
    r = motcua("catalogue", "import", str(older), "--allow-downgrade", data_dir=data_dir)
    assert r.returncode == 0, r.stderr
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(catalogue("2099.2.1", kind="working_days", value=10 ** 9)),
                   encoding="utf-8")
    r = motcua("catalogue", "import", str(bad), data_dir=data_dir, lang="en")
    assert r.returncode == 2 and "365" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_gateway_refuses_to_publish_absurd_processing_times(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'gw.sqlite3'}", tmp_path)
    try:
        with pytest.raises(StoreError) as err:
            store.publish_catalogue(json.dumps(catalogue(kind="working_days", value=10 ** 9)))
        assert err.value.code == "bad_catalogue" and "1..365" in err.value.detail
        with pytest.raises(StoreError):
            store.publish_catalogue(json.dumps(catalogue(
                kind="working_days", value=3,
                by_case={"x": {"kind": "calendar_days", "value": 400}})))
        assert store.publish_catalogue(json.dumps(catalogue())) == "2099.1.1"
    finally:
        store.close()
