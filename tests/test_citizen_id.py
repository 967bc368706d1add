"""Citizen ID validation, the chip-card QR parser and the address splitter.

Every number here is structurally valid but made up (serials like 000001, 012345): none is a
real person's.
"""

from __future__ import annotations

import contextlib
import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.citizen_id import (
    CURRENT_PROVINCES,
    PROVINCE_CODES,
    CccdQr,
    describe_citizen_id,
    format_cccd_qr,
    parse_cccd_qr,
    split_address,
    validate_citizen_id,
)
from app.domain import Gender
from app.errors import UserError

MALE_1990 = "001090000001"  # Hà Nội, male, born 19(90)
FEMALE_2005 = "001305000002"  # Hà Nội, female, born 20(05)
ADDRESS = "Số 12, Thôn Đông, Xã Yên Phong, Tỉnh Bắc Ninh"
QR7 = f"{MALE_1990}||Nguyễn Văn An|15031990|Nam|{ADDRESS}|01022021"


def error_of(fn, *args, **kwargs) -> UserError:
    with pytest.raises(UserError) as info:
        fn(*args, **kwargs)
    err = info.value
    assert err.vi and err.en and err.vi != err.en
    return err


# ---- province codes --------------------------------------------------------------------


def test_63_historical_codes_and_34_current_provinces():
    assert len(PROVINCE_CODES) == 63
    assert len(CURRENT_PROVINCES) == 34
    assert {current for _, current in PROVINCE_CODES.values()} == set(CURRENT_PROVINCES)
    # every current code is also a historical one: post-reform numbers use the same list
    assert set(CURRENT_PROVINCES) <= set(PROVINCE_CODES)
    assert all(len(code) == 3 and code.isdigit() for code in PROVINCE_CODES)
    assert PROVINCE_CODES["001"] == ("Hà Nội", "001")
    assert PROVINCE_CODES["079"] == ("Hồ Chí Minh", "079")
    assert PROVINCE_CODES["096"] == ("Cà Mau", "096")


def test_current_provinces_match_the_unit_list():
    """Cross-check against vietnam-provinces (the two-level unit list the app ships)."""
    from vietnam_provinces import Province

    units = {f"{int(p.code):03d}": p.name for p in Province.iter_all()}
    assert units == dict(CURRENT_PROVINCES)


@pytest.mark.parametrize(
    "old, current",
    [("024", "024"), ("027", "024"), ("089", "091"), ("091", "091"), ("045", "044"),
     ("074", "079"), ("077", "079"), ("064", "052"), ("062", "051"), ("072", "080")],
)
def test_merged_provinces(old, current):
    assert PROVINCE_CODES[old][1] == current


@pytest.mark.parametrize("code", sorted(PROVINCE_CODES))
def test_every_code_is_accepted(code):
    assert validate_citizen_id(f"{code}090000001") == f"{code}090000001"


@pytest.mark.parametrize("code", ["000", "003", "005", "041", "090", "097", "099", "100", "999"])
def test_unknown_codes_are_refused(code):
    err = error_of(validate_citizen_id, f"{code}090000001")
    assert err.code == "province"
    assert err.field == "citizen_id"
    assert f"“{code}”" in err.vi
    assert "Mã tỉnh nơi đăng ký khai sinh" in err.vi


# ---- the number itself -------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "001090000001",
        " 001090000001 ",
        "001 090 000001",
        "001.090.000.001",
        "001-090-000001",
        "００１０９０００００01",  # full-width digits from an IME
    ],
)
def test_normalisation(typed):
    assert validate_citizen_id(typed) == MALE_1990


@pytest.mark.parametrize(
    "typed, code",
    [
        ("", "required"),
        ("   ", "required"),
        ("00109000000A", "not_digits"),
        ("OO1090000001", "not_digits"),  # letter O for zero
        ("٠٠١٠٩٠٠٠٠٠٠١", "not_digits"),  # Arabic-Indic digits are not ASCII digits
        ("123456789", "old_id_number"),
        ("00109000001", "length"),
        ("0010900000011", "length"),
    ],
)
def test_malformed_numbers(typed, code):
    err = error_of(validate_citizen_id, typed)
    assert err.code == code
    assert err.field == "citizen_id"


