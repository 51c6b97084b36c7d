"""Prepare what `solieu serve` shows: the SQLite file Datasette reads, its full-text index, its metadata.

A SQLite dataset is served in place (an ingest running meanwhile is seen). A PostgreSQL dataset is served
from a read-only SQLite replica, copied at start, on the browser's refresh button and after each ingest
run; corrections made in the browser are written to PostgreSQL and copied into the replica at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url

from core.errors import DatabaseError, UsageError

#: Table of the replica that says where it comes from and how fresh it is (not part of the dataset schema).
REPLICA_INFO = "solieu_replica"
#: Rows copied per INSERT when building a replica.
CHUNK = 2000
#: Hosts that count as loopback: serving there needs no token.
LOOPBACK_NAMES = ("localhost",)


def cache_root() -> Path:
    """Return $SOLIEU_CACHE_DIR if set, else the project-local .cache/solieu."""
    env = os.environ.get("SOLIEU_CACHE_DIR")
    return Path(env) if env else Path.cwd() / ".cache" / "solieu"


def is_loopback(host: str) -> bool:
    """Return whether host only accepts connections from this machine."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, token: str | None) -> None:
    """Refuse to serve beyond loopback without a token (corrections are writes)."""
    if not is_loopback(host) and not token:
        raise UsageError(f"serving on {host} opens the browser, and its correction form, to other machines: "
                         "give a token with --token SECRET or $SOLIEU_TOKEN (visitors sign in with it), or "
                         "serve on 127.0.0.1")


def replica_path(url: str) -> Path:
    """Return where the SQLite replica of a PostgreSQL dataset is kept (one per URL)."""
    key = hashlib.sha256(url.encode()).hexdigest()[:16]
    return cache_root() / "replica" / key / "solieu.db"


def ensure_fts(engine: Engine) -> None:
    """Index figures' sentences and subjects for full-text search (FTS5), kept current by triggers."""
    stmts = [
        # content="figures": Datasette finds the index by this spelling and searches the figures table with it.
        # Diacritics kept: in Vietnamese they tell words apart ("mương" canal, "muông" beast, "muống" greens).
        'CREATE VIRTUAL TABLE IF NOT EXISTS figures_fts USING fts5(sentence, subject, content="figures", '
        "tokenize='unicode61 remove_diacritics 0')",
        "CREATE TRIGGER IF NOT EXISTS figures_fts_ai AFTER INSERT ON figures BEGIN "
        "INSERT INTO figures_fts(rowid, sentence, subject) VALUES (new.rowid, new.sentence, new.subject); END",
        "CREATE TRIGGER IF NOT EXISTS figures_fts_ad AFTER DELETE ON figures BEGIN "
        "INSERT INTO figures_fts(figures_fts, rowid, sentence, subject) "
        "VALUES ('delete', old.rowid, old.sentence, old.subject); END",
        "CREATE TRIGGER IF NOT EXISTS figures_fts_au AFTER UPDATE ON figures BEGIN "
        "INSERT INTO figures_fts(figures_fts, rowid, sentence, subject) "
        "VALUES ('delete', old.rowid, old.sentence, old.subject); "
        "INSERT INTO figures_fts(rowid, sentence, subject) VALUES (new.rowid, new.sentence, new.subject); END",
        # Rebuilt at every start: a migration that recreates `figures` drops the triggers and moves rowids.
        "INSERT INTO figures_fts(figures_fts) VALUES ('rebuild')",
    ]
    with engine.begin() as conn:
        for s in stmts:
            conn.exec_driver_sql(s)


def build_replica(source_url: str, path: Path) -> dict[str, Any]:
    """Copy every table of the dataset at source_url into the SQLite file at path; return its freshness."""
    from pipeline.load import open_db, safe_url
    from pipeline.schema import metadata

    src = open_db(source_url, readonly=True)
    dst = open_db(f"sqlite:///{path}")
    ensure_fts(dst)
    sign = signature(source_url)   # taken first: a change made while copying shows as a change later
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with src.connect() as s, dst.begin() as d:
        # One transaction: the browser keeps reading the previous copy until this one is complete.
        for t in reversed(metadata.sorted_tables):
            d.execute(t.delete())
        for t in metadata.sorted_tables:
            result = s.execute(select(t)).mappings()
            while chunk := result.fetchmany(CHUNK):
                d.execute(t.insert(), [dict(r) for r in chunk])
        d.exec_driver_sql(f"DROP TABLE IF EXISTS {REPLICA_INFO}")
        d.exec_driver_sql(f"CREATE TABLE {REPLICA_INFO} (source TEXT, refreshed_at TEXT, last_run INTEGER, "
                          "figures INTEGER, signature TEXT)")
        from pipeline.schema import figures, ingest_runs

        last_run = d.execute(select(func.max(ingest_runs.c.id))).scalar()
        n = d.execute(select(func.count()).select_from(figures)).scalar()
        d.execute(text(f"INSERT INTO {REPLICA_INFO} VALUES (:s, :t, :r, :n, :g)"),
                  {"s": safe_url(source_url), "t": now, "r": last_run, "n": n, "g": sign})
    return {"source": safe_url(source_url), "refreshed_at": now, "last_run": last_run, "figures": n,
            "signature": sign}


