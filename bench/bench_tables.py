"""Time table detection on a long born-digital PDF: the seed's 10 pages repeated to 275 pages.

Run: .venv/bin/python bench/bench_tables.py [--pages 275] [--rounds 3]
Reads and normalizes once (not timed), then times detect_tables() and the whole extract stage (tables, figures,
references, metadata) and reports pages/s, the pages pdfplumber parsed, and the tables found, so a faster page
filter that loses tables shows up here too.
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

    from pipeline.extract import extract_stage
    from pipeline.normalize import normalize
    from pipeline.read import read_document
    from pipeline.structure import find_structure
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
        # wall and CPU seconds, best of the rounds: CPU time is the fair one on a machine shared with others
        times: list[tuple[float, float]] = []
        for _ in range(args.rounds):
            parsed.clear()
            t0, c0 = time.perf_counter(), time.process_time()
            spans = detect_tables(doc, raw)
            times.append((time.perf_counter() - t0, time.process_time() - c0))
        structure = find_structure(doc)
        stage: list[tuple[float, float]] = []
        for _ in range(args.rounds):
            t0, c0 = time.perf_counter(), time.process_time()
            extract_stage(doc, structure, raw)
            stage.append((time.perf_counter() - t0, time.process_time() - c0))
    for name, runs in (("detect_tables", times), ("extract stage", stage)):
        wall, cpu = min(w for w, _ in runs), min(c for _, c in runs)
        print(f"{args.pages} pages: {name}, best of {args.rounds}: {wall:.2f} s wall, {cpu:.2f} s CPU "
              f"({args.pages / cpu:.0f} pages per CPU second)")
    print(f"pdfplumber parsed {len(parsed)} pages; {len(spans)} tables found")


if __name__ == "__main__":
    main()
