"""The document cache's hand-over between the tasks of a chain (worker/documents.py)."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import REDIS_URL, free_port, redis_client
from worker.documents import LOCAL_STREAK, RedisDocuments
from worker.stages.document import Document


def _doc(i: int) -> Document:
    return Document(id=f"d{i}", text=f"نص الخبر رقم {i}", stages=("normalise",))


@pytest.fixture()
def docs():
    try:
        redis_client().ping()
    except Exception:  # noqa: BLE001
        pytest.skip("no Redis")
    version = f"test-{uuid.uuid4().hex[:8]}"
    d = RedisDocuments(REDIS_URL, 60)
    d.outcomes.append(False)  # a hand-over was taken elsewhere: the next ones go through Redis
    yield d, version
    keys = list(redis_client().scan_iter(f"khabar:doc:{version}:*"))
    if keys:
        redis_client().delete(*keys)


def _counting(d: RedisDocuments, name: str) -> list[int]:
    calls = []
    real = getattr(d.client, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    setattr(d.client, name, counted)
    return calls


def test_the_next_task_in_the_same_process_takes_the_saved_documents_without_reading_redis(docs):
    d, v = docs
    saved = [_doc(i) for i in range(3)]
    d.save_many([(x.id, v, "ner", x) for x in saved], handover=True)
    d.save_many([])  # what a batch task saves after its commit: nothing, most of the time
    mget = _counting(d, "mget")
    got = d.load_many([(x.id, v, "ner") for x in saved])
    assert mget == [] and all(got[x.id] is x for x in saved)
    # taken once: a second load (a retry of the task) reads what Redis holds, the same document
    again = d.load_many([(x.id, v, "ner") for x in saved])
    assert len(mget) == 1 and again == {x.id: x for x in saved}


def test_only_the_last_save_is_kept_and_the_rest_comes_from_redis(docs):
    d, v = docs
    first, second = _doc(1), _doc(2)
    d.save_many([(first.id, v, "ner", first)], handover=True)
    d.save_many([(second.id, v, "ner", second)], handover=True)
    got = d.load_many([(first.id, v, "ner"), (second.id, v, "ner"), ("d9", v, "ner")])
    assert got[second.id] is second and got[first.id] == first and got[first.id] is not first
    assert "d9" not in got
    d.save(first.id, v, "events", first)
    assert d.load(first.id, v, "events", running="store") is first
    assert d.marked(first.id, v) == "store"


def test_a_cleared_document_is_not_kept(docs):
    d, v = docs
    x = _doc(1)
    d.save_many([(x.id, v, "ner", x)], handover=True)
    d.clear_many([(x.id, v)], ("ner",))
    assert d.load_many([(x.id, v, "ner")]) == {}


def test_what_redis_did_not_take_is_not_kept():
    # a save that failed leaves the next task to rebuild the document, as it would elsewhere
    d = RedisDocuments(f"redis://127.0.0.1:{free_port()}/0", 60)
    d.outcomes.append(False)
    x = _doc(1)
    d.save_many([(x.id, "v", "ner", x)], handover=True)
    assert d.load_many([(x.id, "v", "ner")]) == {}
    d.save(x.id, "v", "ner", x)
    assert d.load(x.id, "v", "ner") is None


def test_hand_overs_stay_in_the_process_until_one_is_taken_elsewhere_then_go_through_redis(docs):
    d, v = docs
    d.outcomes.clear()  # a new process
    r = redis_client()

    def hand_over(i: int) -> Document:
        x = _doc(i)
        d.save_many([(x.id, v, "ner", x)], handover=True)
        return x

    x = hand_over(0)
    assert d.local() and not r.exists(d.key(x.id, v, "ner"))  # kept here only, not encoded
    # what a failed article got to goes to Redis all the same, and the hand-over stays here
    failed = _doc(1)
    d.save_many([(failed.id, v, "events", failed)])
    assert r.exists(d.key(failed.id, v, "events"))
    assert d.load_many([(x.id, v, "ner")])[x.id] is x  # the next task ran here
    # the next hand-over's task runs in another process (which finds nothing and rebuilds) ...
    hand_over(2)
    # ... so the ones after it go through Redis, until LOCAL_STREAK in a row are taken here
    for i in range(LOCAL_STREAK):
        y = hand_over(10 + i)
        assert not d.local() and r.exists(d.key(y.id, v, "ner"))
        assert d.load_many([(y.id, v, "ner")])[y.id] is y
    z = hand_over(99)
    assert d.local() and not r.exists(d.key(z.id, v, "ner"))


def test_the_hand_over_of_a_process_s_last_task_goes_through_redis(docs):
    d, v = docs
    d.outcomes.clear()  # a new process, whose hand-overs stay in it ...
    r = redis_client()
    x = _doc(0)
    d.save_many([(x.id, v, "ner", x)], handover=True)
    assert d.local() and not r.exists(d.key(x.id, v, "ner"))
    d.load_many([(x.id, v, "ner")])
    # ... except its last task's (it is recycled after it): in Redis, and kept here all the same
    d.leaving = True
    y = _doc(1)
    d.save_many([(y.id, v, "ner", y)], handover=True)
    assert r.exists(d.key(y.id, v, "ner"))
    assert d.load_many([(y.id, v, "ner")])[y.id] is y
