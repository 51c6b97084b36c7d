"""Reporting periods ("tháng 5/2019", "Quý II/2019", "năm 2021", "giai đoạn 2026–2030") and plan versus actual."""

from __future__ import annotations

import calendar
import datetime as dt
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

import regex

from extractors.vocab import load

#: How far left of a figure (characters) its sentence may name its period or say plan/actual.
PERIOD_WINDOW = 150
MEASURE_WINDOW = 32


@dataclass(frozen=True)
class Period:
    """A span of time a report or a figure covers."""

    label: str
    start: dt.date
    end: dt.date


def _year(y: int) -> Period:
    return Period(f"năm {y}", dt.date(y, 1, 1), dt.date(y, 12, 31))


def _months(y: int, m1: int, m2: int) -> tuple[dt.date, dt.date]:
    return dt.date(y, m1, 1), dt.date(y, m2, calendar.monthrange(y, m2)[1])


def _words(items: list[str]) -> str:
    # Longest first so that "ước thực hiện" wins over "thực hiện" and "ước th" over "th".
    return "|".join(regex.escape(w) for w in sorted(items, key=len, reverse=True))


@cache
def _vocab() -> dict[str, Any]:
    data = load("periods.yaml")
    return {k: v for k, v in data.items()}


@cache
def _period_re() -> regex.Pattern[str]:
    v = _vocab()
    parts = _words(list(v["year_parts"]))
    quarters = _words([str(q) for q in v["quarters"]])
    ranges = _words(v["range_words"])
    return regex.compile(
        rf"""
        (?<!\p{{L}})
        (?:
            (?P<part>{parts})\s*(?P<py>(?:19|20)\d\d)              # "6 tháng đầu năm 2019"
          | quý\s+(?P<q>{quarters})(?![\p{{L}}\d])\s*(?:/|-|năm)\s*(?P<qy>(?:19|20)\d\d)  # "Quý II/2019"
          | (?<!ngày\s+\d{{1,2}}\s+)                               # not the month of a date "ngày 6 tháng 5 năm 2019"
            tháng\s+(?P<m>1[0-2]|0?[1-9])\s*(?:/|-|năm)\s*(?P<my>(?:19|20)\d\d)  # "tháng 5/2019"
          | (?:(?P<rw>{ranges})\s*|năm\s+)?(?P<r1>(?:19|20)\d\d)\s*[-–—]\s*(?P<r2>(?:19|20)\d\d)  # "giai đoạn 2026-2030"
          | (?<!tháng\s+\d{{1,2}}\s+)                             # not the year of a date "ngày 6 tháng 5 năm 2019"
            năm\s+(?P<y>(?:19|20)\d\d)                             # "năm 2021"
        )
        (?!\d)                                                     # a whole year, not the start of a number
        """,
        regex.VERBOSE | regex.IGNORECASE,
    )


@cache
def _bare_year_re() -> regex.Pattern[str]:
    return regex.compile(
        r"""
        (?<![\d/.,])          # not inside a date or a number
        (?P<y>(?:19|20)\d\d)  # a year on its own, as in table headers "KH 2019", "TH 2018"
        (?![\d/.,]\d)         # nor followed by more digits
        """,
        regex.VERBOSE,
    )


