"""Group documents that are the same report, choose the canonical one, and date and label their figures."""

from __future__ import annotations

import difflib
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import regex
from sqlalchemy import Connection, bindparam, delete, func, insert, select, text, update

from extractors.indicator import match_indicator
from extractors.period import PERIOD_WINDOW, Period, document_period, figure_period, measure
from pipeline.model import Extracted
from pipeline.schema import documents, figures, reports, texts

#: Word-trigram Jaccard similarity above which two texts are the same report (OCR noise included).
SAME_TEXT = 0.5
#: Texts whose lengths differ more than this ratio are not compared at all.
LENGTH_RATIO = 0.6
_WORD = regex.compile(r"\w+")
#: PostgreSQL advisory lock key held while reports are regrouped ("solieu" in ASCII, as a number).
REGROUP_LOCK = 0x736F6C696575


def annotate(conn: Connection, doc_id: int, ex: Extracted, ids: Sequence[str]) -> None:
    """Store the document's period and each figure's period, plan/actual and indicator."""
    body = ex.document.text
    doc_period = document_period(ex.metadata.title, body)
    sig = signature(body)
    conn.execute(update(documents).where(documents.c.id == doc_id).values(
        **_period_cols(doc_period), signature=None if sig is None else sig.tobytes()))
    rows: list[dict[str, Any]] = []
    for fid, f in zip(ids, ex.figures, strict=True):
        left = body[max(0, f.char_start - PERIOD_WINDOW):f.char_start]
        p = figure_period(f.column, left, doc_period)
        m = match_indicator(f.kind, f.subject, f.row, left)
        rows.append({"fid": fid, **_period_cols(p), "measure": measure(f.column, f.row, left),
                     "indicator": m[0] if m else None, "indicator_confidence": m[1] if m else None})
    if rows:
        conn.execute(
            update(figures).where(figures.c.id == bindparam("fid")).values(
                period_label=bindparam("period_label"), period_start=bindparam("period_start"),
                period_end=bindparam("period_end"), measure=bindparam("measure"),
                indicator=bindparam("indicator"), indicator_confidence=bindparam("indicator_confidence"),
            ),
            rows,
        )


def _period_cols(p: Period | None) -> dict[str, str | None]:
    if p is None:
        return {"period_label": None, "period_start": None, "period_end": None}
    return {"period_label": p.label, "period_start": p.start.isoformat(), "period_end": p.end.isoformat()}


def source_rank(fmt: str, text_source: str | None) -> int:
    """Rank a source for analysis: a PDF text layer (page and box) first, then Word, plain text, OCR last."""
    if fmt == "pdf":
        return {"text-layer": 0, "mixed": 3}.get(text_source or "", 4)
    return {"docx": 1, "md": 2, "txt": 2}.get(fmt, 2)


def _norm_key(*parts: str | None) -> tuple[str, ...] | None:
    if not all(parts):
        return None
    return tuple(regex.sub(r"[\s.:]+", "", (p or "").lower()) for p in parts)


def _shingles(text: str) -> set[str]:
    words = _WORD.findall(text.lower())
    return {" ".join(words[i:i + 3]) for i in range(max(0, len(words) - 2))}


def similarity(a: str, b: str) -> float:
    """Return the word-trigram Jaccard similarity of two texts (1.0: same words in the same order)."""
    sa, sb = _shingles(a), _shingles(b)
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0


#: MinHash: the share of equal minima estimates the trigram Jaccard similarity (±0.045 at 0.5 with 128).
_PERMS = 128
_PRIME = np.uint64((1 << 31) - 1)
_rng = np.random.default_rng(20261201)
_A = _rng.integers(1, int(_PRIME), _PERMS, dtype=np.uint64)
_B = _rng.integers(0, int(_PRIME), _PERMS, dtype=np.uint64)


def signature(text: str) -> np.ndarray | None:
    """Return the MinHash signature of a text's word trigrams (None for a text of fewer than three words)."""
    grams = _shingles(text)
    if not grams:
        return None
    h = np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.uint64, count=len(grams))
    return ((np.outer(h, _A) + _B) % _PRIME).min(axis=0)


_SELF = ("district", "province", "report_year", "issued_date", "period_label")


def _self_said(d: Any) -> tuple[Any, ...]:
    """Return what a document says about itself, for _conflict."""
    number = _norm_key(d.doc_number)
    return (*(getattr(d, f) for f in _SELF), number[0] if number else None)


