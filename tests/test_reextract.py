"""`solieu reextract`: figures recomputed from the stored text after a rule change, without reading or OCR."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED_MD = ROOT / "corpus" / "seed" / "binhson-2021-dan-van-kheo.md"
SEED_PDF = ROOT / "corpus" / "seed" / "binhson-2021-dan-van-kheo.pdf"


@pytest.fixture()
def source_copy(tmp_path: Path) -> Path:
    """A copy of solieu's packages: its vocabulary can change without touching the real one."""
    root = tmp_path / "src"
    for pkg in ("core", "extractors", "pipeline", "flows", "solieu"):
        shutil.copytree(ROOT / pkg, root / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _cli(src: Path, work: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src), "PREFECT_HOME": str(work / ".prefect"),
           "SOLIEU_CACHE_DIR": str(work / "cache")}
    env.pop("PREFECT_API_URL", None)
    out = subprocess.run([sys.executable, "-m", "solieu.cli", *args], cwd=work, env=env, capture_output=True,
                         text=True, timeout=900)
    assert out.returncode == 0, out.stderr + out.stdout
    return out


def _export(src: Path, work: Path, table: str, db: str) -> list[dict[str, object]]:
    return [json.loads(x) for x in _cli(src, work, "export", table, "--db", db).stdout.splitlines() if x.strip()]


def _ocr_entries(work: Path) -> set[Path]:
    return {p for p in (work / "cache" / "ocr").rglob("*") if p.is_file()} if (work / "cache" / "ocr").exists() else set()


@pytest.mark.flow
@pytest.mark.ocr
def test_reextract_after_a_vocabulary_change_reads_no_file_and_keeps_corrections(source_copy: Path,
                                                                                 tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for d in (SEED_MD, SEED_PDF):
        shutil.copy(d, inbox / d.name)
    db = f"sqlite:///{tmp_path / 'solieu.db'}"
    # the PDF's pages are OCR'd, so that a re-extraction that OCR'd again would show in the cache
    _cli(source_copy, tmp_path, "ingest", str(inbox), "--db", db, "--ocr", "always")
    ocr_before = _ocr_entries(tmp_path)
    assert ocr_before, "the first ingest OCR'd the PDF's pages into the cache"
    before = _export(source_copy, tmp_path, "figures", db)
    old_version = {f["extractor_version"] for f in before}
    assert len(old_version) == 1

    # a person corrects a figure of the PDF
    fixed = next(f for f in before if str(f["document"]).endswith(".pdf") and f["kind"] == "count")
    _cli(source_copy, tmp_path, "correct", str(fixed["id"]), "--value", "4242", "--note", "misread", "--who", "t",
         "--db", db)

    # the vocabulary learns a count noun: the extractor version moves, stored figures are stale
    with (source_copy / "extractors" / "data" / "vi" / "count_nouns.yaml").open("a", encoding="utf-8") as fh:
        fh.write("- ao cá                # fish ponds\n")
    (inbox / SEED_PDF.name).unlink()          # nothing may read the files again
    (inbox / SEED_MD.name).unlink()
    out = _cli(source_copy, tmp_path, "reextract", "--all", "--db", db)
    assert "2 documents re-extracted from stored text: 2 loaded, 0 failed" in out.stdout

    assert _ocr_entries(tmp_path) == ocr_before                 # no page OCR'd again
    after = _export(source_copy, tmp_path, "figures", db)
    versions = {f["extractor_version"] for f in after}
    assert len(versions) == 1 and versions != old_version       # every figure by the new rules
    docs = _export(source_copy, tmp_path, "documents", db)
    assert {d["extractor_version"] for d in docs} == versions
    # the PDF keeps its pages and boxes, and the correction still applies to the same figure
    pdf_figs = [f for f in after if str(f["document"]).endswith(".pdf")]
    assert pdf_figs and all(f["page"] is not None for f in pdf_figs)
    same = next(f for f in after if f["raw"] == fixed["raw"] and f["char_start"] == fixed["char_start"]
                and f["document"] == fixed["document"])
    assert same["bbox"] == fixed["bbox"]
    corrections = _export(source_copy, tmp_path, "corrections", db)
    assert [c["figure_id"] for c in corrections] == [same["id"]]
    assert str(same["value"]).startswith("4242")
    # a second run finds nothing stale
    assert "Nothing to re-extract" in _cli(source_copy, tmp_path, "reextract", "--db", db).stdout
