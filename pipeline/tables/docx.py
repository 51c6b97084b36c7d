""".docx tables: given by the reader as Table objects; their cells found in doc.text."""

from __future__ import annotations

from extractors.table_model import TableSpan
from pipeline.model import Document, RawDocument, Table
from pipeline.tables.locate import flex_pattern, search_spans
from pipeline.tables.model import Cell, Grid, build_span, detect_header_rows


def _grid_from_table(t: Table) -> Grid:
    """Turn a reader's Table (None for a cell merged into another) into cells with spans.

    In the header a None continues the cell above (a vertical merge) when there is one, else the cell to
    its left; in the body it continues the cell to its left ("Tổng cộng" over STT and label), else above.
    """
    nrows = len(t.rows)
    ncols = max((len(r) for r in t.rows), default=0)
    grid: list[list[str | None]] = [list(r) + [""] * (ncols - len(r)) for r in t.rows]
    header_rows = detect_header_rows(grid)
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
        Cell(text=grid[r][c] or "", row=r, col=c, rowspan=extent[(r, c)][0], colspan=extent[(r, c)][1])
        for r in range(nrows) for c in range(ncols) if grid[r][c] is not None
    ]
    return Grid(cells=cells, nrows=nrows, ncols=ncols, source=t.source, page=t.page, bbox=t.bbox,
                 unit_line=t.unit_line, title=t.title)


def docx_tables(doc: Document, raw: RawDocument) -> list[TableSpan]:
    out: list[TableSpan] = []
    cursor = 0
    for k, t in enumerate(raw.tables or doc.tables):
        grid = _grid_from_table(t)
        ordered = sorted(grid.cells, key=lambda c: (c.row, c.col))
        first = next((c for c in ordered if c.text.strip()), None)
        if first is not None:
            # the reader writes each row inline as "cell | cell": find the first row's line, else its first cell
            line = " | ".join(c or "" for c in t.rows[0]) if t.rows else ""
            pat = flex_pattern(line) if line.strip(" |") else None
            m = pat.search(doc.text, cursor) if pat else None
            if m is None:
                pat = flex_pattern(first.text)
                m = pat.search(doc.text, cursor) if pat else None
            if m is not None:
                grid.context_before = doc.text[max(0, m.start() - 400): m.start()]
                cursor = search_spans(doc.text, ordered, m.start(), window=len(doc.text))
        ts = build_span(grid, t.table_id or f"t{k + 1}")
        out.append(ts)
    return out


