"""One process-wide lock around pypdfium2, which must never be called from two threads at once."""

from __future__ import annotations

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
    import pypdfium2.raw as pdfium_c

    w, h = page.get_size()
    area = 0.0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        x0, y0, x1, y1 = obj.get_bounds()
        area += max(0.0, min(x1, w) - max(x0, 0.0)) * max(0.0, min(y1, h) - max(y0, 0.0))
    return min(1.0, area / (w * h)) if w and h else 0.0


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
    import pypdfium2.raw as pdfium_c

    objs = page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=3)
    return grid_paths([obj.get_bounds() for obj in objs])
