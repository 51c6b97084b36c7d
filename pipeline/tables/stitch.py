"""Stitch a table that runs on across pages: the next page's rows appended to the table they continue."""

from __future__ import annotations

from difflib import SequenceMatcher

from extractors.table_model import TableSpan, norm
from pipeline.tables.model import title_re, unit_line_re

# Tesseract reads the same printed header differently on two pages ("Dự toán 2019 TW giao" and "t 2 Dự oán 019
# TWgiao", 207-BC-UBND pp. 4-5), so an OCR'd header repeated on the next page is the same when its letters
# mostly agree; a text layer's header must match exactly.
OCR_HEADER_SIMILAR = 0.8


def _header_key(ts: TableSpan) -> str:
    """Return a table's header cells as one string: letters and digits only, lower case."""
    return "".join(ch for r in ts.table.rows[: ts.header_rows] for x in r for ch in norm(x or "").lower()
                   if ch.isalnum())


def _same_header(a: TableSpan, b: TableSpan) -> bool:
    if a.table.header_rows == 0 or b.table.header_rows == 0:
        return False
    ha = [norm(x or "") for r in a.table.rows[: a.header_rows] for x in r]
    hb = [norm(x or "") for r in b.table.rows[: b.header_rows] for x in r]
    if ha == hb:
        return True
    if getattr(a.table, "source", None) != "ocr" or getattr(b.table, "source", None) != "ocr":
        return False
    ka, kb = _header_key(a), _header_key(b)
    return bool(ka) and bool(kb) and SequenceMatcher(None, ka, kb, autojunk=False).ratio() >= OCR_HEADER_SIMILAR


def stitch(prev: TableSpan, nxt: TableSpan) -> None:
    """Append nxt's body rows to prev (a table continued on the next page)."""
    skip = nxt.header_rows if _same_header(prev, nxt) else 0
    if skip == 0 and nxt.header_rows and all(r in nxt.numbering_rows for r in range(nxt.header_rows)):
        skip = nxt.header_rows
    base = len(prev.table.rows)
    for r in range(skip, len(nxt.table.rows)):
        prev.table.rows.append(nxt.table.rows[r])
        prev.cell_spans.append(nxt.cell_spans[r])
        prev.row_pages.append(nxt.table.page)
        if prev.table.cell_boxes is not None and nxt.table.cell_boxes is not None:
            prev.table.cell_boxes.append(nxt.table.cell_boxes[r])
    for (r, c), m in nxt.merges.items():
        if r >= skip:
            prev.merges[(base + r - skip, c)] = m
    if nxt.table.page is not None and nxt.table.page not in prev.pages:
        prev.pages.append(nxt.table.page)
    located = [s for row in prev.cell_spans for s in row if s is not None]
    if located:
        prev.start = min(s[0] for s in located)
        prev.end = max(s[1] for s in located)


def continues(prev: TableSpan, prev_pi: int, nxt: TableSpan, pi: int, first_on_page: bool, context: str) -> bool:
    if pi != prev_pi + 1 or not first_on_page:
        return False
    if len(prev.columns) != len(nxt.columns):
        return False
    if title_re().search(context) or unit_line_re().search(context):
        return False            # a new annex ("Phụ lục II", its own unit line) starts a new table
    return _same_header(prev, nxt) or nxt.table.header_rows == 0 or all(
        r in nxt.numbering_rows for r in range(nxt.header_rows)
    )