def test_length_message_is_precise():
    err = error_of(validate_citizen_id, "00109000001")
    assert err.vi == "Số định danh cá nhân phải gồm đúng 12 chữ số (đã nhập 11 chữ số)."
    assert err.en == "The citizen ID must have exactly 12 digits (11 entered)."


@pytest.mark.parametrize("digit", "456789")
def test_future_century_digits_are_refused(digit):
    err = error_of(validate_citizen_id, f"001{digit}90000001")
    assert err.code == "century"
    assert "mã thế kỷ và giới tính" in err.vi


def test_consistent_date_of_birth_and_gender():
    assert validate_citizen_id(
        MALE_1990, date_of_birth=date(1990, 3, 15), gender=Gender.MALE
    ) == MALE_1990
    assert validate_citizen_id(
        FEMALE_2005, date_of_birth=date(2005, 12, 31), gender=Gender.FEMALE
    ) == FEMALE_2005
    assert validate_citizen_id("079100000003", date_of_birth=date(1900, 1, 1)) == "079100000003"
    assert validate_citizen_id("079299000004", date_of_birth=date(2099, 1, 1)) == "079299000004"


def test_century_mismatch():
    err = error_of(validate_citizen_id, MALE_1990, date_of_birth=date(2090, 3, 15))
    assert err.code == "century_mismatch"
    assert "1900–1999" in err.vi and "2090" in err.vi


def test_birth_year_mismatch():
    err = error_of(validate_citizen_id, MALE_1990, date_of_birth=date(1991, 3, 15))
    assert err.code == "birth_year_mismatch"
    assert err.vi == (
        "Chữ số thứ 5–6 của số định danh cá nhân (“90”) là năm sinh 1990, "
        "không khớp với năm sinh đã nhập 1991."
    )


def test_gender_mismatch():
    err = error_of(validate_citizen_id, MALE_1990, gender=Gender.FEMALE)
    assert err.code == "gender_mismatch"
    assert "Nam" in err.vi and "(Nữ)" in err.vi
    err = error_of(validate_citizen_id, FEMALE_2005, gender=Gender.MALE)
    assert err.code == "gender_mismatch"


def test_describe():
    info = describe_citizen_id("027 305 000002")
    assert info == {
        "citizen_id": "027305000002",
        "province_code": "027",
        "province_name": "Bắc Ninh",
        "current_province_code": "024",
        "current_province_name": "Bắc Ninh",
        "century": 21,
        "birth_year_digits": "05",
        "birth_year": 2005,
        "gender": Gender.FEMALE,
        "gender_vi": "Nữ",
        "serial": "000002",
    }
    assert describe_citizen_id("089090000001")["current_province_name"] == "An Giang"
    assert describe_citizen_id(MALE_1990)["century"] == 20
    with pytest.raises(UserError):
        describe_citizen_id("003090000001")


def test_non_string_is_a_programming_error():
    with pytest.raises(TypeError):
        validate_citizen_id(1090000001)  # type: ignore[arg-type]


@settings(max_examples=500)
@given(st.text())
def test_validator_only_raises_user_error(text):
    try:
        result = validate_citizen_id(text)
    except UserError as err:
        assert err.field == "citizen_id" and err.code
    else:
        assert len(result) == 12 and result.isascii() and result.isdigit()


@settings(max_examples=300)
@given(st.text(alphabet="0123456789 .-", min_size=0, max_size=20))
def test_validator_on_digit_soup(text):
    with contextlib.suppress(UserError):
        validate_citizen_id(text)


# ---- QR code -----------------------------------------------------------------------------


def test_common_7_field_layout():
    qr = parse_cccd_qr(QR7)
    assert qr == CccdQr(
        citizen_id=MALE_1990,
        old_id="",
        full_name="Nguyễn Văn An",
        date_of_birth=date(1990, 3, 15),
        gender=Gender.MALE,
        address=ADDRESS,
        issue_date=date(2021, 2, 1),
        extra=(),
    )


def test_old_id_kept():
    qr = parse_cccd_qr(f"{FEMALE_2005}|123456789|Trần Thị Bình|01012005|Nữ|{ADDRESS}|10102021")
    assert qr.old_id == "123456789"
    assert qr.gender is Gender.FEMALE


