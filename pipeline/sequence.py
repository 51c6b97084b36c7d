"""The one sequencer: discovery, same-bytes dedup, skipping, each document's stages in order, failures, loading.

The stages are plain functions over a `Work` record; how they run (threads, Prefect tasks, later Dask) is the
executor's business, passed in by the caller (as OCRmyPDF keeps its stages apart from its sequencing).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlalchemy.exc import OperationalError

from core.errors import SolieuError, UnsupportedFormat
from pipeline.discover import discover, sha256_file, unsupported_message
from pipeline.load import (
    LoadResult,
    close_interrupted_runs,
    document_status,
    load_document,
    open_db,
    record_failure,
    start_run,
)
from pipeline.model import Document, Extracted, RawDocument, Structure
from pipeline.normalize import normalize
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

if TYPE_CHECKING:
    from pipeline.tables import TableSpan

log = logging.getLogger("solieu")
T = TypeVar("T")
R = TypeVar("R")

#: Called as (path, status) when a document is done (the CLI's progress bar).
ProgressHook = Callable[[str, str], None]


# --------------------------------------------------------------------------- what moves through the stages


@dataclass
class Options:
    """How one run treats its documents."""

    db_url: str | None = None        # None: process only (no skipping, no loading)
    ocr: str = "auto"
    force: bool = False
    workers: int | None = None
    run_id: int | None = None


@dataclass
class Work:
    """One document on its way through the stages; each stage fills in one field."""

    path: str
    sha256: str | None = None
    raw: RawDocument | None = None
    doc: Document | None = None
    structure: Structure | None = None
    spans: list[TableSpan] | None = None
    extracted: Extracted | None = None
    loaded: LoadResult | None = None

    def close(self) -> None:
        """Release what the document holds open (its PDF handle)."""
        if self.raw is not None:
            self.raw.close()


def _need(value: T | None, what: str) -> T:
    if value is None:
        raise RuntimeError(f"stage order broken: {what} is missing")  # a bug in STAGES, not in the file
    return value


def read_stage(w: Work, o: Options) -> None:
    """Read the file's text layer, keeping a PDF open for the later stages."""
    w.raw = read_document(w.path, keep_open=True)


def recover_stage(w: Work, o: Options) -> None:
    """Triage pages, decode legacy fonts, OCR the pages without usable text."""
    # numpy and PIL: imported when a document gets here, not at start-up
    from pipeline.ocr import recover_text

    w.raw = recover_text(_need(w.raw, "raw"), o.ocr, workers=o.workers)


def normalize_stage(w: Work, o: Options) -> None:
    """Normalize the text into one body mapped back to pages."""
    w.doc = normalize(_need(w.raw, "raw"))


def structure_stage(w: Work, o: Options) -> None:
    """Find headings, footnotes and other blocks."""
    w.structure = find_structure(_need(w.doc, "doc"))


def find_tables_stage(w: Work, o: Options) -> None:
    """Find the tables and mark their cells in the structure."""
    from pipeline.extract import tables_stage
    w.spans = tables_stage(_need(w.doc, "doc"), _need(w.structure, "structure"), _need(w.raw, "raw"))
    w.close()   # tables are the last stage that reads the PDF itself


def extract_figures_stage(w: Work, o: Options) -> None:
    """Extract figures (prose and tables), references and metadata."""
    from pipeline.extract import extract_stage
    w.extracted = extract_stage(_need(w.doc, "doc"), _need(w.structure, "structure"), _need(w.raw, "raw"),
                                spans=_need(w.spans, "spans"))


def load_stage(w: Work, o: Options) -> None:
    """Write the document in one transaction, replacing what the dataset held for it."""
    w.loaded = load_document(open_db(_need(o.db_url, "db_url")), _need(w.extracted, "extracted"), run_id=o.run_id)


@dataclass(frozen=True)
class Stage:
    """One step of a document's processing."""

    name: str                                  # recorded as failures.stage when it fails
    task: str                                  # the Prefect task name (kept stable for run histories)
    run: Callable[[Work, Options], None]
    retry_io: bool = False                     # network shares and locked databases flake: retry those


