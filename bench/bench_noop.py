"""Time a no-op nightly over a large unchanged tree: `solieu ingest` must settle unchanged files by a stat check.

    .venv/bin/python bench/bench_noop.py [--files 10000] [--work /tmp/solieu-noop] [--flow]

Builds a synthetic tree of small .txt reports (100 per folder), loads it once through the pipeline stages
directly (the same stages and loader the flow runs, without Prefect's per-task overhead, to build the
dataset in minutes), then times the no-op re-runs that matter:
  1. `solieu ingest TREE` through the CLI (a new process: imports, migration check, walk, stat check);
  2. with --flow, the ingest flow itself (what `solieu nightly` runs on each tick), Prefect start included.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TEMPLATE = ("ỦY BAN NHÂN DÂN HUYỆN BÌNH SƠN\nBÁO CÁO số {n}/BC-UBND\n"
            "Trong tháng, toàn xã {n} đã hỗ trợ {a} hộ nghèo với tổng kinh phí {b} triệu đồng.\n")


def build_tree(root: Path, files: int) -> list[str]:
    """Write `files` small distinct reports under root, 100 per folder."""
    paths = []
    for i in range(files):
        folder = root / f"d{i // 100:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        p = folder / f"r{i:05d}.txt"
        p.write_text(TEMPLATE.format(n=i, a=i % 97 + 3, b=i % 500 + 10), encoding="utf-8")
        paths.append(str(p))
    return paths


def load_once(paths: list[str], url: str) -> float:
    """Load every file with the real stages and loader, recording file states; return seconds."""
    from pipeline.load import load_document, open_db, start_run
    from pipeline.run import process_file
    from pipeline.runs import FileStat, RunReport, StateUpdate, finish_report, save_states

    t0 = time.perf_counter()
    engine = open_db(url)
    run_id = start_run(engine, [str(Path(paths[0]).parent.parent)])
    updates = []
    for p in paths:
        stat = FileStat.of(p)
        ex = process_file(p, ocr="never")
        load_document(engine, ex, run_id=run_id)
        updates.append(StateUpdate(p, stat, ex.document.sha256, "loaded"))
    save_states(engine, updates, run_id)
    finish_report(engine, run_id, RunReport(docs_added=len(paths)), seconds=time.perf_counter() - t0)
    return time.perf_counter() - t0


def main() -> None:
    """Build, load, and time the no-op runs; print the numbers."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=10000)
    ap.add_argument("--work", type=Path, default=Path("/tmp/solieu-noop"))
    ap.add_argument("--flow", action="store_true", help="also time the ingest flow (Prefect) no-op")
    args = ap.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    tree = args.work / "tree"
    url = f"sqlite:///{args.work / 'solieu.db'}"
    t0 = time.perf_counter()
    paths = build_tree(tree, args.files)
    print(f"built {len(paths)} files in {time.perf_counter() - t0:.1f} s")
    print(f"first load (stages + loader, no Prefect): {load_once(paths, url):.1f} s")
    env = {**os.environ, "PREFECT_HOME": str(args.work / ".prefect")}
    cmd = [str(ROOT / ".venv" / "bin" / "solieu"), "ingest", str(tree), "--db", url]
    for attempt in (1, 2):
        t0 = time.perf_counter()
        res = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=args.work)
        wall = time.perf_counter() - t0
        print(f"no-op `solieu ingest` #{attempt}: {wall:.1f} s wall, exit {res.returncode}; "
              f"{res.stdout.strip().splitlines()[0] if res.stdout.strip() else res.stderr.strip()[:200]}")
    if args.flow:
        from core.config import prepare_prefect_env

        os.environ["PREFECT_HOME"] = str(args.work / ".prefect")
        prepare_prefect_env()
        from flows.ingest import run_ingest

        t0 = time.perf_counter()
        summary = run_ingest([str(tree)], url)
        print(f"no-op ingest flow (what `solieu nightly` runs): {time.perf_counter() - t0:.1f} s wall "
              f"(flow body {summary.seconds:.1f} s), {summary.count('current')} current")


if __name__ == "__main__":
    main()
