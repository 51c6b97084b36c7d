"""Engines for `solieu query` that cannot write: SQLite opened mode=ro + query_only + an authorizer, PostgreSQL
in read-only transactions."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from core.errors import DatabaseError

# Authorizer actions that only read; everything else (writes, schema changes, attach, transactions, pragmas that
# set a value) is refused before the statement runs.
_READ_ACTIONS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
#: Pragmas that only report, whatever their argument (a table or index name).
INFO_PRAGMAS = frozenset({
    "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo", "foreign_key_list",
    "database_list", "collation_list", "function_list", "module_list", "pragma_list", "compile_options",
})
#: Pragmas that report without an argument but change state with one ("journal_mode=delete"): allowed bare only.
SETTING_PRAGMAS = frozenset({
    "journal_mode", "page_size", "page_count", "freelist_count", "encoding", "user_version", "schema_version",
    "application_id", "query_only", "foreign_keys", "data_version", "read_uncommitted",
})


def _authorizer(action: int, arg1: str | None, arg2: str | None, _db: str | None, _trigger: str | None) -> int:
    if action in _READ_ACTIONS:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA:
        name = (arg1 or "").lower()
        if name in INFO_PRAGMAS or (arg2 is None and name in SETTING_PRAGMAS):
            return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def sqlite_readonly_connect(path: str) -> sqlite3.Connection:
    """Open a SQLite file read-only (URI mode=ro), query_only on, with an authorizer refusing every write."""
    conn = sqlite3.connect(f"file:{quote(str(Path(path).resolve()))}?mode=ro", uri=True, timeout=30,
                           check_same_thread=False)
    conn.execute("PRAGMA query_only=ON")
    conn.set_authorizer(_authorizer)
    return conn


def readonly_engine(url: str) -> Engine:
    """Return an engine over the dataset at url on which no statement can change anything."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if not db or db == ":memory:":
            raise DatabaseError("`solieu query` needs a dataset file; give --db sqlite:///path/to/solieu.db")
        if not Path(db).exists():
            raise DatabaseError(f"no dataset at {db}; run `solieu ingest PATH --db {url}` first")
        return create_engine("sqlite://", creator=lambda: sqlite_readonly_connect(db))
    engine = create_engine(url, connect_args={"options": "-c default_transaction_read_only=on"})

    @event.listens_for(engine, "begin")
    def _read_only(conn: Any) -> None:
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")

    return engine
