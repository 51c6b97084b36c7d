"""Find tables in a document and locate every cell in its normalized text.

Sources: text-layer PDFs (pdfplumber: ruled tables by their lines, whitespace-aligned ones by the text
strategy), .docx tables (RawDocument.tables), Markdown pipe tables, and the flattened "one cell per line
between | lines" tables of web-converted text. Tables that run on across PDF pages are stitched; merged
header cells are spread over their columns; multi-row headers are combined into one name per column.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline.model import BBox, Block, Document, Page, RawDocument, Table
from pipeline.pdfium import PDFIUM_LOCK

VOCAB_PATH = Path(__file__).resolve().parent.parent / "extractors" / "data" / "vi" / "table_headers.yaml"

#: Joins the names of stacked header cells: "Trả nợ trong kỳ Gốc" (parts kept in TableSpan.column_parts).
HEADER_JOIN = " "

Span = tuple[int, int]


# --------------------------------------------------------------------------------------------------
# Vocabulary


@dataclass(frozen=True)
class TableVocab:
    """Header words, unit words and total labels from table_headers.yaml."""

    label_headers: tuple[str, ...]
    stt_headers: tuple[str, ...]
    unit_headers: tuple[str, ...]
    total_labels: tuple[str, ...]
    non_value_headers: tuple[str, ...]
    percent_headers: tuple[str, ...]
    scales: dict[str, int]
    units: dict[str, tuple[str, str, int]]
    count_nouns: tuple[str, ...]
    unit_line_keys: tuple[str, ...]
    title_words: tuple[str, ...]


@functools.cache
def vocab() -> TableVocab:
    """Load and validate the table vocabulary once."""
    data = yaml.safe_load(VOCAB_PATH.read_text(encoding="utf-8"))
    lists = ("label_headers", "stt_headers", "unit_headers", "total_labels", "non_value_headers",
             "percent_headers", "count_nouns", "unit_line_keys", "title_words")
    for key in (*lists, "scales", "units"):
        if key not in data:
            raise ValueError(f"{VOCAB_PATH}: missing section {key!r}; add it (see the other sections)")
    units: dict[str, tuple[str, str, int]] = {}
    for word, spec in data["units"].items():
        if not (isinstance(spec, list) and len(spec) == 3):
            raise ValueError(f"{VOCAB_PATH}: unit {word!r} must be [kind, unit, factor]")
        units[_norm(str(word))] = (str(spec[0]), str(spec[1]), int(spec[2]))
    return TableVocab(
        **{k: tuple(_norm(str(x)) for x in data[k]) for k in lists},
        scales={_norm(str(k)): int(v) for k, v in data["scales"].items()},
        units=units,
    )


def _norm(s: str) -> str:
    """Lower-case, NFC, collapse whitespace, drop emphasis markers."""
    s = unicodedata.normalize("NFC", s).replace("*", " ").lower()
    return " ".join(s.split())


def _clean(s: str) -> str:
    """Collapse whitespace and drop Markdown emphasis markers from a cell's text."""
    s = re.sub(r"\*+", " ", s)
    return " ".join(s.split())


def _header_key(s: str) -> str:
    """Normalize a header for vocabulary look-up: lower-case, no stray marks at either end ("= Đơn vị tính")."""
    return re.sub(r"^[^\w%(]+|[^\w%)]+$", "", _norm(s))


def is_header_in(header: str, words: Iterable[str], *, prefix: bool = False) -> bool:
    """Say whether a header equals (or, with prefix, starts with) one of the vocabulary words."""
    key = _header_key(header)
    return any(key == w or (prefix and key.startswith(w + " ")) for w in words)


# --------------------------------------------------------------------------------------------------
# Shapes of cell texts

_STT_RE = re.compile(r"^(?:[0-9]{1,3}(?:\.[0-9]{1,3})*|[IVXLC]{1,7}|[a-zđ]|[+\-–•])[.)]?$")
_NUMERIC_RE = re.compile(r"^[(\[]?[+\-−]?\s?[0-9][0-9.,\s]*%?[)\]]?$")
_YEAR_RE = re.compile(r"^(?:19|20)[0-9]{2}$")
_LISTED_RE = re.compile(r"^(?:[0-9]{1,2}(?:\.[0-9]{1,2})*[.)]|[IVX]{1,4}\.|[a-zđ]\)|[-+•])\s+\S")
_RATIO_CELL_RE = re.compile(r"^[0-9]{1,4}\s*/\s*[0-9]{1,4}$")
_NUMBERING_RE = re.compile(r"^\(?[0-9a-zđ]{1,2}\)?(?:\s*[=*/+\-x]\s*[0-9a-zđ()+\-*/x\s]*)?$", re.IGNORECASE)


def is_numeric_text(s: str | None) -> bool:
    """Say whether a cell's text is a number (with optional %), not a label."""
    if not s:
        return False
    t = _clean(s)
    return bool(_NUMERIC_RE.match(t)) and any(c.isdigit() for c in t)


def _is_stt(s: str | None) -> bool:
    return bool(s) and bool(_STT_RE.match(_clean(s or "")))


def _is_numbering_row(texts: Sequence[str | None]) -> bool:
    """Say whether a row is the column-numbering row under a header: "a | b | 1 | 2 | 3"."""
    vals = [_clean(t) for t in texts if t is not None and _clean(t)]
    if len(vals) < 3 or len(vals) < 0.6 * len(texts):
        return False
    if not all(_NUMBERING_RE.match(v) for v in vals):
        return False
    digits = [int(m.group(1)) for v in vals if (m := re.match(r"\(?([0-9]+)", v))]
    # the digits count up: 1 2 3 ... (or start further on)
    return len(digits) >= 2 and all(b == a + 1 for a, b in itertools.pairwise(digits))


def _looks_data(texts: Sequence[str | None]) -> bool:
    """Say whether a row holds data: an ordinal first cell or a number that is not a year."""
    vals = [t for t in texts if t]
    if not vals:
        return False
    if _is_stt(vals[0]) and len(vals) > 1:
        return True
    if _LISTED_RE.match(_clean(vals[0])):
        return True             # "1. Cấp tỉnh", "- Tỉ lệ đạt", "a) …": a listed item, not a header
    return any((is_numeric_text(v) or _RATIO_CELL_RE.match(_clean(v))) and not _YEAR_RE.match(_clean(v))
               for v in vals[1:])


# --------------------------------------------------------------------------------------------------
# The result


