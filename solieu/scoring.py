"""Score what is in the dataset (or an Extracted result) against gold files, and format the report."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, select

from pipeline import schema
from solieu.evaluate import load_gold, score_cells, score_figures, score_metadata, score_references

if TYPE_CHECKING:
    from pipeline.model import Extracted


def build_report(gold: dict[str, Any], document: str, text: str, figures: list[dict[str, Any]],
                 references: list[dict[str, Any]], meta: dict[str, Any]) -> dict[str, Any]:
    """Score one document's figures, references and metadata against one gold dict."""
    report: dict[str, Any] = {"gold": gold.get("_path"), "document": document}
    if "figures" in gold:
        fr = score_figures(gold, text, figures)
        report["figures"] = {
            **fr.overall.as_dict(),
            "per_kind": {k: v.as_dict() for k, v in sorted(fr.per_kind.items())},
            "value_accuracy": round(fr.value_accuracy, 4),
            "subject_accuracy": round(fr.subject_accuracy, 4),
            "subject_named_accuracy": round(fr.subject_named_accuracy, 4),
            "place_accuracy": round(fr.place_correct / fr.place_checked, 4) if fr.place_checked else None,
            "flags_required": [{"id": i, "flag": f, "ok": ok} for i, f, ok in fr.flags_required],
            "in_footnote": [{"id": i, "ok": ok} for i, ok in fr.footnotes],
            "part_of": [{"id": i, "ok": ok} for i, ok in fr.part_of],
            "missed": fr.missed, "wrong_value": fr.wrong, "false_positives": fr.false_positives,
            "subject_misses": fr.subject_misses,
        }
    if "cells" in gold:
        report["cells"] = score_cells(gold, figures)
    if gold.get("references") is not None and "figures" in gold:
        report["references"] = score_references(gold, references)
    if gold.get("metadata"):
        report["metadata"] = score_metadata(gold, meta)
    return report


def score_extracted(gold_path: str | Path, ex: Extracted) -> dict[str, Any]:
    """Score an in-memory extraction result (tests call stages directly, without a database)."""
    gold = load_gold(gold_path)
    gold["_path"] = str(gold_path)
    figs = [dataclasses.asdict(f) for f in ex.figures]
    refs = [dataclasses.asdict(r) for r in ex.references]
    meta = dataclasses.asdict(ex.metadata)
    return build_report(gold, ex.document.path, ex.document.text, figs, refs, meta)


def _matches(gold_doc: str, path: str) -> bool:
    g, p = Path(gold_doc).stem, Path(path).stem
    return p == g or p.startswith(g + "-") or p.startswith(g + ".")


def score_dataset(engine: Engine, gold_path: str | Path, *, document: str | None = None) -> list[dict[str, Any]]:
    """Score every ingested document named like the gold's document (or the one given)."""
    gold = load_gold(gold_path)
    gold["_path"] = str(gold_path)
    out: list[dict[str, Any]] = []
    with engine.connect() as conn:
        docs = conn.execute(select(schema.documents)).mappings().all()
        chosen = [d for d in docs if (d["document"] == document if document else _matches(gold["document"],
                                                                                             d["document"]))]
        for d in chosen:
            text = conn.execute(select(schema.texts.c.text).where(schema.texts.c.document_id == d["id"])
                                ).scalar_one()
            figs = [dict(r) for r in conn.execute(
                select(schema.figures).where(schema.figures.c.document_id == d["id"])).mappings()]
            refs = [dict(r) for r in conn.execute(
                select(schema.references).where(schema.references.c.document_id == d["id"])).mappings()]
            out.append(build_report(gold, d["document"], text, figs, refs, dict(d)))
    if not out:
        out.append({"gold": str(gold_path), "document": document or gold["document"],
                    "error": "no such document in the dataset; ingest it first or name it with --document"})
    return out


def format_report(r: dict[str, Any]) -> str:
    """Render one report for a terminal."""
    lines = [f"== {r['document']}  (gold: {r['gold']})"]
    if "error" in r:
        return "\n".join([*lines, f"  {r['error']}"])
    if "figures" in r:
        f = r["figures"]
        lines.append(f"  figures: P {f['precision']:.3f}  R {f['recall']:.3f}  F1 {f['f1']:.3f}  "
                     f"(tp {f['tp']}, fp {f['fp']}, fn {f['fn']})  value acc {f['value_accuracy']:.3f}  "
                     f"subject acc {f['subject_accuracy']:.3f}  subject names the thing "
                     f"{f['subject_named_accuracy']:.3f}")
        for k, v in f["per_kind"].items():
            lines.append(f"    {k:<8} P {v['precision']:.3f}  R {v['recall']:.3f}  F1 {v['f1']:.3f}  "
                         f"(tp {v['tp']}, fp {v['fp']}, fn {v['fn']})")
        for key in ("flags_required", "in_footnote", "part_of"):
            if f[key]:
                ok = sum(1 for x in f[key] if x["ok"])
                lines.append(f"    {key}: {ok}/{len(f[key])}")
        labels = {"missed": "missed", "wrong_value": "wrong value", "false_positives": "false positive",
                  "subject_misses": "subject"}
        for key, label in labels.items():
            for item in f[key][:15]:
                lines.append(f"    {label}: {item}")
    if "cells" in r:
        c = r["cells"]
        lines.append(f"  cells: P {c['precision']:.3f}  R {c['recall']:.3f}  F1 {c['f1']:.3f}  "
                     f"(tp {c['tp']}, fp {c['fp']}, fn {c['fn']})  row acc {c['row_accuracy']:.3f}  "
                     f"column acc {c['column_accuracy']:.3f}  unit-from-header acc "
                     f"{c['unit_from_header_accuracy']:.3f}")
        for item in c["missed"][:10]:
            lines.append(f"    missed cell: {item}")
    if "references" in r:
        x = r["references"]
        lines.append(f"  references: P {x['precision']:.3f}  R {x['recall']:.3f}  fields "
                     f"{x['fields_correct']}/{x['fields_checked']}")
        for item in x["problems"][:10]:
            lines.append(f"    {item}")
    if "metadata" in r:
        m = r["metadata"]
        lines.append(f"  metadata: {m['correct']}/{m['checked']} fields right")
        for item in m["wrong"]:
            lines.append(f"    {item}")
    return "\n".join(lines)
