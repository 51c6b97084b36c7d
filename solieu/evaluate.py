"""Score extracted figures, references and metadata against hand-made gold files."""

from __future__ import annotations

import functools
import json
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import regex

from core.chars import FROM_SUPERSCRIPT, TO_SUPERSCRIPT
from core.errors import GoldFormatError

Span = tuple[int, int]
_SUP_TAG = regex.compile(r"<sup>(\d+)</sup>")


def load_gold(path: str | Path) -> dict[str, Any]:
    """Read and check one gold file."""
    p = Path(path)
    try:
        gold = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise GoldFormatError(f"{p}: cannot read the gold file ({exc}); it must be JSON like "
                              "corpus/gold/binhson-2021-dan-van-kheo.json") from exc
    if not isinstance(gold, dict) or "document" not in gold or not ({"figures", "cells"} & gold.keys()):
        raise GoldFormatError(f"{p}: a gold file needs 'document' and 'figures' (or 'cells' for tables)")
    return gold


def reduce_markup(s: str) -> str:
    """Turn the gold's Markdown surface into the text solieu produces ('m<sup>2</sup>' -> 'm²')."""
    s = _SUP_TAG.sub(lambda m: m.group(1).translate(TO_SUPERSCRIPT), s)
    return s.replace("*", "")


@functools.cache
def _key_char(c: str) -> str:
    base = "".join(ch for ch in unicodedata.normalize("NFD", c) if unicodedata.category(ch) != "Mn")
    base = base.replace("đ", "d").replace("Đ", "d").casefold()
    return base.translate(FROM_SUPERSCRIPT)


def search_key(text: str) -> tuple[str, list[int]]:
    """Return a diacritic-, case- and space-insensitive key of text and the offset of each key char."""
    out: list[str] = []
    idx: list[int] = []
    prev_space = False
    for i, c in enumerate(text):
        if c.isspace():
            if not prev_space:
                out.append(" ")
                idx.append(i)
            prev_space = True
            continue
        prev_space = False
        for k in _key_char(c):
            out.append(k)
            idx.append(i)
    return "".join(out), idx


def find_all(text_key: tuple[str, list[int]], needle: str) -> list[Span]:
    """Find every occurrence of needle in the keyed text, as spans of the original text."""
    key, idx = text_key
    n, _ = search_key(reduce_markup(needle).strip())
    spans: list[Span] = []
    if not n:
        return spans
    start = key.find(n)
    while start >= 0:
        end = start + len(n) - 1
        spans.append((idx[start], idx[end] + 1))
        start = key.find(n, start + 1)
    return spans


def _dec(v: Any) -> Decimal | None:
    if v is None:
        return None
    return Decimal(str(v))


def syllables(s: str | None) -> set[str]:
    """Return the casefolded, diacritic-free syllables of s."""
    if not s:
        return set()
    return {w for w in regex.split(r"[\s,;:()“”\"'./-]+", search_key(s)[0]) if w}


def subject_ok(gold: str | None, pred: str | None) -> bool:
    """Accept a subject when half the gold's syllables are in it, or it is a part of the gold subject."""
    if not gold:
        return True
    g, p = syllables(gold), syllables(pred)
    if not p:
        return False
    return len(g & p) * 2 >= len(g) or p <= g


def subject_names_thing(gold: str | None, pred: str | None) -> bool:
    """Accept a subject only when it names the thing counted, not merely its counted noun.

    Issue 8's standard: "lượt" is not a subject for "lượt tiếp công dân", "xã" not for "xã đạt chuẩn
    nông thôn mới". Half the gold's syllables, or a part of the gold of at least three syllables (or all
    of a shorter gold), is enough; a lone noun or a stray verb ("tăng") is not.
    """
    if not gold:
        return True
    g, p = syllables(gold), syllables(pred)
    if not p:
        return False
    return (len(g & p) * 2 >= len(g) and len(g & p) >= min(len(g), 2)) or (p <= g and len(p) >= min(len(g), 3))


@dataclass
class PRF:
    """Counts and precision/recall/F1."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """Return tp / (tp + fp)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Return tp / (tp + fn)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Return the harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        """Return the counts and ratios."""
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass
class FigureReport:
    """How the figures of one document compare with its gold."""

    overall: PRF = field(default_factory=PRF)
    per_kind: dict[str, PRF] = field(default_factory=dict)
    located: int = 0                   # gold figures whose span a predicted figure of the same kind covers
    value_correct: int = 0
    subject_correct: int = 0
    subject_named: int = 0
    place_checked: int = 0
    place_correct: int = 0
    flags_required: list[tuple[int, str, bool]] = field(default_factory=list)
    footnotes: list[tuple[int, bool]] = field(default_factory=list)
    part_of: list[tuple[int, bool]] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)
    subject_misses: list[str] = field(default_factory=list)

    @property
    def value_accuracy(self) -> float:
        """Share of located figures whose value is right."""
        return self.value_correct / self.located if self.located else 1.0

    @property
    def subject_accuracy(self) -> float:
        """Share of matched figures whose subject is right."""
        return self.subject_correct / self.overall.tp if self.overall.tp else 1.0

    @property
    def subject_named_accuracy(self) -> float:
        """Share of matched figures whose subject names the thing counted (the stricter test)."""
        return self.subject_named / self.overall.tp if self.overall.tp else 1.0


