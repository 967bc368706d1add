"""The shipped procedure catalogue, its validator and its search."""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.catalogue import (
    REPEALED_CODES,
    Catalogue,
    Procedure,
    load_shipped_catalogue,
    parse_catalogue,
)
from app.errors import UserError
from localdb.folding import fold

ROOT = Path(__file__).resolve().parent.parent


def _reference_path() -> Path | None:
    candidates = [
        os.environ.get("MOTCUA_PROCEDURES_REFERENCE", ""),
        ROOT / "docs" / "procedures-reference.md",
        ROOT.parent / "shared" / "data" / "procedures-reference.md",
    ]
    for c in candidates:
        if c and Path(c).is_file():
            return Path(c)
    return None


def _reference_rows() -> dict[str, list[str]]:
    """code -> cells (code, name, field, time, fee, documents, source) of the reference table."""
    path = _reference_path()
    if path is None:
        pytest.skip("procedures-reference.md not found (set MOTCUA_PROCEDURES_REFERENCE)")
    rows: dict[str, list[str]] = {}
    in_table = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            in_table = line.strip() == "## Table"
            continue
        if not in_table or not line.startswith("| "):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] in ("code", "") or set(cells[0]) <= {"-"}:
            continue
        rows[cells[0]] = cells
    assert len(rows) > 30, "reference table not parsed"
    return rows


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_shipped_catalogue()


@pytest.fixture(scope="module")
def ref() -> dict[str, list[str]]:
    return _reference_rows()


# --------------------------------------------------------------------------- shipped data


def test_shipped_catalogue_parses(cat):
    assert len(cat) >= 30
    assert cat.version_key >= (2026, 11, 1)
    assert cat.published.isoformat() == "2026-11-23"
    assert all(isinstance(p, Procedure) for p in cat.procedures)


@pytest.mark.parametrize(
    "code, word",
    [
        ("1.001193", "khai sinh"),
        ("1.000656", "khai tử"),
        ("1.000894", "kết hôn"),
        ("1.004873", "xác nhận tình trạng hôn nhân"),
    ],
)
def test_civil_status_basics_present(cat, code, word):
    proc = cat.get(code)
    assert proc is not None
    assert word in proc.name
    assert proc.field == "Hộ tịch"
    assert proc.processing_time.kind == "working_days"
    assert proc.documents and proc.confirmed.documents


def test_certified_copy_is_same_day_with_cutoff(cat):
    proc = cat.get("2.000815")
    assert proc.processing_time.kind == "same_day"
    assert proc.processing_time.cutoff == "15:00"
    assert proc.processing_time.value is None
    assert proc.fee_vnd == 2000 and proc.fee_unit == "trang"
    assert "200.000" in proc.fee_text


def test_repealed_and_unknown_codes_are_not_offered(cat):
    assert cat.get("2.001009") is None
    assert "2.001009" in REPEALED_CODES
    assert cat.get("unknown") is None
    assert not cat.search("2.001009")


def test_every_shipped_code_and_name_is_in_the_reference(cat, ref):
    """The 'never invent a code' guard."""
    for p in cat.procedures:
        assert p.code in ref, f"{p.code} is not in the reference"
        assert p.name == ref[p.code][1], f"{p.code}: name differs from the reference"


def test_every_reference_code_is_shipped(cat, ref):
    real = {c for c in ref if re.fullmatch(r"[0-9]\.[0-9]{6}", c)}
    assert real - set(REPEALED_CODES) == {p.code for p in cat.procedures}


def test_fees_are_copied_not_invented(cat, ref):
    for p in cat.procedures:
        cell = ref[p.code][4]
        if p.fee_vnd is None:
            continue
        if p.fee_vnd == 0:
            assert re.search(r"miễn|không quy định", cell, re.I), p.code
        else:
            assert f"{p.fee_vnd:,}".replace(",", ".") in cell, p.code


def test_unconfirmed_fees_are_flagged(cat, ref):
    for p in cat.procedures:
        if "unconfirmed" in ref[p.code][4]:
            assert not p.confirmed.fee or "chưa xác nhận" in p.fee_text.lower(), p.code
        if not p.confirmed.fee and p.fee_vnd is None:
            assert "chưa xác nhận" in p.fee_text.lower(), p.code


