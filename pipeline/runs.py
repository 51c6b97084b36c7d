"""Nightly bookkeeping: each file's last-seen state (a stat check before any hashing), run reports, figure diffs."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from core.config import PIPELINE_VERSION
from extractors.model import EXTRACTOR_VERSION, Figure
from pipeline.schema import figure_changes, file_state, ingest_runs

_DIGITS = re.compile(r"\d+")
#: Rows per statement when writing many file states at once (SQLite allows 32766 bound parameters).
BATCH = 500


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --------------------------------------------------------------------------- file state: the cheap check


@dataclass(frozen=True)
class FileStat:
    """What os.stat says of a file: enough to tell it unchanged without reading it."""

    size: int
    mtime_ns: int
    inode: int

    @classmethod
    def of(cls, path: str) -> FileStat:
        """Stat path (raises OSError like os.stat)."""
        st = os.stat(path)
        return cls(st.st_size, st.st_mtime_ns, st.st_ino)


@dataclass
class KnownState:
    """A file's state as recorded when it was last ingested or failed."""

    path: str
    stat: FileStat
    sha256: str
    status: str                     # "loaded" | "failed"
    permanent: bool
    error: str | None
    message: str | None
    pipeline_version: str
    extractor_version: str
    run_id: int | None


def load_states(engine: Engine, paths: Sequence[str] | None = None) -> dict[str, KnownState]:
    """Return the recorded state of every file (one query), keyed by path; paths narrows it down."""
    wanted = set(paths) if paths is not None else None
    out: dict[str, KnownState] = {}
    with engine.connect() as conn:
        for r in conn.execute(select(file_state)).mappings():
            if wanted is not None and r["path"] not in wanted:
                continue
            out[r["path"]] = KnownState(
                r["path"], FileStat(r["size"], r["mtime_ns"], r["inode"]), r["sha256"], r["status"],
                bool(r["permanent"]), r["error"], r["message"], r["pipeline_version"], r["extractor_version"],
                r["run_id"],
            )
    return out


def verdict(state: KnownState | None, stat: FileStat) -> str | None:
    """Say what a stat check alone decides: 'current', 'not-retried' (a permanent failure), or None (look)."""
    if state is None or state.stat != stat or state.pipeline_version != PIPELINE_VERSION:
        return None
    if state.status == "loaded" and state.extractor_version == EXTRACTOR_VERSION:
        return "current"
    if state.status == "failed" and state.permanent:
        return "not-retried"        # the same bytes under the same reading code would fail the same way
    return None


@dataclass
class StateUpdate:
    """A file state to record: loaded, or failed (permanently or not)."""

    path: str
    stat: FileStat
    sha256: str
    status: str
    permanent: bool = False
    error: str | None = None
    message: str | None = None


def save_states(engine: Engine, updates: Iterable[StateUpdate], run_id: int | None) -> None:
    """Record file states (replacing earlier ones for the same paths), in batches."""
    items = list(updates)
    now = _now()
    with engine.begin() as conn:
        for i in range(0, len(items), BATCH):
            chunk = items[i:i + BATCH]
            conn.execute(delete(file_state).where(file_state.c.path.in_([u.path for u in chunk])))
            conn.execute(insert(file_state), [
                {"path": u.path, "size": u.stat.size, "mtime_ns": u.stat.mtime_ns, "inode": u.stat.inode,
                 "sha256": u.sha256, "status": u.status, "permanent": u.permanent, "error": u.error,
                 "message": u.message, "pipeline_version": PIPELINE_VERSION,
                 "extractor_version": EXTRACTOR_VERSION, "run_id": run_id, "seen_at": now}
                for u in chunk
            ])


# --------------------------------------------------------------------------- figure diff against the previous version


@dataclass
class FigureDiff:
    """How a document's figures differ from its previous version's."""

    added: int = 0
    removed: int = 0
    changed: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)   # figure_changes rows (without run_id)


def _shown(value: Any, lo: Any, hi: Any) -> str | None:
    if value is not None:
        return str(value)
    if lo is not None or hi is not None:
        return f"{'' if lo is None else lo}..{'' if hi is None else hi}"
    return None


def _keys(kind: str, raw: str, sentence: str | None, table_id: str | None, row: str | None,
          column: str | None) -> tuple[str, str, str]:
    """Return (strict key, loose key, context shown) of a figure.

    A table cell is known by its row and column. Prose is known first by its words and sentence with every
    number masked (a sentence whose figures changed is still the same sentence, its figures pairing up in
    order), then, for a sentence that was reworded, by its own words alone.
    """
    if table_id is not None:
        ctx = f"{row or ''} / {column or ''}"
        key = f"{kind}\0cell\0{ctx}"
        return key, key, ctx
    raw = raw or ""                  # the database refuses such a figure; the diff need not fail first
    sent = sentence or raw
    loose = f"{kind}\0{_DIGITS.sub('#', raw)}"
    return f"{loose}\0{_DIGITS.sub('#', sent)}", loose, sent


