"""Locate cell texts in a document's normalized text: by character boxes, else by searching in reading order."""

from __future__ import annotations

import re
from collections.abc import Callable

from extractors.table_model import Span, clean
from pipeline.model import Document
from pipeline.tables.model import Cell

# Locating cell text in doc.text


def flex_pattern(text: str) -> re.Pattern[str] | None:
    words = clean(text).split()
    if not words:
        return None
    return re.compile(r"[\s*]+".join(re.escape(w) for w in words))


def search_spans(text: str, cells: list[Cell], start: int = 0, window: int = 4000) -> int:
    """Locate cells in reading order by searching their text forward from start; return the cursor."""
    cursor = start
    for cell in cells:
        pat = flex_pattern(cell.text)
        if pat is None:
            continue
        m = pat.search(text, cursor, min(len(text), cursor + window))
        if m is None:
            continue
        cell.span = (m.start(), m.end())
        cursor = m.end()
    return cursor


def page_to_doc(doc: Document, page_index: int) -> list[int | None]:
    """Return, for each char of page page_index, its offset in doc.text (None where not copied)."""
    out: list[int | None] = [None] * len(doc.pages[page_index].text)
    for seg in doc.segments:
        if seg.page_index == page_index:
            for k in range(seg.end - seg.start):
                if seg.page_start + k < len(out):
                    out[seg.page_start + k] = seg.start + k
    return out


def map_span(mapping: list[int | None], span: Span) -> Span | None:
    """Map a (start, end) span of page text to doc.text through the copied characters."""
    inside = [mapping[k] for k in range(span[0], min(span[1], len(mapping))) if mapping[k] is not None]
    if not inside:
        return None
    return (min(x for x in inside if x is not None), max(x for x in inside if x is not None) + 1)


def locate_by_boxes(doc: Document, page_index: int, cells: list[Cell],
                     transform: Callable[[float, float], tuple[float, float]] | None = None) -> bool:
    """Locate cells through the characters whose boxes fall inside each cell's bbox.

    transform maps a character's centre (page points) into the cells' coordinates (a deskewed image).
    """
    page = doc.pages[page_index]
    if page.boxes is None or not doc.segments:
        return False
    mapping = page_to_doc(doc, page_index)
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
            seen = clean("".join(parts))
            if not cell.text or seen.replace(" ", "") == cell.text.replace(" ", ""):
                cell.text = seen
    return True




def page_start(doc: Document, page_index: int) -> int:
    for seg in doc.segments:
        if seg.page_index == page_index:
            return seg.start
    return 0


