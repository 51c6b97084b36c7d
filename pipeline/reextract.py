"""Re-extract figures from the text the dataset stores: no file is read again, no page OCR'd again.

What is rebuilt from what is stored: the body text (`texts`), the pages (`pages`: number, source, triage),
the tables (rebuilt from `table_cells`: cells, merges, header rows, their spans in the text; a Markdown or
plain-text document with no stored table is searched for tables again, as ingest does). Figures then go
through the same extraction, and through load_document (reports, periods, indicators, corrections redone).

What the stored text cannot give back, and how it is carried over: a PDF's character boxes and page map.
A re-extracted figure at the same place as a stored one keeps that figure's page, bbox and OCR source,
confidence and OCR flags; a figure at a new place gets the page of the nearest stored figure, reference or
table cell before it, and no bbox. Footnotes kept apart by a Word or Markdown reader are plain text here.
"""

from __future__ import annotations

import bisect
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from extractors.model import EXTRACTOR_VERSION
from extractors.table_model import TableSpan
from pipeline.extract import extract_stage
from pipeline.load import LoadResult, load_document
from pipeline.model import Document, Extracted, Page, RawDocument
from pipeline.schema import documents, figures, pages, references, table_cells, texts
from pipeline.structure import find_structure
from pipeline.tables import table_blocks
from pipeline.tables.model import Cell, Grid, build_span
from pipeline.tables.text import text_tables

#: Formats whose tables ingest can find in the text itself (searched again when none is stored).
TEXT_TABLE_FORMATS = ("md", "txt")
#: Characters of text above a table searched again for its unit line and title.
CONTEXT_BEFORE = 400
#: Flags that came from a page's OCR, not from the extraction rules.
OCR_FLAGS = ("ocr_low_confidence", "ocr_repaired")


def stale_documents(engine: Engine, *, everything: bool = False) -> list[int]:
    """Return the ids of documents extracted by another extractor version (every document if everything)."""
    q = select(documents.c.id).order_by(documents.c.id)
    if not everything:
        q = q.where(documents.c.extractor_version != EXTRACTOR_VERSION)
    with engine.connect() as conn:
        return [int(i) for i in conn.execute(q).scalars()]


@dataclass
class Stored:
    """What the dataset holds of one document, enough to extract its figures again."""

    row: Any
    text: str
    pages: list[Any]
    cells: list[Any]
    anchors: list[tuple[int, int]]                    # (char_start, page) of stored figures, references, cells
    placed: dict[tuple[int, int], Any]                # (char_start, char_end) -> stored figure there


def read_stored(engine: Engine, doc_id: int) -> Stored:
    """Read one document's stored text, pages, table cells and figure places."""
    with engine.connect() as conn:
        row = conn.execute(select(documents).where(documents.c.id == doc_id)).one()
        text = conn.execute(select(texts.c.text).where(texts.c.document_id == doc_id)).scalar_one()
        page_rows = conn.execute(select(pages).where(pages.c.document_id == doc_id).order_by(pages.c.page)).all()
        cells = conn.execute(select(table_cells).where(table_cells.c.document_id == doc_id)).all()
        figs = conn.execute(select(figures.c.char_start, figures.c.char_end, figures.c.page, figures.c.bbox,
                                   figures.c.source, figures.c.confidence, figures.c.flags)
                            .where(figures.c.document_id == doc_id)).all()
        refs = conn.execute(select(references.c.char_start, references.c.page)
                            .where(references.c.document_id == doc_id)).all()
    anchors = sorted({(int(r.char_start), int(r.page)) for r in [*figs, *refs, *cells]
                      if r.char_start is not None and r.page is not None})
    return Stored(row=row, text=text, pages=list(page_rows), cells=list(cells), anchors=anchors,
                  placed={(int(f.char_start), int(f.char_end)): f for f in figs})


