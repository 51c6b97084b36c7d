"""Reports, periods, plan/actual, indicators, corrections and the `facts` view.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _latest(alias: str, field: str) -> str:
    # The newest correction of one field of the figure (corrections are never edited, only added).
    return (f"LEFT JOIN corrections {alias} ON {alias}.id = (SELECT MAX(c.id) FROM corrections c "
            f"WHERE c.figure_id = f.id AND c.field = '{field}')")


#: One row per figure of the canonical document of each report, without parts already inside a total
#: (part_of) and table cells restating a sentence (restates), with corrections applied: sums are safe.
FACTS_SQL = f"""
CREATE VIEW facts AS
SELECT
    f.id AS figure_id,
    d.report_id AS report_id,
    f.document_id AS document_id,
    f.document AS document,
    d.province AS province,
    d.district AS district,
    d.report_year AS report_year,
    COALESCE(f.period_label, d.period_label) AS period_label,
    COALESCE(f.period_start, d.period_start) AS period_start,
    COALESCE(f.period_end, d.period_end) AS period_end,
    f.measure AS measure,
    CASE WHEN ci.id IS NOT NULL THEN ci.new ELSE f.indicator END AS indicator,
    CASE WHEN ci.id IS NOT NULL THEN 1.0 ELSE f.indicator_confidence END AS indicator_confidence,
    f.kind AS kind,
    CASE WHEN cv.id IS NOT NULL THEN CAST(cv.new AS NUMERIC) ELSE f.value END AS value,
    CASE WHEN cv.id IS NOT NULL THEN cv.new ELSE f.value_exact END AS value_exact,
    CASE WHEN cu.id IS NOT NULL THEN cu.new ELSE f.unit END AS unit,
    f.per AS per,
    f.qualifier AS qualifier,
    CASE WHEN cs.id IS NOT NULL THEN cs.new ELSE f.subject END AS subject,
    f.raw AS raw,
    f.page AS page,
    f.flags AS flags,
    CASE WHEN EXISTS (SELECT 1 FROM corrections c WHERE c.figure_id = f.id) THEN TRUE ELSE FALSE END
        AS corrected,
    f.place AS place,
    f.section AS section,
    f.domain AS domain,
    f.sentence AS sentence,
    f.bbox AS bbox,
    f.confidence AS confidence,
    f.table_id AS table_id,
    f."row" AS "row",
    f."column" AS "column",
    f.source AS source
FROM figures f
JOIN documents d ON d.id = f.document_id
{_latest("cv", "value")}
{_latest("cu", "unit")}
{_latest("cs", "subject")}
{_latest("ci", "indicator")}
{_latest("cn", "not_a_figure")}
WHERE d.canonical = TRUE
  AND f.part_of IS NULL
  AND f.restates IS NULL
  AND (cn.id IS NULL OR cn.new <> 'true')
"""


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
