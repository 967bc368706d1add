"""The procedure catalogue: which administrative procedures a counter can receive.

The catalogue is data, not code: a JSON file shipped in `app/data/procedures.json` (format in
`app/data/README.md`) and later replaced by catalogue updates pulled from the province. Both go
through `parse_catalogue`, which validates strictly so that a broken update is refused with a
message naming the procedure and field, instead of reaching a receipt.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from app.domain import Channel, DocumentItem, ProcessingTime
from app.errors import UserError
from localdb.folding import fold

SCHEMA = 1
DOCUMENT_FORMS = ("original", "copy", "certified_copy", "shown")
CONFIRMED_KEYS = ("name", "processing_time", "fee", "documents")
# Codes that must never be offered again (repealed / bãi bỏ), whatever a catalogue says.
REPEALED_CODES = frozenset({"2.001009"})

_CODE_RE = re.compile(r"[0-9]\.[0-9]{6}")
_VERSION_RE = re.compile(r"[0-9]{4}\.[0-9]{1,2}\.[0-9]+")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CUTOFF_RE = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
_WORD_RE = re.compile(r"[a-z0-9]+")
_CODE_QUERY_RE = re.compile(r"[0-9][0-9.]*")
_VALUED_KINDS = ("working_days", "calendar_days", "working_hours")
# Sanity bounds on legal processing times: no procedure takes more than a year, so a larger
# figure is a typing slip (10^9 working days once made intake spin for 35 s and fail).
MAX_TIME_DAYS = 365
MAX_TIME_VALUE = {"working_days": MAX_TIME_DAYS, "calendar_days": MAX_TIME_DAYS,
                  "working_hours": MAX_TIME_DAYS * 8}
_TIME_UNITS = {"working_days": ("ngày làm việc", "working days"),
               "calendar_days": ("ngày", "calendar days"),
               "working_hours": ("giờ làm việc", "working hours")}


@dataclass(frozen=True)
class RequiredDocument:
    """One document the citizen brings; the counter's checklist is built from these."""

    name: str
    form: str  # original | copy | certified_copy | shown
    count: int = 1
    optional: bool = False  # conditional ("nếu có", by proxy, only for some cases)
    note: str = ""

    def to_item(self) -> DocumentItem:
        """The checklist line a dossier records when this document is received."""
        return DocumentItem(name=self.name, form=self.form, count=self.count)


@dataclass(frozen=True)
class Confirmation:
    """Which parts of a procedure the reference backs with a good source.

    False means the value is a best effort (or absent) and must be checked against the national
    database / the province's decision before it is relied on.
    """

    name: bool = True
    processing_time: bool = True
    fee: bool = True
    documents: bool = True

    @property
    def complete(self) -> bool:
        return self.name and self.processing_time and self.fee and self.documents


@dataclass(frozen=True)
class Procedure:
    """One administrative procedure as a counter receives it."""

    code: str
    name: str
    field: str
    processing_time: ProcessingTime
    fee_vnd: int | None  # amount per fee_unit for the usual case; None = set by province / unknown
    fee_text: str  # authoritative human wording: tiers, caps, exemptions
    documents: tuple[RequiredDocument, ...]
    sources: tuple[str, ...]
    fee_unit: str | None = None  # e.g. "trang", "bản sao"; None = per dossier
    time_by_channel: Mapping[str, ProcessingTime] = field(default_factory=dict, hash=False)
    time_by_case: Mapping[str, ProcessingTime] = field(default_factory=dict, hash=False)
    confirmed: Confirmation = field(default_factory=Confirmation)
    remarks: tuple[str, ...] = ()

    def time_for(self, channel: str | Channel = Channel.IN_PERSON) -> ProcessingTime:
        """Processing time for a submission channel (falls back to the main, in-person value)."""
        return self.time_by_channel.get(str(channel), self.processing_time)

    def checklist(self, include_optional: bool = False) -> list[DocumentItem]:
        """Default checklist for the intake form: required items, optionally the conditional ones."""
        return [d.to_item() for d in self.documents if include_optional or not d.optional]


