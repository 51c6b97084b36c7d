"""Tables of OCR'd pages: ruling lines found in the page image, cells filled with the OCR words inside them."""

from __future__ import annotations

import itertools
from typing import Any

from pipeline.model import Document
from pipeline.pdfium import PDFIUM_LOCK
from pipeline.tables.locate import locate_by_boxes
from pipeline.tables.model import Cell, Grid

OCR_TABLE_DPI = 100            # enough to see 1-pt rules; a page renders in a few milliseconds
# Thin rules of a scan are grey, not black: at 160 four of the five scanned tables of 207-BC-UBND lost most of
# their row rules (3-5 rows found of 15-25); 200 finds them all at 100 dpi. At 150 dpi text strokes start to
# pass for rules (rows found that are not there), so the rules are looked for at 100 dpi.
RULE_INK_BELOW = 200
RULE_MIN_GAP = 6               # rules closer than this (pixels at 100 dpi) are one double rule


RULE_BRIDGE = 3                # gaps up to this many pixels (at 100 dpi) inside a rule are bridged
RULE_PIECE = 8                 # the shortest piece of a broken rule (pixels at 100 dpi); text strokes are shorter
PAPER_PERCENTILE = 50          # the paper's grey: most of a page is paper, even a full-page table's
INK_PERCENTILE = 0.5           # the darkest ink's grey: the cores of the text strokes
FAINT_INK = 100                # ink whose darkest strokes are lighter than this is faded


def ink_mask(gray: Any, ink_below: int) -> Any:
    """Return the pixels dark enough to be ink, the threshold set relative to the page's own paper and ink.

    ink_below is the level on white paper with black ink; a scan on grey or yellowed paper (everything darker
    than 200) or with faded ink moves it in proportion: the same share of the way from paper to ink.
    """
    import numpy as np

    paper = float(np.percentile(gray, PAPER_PERCENTILE))
    dark = float(np.percentile(gray, INK_PERCENTILE))
    if paper - dark < 40:          # a blank or flat page: no ink worth finding rules in
        return gray < min(ink_below, dark)
    # ink is taken as black unless even its darkest strokes are grey: a blurred page's darkest 0.5 % is 40-80
    # at 100 dpi (pasted JPEG scans of 662-BC-LĐTBXH), and moving the level up for it found rules in the text
    ink = dark if dark > FAINT_INK else 0.0
    share = (255 - ink_below) / 255
    return gray < paper - share * (paper - ink)