def sync_corrections(source_url: str, path: Path) -> None:
    """Copy the corrections table of the real dataset into the replica (what a browser correction changes)."""
    from pipeline.load import open_db
    from pipeline.schema import corrections

    src = open_db(source_url, readonly=True)
    dst = open_db(f"sqlite:///{path}")
    with src.connect() as s, dst.begin() as d:
        rows = [dict(r) for r in s.execute(select(corrections)).mappings()]
        d.execute(corrections.delete())
        if rows:
            d.execute(corrections.insert(), rows)


def signature(url: str) -> str:
    """Return what changes when the dataset does (ingest runs, documents, corrections): a stale replica's sign."""
    from pipeline.load import open_db
    from pipeline.schema import corrections, documents, ingest_runs

    with open_db(url, readonly=True).connect() as conn:
        parts = [conn.execute(select(func.max(ingest_runs.c.id))).scalar(),
                 *conn.execute(select(func.count(), func.max(documents.c.ingested_at))).one(),
                 *conn.execute(select(func.count(), func.max(corrections.c.id))).one()]
    return json.dumps(parts, default=str)


def served_file(url: str, replica: Path | None = None) -> tuple[Path, bool]:
    """Return (the SQLite file to serve for the dataset at url, whether it is a replica), ready to serve."""
    from pipeline.load import open_db

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise UsageError("`solieu serve` needs a SQLite file or a PostgreSQL URL, not an in-memory database")
        path = Path(parsed.database)
        if not path.exists():
            raise DatabaseError(f"no dataset at {path}; run `solieu ingest PATH` first")
        try:
            ensure_fts(open_db(url))
        except Exception as exc:  # a read-only file still serves, without search
            import logging

            logging.getLogger("solieu").warning("no full-text search on %s: %s", path, exc)
        return path.resolve(), False
    open_db(url)   # brings an older dataset up to the schema the replica and corrections need
    path = (replica or replica_path(url)).resolve()
    build_replica(url, path)
    return path, True


#: Descriptions shown by Datasette above each table and in each column's header.
TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "facts": ("The view for analysis: one row per figure of the canonical source of each report, without parts "
              "already inside a total and table cells restating a sentence, with corrections applied. Sums "
              "over it are safe; keep units apart.", {
                  "figure_id": "the figure (opens its page: page image, sentence, flags, correction form)",
                  "report_id": "the report this figure's document is a source of",
                  "province": "province of the issuing body", "district": "district of the issuing body",
                  "report_year": "year the report is about",
                  "period_label": "the period the figure is about (its column or sentence, else its report's)",
                  "measure": "plan (kế hoạch, chỉ tiêu …) or actual (thực hiện …); empty when not said",
                  "indicator": "the shared indicator it measures (extractors/data/vi/indicators.yaml)",
                  "kind": "money, length, area, volume, mass, labour, percent, count, ratio",
                  "value": "the number in the canonical unit (2 tỷ đồng → 2000000000)",
                  "value_exact": "the exact decimal text of value", "unit": "canonical unit: never sum across units",
                  "per": "denominator of a rate as written (đồng/kg → kg)", "subject": "what is measured",
                  "raw": "the exact text of the figure", "flags": "checks that failed or need a look",
                  "corrected": "1 when a correction applies", "sentence": "the sentence it comes from"}),
    "figures": ("Every figure of every document as extracted (corrections are applied in facts and exports, "
                "listed in corrections). Search finds words in sentences and subjects.", {
                    "id": "stable id of the figure", "document": "the source path as given to ingest",
                    "page": "1-based page of PDF sources", "kind": "money, length, area, count …",
                    "value": "the number in the canonical unit", "unit": "canonical unit",
                    "bbox": "[x0, top, x1, bottom] in PDF points on the page",
                    "source": "text-layer, ocr or table", "flags": "checks that failed or need a look",
                    "part_of": "the total this figure is a part of (trong đó …)",
                    "restates": "the figure stating the same fact elsewhere (table cell ↔ sentence)",
                    "section": "heading path it sits under", "raw": "exact surface text (opens the figure page)",
                    "measure": "plan or actual", "indicator": "shared indicator id"}),
    "documents": ("One row per ingested source file, with what the document says about itself.", {
        "report_id": "the report it is one source of", "canonical": "1 for the source used in facts",
        "text_source": "text-layer, ocr or mixed", "doc_number": "e.g. 374-BC/HU"}),
    "reports": ("Documents that are the same report (same number, issuer and date, or near-identical text) "
                "share one row; facts uses its canonical document only.", {
                    "canonical_document_id": "the source used in facts", "documents": "how many sources"}),
    "corrections": ("Corrections made with `solieu correct` or the browser: who, when, old, new, why. Matched "
                    "again to figures after every load; figure_id empty = no longer matches.", {
                        "figure_id": "the figure it applies to now", "field": "value, unit, subject, indicator "
                        "or not_a_figure", "context": "text around the figure, to find it again"}),
    "failures": ("Documents that failed, with the stage and what to do.", {}),
    "references": ("Documents cited by the reports (công văn, nghị quyết …).", {}),
    "pages": ("Per-page triage: text layer or OCR, and why.", {}),
    "table_cells": ("Every cell of every table read from the documents.", {}),
    "texts": ("The normalized text of each document (figures' offsets point into it).", {}),
    "ingest_runs": ("One row per ingest run.", {}),
}

