"""The Prefect ingest flow: discover -> per document: read -> recover text -> normalize -> extract -> load."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import opaque
from sqlalchemy.exc import OperationalError

from core.errors import SolieuError, UnsupportedFormat
from pipeline.discover import SUPPORTED, discover, sha256_file
from pipeline.extract import extract_stage
from pipeline.load import (
    LoadResult,
    document_status,
    load_document,
    open_db,
    record_failure,
    start_run,
)
from pipeline.model import Document, Extracted, RawDocument, Structure
from pipeline.normalize import normalize
from pipeline.ocr import recover_text
from pipeline.read import read_document
from pipeline.runs import (
    FigureDiff,
    FileStat,
    RunReport,
    StateUpdate,
    finish_report,
    load_states,
    save_states,
    verdict,
)
from pipeline.structure import find_structure

#: Called as (path, status) when a document is done; set by the CLI for its progress bar.
ProgressHook = Callable[[str, str], None]
_progress: ProgressHook | None = None
log = logging.getLogger("solieu")
T = TypeVar("T")


def set_progress_hook(hook: ProgressHook | None) -> None:
    """Install (or remove) the callback told about each finished document."""
    global _progress
    _progress = hook


def _opaque(value: T) -> T:
    """Hand a large value to a task without Prefect walking through it (typed as the value itself)."""
    return cast(T, opaque(value))


def _io_flake(_task: object, _run: object, state: object) -> bool:
    """Retry only errors that a second try can fix: I/O or a locked database, even when wrapped."""
    try:
        state.result()  # type: ignore[attr-defined]
    except Exception as exc:
        err: BaseException | None = exc
        while err is not None:
            if isinstance(err, OSError | OperationalError):
                return True
            err = err.__cause__
    return False


@task(name="read", retries=2, retry_delay_seconds=1, retry_condition_fn=_io_flake, cache_policy=NO_CACHE)
def read_task(path: str) -> RawDocument:
    """Read a file's text layer (network shares and USB disks can flake: retried)."""
    return read_document(path)


@task(name="recover-text", cache_policy=NO_CACHE)
def recover_task(raw: RawDocument, ocr: str, workers: int | None) -> RawDocument:
    """Triage pages, decode legacy fonts, OCR what has no usable text."""
    return recover_text(raw, ocr, workers=workers)


@task(name="normalize", cache_policy=NO_CACHE)
def normalize_task(raw: RawDocument) -> tuple[Document, Structure]:
    """Normalize the text and find the document's structure."""
    doc = normalize(raw)
    return doc, find_structure(doc)


@task(name="extract", cache_policy=NO_CACHE)
def extract_task(doc: Document, structure: Structure, raw: RawDocument) -> Extracted:
    """Extract figures, references and metadata."""
    return extract_stage(doc, structure, raw)


@task(name="load", retries=2, retry_delay_seconds=2, retry_condition_fn=_io_flake, cache_policy=NO_CACHE)
def load_task(ex: Extracted, db_url: str, run_id: int) -> LoadResult:
    """Write one document in one transaction (a locked database is retried)."""
    return load_document(open_db(db_url), ex, run_id=run_id)


@dataclass
class Outcome:
    """What happened to one document."""

    path: str
    status: str                     # "loaded" | "current" | "duplicate" | "failed"
    figures: int = 0
    pages: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    stage: str | None = None
    error: str | None = None
    message: str | None = None
    seconds: float = 0.0
    # for the run report and the file-state check of the next run
    sha256: str | None = None
    stat: FileStat | None = None
    permanent: bool = False           # failed in a way retrying the same bytes cannot fix
    not_retried: bool = False         # failed before with these very bytes; skipped until the file changes
    first_message: str | None = None  # not retried: the message of the failure it repeats
    replaced: bool = False            # loaded over an earlier version of the document
    diff: FigureDiff | None = None


