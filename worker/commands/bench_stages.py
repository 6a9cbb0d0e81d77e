"""``khabar bench stages``: where the time of one article goes, stage by stage, in one process.

A benchmark, not a test: it prints figures and asserts nothing. Articles come from message files
(.jsonl/.json/.txt/.html, as ``khabar enqueue`` reads them) or from a SaudiNewsNet-style folder
of daily zips; invalid and non-Arabic ones are counted and skipped. Each stage is timed on every
article, so the shares are measured side by side in one run (these machines are noisy).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import click

from worker.settings import get_settings


def _items(paths: tuple[str, ...], limit: int | None):
    from worker.commands.ingest import read_inputs
    from worker.commands.soak import read_corpus

    n = 0
    for path in paths:
        p = Path(path)
        items = read_corpus(path, None) if p.is_dir() or p.suffix == ".zip" else read_inputs((path,))
        for item in items:
            if limit is not None and n >= limit:
                return
            n += 1
            yield item


@click.command("stages")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--limit", type=int, default=200, show_default=True, help="Articles to time (0: all).")
def bench_stages(paths: tuple[str, ...], limit: int) -> None:
    """Milliseconds per article for each pipeline stage, and articles/s for the whole pipeline.

    PATHS: article message files, or a SaudiNewsNet folder of daily zips
    (e.g. ../shared/data/saudinewsnet). The first article is run once untimed (model loading).
    """
    from worker.messages import InvalidArticle, validate
    from worker.stages.document import Document
    from worker.stages.pipeline import ORDER, STAGES
    from worker.stages.text.normalise import BrokenText, UnsupportedLanguage

    s = get_settings()
    config = s.stage_config()

    def timed(doc: Document) -> dict[str, tuple[float, float]]:
        spent = {}
        for name in ORDER:
            t0, c0 = time.perf_counter(), time.process_time()
            doc = STAGES[name](doc, config)
            spent[name] = ((time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000)
        return spent

    times: dict[str, list[float]] = {name: [] for name in ORDER}
    # the process's CPU time too: on a machine shared with other jobs, waiting for a core inflates
    # the wall-clock figures but not these
    cpu: dict[str, list[float]] = {name: [] for name in ORDER}
    chars = skipped = 0
    warmed = False
    with click.progressbar(
        list(_items(paths, limit or None)),
        label="timing",
        file=sys.stderr,
        show_pos=True,
        hidden=not sys.stderr.isatty(),  # a log gets the result, not a frozen bar
    ) as bar:
        for item in bar:
            try:
                article = validate(item.data, item.ref, s.max_body_bytes)
                doc = Document.from_article(item.ref, article.title, article.body)
                if not warmed:  # the first run loads the models
                    timed(doc)
                    warmed = True
                spent = timed(doc)
            except (InvalidArticle, UnsupportedLanguage, BrokenText):
                skipped += 1
                continue
            for name, (ms, cpu_ms) in spent.items():
                times[name].append(ms)
                cpu[name].append(cpu_ms)
            chars += len(article.body)
    n = len(times[ORDER[0]])
    if not n:
        raise click.ClickException(f"no article could be processed ({skipped} skipped)")
    total = sum(sum(v) for v in times.values())
    click.echo(f"{n} articles timed ({skipped} skipped), {chars / n:,.0f} characters on average")
    click.echo("| stage | mean ms | median ms | p95 ms | share | mean CPU ms |")
    click.echo("|---|---:|---:|---:|---:|---:|")
    for name in ORDER:
        v = sorted(times[name])
        p95 = v[min(len(v) - 1, int(0.95 * len(v)))]
        click.echo(
            f"| {name} | {statistics.fmean(v):.1f} | {statistics.median(v):.1f} | {p95:.1f} "
            f"| {sum(v) / total:.0%} | {statistics.fmean(cpu[name]):.1f} |"
        )
    click.echo(
        f"whole pipeline: {total / n:.1f} ms/article = {1000 * n / total:.1f} articles/s in one process "
        f"({chars * 1000 / total:,.0f} characters/s), without the database and broker"
    )
    cpu_total = sum(sum(v) for v in cpu.values())
    click.echo(f"process CPU: {cpu_total / n:.1f} ms/article = {1000 * n / cpu_total:.1f} articles/s of CPU")
