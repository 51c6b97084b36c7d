"""A table located in a document's text, as the table extractor reads it; and the shapes of cell texts.

pipeline.tables builds TableSpan objects; extractors.table turns their cells into figures. The grid itself is
any object with the fields of pipeline.model.Table (TableLike), so this layer does not import the pipeline.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from extractors.vocab import table_key as norm

#: Joins the names of stacked header cells: "Trả nợ trong kỳ Gốc" (parts kept in TableSpan.column_parts).
HEADER_JOIN = " "

Span = tuple[int, int]
BBox = tuple[float, float, float, float]


class TableLike(Protocol):
    """The grid of a table as a reader or the table finder gives it (pipeline.model.Table)."""

    table_id: str
    rows: list[list[str | None]]
    header_rows: int
    page: int | None
    cell_boxes: list[list[BBox | None]] | None
    unit_line: str | None
    title: str | None


def clean(s: str) -> str:
    """Collapse whitespace and drop Markdown emphasis markers from a cell's text."""
    s = re.sub(r"\*+", " ", s)
    return " ".join(s.split())


def header_key(s: str) -> str:
    """Normalize a header for vocabulary look-up: lower-case, no stray marks at either end ("= Đơn vị tính")."""
    return re.sub(r"^[^\w%(]+|[^\w%)]+$", "", norm(s))


def is_header_in(header: str, words: Iterable[str], *, prefix: bool = False) -> bool:
    """Say whether a header equals (or, with prefix, starts with) one of the vocabulary words."""
    key = header_key(header)
    return any(key == w or (prefix and key.startswith(w + " ")) for w in words)


# --------------------------------------------------------------------------------------------------
# Shapes of cell texts

_STT_RE = re.compile(r"^(?:[0-9]{1,3}(?:\.[0-9]{1,3})*|[IVXLC]{1,7}|[a-zđ]|[+\-–•])[.)]?$")
_NUMERIC_RE = re.compile(r"^[(\[]?[+\-−]?\s?[0-9][0-9.,\s]*%?[)\]]?$")
_YEAR_RE = re.compile(r"^(?:19|20)[0-9]{2}$")
_LISTED_RE = re.compile(r"^(?:[0-9]{1,2}(?:\.[0-9]{1,2})*[.)]|[IVX]{1,4}\.|[a-zđ]\)|[-+•])\s+\S")
_RATIO_CELL_RE = re.compile(r"^[0-9]{1,4}\s*/\s*[0-9]{1,4}$")
_NUMBERING_WORDS = {"MS", "MÃ SỐ", "MÃ"}      # "MS | 1 | 2 | 3": the code column of a statistical form
_NUMBERING_RE = re.compile(r"^[(\-]?[0-9a-zđ]{1,2}\)?(?:\s*[=*/+\-x]\s*[0-9a-zđ()+\-*/x\s]*)?$", re.IGNORECASE)


def is_numeric_text(s: str | None) -> bool:
    """Say whether a cell's text is a number (with optional %), not a label."""
    if not s:
        return False
    t = clean(s)
    return bool(_NUMERIC_RE.match(t)) and any(c.isdigit() for c in t)


def is_stt(s: str | None) -> bool:
    return bool(s) and bool(_STT_RE.match(clean(s or "")))