def failure_message(exc: BaseException) -> tuple[str, str]:
    """Return (short error name, message a person can act on) for an exception."""
    if isinstance(exc, SolieuError):
        return exc.code, str(exc)
    if isinstance(exc, OSError):
        return type(exc).__name__, f"{exc}; check that the file is readable and the disk is available"
    return type(exc).__name__, (f"{type(exc).__name__}: {exc}. This is a bug in solieu: please report it "
                                "with the file; run with -v for the traceback")


def _record(db_url: str, **failure: Any) -> None:
    """Store a failure; if even that fails, say so in the log rather than stop the batch."""
    try:
        record_failure(open_db(db_url), **failure)
    except Exception:
        log.exception("could not record the failure of %s", failure.get("document"))


@task(name="ingest-document", cache_policy=NO_CACHE)
def ingest_document(path: str, sha: str, db_url: str, ocr: str, force: bool, run_id: int,
                    workers: int | None, stat: FileStat | None = None) -> Outcome:
    """Run every stage on one file; record a failure instead of raising."""
    t0 = time.perf_counter()
    stage = "read"
    try:
        engine = open_db(db_url)
        if not force and document_status(engine, path, sha) == "current":
            return Outcome(path, "current", seconds=time.perf_counter() - t0, sha256=sha, stat=stat)
        raw = read_task(path)
        stage = "ocr"
        # _opaque(): Prefect would otherwise walk every per-character box of these inputs looking for
        # futures, which cost ~20 s per document (measured with py-spy on the seed PDF).
        raw = recover_task(_opaque(raw), ocr, workers)
        stage = "normalize"
        doc, structure = normalize_task(_opaque(raw))
        stage = "extract"
        ex = extract_task(_opaque(doc), _opaque(structure), _opaque(raw))
        stage = "load"
        loaded = load_task(_opaque(ex), db_url, run_id)
    except Exception as exc:
        error, message = failure_message(exc)
        _record(db_url, document=path, sha256=sha, stage=stage, error=error, message=message, run_id=run_id)
        log.debug("failure in %s", path, exc_info=exc)
        return Outcome(path, "failed", stage=stage, error=error, message=message,
                       seconds=time.perf_counter() - t0, sha256=sha, stat=stat,
                       permanent=bool(getattr(exc, "permanent", False)))
    kinds: dict[str, int] = {}
    for f in ex.figures:
        kinds[f.kind] = kinds.get(f.kind, 0) + 1
    return Outcome(path, "loaded", figures=len(ex.figures), pages=len(doc.pages), kinds=kinds,
                   seconds=time.perf_counter() - t0, sha256=sha, stat=stat, replaced=loaded.replaced,
                   diff=loaded.diff)


@dataclass
class IngestSummary:
    """The result of one ingest run."""

    run_id: int
    outcomes: list[Outcome]
    passed_over: int
    seconds: float
    passed_over_files: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        """Count documents with the given status."""
        return sum(1 for o in self.outcomes if o.status == status)


