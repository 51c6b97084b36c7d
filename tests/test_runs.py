"""Run reports, figure diffs, the stat check, and a nightly-style inbox run through the real CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from extractors import extract
from pipeline.load import open_db
from pipeline.runs import OLD_COLUMNS, FileStat, StateUpdate, diff_figures, load_states, save_states, verdict

ROOT = Path(__file__).resolve().parent.parent


def _rows(text: str) -> list[SimpleNamespace]:
    """The figures of text as the figures table holds them (what the loader reads back before replacing)."""
    out = []
    for f in extract(text):
        d = {c: getattr(f, c, None) for c in OLD_COLUMNS}
        d["value_exact"] = None if f.value is None else str(f.value)
        out.append(SimpleNamespace(**d))
    return out


# old text, new text, (added, removed, changed), the changed figure's (old raw, new raw)
DIFFS = [
    ("Toàn huyện có 86 mô hình và 12 xã.", "Toàn huyện có 90 mô hình và 12 xã.", (0, 0, 1), ("86 mô hình", "90 mô hình")),
    ("Có 12 xã. Có 5 thôn.", "Có 12 xã. Có 5 thôn. Hỗ trợ 30 hộ nghèo.", (1, 0, 0), None),
    ("Có 12 xã. Hỗ trợ 30 hộ nghèo.", "Có 12 xã.", (0, 1, 0), None),
    ("Kinh phí 2 tỷ đồng.", "Tổng kinh phí cả năm 2 tỷ đồng.", (0, 0, 0), None),   # reworded, same figure
    ("Kinh phí 2 tỷ đồng.", "Kinh phí 2.000 triệu đồng.", (1, 1, 0), None),       # other words: not matched
    ("Lĩnh vực kinh tế 03 mô hình; văn hóa 74 mô hình.", "Lĩnh vực kinh tế 03 mô hình; văn hóa 75 mô hình.",
     (0, 0, 1), ("74 mô hình", "75 mô hình")),
]


@pytest.mark.parametrize(("old", "new", "counts", "pair"), DIFFS, ids=[d[1] for d in DIFFS])
def test_figures_are_matched_by_their_context_and_value_changes_reported(old, new, counts, pair):
    diff = diff_figures("r.md", _rows(old), extract(new))
    assert (diff.added, diff.removed, diff.changed) == counts
    if pair:
        (row,) = [r for r in diff.rows if r["change"] == "changed"]
        assert (row["old_raw"], row["new_raw"]) == pair


def test_the_stat_check_settles_unchanged_files_and_permanent_failures_only(tmp_path):
    engine = open_db(f"sqlite:///{tmp_path / 'x.db'}")
    good, bad, flaky = (tmp_path / n for n in ("good.txt", "bad.pdf", "flaky.doc"))
    for p in (good, bad, flaky):
        p.write_text("x", encoding="utf-8")
    save_states(engine, [
        StateUpdate(str(good), FileStat.of(str(good)), "a" * 64, "loaded"),
        StateUpdate(str(bad), FileStat.of(str(bad)), "b" * 64, "failed", permanent=True, error="UnreadableDocument"),
        StateUpdate(str(flaky), FileStat.of(str(flaky)), "c" * 64, "failed", permanent=False, error="ConversionFailed"),
    ], run_id=None)
    states = load_states(engine)
    assert verdict(states[str(good)], FileStat.of(str(good))) == "current"
    assert verdict(states[str(bad)], FileStat.of(str(bad))) == "not-retried"
    assert verdict(states[str(flaky)], FileStat.of(str(flaky))) is None           # transient: tried again
    os.utime(good, ns=(0, 123))
    assert verdict(states[str(good)], FileStat.of(str(good))) is None             # touched: hashed again
    assert verdict(None, FileStat.of(str(good))) is None


# ----------------------------------------------------------------------------- nightly-style, through the CLI

REPORT = """ỦY BAN NHÂN DÂN HUYỆN BÌNH SƠN
BÁO CÁO số 12/BC-UBND
Kết quả thực hiện công tác dân vận năm 2021

