"""Run every stage on one file in order, without Prefect (library use, tests, benchmarks)."""

from __future__ import annotations

from pathlib import Path

from pipeline.extract import extract_stage
from pipeline.model import Extracted
from pipeline.normalize import normalize
from pipeline.ocr import recover_text
from pipeline.read import read_document
from pipeline.structure import find_structure


def process_file(path: str | Path, *, ocr: str = "auto", workers: int | None = None) -> Extracted:
    """Read, recover, normalize, structure and extract one file."""
    raw = recover_text(read_document(str(path)), ocr, workers=workers)
    doc = normalize(raw)
    return extract_stage(doc, find_structure(doc), raw)
