"""The `solieu` command line: ingest, export, query, eval, serve."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from core.config import db_url, prepare_prefect_env
from core.errors import ReadOnlyViolation, SolieuError, UsageError

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("solieu")
#: Set by a command after whose end only the interpreter's teardown is left (see run).
_exit_quickly = False


def _db_option(f: F) -> F:
    return click.option("--db", "db", default=None, metavar="URL",
                        help="SQLAlchemy URL (default: $SOLIEU_DB, else sqlite:///data/solieu.db).")(f)


class _Context:
    verbose: bool = False


def _fail(exc: BaseException, verbose: bool) -> None:
    if isinstance(exc, SolieuError):
        click.echo(f"error: {exc}", err=True)
        if verbose:
            raise exc
        sys.exit(exc.exit_code)
    if verbose:
        raise exc
    click.echo(f"error: unexpected {type(exc).__name__}: {exc} (run with -v for the traceback)", err=True)
    sys.exit(1)


class SolieuGroup(click.Group):
    """A group that turns solieu errors into messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; map errors to exit codes (2 usage, 1 failure)."""
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except BrokenPipeError:
            # `solieu export … | head`: the reader has what it wanted.
            sys.stderr.close()
            os._exit(0)
        except Exception as exc:
            _fail(exc, bool(ctx.obj and ctx.obj.verbose))


@click.group(cls=SolieuGroup)
@click.option("-v", "--verbose", is_flag=True, help="Show debug logs and tracebacks.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """Turn Vietnamese district reports into a queryable dataset of the figures they state."""
    ctx.obj = _Context()
    ctx.obj.verbose = verbose
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s %(message)s")
    if not verbose:
        # A failed document is reported once, by solieu, with what to do; Prefect's own task-state lines
        # ("Finished in state Failed") would repeat it as noise for operators.
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
        os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
        # Dask's scheduler and workers log every start and stop at INFO (workers inherit this too).
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
        # Prefect's in-process server may log connection resets while it shuts down: not ours to show.
        for name in ("sqlalchemy", "asyncio", "uvicorn", "httpx"):
            logging.getLogger(name).setLevel(logging.CRITICAL)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@_db_option
@click.option("--ocr", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="OCR pages with no usable text (auto), every PDF page (always), or none (never).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Documents processed at once (default 2); OCR'd pages share the machine's cores.")
@click.option("--force", is_flag=True, help="Re-ingest documents even when already current.")
@click.option("--summary/--no-summary", default=True, help="Print a summary at the end.")
@click.option("--runner", type=click.Choice(["threads", "dask"]), default="threads", show_default=True,
              help="Run documents on threads of this process, or on Dask workers (a local cluster of "
                   "--workers processes unless --dask-address is given).")
@click.option("--dask-address", default=None, metavar="tcp://HOST:PORT",
              help="Dask scheduler to send documents to (with --runner dask); its workers need solieu installed "
                   "and PREFECT_API_URL set.")
def ingest(paths: tuple[str, ...], db: str | None, ocr: str, workers: int | None, force: bool,
           summary: bool, runner: str, dask_address: str | None) -> None:
    """Ingest files and folders (recursive): .pdf, .docx, .txt, .md, .doc, .rtf, .odt, .xls(x), .ods, .html."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from pipeline import discover as discover_mod
    from pipeline.discover import discover

    url = db_url(db)
    if dask_address and runner != "dask":
        raise UsageError("--dask-address needs --runner dask")
    # a missing path is one failure, recorded; the other paths are still ingested (exit 1 at the end)
    found = discover(list(paths), missing="collect")
    total = len(found.files) + len(found.unsupported)
    if total == 0 and not found.missing:
        raise UsageError(f"no {', '.join(discover_mod.SUPPORTED)} files under {' '.join(paths)}")
    if total == 0 and len(found.missing) == len(paths):
        raise UsageError(f"{', '.join(found.missing)}: no such file or folder; check the path")
    from pipeline.load import checkpoint, open_db, record_failure

    engine = open_db(url)  # fail fast (clear message) when the database cannot be opened
    for gone in found.missing:
        record_failure(engine, document=gone, sha256=None, stage="discover", error="UnreadableDocument",
                       message=f"{gone}: no such file or folder; check the path", run_id=None)
    paths = tuple(p for p in paths if p not in found.missing)
    t0 = time.perf_counter()
    if not force and not found.unsupported and _all_current(engine, found.files):
        # Nothing to do: skip starting Prefect (its local server costs seconds per run); the run is still
        # recorded, as unchanged documents. (flows.ingest is not imported: importing Prefect alone takes seconds.)
        from pipeline.load import start_run
        from pipeline.runs import RunReport, finish_report
        from pipeline.sequence import IngestSummary, Outcome

        run_id = start_run(engine, [str(Path(p)) for p in paths])
        seconds = time.perf_counter() - t0
        finish_report(engine, run_id, RunReport(docs_unchanged=len(found.files)), seconds=seconds)
        if summary:
            _print_summary(IngestSummary(run_id, [Outcome(p, "current") for p in found.files], found.passed_over,
                                         seconds, found.passed_over_files), url, found)
        if found.missing:
            sys.exit(1)
        return
    prepare_prefect_env()
    from solieu.prefect_server import prefect_api

    global _exit_quickly
    _exit_quickly = True
    own_server = not os.environ.get("PREFECT_API_URL")
    # The server is chosen before Prefect is imported: Prefect reads PREFECT_API_URL once, at import.
    with prefect_api(Path(os.environ["PREFECT_HOME"])), \
            Progress(TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                     TextColumn("{task.description}"), transient=True, disable=not sys.stderr.isatty(),
                     console=None) as progress:
        from flows.ingest import dask_task_runner, run_ingest, set_progress_hook

        bar = progress.add_task("", total=total)

        def hook(path: str, status: str) -> None:
            progress.update(bar, advance=1, description=f"{status}: {Path(path).name}")

        set_progress_hook(hook)
        try:
            task_runner = dask_task_runner(dask_address, workers) if runner == "dask" else None
            result = run_ingest(list(paths), url, ocr=ocr, force=force, workers=workers, task_runner=task_runner,
                                heartbeats=not own_server)
        finally:
            set_progress_hook(None)
            checkpoint(url)  # fold the WAL into the file so copies and `serve` see everything
    if summary:
        _print_summary(result, url, found)
    else:
        for o in result.outcomes:
            if o.status == "failed":
                click.echo(f"failed: {o.path} [{o.stage}] {o.error}: {o.message}", err=True)
        for gone in found.missing:
            click.echo(f"failed: {gone} [discover] no such file or folder; check the path", err=True)
    if result.count("failed") or found.missing:
        sys.exit(1)


