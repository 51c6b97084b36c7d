"""Load and validate the Vietnamese vocabulary of extractors/data/vi/*.yaml, once per process."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import regex
import yaml

from core.errors import SolieuError
from extractors.model import QUALIFIERS, UNITS

DATA_DIR = Path(__file__).parent / "data" / "vi"


class VocabularyError(SolieuError):
    """A vocabulary file under extractors/data/vi is missing or malformed."""


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def _load(name: str) -> Any:
    path = DATA_DIR / name
    try:
        with path.open(encoding="utf-8") as f:
            return yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as exc:
        raise VocabularyError(
            f"cannot read vocabulary file {path}: {exc}; restore it from git or fix its YAML syntax"
        ) from exc


def _fail(name: str, what: str) -> VocabularyError:
    return VocabularyError(f"{DATA_DIR / name}: {what}; fix the entry (see the file's header comment)")


@dataclass(frozen=True)
class UnitEntry:
    """One unit surface form: its kind, canonical unit and factor to that unit."""

    surface: str
    kind: str
    unit: str
    factor: Decimal


@dataclass(frozen=True)
class PlausibilityRule:
    """A plausible range for one canonical unit, optionally narrowed by subject cues."""

    unit: str
    cues: tuple[str, ...]
    min: Decimal
    max: Decimal


@dataclass(frozen=True)
class Vocabulary:
    """Every word list the figure extractor needs, validated."""

    digits: dict[str, int]
    unit_digits: dict[str, int]
    teen: dict[str, int]
    tens: dict[str, int]
    hundreds: dict[str, int]
    zero_tens: dict[str, int]
    decimal_marks: dict[str, str]
    negatives: dict[str, int]
    not_alone_before_noun: dict[str, str]
    not_alone_before_unit: dict[str, str]
    scale_words: dict[str, int]
    suffixes: dict[str, int]
    implies_money: dict[str, str]
    misread_money: dict[str, str]
    units: tuple[UnitEntry, ...]
    qualifiers: dict[str, str]
    count_nouns: tuple[str, ...]
    places: tuple[str, ...]
    domains: dict[str, tuple[str, ...]]
    non_figures: dict[str, regex.Pattern[str]]
    plausibility: tuple[PlausibilityRule, ...]
    stop_words: tuple[str, ...]
    meta_nouns: tuple[str, ...]
    lead_words: tuple[str, ...]
    trail_words: tuple[str, ...]
    measure_heads: tuple[str, ...]
    copulas: tuple[str, ...]
    bare_nouns: tuple[str, ...]
    share_words: tuple[str, ...]

    @property
    def number_words(self) -> dict[str, int]:
        """Return every spelled word that can be part of a number (without scale words)."""
        out: dict[str, int] = {}
        for d in (self.digits, self.unit_digits, self.teen, self.tens, self.hundreds, self.zero_tens):
            out.update(d)
        return out


def _word_map(name: str, data: Any, key: str, kind: type) -> dict[str, Any]:
    section = data.get(key) if isinstance(data, dict) else None
    if not isinstance(section, dict) or not section:
        raise _fail(name, f"section {key!r} is missing or empty")
    out: dict[str, Any] = {}
    for word, value in section.items():
        if not isinstance(word, str) or not isinstance(value, kind):
            raise _fail(name, f"{key}: {word!r} -> {value!r} is not a {kind.__name__}")
        out[_nfc(word)] = value
    return out


@cache
def vocabulary() -> Vocabulary:
    """Return the validated vocabulary (loaded on first use)."""
    nums = _load("numbers.yaml")
    scales = _load("scales.yaml")

    units: list[UnitEntry] = []
    udata = _load("units.yaml")
    if not isinstance(udata, dict):
        raise _fail("units.yaml", "top level must map kinds to unit tables")
    for kind, table in udata.items():
        if not isinstance(table, dict):
            raise _fail("units.yaml", f"kind {kind!r} must map surface forms to [unit, factor]")
        for surface, spec in table.items():
            if (not isinstance(spec, list) or len(spec) != 2 or spec[0] not in UNITS
                    or not isinstance(spec[1], int)):
                raise _fail("units.yaml", f"{kind}.{surface}: {spec!r} is not [one of UNITS, integer factor]")
            units.append(UnitEntry(_nfc(str(surface)), str(kind), spec[0], Decimal(spec[1])))

    qdata = _load("qualifiers.yaml")
    if not isinstance(qdata, dict):
        raise _fail("qualifiers.yaml", "top level must map phrases to qualifiers")
    for phrase, q in qdata.items():
        if q not in QUALIFIERS:
            raise _fail("qualifiers.yaml", f"{phrase!r} -> {q!r} is not one of {QUALIFIERS}")

    nouns = _load("count_nouns.yaml")
    if not isinstance(nouns, list) or not all(isinstance(n, str) and n.strip() for n in nouns):
        raise _fail("count_nouns.yaml", "must be a list of non-empty nouns")
    places = _load("places.yaml")
    if not isinstance(places, list) or not all(isinstance(p, str) for p in places):
        raise _fail("places.yaml", "must be a list of administrative unit words")

    ddata = _load("domains.yaml")
    if not isinstance(ddata, dict):
        raise _fail("domains.yaml", "top level must map domains to lists of cues")
    domains: dict[str, tuple[str, ...]] = {}
    for dom, cues in ddata.items():
        if not isinstance(cues, list) or not all(isinstance(c, str) for c in cues):
            raise _fail("domains.yaml", f"{dom!r} must have a list of cue phrases")
        domains[_nfc(str(dom))] = tuple(_nfc(c) for c in cues)

    nfdata = _load("non_figures.yaml")
    if not isinstance(nfdata, dict):
        raise _fail("non_figures.yaml", "top level must map names to regexes")
    non_figures: dict[str, regex.Pattern[str]] = {}
    for nf_name, pattern in nfdata.items():
        try:
            non_figures[str(nf_name)] = regex.compile(_nfc(str(pattern)), regex.IGNORECASE | regex.V0)
        except regex.error as exc:
            raise _fail("non_figures.yaml", f"{nf_name}: bad regex ({exc})") from exc

    pdata = _load("plausibility.yaml")
    if not isinstance(pdata, list):
        raise _fail("plausibility.yaml", "must be a list of rules")
    rules: list[PlausibilityRule] = []
    for rule in pdata:
        if not isinstance(rule, dict) or rule.get("unit") not in UNITS:
            raise _fail("plausibility.yaml", f"rule {rule!r} needs a unit from UNITS")
        rules.append(PlausibilityRule(
            unit=rule["unit"],
            cues=tuple(_nfc(c).lower() for c in rule.get("cues", [])),
            min=Decimal(str(rule.get("min", 0))),
            max=Decimal(str(rule["max"])),
        ))

    sdata = _load("subject.yaml")
    word_lists: dict[str, tuple[str, ...]] = {}
    for key in ("stop_words", "meta_nouns", "lead_words", "trail_words", "measure_heads", "copulas",
                "share_words", "bare_nouns"):
        items = sdata.get(key) if isinstance(sdata, dict) else None
        if not isinstance(items, list) or not all(isinstance(w, str) for w in items):
            raise _fail("subject.yaml", f"section {key!r} must be a list of words")
        word_lists[key] = tuple(" ".join(_nfc(w).lower().split()) for w in items)

    return Vocabulary(
        digits=_word_map("numbers.yaml", nums, "digits", int),
        unit_digits=_word_map("numbers.yaml", nums, "unit_digits", int),
        teen=_word_map("numbers.yaml", nums, "teen", int),
        tens=_word_map("numbers.yaml", nums, "tens", int),
        hundreds=_word_map("numbers.yaml", nums, "hundreds", int),
        zero_tens=_word_map("numbers.yaml", nums, "zero_tens", int),
        decimal_marks=_word_map("numbers.yaml", nums, "decimal_marks", str),
        negatives=_word_map("numbers.yaml", nums, "negatives", int),
        not_alone_before_noun=_word_map("numbers.yaml", nums, "not_alone_before_noun", str),
        not_alone_before_unit=_word_map("numbers.yaml", nums, "not_alone_before_unit", str),
        scale_words=_word_map("scales.yaml", scales, "words", int),
        suffixes=_word_map("scales.yaml", scales, "suffixes", int),
        implies_money=_word_map("scales.yaml", scales, "implies_money", str),
        misread_money=_word_map("scales.yaml", scales, "misread_money_after_scale", str),
        units=tuple(units),
        qualifiers={_nfc(str(k)): str(v) for k, v in qdata.items()},
        count_nouns=tuple(_nfc(n.strip()) for n in nouns),
        places=tuple(_nfc(p) for p in places),
        domains=domains,
        non_figures=non_figures,
        plausibility=tuple(rules),
        stop_words=word_lists["stop_words"],
        meta_nouns=word_lists["meta_nouns"],
        lead_words=word_lists["lead_words"],
        trail_words=word_lists["trail_words"],
        measure_heads=word_lists["measure_heads"],
        copulas=word_lists["copulas"],
        bare_nouns=word_lists["bare_nouns"],
        share_words=word_lists["share_words"],
    )


def alternation(words: list[str] | tuple[str, ...]) -> str:
    """Return a regex alternation of words, longest first, spaces matching any whitespace."""
    parts = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(r"\s+".join(regex.escape(t) for t in w.split()) for w in parts)
