"""The dataset's tables (SQLAlchemy Core); migrations in pipeline/migrations create them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    TypeDecorator,
    false,
)

SCHEMA_REVISION = "0004"


def run_report_columns() -> list[Column[Any]]:
    """Return the run-report columns of ingest_runs (revision 0004), fresh for each table that uses them."""
    return [Column(name, Integer) for name in (
        "docs_added", "docs_updated", "docs_unchanged", "docs_failed", "docs_not_retried",
        "figures_added", "figures_removed", "figures_changed",
    )] + [Column("extractor_version", String(32)), Column("seconds", Float)]


def _exact(value: Any) -> Decimal:
    """Return a Decimal without float noise or a padded scale (21.0000000000 -> 21)."""
    d = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()


class ExactNumeric(TypeDecorator[Decimal]):
    """A queryable number: NUMERIC everywhere; SQLite stores a float, exact up to 15 significant digits.

    The figure's `value` also keeps its exact text in `value_exact`, which exports read.
    """

    impl = Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        """Let SQLite hand back its raw number instead of SQLAlchemy's scale-10 Decimal."""
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Numeric(asdecimal=False))
        return dialect.type_descriptor(Numeric())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        """Bind Decimal as text on SQLite (no native decimal), as Decimal elsewhere."""
        if value is None:
            return None
        return str(value) if dialect.name == "sqlite" else Decimal(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        """Return Decimal."""
        return None if value is None else _exact(value)


class DecimalText(TypeDecorator[Decimal]):
    """An exact number: NUMERIC on PostgreSQL, its decimal text on SQLite (which has no decimal type)."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        """Use NUMERIC where the database has an exact decimal type."""
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric())
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        """Bind the exact decimal."""
        if value is None:
            return None
        return Decimal(value) if dialect.name == "postgresql" else format(Decimal(value), "f")

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        """Return Decimal."""
        return None if value is None else _exact(value)


metadata = MetaData()

ingest_runs = Table(
    "ingest_runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("paths", JSON, nullable=False),
    Column("pipeline_version", String(32), nullable=False),
    Column("documents_seen", Integer, default=0),
    Column("loaded", Integer, default=0),
    Column("skipped", Integer, default=0),
    Column("failed", Integer, default=0),
    Column("status", String(16), nullable=False, default="running"),  # running | ok | partial | interrupted
    Column("host", String(255)),       # the machine and process running it: a dead one's run is "interrupted"
    Column("pid", Integer),
    # 0004: the run report
    *run_report_columns(),
)

documents = Table(
    "documents", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document", Text, nullable=False, index=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("format", String(8), nullable=False),
    Column("pages", Integer),
    Column("text_source", String(16)),
    Column("doc_number", Text),
    Column("doc_type", Text),
    Column("issuer", Text),
    Column("district", Text),
    Column("province", Text),
    Column("report_year", Integer),
    Column("issued_date", String(10)),
    Column("signer", Text),
    Column("signer_title", Text),
    Column("title", Text),
    Column("pipeline_version", String(32), nullable=False),
    Column("extractor_version", String(32), nullable=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("run_id", Integer, ForeignKey("ingest_runs.id")),
    Column("warnings", JSON),
    # 0002 (workbench): the report it is one source of, whether it is the one used for analysis, its period.
    Column("report_id", Integer, index=True),
    Column("canonical", Boolean, nullable=False, default=False, server_default=false()),  # as 0002 adds it
    Column("period_label", Text),
    Column("period_start", String(10)),
    Column("period_end", String(10)),
    Column("signature", LargeBinary),   # MinHash of the text's word trigrams (pipeline/reports.py)
)

texts = Table(
    "texts", metadata,
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("text", Text, nullable=False),
)

pages = Table(
    "pages", metadata,
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("page", Integer, primary_key=True),
    Column("source", String(16)),
    Column("triage", String(16)),
    Column("triage_reason", Text),
    Column("chars", Integer),
    Column("ocr_confidence", Float),
)

figures = Table(
    "figures", metadata,
    Column("id", String(40), primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("document", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("page", Integer),
    Column("kind", String(16), nullable=False, index=True),
    Column("value", ExactNumeric),
    Column("value_exact", Text),
    Column("min", DecimalText),
    Column("max", DecimalText),
    Column("denominator", DecimalText),
    Column("unit", String(16), nullable=False),
    Column("per", Text),
    Column("qualifier", String(16)),
    Column("subject", Text),
    Column("place", Text),
    Column("section", Text),
    Column("domain", Text),
    Column("raw", Text, nullable=False),
    Column("sentence", Text),
    Column("char_start", Integer, nullable=False),
    Column("char_end", Integer, nullable=False),
    Column("bbox", JSON),
    Column("source", String(16), nullable=False),
    Column("confidence", Float),
    Column("flags", JSON),
    Column("part_of", String(40)),
    Column("alt_value", DecimalText),
    Column("table_id", Text),
    Column("row", Text),
    Column("column", Text),
    Column("restates", String(40)),
    Column("extractor_version", String(32), nullable=False),
    # 0002 (workbench): the period it is about, plan or actual, the shared indicator it measures.
    Column("period_label", Text),
    Column("period_start", String(10)),
    Column("period_end", String(10)),
    Column("measure", String(8)),
    Column("indicator", String(64), index=True),
    Column("indicator_confidence", Float),
)

references = Table(
    "references", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("document", Text, nullable=False),
    Column("number", Text, nullable=False),
    Column("type", Text),
    Column("date", String(10)),
    Column("issuer", Text),
    Column("raw", Text, nullable=False),
    Column("page", Integer),
    Column("char_start", Integer),
    Column("char_end", Integer),
    Column("in_footnote", Boolean, default=False),
)

table_cells = Table(
    "table_cells", metadata,
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("table_id", String(40), primary_key=True),
    Column("row_index", Integer, primary_key=True),
    Column("col_index", Integer, primary_key=True),
    Column("document", Text, nullable=False),
    Column("page", Integer),
    Column("row", Text),
    Column("column", Text),
    Column("text", Text),
    Column("is_header", Boolean, default=False),
    Column("rowspan", Integer),
    Column("colspan", Integer),
    Column("char_start", Integer),
    Column("char_end", Integer),
)

failures = Table(
    "failures", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document", Text, nullable=False),
    Column("sha256", String(64)),
    Column("stage", String(16), nullable=False),
    Column("error", String(64), nullable=False),
    Column("message", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("run_id", Integer, ForeignKey("ingest_runs.id")),
)

reports = Table(
    "reports", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("canonical_document_id", Integer),
    Column("documents", Integer, nullable=False, default=1),
    Column("doc_number", Text),
    Column("doc_type", Text),
    Column("issuer", Text),
    Column("issued_date", String(10)),
    Column("title", Text),
    Column("province", Text),
    Column("district", Text),
    Column("report_year", Integer),
    Column("period_label", Text),
    Column("period_start", String(10)),
    Column("period_end", String(10)),
)

corrections = Table(
    "corrections", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # The figure it applies to now; null when no figure matches any more (listed by `solieu corrections`).
    Column("figure_id", String(40), index=True),
    Column("first_figure_id", String(40), nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("document", Text, nullable=False),
    Column("raw", Text, nullable=False),
    Column("context", Text, nullable=False),
    Column("char_start", Integer),
    Column("field", String(16), nullable=False),
    Column("old", Text),
    Column("new", Text),
    Column("note", Text, nullable=False),
    Column("who", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

#: The `facts` view (created by migration 0002), described for typed reads; not part of `metadata`.
views = MetaData()
FACTS_COLUMNS = [
    "figure_id", "report_id", "document_id", "document", "province", "district", "report_year",
    "period_label", "period_start", "period_end", "measure", "indicator", "indicator_confidence", "kind",
    "value", "value_exact", "unit", "per", "qualifier", "subject", "raw", "page", "flags", "corrected",
    "place", "section", "domain", "sentence", "bbox", "confidence", "table_id", "row", "column", "source",
]
facts = Table(
    "facts", views,
    Column("figure_id", String(40)), Column("report_id", Integer), Column("document_id", Integer),
    Column("document", Text), Column("province", Text), Column("district", Text), Column("report_year", Integer),
    Column("period_label", Text), Column("period_start", String(10)), Column("period_end", String(10)),
    Column("measure", String(8)), Column("indicator", String(64)), Column("indicator_confidence", Float),
    Column("kind", String(16)), Column("value", ExactNumeric), Column("value_exact", Text),
    Column("unit", String(16)), Column("per", Text), Column("qualifier", String(16)), Column("subject", Text),
    Column("raw", Text), Column("page", Integer), Column("flags", JSON), Column("corrected", Boolean),
    Column("place", Text), Column("section", Text), Column("domain", Text), Column("sentence", Text),
    Column("bbox", JSON), Column("confidence", Float), Column("table_id", Text), Column("row", Text),
    Column("column", Text), Column("source", String(16)),
)

#: Columns of each exportable table, in CONTRACT.md order (extra columns after).
EXPORT_COLUMNS: dict[str, list[str]] = {
    "figures": [
        "id", "document", "sha256", "page", "kind", "value", "min", "max", "denominator", "unit", "per",
        "qualifier", "subject", "place", "section", "raw", "sentence", "char_start", "char_end", "bbox",
        "source", "confidence", "flags", "part_of", "table_id", "row", "column", "extractor_version",
        "domain", "alt_value", "restates",
        "period_label", "period_start", "period_end", "measure", "indicator", "indicator_confidence",
        "corrected",
    ],
    "documents": [
        "document", "sha256", "format", "pages", "text_source", "doc_number", "doc_type", "issuer",
        "district", "province", "report_year", "issued_date", "signer", "title", "pipeline_version",
        "ingested_at", "signer_title", "extractor_version", "warnings",
        "id", "report_id", "canonical", "period_label", "period_start", "period_end",
    ],
    "references": ["document", "number", "type", "date", "issuer", "raw", "page", "char_start", "char_end",
                   "in_footnote"],
    "failures": ["document", "sha256", "stage", "error", "message", "at", "run_id"],
    "tables": ["document", "table_id", "page", "row_index", "col_index", "row", "column", "text", "is_header",
               "rowspan", "colspan", "char_start", "char_end"],
    "facts": FACTS_COLUMNS,
    "reports": ["id", "canonical_document_id", "documents", "doc_number", "doc_type", "issuer", "issued_date",
                "title", "province", "district", "report_year", "period_label", "period_start", "period_end"],
    "corrections": ["id", "figure_id", "first_figure_id", "sha256", "document", "raw", "context", "char_start",
                    "field", "old", "new", "note", "who", "at", "matched"],
    "pages": ["document_id", "page", "source", "triage", "triage_reason", "chars", "ocr_confidence"],
    "runs": ["id", "started_at", "finished_at", "status", "paths", "pipeline_version", "extractor_version",
             "docs_added", "docs_updated", "docs_unchanged", "docs_failed", "docs_not_retried", "figures_added",
             "figures_removed", "figures_changed", "seconds"],
    "figure_changes": ["run_id", "document", "change", "kind", "context", "old_raw", "new_raw", "old_value",
                       "new_value", "unit"],
}


# 0003: what changed in each run, and what each file looked like when last seen

figure_changes = Table(
    "figure_changes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("ingest_runs.id"), index=True),
    Column("document", Text, nullable=False),
    Column("change", String(8), nullable=False),          # "added" | "removed" | "changed"
    Column("kind", String(16)),
    Column("context", Text),                              # the sentence (or table row/column) the figure sits in
    Column("old_raw", Text),
    Column("new_raw", Text),
    Column("old_value", Text),                            # exact decimal text, "min..max" for a range
    Column("new_value", Text),
    Column("unit", String(16)),
)

file_state = Table(
    "file_state", metadata,
    Column("path", Text, primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("mtime_ns", BigInteger, nullable=False),
    Column("inode", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("status", String(16), nullable=False),         # "loaded" | "failed"
    Column("permanent", Boolean, nullable=False, default=False),
    Column("error", String(64)),
    Column("message", Text),
    Column("pipeline_version", String(32), nullable=False),
    Column("extractor_version", String(32), nullable=False),
    Column("run_id", Integer),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)
