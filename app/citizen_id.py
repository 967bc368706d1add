"""Citizen ID numbers (số định danh cá nhân / số CCCD, 12 digits) and the chip-card QR code.

Structure of the number (Nghị định 137/2015/NĐ-CP art. 7, Thông tư 07/2016/TT-BCA art. 7):

    PPP G YY RRRRRR
    |   | |  +-- 6 random digits
    |   | +----- last two digits of the year of birth
    |   +------- century of birth and gender: 0/1 = 1900-1999 male/female, 2/3 = 2000-2099,
    |            4/5 = 2100-2199, 6/7 = 2200-2299, 8/9 = 2300-2399 (even male, odd female)
    +----------- code of the province where the birth was registered (Thông tư 07/2016
                 appendix; the same codes as the national list of administrative units)

There is no check digit, so a typo is caught only by the province code, the century digit
and, when the date of birth and gender are known, by their consistency with the number.

Decisions:
* Codes are the 63 province codes in force from 2008 to 30/6/2025. The 34 provinces formed on
  1/7/2025 kept codes from that list (e.g. 024 is now Bắc Ninh, 091 An Giang), so numbers
  issued after the reform use a subset of the same codes; a number never changes when its
  province merges. `describe_citizen_id` names both the historical and the current province.
* Citizens whose birth was registered abroad: no published code list for them was found, so
  such numbers are refused like any other unknown code. If one turns up, add its codes to
  EXTRA_PROVINCE_CODES.
* Century digits 4-9 mean a birth year from 2100 on: nobody alive can hold such a number
  today, so they are refused as a typo (LATEST_BIRTH_YEAR).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from app.domain import Gender
from app.errors import UserError

FIELD = "citizen_id"
LATEST_BIRTH_YEAR = 2099

# Province code -> (name when the code was assigned, code of the province it belongs to since
# 1/7/2025 per Nghị quyết 202/2025/QH15).
PROVINCE_CODES: Mapping[str, tuple[str, str]] = MappingProxyType({
    "001": ("Hà Nội", "001"),
    "002": ("Hà Giang", "008"),
    "004": ("Cao Bằng", "004"),
    "006": ("Bắc Kạn", "019"),
    "008": ("Tuyên Quang", "008"),
    "010": ("Lào Cai", "015"),
    "011": ("Điện Biên", "011"),
    "012": ("Lai Châu", "012"),
    "014": ("Sơn La", "014"),
    "015": ("Yên Bái", "015"),
    "017": ("Hòa Bình", "025"),
    "019": ("Thái Nguyên", "019"),
    "020": ("Lạng Sơn", "020"),
    "022": ("Quảng Ninh", "022"),
    "024": ("Bắc Giang", "024"),
    "025": ("Phú Thọ", "025"),
    "026": ("Vĩnh Phúc", "025"),
    "027": ("Bắc Ninh", "024"),
    "030": ("Hải Dương", "031"),
    "031": ("Hải Phòng", "031"),
    "033": ("Hưng Yên", "033"),
    "034": ("Thái Bình", "033"),
    "035": ("Hà Nam", "037"),
    "036": ("Nam Định", "037"),
    "037": ("Ninh Bình", "037"),
    "038": ("Thanh Hóa", "038"),
    "040": ("Nghệ An", "040"),
    "042": ("Hà Tĩnh", "042"),
    "044": ("Quảng Bình", "044"),
    "045": ("Quảng Trị", "044"),
    "046": ("Thừa Thiên Huế", "046"),
    "048": ("Đà Nẵng", "048"),
    "049": ("Quảng Nam", "048"),
    "051": ("Quảng Ngãi", "051"),
    "052": ("Bình Định", "052"),
    "054": ("Phú Yên", "066"),
    "056": ("Khánh Hòa", "056"),
    "058": ("Ninh Thuận", "056"),
    "060": ("Bình Thuận", "068"),
    "062": ("Kon Tum", "051"),
    "064": ("Gia Lai", "052"),
    "066": ("Đắk Lắk", "066"),
    "067": ("Đắk Nông", "068"),
    "068": ("Lâm Đồng", "068"),
    "070": ("Bình Phước", "075"),
    "072": ("Tây Ninh", "080"),
    "074": ("Bình Dương", "079"),
    "075": ("Đồng Nai", "075"),
    "077": ("Bà Rịa - Vũng Tàu", "079"),
    "079": ("Hồ Chí Minh", "079"),
    "080": ("Long An", "080"),
    "082": ("Tiền Giang", "082"),
    "083": ("Bến Tre", "086"),
    "084": ("Trà Vinh", "086"),
    "086": ("Vĩnh Long", "086"),
    "087": ("Đồng Tháp", "082"),
    "089": ("An Giang", "091"),
    "091": ("Kiên Giang", "091"),
    "092": ("Cần Thơ", "092"),
    "093": ("Hậu Giang", "092"),
    "094": ("Sóc Trăng", "092"),
    "095": ("Bạc Liêu", "096"),
    "096": ("Cà Mau", "096"),
})

# The 34 provinces and centrally-run cities since 1/7/2025 (Quyết định 19/2025/QĐ-TTg codes).
CURRENT_PROVINCES: Mapping[str, str] = MappingProxyType({
    "001": "Thành phố Hà Nội", "004": "Cao Bằng", "008": "Tuyên Quang", "011": "Điện Biên",
    "012": "Lai Châu", "014": "Sơn La", "015": "Lào Cai", "019": "Thái Nguyên",
    "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Ninh", "025": "Phú Thọ",
    "031": "Thành phố Hải Phòng", "033": "Hưng Yên", "037": "Ninh Bình", "038": "Thanh Hóa",
    "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Trị", "046": "Thành phố Huế",
    "048": "Thành phố Đà Nẵng", "051": "Quảng Ngãi", "052": "Gia Lai", "056": "Khánh Hòa",
    "066": "Đắk Lắk", "068": "Lâm Đồng", "075": "Đồng Nai", "079": "Thành phố Hồ Chí Minh",
    "080": "Tây Ninh", "082": "Đồng Tháp", "086": "Vĩnh Long", "091": "An Giang",
    "092": "Thành phố Cần Thơ", "096": "Cà Mau",
})

# Codes accepted besides PROVINCE_CODES (code -> name); see the module docstring.
EXTRA_PROVINCE_CODES: Mapping[str, str] = MappingProxyType({})

# 4th digit -> (first year of the century, gender)
CENTURY_GENDER: Mapping[int, tuple[int, Gender]] = MappingProxyType({
    0: (1900, Gender.MALE), 1: (1900, Gender.FEMALE),
    2: (2000, Gender.MALE), 3: (2000, Gender.FEMALE),
    4: (2100, Gender.MALE), 5: (2100, Gender.FEMALE),
    6: (2200, Gender.MALE), 7: (2200, Gender.FEMALE),
    8: (2300, Gender.MALE), 9: (2300, Gender.FEMALE),
})

GENDER_VI = {Gender.MALE: "Nam", Gender.FEMALE: "Nữ"}
GENDER_EN = {Gender.MALE: "male", Gender.FEMALE: "female"}

_SEPARATORS = re.compile(r"[\s.\-]+")
_TWELVE_DIGITS = re.compile(r"[0-9]{12}")


def _err(vi: str, en: str, code: str) -> UserError:
    return UserError(vi, en, field=FIELD, code=code)


def _normalise_number(number: str) -> str:
    # NFKC turns full-width digits (from some IMEs) into ASCII; clerks group digits with
    # spaces, dots or hyphens, which are dropped.
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", number))


def validate_citizen_id(
    number: str, *, date_of_birth: date | None = None, gender: Gender | None = None
) -> str:
    """Check a 12-digit citizen ID (and its consistency with the date of birth and gender when
    given) and return it as 12 ASCII digits; UserError with a precise reason otherwise."""
    if not isinstance(number, str):
        raise TypeError(f"citizen ID must be a string, got {type(number).__name__}")
    digits = _normalise_number(number)
    if not digits:
        raise _err(
            "Chưa nhập số định danh cá nhân (số CCCD).",
            "The citizen ID number is missing.",
            "required",
        )
    if not digits.isascii() or not digits.isdigit():
        raise _err(
            "Số định danh cá nhân chỉ được gồm chữ số (12 chữ số).",
            "The citizen ID number may contain digits only (12 digits).",
            "not_digits",
        )
    if len(digits) == 9:
        raise _err(
            "Đây là số chứng minh nhân dân 9 số cũ; vui lòng nhập số định danh cá nhân 12 số.",
            "This is an old 9-digit identity card number; enter the 12-digit citizen ID.",
            "old_id_number",
        )
    if not _TWELVE_DIGITS.fullmatch(digits):
        raise _err(
            f"Số định danh cá nhân phải gồm đúng 12 chữ số (đã nhập {len(digits)} chữ số).",
            f"The citizen ID must have exactly 12 digits ({len(digits)} entered).",
            "length",
        )
    province = digits[:3]
    if province not in PROVINCE_CODES and province not in EXTRA_PROVINCE_CODES:
        raise _err(
            f"Mã tỉnh nơi đăng ký khai sinh (3 chữ số đầu) “{province}” không tồn tại; "
            "vui lòng kiểm tra lại số định danh cá nhân.",
            f"The province-of-birth-registration code (first 3 digits) “{province}” does not "
            "exist; check the citizen ID number.",
            "province",
        )
    century_start, id_gender = CENTURY_GENDER[int(digits[3])]
    birth_year = century_start + int(digits[4:6])
    if century_start > LATEST_BIRTH_YEAR:
        raise _err(
            f"Chữ số thứ 4 (mã thế kỷ và giới tính) “{digits[3]}” ứng với năm sinh "
            f"{century_start}–{century_start + 99}: không hợp lệ; "
            "vui lòng kiểm tra lại số định danh cá nhân.",
            f"The 4th digit (century and gender code) “{digits[3]}” means a birth year in "
            f"{century_start}–{century_start + 99}: not valid; check the citizen ID number.",
            "century",
        )
    if date_of_birth is not None:
        dob_century = date_of_birth.year - date_of_birth.year % 100
        if dob_century != century_start:
            raise _err(
                f"Chữ số thứ 4 của số định danh cá nhân (“{digits[3]}”) ứng với người sinh "
                f"trong các năm {century_start}–{century_start + 99}, không khớp với năm sinh "
                f"{date_of_birth.year}.",
                f"The 4th digit of the citizen ID (“{digits[3]}”) is for people born in "
                f"{century_start}–{century_start + 99}, which does not match the year of "
                f"birth {date_of_birth.year}.",
                "century_mismatch",
            )
        if date_of_birth.year != birth_year:
            raise _err(
                f"Chữ số thứ 5–6 của số định danh cá nhân (“{digits[4:6]}”) là năm sinh "
                f"{birth_year}, không khớp với năm sinh đã nhập {date_of_birth.year}.",
                f"Digits 5–6 of the citizen ID (“{digits[4:6]}”) give the year of birth "
                f"{birth_year}, which does not match the entered {date_of_birth.year}.",
                "birth_year_mismatch",
            )
    if gender is not None and Gender(gender) != id_gender:
        raise _err(
            f"Chữ số thứ 4 của số định danh cá nhân (“{digits[3]}”) là của người "
            f"{GENDER_VI[id_gender]}, không khớp với giới tính đã chọn "
            f"({GENDER_VI[Gender(gender)]}).",
            f"The 4th digit of the citizen ID (“{digits[3]}”) is for a "
            f"{GENDER_EN[id_gender]}, which does not match the selected gender "
            f"({GENDER_EN[Gender(gender)]}).",
            "gender_mismatch",
        )
    return digits


def describe_citizen_id(number: str) -> dict[str, object]:
    """What the digits of a valid citizen ID say, for the UI to show beside the field
    (raises UserError like validate_citizen_id when the number is not valid)."""
    digits = validate_citizen_id(number)
    code = digits[:3]
    if code in PROVINCE_CODES:
        name, current = PROVINCE_CODES[code]
    else:
        name, current = EXTRA_PROVINCE_CODES[code], ""
    century_start, gender = CENTURY_GENDER[int(digits[3])]
    return {
        "citizen_id": digits,
        "province_code": code,
        "province_name": name,
        "current_province_code": current,
        "current_province_name": CURRENT_PROVINCES.get(current, ""),
        "century": century_start // 100 + 1,
        "birth_year_digits": digits[4:6],
        "birth_year": century_start + int(digits[4:6]),
        "gender": gender,
        "gender_vi": GENDER_VI[gender],
        "serial": digits[6:],
    }


# ---- chip-card QR code ------------------------------------------------------------------


@dataclass(frozen=True)
class CccdQr:
    """The fields of the QR code printed on a chip-based citizen ID card."""

    citizen_id: str
    old_id: str
    full_name: str
    date_of_birth: date
    gender: Gender
    address: str
    issue_date: date | None
    extra: tuple[str, ...] = ()


QR_FIELD = "citizen_qr"

# Control characters (C0 but tab, DEL, C1) and line separators never belong inside the data.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
_NAME_OK = re.compile(r"[^\W\d_]+(?:[ '’.\-][^\W\d_]+)*\.?", re.UNICODE)
_DATE = re.compile(r"([0-9]{2})[/.\-]?([0-9]{2})[/.\-]?([0-9]{4})")


def _qr_err(vi: str, en: str, code: str) -> UserError:
    return UserError(
        f"Không đọc được mã QR CCCD: {vi}",
        f"Could not read the citizen ID card QR code: {en}",
        field=QR_FIELD,
        code=code,
    )


def _looks_like_mojibake(text: str) -> bool:
    """True if `text` is UTF-8 bytes that were decoded as Windows-1252 or Latin-1 (for example
    "Nguyá»…n" for "Nguyễn"). Real Vietnamese text never survives that round trip: its letters
    outside Latin-1 cannot be encoded, and Latin-1 letters are not valid UTF-8 sequences."""
    if text.isascii():
        return False
    for codec in ("cp1252", "latin-1"):
        try:
            fixed = text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if fixed != text:
            return True
    return False


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _fold(text: str) -> str:
    """Lower case, no diacritics, đ -> d: for comparing words like "Nữ", "NỮ", "nu"."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.replace("đ", "d")


