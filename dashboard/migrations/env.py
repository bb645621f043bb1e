"""Alembic environment: runs on the connection handed in by dashboard.db.migrate."""

from __future__ import annotations

from alembic import context

from dashboard.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    msg = "run migrations through dashboard.db.migrate(engine)"
    raise RuntimeError(msg)

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