def _runs(line: Any, min_len: int, gap: int = 0) -> list[tuple[int, int]]:
    """Return (start, end) of the runs of True at least min_len long in a 1-D boolean array.

    Runs of at least RULE_PIECE pixels with gaps of up to `gap` between them count as one run: a rule broken by a
    light scan or worn toner. Text does not bridge: its strokes are shorter than a piece.
    """
    import numpy as np

    padded = np.concatenate(([False], line, [False])).astype(np.int8)
    d = np.diff(padded)
    starts, ends = np.where(d == 1)[0], np.where(d == -1)[0]
    runs = [(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]
    if gap > 0:
        joined: list[tuple[int, int]] = []
        for a, b in runs:
            if b - a < RULE_PIECE:
                continue
            if joined and a - joined[-1][1] <= gap:
                joined[-1] = (joined[-1][0], b)
            else:
                joined.append((a, b))
        runs = joined
    return [(a, b) for a, b in runs if b - a >= min_len]


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


def ruled_grids(image: Any, ink_below: int = 160, min_gap: int = 4) -> list[tuple[list[float], list[float], list[list[int]]]]:
    """Find ruled tables in a (deskewed) page image: row edges, column edges (pixels) and a cell-id grid.

    Cells not separated by a drawn rule share an id (merged cells).
    """
    import numpy as np

    ink = ink_mask(np.asarray(image.convert("L")), ink_below)
    h, w = ink.shape
    smear_v = ink.copy()
    smear_v[1:] |= ink[:-1]
    smear_v[:-1] |= ink[1:]
    smear_h = ink.copy()
    smear_h[:, 1:] |= ink[:, :-1]
    smear_h[:, :-1] |= ink[:, 1:]
    hlines = _merge_lines([(y, a, b) for y in range(h) for a, b in _runs(smear_v[y], int(0.08 * w), RULE_BRIDGE)])
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
        ys = [y for k, y in enumerate(ys) if k == 0 or y - ys[k - 1] > min_gap]
        xs = [x for k, x in enumerate(xs) if k == 0 or x - xs[k - 1] > min_gap]
        # a frame narrower than a quarter of the page is a box (a stamp's, a signature's), not a table
        xs, gutters = _gutter_columns(ink, ys, xs) if xs[-1] - xs[0] >= 0.25 * w else (xs, set())
        if len(xs) < 3 or len(ys) < 2:
            continue
        ys, unruled = _split_unruled_rows(ink, ys, xs)
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
                if c + 1 < nc and xs[c + 1] not in gutters and not rule_v(xs[c + 1], ys[r], ys[r + 1]) \
                        and ids[r][c + 1] != ids[r][c]:
                    relabel(ids, ids[r][c + 1], ids[r][c])
                if r + 1 < nr and ys[r + 1] not in unruled and not rule_h(ys[r + 1], xs[c], xs[c + 1]) \
                        and ids[r + 1][c] != ids[r][c]:
                    relabel(ids, ids[r + 1][c], ids[r][c])
        _unmerge_ragged(ids)
        out.append(([float(y) for y in ys], [float(x) for x in xs], ids))
    return out


GUTTER = 8                     # blank pixels (at 100 dpi) down a ruled column's body that separate two columns
GUTTER_FILLED = 0.5            # share of the body rows that must hold ink on each side of a gutter


def _gutter_columns(ink: Any, ys: list[int], xs: list[int]) -> tuple[list[int], set[int]]:
    """Add the column edges a table's words show where no rule is drawn; return the edges and the new ones.

    A scan may lose a form's column rules (faint, or never printed: only the frame and the row rules): a blank
    gutter running down the whole body, between two sides that both hold something on most rows, is an edge.
    The first ruled row (the header, whose spanning titles cross the gutters) is not looked at.
    """
    import numpy as np

    # Only where the rules alone make no table (a frame and row rules, no column rule): inside ruled columns
    # a slightly tilted row rule or a column of short figures opens false gutters (113-BC-STC's "Tỷ lệ")
    if len(ys) < 3 or len(xs) != 2:
        return xs, set()
    bands = [(ys[r] + 3, ys[r + 1] - 2) for r in range(1, len(ys) - 1) if ys[r + 1] - ys[r] > 6]
    if len(bands) < 2:
        return xs, set()
    out: list[int] = [xs[0]]
    new: set[int] = set()
    for x0r, x1r in itertools.pairwise(xs):
        x0, x1 = x0r + 4, x1r - 3
        if x1 - x0 >= 3 * GUTTER:
            rows = np.concatenate([ink[a:b, x0:x1] for a, b in bands], axis=0)
            # a stray speck or a rule's stub at a crossing does not fill a gutter: a column of text does
            used = rows.sum(axis=0) > max(2, 0.02 * rows.shape[0])
            for a, b in _runs(~used, GUTTER):
                if a < GUTTER or len(used) - b < GUTTER:
                    continue                # the blank beside a rule (or its stub), not between two columns
                left = [int(ink[ya:yb, x0 + 3:x0 + a].sum()) > 4 for ya, yb in bands]
                right = [int(ink[ya:yb, x0 + b:x1 - 3].sum()) > 4 for ya, yb in bands]
                if np.mean(left) >= GUTTER_FILLED and np.mean(right) >= GUTTER_FILLED:
                    edge = x0 + (a + b) // 2
                    out.append(edge)
                    new.add(edge)
        out.append(x1r)
    return out, new


SPLIT_MIN_LINES = 3            # a ruled row holding this many text lines side by side in two columns is several rows
LINE_ALIGN = 6                 # pixels (at 100 dpi) within which two columns' text lines are the same line


def _split_unruled_rows(ink: Any, ys: list[int], xs: list[int]) -> tuple[list[int], set[int]]:
    """Split a ruled row that holds several rows of figures between two rules; return the edges and the new ones.

    Forms printed with hairline or dotted row borders lose them in a scan: only the header rules, the column rules
    and the frame remain, and every figure of a column would fall into one cell. Each text line that two or more
    columns (the widest, the labels, aside) have at the same height is a row; the edge goes through the blank
    between two such lines. The first ruled row (the header) is never split.
    """
    import numpy as np

    widths = [b - a for a, b in itertools.pairwise(xs)]
    label = int(np.argmax(widths))
    cols = [c for c in range(len(widths)) if c != label and widths[c] > 8]
    if len(cols) < 2:
        return ys, set()
    out: list[int] = [ys[0]]
    new: set[int] = set()
    for r in range(len(ys) - 1):
        y0, y1 = ys[r] + 3, ys[r + 1] - 2
        if r >= 1 and y1 - y0 > 30:
            centres: list[tuple[float, int]] = []
            heights: list[int] = []
            inked = 0
            for c in cols:
                band = ink[y0:y1, xs[c] + 4:xs[c + 1] - 3]
                lines = _runs(band.any(axis=1), 3)
                inked += bool(lines)
                if len(lines) >= 2:
                    centres += [(y0 + (a + b) / 2, c) for a, b in lines]
                    heights += [b - a for a, b in lines]
            groups: list[list[tuple[float, int]]] = []
            for yc, c in sorted(centres):
                if groups and yc - groups[-1][-1][0] <= LINE_ALIGN:
                    groups[-1].append((yc, c))
                else:
                    groups.append([(yc, c)])
            # a line of figures runs across most of the columns holding anything; wrapped text (a description and
            # a note side by side, 113-BC-STC p. 7) runs down one or two of them only
            support = max(2, (inked + 1) // 2)
            rows = [float(np.mean([y for y, _ in g])) for g in groups if len({c for _, c in g}) >= support]
            if len(rows) >= SPLIT_MIN_LINES and heights and y1 - y0 >= SPLIT_MIN_LINES * float(np.median(heights)):
                dots = ink[:, [x for c in cols for x in range(xs[c] + 4, xs[c + 1] - 3)]].sum(axis=1)
                for a, b in itertools.pairwise(rows):
                    mid = (a + b) / 2
                    # the emptiest pixel row between the two lines (a dotted border or a stray mark may cross
                    # it), nearest the midpoint
                    between = range(int(a) + 2, int(b) - 1)
                    cut = min(between, key=lambda y: (int(dots[y]), abs(y - mid)), default=None)
                    if cut is not None and cut - out[-1] > 4:
                        out.append(cut)
                        new.add(cut)
        out.append(ys[r + 1])
    return out, new


def _unmerge_ragged(ids: list[list[int]]) -> None:
    """Give back each cell of a merged region that is not a rectangle its own id (in place).

    Missing rule pieces can join cells into an L or a staircase; its box would cover cells of other ids, and
    a word in the overlap would be read into two cells.
    """
    where: dict[int, list[tuple[int, int]]] = {}
    for r, row in enumerate(ids):
        for c, cid in enumerate(row):
            where.setdefault(cid, []).append((r, c))
    nc = len(ids[0]) if ids else 0
    for cells in where.values():
        rows = {r for r, _ in cells}
        cols = {c for _, c in cells}
        if len(cells) != (max(rows) - min(rows) + 1) * (max(cols) - min(cols) + 1):
            for r, c in cells:
                ids[r][c] = r * nc + c


def grid_cells(ys: list[float], xs: list[float], ids: list[list[int]]
               ) -> list[tuple[int, int, int, int, tuple[float, float, float, float]]]:
    """Return each cell of a ruled grid once: first row and column, row and column spans, box (pixels)."""
    out: list[tuple[int, int, int, int, tuple[float, float, float, float]]] = []
    seen: set[int] = set()
    for r, row in enumerate(ids):
        for c, cid in enumerate(row):
            if cid in seen:
                continue
            seen.add(cid)
            rows_of = [q for q in range(len(ids)) if cid in ids[q]]
            cols_of = [k for k in range(len(row)) if any(ids[q][k] == cid for q in rows_of)]
            out.append((r, c, len(rows_of), len(cols_of),
                        (xs[cols_of[0]], ys[rows_of[0]], xs[cols_of[-1] + 1], ys[rows_of[-1] + 1])))
    return out


def ocr_grids(doc: Document, path: str) -> list[tuple[int, Grid]]:
    """Tables of OCR'd pages: rules from the rendered, deskewed page image; cell text from the OCR words."""
    import pypdfium2 as pdfium
    from PIL import Image

    from pipeline.tesseract import DPI, clean_page, turn_image, turn_point, unrotate, unturn_point

    out: list[tuple[int, Grid]] = []
    k = OCR_TABLE_DPI / DPI
    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(path)
        n_pdf = len(pdf)
    try:
        for pi, page in enumerate(doc.pages):
            if page.source != "ocr" or page.boxes is None or pi >= n_pdf:
                continue
            try:
                # The page as the OCR stage read it (grey, at its dpi, turned, deskewed) and the rules looked for
                # at 100 dpi exactly as pipeline.tables.scan does: the same grid, so a cell's words (laid out
                # by the scan reader) fall in the same cell here. A grid found on a 100 dpi render of its own put
                # a rule a pixel or two off and cut "(10)=(9/7)" in two (113-BC-STC).
                rendered, scale = _render_gray(pdf, pi, DPI)
                image, angle = clean_page(turn_image(rendered, page.turn))
                small = image.resize((max(1, round(image.width * k)), max(1, round(image.height * k))),
                                     Image.Resampling.BILINEAR)
            except Exception as e:       # the page cannot be rendered: its tables are lost, not the document
                doc.warnings.append(f"page {pi + 1}: table rules not read ({type(e).__name__}: {e})")
                continue
            size, turn, turned = image.size, page.turn, image.size

            def to_px(x: float, y: float, angle: float = angle, size: tuple[int, int] = size,
                      scale: float = scale, turn: int = turn, rsize: tuple[int, int] = rendered.size) -> tuple[float, float]:
                tx, ty = turn_point(x * scale, y * scale, turn, rsize)
                return unrotate(tx, ty, -angle, size) if angle else (tx, ty)

            def to_pt(x: float, y: float, angle: float = angle, size: tuple[int, int] = size,
                      scale: float = scale, turn: int = turn, turned: tuple[int, int] = turned) -> tuple[float, float]:
                ux, uy = unrotate(x, y, angle, size) if angle else (x, y)
                ux, uy = unturn_point(ux, uy, turn, turned)
                return ux / scale, uy / scale

            for ys_small, xs_small, ids in ruled_grids(small, RULE_INK_BELOW, RULE_MIN_GAP):
                ys = [y / k for y in ys_small]
                xs = [x / k for x in xs_small]
                cells = [Cell("", r, c, rs, cs, bbox=box) for r, c, rs, cs, box in grid_cells(ys, xs, ids)]
                locate_by_boxes(doc, pi, cells, transform=to_px)
                for cell in cells:            # a rule next to the text is often read as "|"
                    cell.text = cell.text.strip(" |")
                for cell in cells:            # boxes in page points for Table.cell_boxes
                    if cell.bbox is not None:
                        corners = [to_pt(cell.bbox[0], cell.bbox[1]), to_pt(cell.bbox[2], cell.bbox[3])]
                        cell.bbox = (round(min(p[0] for p in corners), 2), round(min(p[1] for p in corners), 2),
                                     round(max(p[0] for p in corners), 2), round(max(p[1] for p in corners), 2))
                corners = [to_pt(xs[0], ys[0]), to_pt(xs[-1], ys[-1])]
                grid = Grid(cells=cells, nrows=len(ids), ncols=len(ids[0]), source="ocr", page=page.number,
                            bbox=(min(p[0] for p in corners), min(p[1] for p in corners),
                                  max(p[0] for p in corners), max(p[1] for p in corners)))
                grid.context_before = _text_above(page, ys[0], to_px, 140 * scale)
                out.append((pi, grid))
    finally:
        with PDFIUM_LOCK:
            pdf.close()
    return out


def _render_gray(pdf: Any, index: int, dpi: int) -> tuple[Any, float]:
    """Render a page (0-based) in grey as the OCR stage does, holding PDFIUM_LOCK; return it and its pixels per pt."""
    from pipeline.tesseract import render_gray

    img, (w, _h) = render_gray(pdf, index, dpi)     # as the OCR stage renders it
    return img, img.width / w


def _text_above(page: Any, top: float, to_px: Any, height: float) -> str:
    """Return the page text whose boxes lie in the band just above a table (top in image pixels)."""
    chars = [ch for ch, box in zip(page.text, page.boxes or [], strict=False)
             if box is None or top - height <= to_px((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)[1] < top]
    return "".join(chars)


