"""Browser benchmarks: replica copy, page images (drawn and cached), chart SVG, on an existing dataset.

Usage (from the repo root, with .venv/bin/python):
  python bench/bench_browser.py [--db URL] [--root DIR] [--rounds R]
The dataset must hold PDF figures (e.g. after `make run`); relative source paths resolve against --root.
Keep runs short: the machine has 2 cores shared with others, so compare ratios, not absolute seconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from pipeline.load import open_db  # noqa: E402
from solieu.page import figure_page_png  # noqa: E402
from solieu.serve import build_replica  # noqa: E402


def _time(fn: object, rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    """Time the browser's slow steps and print one line per step."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="sqlite:///data/solieu.db")
    ap.add_argument("--root", type=Path, default=Path.cwd())
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    engine = open_db(args.db, readonly=True)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM figures")).scalar_one()
        picks = {src: conn.execute(text("SELECT id FROM figures WHERE source = :s AND bbox IS NOT NULL "
                                        "AND page IS NOT NULL ORDER BY id LIMIT 1"), {"s": src}).scalar()
                 for src in ("text-layer", "ocr")}
    with tempfile.TemporaryDirectory() as tmp:
        replica = Path(tmp) / "replica" / "solieu.db"
        times = _time(lambda: build_replica(args.db, replica), args.rounds)
        print(f"replica copy ({n} figures): median {statistics.median(times):.2f} s over {args.rounds}")
        for src, fid in picks.items():
            if fid is None:
                continue
            cache = Path(tmp) / f"pages-{src}"
            cold = _time(lambda fid=fid, cache=cache: figure_page_png(engine, fid, root=args.root, cache_dir=cache), 1)
            warm = _time(lambda fid=fid, cache=cache: figure_page_png(engine, fid, root=args.root, cache_dir=cache),
                         args.rounds)
            print(f"page image {src}: drawn {cold[0]:.2f} s, cached median {statistics.median(warm) * 1000:.0f} ms")
        import vl_convert as vlc

        from solieu.dataset import Dataset
        from solieu.plot import chart_data, chart_spec

        facts = Dataset(args.db).facts()
        money = facts[facts["kind"] == "money"]
        if not money.empty:
            data, order = chart_data(money, by="district", agg="sum")
            spec = chart_spec(data, order, by="district", title="money", unit=None)
            svg = _time(lambda: vlc.vegalite_to_svg(spec), args.rounds)
            print(f"chart SVG (money by district): first {svg[0]:.2f} s, then median {statistics.median(svg[1:] or svg):.2f} s")


if __name__ == "__main__":
    main()