@dataclass(frozen=True)
class _Entry:
    procedure: Procedure
    code_digits: str
    name_words: tuple[str, ...]
    field_words: tuple[str, ...]
    name_text: str  # " ".join(name_words)


@dataclass(frozen=True)
class Catalogue:
    """A validated catalogue version; look procedures up by code or by folded text."""

    version: str
    published: date
    procedures: tuple[Procedure, ...]
    source: str = ""
    source_keys: Mapping[str, str] = field(default_factory=dict, hash=False)
    _by_code: dict[str, Procedure] = field(init=False, repr=False, compare=False)
    _index: tuple[_Entry, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {p.code: p for p in self.procedures})
        entries = []
        for p in self.procedures:
            name_words = tuple(_WORD_RE.findall(fold(p.name)))
            entries.append(
                _Entry(
                    procedure=p,
                    code_digits=p.code.replace(".", ""),
                    name_words=name_words,
                    field_words=tuple(_WORD_RE.findall(fold(p.field))),
                    name_text=" ".join(name_words),
                )
            )
        object.__setattr__(self, "_index", tuple(entries))

    def __len__(self) -> int:
        return len(self.procedures)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    @property
    def version_key(self) -> tuple[int, ...]:
        """Comparable form of `version`, so a pulled update is applied only if newer."""
        return tuple(int(x) for x in self.version.split("."))

    def get(self, code: str) -> Procedure | None:
        """The procedure with this national code, or None."""
        return self._by_code.get(code.strip()) if isinstance(code, str) else None

    def require(self, code: str) -> Procedure:
        """Like get(), but an unknown code is a user error (e.g. a stale dossier draft)."""
        proc = self.get(code)
        if proc is None:
            raise UserError(
                vi=f"Không có thủ tục mã {code} trong danh mục (phiên bản {self.version}).",
                en=f"No procedure with code {code} in the catalogue (version {self.version}).",
                field="procedure_code",
                code="procedure_unknown",
            )
        return proc

    def search(self, text: str, limit: int = 20) -> list[Procedure]:
        """Procedures matching what a clerk typed, best first.

        Case-, diacritic- and đ-insensitive. A query of digits and dots matches code prefixes
        ("1.0011", "1001"); otherwise every word of the query must start a word of the name or
        the field ("dang ky ket hon", "chung thuc"). An empty query lists the catalogue in order.
        """
        if limit <= 0:
            return []
        q = fold(text) if isinstance(text, str) else ""
        if not q:
            return list(self.procedures[:limit])
        if _CODE_QUERY_RE.fullmatch(q):
            digits = q.replace(".", "")
            hits = [
                e.procedure
                for e in self._index
                if e.procedure.code.startswith(q) or e.code_digits.startswith(digits)
            ]
            hits.sort(key=lambda p: p.code)
            return hits[:limit]
        tokens = _WORD_RE.findall(q)
        if not tokens:
            return []
        phrase = " ".join(tokens)
        scored = []
        for e in self._index:
            in_name = all(any(w.startswith(t) for w in e.name_words) for t in tokens)
            if not in_name and not all(
                any(w.startswith(t) for w in e.name_words + e.field_words) for t in tokens
            ):
                continue
            contiguous = (" " + e.name_text).find(" " + phrase) >= 0
            whole = sum(t in e.name_words or t in e.field_words for t in tokens)
            score = (
                0 if contiguous else 1,
                0 if in_name else 1,
                -whole,  # "khai tu" prefers "tử" over "tục"
                len(e.name_words),
                e.procedure.code,
            )
            scored.append((score, e.procedure))
        scored.sort(key=lambda s: s[0])
        return [p for _, p in scored[:limit]]

    def to_dict(self) -> dict[str, Any]:
        """Plain data in the file format (parse_catalogue(to_dict()) gives an equal catalogue)."""
        out: dict[str, Any] = {
            "schema": SCHEMA,
            "version": self.version,
            "published": self.published.isoformat(),
            "source": self.source,
        }
        if self.source_keys:
            out["source_keys"] = dict(self.source_keys)
        out["procedures"] = [_procedure_to_dict(p) for p in self.procedures]
        return out

    def to_json(self) -> str:
        """The catalogue as UTF-8-friendly JSON text (Vietnamese kept readable)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n"


def _time_to_dict(t: ProcessingTime) -> dict[str, Any]:
    return {"kind": t.kind, "value": t.value, "cutoff": t.cutoff, "note": t.note}


def _procedure_to_dict(p: Procedure) -> dict[str, Any]:
    time = _time_to_dict(p.processing_time)
    if p.time_by_channel:
        time["by_channel"] = {k: _time_to_dict(v) for k, v in p.time_by_channel.items()}
    if p.time_by_case:
        time["by_case"] = {k: _time_to_dict(v) for k, v in p.time_by_case.items()}
    out: dict[str, Any] = {
        "code": p.code,
        "name": p.name,
        "field": p.field,
        "processing_time": time,
        "fee_vnd": p.fee_vnd,
        "fee_text": p.fee_text,
    }
    if p.fee_unit is not None:
        out["fee_unit"] = p.fee_unit
    docs = []
    for d in p.documents:
        item: dict[str, Any] = {"name": d.name, "form": d.form, "count": d.count}
        if d.optional:
            item["optional"] = True
        if d.note:
            item["note"] = d.note
        docs.append(item)
    out["documents"] = docs
    out["sources"] = list(p.sources)
    out["confirmed"] = {k: getattr(p.confirmed, k) for k in CONFIRMED_KEYS}
    if p.remarks:
        out["remarks"] = list(p.remarks)
    return out


# --------------------------------------------------------------------------- validation


class _Where:
    """Location of a value inside the catalogue, for error messages in both languages."""

    def __init__(self, vi: str = "", en: str = ""):
        self.vi = vi
        self.en = en

    def child(self, key: str) -> _Where:
        return _Where(f"{self.vi}, trường “{key}”", f"{self.en}, field \"{key}\"")

    def fail(self, vi: str, en: str) -> UserError:
        where_vi = self.vi.lstrip(", ")
        where_en = self.en.lstrip(", ")
        return UserError(
            vi=f"Danh mục thủ tục không hợp lệ: {where_vi + ': ' if where_vi else ''}{vi}",
            en=f"Invalid procedure catalogue: {where_en + ': ' if where_en else ''}{en}",
            code="catalogue_invalid",
        )


def _check_keys(obj: Mapping[str, Any], at: _Where, required: tuple[str, ...],
                optional: tuple[str, ...]) -> None:
    for key in required:
        if key not in obj:
            raise at.fail(f"thiếu trường “{key}”.", f"missing field \"{key}\".")
    unknown = sorted(k for k in obj if k not in required and k not in optional)
    if unknown:
        raise at.fail(
            f"trường không được hỗ trợ: {', '.join(map(str, unknown))}.",
            f"unsupported field(s): {', '.join(map(str, unknown))}.",
        )


def _dict(value: Any, at: _Where) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise at.fail("phải là một đối tượng JSON.", "must be a JSON object.")
    return value


def _text(value: Any, at: _Where, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise at.fail("phải là chuỗi ký tự.", "must be a string.")
    if not allow_empty and not value.strip():
        raise at.fail("không được để trống.", "must not be empty.")
    return value


def _bool(value: Any, at: _Where) -> bool:
    if not isinstance(value, bool):
        raise at.fail("phải là true hoặc false.", "must be true or false.")
    return value


def _int(value: Any, at: _Where, *, minimum: int, vi_min: str, en_min: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise at.fail("phải là số nguyên.", "must be an integer.")
    if value < minimum:
        raise at.fail(vi_min, en_min)
    return value


def _figure(x: float) -> str:
    """A number as a clerk writes it: 1000000000, not 1e+09; 1.5 stays 1.5."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _parse_time(value: Any, at: _Where, *, nested: bool) -> tuple[
    ProcessingTime, dict[str, ProcessingTime], dict[str, ProcessingTime]
]:
    obj = _dict(value, at)
    extra = () if nested else ("by_channel", "by_case")
    _check_keys(obj, at, ("kind",), ("value", "cutoff", "note", *extra))
    kind = obj["kind"]
    if kind not in ProcessingTime.KINDS:
        raise at.child("kind").fail(
            f"loại thời hạn “{kind}” không hợp lệ (cho phép: {', '.join(ProcessingTime.KINDS)}).",
            f"unknown time kind \"{kind}\" (allowed: {', '.join(ProcessingTime.KINDS)}).",
        )
    raw = obj.get("value")
    number: float | None = None
    if kind in _VALUED_KINDS:
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
            raise at.child("value").fail(
                f"thời hạn loại “{kind}” phải có số ngày/giờ.",
                f"a time of kind \"{kind}\" needs a number of days/hours.",
            )
        if raw <= 0:
            raise at.child("value").fail("thời hạn phải lớn hơn 0.", "the time must be positive.")
        limit = MAX_TIME_VALUE[kind]
        if raw > limit:
            unit_vi, unit_en = _TIME_UNITS[kind]
            raise at.child("value").fail(
                f"thời hạn {_figure(raw)} {unit_vi} vượt quá giới hạn {limit} {unit_vi}.",
                f"a time of {_figure(raw)} {unit_en} exceeds the limit of {limit} {unit_en}.",
            )
        number = raw
    elif raw is not None:
        raise at.child("value").fail(
            f"thời hạn loại “{kind}” không có số ngày (để null).",
            f"a time of kind \"{kind}\" takes no number (use null).",
        )
    cutoff = obj.get("cutoff")
    if cutoff is not None:
        if not isinstance(cutoff, str) or not _CUTOFF_RE.fullmatch(cutoff):
            raise at.child("cutoff").fail(
                "giờ chốt phải có dạng HH:MM (ví dụ 15:00).",
                "the cutoff must look like HH:MM (e.g. 15:00).",
            )
        if kind == "none":
            raise at.child("cutoff").fail(
                "thủ tục không có thời hạn thì không có giờ chốt.",
                "a procedure without a time limit has no cutoff.",
            )
    note = _text(obj.get("note", ""), at.child("note"), allow_empty=True)
    main = ProcessingTime(kind=kind, value=number, cutoff=cutoff, note=note)
    by_channel: dict[str, ProcessingTime] = {}
    by_case: dict[str, ProcessingTime] = {}
    if not nested:
        if "by_channel" in obj:
            sub = at.child("by_channel")
            channels = {c.value for c in Channel}
            for key, val in _dict(obj["by_channel"], sub).items():
                if key not in channels:
                    raise sub.fail(
                        f"kênh “{key}” không hợp lệ (cho phép: {', '.join(sorted(channels))}).",
                        f"unknown channel \"{key}\" (allowed: {', '.join(sorted(channels))}).",
                    )
                by_channel[key] = _parse_time(val, sub.child(key), nested=True)[0]
        if "by_case" in obj:
            sub = at.child("by_case")
            for key, val in _dict(obj["by_case"], sub).items():
                if not key.strip():
                    raise sub.fail("tên trường hợp không được để trống.", "empty case label.")
                by_case[key] = _parse_time(val, sub.child(key), nested=True)[0]
    return main, by_channel, by_case


