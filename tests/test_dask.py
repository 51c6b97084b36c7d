"""The Dask runner (prefect-dask, a 2-worker LocalCluster) gives the same figures as the thread runner."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
#: Fast documents of three kinds: Markdown, plain text (TCVN3 header), a small text-layer PDF.
DOCS = [
    CORPUS / "seed" / "binhson-2021-dan-van-kheo.md",
    CORPUS / "seed" / "binhson-2021-dan-van-kheo.pdf",
    CORPUS / "public" / "bacgiang_hiephoa_THCS-HoangLuong_BC_2013_hoc-tap-lam-theo-Bac_TCVN3-header.txt",
    CORPUS / "public" / "cantho_UBND-thanh-pho_157-KH-UBND_2025_thi-dua-chi-tra-tro-giup-xa-hoi-khong-tien-mat.md",
]
#: Columns that name a row or a moment rather than what was found.
VOLATILE = {"document_id", "ingested_at", "run_id"}


def _cli(work: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PREFECT_HOME": str(work / ".prefect")}
    env.pop("PREFECT_API_URL", None)      # solieu starts (or reuses) its own server, as in production
    return subprocess.run([sys.executable, "-m", "solieu.cli", *args], cwd=work, env=env, capture_output=True,
                          text=True, timeout=600)


def _figures(work: Path, db: str) -> list[dict[str, object]]:
    out = _cli(work, "export", "figures", "--db", db)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    for r in rows:
        for c in VOLATILE:
            r.pop(c, None)
        r["document"] = Path(str(r["document"])).name
    return sorted(rows, key=lambda r: (str(r["document"]), str(r["id"])))


@pytest.mark.flow
@pytest.mark.postgres
def test_dask_runner_into_postgresql_matches_threads(fresh_postgres_url: str, tmp_path: Path) -> None:
    postgres_url = fresh_postgres_url      # the session's shared database already holds the seed from other tests
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for d in DOCS:
        shutil.copy(d, inbox / d.name)
    threads_db = f"sqlite:///{tmp_path / 'threads.db'}"
    out = _cli(tmp_path, "ingest", str(inbox), "--db", threads_db)
    assert out.returncode == 0, out.stderr
    out = _cli(tmp_path, "ingest", str(inbox), "--db", postgres_url, "--runner", "dask", "--workers", "2")
    assert out.returncode == 0, out.stderr + out.stdout
    assert f"{len(DOCS)} documents: {len(DOCS)} loaded" in out.stdout
    want, got = _figures(tmp_path, threads_db), _figures(tmp_path, postgres_url)
    assert len(want) > 50
    assert got == want


def test_dask_address_needs_the_dask_runner(tmp_path: Path) -> None:
    out = _cli(tmp_path, "ingest", str(DOCS[0]), "--db", f"sqlite:///{tmp_path / 'd.db'}",
               "--dask-address", "tcp://127.0.0.1:8786")
    assert out.returncode != 0
    assert "--runner dask" in out.stderr