def _all_current(engine: Any, files: list[str]) -> bool:
    """Say whether every file is already current: by a stat check where its state is known, else by hash."""
    from pipeline.discover import sha256_file
    from pipeline.load import document_status
    from pipeline.runs import FileStat, StateUpdate, load_states, save_states, verdict

    states = load_states(engine, files)
    seen: set[str] = set()
    learnt: list[StateUpdate] = []
    for path in files:
        stat = FileStat.of(path)
        if verdict(states.get(path), stat) == "current":
            seen.add(states[path].sha256)
            continue
        sha = sha256_file(path)
        if sha in seen:
            continue                      # a duplicate of a file already current
        if document_status(engine, path, sha) != "current":
            return False
        seen.add(sha)
        learnt.append(StateUpdate(path, stat, sha, "loaded"))   # next time the stat check settles it
    if learnt:
        save_states(engine, learnt, None)
    return True


def _print_summary(result: Any, url: str, found: Any = None) -> None:
    from sqlalchemy import func, select

    from pipeline import schema
    from pipeline.load import open_db, safe_url

    loaded, current, failed = result.count("loaded"), result.count("current"), result.count("failed")
    dup = result.count("duplicate")
    click.echo(f"{len(result.outcomes)} documents: {loaded} loaded, {current} already current, {failed} failed"
               + (f", {dup} duplicates" if dup else "") + f" ({result.seconds:.1f} s)")
    if loaded == 0 and failed == 0:
        click.echo("Nothing new: every document is already current; the dataset is unchanged "
                   "(--force re-ingests, e.g. to apply other --ocr settings).")
    if loaded:
        pages = sum(o.pages for o in result.outcomes)
        figs = sum(o.figures for o in result.outcomes)
        kinds: dict[str, int] = {}
        for o in result.outcomes:
            for k, n in o.kinds.items():
                kinds[k] = kinds.get(k, 0) + n
        by_kind = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
        click.echo(f"This run: {pages} pages, {figs} figures ({by_kind or 'none'})")
    engine = open_db(url)
    with engine.connect() as conn:
        ndocs = conn.execute(select(func.count()).select_from(schema.documents)).scalar_one()
        npages = conn.execute(select(func.coalesce(func.sum(schema.documents.c.pages), 0))).scalar_one()
        rows = conn.execute(select(schema.figures.c.kind, func.count()).group_by(schema.figures.c.kind)).all()
    by_kind_all = ", ".join(f"{k} {n}" for k, n in sorted(rows, key=lambda r: -r[1]))
    click.echo(f"Dataset: {ndocs} documents, {npages} pages, {sum(n for _, n in rows)} figures "
               f"({by_kind_all or 'none'})")
    for o in result.outcomes:
        if o.status == "failed":
            click.echo(f"  {'not retried' if getattr(o, 'not_retried', False) else 'failed'}: {o.path} "
                       f"[{o.stage}] {o.error}: {o.message}")
        elif o.status == "duplicate":
            click.echo(f"  duplicate: {o.path} ({o.message}; not loaded twice)")
    if found is not None:
        for gone in found.missing:
            click.echo(f"  failed: {gone} [discover] no such file or folder; check the path")
        for link, why in found.skipped_links:
            click.echo(f"  skipped: {link} ({why})")
    if result.passed_over:
        click.echo(f"Passed over {result.passed_over} files of other types:")
        from pipeline.sniff import advice, sniff

        for path in result.passed_over_files[:50]:
            try:
                # whole (up to 64 MB): a zip-based file (.pptx) shows what it is only in its last bytes
                with open(path, "rb") as fh:
                    kind = sniff(fh.read(1 << 26), path).kind
            except OSError:
                kind = "binary"
            click.echo(f"  passed over: {advice(kind, path)}")
    click.echo(f"Database: {safe_url(url)}")