def _value_ok(g: dict[str, Any], p: dict[str, Any]) -> bool:
    if g.get("unit") and p.get("unit") != g["unit"]:
        return False
    if g.get("denominator") is not None and _dec(p.get("denominator")) != _dec(g["denominator"]):
        return False
    if g.get("value") is None and ("min" in g or "max" in g):
        return _dec(p.get("min")) == _dec(g.get("min")) and _dec(p.get("max")) == _dec(g.get("max"))
    pv = _dec(p.get("value"))
    if pv == _dec(g.get("value")):
        return True
    alt = g.get("alt_value")
    flagged = g.get("must_flag") in (p.get("flags") or [])
    return alt is not None and pv == _dec(alt) and flagged


def _overlap(a: Span, b: Span) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def score_figures(gold: dict[str, Any], text: str, predicted: list[dict[str, Any]]) -> FigureReport:
    """Match predicted figures to gold by location (falling back to value) and score them."""
    pages = gold.get("pages")
    preds = [p for p in predicted if not pages or p.get("page") in pages]
    key = search_key(text)
    rep = FigureReport()
    golds: list[dict[str, Any]] = gold["figures"]
    occ = {g["id"]: find_all(key, g["surface"]) for g in golds}
    optional_spans = [s for o in gold.get("optional", []) for s in find_all(key, o["surface"])]

    def cands(g: dict[str, Any]) -> list[int]:
        # A gold "page" (PDF) narrows repeated surfaces such as "100%" to the right page.
        pool = [i for i, p in enumerate(preds) if p["kind"] == g["kind"]
                and (g.get("page") is None or p.get("page") is None or p.get("page") == g["page"])]
        spans = occ[g["id"]]
        located = [i for i in pool if any(_overlap((preds[i]["char_start"], preds[i]["char_end"]), s)
                                          for s in spans)]
        # OCR text may not contain the surface letter for letter: fall back to the value.
        return located or [i for i in pool if _value_ok(g, preds[i])]

    options = {g["id"]: cands(g) for g in golds}
    assigned: dict[int, int] = {}   # gold id -> pred index
    used: set[int] = set()
    for g in sorted(golds, key=lambda g: len(options[g["id"]])):
        free = [i for i in options[g["id"]] if i not in used]
        if not free:
            continue
        # Prefer a right value, then the largest overlap with the gold surface.
        best = max(free, key=lambda i: (_value_ok(g, preds[i]), max(
            (_overlap((preds[i]["char_start"], preds[i]["char_end"]), s) for s in occ[g["id"]]), default=0)))
        assigned[g["id"]] = best
        used.add(best)
    by_id = {g["id"]: g for g in golds}
    for g in golds:
        kind = rep.per_kind.setdefault(g["kind"], PRF())
        i = assigned.get(g["id"])
        if i is None:
            rep.overall.fn += 1
            kind.fn += 1
            rep.missed.append(f"#{g['id']} {g['surface']}")
            continue
        p = preds[i]
        rep.located += 1
        if not _value_ok(g, p):
            rep.overall.fn += 1
            kind.fn += 1
            used.discard(i)   # a wrong reading is also a false positive
            rep.wrong.append(f"#{g['id']} {g['surface']}: got {p.get('value')} {p.get('unit')} "
                             f"flags={p.get('flags')}")
            continue
        rep.value_correct += 1
        rep.overall.tp += 1
        kind.tp += 1
        rep.subject_named += int(subject_names_thing(g.get("subject"), p.get("subject")))
        if subject_ok(g.get("subject"), p.get("subject")):
            rep.subject_correct += 1
        else:
            rep.subject_misses.append(f"#{g['id']} gold={g.get('subject')!r} got={p.get('subject')!r}")
        if g.get("place"):
            rep.place_checked += 1
            rep.place_correct += int(syllables(g["place"]) <= syllables(p.get("place")))
        if g.get("must_flag"):
            rep.flags_required.append((g["id"], g["must_flag"], g["must_flag"] in (p.get("flags") or [])))
        if g.get("in_footnote"):
            rep.footnotes.append((g["id"], "in_footnote" in (p.get("flags") or [])))
        if g.get("part_of") is not None:
            total = assigned.get(g["part_of"])
            ok = total is not None and p.get("part_of") is not None and p["part_of"] == preds[total].get("id",
                                                                                                       total)
            rep.part_of.append((g["id"], ok))
    del by_id
    for i, p in enumerate(preds):
        if i in used:
            continue
        span = (p["char_start"], p["char_end"])
        if any(_overlap(span, s) for s in optional_spans):
            continue
        rep.overall.fp += 1
        rep.per_kind.setdefault(p["kind"], PRF()).fp += 1
        rep.false_positives.append(f"{p['raw']!r} ({p['kind']} {p.get('value')})")
    return rep


