"""Recover readable text: triage pages, decode legacy fonts, OCR scans and garbage text layers with Tesseract."""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import unicodedata
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import regex
import yaml
from PIL import Image

from core.config import limit
from core.errors import NeedsOCR, UnreadableDocument, UsageError
from pipeline import limits
from pipeline.legacy import decode_text
from pipeline.model import BBox, Page, PageImage, RawDocument
from pipeline.ocr_cache import OCRCache, cache_key, default_cache_dir
from pipeline.pdfcheck import DAMAGED, text_quality
from pipeline.pdfium import PDFIUM_LOCK, PdfHandle, image_coverage
from pipeline.read import NoTextLayerWarning, no_text_layer_warning, page_ranges
from pipeline.tesseract import (
    CLEANUP,
    DPI,
    LANG,
    LINE_EM,
    PSM,
    clean_page,
    drop_colour,
    render_gray,
    repair_number,
    run_tesseract,
    tesseract_version,
    turn_image,
    turn_point,
    unrotate,
    unturn_point,
)
from pipeline.triage import MIN_DIACRITIC_SHARE, diacritic_share, triage_page

MODES = ("auto", "always", "never")


# --------------------------------------------------------------------------- TSV -> page text


@dataclass
class _Word:
    text: str
    box: BBox          # in PDF points
    conf: float        # 0..1
    line: tuple[int, int, int]
    size: float | None = None   # font size estimated from the line height, points


def parse_tsv(tsv: str, *, dpi: float, angle: float, size: tuple[int, int], turn: int = 0) -> list[_Word]:
    """Read Tesseract TSV word rows into words with boxes in PDF points on the unrotated, unturned page."""
    words: list[_Word] = []
    k = 72.0 / dpi
    line_height: dict[tuple[int, int, int], float] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") == "4":
            key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
            line_height[key] = float(row["height"]) * k
            continue
        if row.get("level") != "5":
            continue
        text = unicodedata.normalize("NFC", (row.get("text") or "").strip())
        if not text:
            continue
        x, y = float(row["left"]), float(row["top"])
        w, h = float(row["width"]), float(row["height"])
        box = px_box_to_pt((x, y, x + w, y + h), dpi=dpi, angle=angle, size=size, turn=turn)
        conf = max(0.0, min(1.0, float(row.get("conf") or 0) / 100))
        line = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        words.append(_Word(text, box, conf, line))
    for word in words:
        lh = line_height.get(word.line)
        # a rough font size, enough for normalize() to tell small-print footnotes from the body
        word.size = round(lh / LINE_EM * 2) / 2 if lh else None
    return words


def px_box_to_pt(box: tuple[float, float, float, float], *, dpi: float, angle: float, size: tuple[int, int],
                 turn: int = 0) -> BBox:
    """Map a box in the pixels of a cleaned (turned, deskewed) page image to PDF points on the page."""
    k = 72.0 / dpi
    x0, y0, x1, y1 = box
    if not (angle or turn):
        return (x0 * k, y0 * k, x1 * k, y1 * k)
    pts = [unrotate(px, py, angle, size) if angle else (px, py) for px, py in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]
    pts = [unturn_point(px, py, turn, size) for px, py in pts]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return (min(xs) * k, min(ys) * k, max(xs) * k, max(ys) * k)


def pt_to_px(x: float, y: float, *, dpi: float, angle: float, size: tuple[int, int], turn: int = 0) -> tuple[float, float]:
    """Map a point in PDF points on the page to the pixels of the cleaned (turned, deskewed) page image."""
    k = dpi / 72.0
    tw, th = size
    before = (th, tw) if turn % 180 else (tw, th)        # the image before the turn
    px, py = turn_point(x * k, y * k, turn, before)
    return unrotate(px, py, -angle, size) if angle else (px, py)


