"""Administrative units of the two-level scheme in force since 1 July 2025.

34 provinces / centrally-run cities and 3,321 communes, wards and special zones, from the
`vietnam_provinces` package (2025.10.1). The data is loaded on first use and cached: importing
this module costs nothing, which keeps GUI start-up fast.

Codes are the GSO codes as zero-padded strings: provinces 2 digits ("01", "79"), communes
5 digits ("00070", "26734"). The package keeps them as integers; lookups here also accept an int
or a shorter digit string ("1", 79) and pad it, so a code typed or scanned without leading zeros
still resolves, while stored codes are always the padded form. Longer strings ("001") and
anything but ASCII digits are rejected (lookups return None).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

from app.errors import UserError
from localdb.folding import fold

PROVINCE_CODE_WIDTH = 2
COMMUNE_CODE_WIDTH = 5
_DIGITS_RE = re.compile(r"[0-9]+")
_WORD_RE = re.compile(r"[a-z0-9]+")

# Division-type words that prefix unit names ("Thành phố Hà Nội", "Phường Sài Gòn").
_PREFIXES = ("thanh pho ", "tinh ", "phuong ", "xa ", "dac khu ")


@dataclass(frozen=True)
class Province:
    """A province or centrally-run city ("tỉnh" / "thành phố trung ương")."""

    code: str  # 2 digits, e.g. "79"
    name: str  # official, e.g. "Thành phố Hồ Chí Minh"
    division_type: str  # "tỉnh" | "thành phố trung ương"
    codename: str  # ascii slug from the package, e.g. "ho_chi_minh"
    phone_code: int

    @property
    def short_name(self) -> str:
        """Name without "Thành phố"/"Tỉnh", for compact lists ("Hồ Chí Minh")."""
        return _strip_prefix(self.name)


@dataclass(frozen=True)
class Commune:
    """A commune, ward or special zone ("xã" / "phường" / "đặc khu")."""

    code: str  # 5 digits, e.g. "26734"
    name: str  # official, e.g. "Phường Sài Gòn"
    division_type: str  # "xã" | "phường" | "đặc khu"
    province_code: str  # 2 digits
    codename: str

    @property
    def short_name(self) -> str:
        return _strip_prefix(self.name)


def _strip_prefix(name: str) -> str:
    folded = fold(name)
    for prefix in _PREFIXES:
        if folded.startswith(prefix):
            words = name.split()
            return " ".join(words[len(prefix.split()):]) or name
    return name


@dataclass(frozen=True)
class _Key:
    """Precomputed search form of a unit's name."""

    full: str  # folded full name, words joined by one space
    short: str  # folded short name
    words: frozenset[str]
    aliases: frozenset[str]  # acronyms such as "hcm", "tphcm", "hn"


def _key(name: str, short: str, is_city: bool) -> _Key:
    full_words = tuple(_WORD_RE.findall(fold(name)))
    short_words = tuple(_WORD_RE.findall(fold(short)))
    aliases: set[str] = set()
    if len(short_words) > 1:
        initials = "".join(w[0] for w in short_words)
        aliases.add(initials)
        if is_city:
            aliases.add("tp" + initials)
    if is_city:
        aliases.add("tp")
    return _Key(
        full=" ".join(full_words),
        short=" ".join(short_words),
        words=frozenset(full_words),
        aliases=frozenset(aliases),
    )


@dataclass(frozen=True)
class _Data:
    provinces: tuple[Province, ...]
    province_by_code: dict[str, Province]
    province_keys: dict[str, _Key]
    communes_by_province: dict[str, tuple[Commune, ...]]
    commune_by_code: dict[str, Commune]
    commune_keys: dict[str, _Key]


@cache
def _data() -> _Data:
    # Imported here: the package's enum module alone takes tens of milliseconds to import.
    from vietnam_provinces import Province as VpProvince
    from vietnam_provinces import Ward as VpWard

    provinces = []
    province_keys = {}
    for p in sorted(VpProvince.iter_all(), key=lambda p: int(p.code)):
        prov = Province(
            code=f"{int(p.code):0{PROVINCE_CODE_WIDTH}d}",
            name=p.name,
            division_type=str(p.division_type.value),
            codename=p.codename,
            phone_code=int(p.phone_code),
        )
        provinces.append(prov)
        province_keys[prov.code] = _key(
            prov.name, prov.short_name, is_city=fold(prov.division_type) != "tinh"
        )
    by_province: dict[str, list[Commune]] = {p.code: [] for p in provinces}
    commune_by_code = {}
    commune_keys = {}
    for w in VpWard.iter_all():
        com = Commune(
            code=f"{int(w.code):0{COMMUNE_CODE_WIDTH}d}",
            name=w.name,
            division_type=str(w.division_type.value),
            province_code=f"{int(w.province_code):0{PROVINCE_CODE_WIDTH}d}",
            codename=w.codename,
        )
        by_province[com.province_code].append(com)
        commune_by_code[com.code] = com
        commune_keys[com.code] = _key(com.name, com.short_name, is_city=False)
    return _Data(
        provinces=tuple(provinces),
        province_by_code={p.code: p for p in provinces},
        province_keys=province_keys,
        communes_by_province={
            k: tuple(sorted(v, key=lambda c: c.code)) for k, v in by_province.items()
        },
        commune_by_code=commune_by_code,
        commune_keys=commune_keys,
    )


