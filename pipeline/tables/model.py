"""Build a located table (TableSpan) from cells: header rows, label/ordinal/unit columns, unit line, title."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from extractors.table_model import (
    HEADER_JOIN,
    Span,
    TableSpan,
    clean,
    is_header_in,
    is_numbering_row,
    is_numeric_text,
    is_stt,
    looks_data,
)
from extractors.units import parse_unit
from extractors.vocab import table_vocabulary
from pipeline.model import BBox, Table


@dataclass
class Cell:
    """One cell of a table being built: its text, place, spans and where it sits."""

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    span: Span | None = None
    bbox: BBox | None = None


@dataclass
class Grid:
    """The cells of one table as a source gives them, before they become a TableSpan."""

    cells: list[Cell]
    nrows: int
    ncols: int
    source: str
    page: int | None = None
    bbox: BBox | None = None
    header_rows: int | None = None    # forced by the source (flattened tables), else detected
    unit_line: str | None = None
    title: str | None = None
    context_before: str = ""          # text just above the table, for the unit line and title


def detect_header_rows(rows: list[list[str | None]]) -> int:
    """Return how many leading rows are headers: those before the first row that holds data."""
    if not rows:
        return 0
    if looks_data(rows[0]) and not is_numbering_row(rows[0]) and sum(map(is_numeric_text, rows[0])) >= 2:
        return 0
    for r in range(1, min(len(rows), 7)):
        if is_numbering_row(rows[r]):
            continue
        if looks_data(rows[r]):
            return r
    return 1


@functools.cache
def unit_line_re() -> re.Pattern[str]:
    """Return the pattern of a unit line above a table: "Đơn vị tính: Triệu đồng" (keys from table_headers.yaml)."""
    keys = sorted(table_vocabulary().unit_line_keys, key=len, reverse=True)
    words = "|".join(r"\s+".join(re.escape(w) for w in k.split()) for k in keys)
    return re.compile(rf"(?:{words})\s*[:：]\s*(?P<unit>[^\n;|]+)", re.IGNORECASE)


@functools.cache
def title_re() -> re.Pattern[str]:
    """Return the pattern of a title line above a table: "Phụ lục I", "Biểu số 01" (words from table_headers.yaml)."""
    keys = sorted(table_vocabulary().title_words, key=len, reverse=True)
    words = "|".join(r"\s+".join(re.escape(w) for w in k.split()) for k in keys)
    return re.compile(rf"^[\s*]*(?:{words})\b.*$", re.IGNORECASE | re.MULTILINE)


def find_unit_line(text: str) -> str | None:
    """Return the unit of the last "Đơn vị tính: …" line in text ("Triệu đồng"), or None."""
    found = None
    for m in unit_line_re().finditer(text):
        unit = clean(m.group("unit")).strip(" .,()*")
        if unit:
            found = unit
    return found


def build_span(grid: Grid, table_id: str) -> TableSpan:
    """Build the located table of a grid: rows, merges, header names, special columns, unit and title."""
    rows: list[list[str | None]] = [["" for _ in range(grid.ncols)] for _ in range(grid.nrows)]
    spans: list[list[Span | None]] = [[None for _ in range(grid.ncols)] for _ in range(grid.nrows)]
    boxes: list[list[BBox | None]] = [[None for _ in range(grid.ncols)] for _ in range(grid.nrows)]
    merges: dict[tuple[int, int], tuple[int, int]] = {}
    for cell in grid.cells:
        for r in range(cell.row, min(cell.row + cell.rowspan, grid.nrows)):
            for c in range(cell.col, min(cell.col + cell.colspan, grid.ncols)):
                rows[r][c] = None
        rows[cell.row][cell.col] = cell.text
        spans[cell.row][cell.col] = cell.span
        boxes[cell.row][cell.col] = cell.bbox
        if cell.rowspan > 1 or cell.colspan > 1:
            merges[(cell.row, cell.col)] = (cell.rowspan, cell.colspan)
    header_rows = grid.header_rows if grid.header_rows is not None else detect_header_rows(rows)
    numbering = [r for r in range(header_rows) if is_numbering_row(rows[r])]
    column_parts: list[list[str]] = []
    for c in range(grid.ncols):
        parts: list[str] = []
        for cell in sorted(grid.cells, key=lambda x: x.row):
            if cell.row >= header_rows or cell.row in numbering:
                continue
            if cell.col <= c < cell.col + cell.colspan:
                t = clean(cell.text)
                if t and (not parts or parts[-1] != t):
                    parts.append(t)
        column_parts.append(parts)
    columns = [HEADER_JOIN.join(p) for p in column_parts]
    v = table_vocabulary()
    stt_col = next((c for c, h in enumerate(columns) if is_header_in(h, v.stt_headers)), None)
    unit_col = next((c for c, h in enumerate(columns) if is_header_in(h, v.unit_headers)), None)
    if unit_col is not None:
        vals = [rows[r][unit_col] for r in range(header_rows, grid.nrows) if rows[r][unit_col]]
        if vals and sum(1 for x in vals if parse_unit(x or "") is not None) < 0.5 * len(vals):
            unit_col = None          # "Đơn vị" holding names of agencies: a label column
    label_col = next(
        (c for c, h in enumerate(columns) if c not in (stt_col, unit_col) and is_header_in(h, v.label_headers, prefix=True)),
        None,
    )
    if unit_col is None:
        unit_col = _unit_column_by_content(rows, header_rows, (stt_col, label_col))
    if label_col is None:
        # the first column whose data cells are mostly text
        for c in range(grid.ncols):
            if c in (stt_col, unit_col):
                continue
            vals = [rows[r][c] for r in range(header_rows, grid.nrows) if rows[r][c]]
            if vals and sum(1 for x in vals if not is_numeric_text(x) and not is_stt(x)) >= 0.6 * len(vals):
                label_col = c
                break
    if stt_col is None and grid.ncols > 1 and label_col != 0:
        vals0 = [rows[r][0] for r in range(header_rows, grid.nrows) if rows[r][0]]
        # most, not all: OCR turns an ordinal or two into noise ("I" -> "[", "3" -> "3 __"), and its "STT" header
        # into "=" (207-BC-UBND, Biểu 61), and then the ordinals 1, 2, 3 were read as millions of đồng
        # one number under a header is a value ("Tổng số Lớp | 12"), not the ordinal of a one-row list
        numbered = len(vals0) >= 2 or not columns[0].strip()
        if numbered and sum(1 for x in vals0 if is_stt((x or "").strip(" _[]|"))) >= 0.75 * len(vals0):
            stt_col = 0
    unit = grid.unit_line or find_unit_line(grid.context_before)
    if unit is None:
        for r in range(header_rows):
            for cell_text in rows[r]:
                if cell_text and unit_line_re().search(cell_text):
                    unit = find_unit_line(cell_text)
    title = grid.title
    if title is None:
        titles = title_re().findall(grid.context_before)
        title = clean(titles[-1]) if titles else None
    located = [s for row in spans for s in row if s is not None]
    start = min((s[0] for s in located), default=0)
    end = max((s[1] for s in located), default=0)
    table = Table(
        table_id=table_id, rows=rows, header_rows=header_rows, page=grid.page, bbox=grid.bbox,
        cell_boxes=boxes if any(b for row in boxes for b in row) else None,
        unit_line=unit, title=title, source=grid.source,
    )
    return TableSpan(
        table=table, start=start, end=end, cell_spans=spans, columns=columns, column_parts=column_parts,
        merges=merges,
        label_col=label_col, stt_col=stt_col, unit_col=unit_col, unit=unit, numbering_rows=numbering,
        pages=[grid.page] if grid.page is not None else [],
        row_pages=[grid.page] * grid.nrows,
    )


def _unit_column_by_content(rows: list[list[str | None]], header_rows: int, skip: tuple[int | None, ...]) -> int | None:
    """Return a column whose data cells are mostly unit words ("Tỷ đồng", "1.000 tấn", "%"), header unread or not.

    An OCR'd "ĐVT" header comes out garbled ("DVI", "Đơn vịtính"); without its unit column each row's own unit
    would give way to the table-wide one ("Sản lượng lương thực | 1.000 tấn" in tỷ đồng, 237-TB-UBND).
    """
    ncols = max((len(r) for r in rows), default=0)
    for c in range(ncols):
        if c in skip:
            continue
        vals = [clean(r[c] or "") for r in rows[header_rows:] if c < len(r) and r[c] and clean(r[c] or "")]
        if len(vals) < 3 or any(is_numeric_text(x) for x in vals if x != "%"):
            continue
        if sum(1 for x in vals if parse_unit(x) is not None) >= 0.6 * len(vals):
            return c
    return None


def has_numbers(ts: TableSpan) -> bool:
    """Say whether a table has a numeric data cell outside its ordinal column."""
    rows = ts.table.rows
    for r in range(ts.header_rows, len(rows)):
        for c, t in enumerate(rows[r]):
            if c != ts.stt_col and is_numeric_text(t):
                return True
    return False