def table_words(words: list[_Word], tables: list[dict[str, Any]], *, dpi: float, angle: float,
                size: tuple[int, int], turn: int = 0) -> list[_Word]:
    """Put the words of each ruled table (pipeline.tables.scan) one table row to a line, cells in column order.

    Cells read again (a figure re-read with digits only) replace the page's words inside them.
    """
    if not tables:
        return words

    def where(w: _Word) -> tuple[float, float]:
        return pt_to_px((w.box[0] + w.box[2]) / 2, (w.box[1] + w.box[3]) / 2, dpi=dpi, angle=angle, size=size, turn=turn)

    def inside(p: tuple[float, float], box: list[float]) -> bool:
        return box[0] <= p[0] <= box[2] and box[1] <= p[1] <= box[3]

    centres = [where(w) for w in words]
    out: list[_Word] = []
    done: set[int] = set()
    for w, p in zip(words, centres, strict=True):
        t = next((i for i, tb in enumerate(tables) if inside(p, tb["box"])), None)
        if t is None:
            out.append(w)
            continue
        if t in done:
            continue
        done.add(t)
        mine = [(ww, pp) for ww, pp in zip(words, centres, strict=True) if inside(pp, tables[t]["box"])]
        for cell in sorted(tables[t]["cells"], key=lambda c: (c["row"], c["col"])):
            line = (100000 + t, cell["row"], 0)
            if cell.get("reread"):
                tokens = cell["text"].split()
                x0, y0, x1, y1 = cell["box"]
                x0, y0, x1, y1 = x0 + 4, y0 + 4, x1 - 4, y1 - 4
                step = (x1 - x0) / max(1, sum(len(tok) + 1 for tok in tokens))
                size_pt = next((ww.size for ww, pp in mine if inside(pp, cell["box"])), None)
                x = x0
                for tok in tokens:
                    box = px_box_to_pt((x, y0, x + step * len(tok), y1), dpi=dpi, angle=angle, size=size, turn=turn)
                    out.append(_Word(tok, box, float(cell["conf"]), line, size_pt))
                    x += step * (len(tok) + 1)
            else:
                for ww, pp in mine:
                    if inside(pp, cell["box"]):
                        out.append(dataclasses.replace(ww, line=line))
    return out


@dataclass
class PageText:
    """Text of an OCR'd page with one box, confidence and repaired marker per character."""

    text: str
    boxes: list[BBox | None]
    confidences: list[float | None]
    repaired: list[bool]
    sizes: list[float | None] = dataclasses.field(default_factory=list)

    def edit(self, start: int, end: int, new: str) -> None:
        """Replace text[start:end] by new, keeping the per-character lists aligned and marking it repaired."""
        old_boxes = [b for b in self.boxes[start:end] if b is not None]
        old_conf = [c for c in self.confidences[start:end] if c is not None]
        if len(new) == end - start:
            boxes = self.boxes[start:end]
        else:
            union = (min(b[0] for b in old_boxes), min(b[1] for b in old_boxes),
                     max(b[2] for b in old_boxes), max(b[3] for b in old_boxes)) if old_boxes else None
            boxes = [union] * len(new)
        conf = min(old_conf) if old_conf else None
        if self.sizes:
            size = next((z for z in self.sizes[start:end] if z is not None), None)
            self.sizes[start:end] = [size] * len(new)
        self.text = self.text[:start] + new + self.text[end:]
        self.boxes[start:end] = boxes
        self.confidences[start:end] = [conf] * len(new)
        self.repaired[start:end] = [True] * len(new)


def _char_box(box: BBox, i: int, n: int, turn: int) -> BBox:
    """Return the box of character i of n of a word (page points), spread the way the word runs on the page.

    On a page read turned (turn, degrees counter-clockwise) a word runs down or up the page, not across: its
    characters spread along x would stick out of a narrow table cell and a cell's text be read as a few letters of
    each line ("c t h t H á rì k" for "trình kỳ họp thứ 7" on a portrait annex scanned sideways).
    """
    x0, top, x1, bottom = box
    t = turn % 360
    if t in (90, 270):
        step = (bottom - top) / n
        k = i if t == 90 else n - 1 - i       # turned 90: the text runs down the page; 270: up
        return (round(x0, 2), round(top + k * step, 2), round(x1, 2), round(top + (k + 1) * step, 2))
    step = (x1 - x0) / n
    k = n - 1 - i if t == 180 else i
    return (round(x0 + k * step, 2), round(top, 2), round(x0 + (k + 1) * step, 2), round(bottom, 2))


def assemble(words: list[_Word], turn: int = 0) -> PageText:
    """Join words into lines (Tesseract's reading order), one box per character spread over its word."""
    pt = PageText("", [], [], [])
    parts: list[str] = []
    prev_line: tuple[int, int, int] | None = None
    for w in words:
        if prev_line is not None:
            sep = " " if w.line == prev_line else "\n"
            parts.append(sep)
            pt.boxes.append(None)
            pt.confidences.append(None)
            pt.sizes.append(None)
        prev_line = w.line
        parts.append(w.text)
        for i in range(len(w.text)):
            pt.boxes.append(_char_box(w.box, i, len(w.text), turn))
            pt.confidences.append(w.conf)
            pt.sizes.append(w.size)
    pt.text = "".join(parts)
    pt.repaired = [False] * len(pt.text)
    return pt