def normalize_code(code: str | int | None, width: int) -> str | None:
    """Canonical zero-padded code, or None if `code` is not a plausible unit code."""
    if isinstance(code, bool) or code is None:
        return None
    if isinstance(code, int):
        text = str(code) if code >= 0 else ""
    elif isinstance(code, str):
        text = code.strip()
    else:
        return None
    if not _DIGITS_RE.fullmatch(text) or len(text) > width:
        return None
    return text.lstrip("0").rjust(width, "0")


def provinces() -> tuple[Province, ...]:
    """All 34 provinces, ordered by code (the official listing order)."""
    return _data().provinces


def province(code: str | int) -> Province | None:
    """The province with this code, or None when unknown or malformed."""
    norm = normalize_code(code, PROVINCE_CODE_WIDTH)
    return _data().province_by_code.get(norm) if norm else None


def communes(province_code: str | int) -> tuple[Commune, ...]:
    """Communes, wards and special zones of a province ordered by code (empty if unknown)."""
    norm = normalize_code(province_code, PROVINCE_CODE_WIDTH)
    return _data().communes_by_province.get(norm, ()) if norm else ()


def all_communes() -> Iterable[Commune]:
    """Every commune of the country, province by province."""
    for p in provinces():
        yield from communes(p.code)


def commune(code: str | int) -> Commune | None:
    """The commune with this code, or None when unknown or malformed."""
    norm = normalize_code(code, COMMUNE_CODE_WIDTH)
    return _data().commune_by_code.get(norm) if norm else None


_U = TypeVar("_U", Province, Commune)


def _rank(key: _Key, query: str, tokens: list[str]) -> tuple[int, int, int] | None:
    """Lower is better; None = no match. Every token must start a word (or be an alias)."""
    if query in (key.full, key.short) or query in key.aliases:
        tier = 0
    elif not all(t in key.aliases or any(w.startswith(t) for w in key.words) for t in tokens):
        return None
    elif key.short.startswith(query) or key.full.startswith(query):
        tier = 1
    elif (" " + key.full).find(" " + query) >= 0:
        tier = 2
    else:
        tier = 3
    whole = sum(t in key.words or t in key.aliases for t in tokens)
    return (tier, -whole, key.short.count(" "))


def _search(items: Iterable[_U], keys: dict[str, _Key], text: str, limit: int | None) -> list[_U]:
    if not isinstance(text, str):
        return []
    tokens = _WORD_RE.findall(fold(text))
    if not tokens:
        return []
    query = " ".join(tokens)
    scored = []
    for item in items:
        rank = _rank(keys[item.code], query, tokens)
        if rank is not None:
            scored.append(((rank, item.code), item))
    scored.sort(key=lambda s: s[0])
    found = [item for _, item in scored]
    return found if limit is None else found[: max(limit, 0)]


def search_provinces(text: str, limit: int | None = None) -> list[Province]:
    """Provinces matching typed text, best first ("ho chi minh", "tp hcm", "Đà Nẵng", "da n").

    Case-, diacritic- and đ-insensitive; each word typed must start a word of the name.
    """
    data = _data()
    return _search(data.provinces, data.province_keys, text, limit)


def search_communes(
    province_code: str | int | None, text: str, limit: int | None = 50
) -> list[Commune]:
    """Communes of a province matching typed text, best first ("phuong sai gon", "sai g").

    `province_code=None` searches the whole country; an unknown province gives no result.
    """
    data = _data()
    items: Iterable[Commune]
    items = data.commune_by_code.values() if province_code is None else communes(province_code)
    return _search(items, data.commune_keys, text, limit)


def validate_address(province_code: str | int, commune_code: str | int) -> tuple[Province, Commune]:
    """Check that both codes exist and the commune lies in the province; return both units.

    Raised errors carry the form field they belong to, so the intake form can mark it.
    """
    prov = province(province_code)
    if prov is None:
        raise UserError(
            vi=f"Mã tỉnh/thành phố “{province_code}” không tồn tại.",
            en=f"Unknown province code \"{province_code}\".",
            field="province_code",
            code="province_unknown",
        )
    com = commune(commune_code)
    if com is None:
        raise UserError(
            vi=f"Mã xã/phường/đặc khu “{commune_code}” không tồn tại.",
            en=f"Unknown commune/ward code \"{commune_code}\".",
            field="commune_code",
            code="commune_unknown",
        )
    if com.province_code != prov.code:
        other = province(com.province_code)
        other_name = other.name if other else com.province_code
        raise UserError(
            vi=f"{com.name} không thuộc {prov.name} (thuộc {other_name}).",
            en=f"{com.name} ({com.code}) is not in {prov.name} (it belongs to {other_name}).",
            field="commune_code",
            code="commune_not_in_province",
        )
    return prov, com
