"""Scanning a document's text ahead on another thread (extractors/prescan.py) changes nothing that is extracted."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import Any

from extractors import extract, extract_references, prescan
from pipeline.extract import document_patterns

ROOT = Path(__file__).resolve().parents[1]
SEED_MD = ROOT / "corpus" / "seed" / "binhson-2021-dan-van-kheo.md"


def _everything(text: str) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    return ([dataclasses.asdict(f) for f in extract(text)],
            [dataclasses.asdict(r) for r in extract_references(text, unique=True)])


def test_extraction_is_the_same_with_the_scans_done_ahead() -> None:
    text = SEED_MD.read_text(encoding="utf-8") * 3
    assert len(text) >= prescan.MIN_CHARS
    now = _everything(text)
    patterns = document_patterns()
    prescan.scan_ahead(text, patterns)
    try:
        assert all(prescan.scanned(p, text) is prescan.scanned(p, text) for p in patterns[:2])  # scanned once
        assert _everything(text) == now
    finally:
        prescan.release(text)
    assert isinstance(prescan.scanned(patterns[0], text), type(patterns[0].finditer(text)))  # released: scans now
    assert sum(1 for f in now[0]) > 50


def test_scans_run_on_a_thread_of_their_own() -> None:
    text = "Xây dựng 12 nhà tạm, 3 mô hình. " * 1000
    seen: list[str] = []
    pattern = document_patterns()[0]

    class Spy:
        def finditer(self, t: str, concurrent: bool = False) -> Any:
            seen.append(threading.current_thread().name)
            return pattern.finditer(t, concurrent=concurrent)

    spy = Spy()
    prescan.scan_ahead(text, [spy])
    try:
        assert len(list(prescan.scanned(spy, text))) == len(list(pattern.finditer(text)))
    finally:
        prescan.release(text)
    assert seen and seen[0].startswith("solieu-prescan")
