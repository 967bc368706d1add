"""Administrative units of the two-level scheme (34 provinces, 3,321 communes)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import units
from app.errors import UserError


def test_counts():
    provs = units.provinces()
    assert len(provs) == 34
    assert sum(len(units.communes(p.code)) for p in provs) == 3321
    assert len({c.code for c in units.all_communes()}) == 3321


def test_codes_are_zero_padded_strings():
    for p in units.provinces():
        assert isinstance(p.code, str) and len(p.code) == 2 and p.code.isdigit()
    for c in units.all_communes():
        assert len(c.code) == 5 and c.code.isdigit()
        assert units.province(c.province_code) is not None
    assert units.province("01").name == "Thành phố Hà Nội"
    assert units.province(1) == units.province("1") == units.province("01")
    assert units.commune(70) == units.commune("70") == units.commune("00070")
    assert units.commune("00070").name == "Phường Hoàn Kiếm"


@pytest.mark.parametrize("bad", ["", "abc", "-1", "001", "1.5", None, True, 3.0, "٠١"])
def test_malformed_codes_are_unknown(bad):
    assert units.province(bad) is None
    assert units.communes(bad) == ()


def test_division_types_and_short_names():
    hcm = units.province("79")
    assert hcm.name == "Thành phố Hồ Chí Minh"
    assert hcm.division_type == "thành phố trung ương"
    assert hcm.short_name == "Hồ Chí Minh"
    assert {p.division_type for p in units.provinces()} == {"tỉnh", "thành phố trung ương"}
    assert {c.division_type for c in units.all_communes()} == {"xã", "phường", "đặc khu"}
    assert units.commune("00070").short_name == "Hoàn Kiếm"


@pytest.mark.parametrize(
    "text, code",
    [
        ("thanh pho ho chi minh", "79"),
        ("Thành phố Hồ Chí Minh", "79"),
        ("ho chi minh", "79"),
        ("hcm", "79"),
        ("TP HCM", "79"),
        ("ha noi", "01"),
        ("HÀ NỘI", "01"),
        ("da nang", "48"),
        ("Đà", "48"),
        ("dak lak", "66"),
        ("can tho", "92"),
    ],
)
def test_search_provinces(text, code):
    assert units.search_provinces(text)[0].code == code


def test_search_communes_without_diacritics():
    hits = units.search_communes("79", "phuong sai gon")
    assert hits[0].name == "Phường Sài Gòn"
    assert units.search_communes("79", "sai gon")[0] == hits[0]
    assert units.search_communes("01", "hoan kiem")[0].code == "00070"
    assert all(c.province_code == "79" for c in units.search_communes("79", "xa", limit=None))
    assert len(units.search_communes("79", "xa", limit=5)) == 5


def test_search_communes_country_wide_and_unknown_province():
    assert units.search_communes(None, "hoan kiem")[0].code == "00070"
    assert units.search_communes("99", "hoan kiem") == []
    assert units.search_communes("01", "") == []


def test_validate_address_ok():
    prov, com = units.validate_address("79", units.search_communes("79", "sai gon")[0].code)
    assert prov.code == "79" and com.name == "Phường Sài Gòn"
    assert units.validate_address(1, 70)[1].code == "00070"


def test_validate_address_errors():
    with pytest.raises(UserError) as ei:
        units.validate_address("99", "00070")
    assert ei.value.code == "province_unknown" and ei.value.field == "province_code"
    assert "Mã tỉnh/thành phố “99” không tồn tại" in ei.value.vi

    with pytest.raises(UserError) as ei:
        units.validate_address("01", "99999")
    assert ei.value.code == "commune_unknown" and ei.value.field == "commune_code"
    assert "Mã xã/phường/đặc khu “99999” không tồn tại" in ei.value.vi

    sai_gon = units.search_communes("79", "phuong sai gon")[0]
    with pytest.raises(UserError) as ei:
        units.validate_address("01", sai_gon.code)
    assert ei.value.code == "commune_not_in_province"
    assert ei.value.vi == (
        "Phường Sài Gòn không thuộc Thành phố Hà Nội (thuộc Thành phố Hồ Chí Minh)."
    )
    assert "is not in" in ei.value.en


def test_import_is_lazy():
    """Importing the module must not load the unit data (GUI start-up)."""
    code = "import sys, app.units; print('vietnam_provinces' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@settings(max_examples=300, deadline=None)
@given(st.text(), st.one_of(st.none(), st.text(max_size=4), st.integers(-5, 120)))
def test_search_never_raises(text, province_code):
    for p in units.search_provinces(text):
        assert isinstance(p, units.Province)
    for c in units.search_communes(province_code, text, limit=10):
        assert isinstance(c, units.Commune)
