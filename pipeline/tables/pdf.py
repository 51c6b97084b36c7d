"""Tables of text-layer PDF pages, found by pdfplumber only on pages that look like they hold one."""

from __future__ import annotations

import itertools
import operator
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from core.chars import FROM_SUPERSCRIPT
from extractors.table_model import TableSpan, clean, is_numeric_text
from pipeline.model import Document, Page, RawDocument
from pipeline.pdfium import PDFIUM_LOCK, rule_paths
from pipeline.tables.locate import flex_pattern, locate_by_boxes, page_start, search_spans
from pipeline.tables.model import Cell, Grid, build_span, detect_header_rows, has_numbers
from pipeline.tables.ruled import ocr_grids
from pipeline.tables.stitch import continues, stitch

# PDF tables (pdfplumber)

_TEXT_SETTINGS: dict[str, Any] = {
    "vertical_strategy": "text", "horizontal_strategy": "text", "snap_tolerance": 3,
    "join_tolerance": 3, "min_words_vertical": 3, "min_words_horizontal": 2, "text_x_tolerance": 2,
}


def _grid_from_plumber(ptable: Any, page_no: int, source: str) -> Grid:
    texts_all: list[list[str | None]] = ptable.extract()
    # rows with no text at all (the text strategy leaves them between lines) are dropped
    keep = [i for i, row in enumerate(texts_all) if any(c for c in row)] or list(range(len(texts_all)))
    texts = [texts_all[i] for i in keep]
    prow = [ptable.rows[i] for i in keep]
    ncols = max((len(r.cells) for r in prow), default=0)
    nrows = len(prow)
    # column left edges and narrowest right edges; row tops and narrowest bottoms
    col_x: list[tuple[float, float]] = []
    for j in range(ncols):
        xs = [r.cells[j] for r in prow if j < len(r.cells) and r.cells[j] is not None]
        col_x.append((min(b[0] for b in xs), min(b[2] for b in xs)) if xs else (0.0, 0.0))
    row_y: list[tuple[float, float]] = []
    for r in prow:
        ys = [b for b in r.cells if b is not None]
        row_y.append((min(b[1] for b in ys), min(b[3] for b in ys)) if ys else (0.0, 0.0))
    cells: list[Cell] = []
    for i, r in enumerate(prow):
        for j, box in enumerate(r.cells):
            if box is None:
                continue
            x0, top, x1, bottom = box
            colspan = sum(1 for k in range(j, ncols) if x0 - 1 <= (col_x[k][0] + col_x[k][1]) / 2 <= x1 + 1)
            rowspan = sum(1 for k in range(i, nrows) if top - 1 <= (row_y[k][0] + row_y[k][1]) / 2 <= bottom + 1)
            text = texts[i][j] if i < len(texts) and j < len(texts[i]) else ""
            cells.append(Cell(text=" ".join((text or "").split()), row=i, col=j,
                               rowspan=max(rowspan, 1), colspan=max(colspan, 1), bbox=(x0, top, x1, bottom)))
    return Grid(cells=cells, nrows=nrows, ncols=ncols, source=source, page=page_no, bbox=tuple(ptable.bbox))


Word = dict[str, Any]          # a word as pdfplumber gives it: x0, x1, top, bottom (and text)
_WORD_RE = re.compile(r"\S+")

_NUM_TOKEN_RE = re.compile(r"(?<![\w/.,-])\d[\d.,]*%?(?![\w/])")


def rule_path_counts(source: str | Any) -> list[int]:
    """Count, on each page, the vector path objects that can form a grid (rules, cell borders), with pypdfium2.

    source: a file path, or a pypdfium2 PdfDocument already open (left open), so a caller that opens each PDF
    once can share it.
    """
    import pypdfium2 as pdfium

    # pdfium is not thread-safe, even across documents: every call under the process-wide lock, taken page by
    # page so another document's reading or OCR rendering can go on in between
    owned = isinstance(source, str)
    with PDFIUM_LOCK:
        pdf: Any = pdfium.PdfDocument(source) if owned else source
        n_pages = len(pdf)
    try:
        counts: list[int] = []
        for i in range(n_pages):
            with PDFIUM_LOCK:
                page = pdf[i]
                try:
                    counts.append(rule_paths(page))
                finally:
                    page.close()
        return counts
    finally:
        if owned:
            with PDFIUM_LOCK:
                pdf.close()


