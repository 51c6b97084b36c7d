"""The vocabulary files: one schema for all (checked on load), every entry commented, one reading of units.

A unit read in a table header ("Nghìn yến", "Tiền (Tr.đ)") and the same unit after a number in prose
("5 nghìn yến", "5 tr.đ") must agree on kind, unit and factor: both read units.yaml and scales.yaml.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

import extractors.vocab as vocab
from core.errors import VocabularyError
from extractors.quantity import find_measures, parse_quantity
from extractors.units import parse_unit

FILES = sorted(p.name for p in vocab.DATA_DIR.glob("*.yaml"))


@pytest.mark.parametrize("name", FILES)
def test_every_file_has_a_schema_and_follows_it(name: str) -> None:
    assert name in vocab.SCHEMA
    vocab.load(name)


def test_every_schema_names_a_file() -> None:
    assert set(vocab.SCHEMA) == set(FILES)


COMMENTED = ("units.yaml", "scales.yaml", "count_nouns.yaml", "table_headers.yaml", "qualifiers.yaml")


@pytest.mark.parametrize("name", COMMENTED)
def test_every_entry_has_a_comment(name: str) -> None:
    for n, line in enumerate((vocab.DATA_DIR / name).read_text(encoding="utf-8").splitlines(), 1):
        entry = re.match(r"\s*- \S", line) or re.match(r"\s+[^\s#][^:]*:\s*\S", line)
        if entry and not re.match(r"\s*(kind|surfaces|header_surfaces):", line):
            assert "#" in line, f"{name}:{n} has no comment: {line.strip()}"


BROKEN = [
    ("units.yaml", "VND:\n  kind: money\n  surfaces: {đồng: one}\n", "must be a number"),
    ("units.yaml", "VND:\n  kind: money\n", "'surfaces' is missing"),
    ("units.yaml", "dong:\n  kind: money\n  surfaces: {đồng: 1}\n", "is not one of UNITS"),
    ("units.yaml", "VND:\n  kind: money\n  surfaces: {đồng: 1}\nUSD:\n  kind: money\n  surfaces: {Đồng: 1}\n",
     "names both VND and USD"),
    ("table_headers.yaml", "label_headers: [chỉ tiêu]\n", "'stt_headers' is missing"),
    ("scales.yaml", "words: {nghìn: 1000}\nextra: 1\n", "'header_words' is missing"),
    ("doc_types.yaml", "types: [{name: Công văn}]\nbody_starts: [Căn cứ]\n", "types[0]: 'title' is missing"),
    ("admin_units.yaml", "provinces: [{name: Huế, kind: thanh_pho, needs_level: 1}]\nlevels: {province: [tỉnh]}\n",
     "must be true or false"),
    ("plausibility.yaml", "- {unit: km, max: many}\n", "must be a number"),
]


@pytest.mark.parametrize(("name", "text", "error"), BROKEN, ids=[f"{n}: {e}" for n, _, e in BROKEN])
def test_broken_file_names_the_problem(name: str, text: str, error: str, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(vocab, "DATA_DIR", tmp_path)
    vocab.unit_entries.cache_clear()
    try:
        with pytest.raises(VocabularyError, match=re.escape(error)):
            vocab.load(name)
            vocab.unit_entries()
    finally:
        vocab.unit_entries.cache_clear()


def test_scales_and_count_nouns_are_not_repeated_in_table_headers() -> None:
    headers = vocab.load("table_headers.yaml")
    assert not {"scales", "units", "count_nouns"} & set(headers)


# header text, prose text (a number before the unit), kind, unit, factor (value of the prose number 1)
AGREE = [
    ("Triệu đồng", "1 triệu đồng", "money", "VND", 1_000_000),
    ("Tỷ đồng", "1 tỷ đồng", "money", "VND", 1_000_000_000),
    ("Nghìn đồng", "1 nghìn đồng", "money", "VND", 1000),
    ("Tr.đồng", "1 tr.đồng", "money", "VND", 1_000_000),
    ("Tr.đ", "1 tr.đ", "money", "VND", 1_000_000),
    ("Trđ", "1 trđ", "money", "VND", 1_000_000),
    ("Triệu USD", "1 triệu USD", "money", "USD", 1_000_000),
    ("Nghìn yến", "1 nghìn yến", "mass", "kg", 10_000),
    ("Yến", "1 yến", "mass", "kg", 10),
    ("Mét vuông", "1 mét vuông", "area", "m2", 1),
    ("Cây số", "1 cây số", "length", "km", 1),
    ("Nghìn tấn", "1 nghìn tấn", "mass", "t", 1000),
    ("Héc ta", "1 héc ta", "area", "ha", 1),
    ("m³", "1 m³", "volume", "m3", 1),
    ("ngày công", "1 ngày công", "labour", "person_day", 1),
    ("%", "1%", "percent", "percent", 1),
]


@pytest.mark.parametrize(("header", "prose", "kind", "unit", "factor"), AGREE, ids=[a[0] for a in AGREE])
def test_header_and_prose_read_a_unit_alike(header: str, prose: str, kind: str, unit: str, factor: int) -> None:
    spec = parse_unit(header)
    assert spec is not None and (spec.kind, spec.unit, spec.factor) == (kind, unit, factor)
    q = parse_quantity(prose)
    assert q is not None and (q.kind, q.unit, q.value) == (kind, unit, Decimal(factor))


def test_every_prose_unit_reads_alike_in_a_header() -> None:
    for entry in vocab.unit_entries():
        spec = parse_unit(entry.surface)
        assert spec is not None, entry.surface
        assert (spec.kind, spec.unit, Decimal(spec.factor)) == (entry.kind, entry.unit, entry.factor), entry.surface
        if entry.prose and entry.surface not in ("M",):
            figs = [f for f in find_measures(f"có 2 {entry.surface} ở đây") if f.raw.startswith("2")]
            assert figs and (figs[0].kind, figs[0].unit, figs[0].value) == (
                entry.kind, entry.unit, 2 * entry.factor), entry.surface


# issue 8: the spellings of header units seen in reports
HEADER_SPELLINGS = [
    ("Tiền (Tr.đ)", "money", "VND", 1_000_000),
    ("(Trđ)", "money", "VND", 1_000_000),
    ("Tr.đồng", "money", "VND", 1_000_000),
    ("Nghìn đồng", "money", "VND", 1000),
    ("1.000 tấn", "mass", "t", 1000),
    ("Triệu USD", "money", "USD", 1_000_000),
    ("Tỷ lệ (%)", "percent", "percent", 1),
    ("Ngh. tấn", "mass", "t", 1000),
]


@pytest.mark.parametrize(("header", "kind", "unit", "factor"), HEADER_SPELLINGS, ids=[h[0] for h in HEADER_SPELLINGS])
def test_header_unit_spellings(header: str, kind: str, unit: str, factor: int) -> None:
    from extractors.table import _column_unit

    spec = _column_unit([header])[0] if "(" in header else parse_unit(header)   # a column header, else a ĐVT cell
    assert spec is not None and (spec.kind, spec.unit, spec.factor) == (kind, unit, factor)
