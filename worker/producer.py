"""The enqueue API used by the CLI and by other programs.

For each input item: validate; store the raw article (idempotent on its content hash); after the
commit, send its chain. Items that fail validation are recorded in ``failures`` with the reason
and the (truncated) payload; articles that could not be sent stay ``queued`` in the database and
are listed, so they can be re-enqueued (``khabar failures retry --stage enqueue``).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from db.session import session_scope
from db.store import add_article, mark_sent, record_failure, resolve_failures_of
from worker.messages import InvalidArticle, RawItem, validate
from worker.settings import Settings, get_settings

log = logging.getLogger("khabar.producer")


@dataclass
class EnqueueReport:
    accepted: list[tuple[str, str]] = field(default_factory=list)  # (ref, article id)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    invalid: list[tuple[str, str]] = field(default_factory=list)  # (ref, reason)
    not_enqueued: list[tuple[str, str]] = field(default_factory=list)  # (article id, error)
    # Paths that held no article to validate (missing, unreadable, empty): nothing to record.
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)

    @property
    def ok(self) -> bool:
        return not self.invalid and not self.not_enqueued and not self.unreadable


def _record_invalid(exc: InvalidArticle) -> None:
    digest = hashlib.sha256((exc.payload or "").encode("utf-8", "replace")).hexdigest()[:12]
    with session_scope() as session:
        record_failure(
            session,
            key=f"input:{exc.ref}:{digest}",
            stage="validate",
            error=exc.reason,
            payload_ref=exc.ref,
            payload=exc.payload,
        )


def store_items(items: Iterable[RawItem], s: Settings, report: EnqueueReport) -> list[str]:
    """Validate and store; returns the ids of newly stored articles (to be sent)."""
    new_ids: list[str] = []
    for item in items:
        try:
            if item.error:
                raise InvalidArticle(item.error, item.ref, str(item.data))
            article = validate(item.data, item.ref, s.max_body_bytes, item.fallback)
            row = article.row(s.extractor_version)
        except InvalidArticle as exc:
            # Info, not warning: the caller reports every refusal (the CLI printed each twice).
            log.info("refused %s", exc)
            report.invalid.append((exc.ref or item.ref, exc.reason))
            _record_invalid(exc)
            continue
        with session_scope() as session:
            article_id, created = add_article(session, row)
        if created:
            report.accepted.append((item.ref, article_id))
            new_ids.append(article_id)
        else:
            report.duplicates.append((item.ref, article_id))
    return new_ids


# The end of a long send goes out in shrinking batches, each at most a TAPER-th of what is left
# (guided self-scheduling, Polychronopoulos and Kuck, 1987). With full batches to the end, one
# worker often sat idle while another ran the last chain of 16 articles: 0.14-0.59 s of a
# 7-9 s run of 300 articles on two workers. With up to TAPER workers they now run out of work
# within an article or two of each other. Only the last TAPER × KHABAR_BATCH_SIZE articles of a
# send longer than that are concerned: a short send keeps its batches.
TAPER = 4


def batches(article_ids: Iterable[str], size: int, taper: bool = False) -> Iterator[list[str]]:
    """Consecutive batches of at most ``size``; with ``taper``, the last ones of a send longer
    than ``TAPER`` batches shrink."""
    if taper:
        ids = list(article_ids)
        if len(ids) <= TAPER * size:
            yield from batches(ids, size)
            return
        i = 0
        while i < len(ids):
            n = min(size, -(-(len(ids) - i) // TAPER))
            yield ids[i : i + n]
            i += n
        return
    batch: list[str] = []
    for article_id in article_ids:
        batch.append(article_id)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def send(
    article_ids: Iterable[str],
    s: Settings,
    report: EnqueueReport,
    start: str | None = None,
    batch_size: int | None = None,
    taper: bool = False,
) -> None:
    """Send the articles' chains, one per batch of ``KHABAR_BATCH_SIZE`` (or ``batch_size``)
    articles, with the broker retry policy; what cannot be sent is listed in the report and
    recorded as an ``enqueue`` failure (the article stays stored and queued). ``taper``: these
    are the last articles for a while (a whole file), so the last batches shrink (``TAPER``)."""
    from worker.tasks import build_chain  # the Celery app is only needed when sending

    policy = {
        "max_retries": s.enqueue_retries,
        "interval_start": 0.2,
        "interval_step": 0.5,
        "interval_max": 2,
    }
    # Once the broker has refused an article after the whole retry policy, the rest get one try
    # each (not the whole policy again), so a long batch fails in seconds, not minutes.
    broker_down = False
    for batch in batches(article_ids, batch_size or s.batch_size, taper):
        try:
            kwargs = {"start": start} if start else {}
            build_chain(batch, **kwargs).apply_async(
                retry=True, retry_policy={**policy, "max_retries": 0} if broker_down else policy
            )
        except Exception as exc:  # noqa: BLE001 - kombu raises several types for an absent broker
            broker_down = True
            with session_scope() as session:
                for article_id in batch:
                    log.error("could not enqueue %s: %s", article_id, exc)
                    report.not_enqueued.append((article_id, f"{type(exc).__name__}: {exc}"))
                    record_failure(
                        session,
                        key=f"article:{article_id}:enqueue",
                        stage="enqueue",
                        error=exc,
                        article_id=article_id,
                        payload_ref=f"article:{article_id}",
                    )
        else:
            broker_down = False
            with session_scope() as session:
                resolve_failures_of(session, batch)
                mark_sent(session, batch)


def enqueue(
    items: Iterable[RawItem],
    s: Settings | None = None,
    dispatch: Callable[[list[str], Settings, EnqueueReport], None] | None = None,
    report: EnqueueReport | None = None,
) -> EnqueueReport:
    """Validate, store and dispatch. ``dispatch`` defaults to sending chains to the broker; the
    embedded mode passes an in-process runner instead. ``report`` may already hold what the
    reader found unreadable."""
    s = s or get_settings()
    report = report or EnqueueReport()
    new_ids = store_items(items, s, report)
    if dispatch is None:
        send(new_ids, s, report, taper=True)
    else:
        dispatch(new_ids, s, report)
    return report