def _parse_document(value: Any, at: _Where) -> RequiredDocument:
    obj = _dict(value, at)
    _check_keys(obj, at, ("name", "form"), ("count", "optional", "note"))
    name = _text(obj["name"], at.child("name")).strip()
    form = obj["form"]
    if form not in DOCUMENT_FORMS:
        raise at.child("form").fail(
            f"hình thức giấy tờ “{form}” không hợp lệ (cho phép: {', '.join(DOCUMENT_FORMS)}).",
            f"unknown document form \"{form}\" (allowed: {', '.join(DOCUMENT_FORMS)}).",
        )
    count = _int(
        obj.get("count", 1), at.child("count"), minimum=1,
        vi_min="số lượng phải từ 1 trở lên.", en_min="the count must be at least 1.",
    )
    optional = _bool(obj.get("optional", False), at.child("optional"))
    note = _text(obj.get("note", ""), at.child("note"), allow_empty=True)
    return RequiredDocument(name=name, form=form, count=count, optional=optional, note=note)


_PROC_REQUIRED = (
    "code", "name", "field", "processing_time", "fee_vnd", "fee_text", "documents", "sources",
)
_PROC_OPTIONAL = ("fee_unit", "confirmed", "remarks")


def _parse_procedure(value: Any, index: int, source_keys: Mapping[str, str]) -> Procedure:
    at = _Where(f"thủ tục thứ {index + 1}", f"procedure #{index + 1}")
    obj = _dict(value, at)
    code = obj.get("code")
    if isinstance(code, str) and code:
        at = _Where(f"thủ tục {code} (thứ {index + 1})", f"procedure {code} (#{index + 1})")
    _check_keys(obj, at, _PROC_REQUIRED, _PROC_OPTIONAL)
    if not isinstance(code, str) or not _CODE_RE.fullmatch(code):
        raise at.child("code").fail(
            f"mã thủ tục “{code}” sai định dạng (cần dạng 1.001193).",
            f"procedure code \"{code}\" is malformed (expected like 1.001193).",
        )
    if code in REPEALED_CODES:
        raise at.child("code").fail(
            f"thủ tục {code} đã bị bãi bỏ, không được đưa vào danh mục.",
            f"procedure {code} has been repealed and must not be offered.",
        )
    name = _text(obj["name"], at.child("name")).strip()
    field_ = _text(obj["field"], at.child("field")).strip()
    main, by_channel, by_case = _parse_time(
        obj["processing_time"], at.child("processing_time"), nested=False
    )
    fee = obj["fee_vnd"]
    if fee is not None:
        fee = _int(
            fee, at.child("fee_vnd"), minimum=0,
            vi_min="phí, lệ phí không được âm.", en_min="the fee must not be negative.",
        )
    fee_text = _text(obj["fee_text"], at.child("fee_text")).strip()
    fee_unit = obj.get("fee_unit")
    if fee_unit is not None:
        fee_unit = _text(fee_unit, at.child("fee_unit")).strip()

    conf_at = at.child("confirmed")
    conf_obj = _dict(obj.get("confirmed", {}), conf_at)
    _check_keys(conf_obj, conf_at, (), CONFIRMED_KEYS)
    confirmed = Confirmation(
        **{k: _bool(conf_obj.get(k, True), conf_at.child(k)) for k in CONFIRMED_KEYS}
    )

    docs_at = at.child("documents")
    raw_docs = obj["documents"]
    if not isinstance(raw_docs, list):
        raise docs_at.fail("phải là một danh sách.", "must be a list.")
    if not raw_docs and confirmed.documents:
        raise docs_at.fail(
            "danh sách giấy tờ trống (chỉ được trống khi confirmed.documents là false).",
            "the document list is empty (allowed only when confirmed.documents is false).",
        )
    documents = tuple(
        _parse_document(d, _Where(f"{docs_at.vi}, mục {i + 1}", f"{docs_at.en}, item {i + 1}"))
        for i, d in enumerate(raw_docs)
    )

    src_at = at.child("sources")
    raw_src = obj["sources"]
    if not isinstance(raw_src, list) or not raw_src:
        raise src_at.fail("phải là danh sách nguồn không trống.", "must be a non-empty list.")
    sources = tuple(_text(s, src_at).strip() for s in raw_src)
    if source_keys:
        unknown = [s for s in sources if s not in source_keys]
        if unknown:
            raise src_at.fail(
                f"nguồn không có trong source_keys: {', '.join(unknown)}.",
                f"source(s) not listed in source_keys: {', '.join(unknown)}.",
            )

    rem_at = at.child("remarks")
    raw_rem = obj.get("remarks", [])
    if not isinstance(raw_rem, list):
        raise rem_at.fail("phải là một danh sách.", "must be a list.")
    remarks = tuple(_text(r, rem_at).strip() for r in raw_rem)

    return Procedure(
        code=code,
        name=name,
        field=field_,
        processing_time=main,
        fee_vnd=fee,
        fee_text=fee_text,
        documents=documents,
        sources=sources,
        fee_unit=fee_unit,
        time_by_channel=by_channel,
        time_by_case=by_case,
        confirmed=confirmed,
        remarks=remarks,
    )


