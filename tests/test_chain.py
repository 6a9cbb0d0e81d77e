"""How an article's stages are grouped into the tasks of its chain (KHABAR_CHAIN), without
services: the chain built from the setting, and the stages a task runs from its chain."""

from __future__ import annotations

import pytest

from tests.conftest import TWO_TASK_CHAIN
from worker.steps import STEPS, chain_heads, span


def tasks_of(chain) -> list[tuple[str, str | None, str | None]]:
    return [
        (sig["task"].removeprefix("khabar."), sig.options.get("queue"), sig.options.get("time_limit"))
        for sig in chain.tasks
    ]


def settings(monkeypatch, **env: str):
    """Settings with these variables (monkeypatched: restored after the test)."""
    from worker.settings import get_settings

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    return get_settings()


def test_the_default_chain_is_one_task_and_a_retry_starts_where_it_failed(monkeypatch):
    from worker.tasks import build_chain

    monkeypatch.delenv("KHABAR_CHAIN", raising=False)
    s = settings(monkeypatch, KHABAR_QUEUE="q")
    assert chain_heads(s) == ("normalise",)
    assert tasks_of(build_chain("a1")) == [("normalise", "q", None)]
    # `failures retry` and the recovery sweep start from the stage not done, on the continue queue
    assert tasks_of(build_chain("a1", start="link")) == [("link", "q.continue", None)]


def test_a_chain_of_two_tasks_and_a_retry_starts_where_it_failed(monkeypatch):
    from worker.tasks import build_chain

    s = settings(monkeypatch, KHABAR_QUEUE="q", KHABAR_CHAIN=TWO_TASK_CHAIN)
    assert chain_heads(s) == ("normalise", "link")
    assert tasks_of(build_chain("a1")) == [("normalise", "q", None), ("link", "q.continue", None)]
    # `failures retry` and the recovery sweep start from the stage not done, mid-group.
    assert [t for t, *_ in tasks_of(build_chain("a1", start="segment"))] == ["segment", "link"]
    assert [t for t, *_ in tasks_of(build_chain("a1", start="events"))] == ["events"]


def test_a_task_runs_its_stages_up_to_the_next_task_of_its_chain():
    assert span("normalise", "link") == ("normalise", "segment", "ner")
    assert span("segment", "link") == ("segment", "ner")
    assert span("link", None) == ("link", "actors", "events", "store")
    assert span("store", None) == ("store",)
    # A next task that is not after this one (a chain from another grouping) is ignored.
    assert span("ner", "normalise") == STEPS[STEPS.index("ner") :]


def test_one_stage_per_task_and_a_malformed_chain_is_refused(monkeypatch):
    from worker.tasks import build_chain

    settings(monkeypatch, KHABAR_CHAIN=",".join(STEPS))
    assert [t for t, *_ in tasks_of(build_chain("a1"))] == list(STEPS)
    for bad in ("normalise+ner,segment,link+actors+events+store", "normalise+segment+ner,link"):
        with pytest.raises(ValueError, match="KHABAR_CHAIN"):
            chain_heads(settings(monkeypatch, KHABAR_CHAIN=bad))


def test_the_end_of_a_finite_send_goes_out_in_shrinking_batches():
    from worker.producer import TAPER, batches

    ids = [f"a{i}" for i in range(300)]
    assert [len(b) for b in batches(ids, 16)] == [16] * 18 + [12]
    tapered = list(batches(ids, 16, taper=True))
    assert [a for b in tapered for a in b] == ids  # every article once, in order
    sizes = [len(b) for b in tapered]
    assert sizes == sorted(sizes, reverse=True) and sizes[-1] == 1
    left = len(ids)
    for n in sizes:  # at most a TAPER-th of what is left, and full batches before the tail
        assert n == min(16, -(-left // TAPER))
        left -= n
    assert sizes[:15] == [16] * 15
    # a send of at most TAPER batches keeps its batches
    assert [len(b) for b in batches(ids[:3], 16, taper=True)] == [3]
    assert [len(b) for b in batches(ids[:64], 16, taper=True)] == [16] * 4
    assert [len(b) for b in batches(ids[:65], 16, taper=True)] == [16, 13, 9, 7, 5, 4, 3, 2, 2, 1, 1, 1, 1]
    assert list(batches([], 16, taper=True)) == []