@flow(name="ingest", log_prints=False, validate_parameters=False)
def ingest_flow(paths: list[str], db_url: str, ocr: str = "auto", force: bool = False,
                workers: int | None = None) -> IngestSummary:
    """Ingest every supported file under paths into the dataset at db_url."""
    t0 = time.perf_counter()
    found = discover(paths)
    engine = open_db(db_url)
    run_id = start_run(engine, [str(Path(p)) for p in paths])
    outcomes: list[Outcome] = []
    # A stat check (size, mtime, inode) against what each path was when last seen settles unchanged files
    # without reading them: a nightly run over a large unchanged archive costs seconds.
    states = {} if force else load_states(engine, found.files)

    def done(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if _progress:
            _progress(outcome.path, outcome.status)

    try:
        for path in found.unsupported:
            exc = UnsupportedFormat(f"{Path(path).suffix or 'no extension'} files are not read; solieu reads "
                                    f"{', '.join(SUPPORTED)}: save it in one of those formats (PDF for "
                                    "scans and slides) and ingest that")
            _record(db_url, document=path, sha256=None, stage="read", error=exc.code, message=str(exc),
                    run_id=run_id)
            done(Outcome(path, "failed", stage="read", error=exc.code, message=str(exc)))
        # The same bytes at two paths are one document: the first path is ingested, the others noted.
        first_of: dict[str, str] = {}
        todo: list[tuple[str, str, FileStat]] = []
        for path in found.files:
            try:
                stat = FileStat.of(path)      # before hashing: a file changing meanwhile is looked at again
                seen = verdict(states.get(path), stat)
                if seen == "current":
                    done(Outcome(path, "current"))   # no stat: its recorded state stays as it is
                    continue
                sha = sha256_file(path)
                known = states.get(path)
                if seen == "not-retried" or (known is not None and known.sha256 == sha and verdict(
                        known, known.stat) == "not-retried"):
                    assert known is not None
                    # a stat given (the file was touched, same bytes) updates its recorded state
                    done(Outcome(path, "failed", stage="read", error=known.error, sha256=sha,
                                 stat=None if seen == "not-retried" else stat,
                                 permanent=True, not_retried=True, first_message=known.message,
                                 message=f"not retried: unchanged since it failed in run {known.run_id}: "
                                         f"{known.message} (change or replace the file to try again)"))
                    continue
            except OSError as err:
                error, message = failure_message(err)
                _record(db_url, document=path, sha256=None, stage="read", error=error, message=message,
                        run_id=run_id)
                done(Outcome(path, "failed", stage="read", error=error, message=message))
                continue
            if sha in first_of:
                done(Outcome(path, "duplicate", message=f"same bytes as {first_of[sha]}"))
                continue
            first_of[sha] = path
            todo.append((path, sha, stat))
        futures = {ingest_document.submit(p, sha, db_url, ocr, force, run_id, workers, stat): p
                   for p, sha, stat in todo}
        for fut in as_completed(list(futures)):
            try:
                done(fut.result())
            except Exception as exc:  # the task itself broke (not a stage): still one file, not the batch
                error, message = failure_message(exc)
                done(Outcome(futures[fut], "failed", stage="flow", error=error, message=message))
    finally:
        order = {p: i for i, p in enumerate(found.unsupported + found.files)}
        outcomes.sort(key=lambda o: order.get(o.path, len(order)))
        summary = IngestSummary(run_id, outcomes, found.passed_over, time.perf_counter() - t0,
                                found.passed_over_files)
        record_run(engine, run_id, outcomes, summary.seconds)
    return summary


def run_ingest(paths: list[str], db_url: str, *, ocr: str = "auto", force: bool = False,
               workers: int | None = None) -> IngestSummary:
    """Run the ingest flow with a thread pool of `workers` documents at a time."""
    runner: Any = ThreadPoolTaskRunner(max_workers=max(1, workers or 2))
    result: IngestSummary = ingest_flow.with_options(task_runner=runner)(paths, db_url, ocr, force, workers)
    return result


def record_run(engine: Any, run_id: int, outcomes: list[Outcome], seconds: float) -> RunReport:
    """Write the run report and each file's state (so the next run's stat check can skip it)."""
    report = RunReport()
    updates: list[StateUpdate] = []
    for o in outcomes:
        if o.status == "loaded":
            if o.replaced:
                report.docs_updated += 1
            else:
                report.docs_added += 1
            if o.diff is not None:
                report.figures_added += o.diff.added
                report.figures_removed += o.diff.removed
                report.figures_changed += o.diff.changed
        elif o.status in ("current", "duplicate"):
            report.docs_unchanged += 1
        elif o.not_retried:
            report.docs_not_retried += 1
        else:
            report.docs_failed += 1
        if o.stat is not None and o.sha256 is not None and o.status in ("loaded", "current", "failed"):
            updates.append(StateUpdate(o.path, o.stat, o.sha256, "failed" if o.status == "failed" else "loaded",
                                       permanent=o.permanent, error=o.error,
                                       message=o.first_message if o.not_retried else o.message))
    try:
        save_states(engine, updates, run_id)
    except Exception:   # the report matters more than the shortcut: the next run just hashes again
        log.exception("could not record file states for run %s", run_id)
    finish_report(engine, run_id, report, seconds=seconds)
    return report
