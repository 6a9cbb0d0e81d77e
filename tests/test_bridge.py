"""The plain-JSON queue bridge, on the real Redis and Postgres."""

from __future__ import annotations

import json
import os

import pytest
from sqlalchemy import func, select

from db.models import Article, Failure
from db.session import session_scope
from tests.conftest import RUN_ID, queue_keys, redis_client, reset_settings
from worker.commands.bridge import bridge_once

pytestmark = pytest.mark.pipeline


@pytest.fixture()
def incoming(db):
    reset_settings()
    r = redis_client()
    name = f"khabar-test-incoming-{RUN_ID}"
    r.delete(name, name + ":processing", *queue_keys())
    yield r, name
    r.delete(name, name + ":processing", *queue_keys())


def count(q) -> int:
    with session_scope() as s:
        return s.scalar(q)


def test_bridge_stores_valid_messages_and_records_invalid_ones(incoming):
    r, name = incoming
    r.rpush(
        name,
        json.dumps({"id": "b1", "body": "زار الرئيس التونسي الجزائر أمس."}, ensure_ascii=False),
        b"{not json",
        json.dumps({"id": "b2", "body": "اعتقلت الشرطة عشرة متظاهرين في بغداد."}, ensure_ascii=False),
    )
    handled = 0
    while bridge_once(r, name, timeout=0.1):
        handled += 1
    assert handled == 3
    assert r.llen(name) == 0 and r.llen(name + ":processing") == 0
    assert count(select(func.count()).select_from(Article)) == 2
    assert r.llen(os.environ["KHABAR_QUEUE"]) == 2  # one chain message per stored article
    with session_scope() as s:
        (failure,) = s.scalars(select(Failure)).all()
    assert failure.stage == "validate" and failure.payload == "{not json"


def test_message_left_in_processing_by_a_dead_bridge_is_handled_first(incoming):
    r, name = incoming
    r.rpush(
        name + ":processing",
        json.dumps({"id": "orphan", "body": "تظاهر المئات في عمان."}, ensure_ascii=False),
    )
    assert bridge_once(r, name, timeout=0.1)
    assert r.llen(name + ":processing") == 0
    with session_scope() as s:
        assert s.scalars(select(Article.external_id)).all() == ["orphan"]


def test_bridge_command_counts_what_it_refused_and_names_each_message(incoming):
    from tests.khabar_cli import khabar

    r, name = incoming
    good = [json.dumps({"id": f"g{i}", "body": f"زار الرئيس التونسي الجزائر للمرة {i}."}) for i in (1, 2)]
    r.rpush(name, good[0], b"{not json", json.dumps({"id": "nobody"}), good[1], b"[1]")
    out = khabar("bridge", "--list", name, "--max-messages", "5", db=os.environ["KHABAR_DATABASE_URL"])
    assert out.returncode == 1, out.stderr
    assert "bridged 5 messages: stored 2, duplicates 0, refused 3, not enqueued 0" in out.stderr
    assert len([line for line in out.stderr.splitlines() if "refused redis:" in line]) == 3
    with session_scope() as s:
        refs = sorted(s.scalars(select(Failure.payload_ref)))
    assert len(refs) == 3 and all(
        ref.startswith(f"redis:{name}#") and len(ref) > len(name) + 10 for ref in refs
    )
