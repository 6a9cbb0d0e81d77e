"""Near-duplicate articles: an article that re-publishes an earlier one (a wire printed by several
outlets, a lightly edited or trimmed copy) is linked to the first article of its group.

Each article's MinHash signature and band keys go to the database (``article_signatures``,
``article_bands``), so the LSH index is one for every worker and survives restarts. Candidates
(articles sharing a band, published within the window) are screened on their signatures, then
compared on their exact shingle sets, where their shared text begins and whether it is a template
printed on earlier days too (worker/corpus/copy_rule.py). The first article of a group (earliest
publication, then id) is the one the others point to, whatever order they arrive in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from db.corpus import ArticleBand, ArticleDuplicate, ArticleSignature
from db.models import Article
from worker.corpus.copy_rule import SETTING, TEMPLATE_HORIZON_DAYS, Seen, is_copy, measure, template_count
from worker.corpus.shingles import (
    MIN_WORDS,
    article_text,
    band_keys,
    estimated_containment,
    estimated_similarity,
    shingles,
    signature,
    words,
)

WINDOW_DAYS = SETTING.window_days
# Signature screening: a candidate whose estimated similarity is this far below both thresholds is
# not read (the estimate from 128 values has a standard error of about 0.04).
SCREEN_MARGIN = 0.15

__all__ = ["Seen", "WINDOW_DAYS", "index_article", "matches", "regroup", "scan"]


def order_key(a: Seen) -> tuple[datetime, str]:
    return (a.when, a.id)


def within(a: Seen, b: Seen, days: float = WINDOW_DAYS) -> bool:
    return abs((a.when - b.when).total_seconds()) <= days * 86400


def worth_reading(j: float, na: int, nb: int) -> bool:
    """Whether a candidate's signature estimate (Jaccard ``j``, shingle counts) could be a copy."""
    return (
        j >= SETTING.jaccard - SCREEN_MARGIN
        or estimated_containment(j, na, nb) >= SETTING.containment - SCREEN_MARGIN
    )


def matches(
    article: Seen, candidates: Iterable[Seen], template: Callable[[Seen, Seen], float] | None = None
) -> list[tuple[Seen, float]]:
    """The candidates that are copies of ``article`` (or it of them), with their Jaccard similarity.
    ``template(a, b)``: how many older articles hold the bands the two share (none known: 0)."""
    out = []
    for c in candidates:
        if c.id == article.id or not within(article, c):
            continue
        s = measure(article, c, template(article, c) if template else 0.0)
        if is_copy(s):
            out.append((c, s.jaccard))
    return out


def aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


# --- the database side ----------------------------------------------------------------------------


def _insert(session: Session, model):
    from db.store import _insert as insert

    return insert(session, model)


