"""Relative dates resolve against the outlet's own calendar day on both databases, although the
publication time is stored in UTC (ANNOTATION.md: the local date of published_at)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from db.models import Event
from db.session import session_scope
from db.store import add_article
from worker.messages import validate
from worker.steps import run_in_process

# 01:30 in Riyadh on 21 July is still 20 July in UTC: «أمس» is 20 July for the outlet.
MESSAGE = json.dumps(
    {
        "id": "night-edition",
        "title": "غارات على حلب",
        "body": "قصفت طائرات حربية أمس مواقع في مدينة حلب وقتل 12 شخصا.",
        "published_at": "2015-07-21T01:30:00+03:00",
    },
    ensure_ascii=False,
)


def _event_dates() -> set[str | None]:
    with session_scope() as s:
        article_id, _ = add_article(s, validate(MESSAGE).row("1"))
    assert run_in_process(article_id)
    with session_scope() as s:
        return set(s.scalars(select(Event.date).where(Event.type == "ASSAULT"))) - {None}


@pytest.mark.db
def test_yesterday_is_the_outlets_yesterday_on_postgres(db):
    assert _event_dates() == {"2015-07-20"}


def test_yesterday_is_the_outlets_yesterday_on_sqlite(sqlite_db):
    assert _event_dates() == {"2015-07-20"}
