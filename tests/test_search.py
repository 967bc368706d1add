"""Search: folded, escaped, newest first, paged; exact ID/code lookups."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localdb import dossiers as repo
from localdb import search as fts
from localdb.folding import fold
from localdb.store import Store

PEOPLE = [
    ("Đặng Thị Hương", "001190000011", "0912345678"),
    ("Nguyễn Văn An", "079090000022", "0987654321"),
    ("Trần Đức Đông", "001085000033", "0901111222"),
    ("Nguyễn Thị Hương", "036195000044", "0977000111"),
    ("Lê Quang Đạt", "079203000055", ""),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = Store.open(tmp_path_factory.mktemp("search") / "s.sqlite3")
    with s.write() as conn:
        for i, (name, cid, phone) in enumerate(PEOPLE, 1):
            code = f"000.20.27.H57-261123-01{i:04d}"
            repo.insert_dossier(conn, {
                "id": f"id-{i}", "code": code, "procedure_code": "1.001193",
                "procedure_name": "Đăng ký khai sinh", "applicant_name": name, "citizen_id": cid,
                "phone": phone, "channel": "in_person", "received_at": f"2026-11-23T09:0{i}:00+07:00",
                "appointment_at": None, "status": 2, "clerk": "lan", "data": "{}",
                "updated_at": "2026-11-23T09:00:00+07:00",
            })
    yield s
    s.close()


def names(page):
    return [r["applicant_name"] for r in page.rows]


def test_fold_handles_d_stroke_and_diacritics():
    assert fold("Đặng Thị HƯƠNG") == "dang thi huong"
    assert fold("đường") == "duong"


def test_name_without_diacritics_finds_the_person(store):
    assert names(fts.search(store.conn, "dang thi huong")) == ["Đặng Thị Hương"]
    assert names(fts.search(store.conn, "DUC DONG")) == ["Trần Đức Đông"]


def test_common_word_lists_newest_first(store):
    assert names(fts.search(store.conn, "nguyen")) == ["Nguyễn Thị Hương", "Nguyễn Văn An"]
    assert names(fts.search(store.conn, "huong")) == ["Nguyễn Thị Hương", "Đặng Thị Hương"]


def test_prefix_of_id_phone_and_code(store):
    assert names(fts.search(store.conn, "0791")) == []  # no ID starts with 0791
    assert names(fts.search(store.conn, "07909")) == ["Nguyễn Văn An"]
    assert names(fts.search(store.conn, "0977")) == ["Nguyễn Thị Hương"]
    assert names(fts.search(store.conn, "261123-010003")) == ["Trần Đức Đông"]
    assert names(fts.search(store.conn, "h57-261123-01000")) == [p[0] for p in reversed(PEOPLE)]


def test_exact_id_and_code_go_to_the_index(store):
    assert names(fts.search(store.conn, "036195000044")) == ["Nguyễn Thị Hương"]
    assert names(fts.search(store.conn, "000.20.27.h57-261123-010005")) == ["Lê Quang Đạt"]
    plan = store.conn.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM dossiers WHERE citizen_id = ?", ("x",)).fetchall()
    assert "dossiers_citizen_id" in str(plan)


@pytest.mark.parametrize("text", ['"', "*", "-", "(", ")", "NEAR", "OR", "AND", "NOT", 'huong"',
                                  "nguyen OR", "a:b", "^", "NEAR(huong dang)", "'; DROP TABLE x;--"])
def test_fts_syntax_is_just_text(store, text):
    fts.search(store.conn, text)  # never raises


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_is_a_search_term(store, text):
    page = fts.search(store.conn, text, limit=3)
    assert len(page.rows) <= 3


def test_paging_covers_every_match_once(store):
    seen, before = [], None
    while True:
        page = fts.search(store.conn, "", limit=2, before=before)
        seen += [r["code"] for r in page.rows]
        if page.next_before is None:
            break
        before = page.next_before
    assert len(seen) == len(set(seen)) == len(PEOPLE)