@dataclass
class TableSpan:
    """A table found in a document, with its cells located in the normalized text."""

    table: Table
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
                return _clean(text)
        for c, text in enumerate(row):
            if c in (self.stt_col, self.unit_col) or not text:
                continue
            if not is_numeric_text(text):
                return _clean(text)
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


# --------------------------------------------------------------------------------------------------
# Building a table from cells


@dataclass
class _Cell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    span: Span | None = None
    bbox: BBox | None = None


@dataclass
class _Grid:
    cells: list[_Cell]
    nrows: int
    ncols: int
    source: str
    page: int | None = None
    bbox: BBox | None = None
    header_rows: int | None = None    # forced by the source (flattened tables), else detected
    unit_line: str | None = None
    title: str | None = None
    context_before: str = ""          # text just above the table, for the unit line and title


def _detect_header_rows(rows: list[list[str | None]]) -> int:
    if not rows:
        return 0
    if _looks_data(rows[0]) and not _is_numbering_row(rows[0]) and sum(map(is_numeric_text, rows[0])) >= 2:
        return 0
    for r in range(1, min(len(rows), 7)):
        if _is_numbering_row(rows[r]):
            continue
        if _looks_data(rows[r]):
            return r
    return 1


_UNIT_LINE_RE = re.compile(
    r"(?:đơn\s+vị\s+tính|đơn\s+vị|đvt)\s*[:：]\s*(?P<unit>[^\n;|]+)", re.IGNORECASE
)
_TITLE_RE = re.compile(r"^[\s*]*(?:phụ\s+lục|biểu|bảng|mẫu\s+biểu)\b.*$", re.IGNORECASE | re.MULTILINE)


def find_unit_line(text: str) -> str | None:
    """Return the unit of the last "Đơn vị tính: …" line in text ("Triệu đồng"), or None."""
    found = None
    for m in _UNIT_LINE_RE.finditer(text):
        unit = _clean(m.group("unit")).strip(" .,()*")
        if unit:
            found = unit
    return found


def _build(grid: _Grid, table_id: str) -> TableSpan:
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
    header_rows = grid.header_rows if grid.header_rows is not None else _detect_header_rows(rows)
    numbering = [r for r in range(header_rows) if _is_numbering_row(rows[r])]
    column_parts: list[list[str]] = []
    for c in range(grid.ncols):
        parts: list[str] = []
        for cell in sorted(grid.cells, key=lambda x: x.row):
            if cell.row >= header_rows or cell.row in numbering:
                continue
            if cell.col <= c < cell.col + cell.colspan:
                t = _clean(cell.text)
                if t and (not parts or parts[-1] != t):
                    parts.append(t)
        column_parts.append(parts)
    columns = [HEADER_JOIN.join(p) for p in column_parts]
    v = vocab()
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
    if label_col is None:
        # the first column whose data cells are mostly text
        for c in range(grid.ncols):
            if c in (stt_col, unit_col):
                continue
            vals = [rows[r][c] for r in range(header_rows, grid.nrows) if rows[r][c]]
            if vals and sum(1 for x in vals if not is_numeric_text(x) and not _is_stt(x)) >= 0.6 * len(vals):
                label_col = c
                break
    if stt_col is None and grid.ncols > 1 and label_col != 0:
        vals0 = [rows[r][0] for r in range(header_rows, grid.nrows) if rows[r][0]]
        if vals0 and all(_is_stt(x) for x in vals0):
            stt_col = 0
    unit = grid.unit_line or find_unit_line(grid.context_before)
    if unit is None:
        for r in range(header_rows):
            for cell_text in rows[r]:
                if cell_text and _UNIT_LINE_RE.search(cell_text):
                    unit = find_unit_line(cell_text)
    title = grid.title
    if title is None:
        titles = _TITLE_RE.findall(grid.context_before)
        title = _clean(titles[-1]) if titles else None
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


def _has_numbers(ts: TableSpan) -> bool:
    rows = ts.table.rows
    for r in range(ts.header_rows, len(rows)):
        for c, t in enumerate(rows[r]):
            if c != ts.stt_col and is_numeric_text(t):
                return True
    return False


# --------------------------------------------------------------------------------------------------
# Units


@dataclass(frozen=True)
class UnitSpec:
    """What a unit phrase means: kind, canonical unit, factor to it, and the rate denominator."""

    kind: str
    unit: str
    factor: int
    per: str | None = None


def parse_unit(text: str) -> UnitSpec | None:
    """Read a unit phrase of a header or ĐVT cell: "Triệu đồng" -> money, VND, 1e6."""
    v = vocab()
    t = _norm(text).strip(" .:()")
    t = re.sub(r"^\((.*)\)$", r"\1", t).strip()
    if not t:
        return None
    if t in v.units:
        kind, unit, factor = v.units[t]
        return UnitSpec(kind, unit, factor)
    base, _, rest = t.partition("/")
    base = base.strip()
    per = " ".join(rest.replace(" /", "/").split()) or None
    factor = 1
    counted = re.match(r"^(\d+(?:\.\d{3})*)\s*(?=[^\W\d_])", base)   # "1000con", "1.000 người"
    if counted:
        factor, base = int(counted.group(1).replace(".", "")), base[counted.end():].strip()
    for scale, mult in sorted(v.scales.items(), key=lambda kv: -len(kv[0])):
        if base.startswith(scale) and (len(base) == len(scale) or not base[len(scale)].isalpha()):
            factor, base = factor * mult, base[len(scale):].strip(" .")
            break
    if base in v.units:
        kind, unit, f = v.units[base]
        return UnitSpec(kind, unit, factor * f, per)
    if base in v.count_nouns or (
        base and re.fullmatch(r"[^\W\d_]+(?: [^\W\d_]+){0,2}", base) and factor > 1
    ):
        return UnitSpec("count", "count", factor, per)
    if base in v.count_nouns:
        return UnitSpec("count", "count", factor, per)
    return None


# --------------------------------------------------------------------------------------------------
# Locating cell text in doc.text


def _flex_pattern(text: str) -> re.Pattern[str] | None:
    words = _clean(text).split()
    if not words:
        return None
    return re.compile(r"[\s*]+".join(re.escape(w) for w in words))


def _search_spans(text: str, cells: list[_Cell], start: int = 0, window: int = 4000) -> int:
    """Locate cells in reading order by searching their text forward from start; return the cursor."""
    cursor = start
    for cell in cells:
        pat = _flex_pattern(cell.text)
        if pat is None:
            continue
        m = pat.search(text, cursor, min(len(text), cursor + window))
        if m is None:
            continue
        cell.span = (m.start(), m.end())
        cursor = m.end()
    return cursor


