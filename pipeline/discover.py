"""Find the files to ingest under the paths given, honouring .solieuignore files."""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import UsageError
from pipeline.sniff import DOCUMENT_EXTENSIONS

SUPPORTED = DOCUMENT_EXTENSIONS
IGNORE_FILE = ".solieuignore"
log = logging.getLogger("solieu")


@dataclass
class Discovery:
    """Files found, in a stable order, and what was passed over."""

    files: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)   # named explicitly: each becomes a failure
    passed_over: int = 0                                    # other-type files met while walking folders
    passed_over_files: list[str] = field(default_factory=list)   # … and their paths
    skipped_links: list[tuple[str, str]] = field(default_factory=list)  # (link, why it was not followed)
    missing: list[str] = field(default_factory=list)        # given paths that do not exist (missing="collect")


def unsupported_message(path: str) -> str:
    """Return the failure message for a file of a type solieu does not read, with the conversion that fits it."""
    ext = Path(path).suffix.lower()
    how = {
        ".doc": "open it in Word or LibreOffice and save it as .docx (or `libreoffice --convert-to docx`)",
        ".rtf": "open it in Word or LibreOffice and save it as .docx (or `libreoffice --convert-to docx`)",
        ".odt": "open it in LibreOffice and save it as .docx (or `libreoffice --convert-to docx`)",
        ".xls": "save the spreadsheet as PDF (or `libreoffice --convert-to pdf`)",
        ".xlsx": "save the spreadsheet as PDF (or `libreoffice --convert-to pdf`)",
        ".ods": "save the spreadsheet as PDF (or `libreoffice --convert-to pdf`)",
    }.get(ext, "convert it to PDF, .docx or UTF-8 text")
    return (f"{ext or 'files without an extension'} files are not read; solieu reads .pdf, .docx, .txt and .md: "
            f"{how}, and ingest the converted file")


def _link_problem(link: Path, roots: list[Path]) -> str | None:
    """Say why a symbolic link met while walking must not be followed, or None when it stays inside the inputs."""
    target = os.readlink(link)
    real = Path(os.path.realpath(link))
    if not real.exists():
        return f"dangling link (to {target}, which does not exist): skipped"
    if not any(real == r or r in real.parents for r in roots):
        return f"link that leaves the input folders (to {real}): not followed"
    if real.is_dir():
        return f"link to a folder inside the inputs ({real}): not followed, its files are read at their own path"
    return None


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


def discover(paths: list[str], *, missing: str = "raise") -> Discovery:
    """Expand files and folders (recursively) into the documents to ingest; links leaving them are not followed.

    missing="raise": a path that does not exist is a usage error; "collect": it is listed in Discovery.missing.
    """
    found = Discovery()
    seen: set[str] = set()
    roots = [Path(os.path.realpath(g)) for g in paths if Path(g).is_dir()]
    for given in paths:
        p = Path(given)
        if not p.exists():
            if missing == "collect":
                found.missing.append(given)
                continue
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
        for f in _walk(p):
            if any(part.startswith(".") for part in f.relative_to(p).parts):
                continue
            if f.is_symlink():
                problem = _link_problem(f, roots)
                if problem is not None:
                    found.skipped_links.append((str(f), problem))
                    log.warning("%s: %s", f, problem)
                    continue
            if not f.is_file():
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


def _walk(root: Path) -> list[Path]:
    """Return every entry under root, sorted, without descending into symlinked folders."""
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        base = Path(dirpath)
        out.extend(base / d for d in dirnames if (base / d).is_symlink())
        out.extend(base / f for f in filenames)
    return sorted(out)


def sha256_file(path: str) -> str:
    """Return the hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
