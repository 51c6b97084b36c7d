"""Write dataset tables as jsonl, csv or parquet with exact numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine, select

from core.errors import UsageError
from pipeline import schema

NUMERIC = {"value", "min", "max", "denominator", "alt_value"}
#: Columns that are integers in every format (never floats, even when some rows are null).
INTEGERS = {"report_year", "page", "pages", "char_start", "char_end", "row_index", "col_index", "rowspan",
            "colspan", "run_id", "document_id", "report_id", "canonical_document_id", "documents", "chars"}


def json_number(d: Decimal) -> int | float | str:
    """Return d as a JSON-safe number that reads back to exactly d (a string when a float cannot)."""
    if d == d.to_integral_value() and abs(d) < 2**53:
        return int(d)
    f = float(d)
    return f if Decimal(repr(f)) == d else format(d, "f")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return json_number(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def rows(engine: Engine, table: str) -> Iterator[dict[str, Any]]:
    """Yield the rows of an exportable table as dicts, columns in CONTRACT.md order; corrections applied."""
    if table not in schema.EXPORT_COLUMNS:
        raise UsageError(f"cannot export '{table}': choose one of {', '.join(schema.EXPORT_COLUMNS)}")
    if table == "corrections":
        from pipeline.corrections import listing

        yield from listing(engine)
        return
    cols = [c for c in schema.EXPORT_COLUMNS[table] if c != "corrected" or table == "facts"]
    special = {"tables": schema.table_cells, "facts": schema.facts, "runs": schema.ingest_runs}
    tbl = special[table] if table in special else schema.metadata.tables[table]
    order = [tbl.c[c] for c in ("document", "char_start", "page", "table_id", "row_index", "col_index", "at",
                                "figure_id", "id") if c in tbl.c]
    if table in ("runs", "figure_changes"):
        order = [tbl.c.id]
    extra = ["value_exact"] if table == "figures" else []
    query = select(*[tbl.c[c] for c in cols + extra]).order_by(*order)
    with engine.connect() as conn:
        fixes = {}
        if table == "figures":
            from pipeline.corrections import latest

            fixes = latest(conn)
        for r in conn.execute(query).mappings():
            d: dict[str, Any] | None = dict(r)
            assert d is not None
            if "value_exact" in d:
                exact = d.pop("value_exact") if table == "figures" else d["value_exact"]
                if exact is not None:
                    d["value"] = Decimal(exact)  # the exact text, never a float from SQLite
            if table == "figures":
                from pipeline.corrections import apply

                d = apply(d, fixes.get(d["id"], {}))
                if d is None:
                    continue  # corrected to "not a figure"
                d["corrected"] = bool(fixes.get(d["id"]))
            if table == "facts":
                d["corrected"] = bool(d["corrected"])
            yield d


def write(records: Iterable[dict[str, Any]], fmt: str, out: IO[str] | None, path: Path | None) -> int:
    """Write records in fmt to the stream or path; return how many were written."""
    recs = list(records)
    if fmt == "jsonl":
        assert out is not None
        for r in recs:
            out.write(json.dumps({k: _plain(v) for k, v in r.items()}, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        assert out is not None
        if recs:
            w = csv.DictWriter(out, fieldnames=list(recs[0]))
            w.writeheader()
            for r in recs:
                w.writerow({k: _csv_cell(v) for k, v in r.items()})
    elif fmt == "parquet":
        _write_parquet(recs, path)
    else:
        raise UsageError(f"unknown format '{fmt}': use jsonl, csv or parquet")
    return len(recs)


def _csv_cell(v: Any) -> Any:
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, list | dict):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    return v


def _write_parquet(recs: list[dict[str, Any]], path: Path | None) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if path is None:
        raise UsageError("parquet is binary: give --out FILE.parquet")
    LISTS = {"flags": pa.list_(pa.string()), "bbox": pa.list_(pa.float64())}
    if not recs:
        pq.write_table(pa.table({}), path)
        return
    columns: dict[str, Any] = {}
    for name in recs[0]:
        vals = [r[name] for r in recs]
        if name in NUMERIC:
            # decimal128 keeps every value exact (no float on the way).
            columns[name] = pa.array(vals, type=pa.decimal128(38, 10))
        elif name in LISTS:
            # Lists stay lists: parquet list<…>, as in JSONL (CSV alone writes them as JSON array text).
            columns[name] = pa.array(vals, type=LISTS[name])
        elif name in INTEGERS or (name == "id" and all(isinstance(v, int) for v in vals)):
            columns[name] = pa.array(vals, type=pa.int64())
        else:
            columns[name] = pa.array(vals)
    table = pa.table(columns)
    # pandas reads an int64 column with nulls as float64 (report_year 2021.0) unless the file's pandas
    # metadata says Int64: write that metadata, so that every reader gets integers.
    import pandas as pd

    frame = table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    pq.write_table(pa.Table.from_pandas(frame, schema=table.schema, preserve_index=False), path)


def to_text(records: Iterable[dict[str, Any]], fmt: str) -> str:
    """Return records rendered as jsonl or csv text (for tests and small outputs)."""
    buf = io.StringIO()
    write(records, fmt, buf, None)
    return buf.getvalue()