def test_6_field_layout_without_old_id():
    qr = parse_cccd_qr(f"{MALE_1990}|Nguyễn Văn An|15031990|Nam|{ADDRESS}|01022021")
    assert qr.old_id == ""
    assert qr.full_name == "Nguyễn Văn An"
    assert qr.issue_date == date(2021, 2, 1)


def test_missing_issue_date():
    qr = parse_cccd_qr(f"{MALE_1990}||Nguyễn Văn An|15031990|Nam|{ADDRESS}|")
    assert qr.issue_date is None
    qr = parse_cccd_qr(f"{MALE_1990}||Nguyễn Văn An|15031990|Nam|{ADDRESS}")
    assert qr.issue_date is None


def test_longer_layout_keeps_extra_fields():
    text = QR7 + "|Nguyễn Văn Cha|Lê Thị Mẹ||"
    qr = parse_cccd_qr(text)
    assert qr.extra == ("Nguyễn Văn Cha", "Lê Thị Mẹ")
    assert qr.issue_date == date(2021, 2, 1)
    assert parse_cccd_qr(QR7 + "|").extra == ()


@pytest.mark.parametrize(
    "wrapped",
    [
        QR7 + "\r\n",
        QR7 + "\n",
        QR7 + "\r",
        "  " + QR7 + "  \t",
        "\ufeff" + QR7,
        "\ufeff" + QR7 + "\r\n",
        unicodedata.normalize("NFD", QR7),  # decomposed Vietnamese from some readers
        QR7.encode("utf-8"),
        b"\xef\xbb\xbf" + QR7.encode("utf-8") + b"\r\n",
    ],
)
def test_scanner_noise_is_tolerated(wrapped):
    assert parse_cccd_qr(wrapped) == parse_cccd_qr(QR7)


def test_nfd_text_comes_back_composed():
    qr = parse_cccd_qr(unicodedata.normalize("NFD", QR7))
    assert qr.full_name == unicodedata.normalize("NFC", "Nguyễn Văn An")
    assert unicodedata.is_normalized("NFC", qr.address)


@pytest.mark.parametrize(
    "word, gender",
    [("Nam", Gender.MALE), ("NAM", Gender.MALE), (" nam ", Gender.MALE),
     ("Nữ", Gender.FEMALE), ("NỮ", Gender.FEMALE), ("nữ", Gender.FEMALE),
     ("nu", Gender.FEMALE), ("Nu", Gender.FEMALE),
     (unicodedata.normalize("NFD", "Nữ"), Gender.FEMALE)],
)
def test_gender_words(word, gender):
    cid = MALE_1990 if gender is Gender.MALE else "001190000005"
    qr = parse_cccd_qr(f"{cid}||Nguyễn Văn An|15031990|{word}|{ADDRESS}|01022021")
    assert qr.gender is gender


def test_whitespace_inside_fields_is_collapsed():
    qr = parse_cccd_qr(f" {MALE_1990} ||  Nguyễn   Văn An |15031990| Nam |  Số 12,  Thôn Đông |")
    assert qr.full_name == "Nguyễn Văn An"
    assert qr.address == "Số 12, Thôn Đông"


@pytest.mark.parametrize("codec", ["cp1252", "latin-1"])
def test_mojibake_is_refused(codec):
    garbled = QR7.encode("utf-8").decode(codec, errors="replace")
    err = error_of(parse_cccd_qr, garbled)
    assert err.code == "qr_encoding"
    assert err.vi.startswith("Không đọc được mã QR CCCD: ")
    assert err.en.startswith("Could not read the citizen ID card QR code: ")


def test_replacement_characters_and_non_utf8_bytes_are_refused():
    assert error_of(parse_cccd_qr, QR7.replace("ễ", "\ufffd")).code == "qr_encoding"
    assert error_of(parse_cccd_qr, QR7.encode("utf-16")).code == "qr_encoding"
    assert error_of(parse_cccd_qr, QR7.encode("cp1258", errors="replace")).code == "qr_encoding"


def test_scanner_in_wrong_keyboard_mode_is_refused():
    # diacritics turned into question marks by a scanner typing in an ASCII layout
    err = error_of(parse_cccd_qr, QR7.replace("Nguyễn", "Nguy?n"))
    assert err.code == "qr_name"


