"""``khabar quality stories``: story events on the gold articles plus re-published copies of them,
run through the pipeline into the configured database (worker/corpus/story_eval.py)."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command("stories")
@click.option(
    "--dev-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    required=True,
    help="articles.jsonl and gold.jsonl (../shared/eval/dev)",
)
@click.option(
    "--copies", type=click.IntRange(0, 3), default=2, show_default=True, help="Copies of each article."
)
@click.option("--json", "as_json", is_flag=True)
def stories(dev_dir: Path, copies: int, as_json: bool) -> None:
    """Run the gold articles and --copies re-published copies of each (another outlet, a dateline,
    a trimmed or reordered body, another headline, hours or a day later) through the pipeline into
    KHABAR_DATABASE_URL, which must hold no article (a throw-away database: `createdb …`), and count
    the story events of each gold happening (a required gold event): one is right, more is
    over-split; a story holding several gold happenings is over-merged."""
    from sqlalchemy import func, select

    from db.corpus import ArticleDuplicate, StoryMember
    from db.migrate import upgrade
    from db.models import Article, Event
    from db.session import session_scope
    from worker.commands.ingest import _print_report, in_process
    from worker.corpus import story_eval
    from worker.messages import RawItem
    from worker.producer import enqueue
    from worker.settings import get_settings

    s = get_settings()
    upgrade(s.database_url)
    with session_scope() as session:
        if session.scalar(select(func.count()).select_from(Article)):
            raise click.UsageError(
                "the database already holds articles: give a fresh one (KHABAR_DATABASE_URL)"
            )
    articles = _jsonl(dev_dir / "articles.jsonl")
    golds = {g["id"]: g for g in _jsonl(dev_dir / "gold.jsonl")}
    items, gold_of = [], {}
    for a in articles:
        for m in [a, *story_eval.copies(a, copies)]:
            gold_of[m["id"]] = a["id"]
            data = {k: m.get(k) for k in ("id", "title", "body", "source", "published_at")}
            items.append(RawItem(m["id"], data))

    report = enqueue(items, s, dispatch=in_process)
    if report.invalid or report.duplicates:
        _print_report(report)
    tally = story_eval.Tally()
    with session_scope() as session:
        # the pipeline names articles by their content; the messages' ids are kept as external ids
        ours = dict(session.execute(select(Article.id, Article.external_id)).all())
        texts = {
            ours[i]: story_eval.doc_text(t, b)
            for i, t, b in session.execute(select(Article.id, Article.title, Article.body)).all()
        }
        preds: dict[str, list] = {}
        for article_id, etype, start, confidence, story in session.execute(
            select(Event.article_id, Event.type, Event.trigger_start, Event.confidence, StoryMember.story_id)
            .outerjoin(StoryMember, StoryMember.event_id == Event.id)
            .where(Event.extractor_version == s.extractor_version)
            .order_by(Event.article_id, Event.trigger_start)
        ):
            preds.setdefault(ours[article_id], []).append(
                story_eval.Predicted(etype, start, confidence, story)
            )
        linked = {
            ours[a]: ours[d]
            for a, d in session.execute(
                select(ArticleDuplicate.article_id, ArticleDuplicate.duplicate_of)
            ).all()
        }
    for article_id, gold_id in gold_of.items():
        gold = golds.get(gold_id)
        if gold is None or article_id not in texts:
            continue
        events = gold["events"] if article_id == gold_id else story_eval.relocate(gold, texts[article_id])
        tally.add(gold_id, article_id, events, preds.get(article_id, []))
    tally.close(
        (gid, i)
        for gid, g in golds.items()
        if gid in gold_of
        for i, e in enumerate(g["events"])
        if not e.get("optional")
    )
    figures = tally.figures()
    copy_ids = [i for i, g in gold_of.items() if i != g]
    figures["copies"] = len(copy_ids)
    figures["copies_linked"] = sum(
        1 for i in copy_ids if linked.get(i) in (gold_of[i], *_siblings(i, gold_of))
    )
    if as_json:
        click.echo(json.dumps(figures))
        return
    click.echo(
        f"{len(articles)} articles and {figures['copies']} copies "
        f"({figures['copies_linked']} linked to their group as near-duplicates)"
    )
    click.echo(
        f"gold happenings in a story: {figures['happenings']} ({figures['missed']} required ones in none); "
        f"reported by more than one article: {figures['reported_more_than_once']}"
    )
    click.echo(
        f"  one story: {figures['one_story']}   over-split: {figures['over_split']}   "
        f"stories per happening: {figures['stories_per_happening']}"
    )
    click.echo(
        f"stories holding a gold happening: {figures['stories']}   over-merged: {figures['over_merged']} "
        f"({figures['over_merged_within_article']} within one article, "
        f"{figures['over_merged_across_articles']} across articles)"
    )


def _siblings(article_id: str, gold_of: dict[str, str]) -> list[str]:
    """The other members of the article's group (the original and its other copies)."""
    return [i for i, g in gold_of.items() if g == gold_of[article_id] and i != article_id]


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