def _page_to_doc(doc: Document, page_index: int) -> list[int | None]:
    """Return, for each char of page page_index, its offset in doc.text (None where not copied)."""
    out: list[int | None] = [None] * len(doc.pages[page_index].text)
    for seg in doc.segments:
        if seg.page_index == page_index:
            for k in range(seg.end - seg.start):
                if seg.page_start + k < len(out):
                    out[seg.page_start + k] = seg.start + k
    return out


def _map_span(mapping: list[int | None], span: Span) -> Span | None:
    """Map a (start, end) span of page text to doc.text through the copied characters."""
    inside = [mapping[k] for k in range(span[0], min(span[1], len(mapping))) if mapping[k] is not None]
    if not inside:
        return None
    return (min(x for x in inside if x is not None), max(x for x in inside if x is not None) + 1)


def _locate_by_boxes(doc: Document, page_index: int, cells: list[_Cell],
                     transform: Callable[[float, float], tuple[float, float]] | None = None) -> bool:
    """Locate cells through the characters whose boxes fall inside each cell's bbox.

    transform maps a character's centre (page points) into the cells' coordinates (a deskewed image).
    """
    page = doc.pages[page_index]
    if page.boxes is None or not doc.segments:
        return False
    mapping = _page_to_doc(doc, page_index)
    if not any(x is not None for x in mapping):
        return False
    centres: list[tuple[float, float, int]] = []
    for k, box in enumerate(page.boxes):
        if box is None or k >= len(page.text) or page.text[k].isspace():
            continue
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        if transform is not None:
            cx, cy = transform(cx, cy)
        centres.append((cx, cy, k))
    for cell in cells:
        if cell.bbox is None:
            continue
        x0, top, x1, bottom = cell.bbox
        offs = sorted(o for cx, cy, k in centres if x0 <= cx <= x1 and top <= cy <= bottom
                      and k < len(mapping) and (o := mapping[k]) is not None)
        if offs:
            cell.span = (offs[0], offs[-1] + 1)
            # the cell's text as the normalized text spells it (the reader may space words pdfplumber joins)
            parts: list[str] = []
            for i, o in enumerate(offs):
                if i and o != offs[i - 1] + 1:
                    parts.append(" ")
                parts.append(doc.text[o])
            seen = _clean("".join(parts))
            if not cell.text or seen.replace(" ", "") == cell.text.replace(" ", ""):
                cell.text = seen
    return True


# --------------------------------------------------------------------------------------------------
# PDF tables (pdfplumber)

_TEXT_SETTINGS: dict[str, Any] = {
    "vertical_strategy": "text", "horizontal_strategy": "text", "snap_tolerance": 3,
    "join_tolerance": 3, "min_words_vertical": 3, "min_words_horizontal": 2, "text_x_tolerance": 2,
}


def _grid_from_plumber(ptable: Any, page_no: int, source: str) -> _Grid:
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
    cells: list[_Cell] = []
    for i, r in enumerate(prow):
        for j, box in enumerate(r.cells):
            if box is None:
                continue
            x0, top, x1, bottom = box
            colspan = sum(1 for k in range(j, ncols) if x0 - 1 <= (col_x[k][0] + col_x[k][1]) / 2 <= x1 + 1)
            rowspan = sum(1 for k in range(i, nrows) if top - 1 <= (row_y[k][0] + row_y[k][1]) / 2 <= bottom + 1)
            text = texts[i][j] if i < len(texts) and j < len(texts[i]) else ""
            cells.append(_Cell(text=" ".join((text or "").split()), row=i, col=j,
                               rowspan=max(rowspan, 1), colspan=max(colspan, 1), bbox=(x0, top, x1, bottom)))
    return _Grid(cells=cells, nrows=nrows, ncols=ncols, source=source, page=page_no, bbox=tuple(ptable.bbox))


_NUM_TOKEN_RE = re.compile(r"(?<![\w/.,-])\d[\d.,]*%?(?![\w/])")


