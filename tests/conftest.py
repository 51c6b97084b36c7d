"""Shared fixtures: a real PostgreSQL server on a private socket, temporary SQLite datasets, Prefect harness."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SEED_MD = CORPUS / "seed" / "binhson-2021-dan-van-kheo.md"
SEED_PDF = CORPUS / "seed" / "binhson-2021-dan-van-kheo.pdf"
SEED_GOLD = CORPUS / "gold" / "binhson-2021-dan-van-kheo.json"

def public_documents() -> list[object]:
    """Return corpus/public documents as pytest params (Word files of pasted scans read too, issue 8)."""
    docs = sorted(p for p in (CORPUS / "public").iterdir() if p.name != "SOURCES.md")
    return [pytest.param(p, id=p.name) for p in docs]


os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """Start a throw-away PostgreSQL server (unix socket only) and yield a SQLAlchemy URL to a fresh database."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; `make test` installs it (apt package postgresql)")
        pytest.skip("PostgreSQL server binaries not installed (apt package postgresql)")
    bindir = Path(bins[-1]).parent
    base = Path(tempfile.mkdtemp(prefix="solieu-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:
        # PostgreSQL refuses to run as root: run it as the postgres system user.
        shutil.chown(base, "postgres")
        shutil.chown(sock, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                    "-E", "UTF8", "--locale=C.UTF-8"], check=True, capture_output=True)
    subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(base / "log"),
                    "-o", f"-k {sock} -p {port} -c listen_addresses=''", "start"], check=True, capture_output=True)
    try:
        subprocess.run([str(bindir / "createdb"), "-h", str(sock), "-p", str(port), "-U", "postgres",
                        "solieu_test"], check=True, capture_output=True)
        yield f"postgresql+psycopg://postgres@/solieu_test?host={sock}&port={port}"
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture()
def fresh_postgres_url(postgres_url: str) -> str:
    """Return a URL to a new, empty database on the session's PostgreSQL server (for tests that count rows)."""
    import uuid

    import psycopg

    name = f"solieu_{uuid.uuid4().hex[:12]}"
    dsn = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return postgres_url.replace("/solieu_test?", f"/{name}?")


@pytest.fixture()
def sqlite_url(tmp_path: Path) -> str:
    """Return a URL to a fresh SQLite dataset in a temporary folder."""
    return f"sqlite:///{tmp_path / 'solieu.db'}"


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """Run Prefect flows against a temporary local database (real flow, real task runs)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


@pytest.fixture(autouse=True)
def _fresh_engines() -> Iterator[None]:
    yield
    from pipeline.load import dispose_all

    dispose_all()
