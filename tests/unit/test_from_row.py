"""db.from_row: a read model copies its row's same-named columns, the rest is given."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, text

from dashboard.db import from_row


@dataclass(frozen=True)
class _Seen:
    code: str
    opd_name: str | None
    waited_s: int


def _row(sql: str):
    with create_engine("sqlite://").connect() as conn:
        return conn.execute(text(sql)).one()


def test_a_read_model_takes_each_field_from_the_column_of_its_name():
    row = _row("SELECT 90 AS waited_s, 'Damkar' AS opd_name, '112-20260310-0001' AS code")

    assert from_row(_Seen, row) == _Seen(code="112-20260310-0001", opd_name="Damkar", waited_s=90)


def test_a_given_value_wins_over_the_column_of_the_same_name():
    row = _row("SELECT '112-20260310-0001' AS code, NULL AS opd_name, 5 AS waited_s")

    assert from_row(_Seen, row, opd_name="Damkar", waited_s=65).opd_name == "Damkar"


def test_a_field_the_row_lacks_and_nobody_gives_is_refused():
    row = _row("SELECT '112-20260310-0001' AS code, 5 AS waited_s")

    with pytest.raises(AttributeError, match="opd_name"):
        from_row(_Seen, row)