def index_article(session: Session, article_id: str) -> str | None:
    """Add the article to the shared LSH index and link it with its copies. Returns the id of the
    article it duplicates, if any. Safe to run again (re-delivery, reprocessing): the signature,
    bands and links are upserts, and the links are recomputed from the same rows."""
    row = session.execute(
        select(Article.title, Article.body, Article.published_at, Article.ingested_at).where(
            Article.id == article_id
        )
    ).first()
    if row is None:
        return None
    title, body, published_at, ingested_at = row
    text = article_text(title, body)
    if len(words(text)) < MIN_WORDS:
        return None
    me = Seen(
        article_id,
        aware(published_at or ingested_at),
        frozenset(shingles(text)),
        tuple(words(body or "")),
    )
    sig = signature(me.shingles)
    keys = band_keys(sig)
    me = Seen(me.id, me.when, me.shingles, me.body, frozenset(keys))
    session.execute(
        _insert(session, ArticleSignature)
        .values(article_id=article_id, signature=sig.tobytes(), shingles=len(me.shingles), seen_at=me.when)
        .on_conflict_do_nothing(index_elements=["article_id"])
    )
    # executemany of one cached statement (batched into one round trip), not a 64-row literal
    # statement compiled afresh for every article
    session.execute(
        _insert(session, ArticleBand).on_conflict_do_nothing(index_elements=["key", "article_id"]),
        [{"key": k, "article_id": article_id} for k in keys],
    )
    # every article holding one of my bands, from the template horizon to the end of the window: the
    # near ones are the candidates, the older ones tell a template from a new text
    lo, hi = me.when - timedelta(days=WINDOW_DAYS), me.when + timedelta(days=WINDOW_DAYS)
    seen_at: dict[int, list[datetime]] = {}
    near: dict[str, set[int]] = {}
    for key, other, when in session.execute(
        select(ArticleBand.key, ArticleBand.article_id, ArticleSignature.seen_at)
        .join(ArticleSignature, ArticleSignature.article_id == ArticleBand.article_id)
        .where(
            ArticleBand.key.in_(keys),
            ArticleSignature.seen_at >= me.when - timedelta(days=TEMPLATE_HORIZON_DAYS),
            ArticleSignature.seen_at <= hi,
        )
    ):
        when = aware(when)
        seen_at.setdefault(key, []).append(when)
        if other != article_id and when >= lo:
            near.setdefault(other, set()).add(key)
    if not near:
        return None
    candidate_ids = [
        i
        for i, blob, n in session.execute(
            select(ArticleSignature.article_id, ArticleSignature.signature, ArticleSignature.shingles).where(
                ArticleSignature.article_id.in_(list(near))
            )
        )
        if worth_reading(estimated_similarity(sig, signature_of(blob)), len(me.shingles), n)
    ]
    if not candidate_ids:
        return None

    def template(a: Seen, b: Seen) -> float:
        return template_count(near[b.id], max(a.when, b.when), seen_at)

    found = matches(me, _load(session, candidate_ids), template)
    return link(session, me, found)


def _load(session: Session, ids: Iterable[str]) -> list[Seen]:
    rows = session.execute(
        select(Article.id, Article.title, Article.body, ArticleSignature.seen_at)
        .join(ArticleSignature, ArticleSignature.article_id == Article.id)
        .where(Article.id.in_(list(ids)))
    )
    return [
        Seen(i, aware(w), frozenset(shingles(article_text(t, b))), tuple(words(b or "")))
        for i, t, b, w in rows
    ]


def regroup(
    me: Seen, found: list[tuple[Seen, float]], pointed: dict[str, tuple[str, float]], roots: list[Seen]
) -> tuple[Seen, dict[str, tuple[str, float]]]:
    """The first article of the group made by ``me``, its copies ``found`` and the first articles
    they already point to (``roots``; ``pointed``: their current links), and the link of every
    other member: (first article, similarity). A member keeps the similarity it was linked with;
    one that is linked through ``me`` only gets its similarity to ``me``."""
    similar = {c.id: s for c, s in found}
    group = {me.id: me, **{c.id: c for c, _ in found}, **{r.id: r for r in roots}}
    first = min(group.values(), key=order_key)
    links = {}
    for a in group:
        if a == first.id:
            continue
        if a == me.id:
            sim = similar.get(first.id) or max(similar.values())
        else:
            sim = pointed[a][1] if a in pointed else similar.get(a) or max(similar.values())
        links[a] = (first.id, sim)
    return first, links


def through_first(
    found: list[tuple[Seen, float]], pointed: dict[str, tuple[str, float]]
) -> list[tuple[Seen, float]]:
    """The copies through which an article joins a group: a group's first article, or a copy whose
    first article it copies too (``pointed``: the copies' current links). Joining through any member
    would chain groups: a joint report that copies two releases would make one group of both."""
    ids = {c.id for c, _ in found}
    return [(c, s) for c, s in found if c.id not in pointed or pointed[c.id][0] in ids]


