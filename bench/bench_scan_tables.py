"""Time the reading of scanned table pages (issue 8): grid from rules, figures re-read in one strip per page.

    SOLIEU_CACHE_DIR=/work/cache .venv/bin/python bench/bench_scan_tables.py corpus/public/X.pdf 3 4 5 6

Page OCR comes from the cache when there (its cost is bench_ocr.py's); this times, per page, what the table
reading adds: clean-up of the turned page, rules, and the Tesseract strip call(s).
"""

from __future__ import annotations

import sys
import time

import pypdfium2 as pdfium

from pipeline import ocr
from pipeline.ocr_cache import OCRCache, default_cache_dir
from pipeline.tables.scan import read_scan_tables


def main(path: str, pages: list[int]) -> None:
    """Print, per page, the tables and cells found, the cells re-read and the seconds the table reading took."""
    pdf = pdfium.PdfDocument(path)
    settings = ocr.OCRSettings()
    cache = OCRCache(default_cache_dir())
    total = 0.0
    for n in pages:
        img, _ = ocr.render_page(pdf, n, settings.dpi)
        result = ocr.ocr_image(img, settings, cache)          # page OCR (cached), turn chosen
        t0 = time.perf_counter()
        cleaned = ocr.clean_page(ocr.turn_image(img.convert("L"), int(result.get("turn", 0))))[0]
        tables = read_scan_tables(cleaned, result["tsv"], lang=settings.lang, dpi=settings.dpi)
        dt = time.perf_counter() - t0
        total += dt
        cells = sum(len(t["cells"]) for t in tables)
        reread = sum(1 for t in tables for c in t["cells"] if c.get("reread"))
        print(f"page {n}: turn {result.get('turn', 0)}, {len(tables)} table(s), {cells} cells, {reread} re-read, "
              f"{dt:.2f} s")
    print(f"mean {total / max(1, len(pages)):.2f} s per table page")


if __name__ == "__main__":
    main(sys.argv[1], [int(x) for x in sys.argv[2:]])