def _path_counts(path: str) -> list[int]:
    """Count the vector path objects (rules, cell borders) on each page, cheaply, with pypdfium2."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    # pdfium is not thread-safe, even across documents: every call under the process-wide lock, taken page by
    # page so another document's reading or OCR rendering can go on in between
    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(path)
        n_pages = len(pdf)
    try:
        counts: list[int] = []
        for i in range(n_pages):
            with PDFIUM_LOCK:
                page = pdf[i]
                try:
                    counts.append(sum(1 for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=3)))
                finally:
                    page.close()
        return counts
    finally:
        with PDFIUM_LOCK:
            pdf.close()


def _aligned_bands(page: Any, gap: float = 12.0) -> list[tuple[float, float]]:
    """Return the (top, bottom) bands of runs of 3+ lines whose words stand apart in 3+ columns."""
    words = page.extract_words(x_tolerance=1.5)
    lines: list[list[Any]] = []
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


def _reassign_header_words(page: Any, grid: _Grid) -> None:
    """Give whole header phrases to columns in a table without rules.

    The text strategy draws column edges from the (right-aligned) numbers, which can cut a left-aligned
    header ("Kế | hoạch Th | ực hiện"); each phrase goes to the column it overlaps most.
    """
    rows: dict[int, list[str | None]] = {}
    for cell in grid.cells:
        rows.setdefault(cell.row, [None] * grid.ncols)[cell.col] = cell.text
    header_rows = _detect_header_rows([rows.get(r, [None] * grid.ncols) for r in range(grid.nrows)])
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
            def overlap(c: _Cell, x0: float = x0, x1: float = x1) -> float:
                assert c.bbox is not None
                return min(x1, c.bbox[2]) - max(x0, c.bbox[0])
            best = max(cells, key=overlap)
            texts.setdefault(id(best), []).append(text)
        for c in cells:
            c.text = unicodedata.normalize("NFC", " ".join(texts.get(id(c), [])))


def _number_lines(text: str) -> int:
    """Count the lines holding two or more standalone numbers (rows of a table without rules)."""
    return sum(1 for line in text.split("\n") if len(_NUM_TOKEN_RE.findall(line)) >= 2)


def _pdf_grids(path: str, doc: Document | None = None) -> list[tuple[int, _Grid]]:
    """Find ruled tables (and, on pages with rows of numbers but no rules, whitespace-aligned ones).

    pdfplumber parses a page only when asked, and parsing is the slow part: pages with no drawn lines are
    not searched for ruled tables, pages without rows of numbers not for aligned ones, and pages whose
    text was replaced by OCR (a bad or missing text layer) not at all.
    """
    import pdfplumber

    try:
        paths = _path_counts(path)
    except Exception:           # pypdfium2 cannot open it: let pdfplumber look at every page
        paths = []
    out: list[tuple[int, _Grid]] = []
    with pdfplumber.open(path) as pdf:
        for pi, page in enumerate(pdf.pages):
            dpage = doc.pages[pi] if doc is not None and pi < len(doc.pages) else None
            if dpage is not None and (dpage.source == "ocr" or dpage.triage in ("bad-layer", "no-text")):
                continue
            try:
                out.extend((pi, g) for g in _page_grids(page, pi, dpage, paths))
            except Exception as e:   # a page pdfplumber cannot parse loses its tables, not the document
                if doc is not None:
                    doc.warnings.append(f"page {pi + 1}: tables not read ({type(e).__name__}: {e}); "
                                        "its text and prose figures are kept")
    return out


def _page_grids(page: Any, pi: int, dpage: Page | None, paths: list[int]) -> list[_Grid]:
    """Return the ruled (else whitespace-aligned) tables of one pdfplumber page."""
    ruled: list[Any] = []
    if not paths or pi >= len(paths) or paths[pi] >= 8:
        ruled = [t for t in page.find_tables() if len(t.rows) >= 2 and max(len(r.cells) for r in t.rows) >= 2]
    aligned: list[Any] = []
    if not ruled and (dpage is None or _number_lines(dpage.text) >= 3) and page.chars:
        aligned = _aligned_tables(page)
    out: list[_Grid] = []
    for t in sorted(ruled + aligned, key=lambda t: t.bbox[1]):
        grid = _grid_from_plumber(t, page.page_number, "text-layer")
        if aligned:
            _reassign_header_words(page, grid)
        top = max(0.0, t.bbox[1] - 140)
        above = page.crop((0, top, page.width, max(top + 1, t.bbox[1]))).extract_text() or ""
        grid.context_before = unicodedata.normalize("NFC", above)
        out.append(grid)
    return out


# --------------------------------------------------------------------------------------------------
# OCR'd pages: ruling lines found in the page image, cells filled with the OCR words inside them

OCR_TABLE_DPI = 100            # enough to see 1-pt rules; a page renders in a few milliseconds


def _runs(line: Any, min_len: int) -> list[tuple[int, int]]:
    """Return (start, end) of the runs of True at least min_len long in a 1-D boolean array."""
    import numpy as np

    padded = np.concatenate(([False], line, [False])).astype(np.int8)
    d = np.diff(padded)
    starts, ends = np.where(d == 1)[0], np.where(d == -1)[0]
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True) if b - a >= min_len]


def _merge_lines(lines: list[tuple[int, int, int]], gap: int = 4) -> list[tuple[int, int, int]]:
    """Merge rules found on neighbouring pixel rows (or columns) into one (pos, start, end)."""
    out: list[tuple[int, int, int]] = []
    for pos, a, b in sorted(lines):
        for k, (p, x, y) in enumerate(out):
            if abs(pos - p) <= gap and a <= y + gap and b >= x - gap:
                out[k] = (p, min(a, x), max(b, y))
                break
        else:
            out.append((pos, a, b))
    return out


def ruled_grids(image: Any) -> list[tuple[list[float], list[float], list[list[int]]]]:
    """Find ruled tables in a (deskewed) page image: row edges, column edges (pixels) and a cell-id grid.

    Cells not separated by a drawn rule share an id (merged cells).
    """
    import numpy as np

    ink = np.asarray(image.convert("L")) < 160
    h, w = ink.shape
    smear_v = ink.copy()
    smear_v[1:] |= ink[:-1]
    smear_v[:-1] |= ink[1:]
    smear_h = ink.copy()
    smear_h[:, 1:] |= ink[:, :-1]
    smear_h[:, :-1] |= ink[:, 1:]
    hlines = _merge_lines([(y, a, b) for y in range(h) for a, b in _runs(smear_v[y], int(0.08 * w))])
    vlines = _merge_lines([(x, a, b) for x in range(w) for a, b in _runs(smear_h[:, x], int(0.03 * h))])

    def touches(hl: tuple[int, int, int], vl: tuple[int, int, int]) -> bool:
        return hl[1] - 4 <= vl[0] <= hl[2] + 4 and vl[1] - 4 <= hl[0] <= vl[2] + 4

    hlines = [hl for hl in hlines if sum(1 for vl in vlines if touches(hl, vl)) >= 2]
    # tables: horizontal rules joined through the vertical rules that touch them
    parent = list(range(len(hlines)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for vl in vlines:
        hit = [i for i, hl in enumerate(hlines) if touches(hl, vl)]
        for i in hit[1:]:
            parent[find(i)] = find(hit[0])
    groups: dict[int, list[int]] = {}
    for i in range(len(hlines)):
        groups.setdefault(find(i), []).append(i)
    out = []
    for members in groups.values():
        hs = [hlines[i] for i in members]
        if len(hs) < 3:
            continue
        vs = [vl for vl in vlines if any(touches(hl, vl) for hl in hs)]
        ys = sorted({y for y, _, _ in hs})
        xs = sorted({x for x, _, _ in vs})
        ys = [y for k, y in enumerate(ys) if k == 0 or y - ys[k - 1] > 4]
        xs = [x for k, x in enumerate(xs) if k == 0 or x - xs[k - 1] > 4]
        if len(xs) < 3:
            continue
        nr, nc = len(ys) - 1, len(xs) - 1
        ids = [[r * nc + c for c in range(nc)] for r in range(nr)]

        def rule_v(x: int, y0: int, y1: int) -> bool:
            strip = ink[y0 + 3:max(y0 + 4, y1 - 2), max(0, x - 4):x + 5]
            return bool(strip.size) and float(strip.any(axis=1).mean()) >= 0.5

        def rule_h(y: int, x0: int, x1: int) -> bool:
            strip = ink[max(0, y - 4):y + 5, x0 + 3:max(x0 + 4, x1 - 2)]
            return bool(strip.size) and float(strip.any(axis=0).mean()) >= 0.5

        def relabel(ids: list[list[int]], old: int, new: int) -> None:
            for row in ids:
                for k, v in enumerate(row):
                    if v == old:
                        row[k] = new

        for r in range(nr):
            for c in range(nc):
                if c + 1 < nc and not rule_v(xs[c + 1], ys[r], ys[r + 1]) and ids[r][c + 1] != ids[r][c]:
                    relabel(ids, ids[r][c + 1], ids[r][c])
                if r + 1 < nr and not rule_h(ys[r + 1], xs[c], xs[c + 1]) and ids[r + 1][c] != ids[r][c]:
                    relabel(ids, ids[r + 1][c], ids[r][c])
        out.append(([float(y) for y in ys], [float(x) for x in xs], ids))
    return out


def _ocr_grids(doc: Document, path: str) -> list[tuple[int, _Grid]]:
    """Tables of OCR'd pages: rules from the rendered, deskewed page image; cell text from the OCR words."""
    import pypdfium2 as pdfium

    from pipeline.ocr import _unrotate, clean_page

    out: list[tuple[int, _Grid]] = []
    scale = OCR_TABLE_DPI / 72
    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(path)
        n_pdf = len(pdf)
    try:
        for pi, page in enumerate(doc.pages):
            if page.source != "ocr" or page.boxes is None or pi >= n_pdf:
                continue
            try:
                # render under the lock (pdfium is not thread-safe), clean up outside it
                image, angle = clean_page(_render_rgb(pdf, pi, scale))
            except Exception as e:       # the page cannot be rendered: its tables are lost, not the document
                doc.warnings.append(f"page {pi + 1}: table rules not read ({type(e).__name__}: {e})")
                continue
            size = image.size

            def to_px(x: float, y: float, angle: float = angle, size: tuple[int, int] = size,
                      scale: float = scale) -> tuple[float, float]:
                return _unrotate(x * scale, y * scale, -angle, size) if angle else (x * scale, y * scale)

            def to_pt(x: float, y: float, angle: float = angle, size: tuple[int, int] = size,
                      scale: float = scale) -> tuple[float, float]:
                ux, uy = _unrotate(x, y, angle, size) if angle else (x, y)
                return ux / scale, uy / scale

            for ys, xs, ids in ruled_grids(image):
                cells: list[_Cell] = []
                seen: set[int] = set()
                for r, row in enumerate(ids):
                    for c, cid in enumerate(row):
                        if cid in seen:
                            continue
                        seen.add(cid)
                        rows_of = [q for q in range(len(ids)) if cid in ids[q]]
                        cols_of = [k for k in range(len(row)) if any(ids[q][k] == cid for q in rows_of)]
                        box = (xs[cols_of[0]], ys[rows_of[0]], xs[cols_of[-1] + 1], ys[rows_of[-1] + 1])
                        cells.append(_Cell("", r, c, len(rows_of), len(cols_of), bbox=box))
                _locate_by_boxes(doc, pi, cells, transform=to_px)
                for cell in cells:            # a rule next to the text is often read as "|"
                    cell.text = cell.text.strip(" |")
                for cell in cells:            # boxes in page points for Table.cell_boxes
                    if cell.bbox is not None:
                        corners = [to_pt(cell.bbox[0], cell.bbox[1]), to_pt(cell.bbox[2], cell.bbox[3])]
                        cell.bbox = (round(min(p[0] for p in corners), 2), round(min(p[1] for p in corners), 2),
                                     round(max(p[0] for p in corners), 2), round(max(p[1] for p in corners), 2))
                top = to_pt(xs[0], ys[0])[1]
                grid = _Grid(cells=cells, nrows=len(ids), ncols=len(ids[0]), source="ocr", page=page.number,
                             bbox=(*to_pt(xs[0], ys[0]), *to_pt(xs[-1], ys[-1])))
                grid.context_before = _text_above(page, top)
                out.append((pi, grid))
    finally:
        with PDFIUM_LOCK:
            pdf.close()
    return out