def parse_catalogue(data: bytes | str | Mapping[str, Any]) -> Catalogue:
    """Validate a catalogue (file bytes, JSON text or parsed data) and build it.

    Raises UserError(code="catalogue_invalid") naming the procedure and field at fault, so a
    bad catalogue update is refused as a whole and the previous catalogue stays in use.
    """
    top = _Where()
    if isinstance(data, (bytes, bytearray)):
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise top.fail(
                "tệp không phải văn bản UTF-8.", "the file is not UTF-8 text."
            ) from exc
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise top.fail(
                f"JSON sai cú pháp (dòng {exc.lineno}, cột {exc.colno}).",
                f"malformed JSON (line {exc.lineno}, column {exc.colno}).",
            ) from exc
    obj = _dict(data, _Where("nội dung", "content"))
    _check_keys(obj, top, ("schema", "version", "published", "procedures"),
                ("source", "source_keys"))
    schema = obj["schema"]
    if isinstance(schema, bool) or schema != SCHEMA:
        raise top.child("schema").fail(
            f"phiên bản định dạng {schema!r} không được hỗ trợ (cần {SCHEMA}).",
            f"format version {schema!r} is not supported (expected {SCHEMA}).",
        )
    version = obj["version"]
    if not isinstance(version, str) or not _VERSION_RE.fullmatch(version):
        raise top.child("version").fail(
            f"phiên bản danh mục “{version}” sai định dạng (cần dạng 2026.11.1).",
            f"catalogue version \"{version}\" is malformed (expected like 2026.11.1).",
        )
    raw_date = obj["published"]
    try:
        if not isinstance(raw_date, str) or not _DATE_RE.fullmatch(raw_date):
            raise ValueError(raw_date)
        published = date.fromisoformat(raw_date)
    except ValueError:
        raise top.child("published").fail(
            f"ngày công bố “{raw_date}” không hợp lệ (cần dạng YYYY-MM-DD).",
            f"publication date \"{raw_date}\" is invalid (expected YYYY-MM-DD).",
        ) from None
    source = _text(obj.get("source", ""), top.child("source"), allow_empty=True)
    keys_at = top.child("source_keys")
    source_keys = {
        _text(k, keys_at): _text(v, keys_at.child(k))
        for k, v in _dict(obj.get("source_keys", {}), keys_at).items()
    }
    raw_procs = obj["procedures"]
    if not isinstance(raw_procs, list):
        raise top.child("procedures").fail("phải là một danh sách.", "must be a list.")
    if not raw_procs:
        raise top.child("procedures").fail(
            "danh mục không có thủ tục nào.", "the catalogue has no procedures."
        )
    procedures: list[Procedure] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_procs):
        proc = _parse_procedure(raw, i, source_keys)
        if proc.code in seen:
            raise _Where(f"thủ tục {proc.code} (thứ {i + 1})",
                         f"procedure {proc.code} (#{i + 1})").fail(
                f"mã trùng với thủ tục thứ {seen[proc.code] + 1}.",
                f"duplicate code, already used by procedure #{seen[proc.code] + 1}.",
            )
        seen[proc.code] = i
        procedures.append(proc)
    return Catalogue(
        version=version,
        published=published,
        procedures=tuple(procedures),
        source=source,
        source_keys=source_keys,
    )


@cache
def load_shipped_catalogue() -> Catalogue:
    """The catalogue packaged with the app (used until a newer one is pulled from the province)."""
    raw = resources.files("app").joinpath("data").joinpath("procedures.json").read_bytes()
    return parse_catalogue(raw)
