"""`khabar duplicates`: near-duplicate articles (worker/corpus/duplicates.py) — list the links in
the database, index articles stored before the index existed, count the copies in a corpus, and
measure the rule on labelled pairs."""

from __future__ import annotations

import csv
import json
import random
import sys
from datetime import UTC, datetime

import click


@click.group()
def duplicates() -> None:
    """Near-duplicate articles: a re-published wire or a lightly edited copy is linked to the first
    article of its group (MinHash/LSH over normalised word shingles; see README)."""


@duplicates.command("list")
@click.option("--limit", type=int, default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def list_(limit: int, as_json: bool) -> None:
    """The copies in the database, most similar first, each with the first article it copies."""
    from sqlalchemy import select
    from sqlalchemy.orm import aliased

    from db.corpus import ArticleDuplicate
    from db.models import Article
    from db.session import session_scope

    first = aliased(Article)
    with session_scope() as session:
        rows = session.execute(
            select(ArticleDuplicate, Article.source, Article.title, first.source, first.title)
            .join(Article, Article.id == ArticleDuplicate.article_id)
            .join(first, first.id == ArticleDuplicate.duplicate_of)
            .order_by(ArticleDuplicate.similarity.desc(), ArticleDuplicate.article_id)
            .limit(limit)
        ).all()
        for d, source, title, first_source, first_title in rows:
            rec = {
                "article_id": d.article_id,
                "duplicate_of": d.duplicate_of,
                "similarity": round(d.similarity, 3),
                "source": source,
                "first_source": first_source,
                "title": title,
                "first_title": first_title,
            }
            if as_json:
                click.echo(json.dumps(rec, ensure_ascii=False))
            else:
                click.echo(
                    f"{d.article_id} ({source or '-'}) copies {d.duplicate_of} ({first_source or '-'}) "
                    f"at {d.similarity:.2f}: {title[:70]}"
                )


@duplicates.command()
@click.argument("path", required=False, type=click.Path(exists=True))
@click.option("--limit", type=int, default=None, help="Read at most this many articles of PATH.")
@click.option("--sample", type=int, default=10, show_default=True, help="Pairs printed for checking by eye.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), help="Write every link (TSV) here.")
def scan(path: str | None, limit: int | None, sample: int, seed: int, out: str | None) -> None:
    """Count near-duplicates. With PATH (a SaudiNewsNet-style folder of daily zips, a zip or a JSON
    array): in memory, with the pipeline's signatures, window and thresholds, printing the count,
    the groups and a random sample of pairs to check by eye. Without PATH: bring the database's done
    articles stored before the corpus tables existed into them (copies, entity merges, story
    events), as the store step does for new ones."""
    if path is None:
        _index_database()
        return
    from worker.commands.soak import read_corpus
    from worker.corpus.duplicates import scan as scan_items
    from worker.corpus.shingles import article_text

    texts: dict[str, tuple[str, str, str]] = {}

    def items():
        for item in read_corpus(path, limit):
            m = item.data
            ref = str(m.get("id") or item.ref)
            if ref in texts:  # the corpus has a few articles twice under one URL: one of each
                continue
            texts[ref] = (m.get("source") or "", m.get("title") or "", m.get("body") or "")
            yield (
                ref,
                _when(m.get("published_at")),
                article_text(m.get("title"), m.get("body")),
                m.get("body") or "",
            )

    def progress(n: int) -> None:
        if n % 1000 == 0:
            click.echo(f"… {n} articles read", err=True)

    links = scan_items(items(), progress=progress)
    groups = {d for d, _ in links.values()}
    click.echo(
        f"{len(texts)} articles: {len(links)} are near-duplicates of an earlier one "
        f"({len(links) / max(1, len(texts)):.1%}), in {len(groups)} groups"
    )
    if out:
        with open(out, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, delimiter="\t")
            w.writerow(["article", "duplicate_of", "similarity"])
            for a, (d, s) in sorted(links.items()):
                w.writerow([a, d, f"{s:.3f}"])
    pairs = sorted(links.items())
    for a, (d, s) in random.Random(seed).sample(pairs, min(sample, len(pairs))):
        click.echo(f"\n{s:.2f}  {texts[d][0]} {d}\n      {texts[a][0]} {a}")
        click.echo(f"  first: {texts[d][1][:90]} | {texts[d][2][:160]!r}")
        click.echo(f"  copy:  {texts[a][1][:90]} | {texts[a][2][:160]!r}")


def _indexed_corpus(texts: dict[str, dict]) -> tuple[dict, dict[int, list[datetime]]]:
    """Every article of ``texts`` as the pipeline indexes it (``copy_rule.Seen``) and, per LSH band
    key, when each of its holders appeared (the template count's index)."""
    seen: dict = {}
    key_times: dict[int, list[datetime]] = {}
    for ref, m in texts.items():
        _index(ref, m, key_times, seen)
    return seen, key_times


def _index(ref: str, m: dict, key_times: dict[int, list[datetime]], seen: dict | None) -> None:
    """Index an article message as the pipeline would: its time added to each of its band keys'
    holders and, when ``seen`` is given, the article (``copy_rule.Seen``) under ``ref``. An
    article too short to be compared is left out."""
    from worker.corpus.copy_rule import Seen
    from worker.corpus.shingles import MIN_WORDS, article_text, band_keys, shingles, signature, turns, words

    text = article_text(m.get("title"), m.get("body"))
    if len(words(text)) < MIN_WORDS:
        return
    sh = frozenset(shingles(text))
    keys = frozenset(band_keys(signature(sh)))
    when = _when(m.get("published_at"))
    for k in keys:
        key_times.setdefault(k, []).append(when)
    if seen is not None:
        seen[ref] = Seen(ref, when, sh, tuple(words(m.get("body") or "")), keys, turns(m.get("body") or ""))


def _when(published: str | None) -> datetime:
    if not published:
        return datetime(1970, 1, 1, tzinfo=UTC)
    d = datetime.fromisoformat(published)
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def _index_database() -> None:
    """The corpus work of the store step for the done articles stored before it existed (no
    signature yet): from each article's last stage output (computed again from the raw article:
    intermediate documents are not kept), as the store step would."""
    from sqlalchemy import func, select

    from db.corpus import ArticleDuplicate, ArticleSignature
    from db.models import Article
    from db.session import session_scope
    from worker.corpus.duplicates import index_article
    from worker.corpus.hook import after_store
    from worker.steps import rebuild_document

    with session_scope() as session:
        todo = session.execute(
            select(Article.id, Article.extractor_version)
            .where(Article.status == "done", Article.id.not_in(select(ArticleSignature.article_id)))
            .order_by(Article.published_at, Article.id)
        ).all()
    with click.progressbar(todo, label="indexing", file=sys.stderr, show_pos=True) as bar:
        for article_id, version in bar:
            try:
                doc = rebuild_document(article_id)
            except Exception:  # noqa: BLE001 - the stages fail on it now: the text is enough for copies
                doc = None
            with session_scope() as session:
                if doc is not None:
                    after_store(session, doc, version)
                else:
                    index_article(session, article_id)
    with session_scope() as session:
        linked = (
            session.scalar(select(func.count()).where(ArticleDuplicate.article_id.in_([a for a, _ in todo])))
            if todo
            else 0
        )
    click.echo(f"indexed {len(todo)} articles; {linked} of them copy an earlier one")


@duplicates.command()
@click.argument("path", type=click.Path(exists=True))
@click.option(
    "--out", required=True, type=click.Path(file_okay=False), help="A folder outside the repository."
)
@click.option("--per-band", type=int, default=24, show_default=True, help="Pairs drawn per similarity band.")
@click.option(
    "--missed", type=int, default=24, show_default=True, help="Pairs the pipeline's rule leaves apart."
)
@click.option(
    "--random",
    "at_random",
    type=int,
    default=0,
    show_default=True,
    help="Pairs drawn uniformly from the pipeline's LSH candidates.",
)
@click.option(
    "--ordered",
    "at_ordered",
    type=int,
    default=0,
    show_default=True,
    help="Pairs drawn uniformly from the LSH candidates within the window whose word order is in "
    "0.45-0.80 and that the rule without word order leaves apart (band 'ordered').",
)
@click.option(
    "--exclude",
    type=click.Path(exists=True, dir_okay=False),
    multiple=True,
    help="A labels file whose pairs are not drawn again (repeatable).",
)
@click.option("--max-days", type=float, default=7.0, show_default=True)
@click.option("--seed", type=int, default=11, show_default=True)
def sample(
    path: str,
    out: str,
    per_band: int,
    missed: int,
    at_random: int,
    at_ordered: int,
    exclude: tuple[str, ...],
    max_days: float,
    seed: int,
) -> None:
    """Draw pairs of PATH's articles to label by eye (worker/corpus/pairs.py): pairs that share an
    exact 8-word passage within --max-days, --per-band from each band of exact similarity, and
    --missed more that the pipeline's rule (thresholds and window) does not link, for its recall;
    then --random pairs drawn uniformly from those whose signatures share an LSH band within
    --max-days (what the pipeline compares), so that figures on them hold for the corpus; then
    --ordered pairs drawn uniformly from the same candidates within the pipeline's window whose
    word-order value is in 0.45-0.80 and that the pipeline's rule without word order does not link
    (the region where word order decides; band 'ordered'). Pairs of the --exclude files (articles
    named by URL or by hash: `anonymise`) are not drawn. Writes OUT/pairs.tsv (article URLs, a '?'
    to replace by 1 for a copy or 0, the band and the figures: the labels file of `khabar
    duplicates evaluate`), OUT/read.txt (both texts side by side, with the figures) and, for
    readers who must not see the figures, OUT/blind.txt (the pairs shuffled under opaque ids, both
    full texts) with its key OUT/blind.tsv (`collect` puts their labels back). Same corpus and
    seed, same draw. Keep them out of the repository when the corpus may not be committed
    (SaudiNewsNet)."""
    from pathlib import Path

    from worker.commands.soak import read_corpus
    from worker.corpus import duplicates as dup
    from worker.corpus.copy_rule import SETTING
    from worker.corpus.pairs import BANDS, ORDERED_BAND, candidates, draw, lsh_candidates, word_order_band
    from worker.corpus.shingles import article_text

    texts: dict[str, dict] = {}

    def items():
        for item in read_corpus(path, None):
            m = item.data
            ref = str(m.get("id") or item.ref)
            if ref not in texts:
                texts[ref] = m
                yield ref, _when(m.get("published_at")), article_text(m.get("title"), m.get("body"))

    def again():
        for ref, m in texts.items():
            yield ref, _when(m.get("published_at")), article_text(m.get("title"), m.get("body"))

    for _ in items():
        pass
    # a labels file may name its articles by the hash of their URL (``anonymise``)
    named = {ref_key(ref): ref for ref in texts}
    excluded: set[tuple[str, str]] = set()
    for name in exclude:
        with open(name, encoding="utf-8") as fh:
            for r in csv.reader(fh, delimiter="\t"):
                if len(r) >= 2 and not r[0].startswith("#"):
                    a, b = (named.get(x, x) for x in r[:2])
                    excluded |= {(a, b), (b, a)}
    if per_band or missed:
        pairs = [c for c in candidates(again(), max_days=max_days) if (c.a, c.b) not in excluded]
        click.echo(
            f"{len(texts)} articles, {len(pairs)} pairs sharing a passage within {max_days:g} days", err=True
        )
    else:  # the passage pairs are not needed
        pairs = []
    drawn = draw(pairs, per_band, seed)
    taken = {(c.a, c.b) for _, c in drawn}
    left = [
        c
        for c in pairs
        if (c.a, c.b) not in taken
        and c.level >= BANDS[1][1]
        and c.days <= dup.WINDOW_DAYS
        and not (c.jaccard >= SETTING.jaccard or c.containment >= SETTING.containment)
    ]
    drawn += [("missed", c) for c in random.Random(seed).sample(left, min(missed, len(left)))]
    if at_random:
        taken = {(c.a, c.b) for _, c in drawn} | {(c.b, c.a) for _, c in drawn}
        proposed = [
            c
            for c in lsh_candidates(again(), max_days=max_days)
            if (c.a, c.b) not in taken and (c.a, c.b) not in excluded
        ]
        click.echo(f"{len(proposed)} more pairs share an LSH band within {max_days:g} days", err=True)
        drawn += [("random", c) for c in random.Random(seed).sample(proposed, min(at_random, len(proposed)))]
    if at_ordered:
        taken = excluded | {(c.a, c.b) for _, c in drawn} | {(c.b, c.a) for _, c in drawn}
        seen, key_times = _indexed_corpus(texts)
        band = word_order_band(
            (c for c in lsh_candidates(again(), max_days=max_days) if (c.a, c.b) not in taken),
            seen,
            key_times,
        )
        click.echo(
            f"{len(band)} more pairs share an LSH band within the window with word order in "
            f"{ORDERED_BAND[0]:g}-{ORDERED_BAND[1]:g}, apart without it",
            err=True,
        )
        drawn += [("ordered", c) for c in random.Random(seed).sample(band, min(at_ordered, len(band)))]
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "pairs.tsv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter="\t")
        w.writerow(["#first", "second", "label", "band", "jaccard", "containment", "days", "passages"])
        for band, c in drawn:
            w.writerow(
                [c.a, c.b, "?", band, f"{c.jaccard:.3f}", f"{c.containment:.3f}", f"{c.days:.2f}", c.passages]
            )
    with open(folder / "read.txt", "w", encoding="utf-8") as fh:
        for n, (band, c) in enumerate(drawn):
            fh.write(f"### {n} [{band}] J {c.jaccard:.2f} C {c.containment:.2f} {c.days:.1f} days\n")
            for ref in (c.a, c.b):
                m = texts[ref]
                body = " ".join((m.get("body") or "").split())
                fh.write(f"  {m.get('source')} {m.get('published_at')} | {m.get('title')}\n")
                fh.write(f"    {body[:300]}\n    … {body[-160:]}\n")
    _write_blind(folder, [c for _, c in drawn], texts, seed)
    click.echo(
        f"{len(drawn)} pairs: {folder / 'pairs.tsv'}, {folder / 'read.txt'}; "
        f"for readers: {folder / 'blind.txt'} (then `khabar duplicates collect {folder} LABELS...`)"
    )


def _write_blind(folder, drawn: list, texts: dict[str, dict], seed: int) -> None:
    """What readers label from: the pairs shuffled, each under an opaque id (P001 …) with its two
    articles' full texts in a random order, no band and no figure (blind.txt), and which pair each
    id is (blind.tsv, for ``collect``): labels are then not fitted to the rule's signals."""
    rng = random.Random(f"blind-{seed}")
    order = list(range(len(drawn)))
    rng.shuffle(order)
    with (
        open(folder / "blind.txt", "w", encoding="utf-8") as txt,
        open(folder / "blind.tsv", "w", encoding="utf-8", newline="") as key,
    ):
        w = csv.writer(key, delimiter="\t")
        w.writerow(["#id", "first", "second"])
        for n, i in enumerate(order, 1):
            c = drawn[i]
            pid = f"P{n:03d}"
            w.writerow([pid, c.a, c.b])
            txt.write(f"### {pid}\n")
            for tag, ref in zip("AB", rng.sample([c.a, c.b], 2), strict=True):
                m = texts[ref]
                body = m.get("body") or ""
                txt.write(f"[{tag}] {m.get('source')} {m.get('published_at')} | {m.get('title')}\n")
                txt.write(f"({len(body.split())} words)\n{body.strip()}\n\n")


@duplicates.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.argument("labels", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="The labels file to write.")
def collect(folder: str, labels: tuple[str, ...], out: str) -> None:
    """Put readers' labels of FOLDER/blind.txt back on the pairs of FOLDER/pairs.tsv (both written by
    `sample`). LABELS: lines `P001<TAB>1 or 0<TAB>kind` (same, trimmed, edited, dateline, lead,
    reworded; unrelated, template, roundup, separate). Writes a labels file for `evaluate` and
    `anonymise` (the kind in a ninth column); a pair with no label, or two different ones, keeps
    its '?' and is named."""
    from pathlib import Path

    base = Path(folder)
    for needed in ("blind.tsv", "pairs.tsv"):
        if not (base / needed).is_file():
            raise click.ClickException(
                f"{base / needed} not found: FOLDER is the --out of `duplicates sample`"
            )
    with open(base / "blind.tsv", encoding="utf-8") as fh:
        pair_of = {
            r[0]: (r[1], r[2])
            for r in csv.reader(fh, delimiter="\t")
            if len(r) >= 3 and not r[0].startswith("#")
        }
    given: dict[str, set[tuple[str, str]]] = {}
    unread: list[str] = []  # lines that name no pair of the draw or carry no 0/1 label
    for name in labels:
        with open(name, encoding="utf-8") as fh:
            for n, r in enumerate(csv.reader(fh, delimiter="\t"), 1):
                if not any(c.strip() for c in r) or r[0].startswith("#"):
                    continue
                if len(r) >= 2 and r[0].strip() in pair_of and r[1].strip() in ("0", "1"):
                    given.setdefault(r[0].strip(), set()).add(
                        (r[1].strip(), r[2].strip() if len(r) > 2 else "")
                    )
                else:
                    unread.append(f"{name}:{n}")
    by_pair = {pair: pid for pid, pair in pair_of.items()}
    unlabelled, torn, n = [], [], 0
    with (
        open(base / "pairs.tsv", encoding="utf-8") as fh,
        open(out, "w", encoding="utf-8", newline="") as dst,
    ):
        w = csv.writer(dst, delimiter="\t")
        for r in csv.reader(fh, delimiter="\t"):
            if len(r) < 2:
                continue
            if r[0].startswith("#"):
                w.writerow([*r[:8], "kind"])
                continue
            pid = by_pair.get((r[0], r[1]))
            found = given.get(pid, set())
            if len({label for label, _ in found}) == 1:
                label, kind = sorted(found)[0]
                n += 1
            else:
                (torn if found else unlabelled).append(pid or f"{r[0]} {r[1]}")
                label, kind = "?", ""
            w.writerow([r[0], r[1], label, *r[3:8], kind])
    click.echo(f"{n} labelled pairs: {out}")
    if unlabelled:
        click.echo(f"no label: {', '.join(unlabelled)}", err=True)
    if torn:
        click.echo(f"two different labels (left '?'): {', '.join(torn)}", err=True)
    if unread:
        click.echo(
            f"lines left out (no pair of this draw, or a label other than 0 or 1): {', '.join(unread)}",
            err=True,
        )


# A labels file may name its articles by this prefix and the start of the SHA-256 of their URL (or
# id) instead of the URL itself: such a file holds nothing of a corpus that may not be committed.
HASHED = "sha256:"


def ref_key(ref: str) -> str:
    """An article's name in a hashed labels file (64 bits: no two of a corpus' articles share one)."""
    import hashlib

    return HASHED + hashlib.sha256(ref.encode("utf-8")).hexdigest()[:16]


@duplicates.command()
@click.argument("labels", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="The hashed labels file.")
def anonymise(labels: str, out: str) -> None:
    """Write LABELS (a labels file of `khabar duplicates evaluate`) with each article's URL replaced
    by the start of its SHA-256 and the figures columns dropped: the pair, its label, the band it
    was drawn from and any note after the figures (the kind of copy). `evaluate` reads either form;
    the hashed one names no article of the corpus, so it may be kept beside the code."""
    with open(labels, encoding="utf-8") as fh, open(out, "w", encoding="utf-8", newline="") as dst:
        w = csv.writer(dst, delimiter="\t")
        w.writerow(["#first", "second", "label", "band", "kind"])
        n = 0
        for r in csv.reader(fh, delimiter="\t"):
            if len(r) < 3 or r[0].startswith("#") or r[2] not in ("0", "1"):
                continue
            a, b = (x if x.startswith(HASHED) else ref_key(x) for x in r[:2])
            band = r[3] if len(r) > 3 else ""
            kind = r[8] if len(r) > 8 else (r[4] if len(r) == 5 else "")
            w.writerow([a, b, r[2], band, kind])
            n += 1
    click.echo(f"{n} labelled pairs: {out}")


@duplicates.command()
@click.argument("labels", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--corpus", required=True, type=click.Path(exists=True), help="Where the labelled articles are."
)
@click.option("--min-precision", type=float, default=0.98, show_default=True)
@click.option("--folds", type=int, default=5, show_default=True)
@click.option("--repeats", type=int, default=5, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
def evaluate(
    labels: tuple[str, ...], corpus: str, min_precision: float, folds: int, repeats: int, seed: int
) -> None:
    """Measure the copy rule on labelled pairs, plain and cross-validated.

    LABELS are TSVs of pairs (first article, second article, 1 if one is a copy of the other else
    0, then the band they were drawn from: 'random' for the pipeline's candidates drawn uniformly,
    'ordered' for the word-order stratum; a '?' label is left out; a pair in two files counts
    once), articles named by their URL in the corpus. The 'random' figures are those of the
    uniformly drawn pairs alone; the 'ordered' ones, of the word-order stratum alone. Every article of the corpus
    is indexed as the pipeline would (its LSH bands; the template signal counts the older articles
    holding a pair's shared bands), and a pair counts as found only when its two articles share a
    band. Prints the pipeline's setting and the shingles-only rule it replaced on all pairs and on
    the random ones, then the rule's thresholds fitted on --folds - 1 folds at --min-precision and
    scored on the held-out fold, over --repeats splits (pooled): with the word-order signal's
    threshold fitted among them, without it, and with shingles alone."""
    from worker.commands.soak import read_corpus
    from worker.corpus.copy_rule import (
        GRID,
        SETTING,
        SHINGLES_ONLY,
        Score,
        Seen,
        Setting,
        cross_validated_parts,
        fit,
        measure,
        score,
        template_count,
    )

    pairs, listed = [], set()
    for name in labels:
        with open(name, encoding="utf-8") as fh:
            for r in csv.reader(fh, delimiter="\t"):
                if r and not r[0].startswith("#") and r[2] in ("0", "1") and frozenset(r[:2]) not in listed:
                    listed.add(frozenset(r[:2]))
                    pairs.append(r)
    wanted = {u for r in pairs for u in r[:2]}
    hashed = any(u.startswith(HASHED) for u in wanted)
    seen: dict[str, Seen] = {}
    key_times: dict[int, list[datetime]] = {}
    done: set[str] = set()
    for n, item in enumerate(read_corpus(corpus, None), 1):
        if n % 5000 == 0:
            click.echo(f"… {n} articles indexed", err=True)
        m = item.data
        ref = str(m.get("id"))
        if ref in done:
            continue
        done.add(ref)
        name = ref_key(ref) if hashed and ref not in wanted else ref
        _index(name, m, key_times, seen if name in wanted else None)
    rows, random_rows, ordered_rows, parts = [], [], [], []
    for a, b, label, *rest in pairs:
        if a not in seen or b not in seen:
            continue
        parts.append(rest[0] if rest and rest[0] in ("random", "ordered") else "hard")
        x, y = seen[a], seen[b]
        shared = x.keys & y.keys
        row = (
            measure(x, y, template_count(shared, max(x.when, y.when), key_times), bool(shared)),
            label == "1",
        )
        rows.append(row)
        if rest and rest[0] == "random":
            random_rows.append(row)
        if rest and rest[0] == "ordered":
            ordered_rows.append(row)
    click.echo(
        f"{len(rows)} labelled pairs ({sum(c for _, c in rows)} copies), of which {len(random_rows)} drawn "
        f"at random from the LSH candidates ({sum(c for _, c in random_rows)} copies)"
        + (
            f" and {len(ordered_rows)} from their word-order stratum ({sum(c for _, c in ordered_rows)} copies)"
            if ordered_rows
            else ""
        )
    )

    def line(name: str, setting: Setting) -> None:
        for part, rs in (("all", rows), ("random", random_rows), ("ordered", ordered_rows)):
            if not rs and part == "ordered":
                continue
            s = score(rs, setting)
            click.echo(
                f"  {name:44} {part:6}  precision {s.precision:.3f}  recall {s.recall:.3f}  "
                f"({s.found} found, {s.wrong} wrong, {s.missed} missed)"
            )

    line("the pipeline's rule", SETTING)
    line("shingles only (the rule before)", SHINGLES_ONLY)
    fitted = fit(rows, min_precision)
    click.echo(f"fitted on all pairs: {fitted}")
    line("fitted on all pairs", fitted)
    inf = float("inf")
    without_order = [g for g in GRID if g.ordered == inf]
    shingle_grid = [g for g in without_order if g.lead_words == inf and g.template_articles == inf]
    for name, grid in (
        ("the rule", GRID),
        ("the rule without word order", without_order),
        ("shingles only", shingle_grid),
    ):
        by_part = cross_validated_parts(rows, parts, folds, repeats, seed, min_precision, grid)
        pooled = Score.of(
            *(sum(getattr(x, f) for x in by_part.values()) for f in ("found", "wrong", "missed"))
        )
        shown = {"all": pooled} | {p: by_part[p] for p in ("random", "ordered", "hard") if p in by_part}
        for part, s in shown.items():
            click.echo(
                f"  {name + ', cross-validated':44} {part:6}  precision {s.precision:.3f}  recall {s.recall:.3f}  "
                f"({folds} folds x {repeats}: {s.found} found, {s.wrong} wrong, {s.missed} missed)"
            )
