"""Run reports: counts per ingest run, the figures each run changed, and each file's last-seen state.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
COUNTS = ("docs_added", "docs_updated", "docs_unchanged", "docs_failed", "docs_not_retried", "figures_added",
          "figures_removed", "figures_changed")


def upgrade() -> None:
    """Add the run-report columns and the figure_changes and file_state tables."""
    with op.batch_alter_table("ingest_runs") as batch:
        for name in COUNTS:
            batch.add_column(sa.Column(name, sa.Integer))
        batch.add_column(sa.Column("extractor_version", sa.String(32)))
        batch.add_column(sa.Column("seconds", sa.Float))
    op.create_table(
        "figure_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("ingest_runs.id"), index=True),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("change", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(16)),
        sa.Column("context", sa.Text),
        sa.Column("old_raw", sa.Text),
        sa.Column("new_raw", sa.Text),
        sa.Column("old_value", sa.Text),
        sa.Column("new_value", sa.Text),
        sa.Column("unit", sa.String(16)),
    )
    op.create_table(
        "file_state",
        sa.Column("path", sa.Text, primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("mtime_ns", sa.BigInteger, nullable=False),
        sa.Column("inode", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("permanent", sa.Boolean, nullable=False),
        sa.Column("error", sa.String(64)),
        sa.Column("message", sa.Text),
        sa.Column("pipeline_version", sa.String(32), nullable=False),
        sa.Column("extractor_version", sa.String(32), nullable=False),
        sa.Column("run_id", sa.Integer),
        sa.Column("seen_at", TZ, nullable=False),
    )


def downgrade() -> None:
    """Drop what revision 0003 added."""
    op.drop_table("file_state")
    op.drop_table("figure_changes")
    with op.batch_alter_table("ingest_runs") as batch:
        for name in (*COUNTS, "extractor_version", "seconds"):
            batch.drop_column(name)