@pytest.mark.parametrize(
    "text, code",
    [
        ("", "qr_empty"),
        ("\r\n", "qr_empty"),
        ("\ufeff  ", "qr_empty"),
        ("https://dichvucong.gov.vn/", "qr_format"),
        (f"{MALE_1990}|Nguyễn Văn An|15031990", "qr_format"),
        (QR7.replace("|Nam|", "|Nam\n|"), "qr_format"),
        (QR7.replace("15031990", "31021990"), "qr_date"),
        (QR7.replace("15031990", "1990-03-15"), "qr_date"),
        (QR7.replace("01022021", "01021980"), "qr_date"),  # issued before birth
        (QR7.replace("|Nam|", "|X|"), "qr_gender"),
        (QR7.replace("Nguyễn Văn An", "   "), "qr_name"),
        (QR7.replace("Nguyễn Văn An", "Nguyễn Văn 4n"), "qr_name"),
        (QR7.replace(MALE_1990, "003090000001"), "qr_province"),
        (QR7.replace(MALE_1990, "00109000001"), "qr_length"),
        (QR7.replace("15031990", "15031991"), "qr_birth_year_mismatch"),
        (QR7.replace("15031990", "15032090").replace("01022021", ""), "qr_century_mismatch"),
        (QR7.replace("|Nam|", "|Nữ|"), "qr_gender_mismatch"),
    ],
)
def test_bad_qr(text, code):
    err = error_of(parse_cccd_qr, text)
    assert err.code == code
    assert err.field == "citizen_qr"
    assert err.vi.startswith("Không đọc được mã QR CCCD: ")


def test_dates_with_separators_are_tolerated():
    qr = parse_cccd_qr(QR7.replace("15031990", "15/03/1990").replace("01022021", "01-02-2021"))
    assert qr.date_of_birth == date(1990, 3, 15)
    assert qr.issue_date == date(2021, 2, 1)


def test_id_errors_keep_the_validator_reason():
    err = error_of(parse_cccd_qr, QR7.replace("15031990", "15031991"))
    assert "năm sinh 1990" in err.vi and "1991" in err.vi


# Vietnamese-looking names and addresses built from syllables, for round trips.
SYLLABLES = ["Nguyễn", "Trần", "Lê", "Phạm", "Đặng", "Văn", "Thị", "Hữu", "Ngọc", "Anh",
             "Bình", "Dũng", "Hương", "Quỳnh", "Đức", "Thuỷ", "Ánh", "Nghĩa", "Ỷ", "Xuân"]
names = st.lists(st.sampled_from(SYLLABLES), min_size=2, max_size=5).map(" ".join)
address_parts = st.sampled_from(
    ["Số 12", "Ngõ 5", "Thôn Đông", "Tổ 3", "Xã Yên Phong", "Phường Ba Đình",
     "Huyện Yên Phong", "Tỉnh Bắc Ninh", "Thành phố Hà Nội", "Đặc khu Phú Quốc"]
)
addresses = st.lists(address_parts, min_size=1, max_size=5).map(", ".join)


