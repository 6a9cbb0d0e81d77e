"""``khabar quality events``: event, argument, date and entity figures on the dev articles, and
ASSAULT / PROTEST sentence detection on the GSR files, as a markdown table.

The scoring code is ``score.py`` from the evaluation folder (``--dev-dir/../score.py``), loaded
at run time so the figures are exactly the shared scorer's. For GSR, events that are not asserted
(negated, future, hypothetical, conditional) or that only refer back to a happening already
reported are left out, as ``khabar extract --omit-modal --omit-refers-back`` does.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import click

from worker.commands.readme import update_section
from worker.training.scoring import find_score_py as _score_py
from worker.training.scoring import load_scorer as _scorer


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
                url=a.get("url"),
            )
            try:
                doc = run_all(doc, config=config)
                rec = to_output(doc, include_modal=not gsr, include_refers_back=not gsr)
            except ValueError:  # e.g. a non-Arabic message
                rec = {"id": doc.id, "entities": [], "events": []}
            dst.write(json.dumps(rec, ensure_ascii=False) + "\n")


def measure(dev_dir: Path | None, gsr_dir: Path | None) -> dict[str, dict]:
    """The shared scorer's figures: {"dev": its articles report, "GSR ASSAULT": …, "GSR PROTEST": …}."""
    score = _scorer(_score_py(dev_dir, gsr_dir))
    out: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if dev_dir is not None:
            pred = Path(tmp) / "dev.jsonl"
            _extract(dev_dir / "articles.jsonl", pred)
            out["dev"] = score.cmd_articles(SimpleNamespace(gold=str(dev_dir / "gold.jsonl"), pred=str(pred)))
        for etype in ("ASSAULT", "PROTEST") if gsr_dir is not None else ():
            gold = gsr_dir / f"{etype.lower()}_dev.csv"
            arts = gsr_dir / f"{etype.lower()}_dev_articles.jsonl"
            if gold.is_file() and arts.is_file():
                pred = Path(tmp) / f"gsr_{etype}.jsonl"
                _extract(arts, pred, gsr=True)
                out[f"GSR {etype}"] = score.cmd_gsr(
                    SimpleNamespace(gold=str(gold), pred=str(pred), type=etype)
                )
    return out


def pinned(measured: dict[str, dict]) -> dict[str, float]:
    """The figures the quality gate holds (tests/baselines/events.json), rounded to 4 places."""
    out: dict[str, float] = {}
    dev = measured.get("dev")
    if dev:
        for key in ("entity", "event", "participant", "role"):
            out[f"dev {key} F1"] = dev[key]["f1"]
        out["dev date accuracy"] = dev["date"]["acc"]
        out["dev location accuracy"] = dev["location"]["acc"]
    for name, r in measured.items():
        if name.startswith("GSR"):
            out[f"{name} detection F1"] = r["detect"]["f1"]
            out[f"{name} hard-negative accuracy"] = r["hard_negative_acc"]
    return {k: round(v, 4) for k, v in out.items()}


def figures(dev_dir: Path | None, gsr_dir: Path | None) -> list[tuple[str, str, str]]:
    return rows(measure(dev_dir, gsr_dir))


def rows(measured: dict[str, dict]) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    r = measured.get("dev")
    if r:
        for key in ("entity", "event", "participant", "role"):
            f = r[key]
            out.append(("dev articles", f"{key} F1", f"{f['f1']:.3f} (P {f['p']:.3f}, R {f['r']:.3f})"))
        out.append(("dev articles", "date accuracy", f"{r['date']['acc']:.3f} (n={r['date']['n']})"))
        out.append(
            ("dev articles", "location accuracy", f"{r['location']['acc']:.3f} (n={r['location']['n']})")
        )
    for name, g in measured.items():
        if name.startswith("GSR"):
            d = g["detect"]
            out.append((name, "detection F1", f"{d['f1']:.3f} (P {d['p']:.3f}, R {d['r']:.3f})"))
            out.append((name, "hard-negative accuracy", f"{g['hard_negative_acc']:.3f}"))
    return out


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
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="pin these figures as the quality gate (tests/baselines/events.json); only after an "
    "intended change, judged on cross-validated figures",
)
@click.option(
    "--folds",
    default=5,
    show_default=True,
    help="also report participant and role F1 with the role model cross-validated over the dev "
    "articles in this many folds (0: plain figures only)",
)
@click.option(
    "--shuffles",
    default=0,
    show_default=True,
    help="with --folds, also the mean over this many other fold splits (articles shuffled with "
    "seeds 1..N): one split of a few dozen articles can be lucky, so judge a change on the mean",
)
def articles(
    dev_dir: Path | None,
    gsr_dir: Path | None,
    update_readme: Path | None,
    write_baseline: Path | None,
    folds: int,
    shuffles: int,
) -> None:
    """Event extraction quality on the dev articles and the GSR sentences, as a markdown table.

    The dev figures are plain: the shipped role and place models were fitted on these articles.
    With --folds, the participant, role and location figures of models cross-validated over the
    articles (each fold scored by models that never saw it) are printed beside them: judge a
    change by those."""
    if dev_dir is None and gsr_dir is None:
        raise click.UsageError("give --dev-dir and/or --gsr-dir")
    measured = measure(dev_dir, gsr_dir)
    table_rows = rows(measured)
    if dev_dir is not None and folds > 1:
        from worker.commands.roles import role_figures

        cv = dict(role_figures(dev_dir, folds, shuffles=shuffles)[0])
        for what, r in cv.items():
            if what.startswith("model, cross"):
                split = (
                    f"{folds} folds, mean of {shuffles} shuffled splits"
                    if "shuffled" in what
                    else f"{folds} folds"
                )
                where = f"dev articles, cross-validated ({split})"
                for key in ("participant", "role"):
                    f = r[key]
                    table_rows.append((where, f"{key} F1", f"{f['f1']:.3f} (P {f['p']:.3f}, R {f['r']:.3f})"))
                loc = r["location"]
                table_rows.append((where, "location accuracy", f"{loc['acc']:.3f} (n={loc['n']})"))
                table_rows.append((where, "place accuracy, every matched event", f"{r['place_all']:.3f}"))
                table_rows.append((where, "place F1, places named", f"{r['place_f1']:.3f}"))
            elif what == "rules alone":
                for key in ("participant", "role"):
                    table_rows.append(("dev articles, rules alone", f"{key} F1", f"{r[key]['f1']:.3f}"))
                for name, value in (
                    ("location accuracy", r["location"]["acc"]),
                    ("place accuracy, every matched event", r["place_all"]),
                    ("place F1, places named", r["place_f1"]),
                ):
                    table_rows.append(("dev articles, rules alone", name, f"{value:.3f}"))
    table = markdown(table_rows)
    click.echo(table)
    if update_readme is not None:
        update_section(update_readme, "events", table)
    if write_baseline is not None:
        write_baseline.write_text(
            json.dumps(pinned(measured), indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        click.echo(f"baseline written to {write_baseline}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(articles())
