"""Strict input, declared once: the shapes and limits of what a clerk (or a file) may submit.

One pydantic (v2) schema per document — the intake document, and the free text of the later
actions — in strict mode: no coercion (1.5 or "2" is not a number, ["a"] is not a name, true is
not 1), unknown keys refused, every text NFC-normalised, control and invisible characters
refused, every length and number bounded. A refusal names the field and the limit in one line,
in Vietnamese and English; all field errors are reported at once (`ValidationError.by_field`
feeds the GUI's inline messages) and nothing is written.

Limits (characters are Unicode code points after NFC):

| field | limit |
| --- | --- |
| applicant full name | 1–100 |
| address detail | ≤ 300 |
| note | ≤ 2,000 (line breaks allowed) |
| documents | 1–100 items, each name 1–300, count 1–99 |
| sets | 1–20 |
| fee_vnd | whole đồng, 0–100,000,000 (commune-level fees are at most a few hundred thousand; a
  larger figure is a typing slip) |
| citizen ID ≤ 32 before its own check, phone ≤ 20, e-mail ≤ 254, codes ≤ 20 | |
| action free text: reasons ≤ 2,000, supplement items ≤ 100 of ≤ 300, recipient ≤ 100,
  relation ≤ 50, user display name 1–100 | |

The JSON reader (`load_json`) refuses documents over 1 MiB, numbers of more than 30 digits
(Python's own 4,300-digit limit would otherwise raise mid-parse) and nesting deeper than the
interpreter allows, each with one line.

What the CLI prints goes through `printable()`, so a control character stored by an older
version is shown escaped (`\\x1b`), never sent raw to the terminal.
"""

from __future__ import annotations

import json
import re
import types
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic import ValidationError as PydanticError
from pydantic_core import PydanticCustomError

from app.domain import now_vn
from app.errors import UserError, ValidationError
from app.textrules import forbidden as _forbidden
from app.textrules import printable

# ------------------------------------------------------------------------------ limits
NAME_MAX = 100
ADDRESS_MAX = 300
NOTE_MAX = 2000
DOCUMENTS_MAX = 100
DOCUMENT_NAME_MAX = 300
DOCUMENT_COUNT_MAX = 99
SETS_MAX = 20
FEE_MAX_VND = 100_000_000
REASON_MAX = 2000
RELATION_MAX = 50
CODE_MAX = 20
CITIZEN_ID_MAX = 32
PHONE_MAX = 20
EMAIL_MAX = 254
JSON_MAX_BYTES = 1 << 20
JSON_MAX_DIGITS = 30

DOCUMENT_FORMS = ("original", "copy", "certified_copy", "shown")
SUPPLEMENT_FORMS = ("original", "certified_copy", "copy")
RETURN_METHODS = ("at_counter", "post", "online")
CHANNELS = ("in_person", "online", "post")

# ------------------------------------------------------------------------------ text rules
def _first_forbidden(text: str, multiline: bool) -> tuple[int, str] | None:
    for i, ch in enumerate(text, 1):
        if _forbidden(ch, multiline):
            return i, ch
    return None


def _custom(vi: str, en: str, **extra: Any) -> PydanticCustomError:
    return PydanticCustomError("motcua", en, {"vi": vi, "en": en, **extra})


_SPACE_CHARS = " \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_SPACES = re.compile(f"[{_SPACE_CHARS}]+")


def _prepare(value: Any, *, max_len: int, collapse: bool, multiline: bool) -> Any:
    """Before the type check: NFC, trimmed (names: inner whitespace collapsed). Non-text
    passes through untouched so that strict mode refuses it."""
    if not isinstance(value, str):
        return value
    if len(value) > 4 * max_len:  # no normalisation can bring it under the limit: skip work
        return value
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = unicodedata.normalize("NFC", value)
    # Only spaces are trimmed/collapsed: str.split() would also eat control characters
    # (\x1c–\x1f, \x85) that must be refused, not silently dropped.
    if collapse:
        value = _SPACES.sub(" ", value)
    return value.strip(_SPACE_CHARS + ("\n\t" if multiline else ""))


