"""Arrays written as one text value (db/arrays.py) read back by Postgres as the lists they were."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from db.arrays import array_literal

TRICKY = [
    "",
    "NULL",
    "null",
    'a"b',
    "c\\d",
    "\\",
    '"',
    "{x,y}",
    "a b",
    " lead",
    "new\nline",
    "سيرغي «لافروف»",
    "é",
]


def test_elements_of_one_kind_become_text_the_rest_stay_lists():
    assert array_literal([1, 2, None]) == "{1,2,NULL}"
    assert array_literal([]) == "{}"
    assert array_literal([None, None]) == "{NULL,NULL}"
    assert array_literal([True, None, False]) == "{t,NULL,f}"
    assert array_literal(['a"b', "c\\d"]) == '{"a\\"b","c\\\\d"}'
    for odd in (
        [1, "a"],
        [1, True],
        [float("nan")],
        [float("inf"), 1.0],
        [b"x"],
        ["a\x00b"],
        ["a\x00b", None],
    ):
        assert array_literal(odd) is odd  # psycopg dumps it (and refuses what Postgres cannot take)


@pytest.mark.db
@pytest.mark.parametrize(
    ("values", "pg_type"),
    [
        (TRICKY, "text"),
        (TRICKY[:3] + [None] + TRICKY[3:], "text"),
        (["RUS", None, "USA"], "varchar(3)"),
        ([0, -1, 2**62, None], "bigint"),
        ([1.5, 0.1, -2.5e-300, 1e300, None], "float8"),
        ([True, False, None], "boolean"),
        ([datetime(2023, 4, 1, 12, 30, 15, 123456, tzinfo=UTC), None], "timestamptz"),
        ([datetime(2023, 4, 1, 12, tzinfo=timezone(timedelta(hours=3)))], "timestamptz"),
        ([], "integer"),
    ],
)
def test_postgres_reads_the_text_back_as_the_same_list(db, values, pg_type):
    from db.session import session_scope

    literal = array_literal(values)
    assert isinstance(literal, str)
    with session_scope() as s:
        got = s.execute(text(f"SELECT CAST(:a AS {pg_type}[])"), {"a": literal}).scalar_one()
        listed = s.execute(text(f"SELECT CAST(:a AS {pg_type}[])"), {"a": values}).scalar_one()
    assert got == values
    assert got == listed  # what psycopg's own dumping gives