#: Every document goes through these, in this order.
STAGES: tuple[Stage, ...] = (
    Stage("read", "read", read_stage, retry_io=True),
    Stage("ocr", "recover-text", recover_stage),
    Stage("normalize", "normalize", normalize_stage),
    Stage("structure", "structure", structure_stage),
    Stage("tables", "tables", find_tables_stage),
    Stage("extract", "extract", extract_figures_stage),
    Stage("load", "load", load_stage, retry_io=True),
)
#: The stages that need no database (process_file: gold tests, benchmarks, library use).
PROCESS_STAGES: tuple[Stage, ...] = tuple(s for s in STAGES if s.name != "load")


def io_flake(exc: BaseException) -> bool:
    """Say whether a second try can fix exc: I/O or a locked database, even when wrapped."""
    err: BaseException | None = exc
    while err is not None:
        if isinstance(err, OSError | OperationalError):
            return True
        err = err.__cause__
    return False


# --------------------------------------------------------------------------- executors


class Executor(Protocol):
    """Runs the documents of a batch (maybe at once) and each stage of a document."""

    def map(self, fn: Callable[[T], R], items: list[T]) -> Iterator[tuple[T, R | BaseException]]:
        """Run fn on every item; yield (item, result or the exception it raised) as each finishes."""
        ...

    def run_stage(self, stage: Stage, work: Work, options: Options) -> None:
        """Run one stage of one document (retrying it if it may flake)."""
        ...


class LocalExecutor:
    """Documents on a thread pool, stages called directly: no orchestration (library use, benchmarks)."""

    def __init__(self, workers: int = 1, *, retries: int = 2, retry_delay: float = 1.0) -> None:
        self.workers = max(1, workers)
        self.retries = retries
        self.retry_delay = retry_delay

    def map(self, fn: Callable[[T], R], items: list[T]) -> Iterator[tuple[T, R | BaseException]]:
        """Run fn over items on up to `workers` threads, yielding results as they finish."""
        if self.workers == 1:
            for item in items:
                try:
                    yield item, fn(item)
                except Exception as exc:
                    yield item, exc
            return
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            futures = {pool.submit(fn, item): item for item in items}
            for fut in as_completed(futures):
                err = fut.exception()
                yield futures[fut], err if err is not None else fut.result()

    def run_stage(self, stage: Stage, work: Work, options: Options) -> None:
        """Call the stage, retrying I/O flakes of stages marked retry_io."""
        for attempt in range(self.retries + 1):
            try:
                stage.run(work, options)
                return
            except Exception as exc:
                if not (stage.retry_io and attempt < self.retries and io_flake(exc)):
                    raise
                time.sleep(self.retry_delay)


# --------------------------------------------------------------------------- one document


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


def run_stages(work: Work, options: Options, executor: Executor,
               stages: tuple[Stage, ...] = STAGES) -> None:
    """Run stages on one document in order, raising StageFailed (naming the stage) on the first error."""
    try:
        for stage in stages:
            try:
                executor.run_stage(stage, work, options)
            except Exception as exc:
                raise StageFailed(stage.name, exc) from exc
    finally:
        work.close()


class StageFailed(Exception):
    """A stage of one document raised; carries the stage's name and the original error."""

    def __init__(self, stage: str, error: BaseException) -> None:
        super().__init__(f"{stage}: {error}")
        self.stage = stage
        self.error = error


def ingest_one(job: tuple[str, str, FileStat | None], options: Options, executor: Executor) -> Outcome:
    """Skip a current document, else run every stage on it; record a failure instead of raising."""
    path, sha, stat = job
    db_url = _need(options.db_url, "db_url")
    t0 = time.perf_counter()
    work = Work(path, sha)
    try:
        if not options.force and document_status(open_db(db_url), path, sha) == "current":
            return Outcome(path, "current", seconds=time.perf_counter() - t0, sha256=sha, stat=stat)
        run_stages(work, options, executor)
    except Exception as exc:
        stage, err = (exc.stage, exc.error) if isinstance(exc, StageFailed) else ("read", exc)
        error, message = failure_message(err)
        _record(db_url, document=path, sha256=sha, stage=stage, error=error, message=message,
                run_id=options.run_id)
        log.debug("failure in %s", path, exc_info=err)
        return Outcome(path, "failed", stage=stage, error=error, message=message,
                       seconds=time.perf_counter() - t0, sha256=sha, stat=stat,
                       permanent=bool(getattr(err, "permanent", False)))
    ex = _need(work.extracted, "extracted")
    kinds: dict[str, int] = {}
    for f in ex.figures:
        kinds[f.kind] = kinds.get(f.kind, 0) + 1
    loaded = work.loaded
    return Outcome(path, "loaded", figures=len(ex.figures), pages=len(ex.document.pages), kinds=kinds,
                   seconds=time.perf_counter() - t0, sha256=sha, stat=stat,
                   replaced=bool(loaded and loaded.replaced), diff=loaded.diff if loaded else None)