@main.command()
@click.argument("table", type=click.Choice(["figures", "documents", "references", "failures", "tables", "pages",
                                            "facts", "reports", "corrections", "runs",
                                            "figure_changes"]))
@_db_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), default="jsonl",
              show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Output file (default, or '-': standard output).")
def export(table: str, db: str | None, fmt: str, out: Path | None) -> None:
    """Export a table of the dataset."""
    from pipeline.load import open_db
    from solieu.export import rows, write

    engine = open_db(db_url(db), readonly=True)
    records = rows(engine, table)
    if out is not None and str(out) == "-":
        out = None                     # the usual spelling of standard output, not a file named "-"
    if fmt == "parquet" or out is not None:
        if fmt == "parquet":
            n = write(records, fmt, None, out)
        else:
            assert out is not None
            with out.open("w", encoding="utf-8", newline="") as fh:
                n = write(records, fmt, fh, out)
        click.echo(f"wrote {n} {table} rows to {out}", err=True)
    else:
        write(records, fmt, sys.stdout, None)


def _statements(sql: str) -> int:
    """Count the statements in sql (';' outside quotes and comments separates them)."""
    count, quote, body = 0, "", False
    i = 0
    while i < len(sql):
        c = sql[i]
        if quote:
            if c == quote:
                quote = ""
        elif c in "'\"":
            quote, body = c, True
        elif sql.startswith("--", i):
            nl = sql.find("\n", i)
            i = len(sql) if nl < 0 else nl
            continue
        elif c == ";":
            count += int(body)
            body = False
        elif not c.isspace():
            body = True
        i += 1
    return count + int(body)


_WRITE_WORDS = ("insert", "update", "delete", "drop", "create", "alter", "replace", "attach", "detach",
                "vacuum", "reindex", "truncate", "grant", "revoke", "copy")


