"""``khabar quality events``: event, argument, date and entity figures on the dev articles, and
ASSAULT / PROTEST sentence detection on the GSR files, as a markdown table.

The scoring code is ``score.py`` from the evaluation folder (``--dev-dir/../score.py``), loaded
at run time so the figures are exactly the shared scorer's. For GSR, events that are not asserted
(negated, future, hypothetical, conditional) or that only refer back to a happening already
reported are left out, as ``khabar extract --omit-modal --omit-refers-back`` does.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import click

from worker.commands.readme import update_section


def _scorer(path: Path):
    spec = importlib.util.spec_from_file_location("khabar_score", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def _extract(articles: Path, out: Path, gsr: bool = False) -> None:
    from worker.settings import get_settings
    from worker.stages.document import Document
    from worker.stages.output import to_output
    from worker.stages.pipeline import run_all

    config = get_settings().stage_config()
    with articles.open(encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
        for line in src:
            if not line.strip():
                continue
            a = json.loads(line)
            doc = Document.from_article(
                a.get("id", ""),
                a.get("title"),
                a["body"],
                published_at=a.get("published_at"),
                source=a.get("source"),
            )
            try:
                doc = run_all(doc, config=config)
                rec = to_output(doc, include_modal=not gsr, include_refers_back=not gsr)
            except ValueError:  # e.g. a non-Arabic message
                rec = {"id": doc.id, "entities": [], "events": []}
            dst.write(json.dumps(rec, ensure_ascii=False) + "\n")


def figures(dev_dir: Path | None, gsr_dir: Path | None) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    score_py = None
    for d in (dev_dir, gsr_dir):
        if d is not None:
            for cand in (d.parent / "score.py", d.parent.parent / "eval" / "score.py", d / "score.py"):
                if cand.is_file():
                    score_py = cand
                    break
        if score_py:
            break
    if score_py is None:
        raise click.ClickException("score.py not found beside --dev-dir or --gsr-dir")
    score = _scorer(score_py)
    with tempfile.TemporaryDirectory() as tmp:
        if dev_dir is not None:
            pred = Path(tmp) / "dev.jsonl"
            _extract(dev_dir / "articles.jsonl", pred)
            r = score.cmd_articles(SimpleNamespace(gold=str(dev_dir / "gold.jsonl"), pred=str(pred)))
            for key in ("entity", "event", "participant", "role"):
                f = r[key]
                rows.append(("dev articles", f"{key} F1", f"{f['f1']:.3f} (P {f['p']:.3f}, R {f['r']:.3f})"))
            rows.append(("dev articles", "date accuracy", f"{r['date']['acc']:.3f} (n={r['date']['n']})"))
            rows.append(
                ("dev articles", "location accuracy", f"{r['location']['acc']:.3f} (n={r['location']['n']})")
            )
        if gsr_dir is not None:
            for etype in ("ASSAULT", "PROTEST"):
                gold = gsr_dir / f"{etype.lower()}_dev.csv"
                arts = gsr_dir / f"{etype.lower()}_dev_articles.jsonl"
                if not gold.is_file() or not arts.is_file():
                    continue
                pred = Path(tmp) / f"gsr_{etype}.jsonl"
                _extract(arts, pred, gsr=True)
                r = score.cmd_gsr(SimpleNamespace(gold=str(gold), pred=str(pred), type=etype))
                d = r["detect"]
                rows.append(
                    (f"GSR {etype}", "detection F1", f"{d['f1']:.3f} (P {d['p']:.3f}, R {d['r']:.3f})")
                )
                rows.append((f"GSR {etype}", "hard-negative accuracy", f"{r['hard_negative_acc']:.3f}"))
    return rows


def markdown(rows: list[tuple[str, str, str]]) -> str:
    lines = ["| set | figure | value |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


@click.command("events")
@click.option(
    "--dev-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="folder with articles.jsonl and gold.jsonl",
)
@click.option(
    "--gsr-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="folder with the GSR *_dev.csv files",
)
@click.option(
    "--update-readme",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="replace the quality:events block of this file",
)
def articles(dev_dir: Path | None, gsr_dir: Path | None, update_readme: Path | None) -> None:
    """Event extraction quality on the dev articles and the GSR sentences, as a markdown table."""
    if dev_dir is None and gsr_dir is None:
        raise click.UsageError("give --dev-dir and/or --gsr-dir")
    table = markdown(figures(dev_dir, gsr_dir))
    click.echo(table)
    if update_readme is not None:
        update_section(update_readme, "events", table)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(articles())
