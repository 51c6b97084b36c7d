"""Create the dataset: documents, texts, pages, figures, references, table cells, failures, ingest runs.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pipeline.schema import DecimalText, ExactNumeric

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create every table of schema revision 0001."""
    op.create_table(
        "ingest_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("finished_at", TZ),
        sa.Column("paths", sa.JSON, nullable=False),
        sa.Column("pipeline_version", sa.String(32), nullable=False),
        sa.Column("documents_seen", sa.Integer),
        sa.Column("loaded", sa.Integer),
        sa.Column("skipped", sa.Integer),
        sa.Column("failed", sa.Integer),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document", sa.Text, nullable=False, index=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("pages", sa.Integer),
        sa.Column("text_source", sa.String(16)),
        *(sa.Column(c, sa.Text) for c in ("doc_number", "doc_type", "issuer", "district", "province")),
        sa.Column("report_year", sa.Integer),
        sa.Column("issued_date", sa.String(10)),
        sa.Column("signer", sa.Text),
        sa.Column("signer_title", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("pipeline_version", sa.String(32), nullable=False),
        sa.Column("extractor_version", sa.String(32), nullable=False),
        sa.Column("ingested_at", TZ, nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("ingest_runs.id")),
        sa.Column("warnings", sa.JSON),
    )
    op.create_table(
        "texts",
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_table(
        "pages",
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("page", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(16)),
        sa.Column("triage", sa.String(16)),
        sa.Column("triage_reason", sa.Text),
        sa.Column("chars", sa.Integer),
        sa.Column("ocr_confidence", sa.Float),
    )
    op.create_table(
        "figures",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("page", sa.Integer),
        sa.Column("kind", sa.String(16), nullable=False, index=True),
        sa.Column("value", ExactNumeric),
        sa.Column("value_exact", sa.Text),
        sa.Column("min", DecimalText),
        sa.Column("max", DecimalText),
        sa.Column("denominator", DecimalText),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("per", sa.Text),
        sa.Column("qualifier", sa.String(16)),
        *(sa.Column(c, sa.Text) for c in ("subject", "place", "section", "domain")),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("sentence", sa.Text),
        sa.Column("char_start", sa.Integer, nullable=False),
        sa.Column("char_end", sa.Integer, nullable=False),
        sa.Column("bbox", sa.JSON),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("confidence", sa.Float),
        sa.Column("flags", sa.JSON),
        sa.Column("part_of", sa.String(40)),
        sa.Column("alt_value", DecimalText),
        sa.Column("table_id", sa.Text),
        sa.Column("row", sa.Text),
        sa.Column("column", sa.Text),
        sa.Column("restates", sa.String(40)),
        sa.Column("extractor_version", sa.String(32), nullable=False),
    )
    op.create_table(
        "references",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("number", sa.Text, nullable=False),
        sa.Column("type", sa.Text),
        sa.Column("date", sa.String(10)),
        sa.Column("issuer", sa.Text),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("page", sa.Integer),
        sa.Column("char_start", sa.Integer),
        sa.Column("char_end", sa.Integer),
        sa.Column("in_footnote", sa.Boolean),
    )
    op.create_table(
        "table_cells",
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("table_id", sa.String(40), primary_key=True),
        sa.Column("row_index", sa.Integer, primary_key=True),
        sa.Column("col_index", sa.Integer, primary_key=True),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("page", sa.Integer),
        sa.Column("row", sa.Text),
        sa.Column("column", sa.Text),
        sa.Column("text", sa.Text),
        sa.Column("is_header", sa.Boolean),
        sa.Column("rowspan", sa.Integer),
        sa.Column("colspan", sa.Integer),
        sa.Column("char_start", sa.Integer),
        sa.Column("char_end", sa.Integer),
    )
    op.create_table(
        "failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64)),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("error", sa.String(64), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("ingest_runs.id")),
    )


def downgrade() -> None:
    """Drop every table of revision 0001."""
    for name in ("failures", "table_cells", "references", "figures", "pages", "texts", "documents", "ingest_runs"):
        op.drop_table(name)
