"""repair flood-zone names stored as Python tuple text

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 13:00:00

Until the place columns had one builder (dashboard/places.place_columns), the demo seed stored
incidents.flood_zone_names as the text of a Python tuple, so screens read
"Di zona rawan banjir/rob: ('Rob Bandengan',)". This rewrites those rows to the names joined by
", " ("Rob Bandengan", "Rob Degayu, Pesisir 0-400 m dari garis pantai"). The text is parsed as a
literal only (ast.literal_eval: no code runs); a row that does not parse is left as it is.
"""

from __future__ import annotations

import ast

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BATCH = 1_000


def repaired(text: str) -> str | None:
    """The names joined by ", " for a stored tuple text, or None when it is not one."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if not isinstance(value, tuple | list) or not all(isinstance(v, str) for v in value):
        return None
    return ", ".join(v.strip() for v in value)[:300]


def upgrade() -> None:
    conn = op.get_bind()
    incidents = sa.table(
        "incidents", sa.column("id", sa.Integer), sa.column("flood_zone_names", sa.String)
    )
    last_id = 0
    while True:
        rows = conn.execute(
            sa.select(incidents.c.id, incidents.c.flood_zone_names)
            .where(incidents.c.id > last_id, incidents.c.flood_zone_names.like("(%"))
            .order_by(incidents.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        last_id = rows[-1].id
        fixes = [
            {"row_id": r.id, "names": names}
            for r in rows
            if (names := repaired(r.flood_zone_names)) is not None
        ]
        if fixes:
            conn.execute(
                incidents.update()
                .where(incidents.c.id == sa.bindparam("row_id"))
                .values(flood_zone_names=sa.bindparam("names")),
                fixes,
            )


def downgrade() -> None:
    # The old form was a defect; nothing to restore.
    pass