def _check_chars(value: str, *, multiline: bool) -> str:
    bad = _first_forbidden(value, multiline)
    if bad is not None:
        pos, ch = bad
        code = f"U+{ord(ch):04X}"
        raise _custom(
            f"chứa ký tự điều khiển hoặc ký tự ẩn ({code}, vị trí {pos}), không được phép",
            f"contains a control or invisible character ({code} at position {pos}), "
            "which is not allowed", tail=True)
    return value


def Text(max_len: int, *, required: bool = False, collapse: bool = False,
         multiline: bool = False) -> Any:
    """A text field: NFC, trimmed, 0/1..max_len characters, no control characters."""
    return Annotated[
        str,
        BeforeValidator(partial(_prepare, max_len=max_len, collapse=collapse, multiline=multiline)),
        Field(max_length=max_len, min_length=1 if required else 0),
        AfterValidator(partial(_check_chars, multiline=multiline)),
    ]


def clean_text(value: object, field: str, max_len: int, *, required: bool = False,
               multiline: bool = False, collapse: bool = False) -> str:
    """One free-text value checked by the same rules (for the actions and account names)."""
    model = _single_text_model(field, max_len, required, multiline, collapse)
    text: str = validate(model, {field: value}).value
    return text


_single_models: dict[tuple[Any, ...], type[BaseModel]] = {}


def _single_text_model(field: str, max_len: int, required: bool, multiline: bool,
                       collapse: bool) -> type[BaseModel]:
    key = (field, max_len, required, multiline, collapse)
    if key not in _single_models:
        from pydantic import create_model

        _single_models[key] = create_model(
            f"Text_{field}", __config__=_STRICT,
            value=(Text(max_len, required=required, multiline=multiline, collapse=collapse),
                   Field(alias=field)))
    return _single_models[key]


# ------------------------------------------------------------------------------ schemas
_STRICT = ConfigDict(strict=True, extra="forbid", frozen=True, populate_by_name=True)

# Field types: Text(...) builds Annotated[str, validators]; mypy cannot evaluate a call in an
# annotation, so it reads them as str (pydantic, at run time, gets the Annotated types).
if TYPE_CHECKING:
    _CodeText = str
    _AddressTextCollapse = str
    _NameTextRequiredCollapse = str
    _Len10Text = str
    _CitizenIdText = str
    _PhoneText = str
    _EmailText = str
    _DocumentNameTextRequiredCollapse = str
    _CodeTextRequired = str
    _Len40Text = str
    _NoteTextMultiline = str
    _DocumentNameTextCollapse = str
    _ReasonTextRequiredMultiline = str
    _RelationTextRequired = str
else:
    _CodeText = Text(CODE_MAX)
    _AddressTextCollapse = Text(ADDRESS_MAX, collapse=True)
    _NameTextRequiredCollapse = Text(NAME_MAX, required=True, collapse=True)
    _Len10Text = Text(10)
    _CitizenIdText = Text(CITIZEN_ID_MAX)
    _PhoneText = Text(PHONE_MAX)
    _EmailText = Text(EMAIL_MAX)
    _DocumentNameTextRequiredCollapse = Text(DOCUMENT_NAME_MAX, required=True, collapse=True)
    _CodeTextRequired = Text(CODE_MAX, required=True)
    _Len40Text = Text(40)
    _NoteTextMultiline = Text(NOTE_MAX, multiline=True)
    _DocumentNameTextCollapse = Text(DOCUMENT_NAME_MAX, collapse=True)
    _ReasonTextRequiredMultiline = Text(REASON_MAX, required=True, multiline=True)
    _RelationTextRequired = Text(RELATION_MAX, required=True)


def _doc_item(value: Any) -> Any:
    return {"name": value} if isinstance(value, str) else value


class AddressIn(BaseModel):
    model_config = _STRICT
    province_code: _CodeText | None = ""
    commune_code: _CodeText | None = ""
    detail: _AddressTextCollapse | None = ""

    @model_validator(mode="after")
    def _known_units(self) -> AddressIn:
        if self.province_code or self.commune_code:
            from app import units

            try:
                units.validate_address(self.province_code or "", self.commune_code or "")
            except UserError as e:
                raise _custom(e.vi, e.en, field=e.field or "address", whole=True) from None
        return self


