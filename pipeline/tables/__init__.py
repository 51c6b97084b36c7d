"""Find tables in a document and locate every cell in its normalized text.

Sources: text-layer PDFs (pdf: pdfplumber on pages whose drawings or word columns suggest a table), OCR'd pages
(ruled: rules found in the page image), .docx tables (docx), Markdown pipe tables and the flattened "one cell
per line between | lines" tables of web-converted text (text). Tables that run on across PDF pages are
stitched (stitch); cells are located in doc.text (locate); the located table is built in model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from extractors.table_model import HEADER_JOIN, Span, TableSpan, is_numeric_text
from extractors.units import UnitSpec, parse_unit
from pipeline.model import Block, Document, RawDocument
from pipeline.tables.docx import docx_tables
from pipeline.tables.model import find_unit_line
from pipeline.tables.pdf import pdf_tables
from pipeline.tables.ruled import ruled_grids
from pipeline.tables.text import text_tables

__all__ = [
    "HEADER_JOIN", "TableSpan", "UnitSpec", "cell_ranges", "detect_tables", "find_unit_line", "is_numeric_text",
    "parse_unit", "ruled_grids", "table_blocks", "table_cells",
]

def detect_tables(doc: Document, raw: RawDocument) -> list[TableSpan]:
    """Find the tables of a document and locate each cell's text in doc.text."""
    fmt = (raw.format or doc.format or "").lower()
    if fmt == "pdf":
        spans = pdf_tables(doc, raw)
    elif fmt == "docx":
        spans = docx_tables(doc, raw)
    else:
        spans = text_tables(doc)
    for ts in spans:
        ts.table.unit_line = ts.unit
    return spans


def cell_ranges(ts: TableSpan, text: str) -> list[Span]:
    """Return the ranges of text the table's cells cover, runs of cells separated only by blanks or "|" merged.

    Readers may interleave a table with other text (a note, a stamp): those stay outside the ranges.
    """
    spans = sorted(s for row in ts.cell_spans for s in row if s is not None)
    out: list[Span] = []
    for s, e in spans:
        if out and (s <= out[-1][1] or not text[out[-1][1]:s].strip(" \t\n|")):
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def table_blocks(spans: Sequence[TableSpan], text: str) -> list[Block]:
    """Return Block(kind="table") over the text each table's cells cover, for the structure stage."""
    return [
        Block(kind="table", start=s, end=e, title=ts.table.title, label=ts.table.table_id)
        for ts in spans for s, e in cell_ranges(ts, text)
    ]


def table_cells(spans: Sequence[TableSpan]) -> list[dict[str, Any]]:
    """Return one row per cell (header cells included) so that any table can be rebuilt."""
    out: list[dict[str, Any]] = []
    for ts in spans:
        t = ts.table
        for r, row in enumerate(t.rows):
            is_header = r < t.header_rows
            label = None if is_header else ts.row_label(r)
            page = ts.row_pages[r] if r < len(ts.row_pages) else t.page
            for c, text in enumerate(row):
                if text is None:
                    continue            # covered by a merged cell
                span = ts.cell_spans[r][c]
                rowspan, colspan = ts.merges.get((r, c), (1, 1))
                out.append({
                    "table_id": t.table_id,
                    "page": page,
                    "row_index": r,
                    "col_index": c,
                    "row": label,
                    "column": ts.column_of(r, c) if c < len(ts.columns) else None,
                    "text": text,
                    "is_header": is_header,
                    "rowspan": rowspan,
                    "colspan": colspan,
                    "char_start": span[0] if span else None,
                    "char_end": span[1] if span else None,
                })
    return out
