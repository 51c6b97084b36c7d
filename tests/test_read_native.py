"""The PDF reader's per-character loop in C (pipeline/native/pdfchars.c) reads exactly what its Python fallback reads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from pipeline import read
from pipeline.pdfium import PDFIUM_LOCK

ROOT = Path(__file__).resolve().parents[1]
PDFS = sorted([*(ROOT / "corpus" / "seed").glob("*.pdf"), *(ROOT / "corpus" / "public").glob("*.pdf"),
               *(ROOT / "corpus" / "scans").glob("*.pdf")])

needs_native = pytest.mark.skipif(read._NATIVE is None and shutil.which("cc") is None,
                                  reason="no C compiler: the Python loop is all there is")


def test_the_c_loop_is_built_where_a_compiler_is() -> None:
    if shutil.which("cc") is None:
        pytest.skip("no C compiler")
    assert read._NATIVE is not None, "pipeline/native/pdfchars.so is missing or stale: run make setup"


@needs_native
@pytest.mark.parametrize("pdf", PDFS, ids=[p.name[:60] for p in PDFS])
def test_c_and_python_loops_give_the_same_characters(pdf: Path) -> None:
    with PDFIUM_LOCK:
        doc = pdfium.PdfDocument(pdf)
        try:
            for i in range(len(doc)):
                page = doc[i]
                tp = page.get_textpage()
                height = page.get_size()[1]
                fast, slow = read._NATIVE(tp, height), read._chars_python(tp, height)
                assert (fast.text, fast.box, fast.size, fast.flags) == (slow.text, slow.box, slow.size, slow.flags), \
                    f"page {i + 1}"
                tp.close()
                page.close()
        finally:
            doc.close()


@needs_native
def test_c_and_python_loops_give_the_same_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    pdf = ROOT / "corpus" / "seed" / "binhson-2021-dan-van-kheo.pdf"     # superscripts (m², footnote markers)
    fast = read.read_document(pdf).pages
    monkeypatch.setattr(read, "_NATIVE", None)
    slow = read.read_document(pdf).pages
    assert "440 m² đất" in fast[4].text
    assert [(p.text, p.boxes, p.sizes) for p in fast] == [(p.text, p.boxes, p.sizes) for p in slow]

