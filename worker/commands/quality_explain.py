"""``khabar quality explain``: per gold event of the dev articles, gold against predicted
participants, roles and place, with the kind of error, and the counts by kind.

Events are matched as the shared scorer matches them (``score.py articles``: same type, trigger in
the gold sentence, most confident prediction first); names are compared through the scorer's
alias table, so what counts as right here is what the scorer counts.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import click

from worker.commands.quality_events import _extract
from worker.training.scoring import find_score_py as _score_py
from worker.training.scoring import load_scorer as _scorer
from worker.training.scoring import match_events


def error_kinds(score, table, g: dict, p: dict | None, sentence: str) -> list[str]:
    """What went wrong with one gold event's participants and place (empty when all is right)."""
    if p is None:
        return ["missed event"]
    kinds: list[str] = []
    gold_roles = {("actor", n) for n in g.get("actors", [])} | {
        ("recipient", n) for n in g.get("recipients", [])
    }
    pred_roles = {
        (r, table.lookup(n) or "?" + score.norm(n))
        for r, key in (("actor", "actors"), ("recipient", "recipients"))
        for n in p.get(key) or []
    }
    gold_names = {n for _, n in gold_roles}
    pred_names = {n for _, n in pred_roles}
    if gold_roles and not pred_roles:
        kinds.append("no participant predicted")
    elif gold_names == pred_names and gold_roles != pred_roles:
        kinds.append("roles swapped")
    elif gold_roles != pred_roles:
        for n in gold_names - pred_names:
            aliases = {score.norm(a) for e in table_entities(table, n) for a in e}
            if not any(a and a in score.norm(sentence) for a in aliases):
                kinds.append("participant outside the sentence")
            elif any(any(a in score.norm(x[1:]) for a in aliases) for x in pred_names if x.startswith("?")):
                kinds.append("span swallows neighbours")
            else:
                kinds.append("participant in the sentence missed")
        for n in pred_names - gold_names:
            if not n.startswith("?") or not any(
                a in score.norm(n[1:]) for m in gold_names for e in table_entities(table, m) for a in e
            ):
                kinds.append("spurious participant")
        if gold_names & pred_names and any(
            (r, n) not in gold_roles for r, n in pred_roles if n in gold_names
        ):
            kinds.append("role wrong")
    if g.get("location"):
        got = p.get("location")
        if got is None:
            kinds.append("place missed")
        elif table.lookup(got) != g["location"]:
            kinds.append("place wrong")
    return kinds


def table_entities(table, canonical: str) -> list[list[str]]:
    """The surface forms the alias table knows for one gold entity."""
    return [[form for form, c in table.by_form.items() if c == canonical]]


def _held_out(dev_dir: Path, golds: dict, folds: int, score) -> list[dict]:
    from worker.settings import get_settings
    from worker.training.roles import cross_validate, prepare, read_jsonl

    articles = prepare(read_jsonl(dev_dir / "articles.jsonl"), golds, get_settings().stage_config())
    return cross_validate(articles, folds, score)


@click.command("explain")
@click.option(
    "--dev-dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="folder with articles.jsonl and gold.jsonl (e.g. ../shared/eval/dev)",
)
@click.option("--only-errors", is_flag=True, help="List only the events with an error.")
@click.option(
    "--folds",
    default=0,
    help="Explain held-out predictions: each fold of articles with a role model trained without it "
    "(0: the shipped model, fitted on these articles).",
)
def explain(dev_dir: Path, only_errors: bool, folds: int) -> None:
    """Gold against predicted participants, roles and place for every required dev event, the
    error kind of each, and the counts by kind (for counting errors before and after a change)."""
    import tempfile

    score = _scorer(_score_py(dev_dir, None))
    golds = {g["id"]: g for g in score.read_jsonl(dev_dir / "gold.jsonl")}
    with tempfile.TemporaryDirectory() as tmp:
        pred_path = Path(tmp) / "pred.jsonl"
        if folds > 1:
            preds = {p["id"]: p for p in _held_out(dev_dir, golds, folds, score)}
        else:
            _extract(dev_dir / "articles.jsonl", pred_path)
            preds = {p["id"]: p for p in score.read_jsonl(pred_path)}
    counts: Counter[str] = Counter()
    for gid, gold in golds.items():
        table = score.AliasTable(gold["entities"])
        for g, p in match_events(gold, preds.get(gid, {"events": []})):
            kinds = error_kinds(score, table, g, p, g["sentence"].get("text", ""))
            counts.update(kinds or ["right"])
            if only_errors and not kinds:
                continue
            got = (
                {"actors": p.get("actors"), "recipients": p.get("recipients"), "location": p.get("location")}
                if p
                else None
            )
            click.echo(
                json.dumps(
                    {
                        "article": gid,
                        "type": g["type"],
                        "trigger": g.get("trigger"),
                        "gold": {
                            "actors": g.get("actors"),
                            "recipients": g.get("recipients"),
                            "location": g.get("location"),
                        },
                        "predicted": got,
                        "errors": kinds,
                    },
                    ensure_ascii=False,
                )
            )
    click.echo("\n| error kind | events |\n|---|---|", err=True)
    for kind, n in counts.most_common():
        click.echo(f"| {kind} | {n} |", err=True)