@cache
def _cue_re(name: str) -> regex.Pattern[str]:
    return regex.compile(
        rf"""
        (?<!\p{{L}})              # a whole word
        (?:{_words(_vocab()[name])})
        (?!\p{{L}})               # not the start of a longer word
        """,
        regex.VERBOSE | regex.IGNORECASE,
    )


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def _from_match(m: regex.Match[str]) -> Period | None:
    v = _vocab()
    if m["part"]:
        y = int(m["py"])
        key = next(k for k in v["year_parts"] if k.lower() == " ".join(m["part"].lower().split()))
        m1, m2 = v["year_parts"][key]
        start, end = _months(y, m1, m2)
        months = m2 - m1 + 1
        half = "đầu" if m1 == 1 else "cuối"
        return Period(f"{months} tháng {half} năm {y}", start, end)
    if m["q"]:
        y, q = int(m["qy"]), int(v["quarters"][m["q"].upper() if m["q"].isalpha() else m["q"]])
        start, end = _months(y, 3 * q - 2, 3 * q)
        roman = ["I", "II", "III", "IV"][q - 1]
        return Period(f"Quý {roman}/{y}", start, end)
    if m["m"]:
        y, mo = int(m["my"]), int(m["m"])
        start, end = _months(y, mo, mo)
        return Period(f"tháng {mo}/{y}", start, end)
    if m["r1"]:
        a, b = int(m["r1"]), int(m["r2"])
        if not a < b <= a + 30:
            return None
        word = (m["rw"] or "giai đoạn").lower()
        return Period(f"{word} {a}–{b}", dt.date(a, 1, 1), dt.date(b, 12, 31))
    return _year(int(m["y"]))


def find_periods(text: str) -> list[tuple[int, int, Period]]:
    """Return every period named in text with its offsets, left to right."""
    out = []
    for m in _period_re().finditer(_nfc(text)):
        p = _from_match(m)
        if p is not None:
            out.append((m.start(), m.end(), p))
    return out


def parse_period(text: str | None, *, bare_year: bool = False) -> Period | None:
    """Return the first period text names; with bare_year a lone year counts ("KH 2019" -> năm 2019)."""
    if not text:
        return None
    found = find_periods(text)
    if found:
        return found[0][2]
    if bare_year:
        m = _bare_year_re().search(text)
        if m:
            return _year(int(m["y"]))
    return None


def document_period(title: str | None, head: str | None = None) -> Period | None:
    """Return the period a report covers, from its title, else from the first lines of its text."""
    return parse_period(title) or parse_period((head or "")[:1500])


def previous_year(p: Period) -> Period:
    """Return the same period one year earlier ("cùng kỳ")."""
    start = p.start.replace(year=p.start.year - 1)
    end = p.end.replace(year=p.end.year - 1, day=calendar.monthrange(p.end.year - 1, p.end.month)[1])
    label = regex.sub(r"(?:19|20)\d\d", lambda m: str(int(m[0]) - 1), p.label)
    return Period(label, start, end)


def _left(sentence_left: str, window: int, stops: str) -> str:
    tail = sentence_left[-window:]
    cut = max(tail.rfind(c) for c in stops)
    return tail[cut + 1:] if cut >= 0 else tail


def figure_period(column: str | None, left: str | None, doc: Period | None) -> Period | None:
    """Return the period a figure is about: its column's, else one its sentence names just before it, else doc."""
    p = parse_period(column, bare_year=True)
    if p is not None:
        return p
    if left:
        near = _left(_nfc(left), PERIOD_WINDOW, ".;\n")
        best: tuple[int, Period] | None = None
        for s, _e, q in find_periods(near):
            best = (s, q)
        prev = list(_cue_re("previous_year").finditer(near))
        if prev and doc is not None and (best is None or prev[-1].start() > best[0]):
            return previous_year(doc)
        if best is not None:
            return best[1]
    return doc


def _last_cue(text: str) -> tuple[int, str] | None:
    found: list[tuple[int, str]] = []
    for name in ("plan", "actual"):
        found += [(m.start(), name) for m in _cue_re(name).finditer(text)]
    return max(found) if found else None


def _first_cue(text: str) -> str | None:
    found: list[tuple[int, str]] = []
    for name in ("plan", "actual"):
        found += [(m.start(), name) for m in _cue_re(name).finditer(text)]
    return min(found)[1] if found else None


def measure(column: str | None, row: str | None = None, left: str | None = None) -> str | None:
    """Return 'plan' (kế hoạch, chỉ tiêu, dự toán, KH), 'actual' (thực hiện, ước TH) or None."""
    for label in (column, row):
        if label:
            cue = _first_cue(_nfc(label))
            if cue:
                return cue
    if left:
        last = _last_cue(_left(_nfc(left), MEASURE_WINDOW, ",;.:\n("))
        if last:
            return last[1]
    return None
