"""Convert legacy office files with LibreOffice headless: once per content, cached, time-limited, killable."""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

from core.errors import ConversionFailed, UnreadableDocument

ENV_CACHE = "SOLIEU_CACHE_DIR"
#: Seconds one conversion may take before LibreOffice is killed (a 300-page .doc takes ~20 s here).
TIMEOUT = float(os.environ.get("SOLIEU_CONVERT_TIMEOUT", "120"))
#: LibreOffice export filter per target format.
FILTERS = {"docx": "docx:MS Word 2007 XML", "xlsx": "xlsx:Calc MS Excel 2007 XML"}
#: Import filter forced per source kind, where LibreOffice would otherwise guess from the name.
IN_FILTERS = {"html": "HTML (StarWriter)"}
#: Part of the cache key: bump when the conversion recipe (filters, options) changes.
RECIPE = "lo-1"
INSTALL_HINT = "install LibreOffice (apt: libreoffice-writer-nogui libreoffice-calc-nogui)"

_profiles: dict[int, Path] = {}
_profiles_lock = threading.Lock()


def cache_dir() -> Path:
    """Return $SOLIEU_CACHE_DIR/convert if set, else the project-local .cache/solieu/convert."""
    env = os.environ.get(ENV_CACHE)
    return (Path(env) if env else Path.cwd() / ".cache" / "solieu") / "convert"


def soffice() -> str:
    """Return the LibreOffice binary, or raise with what to install."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise ConversionFailed(f"LibreOffice is needed to read this file and is not installed; {INSTALL_HINT}")
    return found


def _profile() -> Path:
    """Return this thread's private LibreOffice profile: two instances on one profile block each other."""
    ident = threading.get_ident()
    with _profiles_lock:
        if ident not in _profiles:
            _profiles[ident] = Path(tempfile.mkdtemp(prefix="solieu-lo-"))
            atexit.register(shutil.rmtree, _profiles[ident], True)
        return _profiles[ident]


def cache_key(data: bytes, kind: str, target: str) -> str:
    """Return the sha256 of the bytes plus everything that changes the converted result."""
    h = hashlib.sha256(data)
    h.update(f"\0{kind}\0{target}\0{RECIPE}".encode())
    return h.hexdigest()


def convert(data: bytes, kind: str, target: str, *, name: str = "file", timeout: float | None = None,
            cache: Path | None = None) -> bytes:
    """Return data (a `kind` file: doc, rtf, odt, html, xls, ods) converted to `target` (docx, xlsx), cached."""
    folder = cache or cache_dir()
    key = cache_key(data, kind, target)
    cached = folder / key[:2] / f"{key}.{target}"
    if cached.is_file():
        return cached.read_bytes()
    out = _run(data, kind, target, name, TIMEOUT if timeout is None else timeout)
    cached.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cached.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(out)
    os.replace(tmp, cached)
    return out


def _run(data: bytes, kind: str, target: str, name: str, timeout: float) -> bytes:
    binary = soffice()
    with tempfile.TemporaryDirectory(prefix="solieu-convert-") as work:
        # The real format goes in the name: LibreOffice picks its import filter by extension first.
        src = Path(work) / f"in.{kind}"
        src.write_bytes(data)
        outdir = Path(work) / "out"
        cmd = [binary, f"-env:UserInstallation={_profile().as_uri()}", "--headless", "--norestore", "--nologo",
               "--nodefault", "--nolockcheck"]
        if kind in IN_FILTERS:
            cmd.append(f"--infilter={IN_FILTERS[kind]}")
        cmd += ["--convert-to", FILTERS[target], "--outdir", str(outdir), str(src)]
        # A session of its own, so that a timeout kills LibreOffice's helper processes too.
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
        try:
            _stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise ConversionFailed(
                f"{name}: LibreOffice did not finish converting it within {timeout:.0f} s and was stopped; open "
                f"it in Word or LibreOffice, save it as .{target} and ingest that (or raise "
                "SOLIEU_CONVERT_TIMEOUT)"
            ) from None
        result = outdir / f"in.{target}"
        if proc.returncode != 0 or not result.is_file() or result.stat().st_size == 0:
            detail = stderr.decode("utf-8", "replace").strip().splitlines()
            raise UnreadableDocument(
                f"{name}: LibreOffice could not read it as a {kind} file"
                f"{' (' + detail[-1] + ')' if detail else ''}; it is probably damaged: open it in Word or "
                f"LibreOffice, save it again as .{target} and ingest that"
            )
        return result.read_bytes()