Trong năm 2021, toàn huyện đã xây dựng được 86 mô hình "Dân vận khéo" tại 22 xã, thị trấn.
Hỗ trợ 120 hộ nghèo với tổng kinh phí 2,5 tỷ đồng; toàn huyện có 15 ao cá được cải tạo.
"""


@pytest.fixture(scope="module")
def source_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of solieu's packages: its vocabulary can change without touching the real one."""
    root = tmp_path_factory.mktemp("src")
    for pkg in ("core", "extractors", "pipeline", "flows", "solieu"):
        shutil.copytree(ROOT / pkg, root / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _cli(src: Path, work: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src), "PREFECT_HOME": str(work / ".prefect")}
    return subprocess.run([sys.executable, "-m", "solieu.cli", *args], cwd=work, env=env, capture_output=True,
                          text=True, timeout=900)


@pytest.mark.flow
def test_a_nightly_inbox_reports_each_run(source_copy: Path, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    url = f"sqlite:///{tmp_path / 'solieu.db'}"
    report = inbox / "bao-cao.txt"

    def ingest(expect: int = 0) -> str:
        res = _cli(source_copy, tmp_path, "ingest", str(inbox), "--db", url)
        assert res.returncode == expect, res.stdout + res.stderr
        return res.stdout

    def last_run() -> dict[str, object]:
        res = _cli(source_copy, tmp_path, "export", "runs", "--db", url)
        assert res.returncode == 0, res.stderr
        return json.loads(res.stdout.splitlines()[-1])

    # 1. a report arrives
    report.write_text(REPORT, encoding="utf-8")
    ingest()
    first = last_run()
    assert (first["docs_added"], first["docs_updated"], first["docs_failed"]) == (1, 0, 0)
    n_figures = first["figures_added"]
    assert isinstance(n_figures, int) and n_figures >= 4

    # 2. a corrected version of it replaces it: one figure changed value
    report.write_text(REPORT.replace("86 mô hình", "90 mô hình"), encoding="utf-8")
    ingest()
    second = last_run()
    assert (second["docs_added"], second["docs_updated"], second["figures_changed"]) == (0, 1, 1)
    changes = [json.loads(x) for x in _cli(source_copy, tmp_path, "export", "figure_changes", "--db", url)
               .stdout.splitlines()]
    assert [(c["run_id"], c["change"], c["old_raw"], c["new_raw"], c["old_value"], c["new_value"])
            for c in changes] == [(second["id"], "changed", "86 mô hình", "90 mô hình", "86", "90")]

    # 3. a broken file arrives: it fails, the rest stays current
    (inbox / "hong.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    out = ingest(expect=1)
    assert "hong.doc" in out
    third = last_run()
    assert (third["docs_unchanged"], third["docs_failed"]) == (1, 1)

    # 4. nothing changed: the broken file is not retried (its failure is permanent), the report is not read
    out = ingest(expect=1)
    assert "not retried" in out
    fourth = last_run()
    assert (fourth["docs_unchanged"], fourth["docs_failed"], fourth["docs_not_retried"]) == (1, 0, 1)
    (inbox / "hong.doc").unlink()
    out = ingest()
    assert "Nothing new" in out                       # the CLI's stat check: no Prefect, no hashing

    # 5. the vocabulary learns a count noun: the extractor version moves and the same file is re-extracted
    with (source_copy / "extractors" / "data" / "vi" / "count_nouns.yaml").open("a", encoding="utf-8") as fh:
        fh.write("- ao cá                # fish ponds\n")
    ingest()
    fifth = last_run()
    assert fifth["docs_updated"] == 1 and isinstance(fifth["figures_added"], int) and fifth["figures_added"] >= 1
    assert fifth["extractor_version"] != first["extractor_version"]
    figures = [json.loads(x) for x in _cli(source_copy, tmp_path, "export", "figures", "--db", url).stdout.splitlines()]
    assert any(f["raw"] == "15 ao cá" for f in figures)        # read with the new vocabulary
    assert {f["extractor_version"] for f in figures} == {fifth["extractor_version"]}

    table = _cli(source_copy, tmp_path, "runs", "--db", url)
    assert table.returncode == 0, table.stderr
    lines = [ln for ln in table.stdout.splitlines() if ln.startswith("│")]
    assert len(lines) == 6                             # every run listed, newest first
    assert lines[0].split("│")[1].strip() == str(fifth["id"])
