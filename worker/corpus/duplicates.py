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

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import delete, func, select, union_all, update
from sqlalchemy import text as sql
from sqlalchemy.orm import Session

from db.arrays import array_literal
from db.corpus import ArticleBand, ArticleDuplicate, ArticleSignature
from db.models import Article
from db.session import rows_planned_each_time
from worker.corpus.copy_rule import SETTING, TEMPLATE_HORIZON_DAYS, Seen, is_copy, measure, template_count
from worker.corpus.shingles import (
    MIN_WORDS,
    article_words,
    band_keys,
    estimated_containment,
    estimated_similarity,
    shingles,
    shingles_of,
    signature,
    turns,
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
    return index_articles(session, [article_id]).get(article_id)


def index_articles(session: Session, article_ids: Sequence[str]) -> dict[str, str | None]:
    """``index_article`` for a batch, in a few statements whatever its size (the articles read,
    their signatures and bands written, the band holders, the candidates' signatures and texts
    read), then the links of each article that has copies, in the batch's order. Every article
    of the batch is in the index before any is matched, so each also finds the copies the batch
    holds, whichever comes first: a group's first article is the earliest, whatever the order.
    Returns what each article that has copies points to (None: it is the first of its group)."""
    rows = {
        r[0]: r[1:]
        for r in session.execute(
            select(Article.id, Article.title, Article.body, Article.published_at, Article.ingested_at).where(
                Article.id.in_(list(article_ids))
            )
        )
    }
    mine: list[tuple[Seen, np.ndarray]] = []
    for article_id in dict.fromkeys(article_ids):
        if article_id not in rows:
            continue
        title, body, published_at, ingested_at = rows[article_id]
        text_words, body_words = article_words(title, body)
        if len(text_words) < MIN_WORDS:
            continue
        shingle_set = frozenset(shingles_of(text_words))
        sig = signature(shingle_set)
        me = Seen(
            article_id,
            aware(published_at or ingested_at),
            shingle_set,
            tuple(body_words),
            frozenset(band_keys(sig)),
        )
        mine.append((me, sig))
    if not mine:
        return {}
    _add_to_index(session, mine)
    # the holders of each article's bands within the window (the candidates; their count before
    # the pair is part of the template signal) and at most OLDER_HOLDERS older ones per band
    holders = _holders_of(session, [me for me, _ in mine])
    near: dict[str, dict[str, set[int]]] = {}
    seen_at: dict[str, dict[int, list[datetime]]] = {}
    for me, _ in mine:
        lo = me.when - timedelta(days=WINDOW_DAYS)
        mine_near, mine_seen = near.setdefault(me.id, {}), seen_at.setdefault(me.id, {})
        for key, other, when in holders.get(me.id, ()):
            when = aware(when)
            mine_seen.setdefault(key, []).append(when)
            if other != me.id and when >= lo:
                mine_near.setdefault(other, set()).add(key)
    wanted = sorted({other for n in near.values() for other in n})
    if not wanted:
        return {}
    sigs = {
        i: (signature_of(blob), n)
        for i, blob, n in session.execute(
            select(ArticleSignature.article_id, ArticleSignature.signature, ArticleSignature.shingles).where(
                ArticleSignature.article_id.in_(wanted)
            )
        )
    }
    reading = {
        me.id: [
            i
            for i in near[me.id]
            if i in sigs
            and worth_reading(estimated_similarity(sig, sigs[i][0]), len(me.shingles), sigs[i][1])
        ]
        for me, sig in mine
    }
    to_read = sorted({i for ids in reading.values() for i in ids})
    texts = {c.id: c for c in _load(session, to_read)} if to_read else {}
    out: dict[str, str | None] = {}
    for me, _ in mine:
        candidates = [texts[i] for i in reading[me.id] if i in texts]
        if not candidates:
            continue
        # where its body turns to another item: looked for only in an article with texts to compare
        me = replace(me, turns=turns(rows[me.id][1]))

        def template(a: Seen, b: Seen, near=near[me.id], seen=seen_at[me.id]) -> float:
            return template_count(near[b.id], max(a.when, b.when), seen)

        found = matches(me, candidates, template)
        if found:
            out[me.id] = link(session, me, found)
    return out


# Older holders read per band: the template rule compares a median count with
# SETTING.template_articles (3). A count capped at 7 is unchanged up to 7 and stays at or above 7
# beyond it, so each count, and the median of any two of them, falls on the same side of 3 as the
# full count's: the decisions are those of the uncapped count.
OLDER_HOLDERS = 7
assert OLDER_HOLDERS > 2 * SETTING.template_articles


def _add_to_index(session: Session, articles: list[tuple[Seen, np.ndarray]]) -> None:
    """The signature rows and the band rows: one statement on Postgres."""
    articles = sorted(articles, key=lambda a: a[0].id)  # one order in every batch: no deadlock
    sig_rows = [
        {"article_id": me.id, "signature": sig.tobytes(), "shingles": len(me.shingles), "seen_at": me.when}
        for me, sig in articles
    ]
    if session.get_bind().dialect.name == "postgresql":
        keys, first, last = _key_slices([me for me, _ in articles])
        session.execute(
            sql(
                "WITH s AS (INSERT INTO article_signatures (article_id, signature, shingles, seen_at) "
                "SELECT * FROM unnest(CAST(:ids AS varchar[]), CAST(:sigs AS bytea[]), "
                "CAST(:ns AS integer[]), CAST(:whens AS timestamptz[])) "
                "ON CONFLICT (article_id) DO NOTHING RETURNING article_id) "
                # Only the bands of the signatures inserted now, so with no conflict to look for:
                # an article's bands are written with its signature or not at all (a conflict
                # check is an index probe more for each of its 64 rows).
                "INSERT INTO article_bands (key, seen_at, article_id) "
                "SELECT k.key, a.seen_at, a.article_id FROM unnest(CAST(:ids AS varchar[]), "
                "CAST(:whens AS timestamptz[]), CAST(:first AS integer[]), CAST(:last AS integer[])) "
                "AS a(article_id, seen_at, first, last) "
                "JOIN s ON s.article_id = a.article_id "
                "CROSS JOIN LATERAL unnest((CAST(:keys AS bigint[]))[a.first:a.last]) AS k(key)"
            ),
            {
                "ids": array_literal([r["article_id"] for r in sig_rows]),
                "sigs": [r["signature"] for r in sig_rows],
                "ns": array_literal([r["shingles"] for r in sig_rows]),
                "whens": array_literal([r["seen_at"] for r in sig_rows]),
                "keys": array_literal(keys),
                "first": array_literal(first),
                "last": array_literal(last),
            },
        )
        return
    session.execute(
        _insert(session, ArticleSignature).on_conflict_do_nothing(index_elements=["article_id"]), sig_rows
    )
    session.execute(
        _insert(session, ArticleBand).on_conflict_do_nothing(),
        [{"key": k, "seen_at": me.when, "article_id": me.id} for me, _ in articles for k in sorted(me.keys)],
    )


def _key_slices(articles: Sequence[Seen]) -> tuple[list[int], list[int], list[int]]:
    """Every article's band keys in one array (each article's sorted), and where each article's
    begin and end in it (1-based, inclusive, as Postgres slices arrays): an article's id and dates
    go once, not once a key."""
    keys: list[int] = []
    first, last = [], []
    for me in articles:
        first.append(len(keys) + 1)
        keys.extend(sorted(me.keys))
        last.append(len(keys))
    return keys, first, last


# Postgres: for each (article, key), the window's holders are one index range, the older ones a
# backward scan of the same index stopped after OLDER_HOLDERS rows (LATERAL ... LIMIT). Planned
# on every run (``rows_planned_each_time``): a plan kept from the first articles of a new
# database scans the whole band table.
_HOLDERS_PG = (
    "SELECT q.article, k.key, b.article_id, b.seen_at FROM unnest(CAST(%(articles)s AS text[]), "
    "CAST(%(lo)s AS timestamptz[]), CAST(%(hi)s AS timestamptz[]), CAST(%(horizon)s AS timestamptz[]), "
    "CAST(%(first)s AS integer[]), CAST(%(last)s AS integer[])) AS q(article, lo, hi, horizon, first, last) "
    "CROSS JOIN LATERAL unnest((CAST(%(keys)s AS bigint[]))[q.first:q.last]) AS k(key) "
    "CROSS JOIN LATERAL (SELECT b.article_id, b.seen_at FROM article_bands b "
    "WHERE b.key = k.key AND b.seen_at >= q.lo AND b.seen_at <= q.hi "
    "UNION ALL (SELECT b.article_id, b.seen_at FROM article_bands b "
    "WHERE b.key = k.key AND b.seen_at >= q.horizon AND b.seen_at < q.lo "
    "ORDER BY b.seen_at DESC LIMIT %(older)s)) AS b"
)


def _holders_of(session: Session, articles: Sequence[Seen]) -> dict[str, list[tuple[int, str, datetime]]]:
    """For each article, (key, article id, seen_at) of the articles holding one of its keys: every
    one within the window around it, and the newest OLDER_HOLDERS of each key from the template
    horizon to the window. One statement on Postgres."""
    if session.get_bind().dialect.name != "postgresql":
        return {me.id: _holders(session, me.keys, me.when) for me in articles}
    keys, first, last = _key_slices(articles)
    params = {
        "articles": array_literal([me.id for me in articles]),
        "lo": array_literal([me.when - timedelta(days=WINDOW_DAYS) for me in articles]),
        "hi": array_literal([me.when + timedelta(days=WINDOW_DAYS) for me in articles]),
        "horizon": array_literal([me.when - timedelta(days=TEMPLATE_HORIZON_DAYS) for me in articles]),
        "first": array_literal(first),
        "last": array_literal(last),
        "keys": array_literal(keys),
        "older": OLDER_HOLDERS,
    }
    out: dict[str, list[tuple[int, str, datetime]]] = {}
    for article, key, other, when in rows_planned_each_time(session, _HOLDERS_PG, params):
        out.setdefault(article, []).append((key, other, when))
    return out


def _holders(session: Session, keys: Iterable[int], when: datetime) -> list[tuple[int, str, datetime]]:
    """SQLite (no LATERAL): (key, article id, seen_at) of the holders of ``keys`` around ``when``,
    the older holders numbered newest first per key and the first OLDER_HOLDERS kept."""
    keys = sorted(keys)
    lo, hi = when - timedelta(days=WINDOW_DAYS), when + timedelta(days=WINDOW_DAYS)
    horizon = when - timedelta(days=TEMPLATE_HORIZON_DAYS)
    b = ArticleBand
    near = select(b.key, b.article_id, b.seen_at).where(b.key.in_(keys), b.seen_at >= lo, b.seen_at <= hi)
    older = (
        select(
            b.key,
            b.article_id,
            b.seen_at,
            func.row_number().over(partition_by=b.key, order_by=b.seen_at.desc()).label("n"),
        )
        .where(b.key.in_(keys), b.seen_at >= horizon, b.seen_at < lo)
        .subquery()
    )
    capped = select(older.c.key, older.c.article_id, older.c.seen_at).where(older.c.n <= OLDER_HOLDERS)
    return [tuple(r) for r in session.execute(union_all(near, capped))]


def _load(session: Session, ids: Iterable[str]) -> list[Seen]:
    rows = session.execute(
        select(Article.id, Article.title, Article.body, ArticleSignature.seen_at)
        .join(ArticleSignature, ArticleSignature.article_id == Article.id)
        .where(Article.id.in_(list(ids)))
    )
    out = []
    for i, t, b, w in rows:
        text_words, body_words = article_words(t, b)
        out.append(Seen(i, aware(w), frozenset(shingles_of(text_words)), tuple(body_words), turns=turns(b)))
    return out


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
    upsert = _insert(session, ArticleDuplicate).values(
        [{"article_id": a, "duplicate_of": d, "similarity": s} for a, (d, s) in sorted(links.items())]
    )
    session.execute(
        upsert.on_conflict_do_update(
            index_elements=["article_id"],
            set_={"duplicate_of": upsert.excluded.duplicate_of, "similarity": upsert.excluded.similarity},
        )
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
        me = Seen(
            article_id,
            aware(when),
            sh,
            tuple(words(body[0] if body else text)),
            frozenset(keys),
            turns(body[0] if body else text),
        )
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
