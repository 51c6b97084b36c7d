"""Load stage: open (and migrate) the dataset, load one document in one transaction, record failures."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, delete, event, insert, inspect, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
    ProgrammingError,
    SQLAlchemyError,
)

from core.config import PIPELINE_VERSION
from core.errors import DatabaseError, DatabaseURLError
from extractors.model import EXTRACTOR_VERSION
from pipeline.model import Extracted
from pipeline.reports import after_load
from pipeline.runs import OLD_COLUMNS, FigureDiff, diff_figures, record_changes
from pipeline.schema import (
    SCHEMA_REVISION,
    documents,
    failures,
    figures,
    ingest_runs,
    metadata,
    pages,
    references,
    table_cells,
    texts,
)

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
_ENGINES: dict[tuple[str, bool], Engine] = {}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets readers (query, serve, export) work while an ingest writes.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_readonly(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA query_only=ON")
    cur.close()


def safe_url(url: str) -> str:
    """Return url with any password masked, for messages and summaries."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def make_engine(url: str, *, readonly: bool = False) -> Engine:
    """Create an engine for url; SQLite files get WAL, foreign keys and a busy timeout."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseURLError(
            f"'{url}' is not a database URL; use e.g. sqlite:///data/solieu.db or "
            "postgresql+psycopg://user@host/dbname"
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:":
            path = Path(db)
            if readonly and not path.exists():
                raise DatabaseError(f"no dataset at {path}; run `solieu ingest PATH --db {safe_url(url)}` first")
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        if readonly:
            event.listen(engine, "connect", _sqlite_readonly)
        return engine
    try:
        if parsed.get_backend_name() == "postgresql":
            opts = {"options": "-c default_transaction_read_only=on"} if readonly else {}
            return create_engine(url, connect_args=opts, pool_pre_ping=True)
        return create_engine(url)
    except (NoSuchModuleError, ImportError) as exc:
        raise DatabaseURLError(f"'{safe_url(url)}' is not a database URL solieu can open ({exc}); use e.g. "
                            "sqlite:///data/solieu.db or postgresql+psycopg://user@host/dbname") from exc


def _alembic_config(connection: Any) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def create_newest(conn: Any) -> None:
    """Create an empty dataset at the newest revision in one step: tables, views, the alembic revision mark."""
    # Replaying every migration on a new file costs ~0.3 s (alembic's import and a table rebuild per
    # batch_alter_table); tests/test_load.py checks that both ways give one schema.
    from pipeline.migrations.views import NEWEST_VIEWS

    metadata.create_all(conn)
    for sql in NEWEST_VIEWS:
        conn.exec_driver_sql(sql)
    conn.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                         "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))")
    conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": SCHEMA_REVISION})


def _schema_revision(conn: Any) -> str | None:
    """Return the dataset's alembic revision, or None for an empty database (read without importing alembic)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    return None if row is None else str(row[0])


_OPEN_ATTEMPTS = 5     # a new SQLite dataset raced by other processes: waits of 0.5 + 1 + 1.5 + 2 s at most


