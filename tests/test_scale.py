"""Every CLI query and store lookup has an index plan (issue 14, item 4).

Plans at scale are measured by `khabar bench queries` (README, Scale): a benchmark, not a test.
What a test can hold on any machine is that each query *can* be answered by its index: with
sequential scans priced out, Postgres picks the index named here, on the real schema the
migrations build. Before the indexes existed these plans fell back to scanning whole tables.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from db.models import Article, Event, Failure, in_flight, not_done
from db.session import session_scope
from db.store import entity_ids_query, events_query, participant_event_ids, stalled_query
from tests.conftest import PG_ADMIN_URL, ROOT
from worker.commands.bench_queries import _plan

pytestmark = pytest.mark.db

NOW = datetime(2026, 1, 1, tzinfo=UTC)
CASES = {
    "events, newest first": (lambda: events_query().limit(50), "ix_events_date_id"),
    "events --type": (lambda: events_query(type_="PROTEST").limit(50), "ix_events_type_date_id"),
    "events --until": (lambda: events_query(until="2001-03").limit(50), "ix_events_date_id"),
    "export: a page after the last one": (
        lambda: events_query(limit=1000, after=("2024-05", 123)).limit(1000),
        "ix_events_date_id",
    ),
    "events --participant (name part)": (
        lambda: participant_event_ids("لافروف"),
        "ix_entities_normalised_trgm",
    ),
    "events --place (substring)": (
        lambda: select(Event.id).where(Event.location.contains("موسكو")),
        "ix_events_location_trgm",
    ),
    "store step: entity ids by (type, name)": (
        lambda: entity_ids_query([("LOC", "روسيا"), ("PERS", "سيرغي لافروف")]),
        "uq_entities_type_normalised",
    ),
    "recover: stalled articles": (lambda: stalled_query(NOW, 10_000), "ix_articles_in_flight"),
    "metrics: oldest in flight": (
        lambda: select(func.min(Article.updated_at)).where(in_flight()),
        "ix_articles_in_flight",
    ),
    "status: articles not done by status": (
        lambda: select(Article.status, func.count()).where(not_done()).group_by(Article.status),
        "ix_articles_not_done",
    ),
    "status: open failures by stage": (
        lambda: (
            select(Failure.stage, func.count()).where(Failure.resolved_at.is_(None)).group_by(Failure.stage)
        ),
        "ix_failures_open",
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_each_query_is_answered_by_its_index(db, name):
    statement, index = CASES[name]
    with session_scope() as s:
        s.execute(text("SET LOCAL enable_seqscan = off"))
        s.execute(text("SET LOCAL enable_sort = off"))  # "newest first" comes from the index order
        plan, summary = _plan(s, statement())
        s.rollback()
    assert index in summary, f"{name}: {summary}\n{plan}"


def test_bench_queries_prints_a_plan_and_a_time_per_query(pg_url):
    """The benchmark itself, at a size that runs in seconds: every query gets its row."""
    r = subprocess.run(
        [sys.executable, "-m", "worker.cli", "bench", "queries", "--articles", "3000", "--repeat", "1",
         "--admin-url", PG_ADMIN_URL],
        cwd=ROOT, capture_output=True, timeout=300,
    )  # fmt: skip
    out = r.stdout.decode()
    assert r.returncode == 0, r.stderr.decode()[-3000:]
    assert "## events --participant لافروف" in out and "Execution Time" in out  # the plans
    rows = [line for line in out.splitlines() if line.startswith("| `")]
    assert len(rows) >= 19, out[-3000:]
    assert any(line.startswith("| `store step: a whole article's writes") for line in rows)
