"""Alembic environment: run migrations on the connection solieu hands over."""

from __future__ import annotations

from alembic import context

from pipeline.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - solieu always passes its own connection
    raise RuntimeError("run migrations through pipeline.load.open_db, which passes a connection")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
