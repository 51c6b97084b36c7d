"""Documents as they move through the stages: read (RawDocument) -> normalized (Document) -> Structure."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from extractors.model import EXTRACTOR_VERSION, Figure, Metadata, Reference
from pipeline.pdfium import PdfHandle

BBox = tuple[float, float, float, float]


@dataclass
class Page:
    """One page as read: its text (NFC) and, for PDFs, a box per character."""

    number: int                                   # 1-based
    text: str                                     # NFC; lines separated by "\n"
    boxes: list[BBox | None] | None = None        # one per character of text, PDF points (x0, top, x1, bottom)
    sizes: list[float | None] | None = None       # font size per character, where known
    confidences: list[float | None] | None = None  # 0..1 per character, from OCR words
    width: float | None = None
    height: float | None = None
    source: str = "text-layer"                    # "text-layer" | "ocr"
    triage: str | None = None                     # "good" | "no-text" | "bad-layer" | "legacy" (decoded)
    triage_reason: str | None = None
    repaired: list[bool] | None = None            # per character: changed by OCR numeric/unit repair (D)
    image_coverage: float | None = None           # share of the page area under raster images, PDFs (D)
    rule_paths: int | None = None                 # PDFs: path objects that can form a grid (tables look only there)
    turn: int = 0                                 # OCR'd page image turned this many degrees (PIL) to read upright
    has_text_layer: bool = True                   # False: a PDF page whose text layer held no characters (OCR's work)


@dataclass
class Table:
    """A table as found on a page or in a file: a grid of cell texts."""

    table_id: str                                  # unique within the document, e.g. "p1-t1"
    rows: list[list[str | None]]                   # cell texts, row-major; None for a merged/empty cell
    header_rows: int = 1                           # how many leading rows are column headers
    page: int | None = None
    bbox: BBox | None = None
    cell_boxes: list[list[BBox | None]] | None = None
    unit_line: str | None = None                   # "Đơn vị tính: Triệu đồng" above the table
    title: str | None = None                       # caption / "Phụ lục I ..." line above the table
    source: str = "text-layer"                     # "text-layer" | "ocr" | "docx" | "markdown"


@dataclass(frozen=True)
class PageImage:
    """A picture a Word file shows as a page (a pasted scan): its encoded bytes, pixel and shown size."""

    data: bytes = field(repr=False)
    width_px: int
    height_px: int
    width_pt: float | None = None                  # as shown in the document (wp:extent), where given
    height_pt: float | None = None


@dataclass
class RawDocument:
    """What a reader returns: pages of text, tables, and footnotes given separately (docx/md)."""

    path: str
    sha256: str
    format: str                                    # "pdf" | "docx" | "txt" | "md"
    pages: list[Page]
    tables: list[Table] = field(default_factory=list)
    footnotes: list[tuple[str, str]] = field(default_factory=list)  # (marker, text), where the format keeps them apart
    warnings: list[str] = field(default_factory=list)
    # The open PDF shared by the stages that need its pages (read, OCR rendering, tables); the sequencer
    # closes it when the document is done. None for other formats or once closed.
    pdf: PdfHandle | None = field(default=None, repr=False, compare=False)

    def close(self) -> None:
        """Close the shared PDF handle, if any (idempotent)."""
        if self.pdf is not None:
            self.pdf.close()
    source_format: str | None = None               # the file's real format when read through another ("doc" as "docx")
    # A Word file with no text but pasted page scans: its pictures in order, for the OCR stage (page i+1 = images[i])
    images: list[PageImage] = field(default_factory=list, repr=False, compare=False)


@dataclass(frozen=True)
class Segment:
    """A run of normalized text copied from one page: text[start:end] == page.text[page_start:page_start+end-start]."""

    start: int
    end: int
    page_index: int                                # index into Document.pages
    page_start: int


@dataclass
class Document:
    """A normalized document: one body text (NFC, joined across pages) mapped back to pages."""

    path: str
    sha256: str
    format: str
    text: str
    pages: list[Page]
    segments: list[Segment] = field(default_factory=list)   # sorted by start, non-overlapping
    tables: list[Table] = field(default_factory=list)
    footnote_spans: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, marker) in text
    excluded: list[tuple[int, str, str]] = field(default_factory=list)  # (page, kind, text) kept out of the body
    warnings: list[str] = field(default_factory=list)
    source_format: str | None = None                          # as RawDocument.source_format
    _starts: list[int] = field(default_factory=list, repr=False, compare=False)

    @property
    def text_source(self) -> str:
        """Say whether the text came from text layers, OCR, or both."""
        sources = {p.source for p in self.pages if p.text.strip()}
        if not sources or sources == {"text-layer"}:
            return "text-layer"
        if sources == {"ocr"}:
            return "ocr"
        return "mixed"

    def locate(self, start: int, end: int) -> tuple[int | None, BBox | None, float | None]:
        """Return (page number, union bbox, mean OCR confidence) of text[start:end]."""
        if not self.segments:
            return None, None, None
        if len(self._starts) != len(self.segments):  # built once: locate runs for every figure
            self._starts = [s.start for s in self.segments]
        starts = self._starts
        i = max(bisect.bisect_right(starts, start) - 1, 0)
        page_no: int | None = None
        x0 = top = float("inf")
        x1 = bottom = float("-inf")
        confs: list[float] = []
        while i < len(self.segments) and self.segments[i].start < end:
            seg = self.segments[i]
            lo, hi = max(start, seg.start), min(end, seg.end)
            if lo < hi:
                page = self.pages[seg.page_index]
                if page_no is None:
                    page_no = page.number
                for k in range(seg.page_start + lo - seg.start, seg.page_start + hi - seg.start):
                    if page.boxes is not None and k < len(page.boxes) and page.number == page_no:
                        box = page.boxes[k]
                        if box is not None:
                            x0, top = min(x0, box[0]), min(top, box[1])
                            x1, bottom = max(x1, box[2]), max(bottom, box[3])
                    if page.confidences is not None and k < len(page.confidences):
                        c = page.confidences[k]
                        if c is not None:
                            confs.append(c)
            i += 1
        bbox = (round(x0, 2), round(top, 2), round(x1, 2), round(bottom, 2)) if x0 != float("inf") else None
        conf = sum(confs) / len(confs) if confs else None
        return page_no, bbox, conf


@dataclass
class Block:
    """A structural block of the normalized text."""

    kind: str          # "header" | "title" | "heading" | "paragraph" | "footnote" | "signature" | "recipients"
    start: int
    end: int
    level: int = 0     # heading depth: 1 for "I.", 2 for "1.", 3 for "2.1." ...
    label: str | None = None   # "III", "2", "2.1", "a"
    title: str | None = None   # heading text without its label
    footnote: str | None = None  # footnote marker for footnote blocks
    anchor: int | None = None    # footnote blocks: offset of the marker in the body, where the note belongs


@dataclass
class Structure:
    """Headings, footnotes and other blocks of a document, with look-ups by offset."""

    blocks: list[Block] = field(default_factory=list)

    _index: _BlockIndex | None = field(default=None, init=False, repr=False, compare=False)

    def _indexed(self) -> _BlockIndex:
        # rebuilt when the list changed (extract adds table blocks and re-sorts); list equality compares the
        # same objects by identity (pointer checks in C), and blocks with equal fields answer alike
        if self._index is None or self._index.kept != self.blocks:
            self._index = _BlockIndex(self.blocks)
        return self._index

    def _headings_before(self, offset: int) -> list[Block]:
        idx = self._indexed()
        # a footnote sits at the end of the text but belongs where its marker is
        for b in idx.footnotes:
            if b.start <= offset < b.end:
                offset = b.anchor  # type: ignore[assignment]
                break
        # the blocks read in list order up to the first that starts after offset
        return list(idx.paths[bisect.bisect_right(idx.stops, offset)])

    def section_path(self, offset: int) -> str | None:
        """Return the heading path at offset: 'III > 2 > 2.1 Lĩnh vực phát triển kinh tế'."""
        path = self._headings_before(offset)
        if not path:
            return None
        labels = [b.label or (b.title or "") for b in path[:-1]]
        last = path[-1]
        tail = " ".join(x for x in (last.label, last.title) if x)
        return " > ".join([*labels, tail])

    def heading_titles(self, offset: int) -> list[str]:
        """Return the titles of the headings enclosing offset, outermost first."""
        return [b.title or "" for b in self._headings_before(offset)]

    def block_at(self, offset: int) -> Block | None:
        """Return the innermost (shortest) non-heading block containing offset."""
        idx = self._indexed()
        best: tuple[int, int] | None = None
        k = bisect.bisect_right(idx.starts, offset) - 1
        while k >= 0 and idx.max_end[k] > offset:     # no block at or before k reaches offset once this fails
            n = idx.order[k]
            b = self.blocks[n]
            if b.end > offset and (best is None or (b.end - b.start, n) < best):
                best = (b.end - b.start, n)       # the shortest; the first in list order among equals
            k -= 1
        return self.blocks[best[1]] if best is not None else None

    def footnote_at(self, offset: int) -> str | None:
        """Return the footnote marker if offset lies in a footnote, else None."""
        b = self.block_at(offset)
        return b.footnote if b is not None and b.kind == "footnote" else None


class _BlockIndex:
    """Look-up tables over a Structure's blocks (in their list order) for offsets."""

    def __init__(self, blocks: list[Block]) -> None:
        """Index blocks: heading paths by prefix, non-heading blocks by start."""
        self.kept = list(blocks)
        self.footnotes = [b for b in blocks if b.kind == "footnote" and b.anchor is not None]
        self.stops: list[int] = []          # running maximum of the starts: bisect finds the first start > offset
        self.paths: list[tuple[Block, ...]] = [()]   # paths[i]: the heading path after reading blocks[:i]
        path: list[Block] = []
        top = -1
        for b in blocks:
            top = max(top, b.start)
            self.stops.append(top)
            if b.kind == "heading":
                while path and path[-1].level >= b.level:
                    path.pop()
                path.append(b)
            self.paths.append(tuple(path))
        self.order = sorted((n for n, b in enumerate(blocks) if b.kind != "heading"), key=lambda n: blocks[n].start)
        self.starts = [blocks[n].start for n in self.order]
        self.max_end: list[int] = []        # running maximum of the ends in start order
        end = -1
        for n in self.order:
            end = max(end, blocks[n].end)
            self.max_end.append(end)


@dataclass
class Extracted:
    """Everything the load stage writes for one document."""

    document: Document
    structure: Structure
    metadata: Metadata
    figures: list[Figure]
    references: list[Reference]
    cells: list[dict[str, Any]] = field(default_factory=list)
    restates: dict[int, int] = field(default_factory=dict)  # figure index -> index of the figure it restates
    extractor_version: str = EXTRACTOR_VERSION