class ApplicantIn(BaseModel):
    model_config = _STRICT
    full_name: _NameTextRequiredCollapse
    date_of_birth: _Len10Text | None = ""
    gender: Literal["", "male", "female"] | None = ""
    citizen_id: _CitizenIdText | None = ""
    phone: _PhoneText | None = ""
    email: _EmailText | None = ""
    address: AddressIn | None = None

    @field_validator("date_of_birth")
    @classmethod
    def _dob(cls, v: str | None) -> str | None:
        if v:
            try:
                d = date.fromisoformat(v)
                if d > now_vn().date() or d.year < 1900:  # Vietnam time, as stored
                    raise ValueError(v)
            except ValueError:
                shown = printable(v, limit=20)
                raise _custom(f"Ngày sinh '{shown}' không hợp lệ (YYYY-MM-DD, từ 1900 đến hôm "
                              "nay)",
                              f"Date of birth '{shown}' is invalid (YYYY-MM-DD, 1900 to today)",
                              whole=True) from None
        return v

    @field_validator("citizen_id")
    @classmethod
    def _cid(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v:
            from app.citizen_id import validate_citizen_id

            dob_text = info.data.get("date_of_birth") or ""
            gender = info.data.get("gender") or ""
            try:
                from app.domain import Gender

                v = validate_citizen_id(v, date_of_birth=date.fromisoformat(dob_text)
                                        if dob_text else None,
                                        gender=Gender(gender) if gender else None)
            except UserError as e:
                raise _custom(e.vi, e.en, whole=True) from None
        return v

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        if v:
            shown = printable(v, limit=PHONE_MAX)
            digits = "".join(c for c in v if c.isdigit())
            if not re.fullmatch(r"\+?[0-9 .\-()]+", v) or not 9 <= len(digits) <= 12:
                raise _custom(f"Số điện thoại '{shown}' không hợp lệ (9–12 chữ số; chỉ dùng số, "
                              "dấu cách, '.', '-', '(', ')' và '+' ở đầu)",
                              f"Phone number '{shown}' is invalid (9–12 digits; only digits, "
                              "spaces, '.', '-', '(', ')' and a leading '+')", whole=True)
            return ("+" if v.startswith("+") else "") + digits
        return v

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if v and (v.count("@") != 1 or " " in v or v.startswith("@") or v.endswith("@")):
            shown = printable(v, limit=60)
            raise _custom(f"Thư điện tử '{shown}' không hợp lệ",
                          f"E-mail '{shown}' is invalid", whole=True)
        return v


class DocumentIn(BaseModel):
    model_config = _STRICT
    name: _DocumentNameTextRequiredCollapse
    form: Literal[DOCUMENT_FORMS] = "original"  # type: ignore[valid-type]
    count: Annotated[int, Field(ge=1, le=DOCUMENT_COUNT_MAX)] = 1


class IntakeIn(BaseModel):
    """The intake document (CLI file, GUI form): see README "Intake file"."""

    model_config = _STRICT
    procedure_code: _CodeTextRequired
    channel: Literal[CHANNELS] | None = "in_person"  # type: ignore[valid-type]
    applicant: ApplicantIn
    documents: Annotated[list[Annotated[DocumentIn, BeforeValidator(_doc_item)]],
                         Field(min_length=1, max_length=DOCUMENTS_MAX)]
    sets: Annotated[int, Field(ge=1, le=SETS_MAX)] = 1
    fee_vnd: Annotated[int, Field(ge=0, le=FEE_MAX_VND)] | None = None
    return_method: Literal[RETURN_METHODS] | None = "at_counter"  # type: ignore[valid-type]
    received_at: _Len40Text | None = None
    note: _NoteTextMultiline | None = ""

    @field_validator("received_at")
    @classmethod
    def _received_at(cls, v: str | None) -> str | None:
        if v:
            try:
                if datetime.fromisoformat(v).tzinfo is None:
                    raise ValueError(v)
            except ValueError:
                raise _custom("Thời điểm tiếp nhận phải có dạng ISO kèm múi giờ, ví dụ "
                              "2026-11-23T09:15:00+07:00",
                              "received_at must be ISO with an offset, e.g. "
                              "2026-11-23T09:15:00+07:00", whole=True) from None
        return v


class SupplementItemIn(BaseModel):
    model_config = _STRICT
    name: _DocumentNameTextRequiredCollapse
    form: Literal[SUPPLEMENT_FORMS] = "original"  # type: ignore[valid-type]
    count: Annotated[int, Field(ge=1, le=DOCUMENT_COUNT_MAX)] = 1
    note: _DocumentNameTextCollapse | None = ""


class SupplementIn(BaseModel):
    """Form 02: the missing documents and why."""

    model_config = _STRICT
    items: Annotated[list[Annotated[SupplementItemIn, BeforeValidator(_doc_item)]],
                     Field(min_length=1, max_length=DOCUMENTS_MAX)]
    reason: _ReasonTextRequiredMultiline


class ReturnIn(BaseModel):
    """Handing the result over."""

    model_config = _STRICT
    recipient_name: _NameTextRequiredCollapse
    citizen_id: _CitizenIdText = ""
    relation: _RelationTextRequired
    method: Literal[RETURN_METHODS]  # type: ignore[valid-type]
    note: _NoteTextMultiline = ""

    @field_validator("citizen_id")
    @classmethod
    def _cid(cls, v: str) -> str:
        if v:
            from app.citizen_id import validate_citizen_id

            try:
                return validate_citizen_id(v)
            except UserError as e:
                raise _custom(e.vi, e.en, whole=True) from None
        return v


# ------------------------------------------------------------------------------ messages
# Field labels (vi, en) and the GUI field each error belongs next to.
_LABELS: dict[str, tuple[str, str]] = {
    "procedure_code": ("Mã thủ tục", "Procedure code"),
    "channel": ("Kênh nộp", "Channel"),
    "applicant": ("Thông tin người nộp", "Applicant"),
    "full_name": ("Họ tên", "Full name"),
    "date_of_birth": ("Ngày sinh", "Date of birth"),
    "gender": ("Giới tính", "Gender"),
    "citizen_id": ("Số định danh cá nhân", "Citizen ID"),
    "phone": ("Số điện thoại", "Phone number"),
    "email": ("Thư điện tử", "E-mail"),
    "address": ("Địa chỉ", "Address"),
    "province_code": ("Mã tỉnh/thành phố", "Province code"),
    "commune_code": ("Mã xã/phường", "Commune code"),
    "detail": ("Địa chỉ chi tiết", "Address detail"),
    "documents": ("Danh sách giấy tờ", "Documents"),
    "items": ("Danh sách giấy tờ cần bổ sung", "Missing documents"),
    "name": ("tên", "name"),
    "form": ("hình thức", "form"),
    "count": ("số lượng", "count"),
    "sets": ("Số bộ hồ sơ", "Number of sets"),
    "fee_vnd": ("Lệ phí (đồng)", "Fee (VND)"),
    "return_method": ("Hình thức trả kết quả", "Return method"),
    "received_at": ("Thời điểm tiếp nhận", "received_at"),
    "note": ("Ghi chú", "Note"),
    "reason": ("Lý do", "Reason"),
    "recipient_name": ("Họ tên người nhận", "Recipient's name"),
    "relation": ("Quan hệ với người nộp", "Relation to the applicant"),
    "method": ("Hình thức trả", "Return method"),
    "display_name": ("Họ tên hiển thị", "Display name"),
}
# GUI field an error is shown next to, by the last key of its location.
_GUI_FIELD = {"detail": "address"}


def _vn_number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _field_info(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[list[Any], str | None]:
    """Constraint metadata of the field at `loc` (walking nested models and lists) and the
    name of the list the error sits in, if any."""
    current: Any = model
    metadata: list[Any] = []
    in_list = None
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            break
        info = current.model_fields.get(part)
        if info is None:
            return [], in_list
        metadata = list(info.metadata) + _annotated_metadata(info.annotation)
        current = _inner_model(info.annotation)
        if _is_list(info.annotation):
            in_list = part
    return metadata, in_list


def _annotated_metadata(tp: Any) -> list[Any]:
    """Constraints declared inside Annotated[...] members of a union (`int | None`)."""
    import typing

    from pydantic.fields import FieldInfo

    out: list[Any] = []
    if typing.get_origin(tp) is Annotated:
        for m in typing.get_args(tp)[1:]:
            out += m.metadata if isinstance(m, FieldInfo) else [m]
    elif typing.get_origin(tp) in (typing.Union, types.UnionType):
        for a in typing.get_args(tp):
            out += _annotated_metadata(a)
    return out


def _unwrap(tp: Any) -> list[Any]:
    import typing

    origin = typing.get_origin(tp)
    if origin is Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (list, typing.Union, types.UnionType):
        out = []
        for a in typing.get_args(tp):
            out += _unwrap(a)
        return out
    return [tp]


def _is_list(tp: Any) -> bool:
    import typing

    if typing.get_origin(tp) is Annotated:
        return _is_list(typing.get_args(tp)[0])
    return typing.get_origin(tp) is list


def _inner_model(tp: Any) -> Any:
    for t in _unwrap(tp):
        if isinstance(t, type) and issubclass(t, BaseModel):
            return t
    return None


def _bounds(metadata: list[Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for m in metadata:
        for key in ("ge", "le", "max_length", "min_length"):
            v = getattr(m, key, None)
            if v is not None:
                out[key] = v
    return out


def _describe(model: type[BaseModel], err: Mapping[str, Any]) -> UserError:
    """One pydantic error -> one bilingual line naming the field and the limit."""
    loc = tuple(err.get("loc") or ())
    names = [p for p in loc if isinstance(p, str)]
    leaf = names[-1] if names else ""
    typ = err.get("type", "")
    ctx = err.get("ctx") or {}
    metadata, in_list = _field_info(model, loc)
    b = _bounds(metadata)
    index = next((p for p in loc if isinstance(p, int)), None)
    gui_field = in_list if in_list and leaf != in_list else _GUI_FIELD.get(leaf, leaf)
    if typ == "motcua" and ctx.get("field"):
        gui_field = ctx["field"]
    lv, le = _LABELS.get(leaf, (leaf, leaf))
    if in_list and index is not None and leaf != in_list:
        lv, le = f"Giấy tờ thứ {index + 1}: {lv}", f"Document {index + 1}: {le}"
    elif in_list and index is not None:
        lv, le = f"Giấy tờ thứ {index + 1}", f"Document {index + 1}"
    if typ == "extra_forbidden":
        shown = printable(leaf, limit=40)
        where_vi = f" trong {_LABELS[names[-2]][0].lower()}" if len(names) > 1 and names[-2] in _LABELS else ""
        where_en = f" in {_LABELS[names[-2]][1].lower()}" if len(names) > 1 and names[-2] in _LABELS else ""
        return UserError(f"Trường '{shown}'{where_vi} không được hỗ trợ.",
                         f"Field '{shown}'{where_en} is not supported.",
                         field=names[-2] if len(names) > 1 else "", code="unknown_field")
    if typ == "motcua":
        if ctx.get("whole"):
            return UserError(ctx["vi"].rstrip(".") + ".", ctx["en"].rstrip(".") + ".",
                             field=gui_field, code="invalid")
        return UserError(f"{lv} {ctx['vi']}.", f"{le} {ctx['en']}.", field=gui_field,
                         code="invalid")
    lo, hi = b.get("ge"), b.get("le")
    rng_vi = f" từ {_vn_number(lo)} đến {_vn_number(hi)}" if lo is not None and hi is not None else ""
    rng_en = f" from {lo:,} to {hi:,}" if lo is not None and hi is not None else ""
    if typ == "missing":
        return UserError(f"{lv}: bắt buộc phải có.", f"{le} is required.",
                         field=gui_field, code="missing")
    if typ in ("int_type", "int_parsing", "int_from_float"):
        return UserError(f"{lv} phải là số nguyên{rng_vi} (không nhận số thập phân, chuỗi hay "
                         "true/false).",
                         f"{le} must be a whole number{rng_en} (not a decimal, text or "
                         "true/false).", field=gui_field, code="not_integer")
    if typ in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
        return UserError(f"{lv} phải{rng_vi or ' nằm trong giới hạn'}.",
                         f"{le} must be{rng_en or ' within its limits'}.", field=gui_field,
                         code="out_of_range")
    if typ == "string_type":
        return UserError(f"{lv} phải là chuỗi ký tự.", f"{le} must be text.", field=gui_field,
                         code="not_text")
    is_text = isinstance(err.get("input"), str)
    if typ in ("string_too_long", "too_long"):
        n = len(err.get("input") or "")
        mx = ctx["max_length"] if "max_length" in ctx else b["max_length"]
        unit_vi, unit_en = ("ký tự", "characters") if is_text else ("mục", "items")
        return UserError(f"{lv}: tối đa {_vn_number(mx)} {unit_vi} (đã nhập {_vn_number(n)}).",
                         f"{le}: at most {mx:,} {unit_en} (got {n:,}).", field=gui_field,
                         code="too_long")
    if typ in ("string_too_short", "too_short"):
        if is_text:
            return UserError(f"{lv}: bắt buộc, không được để trống.",
                             f"{le}: required, must not be empty.", field=gui_field,
                             code="missing")
        return UserError(f"{lv}: cần ít nhất một mục.", f"{le}: list at least one item.",
                         field=gui_field, code="missing")
    if typ == "list_type":
        return UserError(f"{lv} phải là một danh sách.", f"{le} must be a list.",
                         field=gui_field, code="not_list")
    if typ in ("model_type", "dict_type", "model_attributes_type"):
        return UserError(f"{lv} phải là một đối tượng JSON.", f"{le} must be a JSON object.",
                         field=gui_field, code="not_object")
    if typ in ("literal_error", "enum"):
        allowed = str(ctx.get("expected", ""))
        return UserError(f"{lv} phải là một trong: {allowed.replace(' or ', ' hoặc ')}.",
                         f"{le} must be one of: {allowed}.",
                         field=gui_field, code="not_allowed")
    return UserError(f"{lv} không hợp lệ.", f"{le} is invalid.", field=gui_field, code="invalid")


def validate(model: type[BaseModel], data: Any) -> Any:
    """`model` from plain data, or ValidationError listing every field error (one line each,
    joined on one line)."""
    if not isinstance(data, dict):
        raise ValidationError([UserError("Dữ liệu phải là một đối tượng JSON.",
                                         "The data must be a JSON object.", field="")])
    try:
        return model.model_validate(data)
    except PydanticError as exc:
        errors = [_describe(model, e) for e in exc.errors(include_url=False)]
        raise ValidationError(errors) from None


# ------------------------------------------------------------------------------ JSON files
class _BigNumber:
    """A JSON number too long to be a value anyone meant: kept as a marker, so the schema
    refuses it by field name instead of the parser failing."""

    def __init__(self, text: str):
        self.digits = len(text)

    def __repr__(self) -> str:
        return f"<number of {self.digits} digits>"


def _parse_int(text: str) -> int | _BigNumber:
    return int(text) if len(text) <= JSON_MAX_DIGITS else _BigNumber(text)


def _parse_float(text: str) -> float | _BigNumber:
    return float(text) if len(text) <= JSON_MAX_DIGITS * 2 else _BigNumber(text)


def _no_constant(name: str) -> _BigNumber:  # NaN, Infinity, -Infinity are not JSON
    return _BigNumber(name)


def load_json(data: bytes | str, *, source: str) -> Any:
    """Parse an input document: ≤ 1 MiB of UTF-8 JSON; one-line errors naming `source`."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > JSON_MAX_BYTES:
        raise UserError(f"Tệp {source} quá lớn ({len(raw) / 1e6:.1f} MB; tối đa 1 MB).",
                        f"File {source} is too large ({len(raw) / 1e6:.1f} MB; limit 1 MB).",
                        code="too_large")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"Tệp {source} không phải văn bản UTF-8.",
                        f"File {source} is not UTF-8 text.", code="bad_json") from None
    try:
        return json.loads(text, parse_int=_parse_int, parse_float=_parse_float,
                          parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise UserError(f"Tệp {source} không phải JSON hợp lệ (dòng {exc.lineno}, cột "
                        f"{exc.colno}).",
                        f"File {source} is not valid JSON (line {exc.lineno}, column "
                        f"{exc.colno}).", code="bad_json") from None
    except (RecursionError, ValueError):
        raise UserError(f"Tệp {source} lồng quá sâu hoặc có giá trị không đọc được.",
                        f"File {source} is nested too deeply or holds an unreadable value.",
                        code="bad_json") from None


# Exported for callers that need the limits as data (GUI max lengths, tests).
LIMITS: dict[str, int] = {
    "full_name": NAME_MAX, "address": ADDRESS_MAX, "note": NOTE_MAX, "documents": DOCUMENTS_MAX,
    "document_name": DOCUMENT_NAME_MAX, "sets": SETS_MAX, "fee_vnd": FEE_MAX_VND,
    "reason": REASON_MAX, "display_name": NAME_MAX,
}

