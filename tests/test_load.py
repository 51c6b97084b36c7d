"""The load stage on real SQLite files and a real PostgreSQL server: exact values, atomic replacement."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, inspect, select, text

from core.errors import DatabaseError, DatabaseURLError
from extractors.model import Figure, Metadata, Reference
from pipeline import schema
from pipeline.load import document_status, load_document, open_db, record_failure
from pipeline.model import Document, Extracted, Page, Segment, Structure
from solieu.export import rows, to_text

TEXT = "Huy động 380.000.000 đồng; bê tông 14.719 km; 16/21 xã đạt chuẩn."


def _extracted(sha: str = "a" * 64, path: str = "reports/a.pdf", values: tuple[str, ...] = ()) -> Extracted:
    page = Page(number=1, text=TEXT, boxes=[(float(i), 10.0, float(i) + 5, 20.0) for i in range(len(TEXT))])
    doc = Document(path=path, sha256=sha, format="pdf", text=TEXT, pages=[page],
                   segments=[Segment(0, len(TEXT), 0, 0)])
    figs = [
        Figure(kind="money", value=Decimal("380000000"), unit="VND", raw="380.000.000 đồng", char_start=9,
               char_end=25, subject="huy động", page=1, bbox=(9.0, 10.0, 30.0, 20.0)),
        Figure(kind="length", value=Decimal("14.719"), unit="km", raw="14.719 km", char_start=35, char_end=44,
               flags=["ambiguous_separator"], alt_value=Decimal("14719"), part_of=0),
        Figure(kind="ratio", value=Decimal("16"), denominator=Decimal("21"), unit="count", raw="16/21 xã",
               char_start=46, char_end=54),
    ]
    for v in values:
        figs.append(Figure(kind="money", value=Decimal(v), unit="VND", raw=v, char_start=0, char_end=1))
    refs = [Reference(number="324-CV/BDVTU", type="Công văn", date="2021-11-08", issuer=None, raw="x",
                      char_start=0, char_end=1)]
    return Extracted(document=doc, structure=Structure(), metadata=Metadata(doc_number="374-BC/HU",
                     report_year=2021), figures=figs, references=refs)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: object) -> str:
    """Yield a fresh dataset URL on each backend."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    base = str(request.getfixturevalue("postgres_url"))
    engine = open_db(base)
    with engine.begin() as conn:  # a clean slate per test on the shared server
        for t in reversed(schema.metadata.sorted_tables):
            conn.execute(t.delete())
    return base


def test_figures_round_trip_exactly(url: str) -> None:
    engine = open_db(url)
    big = ["123456789012345.678", "0.1", "2740000000000"]
    load_document(engine, _extracted(values=tuple(big)))
    out = sorted(rows(engine, "figures"), key=lambda r: r["id"])
    assert [r["value"] for r in out][:3] == [Decimal("380000000"), Decimal("14.719"), Decimal("16")]
    assert {str(r["value"]) for r in out[3:]} == set(big)
    assert out[1]["part_of"] == out[0]["id"]
    assert out[1]["flags"] == ["ambiguous_separator"]
    assert out[1]["alt_value"] == Decimal("14719")
    assert out[0]["bbox"] == [9.0, 10.0, 30.0, 20.0]
    line = json.loads(to_text(out[:2], "jsonl").splitlines()[1])
    assert line["value"] == 14.719 and line["unit"] == "km"
    assert out[2]["denominator"] == Decimal("21") and str(out[2]["denominator"]) == "21"


def test_range_bounds_and_alt_values_stay_exact(url: str) -> None:
    engine = open_db(url)
    ex = _extracted()
    ex.figures[0].value = None
    ex.figures[0].min, ex.figures[0].max = Decimal("123456789012345.678"), Decimal("0.1")
    ex.figures[1].alt_value = Decimal("98765432109876.54321")
    load_document(engine, ex)
    out = sorted(rows(engine, "figures"), key=lambda r: r["id"])
    assert (str(out[0]["min"]), str(out[0]["max"])) == ("123456789012345.678", "0.1")
    assert str(out[1]["alt_value"]) == "98765432109876.54321"
    csv = to_text(out, "csv").splitlines()
    assert "123456789012345.678" in csv[1] and ",21," in csv[3]


