"""Find the files to ingest under the paths given, honouring .solieuignore files."""

from __future__ import annotations

import fnmatch
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import UsageError
from pipeline.sniff import DOCUMENT_EXTENSIONS

SUPPORTED = DOCUMENT_EXTENSIONS
IGNORE_FILE = ".solieuignore"


@dataclass
class Discovery:
    """Files found, in a stable order, and what was passed over."""

    files: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)   # named explicitly: each becomes a failure
    passed_over: int = 0                                    # other-type files met while walking folders
    passed_over_files: list[str] = field(default_factory=list)  # ... and which, to name each with what to do


def _ignored(path: Path, patterns: list[tuple[Path, str]]) -> bool:
    for base, pat in patterns:
        try:
            rel = path.relative_to(base).as_posix()
        except ValueError:
            continue
        if pat.endswith("/"):
            if rel.startswith(pat) or f"/{pat}" in f"/{rel}":
                return True
        elif fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(path.name, pat):
            return True
    return False


def discover(paths: list[str]) -> Discovery:
    """Expand files and folders (recursively) into the documents to ingest."""
    found = Discovery()
    seen: set[str] = set()
    for given in paths:
        p = Path(given)
        if not p.exists():
            raise UsageError(f"{given}: no such file or folder; check the path")
        if p.is_file():
            key = str(p)
            if key not in seen:
                seen.add(key)
                (found.files if p.suffix.lower() in SUPPORTED else found.unsupported).append(key)
            continue
        patterns: list[tuple[Path, str]] = []
        for ign in sorted(p.rglob(IGNORE_FILE)):
            for line in ign.read_text(encoding="utf-8").splitlines():
                line = line.strip()
                if line and not line.startswith("#"):
                    patterns.append((ign.parent, line))
        for f in sorted(p.rglob("*")):
            if not f.is_file() or any(part.startswith(".") for part in f.relative_to(p).parts):
                continue
            if f.name.startswith("~$"):
                continue  # Word's lock file beside an open document, not a document
            if _ignored(f, patterns):
                continue
            if f.suffix.lower() not in SUPPORTED:
                found.passed_over += 1
                found.passed_over_files.append(str(f))
                continue
            key = str(f)
            if key not in seen:
                seen.add(key)
                found.files.append(key)
    return found


def sha256_file(path: str) -> str:
    """Return the hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
