"""Pipeline metrics for Prometheus (``khabar metrics``), read from the database and the broker at
each scrape.

Flower's ``/metrics`` covers Celery's side: tasks by state, runtimes, workers online. These cover
what only Khabar knows and what an operator alerts on: articles by status, open failures by stage
(the dead-letter table), messages waiting on each queue, and how long the least recently advanced
article in flight has been still (a stuck or lost message). A source that does not answer is
reported through ``khabar_database_up`` / ``khabar_broker_up`` = 0, not by failing the scrape.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from worker.settings import get_settings

log = logging.getLogger("khabar.metrics")


def queue_depths() -> dict[str, int] | None:
    """Messages waiting on each of Khabar's queues (None when the broker cannot be reached)."""
    from amqp.exceptions import ChannelError

    from worker.app import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1)
            out = {}
            for queue in get_settings().worker_queues:
                # a channel each: AMQP closes the channel of a failed passive declare
                with conn.channel() as channel:
                    try:
                        out[queue] = channel.queue_declare(queue=queue, passive=True).message_count
                    except ChannelError:  # a queue that does not exist: Redis drops empty ones
                        out[queue] = 0
            return out
    except Exception:  # noqa: BLE001 - any broker problem means "unknown"
        return None


def _age_seconds(then: datetime, now: datetime) -> float:
    if then.tzinfo is None:  # SQLite hands back naive UTC
        then = then.replace(tzinfo=UTC)
    return max(0.0, (now - then).total_seconds())


class PipelineCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        from db.session import session_scope
        from db.store import oldest_in_flight, open_failure_counts, status_counts

        db_up = GaugeMetricFamily("khabar_database_up", "1 if the database answered this scrape")
        try:
            with session_scope() as session:
                counts = status_counts(session)
                failures = open_failure_counts(session)
                oldest = oldest_in_flight(session)
        except Exception as exc:  # noqa: BLE001 - report the outage, keep serving
            log.warning("metrics: database unavailable: %s", exc)
            db_up.add_metric([], 0)
            yield db_up
        else:
            db_up.add_metric([], 1)
            yield db_up
            articles = GaugeMetricFamily("khabar_articles", "Articles by status", labels=["status"])
            for status in sorted({"queued", "processing", "done", "failed", *counts}):
                articles.add_metric([status], counts.get(status, 0))
            yield articles
            open_failures = GaugeMetricFamily(
                "khabar_open_failures",
                "Unresolved failures by stage (khabar failures list)",
                labels=["stage"],
            )
            for stage, n in sorted(failures.items()):
                open_failures.add_metric([stage], n)
            yield open_failures
            yield GaugeMetricFamily(
                "khabar_oldest_in_flight_age_seconds",
                "Seconds since the least recently advanced queued or processing article changed (0: none)",
                value=_age_seconds(oldest, datetime.now(UTC)) if oldest else 0.0,
            )

        depths = queue_depths()
        yield GaugeMetricFamily(
            "khabar_broker_up", "1 if the broker answered this scrape", value=0 if depths is None else 1
        )
        if depths is not None:
            waiting = GaugeMetricFamily(
                "khabar_queue_messages", "Messages waiting on a queue", labels=["queue"]
            )
            for queue, n in depths.items():
                waiting.add_metric([queue], n)
            yield waiting
