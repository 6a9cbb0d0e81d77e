"""The shared scorer (``../shared/eval/score.py``, standard library only) loaded at run time, so
Khabar's figures are exactly its figures, and its event matching for the analyses built on it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import click


def load_scorer(path: Path):
    spec = importlib.util.spec_from_file_location("khabar_score", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def find_score_py(dev_dir: Path | None, gsr_dir: Path | None) -> Path:
    for d in (dev_dir, gsr_dir):
        if d is not None:
            for cand in (d.parent / "score.py", d.parent.parent / "eval" / "score.py", d / "score.py"):
                if cand.is_file():
                    return cand
    raise click.ClickException("score.py not found beside --dev-dir or --gsr-dir")


def match_events(gold: dict, pred: dict, optional: bool = False) -> list[tuple[dict, dict | None]]:
    """(gold event, matched prediction or None) for every required gold event of one article (and
    every optional one too with ``optional``: the scorer ignores them, a learner may not)."""
    golds = gold["events"]
    used: dict[int, dict] = {}
    for p in sorted(pred.get("events", []), key=lambda e: -float(e.get("confidence") or 0)):
        at = (p.get("trigger") or {}).get("start")
        for i in sorted(range(len(golds)), key=lambda i: bool(golds[i].get("optional"))):
            g = golds[i]
            if i in used or g["type"] != p.get("type") or at is None:
                continue
            if g["sentence"]["start"] <= at < g["sentence"]["end"]:
                used[i] = p
                break
    return [(g, used.get(i)) for i, g in enumerate(golds) if optional or not g.get("optional")]


def score_outputs(command, outputs: list[dict], golds: dict[str, dict]) -> dict:
    """A scorer command (``score.cmd_actors``, ``score.cmd_articles`` …) on these extraction
    outputs against the gold of their articles only, through temporary files as on the command line."""
    import json
    import tempfile
    from types import SimpleNamespace

    with tempfile.TemporaryDirectory() as tmp:
        pred, gold = Path(tmp) / "pred.jsonl", Path(tmp) / "gold.jsonl"
        pred.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in outputs), encoding="utf-8")
        gold.write_text(
            "".join(json.dumps(golds[o["id"]], ensure_ascii=False) + "\n" for o in outputs), encoding="utf-8"
        )
        return command(SimpleNamespace(gold=str(gold), pred=str(pred)))