def open_db(url: str, *, readonly: bool = False) -> Engine:
    """Return an engine on an up-to-date dataset (migrating it unless readonly); cached per URL."""
    key = (url, readonly)
    if key in _ENGINES:
        return _ENGINES[key]
    engine = make_engine(url, readonly=readonly)
    for attempt in range(_OPEN_ATTEMPTS):
        try:
            with engine.begin() as conn:
                current = _schema_revision(conn)
                if readonly:
                    if current is None:
                        raise DatabaseError(f"{safe_url(url)} holds no solieu dataset; run `solieu ingest PATH` "
                                            "first")
                elif current is None and engine.dialect.name == "sqlite" and not inspect(conn).get_table_names():
                    # One write transaction for all of it (pysqlite would run each CREATE on its own): a racing
                    # process waits here, then finds the dataset whole; a crash leaves the file empty.
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                    if not inspect(conn).get_table_names():
                        create_newest(conn)
                elif current != SCHEMA_REVISION:
                    from alembic import command  # only when there is something to migrate: ~0.3 s to import

                    command.upgrade(_alembic_config(conn), "head")
            break
        except (OperationalError, ProgrammingError, IntegrityError, DBAPIError) as exc:
            # Two processes creating one new dataset: the loser sees "already exists", or "database is locked"
            # when its connection's WAL switch or BEGIN IMMEDIATE meets the winner's write; look again.
            if ("already exists" in str(exc.orig) or "database is locked" in str(exc.orig)) \
                    and attempt < _OPEN_ATTEMPTS - 1:
                engine.dispose()
                time.sleep(0.5 * (attempt + 1))
                continue
            hint = ("check the path, that its folder exists and is writable, and that the file is a SQLite database"
                    if engine.dialect.name == "sqlite" else "check the URL and that the server is running")
            raise DatabaseError(f"cannot open the dataset at {safe_url(url)}: {exc.orig}; {hint}") from exc
    _ENGINES[key] = engine
    return engine


def checkpoint(url: str) -> None:
    """Fold a SQLite dataset's write-ahead log into the main file (no-op elsewhere)."""
    engine = _ENGINES.get((url, False))
    if engine is not None and engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def dispose_all() -> None:
    """Close every cached engine (tests, end of a CLI command)."""
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()


def document_status(engine: Engine, path: str, sha256: str) -> str:
    """Say whether path/sha256 is 'current', 'stale' (older rules), 'changed' (path has new bytes) or 'new'."""
    with engine.connect() as conn:
        row = conn.execute(
            select(documents.c.pipeline_version, documents.c.extractor_version).where(documents.c.sha256 == sha256)
        ).first()
        if row is not None:
            fresh = row.pipeline_version == PIPELINE_VERSION and row.extractor_version == EXTRACTOR_VERSION
            return "current" if fresh else "stale"
        other = conn.execute(select(documents.c.id).where(documents.c.document == path)).first()
        return "changed" if other is not None else "new"


def start_run(engine: Engine, paths: list[str]) -> int:
    """Record the start of an ingest run (and the process running it) and return its id."""
    with engine.begin() as conn:
        res = conn.execute(insert(ingest_runs).values(
            started_at=_now(), paths=paths, pipeline_version=PIPELINE_VERSION, status="running",
            documents_seen=0, loaded=0, skipped=0, failed=0, host=socket.gethostname(), pid=os.getpid(),
        ))
        return int(res.inserted_primary_key[0])  # type: ignore[index]