def _render_rgb(pdf: Any, index: int, scale: float) -> Any:
    """Render a page (0-based) of an open pypdfium2 document to a PIL image, holding PDFIUM_LOCK."""
    with PDFIUM_LOCK:
        page = pdf[index]
        try:
            bitmap = page.render(scale=scale)
            try:
                return bitmap.to_pil().copy()
            finally:
                bitmap.close()
        finally:
            page.close()


def _text_above(page: Any, top: float, height: float = 140) -> str:
    """Return the page text whose boxes lie in the band just above a table."""
    chars = [ch for ch, box in zip(page.text, page.boxes or [], strict=False)
             if box is None or top - height <= box[1] < top]
    return "".join(chars)


def _same_header(a: TableSpan, b: TableSpan) -> bool:
    if a.table.header_rows == 0 or b.table.header_rows == 0:
        return False
    ha = [_norm(x or "") for r in a.table.rows[: a.header_rows] for x in r]
    hb = [_norm(x or "") for r in b.table.rows[: b.header_rows] for x in r]
    return ha == hb


def _stitch(prev: TableSpan, nxt: TableSpan) -> None:
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


def _continues(prev: TableSpan, prev_pi: int, nxt: TableSpan, pi: int, first_on_page: bool, context: str) -> bool:
    if pi != prev_pi + 1 or not first_on_page:
        return False
    if len(prev.columns) != len(nxt.columns):
        return False
    if _TITLE_RE.search(context) or _UNIT_LINE_RE.search(context):
        return False            # a new annex ("Phụ lục II", its own unit line) starts a new table
    return _same_header(prev, nxt) or nxt.table.header_rows == 0 or all(
        r in nxt.numbering_rows for r in range(nxt.header_rows)
    )


def _pdf_tables(doc: Document, raw: RawDocument) -> list[TableSpan]:
    out: list[TableSpan] = []
    last_pi = -1
    prev_pi = -2
    grids = _pdf_grids(raw.path, doc)
    if any(p.source == "ocr" for p in doc.pages):
        grids = sorted(grids + _ocr_grids(doc, raw.path), key=lambda pg: (pg[0], (pg[1].bbox or (0, 0))[1]))
    for pi, grid in grids:
        if grid.source == "ocr":
            pass                        # located against the deskewed image already
        elif pi < len(doc.pages) and not _locate_by_boxes(doc, pi, grid.cells):
            _search_spans(doc.text, sorted(grid.cells, key=lambda c: (c.row, c.col)), _page_start(doc, pi))
        for cell in grid.cells:
            # a header phrase given back to its column: find it next to where its characters were
            if cell.span is not None and cell.text and _clean(doc.text[cell.span[0]:cell.span[1]]) != cell.text:
                pat = _flex_pattern(cell.text)
                m = pat.search(doc.text, max(0, cell.span[0] - 80), cell.span[1] + 80) if pat else None
                if m is not None:
                    cell.span = (m.start(), m.end())
        ts = _build(grid, f"p{grid.page}-t{sum(1 for t in out if t.table.page == grid.page) + 1}")
        if out and _continues(out[-1], prev_pi, ts, pi, pi != last_pi, grid.context_before):
            _stitch(out[-1], ts)
            prev_pi = pi
        else:
            if not _has_numbers(ts):
                last_pi = pi
                continue
            ts.table.table_id = f"p{grid.page}-t{sum(1 for t in out if t.table.page == grid.page) + 1}"
            out.append(ts)
            prev_pi = pi
        last_pi = pi
    return out


