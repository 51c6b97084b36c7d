"""Reports, periods, plan/actual, indicators, corrections and the `facts` view.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pipeline.migrations.views import FACTS_SQL_0002 as FACTS_SQL

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add reports, periods, measures, indicators, corrections and the facts view."""
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("canonical_document_id", sa.Integer),
        sa.Column("documents", sa.Integer, nullable=False),
        *(sa.Column(c, sa.Text) for c in ("doc_number", "doc_type", "issuer")),
        sa.Column("issued_date", sa.String(10)),
        *(sa.Column(c, sa.Text) for c in ("title", "province", "district")),
        sa.Column("report_year", sa.Integer),
        sa.Column("period_label", sa.Text),
        sa.Column("period_start", sa.String(10)),
        sa.Column("period_end", sa.String(10)),
    )
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("report_id", sa.Integer))
        batch.add_column(sa.Column("canonical", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("period_label", sa.Text))
        batch.add_column(sa.Column("period_start", sa.String(10)))
        batch.add_column(sa.Column("period_end", sa.String(10)))
        batch.add_column(sa.Column("signature", sa.LargeBinary))
        batch.create_index("ix_documents_report_id", ["report_id"])
    with op.batch_alter_table("figures") as batch:
        batch.add_column(sa.Column("period_label", sa.Text))
        batch.add_column(sa.Column("period_start", sa.String(10)))
        batch.add_column(sa.Column("period_end", sa.String(10)))
        batch.add_column(sa.Column("measure", sa.String(8)))
        batch.add_column(sa.Column("indicator", sa.String(64)))
        batch.add_column(sa.Column("indicator_confidence", sa.Float))
        batch.create_index("ix_figures_indicator", ["indicator"])
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("figure_id", sa.String(40), index=True),
        sa.Column("first_figure_id", sa.String(40), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("context", sa.Text, nullable=False),
        sa.Column("char_start", sa.Integer),
        sa.Column("field", sa.String(16), nullable=False),
        sa.Column("old", sa.Text),
        sa.Column("new", sa.Text),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("who", sa.Text, nullable=False),
        sa.Column("at", TZ, nullable=False),
    )
    op.execute(FACTS_SQL)


def downgrade() -> None:
    """Drop what revision 0002 added."""
    op.execute("DROP VIEW IF EXISTS facts")
    op.drop_table("corrections")
    with op.batch_alter_table("figures") as batch:
        batch.drop_index("ix_figures_indicator")
        for c in ("indicator_confidence", "indicator", "measure", "period_end", "period_start", "period_label"):
            batch.drop_column(c)
    with op.batch_alter_table("documents") as batch:
        batch.drop_index("ix_documents_report_id")
        for c in ("signature", "period_end", "period_start", "period_label", "canonical", "report_id"):
            batch.drop_column(c)
    op.drop_table("reports")
