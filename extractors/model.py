"""Data types shared by every extractor: a Figure found in text, a parsed Quantity."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from core.versions import extractor_version

#: Changes with the extraction code and vocabulary (a hash of them); stored with every figure.
EXTRACTOR_VERSION = extractor_version()

KINDS: tuple[str, ...] = (
    "money", "length", "area", "volume", "mass", "labour", "percent", "count", "ratio",
)
UNITS: tuple[str, ...] = (
    "VND", "USD", "EUR", "km", "m", "m2", "km2", "ha", "m3", "t", "kg", "quintal",
    "person_day", "percent", "count",
)
QUALIFIERS: tuple[str, ...] = ("more_than", "less_than", "approximately", "at_least", "at_most")
FLAGS: tuple[str, ...] = (
    "ambiguous_separator",  # the number breaks the document's separator convention; value is the plausible reading
    "implausible",          # value outside sane ranges for its kind and subject
    "unit_from_header",     # unit taken from a table header / "Đơn vị tính" line
    "in_table",             # comes from a table cell
    "in_footnote",          # sits in a footnote
    "ocr_low_confidence",   # the OCR words it was read from are unsure
    "sum_mismatch",         # parts do not add up to the stated total
    "ocr_repaired",         # an OCR confusion inside the number was repaired (O->0, l->1 ...)
)
SOURCES: tuple[str, ...] = ("text-layer", "ocr", "table")

BBox = tuple[float, float, float, float]


@dataclass
class Quantity:
    """One parsed standalone phrase: '10.000 đồng', 'từ 5 đến 10 triệu đồng', 'ba mươi ba'."""

    kind: str                      # one of KINDS, or "number" for a bare numeral
    value: Decimal | None          # in the canonical unit; None for a range
    unit: str | None               # one of UNITS; None for a bare numeral
    min: Decimal | None = None
    max: Decimal | None = None
    denominator: Decimal | None = None
    per: str | None = None         # rate denominator as written: "kg", "hộ", "người/năm"
    qualifier: str | None = None
    alt_value: Decimal | None = None  # the other reading when the separator is ambiguous
    flags: list[str] = field(default_factory=list)


@dataclass
class Figure:
    """One figure stated in a text, with where it is and what it is about."""

    kind: str
    value: Decimal | None
    unit: str
    raw: str                       # text[char_start:char_end] == raw
    char_start: int
    char_end: int
    min: Decimal | None = None
    max: Decimal | None = None
    denominator: Decimal | None = None
    per: str | None = None
    qualifier: str | None = None
    subject: str | None = None
    place: str | None = None
    section: str | None = None
    domain: str | None = None
    sentence: str | None = None
    page: int | None = None
    bbox: BBox | None = None
    source: str = "text-layer"
    confidence: float = 1.0
    flags: list[str] = field(default_factory=list)
    part_of: int | None = None     # index, in the same list, of the total this is a part of
    alt_value: Decimal | None = None
    table_id: str | None = None
    row: str | None = None
    column: str | None = None
    extractor_version: str = EXTRACTOR_VERSION
    #: the number's separators allow another reading (set by the grammar; extract() decides the flag)
    ambiguous: bool = False
    #: why a flag was set, where a check can say it ({"implausible": "about 1000x the other values of its row"})
    reasons: dict[str, str] = field(default_factory=dict)

    def add_flag(self, flag: str) -> None:
        """Add a flag once."""
        if flag not in FLAGS:
            raise ValueError(f"unknown flag {flag!r}")
        if flag not in self.flags:
            self.flags.append(flag)


@dataclass
class Reference:
    """A reference in the text to another document ('Công văn số 324-CV/BDVTU ngày 08/11/2021')."""

    number: str
    type: str | None
    date: str | None               # ISO yyyy-mm-dd
    issuer: str | None
    raw: str
    char_start: int
    char_end: int
    page: int | None = None
    in_footnote: bool = False


@dataclass
class Metadata:
    """What the document says about itself (header, title, signature block)."""

    doc_number: str | None = None
    doc_type: str | None = None
    issuer: str | None = None
    district: str | None = None
    province: str | None = None
    report_year: int | None = None
    issued_date: str | None = None
    signer: str | None = None
    signer_title: str | None = None
    title: str | None = None