# --------------------------------------------------------------------------- repairs (OCR text only)

# A token that is clearly a number: digits mixed with a few letters Tesseract confuses with digits.
_NUMERIC_TOKEN = regex.compile(
    r"""(?<![\p{L}\d§|])          # not glued to a word or a longer token on the left
        [0-9OoIl|§]               # starts with a digit or a confusable
        [0-9OoIl|§.,]*            # digits, confusables, separators
        (?<![.,])                 # sentence punctuation is not part of the number
        (?![\p{L}\d§|])           # not glued to a word on the right
    """,
    regex.VERBOSE,
)
@cache
def _unit_confusions() -> tuple[regex.Pattern[str], dict[str, str]]:
    data = yaml.safe_load((Path(__file__).resolve().parent / "data" / "ocr_confusions.yaml").read_text("utf-8"))
    table: dict[str, str] = {}
    for e in data["units"]:
        wrong, right = unicodedata.normalize("NFC", str(e["wrong"])), unicodedata.normalize("NFC", str(e["right"]))
        if not wrong or wrong == right or wrong.lower() in table:
            raise ValueError(f"ocr_confusions.yaml: bad or repeated entry {e!r}")
        table[wrong.lower()] = right
    alts = "|".join(regex.escape(w) for w in sorted(table, key=len, reverse=True))
    pattern = regex.compile(rf"(?<=\d[\d.,]*\s?)(?:{alts})(?![\p{{L}}\d])", regex.IGNORECASE)
    return pattern, table


def repair_text(pt: PageText) -> int:
    """Repair confusable characters inside clear numbers and misread unit words after numbers; return count."""
    edits: list[tuple[int, int, str]] = []
    for m in _NUMERIC_TOKEN.finditer(pt.text):
        fixed = repair_number(m.group())
        if fixed is not None:
            edits.append((m.start(), m.end(), fixed))
    pattern, table = _unit_confusions()
    for m in pattern.finditer(pt.text):
        right = table.get(m.group().lower())
        if right is not None and right != m.group():
            if m.group()[:1].isupper():
                right = right[:1].upper() + right[1:]
            edits.append((m.start(), m.end(), right))
    for start, end, new in sorted(edits, reverse=True):
        pt.edit(start, end, new)
    return len(edits)


# --------------------------------------------------------------------------- one page


@dataclass
class OCRSettings:
    """Everything that changes Tesseract's output for a given page image (part of the cache key)."""

    dpi: int = DPI
    psm: int = PSM
    lang: str = LANG
    cleanup: str = CLEANUP

    def as_dict(self) -> dict[str, Any]:
        """Return the settings as a JSON-able dict."""
        return dataclasses.asdict(self)


BLANK_INK = 128              # a pixel darker than this is ink
BLANK_MAX_INK = 1e-5         # share of ink pixels below which a render is blank (~38 px, a few specks, at 200 dpi)


def is_blank(img: Image.Image) -> bool:
    """Say whether a rendered page image is blank: (almost) no pixel dark enough to be ink."""
    arr = np.asarray(img.convert("L"), dtype=np.uint8)
    # a full stop at 13 pt and 200 dpi is ~25 px, a digit ~100 px: this only lets dust and empty pages through
    return int(np.count_nonzero(arr < BLANK_INK)) <= max(16, int(arr.size * BLANK_MAX_INK))


