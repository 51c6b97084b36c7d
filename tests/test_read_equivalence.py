"""The PDF reader's output stays the same while it is made faster: digests recorded from the reader before.

tests/data/read/digests.json was written by the reader of main at aed8958 (before the speed work) with
`digest()` below, over every PDF in corpus/seed and corpus/public (never corpus/heldout). A change that
means to alter what is read regenerates it and says why in its commit.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from pipeline.read import read_document

ROOT = Path(__file__).resolve().parents[1]
DIGESTS: dict[str, str] = json.loads((ROOT / "tests" / "data" / "read" / "digests.json").read_text(encoding="utf-8"))
PDFS = sorted([*(ROOT / "corpus" / "seed").glob("*.pdf"), *(ROOT / "corpus" / "public").glob("*.pdf")])


def digest(path: Path) -> str:
    """Hash every page's text, size, boxes (to 0.01 pt: superscripts and composed characters included) and sizes."""
    h = hashlib.sha256()
    for pg in read_document(path).pages:
        boxes = None if pg.boxes is None else [None if b is None else tuple(round(v, 2) for v in b) for b in pg.boxes]
        h.update(repr((pg.number, pg.text, pg.width, pg.height, pg.has_text_layer, boxes, pg.sizes)).encode())
    return h.hexdigest()


def test_every_corpus_pdf_has_a_recorded_digest() -> None:
    assert sorted(p.name for p in PDFS) == sorted(DIGESTS)


@pytest.mark.parametrize("pdf", PDFS, ids=[p.name for p in PDFS])
def test_reader_output_is_unchanged(pdf: Path) -> None:
    assert digest(pdf) == DIGESTS[pdf.name]
