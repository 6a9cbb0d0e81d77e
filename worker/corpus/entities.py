"""One entity across articles: entities whose names are spelling variants of one another (ي/ى, ة/ه,
hamza seats, the article ال-, transliteration variants such as غ/ج in «سيرغي»/«سيرجي» and
«غراهام»/«جراهام», «الأميركية»/«الأمريكية») or aliases (``worker/lang/ar/entities/aliases.tsv``)
are merged into the first of them, with a reason; a merge can be listed and undone.

The variant key is the actor lexicon's ``key`` (the same folding that finds a name in the CAMEO
dictionary), so a name merges exactly when it would be coded alike. Two entities of one key are
still kept apart when their mentions were coded with different countries («عمان»: Amman, JOR, is
not «عُمان», Oman, OMN). A family name alone, a first name alone or a title never reaches another
person's key, so «سعد الحريري» and «رفيق الحريري», or «محمد بن سلمان» and «محمد بن زايد», stay apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from db.corpus import EntityKey, EntityMerge
from db.models import Entity, utcnow
from db.store import insert_rows
from worker.lang.ar import rows
from worker.lang.ar.actor_lexicon import key
from worker.lang.ar.normalise import normalise


@dataclass(frozen=True)
class Name:
    """An entity as the merger sees it."""

    name: str
    type: str
    country: str | None = None


@cache
def _aliases() -> dict[str, str]:
    return {key(r[0]): key(r[1]) for r in rows("entities/aliases")}


def spelling_key(name: str) -> str:
    return key(name)


def variant_key(name: str) -> str:
    """The key entities are merged on: spelling variants folded, then an alias resolved."""
    k = spelling_key(name)
    return _aliases().get(k, k)


def compatible(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


def merge_reason(a: Name, b: Name) -> tuple[str, str] | None:
    """(rule, reason) when ``b`` is the same entity as ``a``; None when they must stay apart."""
    if a.type != b.type or not compatible(a.country, b.country):
        return None
    ka, kb = spelling_key(a.name), spelling_key(b.name)
    if ka == kb:
        return "spelling", spelling_reason(a.name, b.name, ka)
    if variant_key(a.name) == variant_key(b.name):
        return (
            "alias",
            f"«{b.name}» and «{a.name}» are names of «{variant_key(a.name)}» (entities/aliases.tsv)",
        )
    return None


def spelling_reason(a: str, b: str, k: str) -> str:
    """Which foldings make ``a`` and ``b`` one name, in words a reviewer can check."""
    na, nb = normalise(a), normalise(b)
    what = []
    if na == nb:
        what.append("letters the normaliser folds (hamza/alef forms, ى/ي, ة/ه, diacritics)")
    else:
        if _without_article(na) != na or _without_article(nb) != nb:
            what.append("the article ال-")
        for old, new in _letter_variants():
            if (old in na) != (old in nb) or (old in na and new in nb) or (new in na and old in nb):
                what.append(f"{old}/{new}")
        if na.split() != nb.split() and "".join(na.split()) == "".join(nb.split()):
            what.append("a compound name written joined or apart («عبدالله», «عبد الله»)")
        if not what:
            what.append("prefixes and adjective endings")
    return f"«{b}» and «{a}» are one name once spelling variants are folded ({', '.join(what)}): «{k}»"


def _without_article(s: str) -> str:
    return " ".join(w[2:] if w.startswith("ال") and len(w) > 4 else w for w in s.split())


@cache
def _letter_variants() -> tuple[tuple[str, str], ...]:
    return tuple((r[0], r[1]) for r in rows("actors/letter_variants"))


# --- the database side ----------------------------------------------------------------------------


def canonical_id(session: Session, entity_id: int) -> int:
    """The entity an entity is merged into (itself when it is not merged)."""
    seen = set()
    while entity_id not in seen:
        seen.add(entity_id)
        into = session.scalar(
            select(EntityMerge.into_id).where(
                EntityMerge.entity_id == entity_id, EntityMerge.undone_at.is_(None)
            )
        )
        if into is None:
            break
        entity_id = into
    return entity_id


def link_entities(session: Session, entities: Sequence[tuple[int, Name]]) -> int:
    """Record the variant key of each (entity id, name) and merge it into the first entity of its
    key whose country does not conflict. A few statements per article, whatever its number of
    entities. Idempotent: an entity merged (or unmerged) before is left as it is; the country an
    entity keeps is the one its first coded mention gave. Returns how many merges were made."""
    wanted = {entity_id: (name, variant_key(name.name)) for entity_id, name in entities}
    if not wanted:
        return 0
    # One statement (not the ORM's bulk insert, which splits the rows by which lack a country).
    insert_rows(
        session,
        EntityKey,
        [{"entity_id": i, "type": n.type, "key": k, "country": n.country} for i, (n, k) in wanted.items()],
        ["entity_id"],
    )
    # One read: every entity of these keys (this article's among them) with its merge, if any.
    rows = session.execute(
        select(
            EntityKey.entity_id,
            EntityKey.type,
            EntityKey.key,
            Entity.canonical,
            EntityKey.country,
            EntityMerge.into_id,
            EntityMerge.undone_at,
        )
        .join(Entity, Entity.id == EntityKey.entity_id)
        .outerjoin(EntityMerge, EntityMerge.entity_id == EntityKey.entity_id)
        # Types and keys as two lists, the pairs then kept here: an IN of (type, key) pairs made
        # Postgres plan a branch for every pair (5 ms for a batch's 300), two lists are one
        # index scan; a key under a type of another pair is rare and only read.
        .where(EntityKey.type.in_(sorted({n.type for n, _ in wanted.values()})))
        .where(EntityKey.key.in_(sorted({k for _, k in wanted.values()})))
        .order_by(EntityKey.entity_id)
    ).all()
    pairs = {(n.type, k) for n, k in wanted.values()}
    rows = [r for r in rows if (r[1], r[2]) in pairs]
    decided = {r[0] for r in rows if r[5] is not None}  # merged, or unmerged by hand: left alone
    todo = {i: nk for i, nk in wanted.items() if i not in decided}
    # the entities of each (type, key), in id order: an entity is compared with its own key's only
    others: dict[tuple[str, str], list[tuple]] = {}
    for r in rows:
        others.setdefault((r[1], r[2]), []).append(r[:5])
    into_of = {r[0]: r[5] for r in rows if r[5] is not None and r[6] is None}
    merges = []
    for entity_id, (name, k) in sorted(todo.items()):
        for other_id, other_type, _, other_name, other_country in others.get((name.type, k), ()):
            if other_id >= entity_id:
                break
            reason = merge_reason(Name(other_name, other_type, other_country), name)
            into = into_of.get(other_id, other_id)
            if reason is None or into == entity_id:
                continue
            merges.append({"entity_id": entity_id, "into_id": into, "rule": reason[0], "reason": reason[1]})
            into_of[entity_id] = into
            break
    insert_rows(session, EntityMerge, merges, ["entity_id"])
    return len(merges)


def rekey(session: Session, batch: int = 5000) -> tuple[int, int]:
    """Bring the stored keys up to today's key (after an upgrade that changed the key: the entities
    stored before keep the keys they were stored with, and a new article's spelling of the name
    starts an entity of its own). Each entity whose key differs gets the new one; then the
    entities of every key that changed (the rekeyed and those already under it) are linked again
    as ``link_entities`` links an article's, the later into the first whose country does not
    conflict. Idempotent: a second run changes nothing. Returns (keys changed, merges made)."""
    stored = session.execute(
        select(EntityKey.entity_id, EntityKey.key, Entity.canonical).join(
            Entity, Entity.id == EntityKey.entity_id
        )
    ).all()
    changed = {i: k for i, old, name in stored if (k := variant_key(name)) != old}
    table = EntityKey.__table__
    by_id = table.update().where(table.c.entity_id == bindparam("eid")).values(key=bindparam("new_key"))
    params = [{"eid": i, "new_key": k} for i, k in sorted(changed.items())]
    for start in range(0, len(params), batch):
        session.connection().execute(by_id, params[start : start + batch])
    keys = sorted(set(changed.values()))
    merges = 0
    for start in range(0, len(keys), batch):
        rows = session.execute(
            select(EntityKey.entity_id, Entity.canonical, EntityKey.type, EntityKey.country)
            .join(Entity, Entity.id == EntityKey.entity_id)
            .where(EntityKey.key.in_(keys[start : start + batch]))
        ).all()
        merges += link_entities(session, [(i, Name(name, t, c)) for i, name, t, c in rows])
    return len(changed), merges


def names_of(
    session: Session, doc, saved: dict[tuple[str, str], int] | None = None
) -> list[tuple[int, Name]]:
    """(entity id, Name) of a stored document's mentions, each with its first coded country.
    ``saved``: entity ids by (type, canonical name), as ``save_results`` returned them (else read)."""
    from db.store import _entity_key, entity_ids_query

    first: dict[tuple[str, str], Name] = {}
    ids: dict[tuple[str, str], int] = {}
    for m in doc.mentions:
        k = (m.type, _entity_key(m.canonical))
        if k not in first or (first[k].country is None and m.country):
            first[k] = Name(m.canonical, m.type, m.country)
        if saved is not None and (m.type, m.canonical) in saved:
            ids[k] = saved[(m.type, m.canonical)]
    if not first:
        return []
    if saved is None:
        ids = {(t, norm): i for i, t, norm in session.execute(entity_ids_query(sorted(first)))}
    return [(ids[k], n) for k, n in first.items() if k in ids]


def unmerge(session: Session, entity_id: int) -> bool:
    """Undo the merge of an entity (it stands alone again, and is never merged automatically
    again). True when there was an active merge."""
    return (
        session.execute(
            update(EntityMerge)
            .where(EntityMerge.entity_id == entity_id, EntityMerge.undone_at.is_(None))
            .values(undone_at=utcnow())
        ).rowcount
        == 1
    )