def test_times_are_copied_not_invented(cat, ref):
    for p in cat.procedures:
        cell = ref[p.code][3]
        t = p.processing_time
        if t.kind in ("working_days", "calendar_days", "working_hours"):
            numbers = {int(n) for n in re.findall(r"[0-9]+", cell)}
            assert int(t.value) in numbers, p.code
            for sub in [*p.time_by_channel.values(), *p.time_by_case.values()]:
                assert int(sub.value) in numbers, p.code
        if t.kind == "same_day":
            assert "same" in cell.lower() and t.cutoff == "15:00", p.code
        if "unconfirmed" in cell:
            assert t.kind == "none" or not p.confirmed.processing_time, p.code


def test_documents_and_sources(cat, ref):
    for p in cat.procedures:
        assert p.sources
        for key in p.sources:
            assert key in cat.source_keys
            assert key in ref[p.code][6], f"{p.code}: source {key} not cited by the reference"
        if not p.documents:
            assert not p.confirmed.documents, p.code
        for d in p.documents:
            assert d.count >= 1 and d.form in ("original", "copy", "certified_copy", "shown")


def test_shown_identity_and_optional_proxy_for_civil_status(cat):
    proc = cat.get("1.001193")
    shown = [d for d in proc.documents if d.form == "shown"]
    assert any("tùy thân" in d.name for d in shown)
    proxy = [d for d in proc.documents if d.name == "Văn bản ủy quyền"]
    assert proxy and proxy[0].optional
    checklist = proc.checklist()
    assert all(item.name != "Văn bản ủy quyền" for item in checklist)
    assert len(proc.checklist(include_optional=True)) == len(proc.documents)


def test_channel_specific_times(cat):
    land = cat.get("1.013978")
    assert land.processing_time.value == 27
    assert land.time_for("online").value == 17
    assert land.time_for("post").value == 20
    assert cat.get("1.001193").time_for("online") == cat.get("1.001193").processing_time


def test_round_trip(cat):
    assert parse_catalogue(cat.to_json()) == cat
    assert parse_catalogue(cat.to_json().encode("utf-8")) == cat
    assert parse_catalogue(json.loads(cat.to_json())) == cat


def test_require_unknown_code(cat):
    assert cat.require("1.001193").code == "1.001193"
    with pytest.raises(UserError) as ei:
        cat.require("9.999999")
    assert ei.value.code == "procedure_unknown"
    assert "Không có thủ tục mã 9.999999" in ei.value.vi


# --------------------------------------------------------------------------- validation


def _minimal() -> dict:
    return {
        "schema": 1,
        "version": "2026.11.1",
        "published": "2026-11-23",
        "source": "test",
        "procedures": [
            {
                "code": "1.001193",
                "name": "Thủ tục đăng ký khai sinh",
                "field": "Hộ tịch",
                "processing_time": {"kind": "working_days", "value": 1, "cutoff": None, "note": ""},
                "fee_vnd": 0,
                "fee_text": "Miễn",
                "documents": [{"name": "Tờ khai", "form": "original", "count": 1}],
                "sources": ["DP"],
            },
            {
                "code": "2.000815",
                "name": "Chứng thực bản sao",
                "field": "Chứng thực",
                "processing_time": {"kind": "same_day", "value": None, "cutoff": "15:00"},
                "fee_vnd": 2000,
                "fee_text": "2.000 đ/trang",
                "documents": [{"name": "Bản chính", "form": "original"}],
                "sources": ["API"],
            },
        ],
    }


def test_minimal_catalogue_is_valid():
    c = parse_catalogue(_minimal())
    assert [p.code for p in c.procedures] == ["1.001193", "2.000815"]
    assert c.get("2.000815").documents[0].count == 1


def _set(path: list, value):
    def mutate(data: dict) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        if value is _DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value

    return mutate


_DELETE = object()
P0 = ["procedures", 0]
P1 = ["procedures", 1]


