"""Load and validate the vocabulary of document metadata and references (extractors/data/vi/*.yaml)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

import regex

from core.errors import VocabularyError
from extractors.vocab import DATA_DIR, load

__all__ = ["DATA_DIR", "VocabularyError", "vocab"]


@dataclass(frozen=True)
class DocType:
    """A type of document: its prose name, its capitalised title word, its number symbols."""

    name: str
    title: str
    symbols: tuple[str, ...]


@dataclass(frozen=True)
class Province:
    """A province or centrally-run city and the spellings that name it."""

    name: str
    kind: str
    variants: tuple[str, ...]
    needs_level: bool = False


@dataclass(frozen=True)
class District:
    """A district-level unit and the province it belongs to."""

    name: str
    province: str


@dataclass(frozen=True)
class Title:
    """A signer's title as printed in capitals and as written in prose."""

    upper: str
    display: str


@dataclass(frozen=True)
class MetaVocab:
    """Everything metadata and reference extraction reads from data files."""

    doc_types: tuple[DocType, ...]
    max_name_words: int
    not_references: tuple[str, ...]
    body_starts: tuple[str, ...]
    report_period_labels: tuple[str, ...]
    provinces: tuple[Province, ...]
    province_levels: tuple[str, ...]
    district_levels: tuple[str, ...]
    issuer_heads: tuple[str, ...]
    sub_heads: tuple[str, ...]
    display: dict[str, str]
    acronyms: frozenset[str]
    issuer_stops: tuple[str, ...]
    author_verbs: tuple[str, ...]
    titles: tuple[Title, ...]
    between: tuple[str, ...]
    stamp_labels: tuple[str, ...]
    districts: tuple[District, ...] = ()
    shared_district_names: frozenset[str] = frozenset()


def nfc(s: str) -> str:
    """Return s in NFC."""
    return unicodedata.normalize("NFC", s)


@cache
def vocab() -> MetaVocab:
    """Load the metadata vocabulary once (extractors.vocab.load checks each file against SCHEMA)."""
    dt = load("doc_types.yaml")
    types: list[DocType] = []
    for entry in dt["types"]:
        types.append(DocType(nfc(entry["name"]), nfc(entry["title"]), tuple(nfc(s) for s in entry["symbols"])))
    au = load("admin_units.yaml")
    provinces: list[Province] = []
    for entry in au["provinces"]:
        if entry["kind"] not in ("tinh", "thanh_pho"):
            raise VocabularyError(f"admin_units.yaml: {entry['name']!r} needs kind tinh or thanh_pho; fix the entry")
        provinces.append(Province(nfc(entry["name"]), entry["kind"],
                                  tuple(nfc(v) for v in entry.get("variants", [])),
                                  bool(entry.get("needs_level", False))))
    levels = au["levels"]
    known = {p.name for p in provinces}
    districts: list[District] = []
    for prov, names in (au.get("districts") or {}).items():
        if nfc(prov) not in known:
            raise VocabularyError(f"admin_units.yaml: districts of {prov!r} need a province listed under provinces")
        districts.extend(District(nfc(n), nfc(prov)) for n in names)
    iss = load("issuers.yaml")
    heads = iss["heads"]
    sig = load("signature.yaml")
    titles = [Title(nfc(t["upper"]), nfc(t["display"])) for t in sig["titles"]]
    return MetaVocab(
        doc_types=tuple(types),
        max_name_words=int(dt.get("max_name_words", 12)),
        not_references=tuple(nfc(x) for x in dt.get("not_references", [])),
        body_starts=tuple(nfc(x) for x in dt["body_starts"]),
        report_period_labels=tuple(nfc(x) for x in dt.get("report_period_labels", [])),
        provinces=tuple(provinces),
        province_levels=tuple(nfc(x) for x in levels["province"]),
        district_levels=tuple(nfc(x) for x in levels["district"]),
        issuer_heads=tuple(nfc(h["name"]) for h in heads),
        sub_heads=tuple(nfc(h["name"]) for h in heads if h.get("sub")),
        display={nfc(k): nfc(v) for k, v in iss["display"].items()},
        acronyms=frozenset(nfc(a) for a in iss["acronyms"]),
        issuer_stops=tuple(nfc(s) for s in iss["issuer_stops"]),
        author_verbs=tuple(nfc(s) for s in iss["author_verbs"]),
        titles=tuple(titles),
        between=tuple(nfc(b) for b in sig["between"]),
        stamp_labels=tuple(nfc(b) for b in sig.get("stamp_labels", [])),
        districts=tuple(districts),
        shared_district_names=frozenset(nfc(n) for n in au.get("shared_district_names", [])),
    )


def fold(s: str) -> str:
    """Return a key that ignores case, diacritics and tone-mark placement ('ĐĂK NÔNG' -> 'dak nong')."""
    s = unicodedata.normalize("NFD", s.replace("Đ", "D").replace("đ", "d"))
    s = "".join(c for c in s if not unicodedata.combining(c))
    return " ".join(s.lower().replace("-", " ").replace("–", " ").split())


def alternation(words: list[str] | tuple[str, ...]) -> str:
    """Return a regex alternation of literal words, longest first, spaces matching any whitespace."""
    parts = sorted(set(words), key=len, reverse=True)
    return "|".join(r"\s+".join(_escape(w) for w in p.split()) for p in parts)


def _escape(s: str) -> str:
    return str(regex.escape(s))


def fold_chars(s: str) -> str:
    """Return s lower-cased without diacritics, one output char per input char, so offsets carry over."""
    out = []
    for c in s:
        base = unicodedata.normalize("NFD", c.replace("Đ", "D").replace("đ", "d"))
        stripped = "".join(b for b in base if not unicodedata.combining(b)).lower()
        out.append(stripped[:1] if len(stripped) >= 1 else c)
    return "".join(out)
