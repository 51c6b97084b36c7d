"""The quantity grammar: a number (or range) with its qualifier, unit and rate; and parse_quantity()."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from functools import cache

import regex

from extractors.model import Figure, Quantity
from extractors.numbers import NumberReading, normalize_decimal, number_regex_source, parse_number
from extractors.vocab import UnitEntry, alternation, vocabulary

#: What may not follow a unit or a counted noun: a letter, a digit, or a superscript (m², m³).
UNIT_END = r"(?![\p{L}\p{N}²³])"
_BLANK_LINE = regex.compile(r"\n[ \t]*\n")


def _at_line_start(text: str, pos: int) -> bool:
    """Say whether only blanks, table bars or emphasis stars precede pos on its line."""
    line_start = text.rfind("\n", 0, pos) + 1
    return not text[line_start:pos].strip(" \t|*")


MEASURE_KINDS = ("money", "length", "area", "volume", "mass", "labour", "percent")


def _key(s: str) -> str:
    return " ".join(unicodedata.normalize("NFC", s).lower().split())


@cache
def unit_table(kind: str) -> dict[str, UnitEntry]:
    """Return the unit surface forms of one kind, keyed by lower-case surface."""
    return {_key(u.surface): u for u in vocabulary().units if u.kind == kind}


@cache
def qualifier_source() -> str:
    """Return the regex alternation of qualifier phrases."""
    return alternation(list(vocabulary().qualifiers))


def _range_and_qualifier(num: str) -> str:
    """Return the regex head shared by measures and counts: qualifier, range opener, first bound."""
    return rf"""
    (?:(?<![\p{{L}}\p{{N}}])(?P<qual>(?i:{qualifier_source()}))\s+)?  # hơn, trên, dưới, gần, khoảng ...
    (?:(?<![\p{{L}}\p{{N}}])                              # a whole word, never "ước" inside "nước"
       (?:(?P<giua>(?i:giữa))|(?P<tu>(?i:từ)))\s+)?       # range opener: "giữa ... và", "từ ... đến"
    (?P<n1>{num})                                         # the number, or the range's first bound
    """


@cache
def measure_regex(kinds: tuple[str, ...], prose: bool = True) -> regex.Pattern[str]:
    """Return the compiled pattern for measured kinds and counts: one pass finds them all."""
    num = number_regex_source(prose)
    unit_words = [u for kind in kinds for u in unit_table(kind)]
    units = alternation(unit_words) if unit_words else r"(?!)"
    implied = ""
    if "money" in kinds:
        scales = alternation(list(vocabulary().implies_money))   # "hơn 2 tỷ.": đồng implied
        misread = alternation(list(vocabulary().misread_money))
        implied = rf"""
        | (?<=(?i:{scales}))(?=\s*(?:[.,;:)\]]|$))        # "hơn 2 tỷ." : đồng implied by tỷ/triệu
        | (?<=(?i:{scales}))\s*(?i:{misread}){UNIT_END}   # "4.512,3 tỷ đông": OCR's đồng, only after a scale
        """
    nouns = r"(?!)"
    if "count" in kinds:
        nouns = alternation(list(vocabulary().count_nouns))
    unit_end = rf"(?:KH(?![\p{{L}}\p{{N}}])|{UNIT_END})" if "percent" in kinds else UNIT_END
    source = rf"""
    {_range_and_qualifier(num)}
    (?:
        (?:\s*(?P<u1>(?i:{units})){UNIT_END})?            # unit after the first bound: "từ 1000 đồng đến ..."
        \s*(?(giua)(?i:và)|(?:-|–|(?i:đến|tới)))\s*       # range separator ("và" only after "giữa")
        (?:(?i:{qualifier_source()})\s+)?                 # an exclusive bound: "từ 95- dưới 100%"
        (?P<n2>{num})                                     # the range's second bound
    )?
    (?:\s*(?P<unit>(?i:{units})){unit_end}                # the unit, never inside a word ("%KH" allowed)
       {implied}
     | \s+(?P<noun>(?i:{nouns})){UNIT_END}                # or the counted noun: "86 mô hình"
    )
    (?P<per>(?:\s?/\s?                                  # a rate: "đồng/kg", "triệu đồng/người/năm"
        (?:\p{{Ll}}[\p{{L}}\p{{N}}²³]*|\p{{Lu}}{{2,}}(?!\p{{L}})))+)?  # a word, or an acronym ("HTX"), not a name
    (?:\s+(?P<trail>(?i:trở\s+lên|trở\s+xuống)))?         # "từ 7000 đồng trở xuống"
    """
    return regex.compile(source, regex.VERBOSE | regex.V1)


@cache
def ratio_regex() -> regex.Pattern[str]:
    """Return the compiled pattern for ratios: '16/21 xã', '07/07 phòng'."""
    nouns = alternation(list(vocabulary().count_nouns))
    source = rf"""
    (?<![\p{{L}}\p{{N}}.,/])                              # not inside a code or a date
    (?P<a>\d{{1,6}})\s*/\s*(?P<b>\d{{1,6}})               # part / whole
    (?![\p{{N}}/.,]\d|/)                                  # not a date "08/11/2021"
    \s+(?P<noun>(?i:{nouns})){UNIT_END}                   # what both count
    """
    return regex.compile(source, regex.VERBOSE | regex.V1)


@cache
def measured_ratio_regex() -> regex.Pattern[str]:
    """Return the pattern for achieved/planned pairs in one unit: '62.372/52.786 ha', '88,5/90%'."""
    units = alternation([u for kind in MEASURE_KINDS for u in unit_table(kind)])
    nouns = alternation(list(vocabulary().count_nouns))
    scale = alternation(list(vocabulary().scale_words))
    source = rf"""
    (?<![\p{{L}}\p{{N}}.,/])                              # not inside a code or a date
    (?P<a>\d+(?:[.,]\d+)*)\s*/\s*(?P<b>\d+(?:[.,]\d+)*)   # achieved / planned, Vietnamese separators
    (?![.,]?\d|/)                                         # not a date "08/11/2021"
    (?:\s*(?P<scale>(?i:{scale}))(?!\p{{L}}))?            # a scale word for both: "80,755/80,2 ngàn con"
    (?:\s*(?P<unit>(?i:{units})){UNIT_END}                # the unit of both numbers: "ha", "triệu đồng", "%"
     | \s+(?P<noun>(?i:{nouns})){UNIT_END}                # or what both count, after a scale word
    )
    """
    return regex.compile(source, regex.VERBOSE | regex.V1)


def find_measured_ratios(text: str) -> list[Figure]:
    """Find achieved/planned pairs with a unit: '62.372/52.786 ha' -> value 62372, denominator 52786, ha."""
    out: list[Figure] = []
    table = {k: u for kind in MEASURE_KINDS for k, u in unit_table(kind).items()}
    scales = vocabulary().scale_words
    for m in measured_ratio_regex().finditer(text):
        if m.group("noun") and not m.group("scale"):
            continue                            # "16/21 xã" is find_ratios' plain count ratio
        ra, rb = parse_number(m.group("a")), parse_number(m.group("b"))
        if ra is None or rb is None or rb.value == 0:
            continue
        factor = Decimal(scales[_key(m.group("scale"))]) if m.group("scale") else Decimal(1)
        unit = "count"
        if m.group("unit"):
            entry = table[_key(m.group("unit"))]
            unit, factor = entry.unit, factor * entry.factor
        fig = Figure(kind="ratio", value=normalize_decimal(ra.value * factor), unit=unit,
                     denominator=normalize_decimal(rb.value * factor), raw=m.group(0),
                     char_start=m.start(), char_end=m.end(), subject=m.group("noun"))
        # A broken convention ("465.4") is doubtful; a thousands group ("62.372") reads the Vietnamese way.
        fig.ambiguous = any(r.ambiguous and r.alt_value is None for r in (ra, rb))
        out.append(fig)
    return out


def _prose_number_ok(text: str, reading: NumberReading, refused: frozenset[str]) -> bool:
    """Refuse lone words that are numbers only in name ("một" = a, "năm" = year; numbers.yaml says which)."""
    return not (reading.spelled and _key(text) in refused)


def _bounds(m: regex.Match[str], prose: bool,
            refused: frozenset[str] = frozenset()) -> tuple[NumberReading, NumberReading | None] | None:
    r1 = parse_number(m.group("n1"))
    if r1 is None or (prose and not _prose_number_ok(m.group("n1"), r1, refused)):
        return None
    r2: NumberReading | None = None
    if m.group("n2"):
        r2 = parse_number(m.group("n2"))
        if r2 is None:
            return None
    return r1, r2


def _qualifier(m: regex.Match[str]) -> str | None:
    q = m.group("qual")
    trail = m.groupdict().get("trail")
    if trail:
        return "at_least" if "lên" in trail.lower() else "at_most"
    return vocabulary().qualifiers.get(_key(q)) if q else None


def _build(kind: str, unit: str, factor: Decimal, r1: NumberReading, r2: NumberReading | None,
           m: regex.Match[str], per: str | None) -> Figure:
    fig = Figure(kind=kind, value=None, unit=unit, raw=m.group(0), char_start=m.start(), char_end=m.end(),
                 per=per, qualifier=_qualifier(m))
    if r2 is not None:
        v1 = r1.value
        if not r1.has_scale and r2.has_scale:
            v1 = v1 * r2.last_scale            # "3 - 5 triệu": the scale belongs to both bounds
        fig.min, fig.max = normalize_decimal(v1 * factor), normalize_decimal(r2.value * factor)
        fig.ambiguous = r1.ambiguous or r2.ambiguous
    else:
        fig.value = normalize_decimal(r1.value * factor)
        fig.ambiguous = r1.ambiguous
        if r1.alt_value is not None:
            fig.alt_value = normalize_decimal(r1.alt_value * factor)
    return fig


def find_measures(text: str, kind: str | tuple[str, ...] = MEASURE_KINDS, prose: bool = True) -> list[Figure]:
    """Find every figure of the given kinds (measured kinds and "count") in text.

    raw = qualifier + number (or range) + unit or counted noun + rate.
    """
    kinds = (kind,) if isinstance(kind, str) else kind
    out: list[Figure] = []
    table = {k: u for name in kinds for k, u in unit_table(name).items()}
    for m in measure_regex(kinds, prose).finditer(text):
        if _BLANK_LINE.search(m.group(0)):
            continue                            # a figure never spans paragraphs ("1\n\nDự án" is a row number)
        noun = m.group("noun")
        if noun and prose and noun[0].isupper() and _at_line_start(text, m.start()):
            continue                            # "45 Quyết định …" at a line start: a row number and a title
        v = vocabulary()
        refused = frozenset(v.not_alone_before_noun if noun else v.not_alone_before_unit)
        bounds = _bounds(m, prose, refused)
        if bounds is None:
            continue
        r1, r2 = bounds
        if m.group("unit") == "M":
            continue                            # "3M" is three million (Duckling's reading), not metres
        if noun:
            found_kind, unit, factor = "count", "count", Decimal(1)
        elif m.group("unit"):
            entry = table[_key(m.group("unit"))]
            found_kind, unit, factor = entry.kind, entry.unit, entry.factor
        else:
            found_kind, unit, factor = "money", "VND", Decimal(1)   # implied by tỷ/triệu
        if m.group("u1") and (r2 is None or table[_key(m.group("u1"))].unit != unit):
            continue                            # "5 đồng 6 đồng" is not one figure, nor "5 m - 6 kg"
        per = None
        if m.group("per"):
            per = "/".join(p.strip() for p in m.group("per").split("/") if p.strip())
        fig = _build(found_kind, unit, factor, r1, r2, m, per)
        if noun:
            fig.subject = noun
        out.append(fig)
    return out


def find_counts(text: str, prose: bool = True) -> list[Figure]:
    """Find counts of named things: raw = number + noun ('86 mô hình'), plus a rate ('2 đợt/tháng')."""
    return find_measures(text, ("count",), prose)


def find_ratios(text: str) -> list[Figure]:
    """Find ratios: '16/21 xã' -> value 16, denominator 21."""
    out: list[Figure] = []
    for m in ratio_regex().finditer(text):
        a, b = Decimal(int(m.group("a"))), Decimal(int(m.group("b")))
        if b == 0:
            continue
        fig = Figure(kind="ratio", value=a, unit="count", denominator=b, raw=m.group(0),
                     char_start=m.start(), char_end=m.end(), subject=m.group("noun"))
        if a > b:
            fig.add_flag("implausible")         # "449/444 đơn vị": stated, but more parts than the whole
        out.append(fig)
    return out


# --- parse_quantity: one standalone phrase ------------------------------------------------------------

_PREFIX_CURRENCY = regex.compile(
    r"""
    (?<![\p{L}\p{N}])(?P<cur>US\$|USD|EUR|VND|VNĐ|VN\$|\$|€)   # a currency written before its number
    \s*(?P<num>-?[\d.,]*\d[kKMG]?)(?![\p{N}])                # "$10", "USD1,23", "EUR 20", "VN$1000"
    """,
    regex.VERBOSE,
)
_CURRENCY_NAME = {"VN$": "VND", "US$": "USD"}


def _move_prefix_currency(text: str) -> str:
    return _PREFIX_CURRENCY.sub(
        lambda m: f"{m.group('num')} {_CURRENCY_NAME.get(m.group('cur'), m.group('cur'))}", text)


@cache
def _cents_regex() -> regex.Pattern[str]:
    num = number_regex_source(False)
    dollars = alternation(["đô la mỹ", "đô-la mỹ", "đô la", "đô-la", "đô mỹ", "đô", "usd", "$"])
    return regex.compile(rf"""
    (?:(?P<qual>(?i:{qualifier_source()}))\s+)?
    (?P<n1>{num})\s*(?i:{dollars})                        # "2 đô la"
    \s+(?:(?i:và)\s+)?(?P<n2>{num})                       # "và 23", "23"
    (?:\s*(?i:xen|xu|cent|cents))?                        # "xen", "xu": cents
    """, regex.VERBOSE | regex.V1)


def parse_quantity(text: str) -> Quantity | None:
    """Parse one standalone phrase: 'ba mươi ba' -> 33, '10.000 đồng' -> 10000 VND; None if it is not one."""
    phrase = unicodedata.normalize("NFC", text).strip().rstrip(".").strip()
    if not phrase:
        return None
    phrase = _move_prefix_currency(phrase)
    m = _cents_regex().fullmatch(phrase)
    if m:
        r1, r2 = parse_number(m.group("n1")), parse_number(m.group("n2"))
        if r1 is not None and r2 is not None and 0 <= r2.value < 100:
            q = vocabulary().qualifiers.get(_key(m.group("qual"))) if m.group("qual") else None
            value = normalize_decimal(r1.value + r2.value / 100)
            return Quantity(kind="money", value=value, unit="USD", qualifier=q)
    for fig in find_measures(phrase, (*MEASURE_KINDS, "count"), prose=False):
        if fig.char_start == 0 and fig.char_end == len(phrase):
            return _to_quantity(fig)
    for fig in find_ratios(phrase) + find_measured_ratios(phrase):
        if fig.char_start == 0 and fig.char_end == len(phrase):
            return _to_quantity(fig)
    qm = regex.fullmatch(rf"(?:(?P<qual>(?i:{qualifier_source()}))\s+)?(?P<n>.+)", phrase)
    if qm:
        reading = parse_number(qm.group("n"))
        if reading is not None:
            q = vocabulary().qualifiers.get(_key(qm.group("qual"))) if qm.group("qual") else None
            flags = ["ambiguous_separator"] if reading.ambiguous else []
            return Quantity(kind="number", value=reading.value, unit=None, qualifier=q,
                            alt_value=reading.alt_value, flags=flags)
    return None


def _to_quantity(fig: Figure) -> Quantity:
    flags = ["ambiguous_separator"] if fig.ambiguous else []
    return Quantity(kind=fig.kind, value=fig.value, unit=fig.unit, min=fig.min, max=fig.max,
                    denominator=fig.denominator, per=fig.per, qualifier=fig.qualifier,
                    alt_value=fig.alt_value, flags=flags)
