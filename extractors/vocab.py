"""Load and validate the Vietnamese vocabulary of extractors/data/vi/*.yaml, once per process.

One loader (load) for every file, each checked on load against one schema (SCHEMA: the shape of every file,
dateparser-style); a file that breaks it raises core.errors.VocabularyError naming the file and the entry.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import regex
import yaml

from core.errors import VocabularyError
from extractors.model import KINDS, QUALIFIERS, UNITS

DATA_DIR = Path(__file__).parent / "data" / "vi"

__all__ = ["DATA_DIR", "SCHEMA", "VocabularyError", "load", "table_vocabulary", "vocabulary"]


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


# --------------------------------------------------------------------------------------------------
# The schema: str, int, bool, "number" (int or float), [spec] (a non-empty list of), {str: spec} (a non-empty
# map of words to; [spec, "may be empty"] allows []), or a dict of named sections or fields ({"name": spec};
# a trailing "?" marks an optional one).

Spec = Any
WORDS: Spec = [str]
WORDS_OR_NONE: Spec = [str, "may be empty"]
SCHEMA: dict[str, Spec] = {
    "numbers.yaml": {k: {str: int} for k in ("digits", "unit_digits", "teen", "tens", "hundreds", "zero_tens",
                                             "negatives")}
    | {"decimal_marks": {str: str}, "not_alone_before_noun": {str: str}, "not_alone_before_unit": {str: str}},
    "scales.yaml": {"words": {str: int}, "header_words": {str: int}, "suffixes": {str: int},
                    "implies_money": {str: str}, "misread_money_after_scale": {str: str}},
    "units.yaml": {str: {"kind": str, "surfaces": {str: "number"}, "header_surfaces?": {str: "number"}}},
    "count_nouns.yaml": WORDS,
    "qualifiers.yaml": {str: str},
    "places.yaml": WORDS,
    "domains.yaml": {str: WORDS},
    "non_figures.yaml": {str: str},
    "plausibility.yaml": [{"unit": str, "cues?": WORDS, "min?": "number", "max": "number"}],
    "subject.yaml": {k: WORDS for k in ("stop_words", "meta_nouns", "lead_words", "trail_words",
                                        "measure_heads", "copulas", "share_words", "bare_nouns",
                                        "change_words", "classifiers", "generic_labels",
                                        "adjunct_openers")},
    "table_headers.yaml": {k: WORDS for k in ("label_headers", "stt_headers", "unit_headers", "total_labels",
                                              "non_value_headers", "percent_headers", "unit_line_keys",
                                              "title_words")},
    "doc_types.yaml": {"types": [{"name": str, "title": str, "symbols": WORDS_OR_NONE}], "max_name_words?": int, "not_references?": WORDS, "body_starts": WORDS,
                       "report_period_labels?": WORDS},
    "admin_units.yaml": {"provinces": [{"name": str, "kind": str, "variants?": WORDS, "needs_level?": bool}], "levels": {str: WORDS}, "districts?": {str: WORDS},
                         "shared_district_names?": WORDS},
    "issuers.yaml": {"heads": [{"name": str, "sub?": bool}], "display": {str: str}, "acronyms": WORDS, "issuer_stops": WORDS,
                     "author_verbs": WORDS},
    "signature.yaml": {"titles": [{"upper": str, "display": str}], "between": WORDS, "stamp_labels?": WORDS},
    "periods.yaml": {"range_words": WORDS, "year_parts": {str: [int]}, "quarters": {str: int}, "plan": WORDS,
                     "actual": WORDS, "previous_year": WORDS},
    "open_counts.yaml": {k: WORDS for k in ("not_counted", "count_after", "predicate_openers", "not_appended",
                                             "list_openers", "light_verbs", "verb_complements",
                                             "frequency_nouns", "frequency_periods", "benefactives",
                                             "after_verbs", "territorial_nouns", "region_words")},
    "indicators.yaml": [{"id": str, "name": str, "kinds": WORDS, "unit": str, "synonyms": WORDS}],
}


def _check(value: Any, spec: Spec, where: str) -> None:
    """Raise VocabularyError where value does not have the shape spec describes."""
    if spec == "number" or spec is bool:
        if isinstance(value, bool) != (spec is bool) or not isinstance(value, (int, float)):
            raise VocabularyError(f"{where}: {value!r} must be {'true or false' if spec is bool else 'a number'}; "
                                  "fix the entry")
        return
    if spec is str or spec is int:
        if not isinstance(value, spec) or isinstance(value, bool) or (isinstance(value, str) and not value.strip()):
            raise VocabularyError(f"{where}: {value!r} must be a non-empty {spec.__name__}; fix the entry")
        return
    if isinstance(spec, list):
        if not isinstance(value, list) or (not value and len(spec) == 1):
            raise VocabularyError(f"{where} must be a non-empty list; fix the entry")
        for k, item in enumerate(value):
            _check(item, spec[0], f"{where}[{k}]")
        return
    if not isinstance(value, Mapping) or not value:
        raise VocabularyError(f"{where} must be a non-empty mapping; fix the entry")
    if str in spec:                           # a map of words to values
        for key, item in value.items():
            _check(key, str, f"{where}: key")
            _check(item, spec[str], f"{where}.{key}")
        return
    for name, sub in spec.items():            # named sections
        key, optional = name.rstrip("?"), name.endswith("?")
        if key not in value:
            if optional:
                continue
            raise VocabularyError(f"{where}: {key!r} is missing; add it (see the file's header comment)")
        _check(value[key], sub, f"{where}.{key}")
    unknown = set(value) - {n.rstrip("?") for n in spec}
    if unknown:
        raise VocabularyError(f"{where}: unknown sections {sorted(unknown)}; remove them or add them to SCHEMA")


def load(name: str) -> Any:
    """Return the parsed and schema-checked content of one vocabulary file."""
    path = DATA_DIR / name
    try:
        with path.open(encoding="utf-8") as f:
            data = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as exc:
        raise VocabularyError(
            f"cannot read vocabulary file {path}: {exc}; restore it from git or fix its YAML syntax"
        ) from exc
    if name not in SCHEMA:
        raise VocabularyError(f"{path} has no schema; add its shape to extractors.vocab.SCHEMA")
    _check(data, SCHEMA[name], str(path))
    return data



def _fail(name: str, what: str) -> VocabularyError:
    return VocabularyError(f"{DATA_DIR / name}: {what}; fix the entry (see the file's header comment)")


@dataclass(frozen=True)
class UnitEntry:
    """One unit surface form: its kind, canonical unit and factor to that unit (prose: read after numbers)."""

    surface: str
    kind: str
    unit: str
    factor: Decimal
    prose: bool = True


@cache
def unit_entries() -> tuple[UnitEntry, ...]:
    """Return every unit surface of units.yaml, prose and header-only, checked against UNITS and KINDS."""
    out: list[UnitEntry] = []
    seen: dict[str, str] = {}
    for unit, spec in load("units.yaml").items():
        if unit not in UNITS or spec["kind"] not in KINDS:
            raise _fail("units.yaml", f"{unit!r} (kind {spec['kind']!r}) is not one of UNITS with a kind of KINDS")
        for section, prose in (("surfaces", True), ("header_surfaces", False)):
            for surface, factor in (spec.get(section) or {}).items():
                key = " ".join(_nfc(str(surface)).lower().split())
                if key in seen:
                    raise _fail("units.yaml", f"{surface!r} names both {seen[key]} and {unit}")
                seen[key] = unit
                out.append(UnitEntry(_nfc(str(surface)), spec["kind"], unit, Decimal(str(factor)), prose))  # 0.001 exact
    return tuple(out)


@dataclass(frozen=True)
class TableVocab:
    """Header words and total labels (table_headers.yaml), with the unit, scale and count words of prose."""

    label_headers: tuple[str, ...]
    stt_headers: tuple[str, ...]
    unit_headers: tuple[str, ...]
    total_labels: tuple[str, ...]
    non_value_headers: tuple[str, ...]
    percent_headers: tuple[str, ...]
    unit_line_keys: tuple[str, ...]
    title_words: tuple[str, ...]
    units: dict[str, UnitEntry]            # lower-case surface -> unit, header-only surfaces included
    scales: dict[str, int]                 # scale words of prose and the header abbreviations ("tr.")
    count_nouns: tuple[str, ...]


def table_key(s: str) -> str:
    """Return the look-up key of a header word: lower-case, NFC, whitespace collapsed, no emphasis stars."""
    return " ".join(_nfc(s).replace("*", " ").lower().split())


@cache
def table_vocabulary() -> TableVocab:
    """Return the vocabulary of table headers (loaded on first use)."""
    data = load("table_headers.yaml")
    scales = load("scales.yaml")
    lists = {k: tuple(table_key(str(x)) for x in data[k]) for k in (
        "label_headers", "stt_headers", "unit_headers", "total_labels", "non_value_headers", "percent_headers",
        "unit_line_keys", "title_words")}
    return TableVocab(
        **lists,
        units={table_key(u.surface): u for u in unit_entries()},
        scales={table_key(k): int(v) for k, v in {**scales["words"], **scales["header_words"]}.items()},
        count_nouns=tuple(table_key(n) for n in load("count_nouns.yaml")),
    )


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
    change_words: tuple[str, ...]
    classifiers: tuple[str, ...]
    generic_labels: tuple[str, ...]
    adjunct_openers: tuple[str, ...]

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
    nums = load("numbers.yaml")
    scales = load("scales.yaml")

    units = tuple(entry for entry in unit_entries() if entry.prose)

    qdata = load("qualifiers.yaml")
    if not isinstance(qdata, dict):
        raise _fail("qualifiers.yaml", "top level must map phrases to qualifiers")
    for phrase, q in qdata.items():
        if q not in QUALIFIERS:
            raise _fail("qualifiers.yaml", f"{phrase!r} -> {q!r} is not one of {QUALIFIERS}")

    nouns = load("count_nouns.yaml")
    if not isinstance(nouns, list) or not all(isinstance(n, str) and n.strip() for n in nouns):
        raise _fail("count_nouns.yaml", "must be a list of non-empty nouns")
    places = load("places.yaml")
    if not isinstance(places, list) or not all(isinstance(p, str) for p in places):
        raise _fail("places.yaml", "must be a list of administrative unit words")

    ddata = load("domains.yaml")
    if not isinstance(ddata, dict):
        raise _fail("domains.yaml", "top level must map domains to lists of cues")
    domains: dict[str, tuple[str, ...]] = {}
    for dom, cues in ddata.items():
        if not isinstance(cues, list) or not all(isinstance(c, str) for c in cues):
            raise _fail("domains.yaml", f"{dom!r} must have a list of cue phrases")
        domains[_nfc(str(dom))] = tuple(_nfc(c) for c in cues)

    nfdata = load("non_figures.yaml")
    if not isinstance(nfdata, dict):
        raise _fail("non_figures.yaml", "top level must map names to regexes")
    non_figures: dict[str, regex.Pattern[str]] = {}
    for nf_name, pattern in nfdata.items():
        try:
            non_figures[str(nf_name)] = regex.compile(_nfc(str(pattern)), regex.IGNORECASE | regex.V0)
        except regex.error as exc:
            raise _fail("non_figures.yaml", f"{nf_name}: bad regex ({exc})") from exc

    pdata = load("plausibility.yaml")
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

    sdata = load("subject.yaml")
    word_lists: dict[str, tuple[str, ...]] = {}
    for key in ("stop_words", "meta_nouns", "lead_words", "trail_words", "measure_heads", "copulas",
                "share_words", "bare_nouns", "change_words", "classifiers", "generic_labels",
                "adjunct_openers"):
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
        change_words=word_lists["change_words"],
        classifiers=word_lists["classifiers"],
        generic_labels=word_lists["generic_labels"],
        adjunct_openers=word_lists["adjunct_openers"],
    )


def alternation(words: list[str] | tuple[str, ...]) -> str:
    """Return a regex alternation of words, longest first, spaces matching any whitespace."""
    parts = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(r"\s+".join(regex.escape(t) for t in w.split()) for w in parts)