def is_numbering_row(texts: Sequence[str | None]) -> bool:
    """Say whether a row is the column-numbering row under a header: "a | b | 1 | 2 | 3".

    Statistical forms (Biểu số …) number their columns "(1) (2) (3)", "MS 1 2 3", "A B 1 2=3+4" or
    "7=8+9+10"; a form may repeat a number by mistake ("1 2 3 3 4", Biểu số 59/CK-NSNN).
    """
    vals = [clean(t) for t in texts if t is not None and clean(t)]
    if len(vals) < 3 or len(vals) < 0.6 * len(texts):
        return False
    odd = [v for v in vals if not (_NUMBERING_RE.match(v) or v.upper() in _NUMBERING_WORDS)]
    # one letter cell OCR'd as debris ("A" read "D\\" beside a rule) may stand in a row that counts 1 2 3 …
    if len(odd) > 1 or (odd and (len(odd[0]) > 2 or any(ch.isdigit() for ch in odd[0])
                                 or all(ch.isalpha() for ch in odd[0]))):   # a short label ("Nữ") is data
        return False
    # "-2" is "(2)" as OCR reads it when the opening bracket touches a rule (113-BC-STC)
    digits = [int(m.group(1)) for v in vals if v not in odd and (m := re.match(r"[(\-]?([0-9]+)", v))]
    if odd and len(digits) < 3:
        return False
    # the digits count up: 1 2 3 ... (or start further on); a number repeated or skipped once is a typo
    steps = [b - a for a, b in itertools.pairwise(digits)]
    return len(digits) >= 2 and all(0 <= d <= 2 for d in steps) and sum(d == 1 for d in steps) >= max(1, len(steps) - 1)


def looks_data(texts: Sequence[str | None]) -> bool:
    """Say whether a row holds data: an ordinal first cell or a number that is not a year."""
    vals = [t for t in texts if t]
    if not vals:
        return False
    if is_stt(vals[0]) and len(vals) > 1:
        return True
    if _LISTED_RE.match(clean(vals[0])):
        return True             # "1. Cấp tỉnh", "- Tỉ lệ đạt", "a) …": a listed item, not a header
    return any((is_numeric_text(v) or _RATIO_CELL_RE.match(clean(v))) and not _YEAR_RE.match(clean(v))
               for v in vals[1:])


# --------------------------------------------------------------------------------------------------
# The result


@dataclass
class TableSpan:
    """A table found in a document, with its cells located in the normalized text."""

    table: TableLike
    start: int                                      # span of the whole table in doc.text
    end: int
    cell_spans: list[list[Span | None]]             # same shape as table.rows; where each cell's text is
    columns: list[str] = field(default_factory=list)  # one combined header name per column
    column_parts: list[list[str]] = field(default_factory=list)  # the stacked header names of each column
    merges: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # (row, col) -> (rowspan, colspan)
    label_col: int | None = None                    # the "Chỉ tiêu" / "Nội dung" column
    stt_col: int | None = None                      # the "STT" column
    unit_col: int | None = None                     # the "ĐVT" column
    unit: str | None = None                         # the unit of the "Đơn vị tính: …" line, e.g. "Triệu đồng"
    numbering_rows: list[int] = field(default_factory=list)  # header rows that only number the columns
    pages: list[int] = field(default_factory=list)  # pages the table sits on (stitched tables: several)
    row_pages: list[int | None] = field(default_factory=list)  # page of each row

    @property
    def header_rows(self) -> int:
        """Return how many leading rows are headers."""
        return self.table.header_rows

    def row_label(self, r: int) -> str | None:
        """Return the row label of row r (the "Chỉ tiêu" cell, or the nearest text cell)."""
        row = self.table.rows[r]
        if self.label_col is not None and self.label_col < len(row):
            text = row[self.label_col]
            if text:
                return clean(text)
        for c, text in enumerate(row):
            if c in (self.stt_col, self.unit_col) or not text:
                continue
            if not is_numeric_text(text):
                return clean(text)
        return None

    def column_parts_of(self, r: int, c: int) -> list[str]:
        """Return the stacked header names of the cell at (r, c); a spread cell gets its columns' common ones."""
        _, colspan = self.merges.get((r, c), (1, 1))
        parts = [self.column_parts[k] for k in range(c, min(c + colspan, len(self.column_parts)))]
        if len(parts) <= 1:
            return list(parts[0]) if parts else []
        common: list[str] = []
        for level in zip(*parts, strict=False):
            if len(set(level)) != 1:
                break
            common.append(level[0])
        return common or list(parts[0])

    def column_of(self, r: int, c: int) -> str:
        """Return the header name of the cell at (r, c): "Trả nợ trong kỳ Gốc"."""
        return HEADER_JOIN.join(self.column_parts_of(r, c))