def _parse_gender(text: str) -> Gender:
    folded = _fold(_collapse(text))
    if folded in ("nam", "male"):
        return Gender.MALE
    if folded in ("nu", "female"):
        return Gender.FEMALE
    raise _qr_err(
        f"giới tính “{text}” không phải “Nam” hoặc “Nữ”.",
        f"gender “{text}” is neither “Nam” (male) nor “Nữ” (female).",
        "qr_gender",
    )


def _parse_date(text: str, what_vi: str, what_en: str) -> date:
    m = _DATE.fullmatch(text.strip())
    if m:
        day, month, year = (int(g) for g in m.groups())
        try:
            return date(year, month, day)
        except ValueError:
            pass
    raise _qr_err(
        f"{what_vi} “{text}” không đúng dạng ngày (ddMMyyyy).",
        f"{what_en} “{text}” is not a date (ddMMyyyy).",
        "qr_date",
    )


def _is_id_like(field: str) -> bool:
    digits = _normalise_number(field)
    return digits == "" or (digits.isascii() and digits.isdigit())


def parse_cccd_qr(text: str | bytes) -> CccdQr:
    """Parse what a scanner reads from the QR code of a chip-based citizen ID card.

    Layouts: `id|old id|name|ddMMyyyy|Nam/Nữ|address|ddMMyyyy issue date` (old id often
    empty), the same without the old id (6 fields), and longer ones from newer cards whose
    trailing fields (parents' or spouse's names …) are kept in `extra`. Tolerates surrounding
    whitespace, a scanner's trailing Enter, a UTF-8 BOM and decomposed (NFD) Vietnamese;
    refuses mojibake and anything else with a UserError in both languages.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise _qr_err(
                "dữ liệu không phải văn bản UTF-8; hãy đặt máy quét ở chế độ UTF-8.",
                "the data is not UTF-8 text; set the scanner to UTF-8 mode.",
                "qr_encoding",
            ) from None
    if not isinstance(text, str):
        raise TypeError(f"QR text must be str or bytes, got {type(text).__name__}")
    text = unicodedata.normalize("NFC", text.replace("\ufeff", "")).strip()
    if not text:
        raise _qr_err("không có dữ liệu.", "it is empty.", "qr_empty")
    if "\ufffd" in text or _looks_like_mojibake(text):
        raise _qr_err(
            "chữ tiếng Việt bị lỗi mã hóa (sai bảng mã); hãy đặt máy quét ở chế độ UTF-8 "
            "rồi quét lại.",
            "the Vietnamese text is garbled (wrong character encoding); set the scanner to "
            "UTF-8 and scan again.",
            "qr_encoding",
        )
    if _CONTROL.search(text):
        raise _qr_err(
            "có ký tự điều khiển hoặc xuống dòng giữa dữ liệu; hãy quét lại.",
            "it contains control characters or line breaks inside the data; scan again.",
            "qr_format",
        )
    fields = [f.strip() for f in text.split("|")]
    if len(fields) < 6:
        raise _qr_err(
            f"chỉ có {len(fields)} trường dữ liệu, cần ít nhất 6 "
            "(số CCCD|số CMND|họ tên|ngày sinh|giới tính|địa chỉ|ngày cấp).",
            f"it has only {len(fields)} fields, at least 6 are needed "
            "(ID|old ID|name|date of birth|gender|address|issue date).",
            "qr_format",
        )
    # With an old-id column the second field is digits or empty; without it, a name.
    if _is_id_like(fields[1]):
        citizen_id, old_id, name, dob_text, gender_text, address = fields[:6]
        rest = fields[6:]
    else:
        citizen_id, name, dob_text, gender_text, address = fields[:5]
        old_id = ""
        rest = fields[5:]
    issue_text = rest[0] if rest else ""
    extra = list(rest[1:])
    while extra and not extra[-1]:
        extra.pop()

    full_name = _collapse(name)
    if not full_name or not _NAME_OK.fullmatch(full_name):
        raise _qr_err(
            f"họ tên “{name}” không hợp lệ.",
            f"the full name “{name}” is not valid.",
            "qr_name",
        )
    date_of_birth = _parse_date(dob_text, "ngày sinh", "the date of birth")
    gender = _parse_gender(gender_text)
    issue_date = (
        _parse_date(issue_text, "ngày cấp", "the issue date") if issue_text else None
    )
    if issue_date is not None and issue_date < date_of_birth:
        raise _qr_err(
            "ngày cấp trước ngày sinh.",
            "the issue date is before the date of birth.",
            "qr_date",
        )
    old_id = _normalise_number(old_id)
    try:
        citizen_id = validate_citizen_id(citizen_id, date_of_birth=date_of_birth, gender=gender)
    except UserError as exc:
        raise _qr_err(exc.vi, exc.en, f"qr_{exc.code}") from None
    return CccdQr(
        citizen_id=citizen_id,
        old_id=old_id,
        full_name=full_name,
        date_of_birth=date_of_birth,
        gender=gender,
        address=_collapse(address),
        issue_date=issue_date,
        extra=tuple(_collapse(e) for e in extra),
    )


def format_cccd_qr(qr: CccdQr) -> str:
    """The common 7-field layout (plus `extra`), as the card's QR code carries it; used by
    tests and by the demo to print sample cards."""
    fields = [
        qr.citizen_id,
        qr.old_id,
        qr.full_name,
        qr.date_of_birth.strftime("%d%m%Y"),
        GENDER_VI[qr.gender],
        qr.address,
        qr.issue_date.strftime("%d%m%Y") if qr.issue_date else "",
        *qr.extra,
    ]
    return "|".join(fields)


# ---- address ----------------------------------------------------------------------------

_COMMUNE_PREFIXES = ("xa ", "phuong ", "thi tran ", "dac khu ", "p.", "x.", "tt.", "tt ")
_DISTRICT_PREFIXES = ("huyen ", "quan ", "thi xa ", "thanh pho ", "tp.", "tp ", "q.", "h.", "tx.")


def _has_prefix(part: str, prefixes: tuple[str, ...]) -> bool:
    return _fold(part).startswith(prefixes)


def split_address(text: str) -> tuple[str, str, str]:
    """Best-effort split of a one-line address into (detail, commune part, province part).

    The address is split on commas (or " - " when there is no comma). The last part is the
    province, unless it is itself a commune ("Xã …", "Phường …", "Thị trấn …", "Đặc khu …").
    The commune is the right-most earlier part with such a prefix, or else the part just
    before the province that is not an old district ("Huyện/Quận/Thị xã/Thành phố …").
    Parts between commune and province (districts, abolished on 1/7/2025) are dropped;
    everything before the commune is the detail. Prefixes are kept: the UI matches names
    against the unit list. With a single part, all of it is the detail.
    """
    clean = _collapse(unicodedata.normalize("NFC", text.replace("\ufeff", "")))
    parts = [p.strip() for p in clean.split(",")]
    if len(parts) == 1 and " - " in clean:
        parts = [p.strip() for p in clean.split(" - ")]
    parts = [p for p in parts if p]
    if len(parts) <= 1:
        return (parts[0] if parts else "", "", "")
    if _has_prefix(parts[-1], _COMMUNE_PREFIXES):
        province, before = "", parts
    else:
        province, before = parts[-1], parts[:-1]
    for i in range(len(before) - 1, -1, -1):
        if _has_prefix(before[i], _COMMUNE_PREFIXES):
            return ", ".join(before[:i]), before[i], province
    candidates = [i for i, p in enumerate(before) if not _has_prefix(p, _DISTRICT_PREFIXES)]
    if len(before) >= 2 and candidates and candidates[-1] > 0:
        i = candidates[-1]
        return ", ".join(before[:i]), before[i], province
    return ", ".join(before), "", province
