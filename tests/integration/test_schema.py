"""The migrations build exactly the schema dashboard/tables.py describes, on both backends.

A column added to tables.py without a migration (or the other way round) would work in tests
that create tables from the metadata and fail on a real deployment that upgrades.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from dashboard import tables as t


def _differences(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": False}
        )
        return compare_metadata(context, t.metadata)


def test_the_migrated_database_has_every_table_column_and_index_of_the_schema(engine):
    # The fixture's database was built by running every migration (dashboard.db.migrate).
    assert _differences(engine) == []