def _page_start(doc: Document, page_index: int) -> int:
    for seg in doc.segments:
        if seg.page_index == page_index:
            return seg.start
    return 0


# --------------------------------------------------------------------------------------------------
# .docx tables (given by the reader as Table objects; cell text found in doc.text)


def _grid_from_table(t: Table) -> _Grid:
    """Turn a reader's Table (None for a cell merged into another) into cells with spans.

    In the header a None continues the cell above (a vertical merge) when there is one, else the cell to
    its left; in the body it continues the cell to its left ("Tổng cộng" over STT and label), else above.
    """
    nrows = len(t.rows)
    ncols = max((len(r) for r in t.rows), default=0)
    grid: list[list[str | None]] = [list(r) + [""] * (ncols - len(r)) for r in t.rows]
    header_rows = _detect_header_rows(grid)
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    for r in range(nrows):
        for c in range(ncols):
            if grid[r][c] is not None:
                owner[(r, c)] = (r, c)
                continue
            above = owner.get((r - 1, c)) if r > 0 else None
            left = owner.get((r, c - 1)) if c > 0 else None
            if r < max(header_rows, 1) and above is not None:
                owner[(r, c)] = above
            elif left is not None:
                owner[(r, c)] = left
            elif above is not None:
                owner[(r, c)] = above
    extent: dict[tuple[int, int], tuple[int, int]] = {}
    for (r, c), (orow, ocol) in owner.items():
        rs, cs = extent.get((orow, ocol), (1, 1))
        extent[(orow, ocol)] = (max(rs, r - orow + 1), max(cs, c - ocol + 1))
    cells = [
        _Cell(text=grid[r][c] or "", row=r, col=c, rowspan=extent[(r, c)][0], colspan=extent[(r, c)][1])
        for r in range(nrows) for c in range(ncols) if grid[r][c] is not None
    ]
    return _Grid(cells=cells, nrows=nrows, ncols=ncols, source=t.source, page=t.page, bbox=t.bbox,
                 unit_line=t.unit_line, title=t.title)


def _docx_tables(doc: Document, raw: RawDocument) -> list[TableSpan]:
    out: list[TableSpan] = []
    cursor = 0
    for k, t in enumerate(raw.tables or doc.tables):
        grid = _grid_from_table(t)
        ordered = sorted(grid.cells, key=lambda c: (c.row, c.col))
        first = next((c for c in ordered if c.text.strip()), None)
        if first is not None:
            # the reader writes each row inline as "cell | cell": find the first row's line, else its first cell
            line = " | ".join(c or "" for c in t.rows[0]) if t.rows else ""
            pat = _flex_pattern(line) if line.strip(" |") else None
            m = pat.search(doc.text, cursor) if pat else None
            if m is None:
                pat = _flex_pattern(first.text)
                m = pat.search(doc.text, cursor) if pat else None
            if m is not None:
                grid.context_before = doc.text[max(0, m.start() - 400): m.start()]
                cursor = _search_spans(doc.text, ordered, m.start(), window=len(doc.text))
        ts = _build(grid, t.table_id or f"t{k + 1}")
        out.append(ts)
    return out


# --------------------------------------------------------------------------------------------------
# Markdown pipe tables

_PIPE_SEP_RE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _lines(text: str) -> list[tuple[int, int]]:
    out = []
    pos = 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _pipe_cells(text: str, start: int, end: int) -> list[tuple[str, Span | None]]:
    line = text[start:end]
    inner_start = start + (len(line) - len(line.lstrip()))
    inner = text[inner_start:end].rstrip()
    inner_end = inner_start + len(inner)
    if inner.startswith("|"):
        inner_start += 1
    if text[inner_start:inner_end].endswith("|"):
        inner_end -= 1
    out: list[tuple[str, Span | None]] = []
    pos = inner_start
    for piece in re.split(r"(?<!\\)\|", text[inner_start:inner_end]):
        a, b = pos, pos + len(piece)
        while a < b and text[a] in " *\t":
            a += 1
        while b > a and text[b - 1] in " *\t":
            b -= 1
        out.append((_clean(piece), (a, b) if a < b else None))
        pos += len(piece) + 1
    return out


def _pipe_tables(text: str) -> list[_Grid]:
    lines = _lines(text)
    grids: list[_Grid] = []
    i = 0
    while i < len(lines) - 1:
        s, e = lines[i]
        s2, e2 = lines[i + 1]
        if text[s:e].count("|") >= 1 and text[s:e].strip().startswith("|") and _PIPE_SEP_RE.match(text[s2:e2]) \
                and "-" in text[s2:e2] and "|" in text[s2:e2]:
            rows = [_pipe_cells(text, s, e)]
            j = i + 2
            while j < len(lines) and text[lines[j][0]:lines[j][1]].strip().startswith("|"):
                rows.append(_pipe_cells(text, *lines[j]))
                j += 1
            ncols = max(len(r) for r in rows)
            cells = [_Cell(text=t, row=r, col=c, span=sp) for r, row in enumerate(rows) for c, (t, sp) in enumerate(row)]
            header_rows = 1 + (1 if len(rows) > 1 and _is_numbering_row([t for t, _ in rows[1]]) else 0)
            grids.append(_Grid(cells=cells, nrows=len(rows), ncols=ncols, source="markdown",
                               header_rows=header_rows, context_before=text[max(0, s - 400):s]))
            i = j
        else:
            i += 1
    return grids


# --------------------------------------------------------------------------------------------------
# Flattened tables: "|" on a line of its own between cells, one table row after another


@dataclass
class _Slot:
    text: str
    span: Span | None