def _conflict(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    """Say whether two documents' own words (see _self_said) show they are different reports."""
    for x, y in zip(a[:-1], b[:-1], strict=True):
        if x and y and x != y:
            return True
    na, nb = a[-1], b[-1]
    # One misread character (OCR) still allows the same report; templates reused with another number do not.
    return bool(na and nb and na != nb and difflib.SequenceMatcher(None, na, nb).ratio() < 0.8)


def _groups(docs: list[Any], conn: Connection, *, everything: bool = False) -> list[list[Any]]:
    """Return the documents grouped into reports.

    Documents already in a report stay together; the texts of documents in no report yet (just loaded) are
    compared with all others, so a load costs O(documents), not O(documents²). everything: compare all pairs.
    """
    parent = list(range(len(docs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_of: dict[int, int] = {}
    for i, d in enumerate(docs):
        if d.report_id is not None and not everything:
            if d.report_id in first_of:
                parent[find(i)] = find(first_of[d.report_id])
            else:
                first_of[d.report_id] = i
    keys: dict[tuple[str, ...], int] = {}
    for i, d in enumerate(docs):
        key = _norm_key(d.doc_number, d.issuer, d.issued_date)
        if key is not None:
            if key in keys:
                parent[find(i)] = find(keys[key])
            else:
                keys[key] = i
    said = [_self_said(d) for d in docs]
    sigs_of: dict[int, np.ndarray | None] = {}

    def sig(i: int) -> np.ndarray | None:
        if i not in sigs_of:
            stored = docs[i].signature
            if stored is not None:
                sigs_of[i] = np.frombuffer(stored, dtype=np.uint64)
            else:  # loaded before signatures were stored: compute it once and keep it
                t = conn.execute(select(texts.c.text).where(texts.c.document_id == docs[i].id)).scalar_one_or_none()
                s = signature(t or "")
                sigs_of[i] = s
                if s is not None:
                    conn.execute(update(documents).where(documents.c.id == docs[i].id).values(signature=s.tobytes()))
        return sigs_of[i]

    lengths = np.array([d.length or 0 for d in docs], dtype=float)
    fresh = range(len(docs)) if everything else [i for i, d in enumerate(docs) if d.report_id is None]
    for i in fresh:
        if not lengths[i]:
            continue
        rest = np.array([j for j in range(len(docs)) if j != i], dtype=int)
        ratio = np.minimum(lengths[rest], lengths[i]) / np.maximum(lengths[rest], lengths[i])
        near = [int(j) for j in rest[ratio >= LENGTH_RATIO] if find(i) != find(int(j)) and not _conflict(said[i], said[j])]
        si = sig(i) if near else None
        if si is None:
            continue
        sigs: list[tuple[int, np.ndarray]] = []
        for j in near:
            sj = sig(j)
            if sj is not None:
                sigs.append((j, sj))
        if not sigs:
            continue
        same = (np.stack([sj for _, sj in sigs]) == si).mean(axis=1) >= SAME_TEXT
        for (j, _), hit in zip(sigs, same, strict=True):
            if hit:
                parent[find(j)] = find(i)
    out: dict[int, list[Any]] = {}
    for i, d in enumerate(docs):
        out.setdefault(find(i), []).append(d)
    return list(out.values())


def regroup(conn: Connection, *, everything: bool = False) -> None:
    """Recompute which documents are one report, its canonical source, and the reports table.

    everything: forget the present grouping and compare every pair of documents again.
    """
    if conn.dialect.name == "postgresql":
        # Loads running at once regroup one after the other, each seeing the documents the others committed.
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": REGROUP_LOCK})
    length = func.length(texts.c.text).label("length")
    docs = conn.execute(
        select(documents.c.id, documents.c.doc_number, documents.c.doc_type, documents.c.issuer,
               documents.c.issued_date, documents.c.title, documents.c.province, documents.c.district,
               documents.c.report_year, documents.c.format, documents.c.text_source, documents.c.report_id,
               documents.c.canonical, documents.c.period_label, documents.c.period_start,
               documents.c.period_end, documents.c.signature, length)
        .select_from(documents.outerjoin(texts, texts.c.document_id == documents.c.id))
        .order_by(documents.c.id)
    ).all()
    current = {r["id"]: r for r in conn.execute(select(reports)).mappings()}
    existing = set(current)
    taken: set[int] = set()
    for group in _groups(list(docs), conn, everything=everything):
        best = min(group, key=lambda d: (source_rank(d.format, d.text_source), d.id))
        values = {
            "canonical_document_id": best.id, "documents": len(group),
            **{c: getattr(best, c) for c in ("doc_number", "doc_type", "issuer", "issued_date", "title",
                                              "province", "district", "report_year", "period_label",
                                              "period_start", "period_end")},
        }
        reuse = sorted({d.report_id for d in group if d.report_id in existing} - taken)
        if reuse:
            rid = reuse[0]
            if any(current[rid][k] != v for k, v in values.items()):
                conn.execute(update(reports).where(reports.c.id == rid).values(**values))
        else:
            rid = int(conn.execute(insert(reports).values(**values)).inserted_primary_key[0])  # type: ignore[index]
        taken.add(rid)
        for d in group:
            if d.report_id != rid or bool(d.canonical) != (d.id == best.id):
                conn.execute(update(documents).where(documents.c.id == d.id)
                             .values(report_id=rid, canonical=d.id == best.id))
    stale = existing - taken
    if stale:
        conn.execute(delete(reports).where(reports.c.id.in_(stale)))


def after_load(conn: Connection, doc_id: int, ex: Extracted, ids: Sequence[str]) -> None:
    """Annotate a freshly loaded document, regroup reports, and carry its corrections over."""
    from pipeline.corrections import reattach

    annotate(conn, doc_id, ex, ids)
    regroup(conn)
    reattach(conn, ex.document.sha256)