def process(path: str | Path, executor: Executor | None = None, *, ocr: str = "auto",
            workers: int | None = None) -> Extracted:
    """Run every stage but load on one file and return what load would write (errors raise)."""
    work = Work(str(path))
    try:
        run_stages(work, Options(ocr=ocr, workers=workers), executor or LocalExecutor(),
                   stages=PROCESS_STAGES)
    except StageFailed as exc:
        raise exc.error from exc
    return _need(work.extracted, "extracted")


# --------------------------------------------------------------------------- a batch


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


def ingest(paths: list[str], db_url: str, executor: Executor, *, ocr: str = "auto", force: bool = False,
           workers: int | None = None, progress: ProgressHook | None = None) -> IngestSummary:
    """Ingest every supported file under paths into the dataset at db_url, one executor task per document."""
    t0 = time.perf_counter()
    found = discover(paths)
    engine = open_db(db_url)
    close_interrupted_runs(engine)
    run_id = start_run(engine, [str(Path(p)) for p in paths])
    options = Options(db_url=db_url, ocr=ocr, force=force, workers=workers, run_id=run_id)
    outcomes: list[Outcome] = []
    # A stat check (size, mtime, inode) against what each path was when last seen settles unchanged files
    # without reading them: a nightly run over a large unchanged archive costs seconds.
    states = {} if force else load_states(engine, found.files)

    def done(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if progress:
            progress(outcome.path, outcome.status)

    def failed(path: str, exc: BaseException, stage: str = "read", record: bool = True) -> None:
        error, message = failure_message(exc)
        if record:
            _record(db_url, document=path, sha256=None, stage=stage, error=error, message=message, run_id=run_id)
        done(Outcome(path, "failed", stage=stage, error=error, message=message))

    try:
        for path in found.unsupported:
            failed(path, UnsupportedFormat(unsupported_message(path)))
        # The same bytes at two paths are one document: the first path is ingested, the others noted.
        first_of: dict[str, str] = {}
        todo: list[tuple[str, str, FileStat | None]] = []
        for path in found.files:
            try:
                stat = FileStat.of(path)      # before hashing: a file changing meanwhile is looked at again
                seen = verdict(states.get(path), stat)
                if seen == "current":
                    done(Outcome(path, "current"))   # no stat: its recorded state stays as it is
                    continue
                sha = sha256_file(path)
            except OSError as err:
                failed(path, err)
                continue
            known = states.get(path)
            if seen == "not-retried" or (known is not None and known.sha256 == sha
                                         and verdict(known, known.stat) == "not-retried"):
                assert known is not None
                # a stat given (the file was touched, same bytes) updates its recorded state
                done(Outcome(path, "failed", stage="read", error=known.error, sha256=sha,
                             stat=None if seen == "not-retried" else stat,
                             permanent=True, not_retried=True, first_message=known.message,
                             message=f"not retried: unchanged since it failed in run {known.run_id}: "
                                     f"{known.message} (change or replace the file to try again)"))
                continue
            if sha in first_of:
                done(Outcome(path, "duplicate", message=f"same bytes as {first_of[sha]}"))
                continue
            first_of[sha] = path
            todo.append((path, sha, stat))
        for (path, _sha, _stat), result in executor.map(partial(ingest_one, options=options, executor=executor), todo):
            if isinstance(result, BaseException):
                # the document's task itself broke (not a stage): still one file, not the batch
                failed(path, result, stage="flow", record=False)
            else:
                done(result)
    finally:
        order = {p: i for i, p in enumerate(found.unsupported + found.files)}
        outcomes.sort(key=lambda o: order.get(o.path, len(order)))
        summary = IngestSummary(run_id, outcomes, found.passed_over, time.perf_counter() - t0,
                                found.passed_over_files)
        record_run(engine, run_id, outcomes, summary.seconds)
    return summary


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
