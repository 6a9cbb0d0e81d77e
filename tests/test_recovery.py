"""The recovery sweep re-sends only what the broker has really lost (issue 14, item 1).

A backlog of thousands of queued articles, no worker, real Postgres and a private Redis: a dozen
sweeps leave the queue as it was; a message removed from Redis is re-sent once; a message held by
a worker (unacknowledged) is not re-sent.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import insert, update

from db.models import Article, utcnow
from db.session import session_scope
from tests.conftest import reset_settings
from tests.fault_servers import PrivateRedis
from worker.recovery import _article_id

pytestmark = pytest.mark.db
BACKLOG = 5000


@pytest.fixture()
def private_broker(db):
    """A Redis of its own: the test reads and edits kombu's ``unacked`` hash, which the machine's
    shared Redis keeps for every test run."""
    redis = PrivateRedis().start()
    saved = os.environ["KHABAR_BROKER_URL"]
    try:
        reset_settings(KHABAR_BROKER_URL=redis.url)
        yield redis
    finally:
        reset_settings(KHABAR_BROKER_URL=saved)
        redis.remove()


def _backlog(n: int) -> list[str]:
    """n articles stored and their chains sent an hour ago, none taken by a worker since."""
    from worker.tasks import build_chain

    ids = [f"a{i:023d}" for i in range(n)]
    hour_ago = utcnow() - timedelta(hours=1)
    rows = [
        {"id": a, "content_hash": a, "title": "", "body": "نص", "status": "queued", "extractor_version": "0.1.0",
         "deliveries": 0, "ingested_at": hour_ago, "updated_at": hour_ago, "sent_at": hour_ago}
        for a in ids
    ]  # fmt: skip
    with session_scope() as s:
        s.execute(insert(Article), rows)
    for a in ids:
        build_chain(a).apply_async()
    return ids


def _age(ids: list[str]) -> None:
    hour_ago = utcnow() - timedelta(hours=1)
    with session_scope() as s:
        s.execute(update(Article).where(Article.id.in_(ids)).values(updated_at=hour_ago, sent_at=hour_ago))


def _recover() -> str:
    from worker.cli import cli

    r = CliRunner().invoke(cli, ["recover", "--older-than", "600"])
    assert r.exit_code == 0, r.output
    return r.output


def test_a_backlog_is_never_copied_and_a_lost_message_is_re_sent_once(private_broker):
    import redis as redis_lib

    from worker.settings import get_settings

    r = redis_lib.Redis.from_url(private_broker.url)
    queue = get_settings().queue
    ids = _backlog(BACKLOG)
    assert r.llen(queue) == BACKLOG

    for _ in range(12):
        out = _recover()
        assert "re-sent 0 stalled" in out, out
        assert r.llen(queue) == BACKLOG

    # One message really lost (as Redis killed at the wrong moment loses it): re-sent, once.
    raw = r.lindex(queue, BACKLOG // 2)
    lost = _article_id(raw)
    assert lost in ids and r.lrem(queue, 1, raw) == 1
    assert "re-sent 1 stalled" in _recover()
    assert r.llen(queue) == BACKLOG
    waiting = [_article_id(m) for m in r.lrange(queue, 0, -1)]
    assert waiting.count(lost) == 1 and set(waiting) == set(ids)
    _age(ids)  # its new message waits behind the others: it is not lost again
    assert "re-sent 0 stalled" in _recover()
    assert r.llen(queue) == BACKLOG

    # A message a worker holds unacknowledged (running, or its worker died and it comes back after
    # the visibility timeout) is in the broker too.
    raw = r.rpop(queue)
    held = _article_id(raw)
    r.hset("unacked", "tag-1", json.dumps([json.loads(raw), "", queue]))
    assert "re-sent 0 stalled" in _recover()
    r.hdel("unacked", "tag-1")
    assert "re-sent 1 stalled" in _recover()
    assert [_article_id(m) for m in r.lrange(queue, 0, -1)].count(held) == 1
    assert r.llen(queue) == BACKLOG


def test_an_article_whose_step_chain_went_on_is_re_sent_from_its_first_step_not_done(private_broker):
    """A lost message of a later step (on the continue queue) is re-sent from that step."""
    import redis as redis_lib

    from db.models import StageRun
    from worker.settings import get_settings

    r = redis_lib.Redis.from_url(private_broker.url)
    (a,) = _backlog(1)
    r.delete(get_settings().queue)
    with session_scope() as s:
        for stage in ("normalise", "segment"):
            s.add(StageRun(article_id=a, stage=stage, extractor_version="0.1.0", started_at=utcnow(),
                           finished_at=utcnow(), duration_ms=1.0))  # fmt: skip
    assert "re-sent 1 stalled" in _recover()
    (raw,) = r.lrange(get_settings().continue_queue, 0, -1)
    assert _article_id(raw) == a and json.loads(raw)["headers"]["task"] == "khabar.ner"
    assert "re-sent 0 stalled" in _recover()  # it was sent just now
