"""Read Vietnamese numbers: '380.000.000', '31,2', '03', 'hai mươi lăm', '2 triệu 500 nghìn', '1,2M'.

The one place numbers are read; tables use it too.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

import regex

from extractors.vocab import alternation, vocabulary


@dataclass(frozen=True)
class NumberReading:
    """A number as read: its value by the Vietnamese convention, and whether the writing is doubtful."""

    value: Decimal
    ambiguous: bool = False          # the separators allow another reading, or break the convention
    alt_value: Decimal | None = None  # the other reading, when there is one
    spelled: bool = False            # written (at least partly) in words
    has_scale: bool = False          # contains a scale word (nghìn, triệu, tỷ)
    last_scale: int = 1              # the trailing scale word's factor ("3 - 5 triệu" spreads it to 3)


_DIGITS_RE = regex.compile(r"(\d*)((?:[.,]\d+)*)([kKMG]?)")


def _dec(s: str) -> Decimal:
    return Decimal(s)


def _parse_digits(s: str) -> NumberReading | None:
    """Read one digit token: dot thousands, comma decimal, with the ways authors break it."""
    m = _DIGITS_RE.fullmatch(s)
    if m is None or not (m.group(1) or m.group(2)):
        return None
    head, tail, suffix = m.group(1), m.group(2), m.group(3)
    seps = regex.findall(r"[.,]", tail)
    groups = regex.findall(r"\d+", tail)
    ambiguous = False
    alt: Decimal | None = None
    try:
        if not seps:
            value = _dec(head)
        elif set(seps) == {","}:
            if len(seps) == 1:
                value = _dec(f"{head or '0'}.{groups[0]}")
                # "1,234" may be an English thousands group; "0,125" and "31,2" may not.
                if len(groups[0]) == 3 and head and head.lstrip("0") and len(head) <= 3:
                    ambiguous, alt = True, _dec(head + groups[0])
            elif head and all(len(g) == 3 for g in groups):
                value, ambiguous = _dec(head + "".join(groups)), True   # "1,234,567": English grouping
            else:
                return None
        elif set(seps) == {"."}:
            if not head:
                return None
            if len(seps) == 1 and len(groups[0]) != 3:
                value, ambiguous = _dec(f"{head}.{groups[0]}"), True   # "465.4": a dot used as decimal mark
            elif len(seps) == 1 and head.strip("0") == "":
                value, ambiguous = _dec(f"0.{groups[0]}"), True        # "0.125"
            elif all(len(g) == 3 for g in groups) and len(head) <= 3:
                value = _dec(head + "".join(groups))
                if len(seps) == 1 and groups[0] != "000":
                    ambiguous, alt = True, _dec(f"{head}.{groups[0]}")  # "14.719": thousands or decimal?
            else:
                return None
        else:
            last_sep = seps[-1]
            body, dec_part = groups[:-1], groups[-1]
            first = seps[0]
            if len(set(seps[:-1])) != 1 or last_sep == first or not all(len(g) == 3 for g in body):
                return None
            if not head or len(head) > 3:
                return None
            if last_sep == ",":
                value = _dec(f"{head}{''.join(body)}.{dec_part}")       # "1.234,5": the convention
            else:
                value, ambiguous = _dec(f"{head}{''.join(body)}.{dec_part}"), True  # "1,234.5": English
    except InvalidOperation:
        return None
    if suffix:
        factor = Decimal(vocabulary().suffixes[suffix])
        value *= factor
        alt = alt * factor if alt is not None else None
    return NumberReading(normalize_decimal(value), ambiguous, normalize_decimal(alt) if alt is not None else None)


def normalize_decimal(d: Decimal) -> Decimal:
    """Drop trailing zeros of decimals but keep integers integral (Decimal('100'), not '1E+2')."""
    if d == d.to_integral_value():
        return d.quantize(Decimal(1))
    return d.normalize()


def _sub_thousand(words: list[str]) -> int | None:
    """Read a spelled group below a thousand: 'bảy trăm hai mươi mốt', 'không trăm mười hai', 'trăm'."""
    v = vocabulary()
    total = 0
    digit: int | None = None
    seen_hundreds = seen_tens = False
    for w in words:
        if w in v.digits:
            if digit is not None:
                return None
            digit = v.digits[w]
        elif w in v.unit_digits:
            if digit is not None or not seen_tens:
                return None
            digit = v.unit_digits[w]
        elif w in v.hundreds:
            if seen_hundreds or seen_tens:
                return None
            total += (1 if digit is None else digit) * 100
            digit, seen_hundreds = None, True
        elif w in v.tens:
            if digit is None or seen_tens:
                return None
            total += digit * 10
            digit, seen_tens = None, True
        elif w in v.teen:
            if digit is not None or seen_tens:
                return None
            total += 10
            seen_tens = True
        elif w in v.zero_tens:
            if not seen_hundreds or seen_tens or digit is not None:
                return None
            seen_tens = True
        else:
            return None
    return total + (digit or 0)


def _fraction(tokens: list[str]) -> str | None:
    """Read the digits after a spoken decimal mark: '23' -> '23', 'không năm' -> '05', 'ba' -> '3'."""
    v = vocabulary()
    if len(tokens) == 1 and tokens[0].isdigit():
        return tokens[0]
    if all(t in v.digits for t in tokens):
        return "".join(str(v.digits[t]) for t in tokens)
    n = _sub_thousand(tokens)
    return None if n is None else str(n)


def _segment(tokens: list[str]) -> NumberReading | None:
    """Read the part of a number between scale words: digits, spelled words, or a spoken decimal."""
    v = vocabulary()
    if not tokens:
        return None
    marks = [i for i, t in enumerate(tokens) if t in v.decimal_marks]
    if marks:
        i = marks[0]
        whole = _segment(tokens[:i])
        frac = _fraction(tokens[i + 1:])
        if whole is None or frac is None or whole.ambiguous or "." in str(whole.value):
            return None
        return NumberReading(normalize_decimal(whole.value + Decimal(f"0.{frac}")), spelled=True)
    if len(tokens) == 1 and regex.match(r"[\d.,]", tokens[0]):
        return _parse_digits(tokens[0])
    n = _sub_thousand(tokens)
    return None if n is None else NumberReading(Decimal(n), spelled=True)


def parse_number(s: str) -> NumberReading | None:
    """Read one Vietnamese number written in digits, words, or both; None if s is not a number."""
    v = vocabulary()
    raw = unicodedata.normalize("NFC", s).replace("\u2212", "-").replace("\u00a0", " ").strip()
    sign = 1
    if raw.startswith("-"):
        sign, raw = -1, raw[1:].lstrip()
    elif raw.startswith("+") and raw[1:2].isdigit():
        raw = raw[1:]                      # "+315.25": an elevation above sea level, "+5": a rise
    parts = raw.split()
    if parts and parts[0].lower() in v.negatives and sign == 1:
        sign, parts = -1, parts[1:]
    # Keep a digit token's upper-case suffix ("3M" is a million, "3m" is not a number).
    tokens = [p if regex.fullmatch(r"[\d.,]+[kKMG]", p) else p.lower() for p in parts]
    if not tokens:
        return None
    total = Decimal(0)
    alt_total: Decimal | None = Decimal(0)
    ambiguous = spelled = has_scale = False
    seg: list[str] = []
    prev_scale: int | None = None
    last_scale = 1

    def close(scale: int) -> bool:
        nonlocal total, alt_total, ambiguous, spelled, prev_scale
        reading = _segment(seg) if seg else None
        if seg and reading is None:
            return False
        if reading is None:
            if total == 0 or prev_scale is None or scale <= prev_scale:
                return False
            total *= scale                       # "một nghìn tỷ": the scale multiplies what came before
            alt_total = alt_total * scale if alt_total is not None else None
        else:
            spelled = spelled or reading.spelled
            ambiguous = ambiguous or reading.ambiguous
            alt_part = reading.alt_value if reading.alt_value is not None else reading.value
            if prev_scale is not None and scale > prev_scale:
                total = (total + reading.value) * scale
                alt_total = (alt_total + alt_part) * scale if alt_total is not None else None
            else:
                total += reading.value * scale
                alt_total = alt_total + alt_part * scale if alt_total is not None else None
        prev_scale = scale
        seg.clear()
        return True

    for t in tokens:
        if t in v.scale_words:
            has_scale = True
            last_scale = v.scale_words[t]
            if not close(last_scale):
                return None
        else:
            seg.append(t)
    if seg:
        last_scale = 1
        if not close(1):
            return None
    if prev_scale is None:
        return None
    alt: Decimal | None = None
    if ambiguous and alt_total is not None and alt_total != total:
        alt = normalize_decimal(alt_total * sign)
    return NumberReading(normalize_decimal(total * sign), ambiguous, alt, spelled, has_scale, last_scale)


@cache
def number_regex_source(prose: bool = True) -> str:
    """Return the VERBOSE regex source matching one number expression (no named groups).

    In prose a spelled number must start with a digit word or mười (so "hàng trăm", "một số" never match);
    parse_number still decides whether the words make a number.
    """
    v = vocabulary()
    words = list(v.number_words)
    starts = list(v.digits) + list(v.teen)
    if not prose:
        starts += list(v.hundreds)
    scale = alternation(list(v.scale_words))
    word = alternation(words)
    start = alternation(starts)
    decimal = alternation(list(v.decimal_marks))
    neg = alternation(list(v.negatives))
    # In prose "04 đơn - 04 vụ việc" and "- 04 vụ việc" (a list item) use a dash: only a glued "-4" is negative.
    minus = r"-(?!\s)" if prose else r"-\s?"
    return rf"""
    (?:(?:{neg})\s+|{minus})?                              # a minus sign or "âm"
    (?:
        (?<![\p{{L}}\p{{N}}.,/])                          # digits not glued to a code, a word or a number
        (?:\d+(?:[.,]\d+)*|[.,]\d+)                       # "380.000.000", "31,2", ",77"
        (?:[kKMG](?![\p{{L}}\p{{N}}]))?                   # "100k", "1,2M" (lower-case m is metres)
        (?![.,]?\d)                                       # the whole digit run, never a prefix of it
      |
        (?<![\p{{L}}\p{{N}}])(?:{start})(?!\p{{L}})       # a spelled number starts with a digit word
        (?:\s+(?:{word}|{scale})(?!\p{{L}})){{0,15}}       # then more number words (bounded: no backtracking blow-up)
    )
    (?:\s+(?:{decimal})\s+                                # a spoken decimal mark: "hai phẩy năm"
        (?:\d+|(?:{word})(?:\s+(?:{word})){{0,6}})(?![\p{{L}}\p{{N}}]))?
    (?:\s+(?:{scale})(?!\p{{L}})                          # scale words after digits: "2 triệu"
        (?:\s+\d+(?![.,]?\d)\s+(?:{scale})(?!\p{{L}})){{0,4}}  # "2 triệu 500 nghìn"
    )?
    """
