"""Regression test named after the document that taught it: the Bình Sơn 2021 "Dân vận khéo" report.

Scoring: a predicted figure matches a gold figure when kind, unit and value agree (for the two figures the
gold marks ambiguous, either reading counts, as the gold note says). Each gold figure matches at most once.

Subject rule: a matched figure's subject is correct when at least half of the gold subject's syllables
(lower-cased, punctuation dropped) appear among the predicted subject's syllables, or when the predicted
subject is contained in the gold subject (a shorter, still right, noun: "mô hình" for "mô hình").
"""

from __future__ import annotations

import json
import re
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import regex

from extractors.figures import extract
from extractors.model import Figure

ROOT = Path(__file__).resolve().parent.parent
SEED_MD = ROOT / "corpus" / "seed" / "binhson-2021-dan-van-kheo.md"
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def reduce_markdown(md: str) -> str:
    """Turn <sup>2</sup> after m into ², footnote <sup>n</sup> into a superscript digit, drop emphasis and '#'."""
    text = unicodedata.normalize("NFC", md)
    text = re.sub(r"(?<=m)\s*<sup>([23])</sup>", lambda m: m.group(1).translate(SUPERSCRIPT), text)
    text = re.sub(r"<sup>(\d+)</sup>", lambda m: m.group(1).translate(SUPERSCRIPT), text)
    text = text.replace("\\*", "")
    text = re.sub(r"\*+", "", text)
    text = re.sub(r"(?m)^#+\s*", "", text)
    return text


def seed_text() -> str:
    """Return the seed report as normalized plain text."""
    return reduce_markdown(SEED_MD.read_text(encoding="utf-8"))

GOLD = ROOT / "corpus" / "gold" / "binhson-2021-dan-van-kheo.json"
F1_FLOOR = 0.97
SUBJECT_FLOOR = 0.90


def _gold() -> dict[str, Any]:
    return json.loads(GOLD.read_text(encoding="utf-8"))


def _syllables(s: str) -> list[str]:
    return regex.sub(r"[^\p{L}\p{N}]+", " ", s.lower()).split()


def subject_correct(pred: str | None, gold: str) -> bool:
    """Apply the subject rule of this module's docstring."""
    if not pred:
        return False
    p, g = _syllables(pred), _syllables(gold)
    if " ".join(p) in " ".join(g):
        return True
    return sum(1 for s in g if s in p) * 2 >= len(g)


def _values(g: dict[str, Any]) -> set[Decimal]:
    vals = {Decimal(str(g["value"]))}
    if "alt_value" in g:
        vals.add(Decimal(str(g["alt_value"])))
    return vals


def match(figures: list[Figure], gold: list[dict[str, Any]]) -> list[tuple[dict[str, Any], Figure]]:
    """Pair gold figures with predicted ones by kind, unit and value, in text order."""
    used: set[int] = set()
    pairs: list[tuple[dict[str, Any], Figure]] = []
    for g in gold:
        for i, f in enumerate(figures):
            if i in used or f.kind != g["kind"] or f.unit != g["unit"] or f.value not in _values(g):
                continue
            if g["kind"] == "ratio" and f.denominator != Decimal(str(g["denominator"])):
                continue
            used.add(i)
            pairs.append((g, f))
            break
    return pairs


@pytest.fixture(scope="module")
def seed() -> tuple[str, list[Figure], dict[str, Any]]:
    text = seed_text()
    return text, extract(text), _gold()


def test_seed_f1(seed: tuple[str, list[Figure], dict[str, Any]]) -> None:
    _, figures, gold = seed
    pairs = match(figures, gold["figures"])
    precision = len(pairs) / len(figures)
    recall = len(pairs) / len(gold["figures"])
    f1 = 2 * precision * recall / (precision + recall)
    missed = [g["surface"] for g in gold["figures"] if all(g is not p[0] for p in pairs)]
    extra = [f.raw for f in figures if all(f is not p[1] for p in pairs)]
    assert f1 >= F1_FLOOR, f"P={precision:.3f} R={recall:.3f} F1={f1:.3f}; missed {missed}; extra {extra}"


def test_seed_subjects(seed: tuple[str, list[Figure], dict[str, Any]]) -> None:
    _, figures, gold = seed
    pairs = match(figures, gold["figures"])
    wrong = [(g["surface"], g["subject"], f.subject) for g, f in pairs if not subject_correct(f.subject, g["subject"])]
    accuracy = 1 - len(wrong) / len(pairs)
    assert accuracy >= SUBJECT_FLOOR, f"subject accuracy {accuracy:.3f}; wrong: {wrong}"


def test_seed_ambiguous_figures_flagged(seed: tuple[str, list[Figure], dict[str, Any]]) -> None:
    _, figures, gold = seed
    for g, f in match(figures, gold["figures"]):
        if "must_flag" in g:
            assert g["must_flag"] in f.flags, (g["surface"], f)
            assert {f.value, f.alt_value} == _values(g), (g["surface"], f)


def test_seed_places_domains_footnotes(seed: tuple[str, list[Figure], dict[str, Any]]) -> None:
    _, figures, gold = seed
    for g, f in match(figures, gold["figures"]):
        if "place" in g:
            assert f.place == g["place"], (g["surface"], f.place)
        if "domain" in g:
            assert f.domain == g["domain"], (g["surface"], f.domain)
        assert ("in_footnote" in f.flags) == ("in_footnote" in g), (g["surface"], f.flags)


def test_seed_parts_link_to_totals(seed: tuple[str, list[Figure], dict[str, Any]]) -> None:
    _, figures, gold = seed
    by_id = {g["id"]: f for g, f in match(figures, gold["figures"])}
    index = {id(f): i for i, f in enumerate(figures)}
    for c in gold["consistency"]:
        if c.get("relation") == "part_of" or c["parts"] == [3, 4, 5, 6]:
            for part in c["parts"]:
                assert by_id[part].part_of == index[id(by_id[c["total"]])], (c, by_id[part])
    assert not any("sum_mismatch" in f.flags for f in figures)


NOT_FIGURE_SURFACES = [
    "374-BC/HU", "324-CV/BDVTU", "08/11/2021", "16/3/2021", "2021-2025", "2020-2025", "31-KH/TU",
    "25-NQ/TW", "16/CT-TTg", "Quốc lộ 1", "Covid-19", "Covid -19", "Khu dân cư 6 không", "Hộ tộc 3 không",
    "Hộ tộc 4 không", "02 phòng, 04 giữ", "03 không, 02 phòng", "04 không", "3 không, 3 giảm",
    "con thứ 3", "Trung ương 4", "Kế hoạch số 31", "năm 2021",
]


@pytest.mark.parametrize("surface", NOT_FIGURE_SURFACES)
def test_seed_non_figures_not_extracted(seed: tuple[str, list[Figure], dict[str, Any]], surface: str) -> None:
    text, figures, _ = seed
    spans = [(m.start(), m.end()) for m in regex.finditer(regex.escape(surface), text)]
    assert spans, f"{surface!r} is not in the seed text"
    for s, e in spans:
        assert not any(f.char_start < e and s < f.char_end for f in figures), surface


def test_seed_offsets_are_exact(seed: tuple[str, list[Figure], dict[str, Any]]) -> None:
    text, figures, _ = seed
    for f in figures:
        assert text[f.char_start:f.char_end] == f.raw
        assert f.sentence and f.raw in f.sentence