def ocr_image(img: Image.Image, settings: OCRSettings, cache: OCRCache | None) -> dict[str, Any]:
    """OCR one rendered page (cached): return {"tsv", "angle", "size"} of the cleaned image.

    A blank image is not given to Tesseract: the result has an empty "tsv" and "blank": True.
    """
    gray = img.convert("L")
    if is_blank(gray):
        return {"tsv": "", "angle": 0.0, "size": list(gray.size), "blank": True}
    key = ""
    if cache is not None:
        key = cache_key(gray.tobytes(), gray.size, tesseract_version(), settings.lang, settings.as_dict())
        hit = cache.get(key)
        if hit is not None and "tsv" in hit and (hit.get("turned_by") == TURN_RECIPE or not _may_be_turned(hit, settings)) \
                and (hit.get("tables_by") == _cell_recipe() or settings.cleanup == "none"):
            return hit
    else:
        hit = None
    if hit is not None and "tsv" in hit and ("turn" not in hit or hit.get("turned_by") == TURN_RECIPE):
        result: dict[str, Any] = hit       # read before pages were turned: only the turn is new
    else:
        cleaned, angle = clean_page(gray) if settings.cleanup != "none" else (gray, 0.0)
        tsv = run_tesseract(cleaned, lang=settings.lang, psm=settings.psm, dpi=settings.dpi)
        result = {"tsv": tsv, "angle": angle, "size": list(cleaned.size)}
    if _may_be_turned(result, settings):
        result = _best_turn(gray, settings, result)
    if settings.cleanup != "none" and result.get("tables_by") != _cell_recipe():
        from pipeline.tables.scan import CELL_RECIPE, read_scan_tables

        cleaned = clean_page(turn_image(gray, int(result.get("turn", 0))))[0]
        result = {**result, "tables": read_scan_tables(cleaned, result["tsv"], lang=settings.lang, dpi=settings.dpi),
                  "tables_by": CELL_RECIPE}
    if cache is not None:
        cache.put(key, result)
    return result


# A page read upright has mean word confidence ~0.8-0.95 (the public scans); a page scanned sideways or upside
# down (landscape tables of 207-BC-UBND) reads as garbage at ~0.3-0.5, so only those pay for more readings.
TURN_BELOW_CONFIDENCE = 0.6
TURN_GOOD_ENOUGH = 0.7
TURN_RECIPE = "conf<0.6,level-lines"     # cache-entry mark of the recipe that chose the turn


def tsv_confidence(tsv: str) -> float:
    """Return the mean confidence (0..1) of the words of a Tesseract TSV, weighted by their length."""
    total = weight = 0.0
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") == "5" and text:
            total += max(0.0, float(row.get("conf") or 0)) / 100 * len(text)
            weight += len(text)
    return total / weight if weight else 0.0


def tsv_vertical_share(tsv: str) -> float:
    """Return the share of words (3+ letters, by length) whose box is taller than wide: text set sideways."""
    tall = total = 0
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") == "5" and len(text) >= 3:
            total += len(text)
            tall += len(text) if float(row["height"]) > float(row["width"]) else 0
    return tall / total if total else 0.0


def _reading_score(tsv: str) -> float:
    """Score a reading: its confidence, less a penalty when Tesseract read its lines sideways."""
    # Tesseract reads a page turned a quarter turn well, but its lines then run down the page and a table's
    # rows would be found as columns; the page must be turned until its lines are level.
    return tsv_confidence(tsv) - (0.5 if tsv_vertical_share(tsv) > 0.5 else 0.0)


def _cell_recipe() -> str:
    from pipeline.tables.scan import CELL_RECIPE

    return CELL_RECIPE


def _may_be_turned(result: dict[str, Any], settings: OCRSettings) -> bool:
    """Say whether a reading is bad (or sideways) enough that the page may lie turned."""
    return settings.cleanup != "none" and result.get("turned_by") != TURN_RECIPE \
        and _reading_score(result["tsv"]) < TURN_BELOW_CONFIDENCE


def _best_turn(gray: Image.Image, settings: OCRSettings, first: dict[str, Any]) -> dict[str, Any]:
    """Read a page that read badly (or sideways) once more turned; keep the best reading."""
    sideways = tsv_vertical_share(first["tsv"]) > 0.5
    turns = (270, 90) if sideways else (270, 90, 180)
    best, best_score = {**first, "turn": 0, "turned_by": TURN_RECIPE}, _reading_score(first["tsv"])
    for turn in turns:
        cleaned, angle = clean_page(turn_image(gray, turn))
        tsv = run_tesseract(cleaned, lang=settings.lang, psm=settings.psm, dpi=settings.dpi)
        score = _reading_score(tsv)
        if score > best_score + 0.1:
            best = {"tsv": tsv, "angle": angle, "size": list(cleaned.size), "turn": turn, "turned_by": TURN_RECIPE}
            best_score = score
        if best_score >= TURN_GOOD_ENOUGH:
            break
    return best


