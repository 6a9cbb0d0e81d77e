"""`khabar entity`: one entity across articles — what Khabar knows of a name (aliases, actor code,
articles, first and last seen, who it acts with), the merges of spelling variants and aliases, and
undoing a merge."""

from __future__ import annotations

import json
from collections import Counter

import click


class _NameOrCommand(click.Group):
    """`khabar entity NAME` shows a name; `khabar entity merges` and `unmerge` are subcommands."""

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.commands:
            args = ["show", *args]
        return super().resolve_command(ctx, args)


@click.group(cls=_NameOrCommand)
def entity() -> None:
    """One entity across articles: `khabar entity NAME` (aliases, actor code, articles, first and
    last seen, top co-participants), `khabar entity merges`, `khabar entity unmerge ID`, `khabar
    entity rekey` (after an upgrade that changed how names are keyed).

    Entities whose names are spelling variants («سيرغي»/«سيرجي», «الأميركية»/«الأمريكية», ي/ى,
    ة/ه, hamza forms, ال-) or listed aliases are merged across articles, each with a reason."""


def _group(session, name: str) -> tuple[int, list[int]] | None:
    """The canonical entity a name reaches and every entity merged into it."""
    from sqlalchemy import select

    from db.corpus import EntityKey, EntityMerge
    from db.models import Entity
    from worker.corpus.entities import canonical_id, variant_key
    from worker.lang.ar.normalise import normalise_name

    ids = session.scalars(
        select(Entity.id).where(Entity.normalised == normalise_name(name)).order_by(Entity.id)
    ).all()
    if not ids:
        ids = session.scalars(
            select(EntityKey.entity_id)
            .where(EntityKey.key == variant_key(name))
            .order_by(EntityKey.entity_id)
        ).all()
    if not ids:
        return None
    root = canonical_id(session, ids[0])
    members, frontier = {root}, [root]
    while frontier:
        merged = session.scalars(
            select(EntityMerge.entity_id).where(
                EntityMerge.into_id.in_(frontier), EntityMerge.undone_at.is_(None)
            )
        ).all()
        frontier = [m for m in merged if m not in members]
        members.update(frontier)
    return root, sorted(members)


@entity.command()
@click.argument("words", nargs=-1, required=True)
@click.option("--top", type=int, default=5, show_default=True, help="Co-participants shown.")
@click.option("--json", "as_json", is_flag=True)
def show(words: tuple[str, ...], top: int, as_json: bool) -> None:
    """What Khabar knows of a name across articles (quotes are optional: the words are joined)."""
    from sqlalchemy import func, select

    from db.models import Article, Entity, EventArgument, Mention
    from db.session import session_scope

    name = " ".join(words)
    with session_scope() as session:
        found = _group(session, name)
        if found is None:
            raise click.ClickException(f"no entity named «{name}»")
        root, members = found
        canonical = session.get(Entity, root)
        names = session.scalars(
            select(Entity.canonical).where(Entity.id.in_(members)).order_by(Entity.id)
        ).all()
        texts = Counter(session.scalars(select(Mention.text).where(Mention.entity_id.in_(members))).all())
        codes = Counter(
            f"{c}{s or ''}"
            for c, s in session.execute(
                select(Mention.country, Mention.sector).where(
                    Mention.entity_id.in_(members), Mention.country.is_not(None)
                )
            )
        )
        articles, first, last = session.execute(
            select(
                func.count(func.distinct(Mention.article_id)),
                func.min(func.coalesce(Article.published_at, Article.ingested_at)),
                func.max(func.coalesce(Article.published_at, Article.ingested_at)),
            )
            .join(Article, Article.id == Mention.article_id)
            .where(Mention.entity_id.in_(members))
        ).one()
        theirs = select(EventArgument.event_id).where(
            EventArgument.entity_id.in_(members), EventArgument.role != "location"
        )
        partners = session.execute(
            select(Entity.canonical, func.count(func.distinct(EventArgument.event_id)).label("n"))
            .join(Entity, Entity.id == EventArgument.entity_id)
            .where(
                EventArgument.event_id.in_(theirs),
                EventArgument.entity_id.not_in(members),
                EventArgument.role != "location",
            )
            .group_by(Entity.canonical)
            .order_by(func.count(func.distinct(EventArgument.event_id)).desc(), Entity.canonical)
            .limit(top)
        ).all()
    rec = {
        "entity_id": root,
        "name": canonical.canonical,
        "type": canonical.type,
        "aliases": sorted({*names, *texts} - {canonical.canonical}),
        "actor_code": codes.most_common(1)[0][0] if codes else None,
        "actor_codes": dict(codes.most_common()),
        "articles": articles,
        "first_seen": _iso(first),
        "last_seen": _iso(last),
        "co_participants": [{"name": n, "events": k} for n, k in partners],
    }
    if as_json:
        click.echo(json.dumps(rec, ensure_ascii=False))
        return
    click.echo(f"{rec['name']}  [{rec['type']}]  entity {root}")
    click.echo(f"  aliases: {', '.join(rec['aliases']) or '-'}")
    code_line = ", ".join(f"{c} ×{n}" for c, n in codes.most_common()) or "unknown"
    click.echo(f"  actor code: {rec['actor_code'] or '-'}  ({code_line})")
    click.echo(
        f"  articles: {articles}, first seen {rec['first_seen'] or '-'}, last seen {rec['last_seen'] or '-'}"
    )
    click.echo("  top co-participants: " + (", ".join(f"{n} ({k})" for n, k in partners) or "-"))