def _flat_runs(text: str) -> list[list[_Slot]]:
    """Split the text into runs of slots between lone "|" lines; a blank line ends a run."""
    bars = [m.start(1) for m in re.finditer(r"(?m)^[ \t]*(\|)[ \t]*$", text)]
    runs: list[list[_Slot]] = []
    cur: list[_Slot] = []
    for a, b in itertools.pairwise(bars):
        between = text[a + 1: b]
        if between.strip() and re.search(r"\n[ \t]*\n", between):
            if cur:
                runs.append(cur)
            cur = []
            continue
        s, e = a + 1, b
        while s < e and text[s] in " \t\n*":
            s += 1
        while e > s and text[e - 1] in " \t\n*":
            e -= 1
        cur.append(_Slot(_clean(text[s:e]), (s, e) if s < e else None))
    if cur:
        runs.append(cur)
    return [r for r in runs if len(r) >= 3]


def _kind(text: str) -> str:
    if not text:
        return ""
    if _is_stt(text):
        return "stt"
    return "num" if is_numeric_text(text) else "text"


def _partition(
    slots: list[_Slot], n: int, profile: list[str] | None = None
) -> tuple[float, list[tuple[int, int]]] | None:
    """Split slots into rows of at most n cells separated by one empty slot, at the least cost.

    A short row costs 1 (a merged cell), an empty cell 0.2 (it may be a row separator read as a cell);
    with a column profile, a full row pays 1 for each cell whose kind disagrees with its column's.
    """
    m = len(slots)
    inf = float("inf")
    best: list[float] = [inf] * (m + 2)
    choice: list[int] = [0] * (m + 2)
    best[m] = 0.0
    kinds = [_kind(s.text) for s in slots]
    for i in range(m - 1, -1, -1):
        for j in range(i + 1, min(m, i + n) + 1):
            if j < m and kinds[j]:
                continue          # a row must end at the table's end or before an empty separator slot
            nxt = m if j == m else j + 1
            if best[nxt] == inf:
                continue
            cells = kinds[i:j]
            cost = 0.0 if j - i == n else 1.0
            if not any(cells):
                cost += 2.0
            cost += 0.2 * sum(1 for k in cells if not k)
            if len(cells) > 1 and not cells[0] and cells[1] == "stt":
                cost += 0.5           # an ordinal pushed into the second column: the row starts too early
            # an ordinal then a label after an empty cell, deep inside a row: two rows read as one
            cost += 1.5 * sum(
                1 for c in range(2, len(cells) - 1)
                if cells[c] == "stt" and cells[c + 1] == "text" and not cells[c - 1]
            )
            if profile is not None and j - i == n:
                cost += sum(1.0 for k, p in zip(cells, profile, strict=False) if k and p and k != p
                            and not (k == "stt" and p == "num") and not (k == "num" and p == "stt"))
            if best[nxt] + cost < best[i]:
                best[i] = best[nxt] + cost
                choice[i] = j
    if best[0] == inf:
        return None
    rows = []
    i = 0
    while i < m:
        j = choice[i]
        rows.append((i, j))
        i = m if j == m else j + 1
    return best[0], rows


def _profile(slots: list[_Slot], rows: list[tuple[int, int]], n: int) -> list[str]:
    """Return the majority kind (stt/num/text) of each column over the full rows after the first."""
    out = []
    full = [(a, b) for a, b in rows[1:] if b - a == n]
    for c in range(n):
        counts: dict[str, int] = {}
        for a, _ in full:
            k = _kind(slots[a + c].text)
            if k:
                counts[k] = counts.get(k, 0) + 1
        out.append(max(counts, key=lambda k: counts[k]) if counts else "")
    return out


def _place_short_row(cells: list[_Slot], n: int, col_numeric: list[float], label_col: int | None) -> list[int]:
    """Choose which cell of a short row spans the missing columns; return each cell's colspan."""
    extra = n - len(cells)
    best_score, best_k = -1.0, len(cells) - 1
    for k in range(len(cells)):
        spans = [1] * len(cells)
        spans[k] += extra
        col = 0
        score = 0.0
        for cell, sp in zip(cells, spans, strict=False):
            if cell.text:
                numeric = is_numeric_text(cell.text)
                score += col_numeric[col] if numeric else 1 - col_numeric[col]
            col += sp
        # a text cell in the label column spans (a section title), else the last cell on ties
        if label_col is not None and k == label_col and cells[k].text and not is_numeric_text(cells[k].text):
            score += 0.5
        if score >= best_score - 1e-9:
            best_score, best_k = score, k
    spans = [1] * len(cells)
    spans[best_k] += extra
    return spans