def _duplicate(data: dict) -> None:
    data["procedures"][1]["code"] = "1.001193"


def _unknown_source_key(data: dict) -> None:
    data["source_keys"] = {"DP": "x"}


@pytest.mark.parametrize(
    "mutate, expected_vi",
    [
        (_set(["schema"], 2), "phiên bản định dạng 2 không được hỗ trợ"),
        (_set(["schema"], True), "phiên bản định dạng True không được hỗ trợ"),
        (_set(["version"], "v1"), "phiên bản danh mục “v1” sai định dạng"),
        (_set(["published"], "2026-13-01"), "ngày công bố “2026-13-01” không hợp lệ"),
        (_set(["procedures"], []), "danh mục không có thủ tục nào"),
        (_set(["procedures"], {}), "trường “procedures”: phải là một danh sách"),
        (_set(["extra"], 1), "trường không được hỗ trợ: extra"),
        (_set([*P0, "name"], _DELETE), "thủ tục 1.001193 (thứ 1): thiếu trường “name”"),
        (_set([*P0, "name"], "  "), "thủ tục 1.001193 (thứ 1), trường “name”: không được để trống"),
        (_set([*P0, "code"], "1.00119"), "mã thủ tục “1.00119” sai định dạng"),
        (_set([*P0, "code"], "1.0011934"), "mã thủ tục “1.0011934” sai định dạng"),
        (_set([*P0, "code"], "١.٠٠١١٩٣"), "sai định dạng"),
        (_set([*P0, "code"], _DELETE), "thủ tục thứ 1: thiếu trường “code”"),
        (_duplicate, "thủ tục 1.001193 (thứ 2): mã trùng với thủ tục thứ 1"),
        (_set([*P0, "code"], "2.001009"), "thủ tục 2.001009 đã bị bãi bỏ"),
        (_set([*P0, "processing_time", "kind"], "weeks"),
         "trường “processing_time”, trường “kind”: loại thời hạn “weeks” không hợp lệ"),
        (_set([*P0, "processing_time", "value"], None), "thời hạn loại “working_days” phải có số"),
        (_set([*P0, "processing_time", "value"], 0), "thời hạn phải lớn hơn 0"),
        (_set([*P1, "processing_time", "value"], 1), "thời hạn loại “same_day” không có số ngày"),
        (_set([*P1, "processing_time", "cutoff"], "3pm"), "giờ chốt phải có dạng HH:MM"),
        (_set([*P1, "processing_time", "cutoff"], "24:00"), "giờ chốt phải có dạng HH:MM"),
        (_set([*P0, "processing_time", "by_channel"], {"fax": {"kind": "none"}}),
         "kênh “fax” không hợp lệ"),
        (_set([*P0, "fee_vnd"], -1), "thủ tục 1.001193 (thứ 1), trường “fee_vnd”: phí, lệ phí không được âm"),
        (_set([*P0, "fee_vnd"], 1.5), "trường “fee_vnd”: phải là số nguyên"),
        (_set([*P0, "fee_vnd"], True), "trường “fee_vnd”: phải là số nguyên"),
        (_set([*P0, "fee_text"], ""), "trường “fee_text”: không được để trống"),
        (_set([*P0, "documents", 0, "count"], 0), "mục 1, trường “count”: số lượng phải từ 1 trở lên"),
        (_set([*P0, "documents", 0, "form"], "photo"), "hình thức giấy tờ “photo” không hợp lệ"),
        (_set([*P0, "documents"], []), "danh sách giấy tờ trống"),
        (_set([*P0, "documents"], "Tờ khai"), "trường “documents”: phải là một danh sách"),
        (_set([*P0, "sources"], []), "trường “sources”: phải là danh sách nguồn không trống"),
        (_unknown_source_key, "thủ tục 2.000815 (thứ 2), trường “sources”: nguồn không có trong source_keys: API"),
        (_set([*P0, "confirmed"], {"fee": "no"}), "trường “fee”: phải là true hoặc false"),
        (_set([*P0, "confirmed"], {"price": False}), "trường không được hỗ trợ: price"),
    ],
)
def test_validation_errors(mutate, expected_vi):
    data = copy.deepcopy(_minimal())
    mutate(data)
    with pytest.raises(UserError) as ei:
        parse_catalogue(data)
    err = ei.value
    assert err.code == "catalogue_invalid"
    assert err.vi.startswith("Danh mục thủ tục không hợp lệ")
    assert expected_vi in err.vi, err.vi
    assert err.en.startswith("Invalid procedure catalogue")


