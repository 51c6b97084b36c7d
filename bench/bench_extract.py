"""Measure figure-extraction throughput (MB/s of UTF-8 text) on the seed and the public plain texts.

Run: .venv/bin/python bench/bench_extract.py [--repeat N] [--rounds R] [--startup N]
Prints one line per corpus and a total; the baseline is a plain `regex` scan for digit runs over the same text,
so the ratio says how much the grammar, subjects and checks cost on top of merely finding the numbers.
Then the process start-up cost: a fresh interpreter importing extractors and extracting one sentence, once
where no NLP is needed and once where the NLP layer (pyvi's CRF models, run on python-crfsuite) must load
(best of N runs each).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import regex  # noqa: E402

from extractors.figures import extract  # noqa: E402

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _reduce_md(md: str) -> str:
    text = re.sub(r"<sup>(\d+)</sup>", lambda m: m.group(1).translate(SUPERSCRIPT), md)
    text = re.sub(r"\*+", "", text.replace("\\*", ""))
    return re.sub(r"(?m)^#+\s*", "", text)


def _texts() -> dict[str, str]:
    out = {}
    for p in sorted([*ROOT.glob("corpus/seed/*.md"), *ROOT.glob("corpus/public/*.md"),
                     *ROOT.glob("corpus/public/*.txt")]):
        if p.name == "SOURCES.md":
            continue
        out[p.name] = unicodedata.normalize("NFC", _reduce_md(p.read_text(encoding="utf-8", errors="replace")))
    return out


def _best(fn: object, text: str, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn(text)  # type: ignore[operator]
        best = min(best, time.perf_counter() - t0)
    return best


_STARTUP = """
import time, sys
t0 = time.perf_counter()
from extractors import extract
extract(sys.argv[1])
print(time.perf_counter() - t0)
"""


def _startup(sentence: str, runs: int) -> tuple[float, float]:
    """Return (best in-process seconds, best wall seconds) for a fresh interpreter's first extract(sentence)."""
    inner = wall = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", _STARTUP, sentence], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout
        wall = min(wall, time.perf_counter() - t0)
        inner = min(inner, float(out.strip().splitlines()[-1]))
    return inner, wall


def main() -> None:
    """Print MB/s per text and overall, with the bare digit-scan baseline side by side."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5, help="concatenate each text this many times")
    ap.add_argument("--rounds", type=int, default=3, help="best of this many runs")
    ap.add_argument("--startup", type=int, default=3, help="fresh processes per start-up measurement (0: skip)")
    args = ap.parse_args()
    digits = regex.compile(r"\d+(?:[.,]\d+)*")
    extract("khởi động 5 hộ")  # load vocabularies and compile patterns outside the timing
    total_bytes = total_s = total_base = 0.0
    total_figs = 0
    print(f"{'text':<70} {'KB':>7} {'figs':>6} {'MB/s':>7} {'base MB/s':>10} {'ratio':>6}")
    for name, text in _texts().items():
        big = "\n\n".join([text] * args.repeat)
        size = len(big.encode("utf-8"))
        s = _best(extract, big, args.rounds)
        b = _best(lambda t: list(digits.finditer(t)), big, args.rounds)
        n = len(extract(big))
        total_bytes, total_s, total_base, total_figs = total_bytes + size, total_s + s, total_base + b, total_figs + n
        print(f"{name[:70]:<70} {size / 1024:7.0f} {n:6d} {size / s / 1e6:7.3f} {size / b / 1e6:10.1f} {b / s:6.4f}")
    print(f"{'TOTAL':<70} {total_bytes / 1024:7.0f} {total_figs:6d} {total_bytes / total_s / 1e6:7.3f} "
          f"{total_bytes / total_base / 1e6:10.1f} {total_base / total_s:6.4f}")
    if args.startup:
        for label, sentence in (("start-up, listed noun only", "Toàn huyện có 86 mô hình."),
                                ("start-up, open count (NLP loads)", "Toàn huyện có 7 bến đò.")):
            inner, wall = _startup(sentence, args.startup)
            print(f"{label:<40} import+first extract {inner:6.2f} s   process wall {wall:6.2f} s")


if __name__ == "__main__":
    main()