@main.command()
@click.argument("sql")
@_db_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "jsonl"]), default="table", show_default=True)
def query(sql: str, db: str | None, fmt: str) -> None:
    """Run read-only SQL over the dataset."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from solieu.export import write

    if _statements(sql) > 1:
        raise UsageError("`solieu query` runs one statement at a time; remove the ';' between statements")
    first = sql.strip().split(None, 1)[0].lower() if sql.strip() else ""
    if first in _WRITE_WORDS:
        raise ReadOnlyViolation(f"`solieu query` is read-only and will not run {first.upper()}; "
                                "the dataset changes only through `solieu ingest`")
    from solieu.readonly import readonly_engine

    engine = readonly_engine(db_url(db))     # not open_db: even its read-only engine may set WAL on the file
    try:
        with engine.connect() as conn:
            result = conn.execute(text(sql))
            if not result.returns_rows:
                raise ReadOnlyViolation("`solieu query` runs statements that return rows (SELECT/WITH)")
            cols = list(result.keys())
            records = [dict(zip(cols, r, strict=True)) for r in result.all()]
    except DBAPIError as exc:
        msg = str(exc.orig)
        if any(w in msg.lower() for w in ("readonly", "read-only", "not authorized", "read only")):
            raise ReadOnlyViolation("`solieu query` is read-only; the dataset changes only through "
                                    "`solieu ingest`") from exc
        raise UsageError(f"the query failed: {msg}") from exc
    if fmt == "table":
        from rich.console import Console
        from rich.table import Table

        t = Table(*cols)
        for r in records:
            t.add_row(*("" if v is None else str(v) for v in r.values()))
        Console().print(t)
    else:
        write(records, fmt, sys.stdout, None)


@main.command()
@_db_option
@click.option("--all", "everything", is_flag=True, help="Re-extract every document, not only the stale ones.")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Documents re-extracted at once (default 2).")
def reextract(db: str | None, everything: bool, workers: int | None) -> None:
    """Recompute figures from the stored text of documents extracted by older rules (no file read, no OCR)."""
    from pipeline.load import checkpoint, open_db, safe_url
    from pipeline.reextract import stale_documents

    url = db_url(db)
    if not stale_documents(open_db(url, readonly=True), everything=everything):
        click.echo("Nothing to re-extract: every document was extracted by the current rules (--all re-extracts "
                   "them anyway).")
        return
    prepare_prefect_env()
    from solieu.prefect_server import prefect_api

    global _exit_quickly
    _exit_quickly = True
    with prefect_api(Path(os.environ["PREFECT_HOME"])):
        from flows.reextract import run_reextract

        try:
            result = run_reextract(url, everything=everything, workers=workers)
        finally:
            checkpoint(url)
    failed = [o for o in result.outcomes if o.status == "failed"]
    changed = sum(o.diff.changed for o in result.outcomes if o.diff)
    added = sum(o.diff.added for o in result.outcomes if o.diff)
    removed = sum(o.diff.removed for o in result.outcomes if o.diff)
    click.echo(f"{len(result.outcomes)} documents re-extracted from stored text: {len(result.outcomes) - len(failed)} "
               f"loaded, {len(failed)} failed ({result.seconds:.1f} s); figures {added} added, {removed} removed, "
               f"{changed} changed (run {result.run_id}, `solieu runs --run {result.run_id}` lists them)")
    click.echo(f"Database: {safe_url(url)}")
    for o in failed:
        click.echo(f"failed: {o.path} [{o.stage}] {o.error}: {o.message}", err=True)
    if failed:
        sys.exit(1)


@main.command()
@_db_option
@click.option("--run", "run_id", type=int, default=None, help="Show the figures this run changed.")
@click.option("--limit", type=click.IntRange(1), default=30, show_default=True, help="How many runs to list.")
def runs(db: str | None, run_id: int | None, limit: int) -> None:
    """List the ingest runs, newest first: documents added, updated, unchanged, failed; figures changed."""
    from rich.console import Console
    from rich.table import Table

    from pipeline.load import open_db
    from pipeline.runs import list_runs, run_changes

    engine = open_db(db_url(db), readonly=True)
    console = Console(width=200) if not sys.stdout.isatty() else Console()
    if run_id is not None:
        t = Table("document", "change", "kind", "old", "new", "unit", "context", title=f"Figures changed in run {run_id}")
        for c in run_changes(engine, run_id):
            t.add_row(c["document"], c["change"], c["kind"] or "", c["old_raw"] or "", c["new_raw"] or "",
                      c["unit"] or "", (c["context"] or "")[:80])
        console.print(t)
        return
    t = Table("run", "started (UTC)", "status", "added", "updated", "unchanged", "failed", "not retried",
              "fig +", "fig -", "fig changed", "seconds", "paths")
    for r in list_runs(engine, limit):
        def n(key: str, row: dict[str, Any] = r) -> str:
            return "" if row.get(key) is None else str(row[key])

        started = r["started_at"].strftime("%Y-%m-%d %H:%M:%S") if r["started_at"] else ""
        t.add_row(n("id"), started, n("status"), n("docs_added"), n("docs_updated"), n("docs_unchanged"),
                  n("docs_failed"), n("docs_not_retried"), n("figures_added"), n("figures_removed"),
                  n("figures_changed"), n("seconds"), " ".join(r["paths"] or []))
    console.print(t)


@main.command(name="eval")
@click.argument("gold", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@_db_option
@click.option("--document", default=None, help="Score this ingested document (path as given to ingest) "
              "instead of those named like the gold's document.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--fail-under", type=float, default=None, help="Exit 1 if any figure F1 is below this.")
def eval_cmd(gold: tuple[str, ...], db: str | None, document: str | None, as_json: bool,
             fail_under: float | None) -> None:
    """Score the dataset against gold files: precision, recall, F1, values, subjects, flags."""
    from pipeline.load import open_db
    from solieu.scoring import score_dataset

    engine = open_db(db_url(db), readonly=True)
    reports = [r for g in gold for r in score_dataset(engine, g, document=document)]
    if as_json:
        click.echo(json.dumps(reports, ensure_ascii=False, indent=2))
    else:
        from solieu.scoring import format_report

        for r in reports:
            click.echo(format_report(r))
    if any("error" in r for r in reports):
        sys.exit(1)  # a gold document missing from the dataset is a failed evaluation, not a pass
    if fail_under is not None:
        low = [r for r in reports if r.get("figures", {}).get("f1", 1.0) < fail_under
               or r.get("cells", {}).get("f1", 1.0) < fail_under]
        if low:
            sys.exit(1)


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


@main.command()
@click.option("--inbox", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder to watch; each tick ingests what is new or changed under it.")
@_db_option
@click.option("--cron", default="0 2 * * *", show_default=True, help="When to run (cron, local time).")
@click.option("--interval", type=click.IntRange(1), default=None,
              help="Run every N seconds instead of on the cron schedule.")
@click.option("--ocr", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=None)
def nightly(inbox: Path, db: str | None, cron: str, interval: int | None, ocr: str, workers: int | None) -> None:
    """Serve the scheduled ingestion of an inbox folder until stopped (SIGINT/SIGTERM)."""
    import signal

    from pipeline.load import open_db, safe_url

    url = db_url(db)
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        # The flow runs in another process and folder: make a relative SQLite path absolute.
        url = "sqlite:///" + str(Path(url.removeprefix("sqlite:///")).resolve())
    open_db(url)
    prepare_prefect_env()
    from solieu.prefect_server import local_prefect_server

    # SIGTERM (service managers, `kill`) stops like Ctrl+C: the runner finishes and the server is shut down.
    signal.signal(signal.SIGTERM, _interrupt)
    when = f"every {interval} s" if interval else f"on '{cron}'"
    with local_prefect_server(Path(os.environ["PREFECT_HOME"]) / "server.log"):
        from flows.nightly import serve_nightly

        click.echo(f"Serving nightly ingestion of {inbox} into {safe_url(url)} {when}; Ctrl+C to stop.")
        with contextlib.suppress(KeyboardInterrupt):
            serve_nightly(str(inbox.resolve()), url, cron=cron, interval=interval, ocr=ocr, workers=workers)
    click.echo("Stopped.")


@main.command()
@_db_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on; beyond loopback a token is required.")
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--token", default=None, envvar="SOLIEU_TOKEN", metavar="SECRET",
              help="Visitors sign in with it (required beyond loopback; default: $SOLIEU_TOKEN).")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder the ingested paths are relative to, for page images (default: the working folder).")
@click.option("--replica", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to keep the SQLite replica of a PostgreSQL dataset (default: in the cache folder).")
def serve(db: str | None, host: str, port: int, token: str | None, root: Path | None,
          replica: Path | None) -> None:
    """Browse the dataset in a web browser: read-only, except for corrections of figures."""
    import hashlib

    from pipeline.load import safe_url
    from solieu.serve import cache_root, check_exposure, metadata_for, served_file

    url = db_url(db)
    check_exposure(host, token)
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        url = "sqlite:///" + str(Path(url.removeprefix("sqlite:///")).resolve())
    path, is_replica = served_file(url, replica)
    name = path.stem
    meta = cache_root() / "serve" / f"{hashlib.sha256(str(path).encode()).hexdigest()[:16]}.metadata.json"
    meta.parent.mkdir(parents=True, exist_ok=True)
    meta.write_text(json.dumps(metadata_for(name, replica_of=safe_url(url) if is_replica else None),
                               ensure_ascii=False, indent=1), encoding="utf-8")
    import socket

    try:
        with socket.create_server((host, port)):   # can Datasette bind there? (released before it starts)
            pass
    except OSError as exc:
        raise UsageError(f"cannot serve on {host}:{port} ({exc.strerror}); another program may use that port: "
                         "choose another with --port") from exc
    where = f"a read-only replica ({path}) of {safe_url(url)}" if is_replica else str(path)
    click.echo(f"Serving {where} at http://{host}:{port}/ (Ctrl+C to stop); corrections go to {safe_url(url)}")
    # The plugin (solieu.browser, a `datasette` entry point) reads its settings from the environment: the URL
    # may hold a password and Datasette shows its metadata to visitors.
    os.environ.update(SOLIEU_SERVE_DB=url, SOLIEU_SERVE_FILE=str(path), SOLIEU_SERVE_REPLICA="1" if is_replica else "0",
                      SOLIEU_SERVE_ROOT=str((root or Path.cwd()).resolve()))
    if token:
        os.environ["SOLIEU_TOKEN"] = token
    # Datasette runs visitors' SQL on read-only connections; the file stays mutable so that an ingest
    # running meanwhile (its WAL included) is seen.
    cmd = [sys.executable, "-m", "datasette", "serve", str(path), "--host", host, "--port", str(port),
           "--metadata", str(meta), "--setting", "sql_time_limit_ms", "5000",
           "--setting", "facet_time_limit_ms", "1000"]
    sys.stdout.flush()
    # Become Datasette rather than wrap it: a SIGTERM or Ctrl+C then stops the server itself instead of
    # leaving it orphaned behind a dead parent.
    os.execv(sys.executable, cmd)


# correct, corrections, page, plot (issue 9) live in their own module.
from solieu.workbench_cli import register as _register_workbench  # noqa: E402

_register_workbench(main, _db_option)



def _exit_now(code: object) -> None:
    """End the process as sys.exit(code) would, but without tearing the interpreter down."""
    import atexit
    import threading

    # What interpreter shutdown does first, then its exit handlers (Prefect's event and log flushes,
    # logging.shutdown); only the module teardown after them is skipped.
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    if isinstance(code, str):
        print(code, file=sys.stderr)
    status = code if isinstance(code, int) else 0 if code is None else 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(status)


def run() -> None:
    """Entry point of the `solieu` command: main(), ending Prefect commands without the interpreter's teardown."""
    try:
        main()
    except SystemExit as exc:
        # Prefect and what it imports take ~0.7 s of a quiet machine's time (~1 s loaded) to tear down after
        # the last line ran: the command's work is done and flushed by then.
        if not _exit_quickly:
            raise
        _exit_now(exc.code)


if __name__ == "__main__":
    run()
