"""incident_events append-only: the database itself refuses UPDATE and DELETE on the event log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 18:40:00

Defence in depth behind the services (no code path updates or deletes an event): a bug, a
hand-typed SQL statement or a compromised replica cannot rewrite an incident's history.
PostgreSQL: a row trigger on UPDATE/DELETE and a statement trigger on TRUNCATE raise.
SQLite: BEFORE UPDATE/DELETE triggers RAISE(ABORT).

Note for later migrations: on SQLite, Alembic's batch mode rebuilds a table by copy-and-drop,
which drops its triggers; a migration that alters incident_events must create these again.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MESSAGE = "incident_events is append-only"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE OR REPLACE FUNCTION incident_events_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP;
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER incident_events_no_change BEFORE UPDATE OR DELETE ON incident_events "
            "FOR EACH ROW EXECUTE FUNCTION incident_events_append_only()"
        )
        op.execute(
            "CREATE TRIGGER incident_events_no_truncate BEFORE TRUNCATE ON incident_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION incident_events_append_only()"
        )
        return
    for operation in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER incident_events_no_{operation.lower()} "
            f"BEFORE {operation} ON incident_events "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: {operation} refused'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS incident_events_no_truncate ON incident_events")
        op.execute("DROP TRIGGER IF EXISTS incident_events_no_change ON incident_events")
        op.execute("DROP FUNCTION IF EXISTS incident_events_append_only()")
        return
    op.execute("DROP TRIGGER IF EXISTS incident_events_no_update")
    op.execute("DROP TRIGGER IF EXISTS incident_events_no_delete")