def _norm_number(s: str | None) -> str:
    return regex.sub(r"\s+", "", unicodedata.normalize("NFC", s or "")).upper()


def score_references(gold: dict[str, Any], predicted: list[dict[str, Any]]) -> dict[str, Any]:
    """Match references by number; check type, date and issuer of each match."""
    golds = gold.get("references", [])
    by_num = {_norm_number(p["number"]): p for p in predicted}
    prf = PRF()
    fields_ok = fields_total = 0
    problems: list[str] = []
    for g in golds:
        p = by_num.pop(_norm_number(g["number"]), None)
        if p is None:
            prf.fn += 1
            problems.append(f"missed {g['number']}")
            continue
        prf.tp += 1
        for f in ("type", "date", "issuer"):
            if f not in g or (f == "issuer" and not g[f]):
                continue
            fields_total += 1
            if f == "issuer":
                ok = bool(p.get(f)) and (syllables(g[f]) <= syllables(p[f]) or syllables(p[f]) <= syllables(g[f]))
            else:
                ok = (p.get(f) or None) == (g[f] or None)
            fields_ok += int(ok)
            if not ok:
                problems.append(f"{g['number']}: {f} gold={g[f]!r} got={p.get(f)!r}")
    prf.fp = len(by_num)
    problems += [f"extra {n}" for n in by_num]
    return {**prf.as_dict(), "fields_correct": fields_ok, "fields_checked": fields_total, "problems": problems}


def _same(a: Any, b: Any) -> bool:
    """Compare two field values as text, ignoring case, spacing and the apostrophe's shape."""
    def norm(x: Any) -> str | None:
        if x is None:
            return None
        s = unicodedata.normalize("NFC", str(x)).replace("’", "'").replace("‘", "'")
        return " ".join(s.split()).casefold()
    return norm(a) == norm(b)


def score_metadata(gold: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    """Compare each gold metadata field with the document row."""
    md = gold.get("metadata") or {}
    results: dict[str, bool] = {}
    for k, v in md.items():
        if k in ("note", "notes", "about"):
            continue  # the annotator's remarks, not a field
        if k == "title_contains":
            results[k] = search_key(reduce_markup(v))[0] in search_key(doc.get("title") or "")[0]
        elif k == "signer_title":
            results[k] = (doc.get(k) or "").casefold() == (v or "").casefold()
        else:
            got = doc.get(k)
            results[k] = _same(got, v)
    return {"correct": sum(results.values()), "checked": len(results),
            "wrong": [f"{k}: gold={md[k]!r} got={doc.get(k if k != 'title_contains' else 'title')!r}"
                      for k, ok in results.items() if not ok]}


def score_cells(gold: dict[str, Any], predicted: list[dict[str, Any]]) -> dict[str, Any]:
    """Score table-cell figures: value+unit matches, then row, column and unit_from_header."""
    # A gold file may annotate some pages only: cells elsewhere neither match nor count against.
    pages = gold.get("pages")
    preds = [p for p in predicted if (p.get("source") == "table" or "in_table" in (p.get("flags") or []))
             and (not pages or p.get("page") is None or p.get("page") in pages)]
    used: set[int] = set()
    prf = PRF()
    row_ok = col_ok = hdr_ok = 0
    missed: list[str] = []
    for g in gold["cells"]:
        cand = [i for i, p in enumerate(preds) if i not in used and p.get("unit") == g.get("unit")
                and _dec(p.get("value")) == _dec(g.get("value"))]
        if not cand:
            prf.fn += 1
            missed.append(f"#{g['id']} {g['surface']} [{g.get('row')} | {g.get('column')}]")
            continue

        def fit(i: int, g: dict[str, Any] = g) -> tuple[bool, int, int]:
            p = preds[i]
            return (p.get("page") == g.get("page"),
                    len(syllables(g.get("row")) & syllables(p.get("row"))),
                    len(syllables(g.get("column")) & syllables(p.get("column"))))

        best = max(cand, key=fit)
        used.add(best)
        p = preds[best]
        prf.tp += 1
        row_ok += int(subject_ok(g.get("row"), p.get("row")))
        col_ok += int(subject_ok(g.get("column"), p.get("column")))
        hdr_ok += int(bool(g.get("unit_from_header")) == ("unit_from_header" in (p.get("flags") or [])))
    # A gold file may annotate some tables of a document only: count false positives in the tables
    # the gold covers (those holding at least one matched cell).
    covered = {preds[i].get("table_id") for i in used}
    prf.fp = sum(1 for i, p in enumerate(preds) if i not in used and p.get("table_id") in covered)
    n = prf.tp or 1
    return {**prf.as_dict(), "row_accuracy": round(row_ok / n, 4), "column_accuracy": round(col_ok / n, 4),
            "unit_from_header_accuracy": round(hdr_ok / n, 4), "missed": missed}
