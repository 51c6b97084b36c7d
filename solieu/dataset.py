"""Read a solieu dataset into pandas DataFrames with real dtypes: `Dataset(url).facts(district=...)`."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from sqlalchemy import Engine

#: Columns read as nullable integers, dates, booleans and lists in every frame.
INTEGER_COLUMNS = ("report_id", "document_id", "report_year", "page", "pages", "char_start", "char_end", "run_id",
                   "canonical_document_id", "documents", "row_index", "col_index", "rowspan", "colspan")
DATE_COLUMNS = ("period_start", "period_end", "issued_date", "date")
BOOL_COLUMNS = ("corrected", "canonical", "in_footnote", "is_header", "matched")
LIST_COLUMNS = ("flags", "bbox")
EXACT_COLUMNS = ("value", "min", "max", "denominator", "alt_value")


class Dataset:
    """A solieu dataset (SQLite or PostgreSQL URL) read as pandas DataFrames."""

    def __init__(self, url: str | None = None) -> None:
        """Open the dataset at url (default: $SOLIEU_DB, else sqlite:///data/solieu.db) read-only."""
        from core.config import db_url

        self.url = db_url(url)
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        """Return the read-only engine (opened on first use)."""
        if self._engine is None:
            from pipeline.load import open_db

            self._engine = open_db(self.url, readonly=True)
        return self._engine

    def _frame(self, table: str, filters: dict[str, Any]) -> pd.DataFrame:
        from solieu.export import rows

        records = list(rows(self.engine, table))
        cols = list(records[0]) if records else _columns(table)
        df = pd.DataFrame.from_records(records, columns=cols)
        for key, want in filters.items():
            if want is None:
                continue
            if key not in df.columns:
                raise TypeError(f"{table}() has no column {key!r} to filter on; columns: {', '.join(df.columns)}")
            values = want if isinstance(want, list | tuple | set) else [want]
            df = df[df[key].isin(list(values))]
        return _typed(df.reset_index(drop=True))

    def facts(self, **filters: Any) -> pd.DataFrame:
        """Return the facts (canonical sources, no parts or restated cells, corrections applied); filter by column."""
        return self._frame("facts", filters)

    def figures(self, **filters: Any) -> pd.DataFrame:
        """Return every figure of every document, corrections applied."""
        return self._frame("figures", filters)

    def documents(self, **filters: Any) -> pd.DataFrame:
        """Return the documents with their report and period."""
        return self._frame("documents", filters)

    def reports(self, **filters: Any) -> pd.DataFrame:
        """Return one row per report."""
        return self._frame("reports", filters)

    def corrections(self, **filters: Any) -> pd.DataFrame:
        """Return every correction, with `matched` saying whether it still applies to a figure."""
        return self._frame("corrections", filters)


def _columns(table: str) -> list[str]:
    from pipeline.schema import EXPORT_COLUMNS

    return list(EXPORT_COLUMNS[table])


def _as_list(v: Any) -> Any:
    if isinstance(v, str):
        return json.loads(v)
    return v if isinstance(v, list) or v is None else list(v)


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    """Give columns real dtypes: floats beside exact text, nullable integers, dates, booleans, lists."""
    for c in df.columns:
        if c in EXACT_COLUMNS:
            exact = df[c].map(lambda v: None if v is None or v is pd.NA else format(v, "f"))
            df[c] = pd.to_numeric(df[c].map(lambda v: None if v is None else float(v)), errors="coerce")
            if c == "value":
                df["value_exact"] = exact.astype("string")
        elif c in INTEGER_COLUMNS or (c == "id" and df[c].map(lambda v: isinstance(v, int)).all()):
            df[c] = df[c].astype("Int64")
        elif c in DATE_COLUMNS:
            df[c] = pd.to_datetime(df[c], errors="coerce")
        elif c in BOOL_COLUMNS:
            df[c] = df[c].astype("boolean")
        elif c in LIST_COLUMNS:
            df[c] = df[c].map(_as_list).astype(object)
        elif c in ("confidence", "indicator_confidence", "ocr_confidence"):
            df[c] = df[c].astype("Float64")
    return df
