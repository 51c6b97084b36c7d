"""Extract stage: figures (prose and tables), references and metadata of a normalized document."""

from __future__ import annotations

from extractors import extract, extract_metadata, extract_references
from extractors.model import Figure
from extractors.table import link_restated, table_figures
from pipeline.model import Document, Extracted, RawDocument, Structure
from pipeline.tables import TableSpan, detect_tables, table_blocks, table_cells

#: Below this mean OCR word confidence a figure is flagged ocr_low_confidence.
LOW_OCR_CONFIDENCE = 0.6


def locate_figure(doc: Document, fig: Figure) -> None:
    """Fill page, bbox, and OCR confidence/flags of fig from the document's offset map."""
    page_no, bbox, conf = doc.locate(fig.char_start, fig.char_end)
    fig.page, fig.bbox = page_no, bbox
    if page_no is None:
        return
    page = next(p for p in doc.pages if p.number == page_no)
    if page.source == "ocr":
        if fig.source == "text-layer":
            fig.source = "ocr"
        if conf is not None:
            fig.confidence = round(min(fig.confidence, conf), 3)
            if conf < LOW_OCR_CONFIDENCE:
                fig.add_flag("ocr_low_confidence")
        if _repaired_in(doc, fig.char_start, fig.char_end):
            fig.add_flag("ocr_repaired")


def _repaired_in(doc: Document, start: int, end: int) -> bool:
    for seg in doc.segments:
        if seg.end <= start or seg.start >= end:
            continue
        page = doc.pages[seg.page_index]
        marks = getattr(page, "repaired", None)
        if not marks:
            continue
        lo = seg.page_start + max(start, seg.start) - seg.start
        hi = seg.page_start + min(end, seg.end) - seg.start
        if any(marks[lo:hi]):
            return True
    return False


def tables_stage(doc: Document, structure: Structure, raw: RawDocument) -> list[TableSpan]:
    """Find the document's tables and add their cells to the structure as table blocks."""
    spans = detect_tables(doc, raw)
    # Only the cells are table text: a note between or under a table's rows stays prose.
    structure.blocks.extend(table_blocks(spans, doc.text))
    structure.blocks.sort(key=lambda b: (b.start, -b.end))
    return spans


def extract_stage(doc: Document, structure: Structure, raw: RawDocument,
                  spans: list[TableSpan] | None = None) -> Extracted:
    """Extract prose figures, table figures, references and metadata (finding the tables first if not given)."""
    if spans is None:
        spans = tables_stage(doc, structure, raw)
    prose = extract(doc.text, structure)
    tabular = [f for span in spans for f in table_figures(span, doc.text)]
    offset = len(prose)
    for f in tabular:
        if f.part_of is not None:
            f.part_of += offset
    figures = prose + tabular
    restates = {offset + t: p for t, p in link_restated(tabular, prose)}
    # Only PDFs have pages; the contract keeps page (and bbox) null for text and Word sources, except a Word
    # file of pasted scans read by OCR: page is the picture's order, bbox in points of the picture as shown.
    paged = doc.format == "pdf" or doc.text_source == "ocr"
    if paged:
        for fig in figures:
            locate_figure(doc, fig)
    refs = extract_references(doc.text, unique=True)  # one row per cited document, first mention's place
    for ref in refs:
        ref.page = doc.locate(ref.char_start, ref.char_end)[0] if paged else None
        ref.in_footnote = structure.footnote_at(ref.char_start) is not None
    metadata = extract_metadata(doc.text, structure)
    return Extracted(document=doc, structure=structure, metadata=metadata, figures=figures, references=refs,
                     cells=table_cells(spans), restates=restates)
