"""Tables of scanned pages, read cell by cell: the grid from the ruling lines, figures re-read by Tesseract.

Tesseract reading a whole page finds a ruled table's text but misreads many of its figures: the rules beside
a number become "|", "}" or "/" ("6.444/8201" for "6.444.820"), short numbers next to a rule are lost, and
stacked header cells are read as one garbled line. So, on a page OCR'd as an image:

1. the ruled grid is found on the cleaned page image (pipeline.tables.ruled.ruled_grids, at 100 dpi);
2. cells whose page reading is a figure (or that hold ink the page reading missed, in a column of figures) are
   cut out, stacked into one strip image with white space between them, and read by ONE Tesseract call with
   only digits and separators allowed (`tessedit_char_whitelist`); text cells read with low confidence are
   stacked into a second strip read in Vietnamese. One call per strip, not per cell: a Tesseract process costs
   ~0.1-0.2 s to start, and a page has 100-200 cells;
3. the page's words are rebuilt with one line per table row, each cell's words in column order, so the
   document text holds the same readings the table cells do (figures point back into it).

The result is stored with the page OCR in the cache (pipeline.ocr.ocr_image), keyed by the same image.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from pipeline.tables.ruled import OCR_TABLE_DPI, RULE_INK_BELOW, RULE_MIN_GAP, grid_cells, ruled_grids

#: Cache-entry mark of this recipe: change it when the reading of table cells changes.
CELL_RECIPE = "strips-v22"
DIGITS = "0123456789.,-%()"     # brackets: "(2)" column numbers and "(1.200)" negatives are not read as "-2"
# Measured on the 100 figure-column cells of Biểu 59 (207-BC-UBND p.3, 54 filled): one strip, digit whitelist,
# eng + psm 11 (sparse text) read 49 right in 2.0 s; psm 6 34 (3.2 s), psm 4 27; vie 4-7; 1.5x or 2x upscaled
# 31-38; one call per cell (psm 7) 41 of 73 in 45 s. The page reading itself had 51, so it is kept where clean.
DIGITS_LANG = "eng"
DIGITS_PSM = 11
# A second digit strip read as a block (psm 6) for the cells neither reading made a figure of was tried: +1 cell,
# +2 false on 237-TB's annex, nothing on the others, one more Tesseract call a page: not kept.
STRIP_GAP = 24              # white pixels (at the page dpi) between two stacked cells
STRIP_MARGIN = 24
CELL_INSET = 2              # pixels cut from each side of a cell: the rule and its blur (numbers touch the rules)
EDGE = 6                    # pixels from a crop's edge where a leftover rule is looked for
MIN_INK = 12                # dark pixels a cell needs to hold anything
TEXT_REREAD_BELOW = 0.6     # a text cell read with lower mean confidence than this is read again
MISSED_MIN_CONF = 0.6       # a figure the page reading missed is taken from the strip only this confident
_DIGIT_RE = re.compile(r"\d")
_COLUMN_NUMBER_RE = re.compile(r"^\(\d{1,2}\)$")        # "(2)": the number of a column, read right already
WELL_FORMED = re.compile(
    r"""^(?:[+\-−]?\d{1,3}(?:\.\d{3})+(?:,\d+)?   # 1.967.948 or 1.144,30
        |[+\-−]?\d+(?:,\d+)?                     # 20, 31,2
        |-                                        # a dash: nothing to report
        )%?$""",
    re.VERBOSE,
)
_FIGURE_LIKE_RE = re.compile(r"^[\s\d.,%\-–—/|}{\[\]()'`:;_~]+$")


@dataclass
class TSVWord:
    """A word of a Tesseract TSV in the pixels of the image it read."""

    text: str
    left: float
    top: float
    width: float
    height: float
    conf: float
    line: tuple[int, int, int]

    @property
    def centre(self) -> tuple[float, float]:
        """Return the centre of the word's box."""
        return self.left + self.width / 2, self.top + self.height / 2


def tsv_words(tsv: str) -> list[TSVWord]:
    """Return the words of a Tesseract TSV in reading order."""
    out: list[TSVWord] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        out.append(TSVWord(text, float(row["left"]), float(row["top"]), float(row["width"]), float(row["height"]),
                           max(0.0, float(row.get("conf") or 0)) / 100,
                           (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))))
    return out


def _is_figure_text(text: str) -> bool:
    """Say whether a cell's page reading looks like a figure misread at worst: mostly digits and separators."""
    t = text.replace(" ", "")
    return bool(t) and bool(_DIGIT_RE.search(t)) and (
        bool(_FIGURE_LIKE_RE.match(t)) or sum(c.isdigit() for c in t) >= 0.6 * len(t))


