"""Search finds what clerks type: phones in any of the usual forms, IDs typed in groups; a
query with nothing to search for finds nothing and says why; page sizes are bounded."""

from __future__ import annotations

import sqlite3

import pytest

from app import queries
from app.errors import UserError
from localdb import dossiers as repo
from localdb import search as fts
from localdb.store import Store
from tests.helpers import make_counter, motcua

PEOPLE = [  # (name, citizen ID, phone as the intake stores it)
    ("Đặng Thị Hương", "079190000124", "+84912345111"),
    ("Nguyễn Văn An", "001090000022", "0912345222"),
    ("Trần Đức Đông", "001085000033", "84987000333"),
    ("Lê Quang Đạt", "079203000055", "02838291234"),
]


def row(i: int, name: str, cid: str, phone: str) -> dict:
    return {
        "id": f"id-{i}", "code": f"000.20.27.H57-261123-01{i:04d}", "procedure_code": "1.001193",
        "procedure_name": "Đăng ký khai sinh", "applicant_name": name, "citizen_id": cid,
        "phone": phone, "channel": "in_person", "received_at": f"2026-11-23T09:0{i}:00+07:00",
        "appointment_at": None, "status": 2, "clerk": "lan", "data": "{}",
        "updated_at": "2026-11-23T09:00:00+07:00",
    }


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = Store.open(tmp_path_factory.mktemp("typed") / "s.sqlite3")
    with s.write() as conn:
        for i, p in enumerate(PEOPLE, 1):
            repo.insert_dossier(conn, row(i, *p))
    yield s
    s.close()


def names(page: fts.Page) -> list[str]:
    return [r["applicant_name"] for r in page.rows]


@pytest.mark.parametrize("typed", [
    "0912345111", "+84 912.345.111", "+84912345111", "84912345111", "84 912 345 111",
    "0912.345.111", "0912-345-111", "(+84) 912 345 111", "912345111", "0912 345 1", "+84 912 345 1",
])
def test_a_phone_stored_with_84_is_found_however_it_is_typed(store, typed):
    assert names(fts.search(store.conn, typed)) == ["Đặng Thị Hương"], typed


@pytest.mark.parametrize("typed", ["0912345222", "0912 345 222", "091-234-5222", "091.234.5222",
                                   "+84 912 345 222"])
def test_a_national_phone_is_found_with_spaces_dots_dashes_and_84(store, typed):
    assert names(fts.search(store.conn, typed)) == ["Nguyễn Văn An"], typed


def test_a_phone_stored_without_plus_and_a_landline(store):
    assert names(fts.search(store.conn, "0987 000 333")) == ["Trần Đức Đông"]
    assert names(fts.search(store.conn, "(028) 3829 1234")) == ["Lê Quang Đạt"]
    assert names(fts.search(store.conn, "+84 28 3829 1234")) == ["Lê Quang Đạt"]


def test_a_citizen_id_typed_in_groups_is_an_exact_lookup(store):
    assert names(fts.search(store.conn, "079 190 000 124")) == ["Đặng Thị Hương"]
    assert names(fts.search(store.conn, "079.190.000.124")) == ["Đặng Thị Hương"]
    assert names(fts.search(store.conn, "079 190")) == ["Đặng Thị Hương"]  # a prefix as typed


def test_names_and_codes_still_work_with_numbers_mixed_in(store):
    assert names(fts.search(store.conn, "huong 0912 345 111")) == ["Đặng Thị Hương"]
    assert names(fts.search(store.conn, "an 0912 345 111")) == []
    assert names(fts.search(store.conn, "261123-010003")) == ["Trần Đức Đông"]
    assert names(fts.search(store.conn, "000.20.27.H57-261123-010002")) == ["Nguyễn Văn An"]
    assert len(fts.search(store.conn, "000.20.27").rows) == len(PEOPLE)


@pytest.mark.parametrize("typed", ['"', "*", "😀", "-- ()", "“”", "\u200b"])
def test_a_query_without_letters_or_digits_finds_nothing_and_says_why(store, typed):
    page = fts.search(store.conn, typed)
    assert page.rows == [] and page.reason == "no_terms"


def test_an_empty_query_lists_everything(store):
    page = fts.search(store.conn, "  ")
    assert len(page.rows) == len(PEOPLE) and page.reason is None


def test_limits_are_refused_outside_1_to_1000(tmp_path):
    counter = make_counter(tmp_path / "d")
    try:
        for bad in (0, -1, 1001, 10**9, 2.5, "5", True):
            with pytest.raises(UserError) as e:
                queries.search(counter, "huong", limit=bad)
            assert "1.000" in e.value.vi and "1,000" in e.value.en
            with pytest.raises(UserError):
                queries.list_dossiers(counter, limit=bad)
        assert queries.search(counter, "huong", limit=1000)["results"] == []
        assert queries.search(counter, "*")["notice"]["code"] == "no_terms"
        from app import reports

        with pytest.raises(UserError):
            reports.dossier_page(counter, "huong", limit=5000)
        assert reports.dossier_page(counter, '"', limit=100)["notice"]["code"] == "no_terms"
    finally:
        counter.close()


def test_old_store_index_is_rebuilt_by_the_migration(tmp_path):
    """A v2 store indexed "+84912345111" as typed; opening it with this version migrates it and
    the phone is found by its national form."""
    path = tmp_path / "motcua.sqlite3"
    s = Store.open(path, target_version=2)
    r = row(1, *PEOPLE[0])
    old_text = "dang thi huong 079190000124 +84912345111 000 20 27 h57 261123 010001"
    with s.write() as conn:
        conn.execute(
            "INSERT INTO dossiers (id, code, procedure_code, procedure_name, applicant_name, "
            "citizen_id, phone, channel, received_at, appointment_at, status, clerk, data, "
            "search_text, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (r["id"], r["code"], r["procedure_code"], r["procedure_name"], r["applicant_name"],
             r["citizen_id"], r["phone"], r["channel"], r["received_at"], None, 2, "lan", "{}",
             old_text, r["updated_at"]))
    assert names(fts.search(s.conn, "0912345111")) == []  # the old index does not know it
    s.close()
    s = Store.open(path, backups_dir=tmp_path / "backups")
    try:
        assert s.version >= 3
        assert names(fts.search(s.conn, "0912345111")) == ["Đặng Thị Hương"]
        s.conn.execute("INSERT INTO dossier_fts (dossier_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        s.close()
    with sqlite3.connect(path) as plain:  # the rebuilt index is consistent for plain SQLite too
        assert plain.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_cli_search_and_list_limits_and_notice(data_dir):
    assert motcua("init", "--agency-code", "000.20.27.H57", "--counter", "1",
                  data_dir=data_dir).returncode == 0
    r = motcua("search", '"', data_dir=data_dir)
    assert r.returncode == 0 and r.stdout == ""
    assert r.stderr.strip().splitlines() == [queries.NO_TERMS["vi"]]
    r = motcua("search", "😀", "--json", data_dir=data_dir, lang="en")
    assert r.returncode == 0 and queries.NO_TERMS["en"] in r.stderr
    for args in (("list", "--limit", "-1"), ("search", "huong", "--limit", "1001"),
                 ("list", "--limit", "abc")):
        r = motcua(*args, data_dir=data_dir)
        assert r.returncode == 2, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and "1.000" in r.stderr, r.stderr