def test_empty_documents_allowed_only_when_unconfirmed():
    data = _minimal()
    data["procedures"][0]["documents"] = []
    data["procedures"][0]["confirmed"] = {"documents": False}
    proc = parse_catalogue(data).get("1.001193")
    assert proc.documents == () and not proc.confirmed.documents and proc.confirmed.fee


@pytest.mark.parametrize(
    "raw, expected_vi",
    [
        (b"\xff\xfe\x00garbage", "không phải văn bản UTF-8"),
        (b"{not json", "JSON sai cú pháp (dòng 1"),
        ("[1, 2]", "phải là một đối tượng JSON"),
        ("", "JSON sai cú pháp"),
    ],
)
def test_bad_bytes(raw, expected_vi):
    with pytest.raises(UserError) as ei:
        parse_catalogue(raw)
    assert ei.value.code == "catalogue_invalid"
    assert expected_vi in ei.value.vi


# --------------------------------------------------------------------------- search


def _codes(procs) -> list[str]:
    return [p.code for p in procs]


def test_search_marriage_without_diacritics(cat):
    assert _codes(cat.search("dang ky ket hon"))[0] == "1.000894"
    assert _codes(cat.search("ĐĂNG KÝ KẾT HÔN"))[0] == "1.000894"
    assert "1.000894" in _codes(cat.search("ket hon"))


def test_search_folds_d_stroke(cat):
    assert fold("Đăng") == fold("dang") == "dang"
    assert _codes(cat.search("Đăng ký khai tử")) == _codes(cat.search("dang ky khai tu"))
    assert _codes(cat.search("dang ky khai tu"))[0] == "1.000656"


def test_search_birth_and_certification(cat):
    assert _codes(cat.search("khai sinh"))[0] == "1.001193"
    hits = _codes(cat.search("chung thuc", limit=50))
    assert "2.000815" in hits and "2.000884" in hits
    assert _codes(cat.search("xac nhan tinh trang hon nhan"))[0] == "1.004873"


def test_search_by_code_prefix(cat):
    hits = _codes(cat.search("1.0011"))
    assert "1.001193" in hits and all(c.startswith("1.0011") for c in hits)
    assert _codes(cat.search("1001193")) == ["1.001193"]
    assert _codes(cat.search(" 2.000815 ")) == ["2.000815"]


def test_search_limits_and_empty(cat):
    assert len(cat.search("", limit=5)) == 5
    assert cat.search("khai sinh", limit=0) == []
    assert len(cat.search("thu tuc", limit=3)) == 3
    assert cat.search("zzzz qqqq") == []
    assert cat.search("!!!") == []


def test_fold_examples():
    assert fold("  Nguyễn   Văn\tĐỨC ") == "nguyen van duc"
    assert fold("Hồ Chí Minh") == "ho chi minh"
    assert fold("Thủ tục đăng ký khai sinh") == "thu tuc dang ky khai sinh"
    assert fold("") == ""


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_fold_is_idempotent(text):
    once = fold(text)
    assert fold(once) == once


@settings(max_examples=300, deadline=None)
@given(st.text(), st.integers(min_value=-3, max_value=100))
def test_search_never_raises(text, limit):
    cat = load_shipped_catalogue()
    hits = cat.search(text, limit=limit)
    assert len(hits) <= max(limit, 0)
    assert all(isinstance(p, Procedure) for p in hits)


def test_shipped_file_is_in_canonical_form(cat):
    """The file is exactly what to_json() writes, so tools can rewrite it without noise."""
    shipped = (ROOT / "app" / "data" / "procedures.json").read_text(encoding="utf-8")
    assert cat.to_json() == shipped