def page_from_ocr(number: int, result: dict[str, Any], settings: OCRSettings,
                  width: float, height: float) -> Page:
    """Build an OCR Page (boxes in PDF points, confidences, repaired markers) from a Tesseract result."""
    size = (int(result["size"][0]), int(result["size"][1]))
    turn = int(result.get("turn", 0))
    words = parse_tsv(result["tsv"], dpi=settings.dpi, angle=float(result["angle"]), size=size, turn=turn)
    words = table_words(words, result.get("tables") or [], dpi=settings.dpi, angle=float(result["angle"]),
                        size=size, turn=turn)
    pt = assemble(words, turn)
    repaired = repair_text(pt)
    return Page(
        number=number, text=pt.text, boxes=pt.boxes, confidences=pt.confidences, sizes=pt.sizes,
        width=width, height=height, source="ocr", turn=turn,
        repaired=pt.repaired if repaired else None,
    )


# --------------------------------------------------------------------------- documents


def _decode_page(page: Page) -> Page:
    d = decode_text(page.text)
    if not d.changed:
        return page
    n_src = len(page.text)

    def remap(values: list[Any] | None, merge: Callable[[list[Any]], Any]) -> list[Any] | None:
        if values is None:
            return None
        out = []
        for i, s in enumerate(d.source_index):
            nxt = d.source_index[i + 1] if i + 1 < len(d.source_index) else n_src
            out.append(merge(values[s:max(nxt, s + 1)]))
        return out

    def union(bs: list[BBox | None]) -> BBox | None:
        real = [b for b in bs if b is not None]
        if not real:
            return None
        return (min(b[0] for b in real), min(b[1] for b in real), max(b[2] for b in real), max(b[3] for b in real))

    return dataclasses.replace(
        page, text=d.text,
        boxes=remap(page.boxes, union),
        sizes=remap(page.sizes, lambda v: v[0] if v else None),
        confidences=remap(page.confidences, lambda v: v[0] if v else None),
    )


def _decode_extras(raw: RawDocument) -> RawDocument:
    """Decode legacy-font text in table cells and separate footnotes (docx), cell by cell."""
    def fix(t: str | None) -> str | None:
        return decode_text(t).text if t else t

    tables = [dataclasses.replace(t, rows=[[fix(c) for c in row] for row in t.rows],
                                  unit_line=fix(t.unit_line), title=fix(t.title)) for t in raw.tables]
    footnotes = [(m, decode_text(t).text) for m, t in raw.footnotes]
    return dataclasses.replace(raw, tables=tables, footnotes=footnotes)


def _image_coverage(pdf: Any, number: int) -> float:
    """Return the share of page `number` (1-based) covered by images (pdfium, under PDFIUM_LOCK)."""
    with PDFIUM_LOCK:
        pdf_page = pdf[number - 1]
        try:
            return image_coverage(pdf_page)
        finally:
            pdf_page.close()


def render_page(pdf: Any, number: int, dpi: int = DPI, *, name: str = "the PDF"
                ) -> tuple[Image.Image, tuple[float, float]]:
    """Render page `number` (1-based) of an open pypdfium2 document in grayscale; return it and its size (pt).

    Holds PDFIUM_LOCK for every pdfium call (pdfium is not thread-safe, even across documents) and closes the
    bitmap and page before letting go, so no pdfium finalizer runs later on another thread.
    """
    # a huge page renders at a capped size (the dpi of the result is taken from the image's width); the pixels
    # are owned (the bitmap's buffer goes with it); a seal's or a pen's colour ink is dropped
    return render_gray(pdf, number - 1, dpi, check=lambda page, n: limits.check_images(name, n, page))


def _pages(numbers: list[int]) -> str:
    return f"page {numbers[0]}" if len(numbers) == 1 else f"pages {page_ranges(numbers)}"


def rewrite_no_text_warnings(warnings: list[str], ocrd: set[int], blank: set[int]) -> list[str]:
    """Replace read()'s "pages … need OCR" warning by what OCR did with those pages (the rest kept as they are)."""
    out: list[str] = []
    for w in warnings:
        if not isinstance(w, NoTextLayerWarning):
            out.append(w)
            continue
        done = [n for n in w.pages if n in ocrd and n not in blank]
        empty = [n for n in w.pages if n in blank]
        left = [n for n in w.pages if n not in ocrd and n not in blank]
        if done:
            out.append(f"{_pages(done)} had no text layer and {'was' if len(done) == 1 else 'were'} OCR'd")
        if empty:
            out.append(f"{_pages(empty)} had no text layer and {'is' if len(empty) == 1 else 'are'} blank "
                       "(nothing to OCR)")
        if left:
            out.append(no_text_layer_warning(left, w.total))
    return out