def test_reload_replaces_rows_of_same_document(url: str) -> None:
    engine = open_db(url)
    load_document(engine, _extracted())
    res = load_document(engine, _extracted())
    assert res.replaced
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.documents)).scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(schema.figures)).scalar_one() == 3


def test_changed_file_at_same_path_replaces_old_version(url: str) -> None:
    engine = open_db(url)
    load_document(engine, _extracted(sha="a" * 64))
    assert document_status(engine, "reports/a.pdf", "b" * 64) == "changed"
    load_document(engine, _extracted(sha="b" * 64))
    with engine.connect() as conn:
        shas = conn.execute(select(schema.documents.c.sha256)).scalars().all()
    assert shas == ["b" * 64]
    assert document_status(engine, "reports/a.pdf", "b" * 64) == "current"
    assert document_status(engine, "reports/new.pdf", "c" * 64) == "new"


def test_a_failed_load_writes_nothing_and_keeps_the_old_rows(url: str) -> None:
    engine = open_db(url)
    load_document(engine, _extracted())
    bad = _extracted()
    bad.figures[2].raw = None  # type: ignore[assignment]  # violates NOT NULL halfway through the inserts
    with pytest.raises(DatabaseError, match="nothing of it was written"):
        load_document(engine, bad)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.figures)).scalar_one() == 3


def test_failures_are_recorded_with_their_message(url: str) -> None:
    engine = open_db(url)
    record_failure(engine, document="x.pdf", sha256=None, stage="read", error="UnreadableDocument",
                   message="the PDF is damaged; re-scan or re-export it", run_id=None)
    (row,) = list(rows(engine, "failures"))
    assert row["stage"] == "read" and "re-scan" in row["message"]


def test_schema_is_versioned_and_migrating_twice_is_harmless(url: str) -> None:
    open_db(url)
    from pipeline.load import dispose_all

    dispose_all()
    engine = open_db(url)
    with engine.connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalar_one() == schema.SCHEMA_REVISION


def _schema_of(engine: Any) -> dict[str, Any]:
    """Describe every table and view as the database reports it (columns, keys, indexes, view SQL)."""
    insp = inspect(engine)
    out: dict[str, Any] = {}
    for t in insp.get_table_names():
        out[t] = {
            "columns": [(c["name"], str(c["type"]), c["nullable"], str(c.get("default")), c.get("primary_key"))
                        for c in insp.get_columns(t)],
            "pk": insp.get_pk_constraint(t),
            "fks": sorted(map(str, insp.get_foreign_keys(t))),
            "indexes": sorted(map(str, insp.get_indexes(t))),
            "unique": sorted(map(str, insp.get_unique_constraints(t))),
            "checks": sorted(map(str, insp.get_check_constraints(t))),
        }
    with engine.connect() as conn:
        out["views"] = conn.execute(text("select name, sql from sqlite_master where type = 'view' order by name")).all()
        out["revision"] = conn.execute(text("select version_num from alembic_version")).all()
    return out


def test_a_new_sqlite_dataset_has_the_schema_the_migrations_build(tmp_path: Path) -> None:
    from alembic import command

    from pipeline.load import _alembic_config, make_engine

    migrated = make_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
    with migrated.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")
    created = open_db(f"sqlite:///{tmp_path / 'created.db'}")   # a new file: created in one step
    assert _schema_of(created) == _schema_of(migrated)
    assert _schema_of(created)["revision"] == [(schema.SCHEMA_REVISION,)]


def test_readonly_engine_refuses_writes(sqlite_url: str) -> None:
    open_db(sqlite_url)
    ro = open_db(sqlite_url, readonly=True)
    with pytest.raises(Exception, match=r"readonly|read-only"), ro.begin() as conn:
        conn.execute(text("delete from figures"))


def test_bad_url_says_what_to_do() -> None:
    with pytest.raises(DatabaseURLError, match="not a database URL"):
        open_db("nonsense://")