#: A gap wider than this between two words of a line separates two columns (points).
COLUMN_GAP = 12.0
#: Path objects (rules, cell borders) a page needs before pdfplumber looks for ruled tables on it.
MIN_RULE_PATHS = 8


def _bands(words: Sequence[Word], gap: float = COLUMN_GAP) -> list[tuple[float, float]]:
    """Return the (top, bottom) bands of runs of 3+ lines whose words stand apart in 3+ columns."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - w["top"]) <= 2:
            lines[-1].append(w)
        else:
            lines.append([w])
    flags = []
    for line in lines:
        line.sort(key=lambda w: w["x0"])
        wide = sum(1 for a, b in itertools.pairwise(line) if b["x0"] - a["x1"] > gap)
        flags.append(wide >= 2)
    bands: list[tuple[float, float]] = []
    k = 0
    while k < len(lines):
        if not flags[k]:
            k += 1
            continue
        j = k
        while j + 1 < len(lines) and flags[j + 1]:
            j += 1
        if j - k + 1 >= 3:
            bands.append((min(w["top"] for w in lines[k]) - 2, max(w["bottom"] for w in lines[j]) + 2))
        k = j + 1
    return bands


def _aligned_bands(page: Any) -> list[tuple[float, float]]:
    """Return the bands of a pdfplumber page whose words form 3+ columns over 3+ lines."""
    return _bands(page.extract_words(x_tolerance=1.5))


_X0, _X1 = operator.itemgetter(0), operator.itemgetter(2)


def _line_gaps(page: Page) -> list[list[float]]:
    """Return, for each line of a read page, the gaps between its words (points, from the character boxes)."""
    out: list[list[float]] = []
    boxes = page.boxes or []
    pos = 0
    for line in page.text.split("\n"):
        spans: list[tuple[float, float]] = []          # (x0, x1) of each word of the line
        for m in _WORD_RE.finditer(line):
            xs = [b for b in boxes[pos + m.start(): pos + m.end()] if b is not None]
            if xs:
                spans.append((min(map(_X0, xs)), max(map(_X1, xs))))     # map over itemgetter: a loop in C
        spans.sort()
        out.append([b[0] - a[1] for a, b in itertools.pairwise(spans)])
        pos += len(line) + 1
    return out


def has_columns(page: Page) -> bool:
    """Say whether a read page has rows of numbers whose words stand in 3+ columns (a table without rules).

    Decided from the reader's character boxes, so pdfplumber (slow: it parses the whole page) runs only on
    pages where it can find something.
    """
    if page.boxes is None:
        return True                 # nothing to decide from: let pdfplumber look
    if _number_lines(page.text) < 3:
        return False
    run = 0
    for gaps in _line_gaps(page):
        run = run + 1 if sum(1 for g in gaps if g > COLUMN_GAP) >= 2 else 0
        if run >= 3:
            return True             # three lines in a row with three columns or more: as _bands asks
    return False


def _aligned_tables(page: Any) -> list[Any]:
    """Find whitespace-aligned tables (no rules) with pdfplumber's text strategy, each within its band."""
    out = []
    for top, bottom in _aligned_bands(page):
        crop = page.crop((0, max(0.0, top), page.width, min(float(page.height), bottom)))
        for t in crop.find_tables(_TEXT_SETTINGS):
            grid_rows = [r for r in t.extract() if any(c for c in r)]
            cells = [c for row in grid_rows for c in row if c]
            numeric = sum(1 for c in cells if is_numeric_text(c))
            if len(grid_rows) >= 3 and len(grid_rows[0]) >= 3 and numeric >= 4 and numeric >= 0.3 * len(cells):
                out.append(t)
    return out


