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


@pytest.mark.parametrize("backend", ["db", "sqlite_db"])
def test_among_selects_what_an_in_list_selects_on_postgres_and_sqlite(backend, request):
    from sqlalchemy import func, select

    from db.arrays import among
    from db.corpus import Story
    from db.session import session_scope

    request.getfixturevalue(backend)
    with session_scope() as session:
        session.add_all(Story(type="CONSULT", date="2023-04-01", place_key=n) for n in TRICKY)
        session.add_all(Story(type="AID", date="2023-04-01", actor=a) for a in ("USAGOV", "RUSMIL"))
    with session_scope() as session:

        def keys(values) -> set[str]:
            return set(
                session.scalars(select(Story.place_key).where(among(session, Story.place_key, values)))
            )

        assert keys(TRICKY) == set(TRICKY)
        assert keys(["a b", "nobody"]) == {"a b"}
        assert keys([]) == set()
        # an expression (a function's result has no type of its own) and ids
        firsts = select(Story.actor).where(among(session, func.substr(Story.actor, 1, 3), ["USA", "RUS"]))
        assert set(session.scalars(firsts)) == {"USAGOV", "RUSMIL"}
        ids = list(session.scalars(select(Story.id).order_by(Story.id)))[:3]
        assert set(session.scalars(select(Story.id).where(among(session, Story.id, ids)))) == set(ids)