def process_alive(pid: int, started: dt.datetime | None = None) -> bool:
    """Say whether process pid is alive on this host (and, where /proc tells, began before `started`)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass                                 # alive, another user's
    if started is None:
        return True
    try:
        # field 22 of /proc/PID/stat: start time in clock ticks after boot; a later start is a reused pid
        ticks = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
        boot = next(float(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime "))
    except (OSError, ValueError, IndexError, StopIteration):
        return True
    began = boot + ticks / os.sysconf("SC_CLK_TCK")
    when = started if started.tzinfo else started.replace(tzinfo=dt.UTC)
    return began <= when.timestamp() + 2.0


def close_interrupted_runs(engine: Engine) -> list[int]:
    """Mark "interrupted" the runs still "running" whose process on this host is gone; return their ids."""
    host = socket.gethostname()
    with engine.begin() as conn:
        rows = conn.execute(select(ingest_runs.c.id, ingest_runs.c.host, ingest_runs.c.pid,
                                   ingest_runs.c.started_at).where(ingest_runs.c.status == "running")).all()
        # Runs from before the owner was recorded (no pid) cannot still be running beside this version.
        dead = [r.id for r in rows
                if r.pid is None or (r.host == host and not process_alive(int(r.pid), r.started_at))]
        if dead:
            conn.execute(update(ingest_runs).where(ingest_runs.c.id.in_(dead))
                         .where(ingest_runs.c.status == "running")
                         .values(status="interrupted", finished_at=_now()))
    for run_id in dead:
        log.warning("ingest run %s was left running by a process that is gone: marked interrupted", run_id)
    return dead


def finish_run(engine: Engine, run_id: int, *, seen: int, loaded: int, skipped: int, failed: int) -> None:
    """Record the end of an ingest run with its counts."""
    status = "ok" if failed == 0 else "partial"
    with engine.begin() as conn:
        conn.execute(update(ingest_runs).where(ingest_runs.c.id == run_id).values(
            finished_at=_now(), documents_seen=seen, loaded=loaded, skipped=skipped, failed=failed,
            status=status,
        ))


def record_failure(engine: Engine, *, document: str, sha256: str | None, stage: str, error: str,
                   message: str, run_id: int | None) -> None:
    """Store one failure so that a person can act on it."""
    with engine.begin() as conn:
        conn.execute(insert(failures).values(
            document=document, sha256=sha256, stage=stage, error=error, message=message, at=_now(),
            run_id=run_id,
        ))


@dataclass
class LoadResult:
    """What loading one document did."""

    document_id: int
    figures: int
    references: int
    replaced: bool
    diff: FigureDiff = field(default_factory=FigureDiff)   # against the version replaced (all added when new)


def _figure_id(sha256: str, index: int) -> str:
    # Stable across re-ingests of the same bytes with the same rules: content hash + position.
    return f"{sha256[:16]}-{index:05d}"


def load_document(engine: Engine, ex: Extracted, *, run_id: int | None = None, keep: dict[str, Any] | None = None,
                  pages: list[dict[str, Any]] | None = None) -> LoadResult:
    """Replace whatever the dataset holds for this file (same bytes or same path) with ex, atomically.

    keep: document columns to write as given (re-extraction keeps the pipeline version that read the text);
    pages: page rows to write as given instead of ex's pages (re-extraction has no page texts).

    Two runs loading the same new file at once: the second one's insert meets the first one's row (unique
    sha256); it then loads again over it, so both succeed and the dataset holds one copy.
    """
    for attempt in range(_OPEN_ATTEMPTS):
        try:
            return _load_document(engine, ex, run_id=run_id, keep=keep, page_rows=pages)
        except IntegrityError as exc:
            # only a unique key met (the same file loaded by another run) is a race worth another try
            race = any(w in str(exc.orig).lower() for w in ("unique", "duplicate key"))
            if attempt == 2 or not race:
                raise DatabaseError(f"could not write {ex.document.path} to the dataset: {type(exc).__name__}: "
                                    f"{str(exc).splitlines()[0]}; nothing of it was written, re-run the ingest"
                                    ) from exc
            log.info("%s was loaded by another run meanwhile; loading again over it", ex.document.path)
            time.sleep(0.1 * (attempt + 1))
    raise AssertionError("unreachable")


def _load_document(engine: Engine, ex: Extracted, *, run_id: int | None = None, keep: dict[str, Any] | None = None,
                   page_rows: list[dict[str, Any]] | None = None) -> LoadResult:
    doc = ex.document
    md = ex.metadata
    try:
        with engine.begin() as conn:
            old = conn.execute(
                select(documents.c.id).where(
                    (documents.c.sha256 == doc.sha256) | (documents.c.document == doc.path)
                )
            ).scalars().all()
            diff = FigureDiff(added=len(ex.figures))
            if old:
                before = conn.execute(select(*[figures.c[c] for c in OLD_COLUMNS])
                                      .where(figures.c.document_id.in_(old))).all()
                diff = diff_figures(doc.path, before, ex.figures)
                record_changes(conn, diff, run_id)
            for old_id in old:
                for tbl in (figures, references, table_cells, pages, texts):
                    conn.execute(delete(tbl).where(tbl.c.document_id == old_id))
                conn.execute(delete(documents).where(documents.c.id == old_id))
            doc_id = int(conn.execute(insert(documents).values(
                document=doc.path, sha256=doc.sha256, format=doc.source_format or doc.format, pages=len(doc.pages),
                text_source=doc.text_source, doc_number=md.doc_number, doc_type=md.doc_type,
                issuer=md.issuer, district=md.district, province=md.province, report_year=md.report_year,
                issued_date=md.issued_date, signer=md.signer, signer_title=md.signer_title, title=md.title,
                pipeline_version=PIPELINE_VERSION, extractor_version=ex.extractor_version,
                ingested_at=_now(), run_id=run_id, warnings=doc.warnings or None,
            ).values(**(keep or {}))).inserted_primary_key[0])  # type: ignore[index]
            conn.execute(insert(texts).values(document_id=doc_id, text=doc.text))
            # the file is loaded now: failures recorded for it earlier (a race, a fixed bug) no longer hold
            conn.execute(delete(failures).where((failures.c.sha256 == doc.sha256)
                                                | (failures.c.document == doc.path)))
            if page_rows is not None:
                if page_rows:
                    conn.execute(insert(pages), [{**r, "document_id": doc_id} for r in page_rows])
            elif doc.pages:
                conn.execute(insert(pages), [
                    {
                        "document_id": doc_id, "page": p.number, "source": p.source, "triage": p.triage,
                        "triage_reason": p.triage_reason, "chars": len(p.text),
                        "ocr_confidence": _mean_conf(p.confidences),
                    }
                    for p in doc.pages
                ])
            ids = [_figure_id(doc.sha256, i) for i in range(len(ex.figures))]
            if ex.figures:
                conn.execute(insert(figures), [
                    {
                        "id": ids[i], "document_id": doc_id, "document": doc.path, "sha256": doc.sha256,
                        "page": f.page, "kind": f.kind, "value": f.value,
                        "value_exact": None if f.value is None else str(f.value),
                        "min": f.min, "max": f.max, "denominator": f.denominator, "unit": f.unit,
                        "per": f.per, "qualifier": f.qualifier, "subject": f.subject, "place": f.place,
                        "section": f.section, "domain": f.domain, "raw": f.raw, "sentence": f.sentence,
                        "char_start": f.char_start, "char_end": f.char_end,
                        "bbox": list(f.bbox) if f.bbox else None, "source": f.source,
                        "confidence": f.confidence, "flags": list(f.flags),
                        "part_of": ids[f.part_of] if f.part_of is not None else None,
                        "alt_value": f.alt_value, "table_id": f.table_id, "row": f.row, "column": f.column,
                        "restates": ids[ex.restates[i]] if i in ex.restates else None,
                        "extractor_version": f.extractor_version,
                    }
                    for i, f in enumerate(ex.figures)
                ])
            if ex.references:
                conn.execute(insert(references), [
                    {
                        "document_id": doc_id, "document": doc.path, "number": r.number, "type": r.type,
                        "date": r.date, "issuer": r.issuer, "raw": r.raw, "page": r.page,
                        "char_start": r.char_start, "char_end": r.char_end, "in_footnote": r.in_footnote,
                    }
                    for r in ex.references
                ])
            if ex.cells:
                cell_cols = set(table_cells.c.keys())
                conn.execute(insert(table_cells), [
                    {"document_id": doc_id, "document": doc.path, **{k: v for k, v in cell.items() if k in cell_cols}}
                    for cell in ex.cells
                ])
            # Reports, periods, indicators, corrections (issue 9): in the same transaction as the load.
            after_load(conn, doc_id, ex, ids)
    except IntegrityError:
        raise
    except SQLAlchemyError as exc:
        raise DatabaseError(f"could not write {doc.path} to the dataset: {exc.__class__.__name__}: "
                            f"{str(exc).splitlines()[0]}; nothing of it was written, re-run the ingest") from exc
    return LoadResult(document_id=doc_id, figures=len(ex.figures), references=len(ex.references),
                      replaced=bool(old), diff=diff)


def _mean_conf(confs: list[float | None] | None) -> float | None:
    if not confs:
        return None
    vals = [c for c in confs if c is not None]
    return sum(vals) / len(vals) if vals else None
