"""Score the gold documents of tests/test_gold.py: F1, subject accuracy as scored, and a stricter reading.

Run: SOLIEU_CACHE_DIR=/work/cache .venv/bin/python bench/score_subjects.py [ID ...] [-v]
IDs are the test ids (seed-pdf, dakrlap-144-scan, ...). The strict reading (a proposal, issue 8) counts a
subject right only when it holds at least half the gold subject's words, the gold's bracketed remarks set
aside: a bare counted noun ("lượt") no longer passes for "lượt tiếp công dân" as a part of it.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import solieu.evaluate as ev  # noqa: E402
from pipeline.run import process_file  # noqa: E402
from tests.test_gold import CORPUS, FIGURE_FLOORS, GOLD  # noqa: E402


def names_thing_counted(gold: str | None, pred: str | None) -> bool:
    """Accept a subject holding at least half the gold's words (its bracketed remarks aside)."""
    if not gold:
        return True
    g = ev.syllables(regex.sub(r"\([^)]*\)", " ", gold))
    p = ev.syllables(pred)
    return bool(p) and len(g & p) * 2 >= len(g)


def main() -> None:
    """Print one line per gold document; with -v the strict misses, misses and false positives too."""
    wanted = [a for a in sys.argv[1:] if not a.startswith("-")]
    verbose = "-v" in sys.argv
    lax = ev.subject_ok
    for param in FIGURE_FLOORS:
        if wanted and param.id not in wanted:
            continue
        doc, gold_name = str(param.values[0]), str(param.values[1])
        ex = process_file(str(CORPUS / doc), ocr="auto")
        gold = ev.load_gold(GOLD / gold_name)
        figs = [dataclasses.asdict(f) for f in ex.figures]
        rep = ev.score_figures(gold, ex.document.text, figs)
        ev.subject_ok = names_thing_counted          # score_figures looks it up at call time
        try:
            strict = ev.score_figures(gold, ex.document.text, figs)
        finally:
            ev.subject_ok = lax
        o = rep.overall
        print(f"{param.id:<18} F1 {o.f1:.3f} (tp {o.tp} fp {o.fp} fn {o.fn})  subject {rep.subject_accuracy:.3f}"
              f"  strict {strict.subject_accuracy:.3f}")
        if verbose:
            for line in strict.subject_misses:
                print("   strict miss", line)
            for line in rep.missed:
                print("   missed", line)
            for line in rep.false_positives:
                print("   false positive", line)


if __name__ == "__main__":
    main()
