"""Benchmark: PDF reading with boxes and sizes, solieu (pypdfium2) side by side with pdfplumber.

Run: .venv/bin/pytest tests/test_read_bench.py -o addopts="" -m bench --benchmark-columns=mean,ops
(skipped in the normal run by --benchmark-skip). Pages/s = pages / mean; the two read the same file.
"""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest

from pipeline.read import read_document

ROOT = Path(__file__).resolve().parents[1]
FILES = [
    ROOT / "corpus/seed/binhson-2021-dan-van-kheo.pdf",
    ROOT / "corpus/public/daknong_So-Tai-chinh_99-BC-STC_2019_cchc-6-thang-dau-nam.pdf",
]


def _plumber_chars(path: Path) -> int:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            [(c["text"], c["x0"], c["top"], c["x1"], c["bottom"], c["size"]) for c in page.chars]
        return len(pdf.pages)


@pytest.mark.bench
@pytest.mark.parametrize("path", FILES, ids=[p.stem[:40] for p in FILES])
def test_bench_read_pypdfium2(benchmark, path):
    raw = benchmark(read_document, path)
    benchmark.extra_info["pages"] = len(raw.pages)


@pytest.mark.bench
@pytest.mark.parametrize("path", FILES, ids=[p.stem[:40] for p in FILES])
def test_bench_read_pdfplumber_baseline(benchmark, path):
    pages = benchmark(_plumber_chars, path)
    benchmark.extra_info["pages"] = pages
