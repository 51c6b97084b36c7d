"""One process-wide lock around pypdfium2, which must never be called from two threads at once."""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# pdfium keeps global state: its docs forbid concurrent calls even on different documents, and the flow
# reads two documents at once in threads (a stress run gave different text for 2 of 44 concurrent reads).
# Every pypdfium2 call — open, page, text page, render, page objects, close — runs while holding this lock.
# Re-entrant so a helper that takes it can call another helper that takes it.
PDFIUM_LOCK = threading.RLock()


@contextmanager
def open_pdf(source: str | Path | bytes) -> Iterator[Any]:
    """Open a PDF with pypdfium2 under PDFIUM_LOCK and close it under the lock when done."""
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(source)
    try:
        yield pdf
    finally:
        with PDFIUM_LOCK:
            pdf.close()


class PdfHandle:
    """One PDF opened once for every stage of a document (read, OCR rendering, tables); close when done.

    Every use of `pdf` must hold PDFIUM_LOCK (pdfium is not thread-safe, even across documents).
    """

    def __init__(self, path: str | Path, data: bytes) -> None:
        import pypdfium2 as pdfium

        self.path = str(path)
        self.data = data                     # pdfium reads from this buffer: keep it alive with the handle
        with PDFIUM_LOCK:
            self._pdf: Any = pdfium.PdfDocument(data)
            self.pages = len(self._pdf)

    @property
    def pdf(self) -> Any:
        """Return the open pypdfium2 document (raises once closed)."""
        if self._pdf is None:
            raise ValueError(f"{self.path}: the PDF handle is closed")
        return self._pdf

    @property
    def closed(self) -> bool:
        """Say whether close() was called."""
        return self._pdf is None

    def close(self) -> None:
        """Close the document under PDFIUM_LOCK (idempotent)."""
        if self._pdf is not None:
            with PDFIUM_LOCK:
                self._pdf.close()
            self._pdf = None


def image_coverage(page: Any) -> float:
    """Return the share of a loaded pypdfium2 page covered by images (the caller holds PDFIUM_LOCK)."""
    return page_objects(page, paths=False)[0]


#: How deep page_objects looks into form XObjects for images, and for paths (levels 0 .. depth - 1).
IMAGE_DEPTH = 2
PATH_DEPTH = 3


def page_objects(page: Any, *, images: bool = True, paths: bool = True) -> tuple[float, int]:
    """Return (image_coverage, rule_paths) of a loaded pypdfium2 page in one walk (the caller holds PDFIUM_LOCK).

    Walks the objects with pdfium's raw calls: wrapping each in a pypdfium2 object cost more than reading it.
    The order is pypdfium2's get_objects(): depth first, a form before what it holds.
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    image, path, form = pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM
    get_type, get_bounds = pdfium_c.FPDFPageObj_GetType, pdfium_c.FPDFPageObj_GetBounds
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    refs = ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right), ctypes.byref(top)
    image_boxes: list[tuple[float, float, float, float]] = []
    path_boxes: list[tuple[float, float, float, float]] = []
    depth = PATH_DEPTH if paths else IMAGE_DEPTH

    def bounds(obj: Any) -> tuple[float, float, float, float]:
        if not get_bounds(obj, *refs):
            raise pdfium.PdfiumError("Failed to locate pageobject.")
        return (left.value, bottom.value, right.value, top.value)

    def walk(parent: Any, level: int) -> None:
        if level == 0:
            count, get = pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject
        else:
            count, get = pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject
        n = count(parent)
        if n < 0:
            raise pdfium.PdfiumError("Failed to get number of pageobjects.")
        for i in range(n):
            obj = get(parent, i)
            if not obj:
                raise pdfium.PdfiumError("Failed to get pageobject.")
            kind = get_type(obj)
            if kind == image and images and level < IMAGE_DEPTH:
                image_boxes.append(bounds(obj))
            elif kind == path and paths:
                path_boxes.append(bounds(obj))
            elif kind == form and level < depth - 1:
                walk(obj, level + 1)

    walk(page.raw, 0)
    w, h = page.get_size()
    area = 0.0
    for x0, y0, x1, y1 in image_boxes:
        area += max(0.0, min(x1, w) - max(x0, 0.0)) * max(0.0, min(y1, h) - max(y0, 0.0))
    return (min(1.0, area / (w * h)) if w and h else 0.0), grid_paths(path_boxes)


def grid_paths(boxes: Sequence[tuple[float, float, float, float]]) -> int:
    """Return how many path objects (their (left, bottom, right, top) boxes) there are if they can form a grid, else 0.

    A grid needs vertical edges at two x positions or more and horizontal ones at two y positions or more, as
    pdfplumber's line strategy does: a page of underlines (horizontal only) or of nothing but dots has none.
    A box wider and taller than a rule (a cell, a frame, a path drawing several rules) gives both kinds.
    """
    xs: set[int] = set()
    ys: set[int] = set()
    for left, bottom, right, top in boxes:
        w, h = right - left, top - bottom
        if w > 2 and h > 2:
            xs.update((round(left / 2), round(right / 2)))
            ys.update((round(bottom / 2), round(top / 2)))
        elif h > 2:
            xs.add(round(left / 2))              # a vertical rule
        elif w > 2:
            ys.add(round(bottom / 2))            # a horizontal rule
    return len(boxes) if len(xs) >= 2 and len(ys) >= 2 else 0


def rule_paths(page: Any) -> int:
    """Return how many path objects of a loaded pypdfium2 page can form a grid (the caller holds PDFIUM_LOCK)."""
    return page_objects(page, images=False)[1]