OLD_COLUMNS = ("kind", "raw", "sentence", "table_id", "row", "column", "value_exact", "min", "max", "unit")

# (strict key, loose key, raw, context, value shown, unit)
_Item = tuple[str, str, str, str, str | None, str]


def _pair(olds: list[_Item], news: list[_Item], strict: bool) -> tuple[list[tuple[_Item, _Item]], list[_Item],
                                                                         list[_Item]]:
    """Pair items with equal (strict or loose) keys in order; return the pairs and what is left of each side."""
    def key(item: _Item) -> str:
        return item[0] if strict else item[1]

    by_key: dict[str, list[int]] = defaultdict(list)
    for i, o in enumerate(olds):
        by_key[key(o)].append(i)
    pairs: list[tuple[_Item, _Item]] = []
    used: set[int] = set()
    left_new: list[_Item] = []
    for n in news:
        queue = by_key.get(key(n))
        if queue:
            i = queue.pop(0)
            used.add(i)
            pairs.append((olds[i], n))
        else:
            left_new.append(n)
    return pairs, [o for i, o in enumerate(olds) if i not in used], left_new


def diff_figures(document: str, old: Sequence[Any], new: Sequence[Figure]) -> FigureDiff:
    """Match a document's old figure rows to its new figures (see _keys), in document order; report what was
    added, removed, or changed value."""
    olds: list[_Item] = []
    for r in old:
        strict, loose, ctx = _keys(r.kind, r.raw, r.sentence, r.table_id, r.row, r.column)
        olds.append((strict, loose, r.raw, ctx, _shown(r.value_exact, r.min, r.max), r.unit))
    news: list[_Item] = []
    for f in new:
        strict, loose, ctx = _keys(f.kind, f.raw, f.sentence, f.table_id, f.row, f.column)
        news.append((strict, loose, f.raw, ctx, _shown(f.value, f.min, f.max), f.unit))
    pairs, left_old, left_new = _pair(olds, news, strict=True)
    more, left_old, left_new = _pair(left_old, left_new, strict=False)
    out = FigureDiff()

    def row(change: str, o: _Item | None, n: _Item | None) -> dict[str, Any]:
        it = n or o
        assert it is not None
        return {"document": document, "change": change, "kind": it[0].split("\0", 1)[0], "context": it[3],
                "old_raw": o[2] if o else None, "new_raw": n[2] if n else None,
                "old_value": o[4] if o else None, "new_value": n[4] if n else None, "unit": it[5]}

    for o, n in pairs + more:
        if (o[4], o[5]) != (n[4], n[5]):
            out.changed += 1
            out.rows.append(row("changed", o, n))
    for n in left_new:
        out.added += 1
        out.rows.append(row("added", None, n))
    for o in left_old:
        out.removed += 1
        out.rows.append(row("removed", o, None))
    return out


def record_changes(conn: Connection, diff: FigureDiff, run_id: int | None) -> None:
    """Store the changed figures of one document within the caller's transaction."""
    if diff.rows:
        conn.execute(insert(figure_changes), [{**r, "run_id": run_id} for r in diff.rows])


# --------------------------------------------------------------------------- run report


@dataclass
class RunReport:
    """What one ingest run did."""

    docs_added: int = 0
    docs_updated: int = 0
    docs_unchanged: int = 0
    docs_failed: int = 0
    docs_not_retried: int = 0
    figures_added: int = 0
    figures_removed: int = 0
    figures_changed: int = 0


def finish_report(engine: Engine, run_id: int, report: RunReport, *, seconds: float) -> None:
    """Record the end of a run with its report (the old loaded/skipped/failed counts kept filled too)."""
    failed = report.docs_failed + report.docs_not_retried
    with engine.begin() as conn:
        conn.execute(update(ingest_runs).where(ingest_runs.c.id == run_id).values(
            finished_at=_now(), status="ok" if failed == 0 else "partial",
            documents_seen=report.docs_added + report.docs_updated + report.docs_unchanged + failed,
            loaded=report.docs_added + report.docs_updated, skipped=report.docs_unchanged, failed=failed,
            extractor_version=EXTRACTOR_VERSION, seconds=round(seconds, 3), **vars(report),
        ))


def list_runs(engine: Engine, limit: int = 50) -> list[dict[str, Any]]:
    """Return the latest runs, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(select(ingest_runs).order_by(ingest_runs.c.id.desc()).limit(limit)).mappings().all()
    return [dict(r) for r in rows]


def run_changes(engine: Engine, run_id: int) -> list[dict[str, Any]]:
    """Return the figure changes a run recorded."""
    with engine.connect() as conn:
        rows = conn.execute(select(figure_changes).where(figure_changes.c.run_id == run_id)
                            .order_by(figure_changes.c.id)).mappings().all()
    return [dict(r) for r in rows]
