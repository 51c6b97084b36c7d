"""Tables in plain text: Markdown pipe tables and flattened web tables ("|" on a line between cells)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from extractors.table_model import (
    Span,
    TableSpan,
    clean,
    is_header_in,
    is_numbering_row,
    is_numeric_text,
    is_stt,
    looks_data,
    norm,
)
from extractors.vocab import table_vocabulary
from pipeline.model import Document
from pipeline.tables.locate import map_span, page_to_doc
from pipeline.tables.model import Cell, Grid, build_span, has_numbers

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
        out.append((clean(piece), (a, b) if a < b else None))
        pos += len(piece) + 1
    return out


def _pipe_tables(text: str) -> list[Grid]:
    lines = _lines(text)
    grids: list[Grid] = []
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
            cells = [Cell(text=t, row=r, col=c, span=sp) for r, row in enumerate(rows) for c, (t, sp) in enumerate(row)]
            header_rows = 1 + (1 if len(rows) > 1 and is_numbering_row([t for t, _ in rows[1]]) else 0)
            grids.append(Grid(cells=cells, nrows=len(rows), ncols=ncols, source="markdown",
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
        cur.append(_Slot(clean(text[s:e]), (s, e) if s < e else None))
    if cur:
        runs.append(cur)
    return [r for r in runs if len(r) >= 3]


def _kind(text: str) -> str:
    if not text:
        return ""
    if is_stt(text):
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
    first = [(norm(c).split() or [""])[0] for c in children]

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


def _flat_grid(slots: list[_Slot]) -> Grid | None:
    n1 = next((i for i, s in enumerate(slots) if not s.text), len(slots))
    if n1 < 2:
        return None
    # the column count: header row 1 plus what a sub-header row under merged cells adds, else row 1 alone
    k = next((i for i in range(n1 + 1, len(slots)) if not slots[i].text), len(slots)) - (n1 + 1)
    row2 = [s.text for s in slots[n1 + 1: n1 + 1 + k]]
    subheader = k >= 2 and not looks_data(row2) and not is_numbering_row(row2)
    if not subheader and k >= 2 and all(len(t) <= 2 for t in row2) and not is_numbering_row(row2):
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
    v = table_vocabulary()
    cells: list[Cell] = []
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
                cells.append(Cell(s.text, 0, col, 1, sizes[q - p], s.span))
                col += sizes[q - p]
            else:
                cells.append(Cell(s.text, 0, col, 2, 1, s.span))
                col += 1
        for k, s in enumerate(sub):
            cells.append(Cell(s.text, 1, p + k, 1, 1, s.span))
        r, header_rows = 2, 2
    else:
        spans = _place_short_row(head, n, [0.0] * n, None) if len(head) < n else [1] * n
        col = 0
        for s, sp in zip(head, spans, strict=False):
            cells.append(Cell(s.text, 0, col, 1, sp, s.span))
            col += sp
    if r < len(rows) and is_numbering_row([s.text for s in rows[r]]):
        for c, s in enumerate(rows[r][:n]):
            cells.append(Cell(s.text, r, c, 1, 1, s.span))
        header_rows += 1
        r += 1
    label_col = next((c.col for c in cells if c.row == 0 and is_header_in(c.text, v.label_headers, prefix=True)), None)
    for i in range(header_rows, len(rows)):
        row = rows[i]
        spans = _place_short_row(row, n, col_numeric, label_col) if len(row) < n else [1] * n
        col = 0
        for s, sp in zip(row, spans, strict=False):
            cells.append(Cell(s.text, i, col, 1, sp, s.span))
            col += sp
    return Grid(cells=cells, nrows=len(rows), ncols=n, source="markdown", header_rows=header_rows)


def _flat_tables(text: str) -> list[Grid]:
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


def text_tables(doc: Document) -> list[TableSpan]:
    """Find pipe and flattened tables in each page's text (blank lines intact) and map cells to doc.text."""
    sources: list[tuple[str, list[int | None] | None]] = []
    if doc.segments and doc.pages:
        sources = [(page.text, page_to_doc(doc, pi)) for pi, page in enumerate(doc.pages)]
    else:
        sources = [(doc.text, None)]
    grids: list[Grid] = []
    for text, mapping in sources:
        for grid in _pipe_tables(text) + _flat_tables(text):
            if mapping is not None:
                for cell in grid.cells:
                    if cell.span is not None:
                        cell.span = map_span(mapping, cell.span)
            grids.append(grid)
    grids.sort(key=lambda g: min((c.span[0] for c in g.cells if c.span), default=0))
    out: list[TableSpan] = []
    for grid in grids:
        ts = build_span(grid, f"t{len(out) + 1}")
        if has_numbers(ts):
            out.append(ts)
    return out


