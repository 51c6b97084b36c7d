"""Corrections to figures: record them, apply them, and carry them over re-ingestion and re-extraction.

A correction is matched to its figure by the document's content hash, the figure's raw text and a window
of text around it, never by the figure id alone (ids change when extraction rules change).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from core.errors import UsageError
from extractors.indicator import by_id
from extractors.model import UNITS
from pipeline.schema import corrections, documents, figures, texts

#: Characters of text kept on each side of the figure to recognise it again.
CONTEXT = 40
#: Fields a correction may change, and the figure column each one overrides.
FIELDS = ("value", "unit", "subject", "indicator", "not_a_figure")
#: How similar (0..1) a window must be to the recorded one when the raw text occurs more than once.
MIN_SIMILARITY = 0.6


class CorrectionError(UsageError):
    """A correction names no figure or gives a value that cannot be stored."""


def context_window(text: str, start: int, end: int) -> str:
    """Return the text around [start, end), the figure's raw included."""
    return text[max(0, start - CONTEXT):end + CONTEXT]


def _check(field: str, value: Any) -> str:
    if field == "value":
        try:
            d = Decimal(str(value).strip().replace(" ", ""))
        except InvalidOperation as exc:
            raise CorrectionError(f"--value {value!r} is not a number; write it plainly, e.g. 2000000000 or "
                                  "14.719 (dot as decimal mark)") from exc
        if not d.is_finite():
            raise CorrectionError(f"--value {value!r} is not a finite number")
        return format(d.normalize() if d != d.to_integral_value() else d.quantize(Decimal(1)), "f")
    if field == "unit":
        if value not in UNITS:
            raise CorrectionError(f"unit {value!r} is not a canonical unit; use one of {', '.join(UNITS)}")
        return str(value)
    if field == "indicator":
        ind = by_id(str(value))
        if ind is None:
            raise CorrectionError(f"indicator {value!r} is not in extractors/data/vi/indicators.yaml; add it "
                                  "there (one line) or use an existing id")
        return ind.id
    if field == "not_a_figure":
        return "true" if value in (True, "true", "1", 1) else "false"
    if field == "subject":
        s = str(value).strip()
        if not s:
            raise CorrectionError("an empty subject is not a correction; give the words that say what is measured")
        return s
    raise CorrectionError(f"cannot correct {field!r}; correct one of {', '.join(FIELDS)}")


def latest(conn: Connection, figure_ids: Iterable[str] | None = None) -> dict[str, dict[str, str | None]]:
    """Return figure id -> {field: newest corrected value} for figures that have corrections."""
    q = select(corrections.c.figure_id, corrections.c.field, corrections.c.new).where(
        corrections.c.figure_id.is_not(None)).order_by(corrections.c.id)
    if figure_ids is not None:
        q = q.where(corrections.c.figure_id.in_(list(figure_ids)))
    out: dict[str, dict[str, str | None]] = {}
    for fid, field, new in conn.execute(q):
        out.setdefault(fid, {})[field] = new
    return out


def apply(row: dict[str, Any], fixes: dict[str, str | None]) -> dict[str, Any] | None:
    """Return the figure row with its corrections applied (None when corrected to not a figure)."""
    if fixes.get("not_a_figure") == "true":
        return None
    out = dict(row)
    for field, new in fixes.items():
        if field == "value":
            out["value"] = None if new is None else Decimal(new)
            if "value_exact" in out:
                out["value_exact"] = new
        elif field in ("unit", "subject", "indicator"):
            out[field] = new
    out["corrected"] = bool(fixes)
    return out


def record_correction(engine: Engine, figure_id: str, changes: dict[str, Any], note: str, who: str) -> int:
    """Record corrections of one figure (one row per changed field); return the id of the last row."""
    if not note or not note.strip():
        raise CorrectionError("say why: a correction needs a note (--note TEXT)")
    if not who:
        raise CorrectionError("say who corrects (--who NAME or $USER)")
    if not changes:
        raise CorrectionError("nothing to correct: give --value, --unit, --subject, --indicator or --not-a-figure")
    checked = {field: _check(field, v) for field, v in changes.items()}
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        fig = conn.execute(select(figures).where(figures.c.id == figure_id)).mappings().first()
        if fig is None:
            raise CorrectionError(f"no figure '{figure_id}' in the dataset; find its id with `solieu export "
                                  "figures` or `solieu query`")
        text = conn.execute(select(texts.c.text).where(texts.c.document_id == fig["document_id"])).scalar_one()
        current = apply(dict(fig), latest(conn, [figure_id]).get(figure_id, {})) or dict(fig)
        last = 0
        for field, new in checked.items():
            if field == "not_a_figure":
                old: Any = "true" if current is None else "false"
            else:
                old = current.get("value_exact") if field == "value" else current.get(field)
            res = conn.execute(corrections.insert().values(
                figure_id=figure_id, first_figure_id=figure_id, sha256=fig["sha256"], document=fig["document"],
                raw=fig["raw"], context=context_window(text, fig["char_start"], fig["char_end"]),
                char_start=fig["char_start"], field=field, old=None if old is None else str(old), new=new,
                note=note.strip(), who=who, at=now,
            ))
            last = int(res.inserted_primary_key[0])  # type: ignore[index]
    return last


def reattach(conn: Connection, sha256: str) -> tuple[int, int]:
    """Point the corrections of this content hash at the figures now loaded from it; return (matched, lost)."""
    rows = conn.execute(select(corrections).where(corrections.c.sha256 == sha256)).mappings().all()
    if not rows:
        return 0, 0
    doc = conn.execute(select(documents.c.id).where(documents.c.sha256 == sha256)).scalar_one_or_none()
    candidates: dict[str, list[Any]] = {}
    text = ""
    if doc is not None:
        text = conn.execute(select(texts.c.text).where(texts.c.document_id == doc)).scalar_one_or_none() or ""
        for f in conn.execute(select(figures.c.id, figures.c.raw, figures.c.char_start, figures.c.char_end)
                              .where(figures.c.document_id == doc)):
            candidates.setdefault(f.raw, []).append(f)
    matched = lost = 0
    for c in rows:
        fid = _best(c, candidates.get(c["raw"], []), text)
        if fid != c["figure_id"]:
            conn.execute(update(corrections).where(corrections.c.id == c["id"]).values(figure_id=fid))
        matched += fid is not None
        lost += fid is None
    return matched, lost


def _best(c: Any, cands: list[Any], text: str) -> str | None:
    if not cands:
        return None
    scored = []
    for f in cands:
        window = context_window(text, f.char_start, f.char_end)
        score = 1.0 if window == c["context"] else difflib.SequenceMatcher(None, window, c["context"]).ratio()
        scored.append((score, -abs((c["char_start"] or 0) - f.char_start), f.id))
    best = max(scored)
    if best[0] >= MIN_SIMILARITY or (len(cands) == 1 and best[0] >= MIN_SIMILARITY / 2):
        return str(best[2])
    return None


def listing(engine: Engine) -> Iterator[dict[str, Any]]:
    """Yield every correction with `matched`: whether it still applies to a figure."""
    with engine.connect() as conn:
        live = set(conn.execute(select(figures.c.id).where(
            figures.c.id.in_(select(corrections.c.figure_id).where(corrections.c.figure_id.is_not(None)))
        )).scalars())
        for r in conn.execute(select(corrections).order_by(corrections.c.id)).mappings():
            d = dict(r)
            d["matched"] = d["figure_id"] in live
            yield d