def _recheck_damaged(pages: list[Page], decisions: list[tuple[str, str]], to_ocr: list[int], n_pdf: int) -> None:
    """In a damaged PDF, OCR the pages whose text layer is much shorter than its other pages' (content lost)."""
    counts = sorted(sum(1 for c in p.text if not c.isspace()) for p in pages)
    median = counts[len(counts) // 2] if counts else 0
    for i, p in enumerate(pages):
        visible = sum(1 for c in p.text if not c.isspace())
        # a font whose ToUnicode map was lost shows its glyph codes as control characters ("\x05\x06\x07")
        controls = sum(1 for c in p.text if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v")
        if i in to_ocr or not 1 <= p.number <= n_pdf or decisions[i][0] != "good":
            continue
        if controls > max(2, 0.002 * visible):
            reason = (f"the PDF is damaged and this page's text layer holds {controls} control characters (a font "
                      "lost its character map): re-read by OCR")
        elif visible < 0.5 * median:
            reason = (f"the PDF is damaged and this page's text layer holds {visible} characters against "
                      f"{median} on a typical page of it: part of its content may be lost, re-read by OCR")
        else:
            continue
        decisions[i] = ("bad-layer", reason)
        p.triage, p.triage_reason = "bad-layer", reason
        to_ocr.append(i)
    to_ocr.sort()


def recover_text(raw: RawDocument, mode: str = "auto", *, workers: int | None = None,
                 cache_dir: Path | None = None, use_cache: bool = True,
                 settings: OCRSettings | None = None) -> RawDocument:
    """Triage every page, decode legacy-font lines, OCR PDF pages without usable text; return a new RawDocument."""
    if mode not in MODES:
        raise UsageError(f"unknown OCR mode {mode!r}: use one of {', '.join(MODES)}")
    settings = settings or OCRSettings()
    pages = [dataclasses.replace(p) for p in raw.pages]
    if raw.images:
        return _ocr_page_images(raw, mode, settings, workers=workers, cache_dir=cache_dir, use_cache=use_cache)
    if raw.format != "pdf":
        for i, p in enumerate(pages):
            decision, reason = triage_page(p)
            if decision == "legacy":
                p = _decode_page(p)
            elif decision in ("no-text", "bad-layer"):
                reason += " (not a PDF: nothing to OCR, text kept as is)"
            pages[i] = dataclasses.replace(p, triage=decision, triage_reason=reason)
        return _decode_extras(dataclasses.replace(raw, pages=pages))

    # The handle read() left open, else the file opened here (library use: read_document without keep_open).
    handle = raw.pdf if raw.pdf is not None and not raw.pdf.closed else None
    own = handle is None
    if handle is None:
        try:
            handle = PdfHandle(raw.path, Path(raw.path).read_bytes())
        except Exception as exc:  # pypdfium2 raises PdfiumError and OSError subclasses
            raise UnreadableDocument(f"{raw.path}: cannot open the PDF to OCR it ({exc}); check the file") from exc
    pdf = handle.pdf
    try:
        n_pdf = handle.pages
        decisions: list[tuple[str, str]] = []
        for p in pages:
            if 1 <= p.number <= n_pdf and p.image_coverage is None:
                p.image_coverage = _image_coverage(pdf, p.number)
            decisions.append(triage_page(p))
        # A scan whose OCR layer lost its diacritics on most pages lost them on its short table pages too.
        stripped = sum(1 for d, r in decisions if d == "bad-layer" and r.startswith("Vietnamese with diacritics"))
        if stripped >= max(2, len(pages) // 2):
            for i, (d, _r) in enumerate(decisions):
                if d == "good" and (pages[i].image_coverage or 0) >= 0.5 \
                        and diacritic_share(pages[i].text) < MIN_DIACRITIC_SHARE:
                    decisions[i] = ("bad-layer", f"scanned page with few diacritics ({diacritic_share(pages[i].text):.0%} "
                                    f"of words) in a document whose OCR layer lost them on {stripped} pages")
        to_ocr = [i for i, (d, _r) in enumerate(decisions)
                  if 1 <= pages[i].number <= n_pdf
                  and (mode == "always" or (mode == "auto" and d in ("no-text", "bad-layer")))]
        for i, (d, r) in enumerate(decisions):
            if d == "legacy" and i not in to_ocr:
                pages[i] = _decode_page(pages[i])
            pages[i].triage, pages[i].triage_reason = d, r
        if any(w.startswith(DAMAGED) for w in raw.warnings) and mode == "auto":
            _recheck_damaged(pages, decisions, to_ocr, n_pdf)
        if not to_ocr:
            return _decode_extras(dataclasses.replace(raw, pages=pages))
        tesseract_version()   # fail early with the install hint
        cache = OCRCache(cache_dir or default_cache_dir()) if use_cache else None
        n_workers = max(1, workers or os.cpu_count() or 1)
        pending: list[tuple[int, tuple[float, float], Future[dict[str, Any]]]] = []

        ocrd: set[int] = set()
        blank: set[int] = set()

        def finish(i: int, size: tuple[float, float], fut: Future[dict[str, Any]]) -> None:
            result = fut.result()
            page_settings = settings
            if result.get("size") and size[0] and not result.get("blank"):
                # a page rendered at a capped size: its boxes scale with the dpi it was really rendered at
                # (the width before the page was turned: a turned page's result is the other way round, and
                # a portrait form scanned sideways onto a landscape page read as rendered at 142 dpi, its text
                # boxes 1.4x off the table's rules)
                width_px = int(result["size"][1 if int(result.get("turn", 0)) % 180 else 0])
                real = round(width_px * 72 / size[0])
                if real < settings.dpi - 1:
                    page_settings = dataclasses.replace(settings, dpi=real)
            new = page_from_ocr(pages[i].number, result, page_settings, size[0], size[1])
            new.triage = pages[i].triage
            why = "--ocr always" if mode == "always" else pages[i].triage_reason
            if result.get("blank"):
                new.triage_reason = f"{why}; the page image is blank: no text to OCR"
                new.boxes = None      # nothing to look at again: later stages (table rules) skip the page
                blank.add(new.number)
            else:
                new.triage_reason = (f"{why}; re-read by Tesseract {tesseract_version()} "
                                     f"({settings.lang}, {settings.dpi} dpi)")
            new.image_coverage = pages[i].image_coverage
            new.has_text_layer = pages[i].has_text_layer
            old_reason = pages[i].triage_reason or ""
            if old_reason.startswith(DAMAGED):
                # a damaged PDF's page: keep whichever of text layer and OCR reads better (a cut font program
                # renders wrong glyphs, so OCR can be worse than a text layer that lost a few characters)
                old_q, new_q = text_quality(pages[i].text), text_quality(new.text)
                if old_q >= new_q:
                    pages[i].triage_reason = old_reason + (f"; kept the text layer: it reads better than OCR "
                                                           f"({old_q:.0%} against {new_q:.0%} of words are "
                                                           "Vietnamese): check this page")
                    return
            ocrd.add(new.number)
            pages[i] = new

        with ThreadPoolExecutor(max_workers=n_workers) as pool:
            for i in to_ocr:
                # pdfium is not thread-safe: render here under PDFIUM_LOCK, clean up and OCR in the pool (no
                # lock: other documents may use pdfium meanwhile); keep at most two rendered pages per worker
                while len(pending) >= 2 * n_workers:
                    finish(*pending.pop(0))
                limits.check_clock(raw.path, f"OCR'ing page {pages[i].number} of {n_pdf}")
                with PDFIUM_LOCK:
                    pdf_page = pdf[pages[i].number - 1]
                    try:
                        empty = limits.page_is_empty(pdf_page)
                        size = pdf_page.get_size()
                    finally:
                        pdf_page.close()
                if empty:
                    # nothing is drawn on the page: blank without rendering it (a 200-inch page took 50 s)
                    blank_page: Future[dict[str, Any]] = Future()
                    blank_page.set_result({"tsv": "", "angle": 0.0, "size": [0, 0], "blank": True})
                    pending.append((i, size, blank_page))
                    continue
                img, size = render_page(pdf, pages[i].number, settings.dpi, name=Path(raw.path).name)
                pending.append((i, size, pool.submit(ocr_image, img, settings, cache)))
            while pending:
                finish(*pending.pop(0))
    finally:
        if own:
            handle.close()
    warnings = rewrite_no_text_warnings(list(raw.warnings), ocrd, blank)
    return _decode_extras(dataclasses.replace(raw, pages=pages, warnings=warnings))


# --------------------------------------------------------------------------- Word files of pasted scans

# Pasted scans are ~100-170 dpi as shown in the document (the 662-BC pictures: 96-175). Measured on 662-BC
# (7 pictures): enlarged to 300 dpi its small-print table strips read at mean confidence 0.64-0.88 against
# 0.41-0.82 at 200 dpi (where they looked turned and were read three more times: 24 Tesseract runs, not 17),
# in 4.1 s a picture against 9.5; 400 dpi read them about as well (0.65-0.88) in 5.5 s and found more false
# figures in the garbled strips. The prose page (96 dpi as shown) read alike at all three.
# (bench/bench_ocr.py pictures)
IMAGE_DPI = 300
WORD_PIXEL_DPI = 96          # Word's pixels per inch for a picture shown without a size


def image_dpi(image: PageImage) -> float:
    """Return the dpi a Word picture is shown at (its pixels over its size in the document)."""
    if image.width_pt:
        return image.width_px * 72 / image.width_pt
    return WORD_PIXEL_DPI


def page_image(image: PageImage, dpi: int = IMAGE_DPI) -> Image.Image:
    """Decode a Word page picture to grayscale, scaled to `dpi` as shown (kept under the render pixel limit)."""
    with Image.open(io.BytesIO(image.data)) as img:
        gray = drop_colour(img)          # a seal's or a pen's colour ink dropped; a grey picture as before
    scale = dpi / image_dpi(image)
    cap = limit("render_mpx") * 1e6
    if gray.width * gray.height * scale * scale > cap > 0:
        scale = (cap / (gray.width * gray.height)) ** 0.5
    if abs(scale - 1) < 0.05:
        return gray
    size = (max(1, round(gray.width * scale)), max(1, round(gray.height * scale)))
    return gray.resize(size, resample=Image.Resampling.LANCZOS)


def _ocr_page_images(raw: RawDocument, mode: str, settings: OCRSettings, *, workers: int | None,
                     cache_dir: Path | None, use_cache: bool) -> RawDocument:
    """OCR a Word file of pasted scans: one page per picture, in document order."""
    name = Path(raw.path).name
    n = len(raw.images)
    if mode == "never":   # not permanent: the same bytes read with --ocr auto
        raise NeedsOCR(
            f"{name}: the file has no text: its {n} page{'s are' if n > 1 else ' is a'} pasted picture"
            f"{'s' if n > 1 else ''} (scans); ingest it with --ocr auto to read them by OCR")
    tesseract_version()   # fail early with the install hint
    settings = dataclasses.replace(settings, dpi=IMAGE_DPI)
    cache = OCRCache(cache_dir or default_cache_dir()) if use_cache else None
    reason = "a Word file with no text whose pages are pasted pictures"
    pages: list[Page] = []
    blank: set[int] = set()
    n_workers = max(1, workers or os.cpu_count() or 1)

    def finish(old: Page, img: Image.Image, fut: Future[dict[str, Any]]) -> None:
        result = fut.result()
        # boxes in points of the picture as shown (the image was scaled to settings.dpi of that size)
        width, height = img.width * 72 / settings.dpi, img.height * 72 / settings.dpi
        new = page_from_ocr(old.number, result, settings, width, height)
        new.has_text_layer, new.triage = False, "no-text"
        if result.get("blank"):
            new.boxes = None
            new.triage_reason = f"{reason}; the picture is blank: no text to OCR"
            blank.add(new.number)
        else:
            new.triage_reason = (f"{reason}; read by Tesseract {tesseract_version()} "
                                 f"({settings.lang}, {settings.dpi} dpi)")
        pages.append(new)

    pending: list[tuple[Page, Image.Image, Future[dict[str, Any]]]] = []
    with ThreadPoolExecutor(max_workers=n_workers) as pool:
        for old, image in zip(raw.pages, raw.images, strict=True):
            while len(pending) >= 2 * n_workers:     # at most two decoded pictures per worker
                finish(*pending.pop(0))
            limits.check_clock(raw.path, f"OCR'ing picture {old.number} of {n}")
            img = page_image(image, settings.dpi)
            pending.append((old, img, pool.submit(ocr_image, img, settings, cache)))
        while pending:
            finish(*pending.pop(0))
    ocrd = {p.number for p in pages}
    warnings = rewrite_no_text_warnings(list(raw.warnings), ocrd, blank)
    return dataclasses.replace(raw, pages=pages, warnings=warnings, images=[])
