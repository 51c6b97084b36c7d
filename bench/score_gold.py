"""Score every gold file of a set (development: corpus/gold, held-out: corpus/heldout/gold) and print a table.

Runs the real stages without a database (pipeline.run.process_file) and the scorer of `solieu eval`.
Usage: python bench/score_gold.py [dev|heldout] [--json OUT]
The held-out set measures generalization: run it at the end of a piece of work, never while tuning.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.run import process_file  # noqa: E402
from solieu.scoring import score_extracted  # noqa: E402

SETS = {"dev": ROOT / "corpus" / "gold", "heldout": ROOT / "corpus" / "heldout" / "gold"}


def score_set(name: str) -> list[dict[str, Any]]:
    """Return one row of scores per gold file of the set."""
    cache: dict[str, Any] = {}
    rows: list[dict[str, Any]] = []
    for gold in sorted(SETS[name].glob("*.json")):
        doc = json.loads(gold.read_text(encoding="utf-8"))["document"]
        path = str(ROOT / doc)
        try:
            ex = cache.get(path) or process_file(path)
        except Exception as exc:  # a document the pipeline cannot read scores zero, with the reason
            rows.append({"gold": gold.name, "error": f"{type(exc).__name__}: {exc}"})
            continue
        cache[path] = ex
        rep = score_extracted(gold, ex)
        row: dict[str, Any] = {"gold": gold.name}
        if "figures" in rep:
            f = rep["figures"]
            row |= {"tp": f["tp"], "fp": f["fp"], "fn": f["fn"], "p": f["precision"], "r": f["recall"], "f1": f["f1"],
                    "subject": f["subject_accuracy"], "subject_named": f["subject_named_accuracy"]}
        if "cells" in rep:
            c = rep["cells"]
            row |= {"cells_tp": c["tp"], "cells_fn": c["fn"], "cells_fp": c["fp"], "cells_p": c["precision"],
                    "cells_r": c["recall"]}
        rows.append(row)
    return rows


def pooled(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Micro-average figures and cells over the rows."""
    tp = sum(r.get("tp", 0) for r in rows)
    fp = sum(r.get("fp", 0) for r in rows)
    fn = sum(r.get("fn", 0) for r in rows) + sum(1 for r in rows if "error" in r)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    named = sum(r_.get("subject_named", 0) * r_.get("tp", 0) for r_ in rows)
    ctp = sum(r_.get("cells_tp", 0) for r_ in rows)
    cfn = sum(r_.get("cells_fn", 0) for r_ in rows)
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4),
            "subject_named": round(named / tp, 4) if tp else 1.0,
            "cells_r": round(ctp / (ctp + cfn), 4) if ctp + cfn else 1.0}


def main() -> None:
    """Print the table (and write JSON when asked)."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("set", choices=sorted(SETS))
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    rows = score_set(args.set)
    for r in rows:
        if "error" in r:
            print(f"{r['gold'][:70]:<70} ERROR {r['error']}")
            continue
        figs = (f"P {r['p']:.3f} R {r['r']:.3f} F1 {r['f1']:.3f} subj {r['subject']:.3f} named {r['subject_named']:.3f}"
                if "f1" in r else "")
        cells = f"cells P {r['cells_p']:.3f} R {r['cells_r']:.3f} ({r['cells_tp']}/{r['cells_tp'] + r['cells_fn']})" \
            if "cells_r" in r else ""
        print(f"{r['gold'][:70]:<70} {figs} {cells}")
    total = pooled(rows)
    print(f"pooled: {total}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "pooled": total}, ensure_ascii=False, indent=1), "utf-8")


if __name__ == "__main__":
    main()
