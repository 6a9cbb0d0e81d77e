"""Postgres arrays written as one text value (``{1,2,NULL}``, ``{"a","b \\"c\\""}``) for a
statement that casts them (``CAST(:ids AS integer[])``).

psycopg dumps a list element by element in Python (a dumper call, a regular expression and a
quoting check for each): the results and the corpus work of a 16-article batch pass about 15,000
elements, a tenth of what the store step costs beyond its stages. Joined here with ``str.join``
and escaped with ``str.replace`` over the whole text, the same array costs a fraction of that.
Postgres parses either form the same way."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, Text, any_, bindparam, cast
from sqlalchemy.types import NullType

_NUL = "\x00"  # never in Postgres text (it refuses it), so safe as a separator while escaping


def array_literal(values: list[Any]) -> str | list[Any]:
    """The array's text form when every element is None or of one kind written here (int, str,
    finite float, bool, datetime); else ``values`` as given, for psycopg to dump (and to refuse what
    Postgres cannot take, such as a NUL in a string, with its own error)."""
    kinds = {type(v) for v in values}
    kinds.discard(type(None))
    if len(kinds) > 1:
        return values
    kind = next(iter(kinds), None)
    if kind is None:  # empty, or only NULLs
        return "{" + ",".join("NULL" for _ in values) + "}"
    nulls = None in values
    if kind is int:
        if not nulls:
            return "{" + ",".join(map(str, values)) + "}"
        return "{" + ",".join("NULL" if v is None else str(v) for v in values) + "}"
    if kind is bool:
        return "{" + ",".join("NULL" if v is None else ("t" if v else "f") for v in values) + "}"
    if kind is float:
        if not all(v is None or math.isfinite(v) for v in values):
            return values
        # repr: the shortest text that reads back as the same double
        return "{" + ",".join("NULL" if v is None else repr(v) for v in values) + "}"
    if kind is datetime:  # ISO 8601, with its offset when it has one
        return "{" + ",".join("NULL" if v is None else v.isoformat() for v in values) + "}"
    if kind is str:
        if nulls:
            text = "{" + ",".join("NULL" if v is None else _quoted(v) for v in values) + "}"
            return values if _NUL in text else text
        joined = _NUL.join(values)
        if joined.count(_NUL) != len(values) - 1:  # a NUL of its own in some element
            return values
        escaped = joined.replace("\\", "\\\\").replace('"', '\\"').replace(_NUL, '","')
        return '{"' + escaped + '"}'
    return values


def _quoted(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def among(session, expr, values: Iterable[Any]):
    """``expr IN (values)`` for ``session``'s database; on Postgres written
    ``expr = ANY(CAST(:values AS type[]))``, one statement text and one parameter whatever the
    number of values. An IN list is a statement of its own for every length: psycopg parses a
    long one (over 4 KB, or over 50 parameters) afresh at every execution and Postgres plans
    each, which cost the store step's corpus reads (hundreds of names or keys a batch) about as
    much as the reads themselves. Postgres may then plan the statement once for every list (a
    generic plan, once psycopg prepares it): right where an index on ``expr`` finds the rows; a
    long list tested row by row is slower so (the entity keys' read kept its IN lists: 11 ms
    against 1.2 a batch)."""
    values = list(values)
    if session.get_bind().dialect.name != "postgresql":
        return expr.in_(values)
    array_type = ARRAY(Text() if isinstance(expr.type, NullType) else expr.type)  # a function's: text
    literal = array_literal(values)
    if isinstance(literal, str):
        # An untyped parameter: Postgres then takes it as the array itself. A text one would be
        # cast to the array row by row (an I/O conversion is not folded into a constant).
        return expr == any_(cast(bindparam(None, literal, type_=NullType()), array_type))
    return expr == any_(bindparam(None, literal, type_=array_type))