def _stored_tables(st: Stored) -> list[TableSpan]:
    """Rebuild each stored table from its cells (their text, place, merges and spans in the text)."""
    by_table: dict[str, list[Any]] = {}
    for c in st.cells:
        by_table.setdefault(str(c.table_id), []).append(c)
    spans: list[TableSpan] = []
    for table_id, rows in by_table.items():
        nrows = max(int(c.row_index) for c in rows) + 1
        ncols = max(int(c.col_index) for c in rows) + 1
        header = sorted({int(c.row_index) for c in rows if c.is_header})
        header_rows = next((i for i, r in enumerate(header) if r != i), len(header))
        starts = [int(c.char_start) for c in rows if c.char_start is not None]
        first = min(starts, default=0)
        grid = Grid(
            cells=[Cell(text=c.text or "", row=int(c.row_index), col=int(c.col_index), rowspan=int(c.rowspan or 1),
                        colspan=int(c.colspan or 1),
                        span=(int(c.char_start), int(c.char_end)) if c.char_start is not None else None)
                   for c in rows],
            nrows=nrows, ncols=ncols, source="stored", page=next((c.page for c in rows if c.page is not None), None),
            header_rows=header_rows, context_before=st.text[max(0, first - CONTEXT_BEFORE):first],
        )
        ts = build_span(grid, table_id)
        row_page = {int(c.row_index): c.page for c in rows if c.page is not None}
        ts.row_pages = [row_page.get(r, grid.page) for r in range(nrows)]
        ts.pages = sorted({p for p in ts.row_pages if p is not None})
        spans.append(ts)
    return sorted(spans, key=lambda s: s.start)


def rebuild(st: Stored) -> Extracted:
    """Extract the stored document's figures again from its stored text."""
    row = st.row
    fmt = str(row.format)
    page_list = [Page(number=int(p.page), text="", source=p.source or "text-layer", triage=p.triage,
                      triage_reason=p.triage_reason) for p in st.pages]
    doc = Document(path=str(row.document), sha256=str(row.sha256), format=fmt, text=st.text, pages=page_list,
                   warnings=list(row.warnings or []))
    structure = find_structure(doc)
    if not st.cells and fmt in TEXT_TABLE_FORMATS:
        spans = text_tables(doc)
        for ts in spans:
            ts.table.unit_line = ts.unit
    else:
        spans = _stored_tables(st)
    structure.blocks.extend(table_blocks(spans, doc.text))
    structure.blocks.sort(key=lambda b: (b.start, -b.end))
    raw = RawDocument(path=doc.path, sha256=doc.sha256, format=fmt, pages=page_list)
    ex = extract_stage(doc, structure, raw, spans=spans)
    if fmt == "pdf":
        _place(ex, st)
    return ex


def _place(ex: Extracted, st: Stored) -> None:
    """Give PDF figures the page, box and OCR marks of the stored figure at their place, else a nearby page."""
    keys = [a[0] for a in st.anchors]
    for f in ex.figures:
        old = st.placed.get((f.char_start, f.char_end))
        if old is not None:
            f.page = old.page
            f.bbox = tuple(old.bbox) if old.bbox else None
            if old.source == "ocr" and f.source == "text-layer":
                f.source = "ocr"
                if old.confidence is not None:
                    f.confidence = round(min(f.confidence, float(old.confidence)), 3)
            for flag in old.flags or []:
                if flag in OCR_FLAGS:
                    f.add_flag(flag)
            continue
        i = bisect.bisect_right(keys, f.char_start) - 1
        f.page = st.anchors[i][1] if i >= 0 else (st.anchors[0][1] if st.anchors else None)
    for ref in ex.references:
        i = bisect.bisect_right(keys, ref.char_start) - 1
        ref.page = st.anchors[i][1] if i >= 0 else (st.anchors[0][1] if st.anchors else None)


@dataclass
class Reextracted:
    """What re-extracting one document did."""

    document: str
    loaded: LoadResult
    seconds: float


def reextract_document(engine: Engine, doc_id: int, *, run_id: int | None = None) -> Reextracted:
    """Re-extract one stored document and load the result over it (keeping its pipeline version and sources)."""
    t0 = time.perf_counter()
    st = read_stored(engine, doc_id)
    ex = rebuild(st)
    # the text is still what the stored pipeline version read: only the extraction is new
    keep = {"pipeline_version": st.row.pipeline_version, "text_source": st.row.text_source,
            "format": st.row.format}
    loaded = load_document(engine, ex, run_id=run_id, keep=keep, pages=[dict(p._mapping) for p in st.pages])
    return Reextracted(str(st.row.document), loaded, time.perf_counter() - t0)