_EDGE_JUNK = "|[]{}_/\\'`~:;!"


def _edge_clean(text: str) -> str:
    """Strip what a rule beside a cell's text reads as ("|", "]", "_") from both ends."""
    # a full stop or comma at either end of a figure cell is a speck of the scan, never a decimal mark
    return text.strip(" " + _EDGE_JUNK + ".,„")


def _digits(text: str) -> int:
    """Count the digits of a reading, the letters Tesseract reads for digits included ("8б3", "1O")."""
    return sum(1 for c in text if c.isdigit() or c in "OoIlб|§C")


def _cells_of(ys: list[float], xs: list[float], ids: list[list[int]]) -> list[dict[str, Any]]:
    """Return the cells of a grid: id, first row and column, spans and box (pixels)."""
    return [{"row": r, "col": c, "rowspan": rs, "colspan": cs, "box": list(box)}
            for r, c, rs, cs, box in grid_cells(ys, xs, ids)]


def _crop(ink_img: Image.Image, box: list[float]) -> Image.Image | None:
    """Cut a cell's inside out of the page (rules trimmed); None when it holds no ink."""
    x0, y0, x1, y1 = (round(v) for v in box)
    x0, y0, x1, y1 = x0 + CELL_INSET, y0 + CELL_INSET, x1 - CELL_INSET, y1 - CELL_INSET
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    crop = ink_img.crop((x0, y0, x1, y1))
    arr = np.asarray(crop, dtype=np.uint8)
    dark = arr < 160
    # the grid is found at 100 dpi, so a rule may reach a pixel or two into the crop: step in from each edge
    # past lines that are mostly ink (a digit "1" is dark over its height only, not the cell's)
    top, bottom, left, right = 0, arr.shape[0], 0, arr.shape[1]
    while top < min(EDGE, bottom - 1) and dark[top, left:right].mean() > 0.5:
        top += 1
    while bottom - 1 > max(arr.shape[0] - EDGE, top) and dark[bottom - 1, left:right].mean() > 0.5:
        bottom -= 1
    while left < min(EDGE, right - 1) and dark[top:bottom, left].mean() > 0.5:
        left += 1
    while right - 1 > max(arr.shape[1] - EDGE, left) and dark[top:bottom, right - 1].mean() > 0.5:
        right -= 1
    arr = arr[top:bottom, left:right]
    if int(np.count_nonzero(arr < 128)) < MIN_INK:
        return None
    return Image.fromarray(arr)


def _read_strip(crops: list[Image.Image], *, whitelist: str | None, lang: str, dpi: int,
                psm: int = 6) -> list[tuple[str, float]]:
    """Stack cell images into one strip, read it with one Tesseract call, return each cell's (text, confidence)."""
    from pipeline.tesseract import run_tesseract

    width = max(c.width for c in crops) + 2 * STRIP_MARGIN
    height = sum(c.height for c in crops) + STRIP_GAP * (len(crops) - 1) + 2 * STRIP_MARGIN
    strip = Image.new("L", (width, height), 255)
    slots: list[tuple[float, float]] = []
    y = STRIP_MARGIN
    for c in crops:
        strip.paste(c, (STRIP_MARGIN, y))
        slots.append((y - STRIP_GAP / 2, y + c.height + STRIP_GAP / 2))
        y += c.height + STRIP_GAP
    config = {"tessedit_char_whitelist": whitelist} if whitelist else None
    words = tsv_words(run_tesseract(strip, lang=lang, psm=psm, dpi=dpi, config=config))
    found: list[list[TSVWord]] = [[] for _ in crops]
    for w in words:
        cy = w.centre[1]
        for k, (a, b) in enumerate(slots):
            if a <= cy < b:
                found[k].append(w)
                break
    out: list[tuple[str, float]] = []
    for ws in found:
        ws.sort(key=lambda w: (w.line, w.left))
        text = " ".join(w.text for w in ws)
        out.append((text, min((w.conf for w in ws), default=0.0)))
    return out