def _reassign_header_words(page: Any, grid: Grid) -> None:
    """Give whole header phrases to columns in a table without rules.

    The text strategy draws column edges from the (right-aligned) numbers, which can cut a left-aligned
    header ("Kế | hoạch Th | ực hiện"); each phrase goes to the column it overlaps most.
    """
    rows: dict[int, list[str | None]] = {}
    for cell in grid.cells:
        rows.setdefault(cell.row, [None] * grid.ncols)[cell.col] = cell.text
    header_rows = detect_header_rows([rows.get(r, [None] * grid.ncols) for r in range(grid.nrows)])
    words = page.extract_words(x_tolerance=1.5)
    for r in range(header_rows):
        cells = sorted((c for c in grid.cells if c.row == r and c.bbox is not None), key=lambda c: c.col)
        if not cells:
            continue
        top = min(c.bbox[1] for c in cells if c.bbox)
        bottom = max(c.bbox[3] for c in cells if c.bbox)
        band = sorted((w for w in words if top - 1 <= (w["top"] + w["bottom"]) / 2 <= bottom + 1),
                      key=lambda w: (round(w["top"]), w["x0"]))
        phrases: list[tuple[float, float, str]] = []
        for w in band:
            if phrases and 0 <= w["x0"] - phrases[-1][1] <= 6:
                x0, _, text = phrases[-1]
                phrases[-1] = (x0, w["x1"], f"{text} {w['text']}")
            else:
                phrases.append((w["x0"], w["x1"], w["text"]))
        texts: dict[int, list[str]] = {}
        for x0, x1, text in phrases:
            def overlap(c: Cell, x0: float = x0, x1: float = x1) -> float:
                assert c.bbox is not None
                return min(x1, c.bbox[2]) - max(x0, c.bbox[0])
            best = max(cells, key=overlap)
            texts.setdefault(id(best), []).append(text)
        for c in cells:
            c.text = unicodedata.normalize("NFC", " ".join(texts.get(id(c), [])))


def _number_lines(text: str) -> int:
    """Count the lines holding two or more standalone numbers (rows of a table without rules)."""
    return sum(1 for line in text.split("\n") if len(_NUM_TOKEN_RE.findall(line)) >= 2)


def pdf_grids(path: str, doc: Document | None = None) -> list[tuple[int, Grid]]:
    """Find ruled tables (and, on pages with rows of numbers but no rules, whitespace-aligned ones).

    pdfplumber parses a page only when asked, and parsing is the slow part (8 of 10 s of extraction on a
    275-page report): it is asked for ruled tables only where pypdfium2's path objects can form a grid
    (rule_path_counts), for aligned ones only where the reader's character boxes show rows of numbers in
    columns (has_columns), and never on pages whose text was replaced by OCR (a bad or missing text layer).
    """
    import pdfplumber

    counted = [p.rule_paths for p in doc.pages] if doc is not None else []
    if counted and all(n is not None for n in counted):
        paths = [n for n in counted if n is not None]     # counted by read on the page load it already had
    else:
        try:
            paths = rule_path_counts(path)
        except Exception:           # pypdfium2 cannot open it: let pdfplumber look at every page
            paths = []
    def wanted(pi: int) -> bool:
        dpage = doc.pages[pi] if doc is not None and pi < len(doc.pages) else None
        if dpage is None:
            return True
        if dpage.source == "ocr" or dpage.triage in ("bad-layer", "no-text"):
            return False
        return _may_be_ruled(pi, paths) or has_columns(dpage)   # else pdfplumber would find nothing

    out: list[tuple[int, Grid]] = []
    want = [wanted(pi) for pi in range(len(doc.pages))] if doc is not None else []
    if paths and len(paths) == len(want) and not any(want):
        return out                  # not even opened: pdfplumber reads the whole page tree on open
    try:
        pdf = pdfplumber.open(path)
        pages = list(pdf.pages)
    except Exception as e:          # pdfminer cannot parse a damaged file that pdfium read: tables lost, not text
        if doc is not None:
            doc.warnings.append(f"tables not read: pdfplumber cannot parse the PDF ({type(e).__name__}: {e}); "
                                "its text and prose figures are kept")
        return out
    with pdf:
        for pi, page in enumerate(pages):
            if not (want[pi] if pi < len(want) else wanted(pi)):
                continue
            dpage = doc.pages[pi] if doc is not None and pi < len(doc.pages) else None
            try:
                out.extend((pi, g) for g in _page_grids(page, pi, dpage, paths))
            except Exception as e:   # a page pdfplumber cannot parse loses its tables, not the document
                if doc is not None:
                    doc.warnings.append(f"page {pi + 1}: tables not read ({type(e).__name__}: {e}); "
                                        "its text and prose figures are kept")
    return out


