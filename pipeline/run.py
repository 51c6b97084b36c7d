"""Run every stage on one file in order, without Prefect (library use, tests, benchmarks)."""

from __future__ import annotations

from pathlib import Path

from pipeline.model import Extracted
from pipeline.sequence import LocalExecutor, process


def process_file(path: str | Path, *, ocr: str = "auto", workers: int | None = None) -> Extracted:
    """Read, recover, normalize, structure, find tables and extract one file (the sequencer's stages)."""
    return process(path, LocalExecutor(), ocr=ocr, workers=workers)