def link(session: Session, me: Seen, found: list[tuple[Seen, float]]) -> str | None:
    """Point every article of the group (``me``, its copies, and what those already point to) at
    the group's first article, and what pointed at a member at the first too. Returns what ``me``
    points to."""
    if not found:
        return None
    members = [me.id, *(c.id for c, _ in found)]
    pointed = {
        a: (d, s)
        for a, d, s in session.execute(
            select(
                ArticleDuplicate.article_id, ArticleDuplicate.duplicate_of, ArticleDuplicate.similarity
            ).where(ArticleDuplicate.article_id.in_(members))
        )
    }
    found = through_first(found, pointed)
    if not found:
        return None
    members = [me.id, *(c.id for c, _ in found)]
    pointed = {a: v for a, v in pointed.items() if a in members}
    roots = _seen(session, {d for d, _ in pointed.values()} - set(members))
    first, links = regroup(me, found, pointed, roots)
    session.execute(delete(ArticleDuplicate).where(ArticleDuplicate.article_id == first.id))
    for a, (d, s) in sorted(links.items()):
        session.execute(
            _insert(session, ArticleDuplicate)
            .values(article_id=a, duplicate_of=d, similarity=s)
            .on_conflict_do_update(index_elements=["article_id"], set_={"duplicate_of": d, "similarity": s})
        )
    session.execute(
        update(ArticleDuplicate)
        .where(ArticleDuplicate.duplicate_of.in_(list(links)))
        .values(duplicate_of=first.id)
    )
    return links.get(me.id, (None, 0))[0]


def _seen(session: Session, ids: set[str]) -> list[Seen]:
    if not ids:
        return []
    rows = session.execute(
        select(ArticleSignature.article_id, ArticleSignature.seen_at).where(
            ArticleSignature.article_id.in_(ids)
        )
    )
    return [Seen(i, aware(w), frozenset()) for i, w in rows]


def signature_of(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.uint64)


# --- a corpus in memory (`khabar duplicates scan PATH`, `evaluate`) ----------------------------------


def scan(
    items: Iterable[tuple[str, datetime, str] | tuple[str, datetime, str, str]],
    progress: Callable[[int], None] | None = None,
) -> dict:
    """Near-duplicates among ``items`` (id, when, text[, body]: the text is title and body; the body
    alone, when given, is where a shared passage is looked for at the opening) with the same
    signature, bands, window and rule as the pipeline, in memory: {article id: (first article id,
    similarity)}."""
    buckets: dict[int, list[str]] = {}
    seen: dict[str, Seen] = {}
    sigs: dict[str, np.ndarray] = {}
    links: dict[str, tuple[str, float]] = {}
    for n, (article_id, when, text, *body) in enumerate(items, 1):
        if progress:
            progress(n)
        if len(words(text)) < MIN_WORDS:
            continue
        sh = frozenset(shingles(text))
        sig = signature(sh)
        keys = band_keys(sig)
        me = Seen(article_id, aware(when), sh, tuple(words(body[0] if body else text)), frozenset(keys))
        seen[article_id] = me
        sigs[article_id] = sig
        candidates = {c for k in keys for c in buckets.get(k, ())}
        for k in keys:
            buckets.setdefault(k, []).append(article_id)
        likely = (
            seen[c]
            for c in sorted(candidates)
            if within(me, seen[c])
            and worth_reading(estimated_similarity(sig, sigs[c]), len(me.shingles), len(seen[c].shingles))
        )

        def template(a: Seen, b: Seen) -> float:
            shared = a.keys & b.keys
            return template_count(
                shared, max(a.when, b.when), {k: [seen[i].when for i in buckets[k]] for k in shared}
            )

        found = matches(me, likely, template)
        found = through_first(found, {c.id: links[c.id] for c, _ in found if c.id in links})
        if not found:
            continue
        members = {me.id, *(c.id for c, _ in found)}
        pointed = {a: links[a] for a in members if a in links}
        roots = [seen[d] for d, _ in pointed.values() if d not in members]
        first, new = regroup(me, found, pointed, roots)
        links.pop(first.id, None)
        links.update(new)
        for a, (d, s) in list(links.items()):
            if d in new:
                links[a] = (first.id, s)
    return links