def read_scan_tables(cleaned: Image.Image, tsv: str, *, lang: str, dpi: int) -> list[dict[str, Any]]:
    """Find the ruled tables of a cleaned page image and read their cells; boxes in the image's pixels.

    Each table: {"box": [x0, y0, x1, y1], "cells": [{"row", "col", "rowspan", "colspan", "box", "text", "conf",
    "reread": "digits" | "text" | "edge" | None}]}.
    """
    from pipeline.tesseract import repair_number

    k = OCR_TABLE_DPI / dpi
    small = cleaned.resize((max(1, round(cleaned.width * k)), max(1, round(cleaned.height * k))),
                           Image.Resampling.BILINEAR)
    words = tsv_words(tsv)
    cx = np.array([w.centre[0] for w in words], dtype=float)
    cy = np.array([w.centre[1] for w in words], dtype=float)
    tables: list[dict[str, Any]] = []
    digit_jobs: list[tuple[dict[str, Any], Image.Image]] = []
    text_jobs: list[tuple[dict[str, Any], Image.Image]] = []
    for ys, xs, ids in ruled_grids(small, RULE_INK_BELOW, RULE_MIN_GAP):
        ys = [y / k for y in ys]
        xs = [x / k for x in xs]
        cells = _cells_of(ys, xs, ids)
        for cell in cells:
            x0, y0, x1, y1 = cell["box"]
            # the words whose centre falls in the cell: one array test instead of a loop over the page's words
            hit = np.nonzero((cx >= x0) & (cx <= x1) & (cy >= y0) & (cy <= y1))[0]
            inside = sorted((words[i] for i in hit), key=lambda w: (w.line, w.left))
            cell["text"] = " ".join(w.text for w in inside)
            cell["conf"] = min((w.conf for w in inside), default=0.0)
            cell["reread"] = None
        # a column of figures: most of its non-empty cells read as figures
        figure_cols: set[int] = set()
        for c in range(len(xs) - 1):
            texts = [cell["text"] for cell in cells if cell["col"] == c and cell["colspan"] == 1 and cell["text"]]
            if texts and sum(map(_is_figure_text, texts)) >= 0.5 * len(texts):
                figure_cols.add(c)
        line_h = float(np.median([w.height for w in words])) if words else 30.0
        for cell in cells:
            one_line = cell["box"][3] - cell["box"][1] <= 3 * line_h
            # the page reading of a clean figure is kept: on the tables of 207-BC-UBND it read 51 of 73 figure cells
            # right, against 29-37 for the strip and 35-41 for one Tesseract call per cell (psm 7, whitelist)
            edged = _edge_clean(cell["text"])
            if edged != cell["text"] and WELL_FORMED.match(edged) and _is_figure_text(cell["text"]):
                # a rule read beside the figure ("60.000|", "200.000|_"): the figure itself read clean
                cell["text"], cell["reread"] = edged, "edge"
            in_figures = cell["col"] in figure_cols and cell["colspan"] == 1
            figure_like = _is_figure_text(cell["text"]) or (
                in_figures and bool(cell["text"]) and _digits(cell["text"]) >= 0.5 * len(cell["text"].replace(" ", "")))
            misread = figure_like and not WELL_FORMED.match(cell["text"]) \
                and not _COLUMN_NUMBER_RE.match(cell["text"])
            missed = cell["col"] in figure_cols and cell["colspan"] == 1 and not _is_figure_text(cell["text"]) \
                and len(cell["text"].replace(" ", "")) <= 2
            if one_line and (misread or missed):
                crop = _crop(cleaned, cell["box"])
                if crop is not None:
                    digit_jobs.append((cell, crop))
            elif cell["text"] and cell["conf"] < TEXT_REREAD_BELOW and not figure_like:
                # a figure read low-confident but well formed stays: read again as Vietnamese text it became
                # "T.906,7" and "17.00C" (237-TB, 113-BC)
                crop = _crop(cleaned, cell["box"])
                if crop is not None:
                    text_jobs.append((cell, crop))
        x0, y0, x1, y1 = xs[0], ys[0], xs[-1], ys[-1]
        tables.append({"box": [x0, y0, x1, y1], "cells": cells})
    for jobs, whitelist, mark, job_lang, psm in ((digit_jobs, DIGITS, "digits", DIGITS_LANG, DIGITS_PSM),
                                                 (text_jobs, None, "text", lang, 6)):
        if not jobs:
            continue
        for (cell, _crop_img), (text, conf) in zip(
                jobs, _read_strip([c for _, c in jobs], whitelist=whitelist, lang=job_lang, dpi=dpi, psm=psm),
                strict=True):
            page_fixed = repair_number(cell["text"].replace(" ", "")) or cell["text"]
            if mark == "digits" and (not WELL_FORMED.match(text) or (len(text) > 1 and text[0] in "-−+")):
                continue                 # nothing better read (a sign is a rule's stub): keep the page reading
            if mark == "digits" and WELL_FORMED.match(page_fixed) and _digits(text) < _digits(page_fixed):
                continue                 # a digit lost at the cell's edge ("86" for the page's "8O3" = 803)
            if mark == "digits" and not _is_figure_text(cell["text"]) and conf < MISSED_MIN_CONF:
                continue                 # nothing on the page to compare with: only a confident reading
            if mark == "text" and (not text or conf <= cell["conf"]):
                continue                 # the page reading was no worse
            cell["text"], cell["conf"], cell["reread"] = text, conf, mark
    return tables
