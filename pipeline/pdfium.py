"""One process-wide lock around pypdfium2, which must never be called from two threads at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
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
