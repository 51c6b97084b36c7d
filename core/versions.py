"""Versions that change with the code: a release number plus a hash of the files that decide the output.

The extractor version moves whenever extraction code or vocabulary changes, the pipeline version whenever
reading, OCR or normalizing changes, so that a re-ingest after an upgrade replaces stale figures. Hashes are
of file contents in sorted relative-path order (never mtimes): the same sources give the same version on
every machine. Computed once per process (a few hundred KB of files: milliseconds).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The release part of both versions; the hash after "+" says which code and data produced a row.
RELEASE = "0.2.0"
#: Pipeline modules that do not change what a document reads as (orchestration, storage, discovery).
PIPELINE_EXCLUDED = ("load.py", "schema.py", "discover.py", "run.py", "sequence.py", "runs.py", "filestate.py",
                     "migrations")


def tree_hash(root: Path, files: Iterable[Path]) -> str:
    """Return the sha256 of each file's path (relative to root, POSIX) and bytes, in sorted path order."""
    h = hashlib.sha256()
    for rel, path in sorted((p.relative_to(root).as_posix(), p) for p in files):
        h.update(rel.encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def _code_and_data(package: Path, *, exclude: tuple[str, ...] = ()) -> list[Path]:
    """Return a package's .py and .c files and every file under its data/ folder (caches and bytecode left out)."""
    out: list[Path] = []
    for p in package.rglob("*"):
        rel = p.relative_to(package).parts
        if not p.is_file() or "__pycache__" in rel or rel[0] in exclude:
            continue
        if p.suffix in (".py", ".c") or rel[0] == "data":     # .c: the PDF reader's loop (pipeline/native)
            out.append(p)
    return out


def extractor_files(root: Path = ROOT) -> list[Path]:
    """Return the files whose content decides the figures: extractors/**/*.py and extractors/data/**."""
    return _code_and_data(root / "extractors")


def pipeline_files(root: Path = ROOT) -> list[Path]:
    """Return the files whose content decides the text: the pipeline stages, pipeline/data/** and core/chars.py."""
    return [*_code_and_data(root / "pipeline", exclude=PIPELINE_EXCLUDED), root / "core" / "chars.py"]


def version_of(files: list[Path], root: Path = ROOT) -> str:
    """Return RELEASE+first 8 hex digits of the files' tree hash, e.g. '0.2.0+ab12cd34'."""
    return f"{RELEASE}+{tree_hash(root, files)[:8]}"


@cache
def extractor_version() -> str:
    """Return the version of the extraction rules and vocabulary in this installation."""
    return version_of(extractor_files())


@cache
def pipeline_version() -> str:
    """Return the version of the reading, OCR and normalizing stages in this installation."""
    return version_of(pipeline_files())
