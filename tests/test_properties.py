"""Properties: any number written the Vietnamese way, with any unit, comes back exact; offsets are exact."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.figures import extract
from extractors.numbers import parse_number
from extractors.vocab import UnitEntry, vocabulary

ROOT = Path(__file__).resolve().parent.parent
UNITS = [u for u in vocabulary().units if u.surface not in ("$",)]  # "$" goes before numbers as often as after
NOUNS = list(vocabulary().count_nouns)
DIGIT_WORDS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def vietnamese_digits(value: Decimal) -> str:
    """Write value with dot thousands and comma decimals: 1234567.5 -> '1.234.567,5'."""
    sign = "-" if value < 0 else ""
    text = format(abs(value), "f")
    whole, _, frac = text.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + ".".join(groups) + ("," + frac if frac else "")


def _below_thousand(n: int, full: bool) -> list[str]:
    h, rest = divmod(n, 100)
    t, u = divmod(rest, 10)
    words: list[str] = []
    if h or full:
        words += [DIGIT_WORDS[h], "trăm"]
    if t == 0:
        if u:
            words += (["linh"] if words else []) + [DIGIT_WORDS[u]]
    elif t == 1:
        words += ["mười"] + ([{5: "lăm"}.get(u, DIGIT_WORDS[u])] if u else [])
    else:
        words += [DIGIT_WORDS[t], "mươi"] + ([{1: "mốt", 5: "lăm"}.get(u, DIGIT_WORDS[u])] if u else [])
    return words


def spell(n: int) -> str:
    """Spell n (< 10^12) the standard way: 721012 -> 'bảy trăm hai mươi mốt nghìn không trăm mười hai'."""
    if n == 0:
        return "không"
    words: list[str] = []
    for scale, name in ((10**9, "tỷ"), (10**6, "triệu"), (10**3, "nghìn"), (1, "")):
        group, n = divmod(n, scale)
        if group:
            words += _below_thousand(group, full=bool(words))
            if name:
                words.append(name)
    return " ".join(words)


integers = st.integers(min_value=0, max_value=10**13)
decimals = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10**9), places=3, allow_nan=False,
                       allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(n=st.one_of(integers, decimals))
def test_digits_read_back_exact(n: Decimal | int) -> None:
    value = Decimal(n)
    written = vietnamese_digits(value)
    r = parse_number(written)
    assert r is not None
    assert r.value == value, (written, r)
    lone_group = len(written.replace(",", ".").split(".")) == 2 and len(written.replace(",", ".").split(".")[1]) == 3
    if not lone_group:
        assert not r.ambiguous, (written, r)    # only "14.719" / "1,250" can be read two ways


@settings(max_examples=300, deadline=None)
@given(n=st.integers(min_value=0, max_value=10**12 - 1))
def test_spelled_numbers_read_back_exact(n: int) -> None:
    r = parse_number(spell(n))
    assert r is not None and r.value == n, (spell(n), r)


@settings(max_examples=300, deadline=None)
@given(n=st.one_of(integers, decimals), unit=st.sampled_from(UNITS), lead=st.sampled_from(["Đạt ", "có ", "là "]))
def test_any_unit_comes_back_exact(n: Decimal | int, unit: UnitEntry, lead: str) -> None:
    value = Decimal(n)
    text = f"{lead}{vietnamese_digits(value)} {unit.surface} trong năm."
    figures = extract(text)
    assert len(figures) == 1, (text, figures)
    f = figures[0]
    assert text[f.char_start:f.char_end] == f.raw
    assert (f.kind, f.unit) == (unit.kind, unit.unit)
    expected = value * unit.factor
    # An ambiguous lone dot group may come back as its plausible reading, but then flagged, the other kept.
    assert f.value == expected or ("ambiguous_separator" in f.flags and f.alt_value == expected), (text, f)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(min_value=1, max_value=10**7), noun=st.sampled_from(NOUNS))
def test_counts_come_back_exact(n: int, noun: str) -> None:
    text = f"Toàn huyện có {vietnamese_digits(Decimal(n))} {noun}."
    figures = extract(text)
    assert [(f.kind, f.value) for f in figures] == [("count", n)], text
    assert all(text[f.char_start:f.char_end] == f.raw for f in figures)


CORPUS = sorted([*ROOT.glob("corpus/public/*.md"), *ROOT.glob("corpus/public/*.txt"), *ROOT.glob("corpus/seed/*.md")])


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_offsets_exact_on_every_corpus_text(path: Path) -> None:
    text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8", errors="replace"))
    for f in extract(text):
        assert text[f.char_start:f.char_end] == f.raw
        assert f.kind and f.unit and (f.value is not None or (f.min is not None and f.max is not None))


PIECES = ["1", "03", "2.740", "14,9", ".", ",", "-", "/", " ", "\n", "\n\n", "tỷ", "triệu", "nghìn", "đồng", "km",
          "m", "m²", "ha", "%", "tấn", "mô hình", "xã", "hơn", "từ", "đến", "trong đó", "“", "”", "năm", "hai",
          "mươi", "lăm", "một", "trăm", "linh", "phẩy", "Covid-19", "ngày", "số", "(", ")", ";", "KH", "¹"]


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.sampled_from(PIECES), max_size=40))
def test_any_text_extracts_without_error_and_offsets_hold(parts: list[str]) -> None:
    text = "".join(parts)
    for f in extract(text):
        assert text[f.char_start:f.char_end] == f.raw
        assert f.value is not None or f.min is not None


def test_pathological_inputs_stay_fast() -> None:
    import time

    for text in ["1 " * 20000, "một " * 10000, "1.1." * 10000, "hơn " * 10000 + "5 hộ", "9" * 50000]:
        t0 = time.perf_counter()
        extract(text)
        # Not a speed assertion (that is bench/bench_extract.py): a guard against catastrophic backtracking.
        assert time.perf_counter() - t0 < 30, text[:20]
