"""Measure what regrouping reports costs per loaded document as a dataset grows (issue 9).

Run: .venv/bin/python bench/bench_reports.py [--docs N] [--db URL]
Loads N copies of the seed Markdown's extraction, each as another district's report of another year with its
text changed enough to be a different report (the worst case: every pair is compared by text), and prints the
time per load at every tenth document, then the total.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.load import load_document, open_db  # noqa: E402
from pipeline.run import process_file  # noqa: E402


def main() -> None:
    """Load N variants and print seconds per load."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=100)
    ap.add_argument("--db", default=None)
    args = ap.parse_args()
    url = args.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    engine = open_db(url)
    base = process_file(str(ROOT / "corpus" / "seed" / "binhson-2021-dan-van-kheo.md"))
    start = time.perf_counter()
    for i in range(args.docs):
        ex = copy.deepcopy(base)
        ex.document.sha256 = hashlib.sha256(str(i).encode()).hexdigest()
        ex.document.path = f"bench/{i}.md"
        ex.metadata.doc_number = None        # no number: only the text can tell reports apart
        ex.metadata.report_year = None
        # Same length, other words in every sentence: similar enough to be compared, too different to merge.
        ex.document.text = " ".join(f"{w}{i}" if j % 3 == 0 else w for j, w in enumerate(base.document.text.split(" ")))
        t = time.perf_counter()
        load_document(engine, ex)
        if (i + 1) % 10 == 0:
            print(f"document {i + 1}: {time.perf_counter() - t:.3f} s to load")
    print(f"{args.docs} documents in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
