"""parse_number: Vietnamese numbers in digits and words, as named tables (ids show the text)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractors.numbers import parse_number

D = Decimal

# text -> (value, ambiguous, alt_value)
EXAMPLES: list[tuple[str, Decimal, bool, Decimal | None]] = [
    ("0", D(0), False, None),
    ("03", D(3), False, None),
    ("380.000.000", D(380000000), False, None),
    ("31,2", D("31.2"), False, None),
    ("1.234,5", D("1234.5"), False, None),
    ("0,77", D("0.77"), False, None),
    (",77", D("0.77"), False, None),
    ("10.000", D(10000), False, None),               # "000" after a lone dot: never a decimal
    ("14.719", D(14719), True, D("14.719")),          # thousands by convention, decimal by habit
    ("2.740", D(2740), True, D("2.74")),
    ("465.4", D("465.4"), True, None),                # a dot used as decimal mark
    ("1,234.5", D("1234.5"), True, None),             # English separators
    ("1,250", D("1.25"), True, D(1250)),              # a comma before three digits may be English
    ("100K", D(100000), False, None),
    ("100k", D(100000), False, None),
    ("1,2M", D(1200000), False, None),
    (",0012G", D(1200000), False, None),
    ("-1200000", D(-1200000), False, None),
    ("- 1.200.000", D(-1200000), False, None),
    ("âm 1.200.000", D(-1200000), False, None),
    ("không", D(0), False, None),
    ("một", D(1), False, None),
    ("mười", D(10), False, None),
    ("mười bốn", D(14), False, None),
    ("mười lăm", D(15), False, None),
    ("hai mươi", D(20), False, None),
    ("hai chục", D(20), False, None),
    ("hai mươi mốt", D(21), False, None),
    ("hai mươi tư", D(24), False, None),
    ("hai mươi lăm", D(25), False, None),
    ("ba mươi ba", D(33), False, None),
    ("trăm", D(100), False, None),
    ("một trăm linh năm", D(105), False, None),
    ("một trăm lẻ năm", D(105), False, None),
    ("năm nghìn", D(5000), False, None),
    ("năm ngàn", D(5000), False, None),
    ("hai trăm nghìn", D(200000), False, None),
    ("một tỷ", D(1000000000), False, None),
    ("một tỉ", D(1000000000), False, None),
    ("một nghìn tỷ", D(1000000000000), False, None),
    ("hai mươi mốt nghìn không trăm mười một", D(21011), False, None),
    ("bảy trăm hai mươi mốt nghìn không trăm mười hai", D(721012), False, None),
    ("5 nghìn", D(5000), False, None),
    ("2 triệu 500 nghìn", D(2500000), False, None),
    ("1,5 triệu", D(1500000), False, None),
    ("2.740 tỷ", D(2740000000000), True, D(2740000000)),
    ("hai phẩy năm", D("2.5"), False, None),
    ("2 chấm 23", D("2.23"), False, None),
    ("một chấm ba", D("1.3"), False, None),
    ("ba phẩy không năm", D("3.05"), False, None),
    ("+315.25", D("315.25"), True, None),    # an elevation (sonla QTBT 2024, "Cao trình đỉnh đập | m | +319.50")
    ("+5", D(5), False, None),               # a rise
]

NOT_NUMBERS = [
    "", "tư", "mốt", "lăm", "mươi", "chục", "triệu", "hai hai", "mười mười", "1.2.3", "2.1.3.", "abc",
    "một số", "năm học", "trăm trăm", "+", "+ 5", "+abc",
]

BUGS_CAUGHT: list[tuple[str, Decimal]] = [
    ("3M", D(3000000)),      # upper-case M is a million; parse_quantity must not read it as metres
    ("không trăm", D(0)),    # zero hundreds must not default to one hundred
]


@pytest.mark.parametrize(("text", "value", "ambiguous", "alt"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_examples(text: str, value: Decimal, ambiguous: bool, alt: Decimal | None) -> None:
    r = parse_number(text)
    assert r is not None
    assert (r.value, r.ambiguous, r.alt_value) == (value, ambiguous, alt)


@pytest.mark.parametrize("text", NOT_NUMBERS, ids=[t or "<empty>" for t in NOT_NUMBERS])
def test_not_numbers(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(("text", "value"), BUGS_CAUGHT, ids=[b[0] for b in BUGS_CAUGHT])
def test_bugs_caught(text: str, value: Decimal) -> None:
    r = parse_number(text)
    assert r is not None and r.value == value


def test_values_are_exact_decimals() -> None:
    r = parse_number("0,1")
    assert r is not None and r.value == Decimal("0.1") and isinstance(r.value, Decimal)


def test_missing_vocabulary_file_says_what_to_do() -> None:
    from extractors import vocab

    with pytest.raises(vocab.VocabularyError, match="restore it"):
        vocab.load("no-such-file.yaml")


def test_vocabulary_loads_once_and_validates() -> None:
    from extractors.vocab import vocabulary

    v = vocabulary()
    assert v is vocabulary()
    assert v.digits["bảy"] == 7 and v.scale_words["tỷ"] == 10**9
    assert {u.kind for u in v.units} == {"money", "length", "area", "volume", "mass", "labour", "percent"}
