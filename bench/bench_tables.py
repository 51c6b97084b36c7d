"""Time table detection on a long born-digital PDF: the seed's 10 pages repeated to 275 pages.

Run: .venv/bin/python bench/bench_tables.py [--pages 275] [--rounds 3]
Reads and normalizes once (not timed), then times detect_tables() and reports pages/s, the pages pdfplumber
parsed, and the tables found, so a faster page filter that loses tables shows up here too.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pypdfium2 as pdfium  # noqa: E402

SEED = ROOT / "corpus" / "seed" / "binhson-2021-dan-van-kheo.pdf"


def build(pages: int, out: Path) -> Path:
    """Write a PDF of the seed's pages repeated until it has the given number of pages."""
    src = pdfium.PdfDocument(str(SEED))
    dst = pdfium.PdfDocument.new()
    n = len(src)
    while len(dst) < pages:
        take = min(n, pages - len(dst))
        dst.import_pages(src, list(range(take)))
    dst.save(str(out))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pages", type=int, default=275)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    import pdfplumber.page

    from pipeline.normalize import normalize
    from pipeline.read import read_document
    from pipeline.tables import detect_tables

    parsed: set[int] = set()
    original = pdfplumber.page.Page.parse_objects

    def counting(self: pdfplumber.page.Page) -> object:       # the slow part: pdfminer lays the page out
        parsed.add(self.page_number)
        return original(self)

    pdfplumber.page.Page.parse_objects = counting  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory() as tmp:
        path = build(args.pages, Path(tmp) / "seed-repeated.pdf")
        raw = read_document(path)
        doc = normalize(raw)
        times = []
        for _ in range(args.rounds):
            parsed.clear()
            t0 = time.perf_counter()
            spans = detect_tables(doc, raw)
            times.append(time.perf_counter() - t0)
    best = min(times)
    print(f"{args.pages} pages: detect_tables best of {args.rounds} {best:.2f} s ({args.pages / best:.0f} pages/s); "
          f"pdfplumber parsed {len(parsed)} pages; {len(spans)} tables found")


if __name__ == "__main__":
    main()