def _split_children(children: list[str], parents: int) -> list[int]:
    """Split sub-header cells among parents, keeping alike names ("Năm 2026", "Năm 2027") together."""
    k = len(children)
    if parents <= 1 or k <= parents:
        return [k] if parents <= 1 else [1] * parents
    first = [(_norm(c).split() or [""])[0] for c in children]

    def compositions(total: int, parts: int) -> Iterable[list[int]]:
        if parts == 1:
            yield [total]
            return
        for size in range(1, total - parts + 2):
            for rest in compositions(total - size, parts - 1):
                yield [size, *rest]

    best: tuple[tuple[int, int], list[int]] | None = None
    for sizes in compositions(k, parents):
        if any(x < 2 for x in sizes) and k >= 2 * parents:
            continue
        group = [g for g, size in enumerate(sizes) for _ in range(size)]
        score = sum((1 if group[i] == group[i + 1] else -1) for i in range(k - 1) if first[i] == first[i + 1])
        # ties: the most even split
        key = (score, -(max(sizes) - min(sizes)))
        if best is None or key > best[0]:
            best = (key, sizes)
    return best[1] if best else [k // parents] * parents


def _flat_grid(slots: list[_Slot]) -> _Grid | None:
    n1 = next((i for i, s in enumerate(slots) if not s.text), len(slots))
    if n1 < 2:
        return None
    # the column count: header row 1 plus what a sub-header row under merged cells adds, else row 1 alone
    k = next((i for i in range(n1 + 1, len(slots)) if not slots[i].text), len(slots)) - (n1 + 1)
    row2 = [s.text for s in slots[n1 + 1: n1 + 1 + k]]
    subheader = k >= 2 and not _looks_data(row2) and not _is_numbering_row(row2)
    if not subheader and k >= 2 and all(len(t) <= 2 for t in row2) and not _is_numbering_row(row2):
        subheader = True     # "X | Y" (coordinates) under a merged header, not ordinals
    if subheader:
        priors = {n1 + k - p: 0.3 * (p - 1) for p in range(1, k)}
    else:
        priors = {n1: 0.0, n1 + 1: 1.0, n1 + 2: 2.0}
    best: tuple[float, int, list[tuple[int, int]]] | None = None
    for n, prior in priors.items():
        res = _partition(slots, n)
        if res is None:
            continue
        again = _partition(slots, n, _profile(slots, res[1], n))
        cost, ranges = again if again is not None else res
        if best is None or cost + prior < best[0]:
            best = (cost + prior, n, ranges)
    if best is None:
        return None
    _, n, row_ranges = best
    rows = [slots[a:b] for a, b in row_ranges]
    if len(rows) < 2:
        return None
    # column types from full rows, for placing merged cells of short rows
    full = [r for r in rows[1:] if len(r) == n]
    col_numeric = [
        (sum(1 for r in full if is_numeric_text(r[c].text)) / max(1, sum(1 for r in full if r[c].text)))
        for c in range(n)
    ]
    v = vocab()
    cells: list[_Cell] = []
    # header row 1, and sub-header rows that fill the columns merged in it
    head = rows[0]
    r = 1
    header_rows = 1
    if len(head) < n and r < len(rows) and len(rows[r]) < n and subheader:
        sub = rows[r]
        while len(sub) > 1 and not sub[-1].text:
            sub = sub[:-1]
        deficit = n - len(head)
        parents = max(1, min(len(head), len(sub) - deficit))
        sizes = _split_children([s.text for s in sub], parents)
        candidates = [
            p for p in range(len(head) - parents + 1)
            if not any(is_header_in(head[q].text, v.stt_headers + v.unit_headers) or
                       is_header_in(head[q].text, v.label_headers, prefix=True) for q in range(p, p + parents))
        ] or list(range(len(head) - parents + 1))

        def score(p: int) -> int:
            return sum(1 for c in range(p, min(n, p + len(sub))) if col_numeric[c] >= 0.5)

        child_years = [int(y) for c in sub for y in re.findall(r"\b((?:19|20)\d{2})\b", c.text)]

        def covers_years(p: int) -> bool:
            # "GIAI ĐOẠN 2026 - 2030" over "Năm 2026" … "Năm 2030"
            m = re.search(r"((?:19|20)\d{2})\s*[-–]\s*((?:19|20)\d{2})", head[p].text)
            return bool(m and child_years and all(int(m.group(1)) <= y <= int(m.group(2)) for y in child_years))

        p = max(candidates, key=lambda q: (covers_years(q), score(q), -q))
        col = 0
        for q, s in enumerate(head):
            if p <= q < p + parents:
                cells.append(_Cell(s.text, 0, col, 1, sizes[q - p], s.span))
                col += sizes[q - p]
            else:
                cells.append(_Cell(s.text, 0, col, 2, 1, s.span))
                col += 1
        for k, s in enumerate(sub):
            cells.append(_Cell(s.text, 1, p + k, 1, 1, s.span))
        r, header_rows = 2, 2
    else:
        spans = _place_short_row(head, n, [0.0] * n, None) if len(head) < n else [1] * n
        col = 0
        for s, sp in zip(head, spans, strict=False):
            cells.append(_Cell(s.text, 0, col, 1, sp, s.span))
            col += sp
    if r < len(rows) and _is_numbering_row([s.text for s in rows[r]]):
        for c, s in enumerate(rows[r][:n]):
            cells.append(_Cell(s.text, r, c, 1, 1, s.span))
        header_rows += 1
        r += 1
    label_col = next((c.col for c in cells if c.row == 0 and is_header_in(c.text, v.label_headers, prefix=True)), None)
    for i in range(header_rows, len(rows)):
        row = rows[i]
        spans = _place_short_row(row, n, col_numeric, label_col) if len(row) < n else [1] * n
        col = 0
        for s, sp in zip(row, spans, strict=False):
            cells.append(_Cell(s.text, i, col, 1, sp, s.span))
            col += sp
    return _Grid(cells=cells, nrows=len(rows), ncols=n, source="markdown", header_rows=header_rows)


def _flat_tables(text: str) -> list[_Grid]:
    grids = []
    for run in _flat_runs(text):
        grid = _flat_grid(run)
        if grid is None or grid.ncols < 2:
            continue
        first = next((c.span for c in grid.cells if c.span is not None), None)
        if first is not None:
            grid.context_before = text[max(0, first[0] - 600): first[0]]
        grids.append(grid)
    return grids


def _text_tables(doc: Document) -> list[TableSpan]:
    """Find pipe and flattened tables in each page's text (blank lines intact) and map cells to doc.text."""
    sources: list[tuple[str, list[int | None] | None]] = []
    if doc.segments and doc.pages:
        sources = [(page.text, _page_to_doc(doc, pi)) for pi, page in enumerate(doc.pages)]
    else:
        sources = [(doc.text, None)]
    grids: list[_Grid] = []
    for text, mapping in sources:
        for grid in _pipe_tables(text) + _flat_tables(text):
            if mapping is not None:
                for cell in grid.cells:
                    if cell.span is not None:
                        cell.span = _map_span(mapping, cell.span)
            grids.append(grid)
    grids.sort(key=lambda g: min((c.span[0] for c in g.cells if c.span), default=0))
    out: list[TableSpan] = []
    for grid in grids:
        ts = _build(grid, f"t{len(out) + 1}")
        if _has_numbers(ts):
            out.append(ts)
    return out


# --------------------------------------------------------------------------------------------------
# Entry points


def detect_tables(doc: Document, raw: RawDocument) -> list[TableSpan]:
    """Find the tables of a document and locate each cell's text in doc.text."""
    fmt = (raw.format or doc.format or "").lower()
    if fmt == "pdf":
        spans = _pdf_tables(doc, raw)
    elif fmt == "docx":
        spans = _docx_tables(doc, raw)
    else:
        spans = _text_tables(doc)
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


def offsets_inside(spans: Sequence[TableSpan]) -> list[Span]:
    """Return the sorted (start, end) ranges of doc.text covered by tables."""
    return sorted((ts.start, ts.end) for ts in spans if ts.end > ts.start)


def in_table(ranges: Sequence[Span], offset: int) -> bool:
    """Say whether offset falls inside one of the sorted table ranges."""
    i = bisect.bisect_right([a for a, _ in ranges], offset) - 1
    return i >= 0 and ranges[i][0] <= offset < ranges[i][1]