FACETS = {
    "facts": ["province", "district", "report_year", "period_label", "kind", "unit", "indicator",
              {"array": "flags"}],
    "figures": ["kind", "unit", "indicator", "period_label", "measure", "source", {"array": "flags"}],
    "documents": ["province", "district", "report_year", "format", "text_source"],
    "failures": ["stage", "error"],
}

#: Canned queries: (name, title, description, SQL).
QUERIES: list[tuple[str, str, str, str]] = [
    ("money_per_province_year", "Money per province and year",
     "Sum of money facts per province, year and unit (one line on facts).",
     "select province, report_year, unit, sum(value) as total, count(*) as figures from facts "
     "where kind = 'money' group by province, report_year, unit order by province, report_year, unit"),
    ("money_mobilised_per_district_year", "Money mobilised per district and year",
     "Funds mobilised (indicator funds_mobilised) per district, year and unit, plan and actual apart.",
     "select province, district, report_year, measure, unit, sum(value) as total, count(*) as figures "
     "from facts where indicator = 'funds_mobilised' and kind = 'money' "
     "group by province, district, report_year, measure, unit order by province, district, report_year"),
    ("flagged_figures", "Flagged figures",
     "Figures carrying at least one flag (ambiguous separator, implausible, sum mismatch …); open one to see why.",
     "select f.id as figure_id, f.document, f.page, f.kind, f.raw, f.unit, f.flags, f.sentence from figures f "
     "where f.flags is not null and f.flags not in ('[]', 'null') order by f.document, f.char_start"),
    ("failed_documents", "Failed documents",
     "Documents that could not be read, with the stage, the error and what to do.",
     "select document, stage, error, message, at, run_id from failures order by at desc"),
]


def metadata_for(database: str, *, replica_of: str | None) -> dict[str, Any]:
    """Return Datasette metadata: titles, table and column descriptions, facets, canned queries."""
    tables: dict[str, Any] = {}
    for name, (desc, cols) in TABLES.items():
        t: dict[str, Any] = {"description": desc, "columns": cols}
        if name in FACETS:
            t["facets"] = FACETS[name]
        tables[name] = t
    tables["documents"]["label_column"] = "document"
    tables["reports"]["label_column"] = "title"
    # Internal plumbing of the full-text index: not worth a visitor's look.
    for hidden in ("figures_fts", "figures_fts_config", "figures_fts_data", "figures_fts_docsize",
                   "figures_fts_idx", "alembic_version", REPLICA_INFO):
        tables[hidden] = {"hidden": True}
    where = f" Served from a read-only replica of {replica_of}." if replica_of else ""
    return {
        "title": "solieu — figures stated in Vietnamese district reports",
        "description": "Figures with their page, sentence and box; facts for analysis; corrections. "
                       "Open a figure (its id or raw text) to see it on its page and correct it." + where,
        "databases": {database: {
            "tables": tables,
            "queries": {name: {"title": title, "description": desc, "sql": sql}
                        for name, title, desc, sql in QUERIES},
        }},
        "plugins": {"solieu": {"database": database}},
    }