def _may_be_ruled(pi: int, paths: list[int]) -> bool:
    """Say whether a page draws enough paths to hold a ruled table (every page, when they were not counted)."""
    return not paths or pi >= len(paths) or paths[pi] >= MIN_RULE_PATHS


def _page_grids(page: Any, pi: int, dpage: Page | None, paths: list[int]) -> list[Grid]:
    """Return the ruled (else whitespace-aligned) tables of one pdfplumber page."""
    ruled: list[Any] = []
    if _may_be_ruled(pi, paths):
        ruled = [t for t in page.find_tables() if len(t.rows) >= 2 and max(len(r.cells) for r in t.rows) >= 2]
    aligned: list[Any] = []
    if not ruled and (dpage is None or has_columns(dpage)) and page.chars:
        aligned = _aligned_tables(page)
    out: list[Grid] = []
    for t in sorted(ruled + aligned, key=lambda t: t.bbox[1]):
        grid = _grid_from_plumber(t, page.page_number, "text-layer")
        if aligned:
            _reassign_header_words(page, grid)
        top = max(0.0, t.bbox[1] - 140)
        above = page.crop((0, top, page.width, max(top + 1, t.bbox[1]))).extract_text() or ""
        grid.context_before = unicodedata.normalize("NFC", above)
        out.append(grid)
    return out



def pdf_tables(doc: Document, raw: RawDocument) -> list[TableSpan]:
    out: list[TableSpan] = []
    last_pi = -1
    prev_pi = -2
    grids = pdf_grids(raw.path, doc)
    if any(p.source == "ocr" for p in doc.pages):
        grids = sorted(grids + ocr_grids(doc, raw.path), key=lambda pg: (pg[0], (pg[1].bbox or (0, 0))[1]))
    for pi, grid in grids:
        # OCR grids were located against the deskewed image already
        if grid.source != "ocr" and pi < len(doc.pages) and not locate_by_boxes(doc, pi, grid.cells):
            search_spans(doc.text, sorted(grid.cells, key=lambda c: (c.row, c.col)), page_start(doc, pi))
        for cell in grid.cells:
            # a header phrase given back to its column: find it next to where its characters were
            if cell.span is not None and cell.text and clean(doc.text[cell.span[0]:cell.span[1]]) != cell.text:
                pat = flex_pattern(cell.text)
                m = pat.search(doc.text, max(0, cell.span[0] - 80), cell.span[1] + 80) if pat else None
                if m is not None:
                    cell.span = (m.start(), m.end())
            # pdfplumber flattens raised digits ("10⁶ m³" -> "106 m3"); the page text marks them: take its reading
            if cell.span is not None and cell.text:
                located = clean(doc.text[cell.span[0]:cell.span[1]])
                if located != cell.text and located.translate(FROM_SUPERSCRIPT) == cell.text:
                    cell.text = located
        ts = build_span(grid, f"p{grid.page}-t{sum(1 for t in out if t.table.page == grid.page) + 1}")
        if out and continues(out[-1], prev_pi, ts, pi, pi != last_pi, grid.context_before):
            stitch(out[-1], ts)
            prev_pi = pi
        else:
            if not has_numbers(ts):
                last_pi = pi
                continue
            ts.table.table_id = f"p{grid.page}-t{sum(1 for t in out if t.table.page == grid.page) + 1}"
            out.append(ts)
            prev_pi = pi
        last_pi = pi
    return out