def _iso(at) -> str | None:
    from worker.corpus.story_queries import _iso as iso

    return iso(at)


@entity.command()
@click.option("--undone", is_flag=True, help="Also the merges that were undone.")
@click.option("--limit", type=int, default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def merges(undone: bool, limit: int, as_json: bool) -> None:
    """The merges made across articles: which entity went into which, by what rule and why."""
    from sqlalchemy import select
    from sqlalchemy.orm import aliased

    from db.corpus import EntityMerge
    from db.models import Entity
    from db.session import session_scope

    into = aliased(Entity)
    q = (
        select(EntityMerge, Entity.canonical, into.canonical)
        .join(Entity, Entity.id == EntityMerge.entity_id)
        .join(into, into.id == EntityMerge.into_id)
        .order_by(EntityMerge.merged_at.desc(), EntityMerge.entity_id)
        .limit(limit)
    )
    if not undone:
        q = q.where(EntityMerge.undone_at.is_(None))
    with session_scope() as session:
        for m, name, into_name in session.execute(q):
            rec = {
                "entity_id": m.entity_id,
                "name": name,
                "into_id": m.into_id,
                "into": into_name,
                "rule": m.rule,
                "reason": m.reason,
                "undone": m.undone_at is not None,
            }
            if as_json:
                click.echo(json.dumps(rec, ensure_ascii=False))
            else:
                flag = "  (undone)" if rec["undone"] else ""
                click.echo(f"{m.entity_id} «{name}» → {m.into_id} «{into_name}»  [{m.rule}] {m.reason}{flag}")


@entity.command()
@click.argument("ref")
def unmerge(ref: str) -> None:
    """Undo the merge of entity REF (an entity id as `merges` lists it, or a name): it stands alone
    again and is not merged again automatically."""
    from sqlalchemy import select

    from db.corpus import EntityMerge
    from db.models import Entity
    from db.session import session_scope
    from worker.corpus.entities import unmerge as undo
    from worker.lang.ar.normalise import normalise_name

    with session_scope() as session:
        if ref.isdigit():
            ids = [int(ref)]
        else:
            ids = session.scalars(
                select(EntityMerge.entity_id)
                .join(Entity, Entity.id == EntityMerge.entity_id)
                .where(Entity.normalised == normalise_name(ref), EntityMerge.undone_at.is_(None))
            ).all()
        done = [i for i in ids if undo(session, i)]
    if not done:
        raise click.ClickException(f"no merge to undo for {ref!r} (see `khabar entity merges`)")
    click.echo(f"unmerged {', '.join(map(str, done))}")


@entity.command()
def rekey() -> None:
    """Key the stored entities as this version keys names, and merge those that now share a key.

    Run it once after an upgrade whose notes say the key changed (as compound names joined or
    apart, «عبدالله»/«عبد الله», did): until then the entities stored before keep their old keys and
    a new article's spelling of the same name starts an entity of its own. Idempotent."""
    from db.session import session_scope
    from worker.corpus.entities import rekey as rekey_all

    with session_scope() as session:
        changed, merged = rekey_all(session)
    click.echo(f"{changed} entity keys changed, {merged} entities merged")