@st.composite
def cards(draw) -> CccdQr:
    gender = draw(st.sampled_from([Gender.MALE, Gender.FEMALE]))
    dob = draw(st.dates(date(1900, 1, 1), date(2026, 11, 23)))
    century_digit = (dob.year // 100 - 19) * 2 + (gender is Gender.FEMALE)
    code = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    serial = draw(st.integers(0, 999_999))
    citizen_id = f"{code}{century_digit}{dob.year % 100:02d}{serial:06d}"
    issue = draw(st.none() | st.dates(dob, date(2026, 11, 23)))
    old_id = draw(st.sampled_from(["", "123456789", "012345678901"]))
    extra = tuple(draw(st.lists(names, max_size=3)))
    return CccdQr(citizen_id, old_id, draw(names), dob, gender, draw(addresses), issue, extra)


@settings(max_examples=300)
@given(card=cards(), noise=st.sampled_from(["", "\r\n", "\n", " ", "\ufeff"]),
       nfd=st.booleans())
def test_qr_round_trip(card, noise, nfd):
    text = format_cccd_qr(card)
    if nfd:
        text = unicodedata.normalize("NFD", text)
    text = (noise if noise == "\ufeff" else "") + text + (noise if noise != "\ufeff" else "")
    assert parse_cccd_qr(text) == card


@settings(max_examples=200)
@given(card=cards())
def test_qr_round_trip_6_field_layout(card):
    if card.old_id or card.issue_date is None:
        card = CccdQr(card.citizen_id, "", card.full_name, card.date_of_birth, card.gender,
                      card.address, date(2026, 11, 23), ())
    fields = format_cccd_qr(card).split("|")
    del fields[1]  # no old-id column
    assert parse_cccd_qr("|".join(fields[:6])) == CccdQr(
        card.citizen_id, "", card.full_name, card.date_of_birth, card.gender, card.address,
        card.issue_date, (),
    )


@settings(max_examples=300)
@given(card=cards())
def test_qr_mojibake_never_passes(card):
    text = format_cccd_qr(card)
    garbled = text.encode("utf-8").decode("cp1252", errors="replace")
    if garbled == text:  # pure ASCII: nothing to garble
        return
    with pytest.raises(UserError):
        parse_cccd_qr(garbled)


@settings(max_examples=500)
@given(st.one_of(
    st.text(),
    st.lists(st.text(max_size=15), min_size=5, max_size=9).map("|".join),
    st.binary().map(lambda b: b),
))
def test_qr_parser_only_raises_user_error(text):
    try:
        parse_cccd_qr(text)
    except UserError as err:
        assert err.field == "citizen_qr"
        assert err.vi.startswith("Không đọc được mã QR CCCD: ")


# ---- address -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (ADDRESS, ("Số 12, Thôn Đông", "Xã Yên Phong", "Tỉnh Bắc Ninh")),
        ("Số 12, Thôn Đông, Xã Yên Trung, Huyện Yên Phong, Tỉnh Bắc Ninh",
         ("Số 12, Thôn Đông", "Xã Yên Trung", "Tỉnh Bắc Ninh")),
        ("Số 5 Ngõ 10, Phường 3, Quận 1, TP. Hồ Chí Minh",
         ("Số 5 Ngõ 10", "Phường 3", "TP. Hồ Chí Minh")),
        ("Tổ 2, Thị trấn Chờ, Huyện Yên Phong, Bắc Ninh",
         ("Tổ 2", "Thị trấn Chờ", "Bắc Ninh")),
        ("Khu phố 1, Đặc khu Phú Quốc, Tỉnh An Giang",
         ("Khu phố 1", "Đặc khu Phú Quốc", "Tỉnh An Giang")),
        ("Thôn Đông, Yên Trung, Yên Phong, Bắc Ninh", ("Thôn Đông, Yên Trung", "Yên Phong", "Bắc Ninh")),
        ("Thôn Đông, Yên Trung, Huyện Yên Phong, Bắc Ninh",
         ("Thôn Đông", "Yên Trung", "Bắc Ninh")),
        ("Số 12, Xã Yên Phong", ("Số 12", "Xã Yên Phong", "")),
        ("Thôn Đông - Xã Yên Phong - Tỉnh Bắc Ninh", ("Thôn Đông", "Xã Yên Phong", "Tỉnh Bắc Ninh")),
        ("Xã Yên Phong, Tỉnh Bắc Ninh", ("", "Xã Yên Phong", "Tỉnh Bắc Ninh")),
        ("Số 12, Tỉnh Bắc Ninh", ("Số 12", "", "Tỉnh Bắc Ninh")),
        ("Số 12 Thôn Đông", ("Số 12 Thôn Đông", "", "")),
        ("  Số 12 ,, Thôn  Đông ,Xã Yên Phong,Tỉnh Bắc Ninh ",
         ("Số 12, Thôn Đông", "Xã Yên Phong", "Tỉnh Bắc Ninh")),
        ("", ("", "", "")),
    ],
)
def test_split_address(text, expected):
    assert split_address(text) == expected


def test_split_address_composes_nfd():
    detail, commune, province = split_address(unicodedata.normalize("NFD", ADDRESS))
    assert (detail, commune, province) == ("Số 12, Thôn Đông", "Xã Yên Phong", "Tỉnh Bắc Ninh")


@given(st.text())
def test_split_address_never_fails(text):
    parts = split_address(text)
    assert len(parts) == 3 and all(isinstance(p, str) for p in parts)
