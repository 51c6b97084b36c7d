"""Read a workbook (.xlsx; .xls/.ods after conversion) into text lines and Tables, numbers written the Vietnamese way."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from core.errors import UnreadableDocument
from pipeline.model import Table

#: A sheet larger than this is read only this far (rows); the rest is named in a warning.
MAX_ROWS = 20000
_UNIT_RE = re.compile(r"^\s*(?:đơn\s*vị\s*tính|đvt)\s*[:.]", re.IGNORECASE)
# the digits after the decimal point of a number format ("#,##0.00" -> "00")
_DECIMALS_RE = re.compile(r"\.([0#?]+)")


@dataclass
class Workbook:
    """What a workbook holds: its lines of text (tables inline as 'a | b') and its tables."""

    lines: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def format_number(value: int | float | Decimal, number_format: str = "General") -> str:
    """Write a cell's number as the sheet shows it, in Vietnamese: '.' groups thousands, ',' marks decimals."""
    fmt = (number_format or "General").split(";")[0]
    d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    percent = "%" in fmt
    if percent:
        d *= 100
    m = _DECIMALS_RE.search(fmt)
    if fmt.lower() == "general" or fmt == "@":
        d = d.normalize() if d != d.to_integral_value() else d.quantize(Decimal(1))
        decimals = max(0, -int(d.as_tuple().exponent))
    else:
        decimals = len(m.group(1)) if m else 0
        d = d.quantize(Decimal(1).scaleb(-decimals)) if decimals else d.quantize(Decimal(1))
    grouped = "," in fmt.split(".")[0] and fmt.lower() != "general"
    sign = "-" if d < 0 else ""
    text = f"{abs(d):f}"
    whole, _, frac = text.partition(".")
    if grouped:
        whole = f"{int(whole):,}".replace(",", ".")
    out = sign + whole + ("," + frac if frac and decimals else "")
    return out + ("%" if percent else "")


def _cell_text(cell: Any) -> str | None:
    v = cell.value
    if v is None:
        return None
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int | float | Decimal):
        return format_number(v, cell.number_format)
    if isinstance(v, dt.datetime):
        return v.strftime("%d/%m/%Y") if v.time() == dt.time() else v.strftime("%d/%m/%Y %H:%M")
    if isinstance(v, dt.date):
        return v.strftime("%d/%m/%Y")
    text = unicodedata.normalize("NFC", str(v)).replace("\r\n", "\n")
    # a cell's own line breaks are soft: "Đơn giá\n(VNĐ)" is one header
    text = re.sub(r"\s*\n\s*", " ", text).strip()
    return text or None


def _grid(ws: Any, warnings: list[str]) -> list[list[str | None]]:
    """Return the sheet's used cells as text; cells covered by a merge (not its top-left) are None."""
    covered: set[tuple[int, int]] = set()
    for rng in ws.merged_cells.ranges:
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if (r, c) != (rng.min_row, rng.min_col):
                    covered.add((r, c))
    rows: list[list[str | None]] = []
    for r, row in enumerate(ws.iter_rows(), start=1):
        if r > MAX_ROWS:
            warnings.append(f"sheet '{ws.title}' has more than {MAX_ROWS} rows; only the first {MAX_ROWS} were read")
            break
        rows.append([None if (r, c) in covered else _cell_text(cell) for c, cell in enumerate(row, start=1)])
    # drop empty columns and trailing empty rows
    keep = [c for c in range(max((len(r) for r in rows), default=0)) if any(c < len(r) and r[c] for r in rows)]
    grid = [[r[c] if c < len(r) else None for c in keep] for r in rows]
    while grid and not any(grid[-1]):
        grid.pop()
    return grid


def _filled(row: list[str | None]) -> int:
    return sum(1 for c in row if c)


def _sheet(ws: Any, book: Workbook) -> None:
    """Split a sheet into lines above the table (title, unit), the table, and lines below (notes, signature)."""
    grid = _grid(ws, book.warnings)
    widest = max((_filled(row) for row in grid), default=0)
    wide = [i for i, row in enumerate(grid) if _filled(row) >= 2]
    if not wide:
        book.lines.extend(c for row in grid for c in row if c)
        return
    # the table starts at its first row filled at least half as wide as its widest (a "Kính gửi … | Ngày …"
    # line above it is not a row of it); it ends at its last row of two cells or more ("Tổng cộng | … | 20.000")
    first = next(i for i in wide if _filled(grid[i]) >= max(2, (widest + 1) // 2))
    last = wide[-1]
    above = [c for row in grid[:first] for c in row if c]
    below = [c for row in grid[last + 1:] for c in row if c]
    body = [row for row in grid[first:last + 1] if any(row)]
    unit = next((line for line in above if _UNIT_RE.match(line)), None)
    title = next((line for line in above if line != unit), None)
    book.lines.extend(above)
    book.tables.append(Table(table_id=f"t{len(book.tables) + 1}", rows=body, unit_line=unit, title=title,
                             source="spreadsheet"))
    book.lines.extend(" | ".join(c or "" for c in row) for row in body)
    book.lines.extend(below)


def read_workbook(data: bytes, name: str) -> Workbook:
    """Read every visible sheet of an .xlsx workbook into lines and tables."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise UnreadableDocument(f"{name}: not a readable workbook ({type(e).__name__}); open it in Excel or "
                                 "LibreOffice and save it again as .xlsx") from e
    book = Workbook()
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        _sheet(ws, book)
        book.lines.append("")
    if not any(line.strip() for line in book.lines):
        raise UnreadableDocument(f"{name}: the workbook has no text in its visible sheets; open it to check it is "
                                 "the right file")
    return book
