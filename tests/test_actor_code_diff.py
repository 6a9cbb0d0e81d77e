"""scripts/actor-code-diff, the read of a change on unseen articles: the entities whose code
changed, and with --events the events whose participants changed (files written for the test)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "actor-code-diff"


def _write(path: Path, rows: list[dict]) -> str:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def _output(entities: list[dict], events: list[dict]) -> dict:
    return {"id": "a1", "entities": entities, "events": events}


def _event(actors: list[str], recipients: list[str]) -> dict:
    return {
        "type": "CONSULT",
        "trigger": {"text": "زار", "start": 0, "end": 3},
        "actors": actors,
        "recipients": recipients,
    }


def _run(*args: str) -> str:
    done = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=True)
    return done.stdout


def test_entities_and_events_that_changed_are_listed(tmp_path):
    articles = _write(tmp_path / "a.jsonl", [{"id": "a1", "title": "", "body": "زار لافروف موسكو أمس."}])
    entity = {"text": "لافروف", "type": "PERS", "start": 6, "end": 12, "canonical": "لافروف"}
    before = _write(
        tmp_path / "b.jsonl",
        [_output([{**entity, "actor": {"country": "RUS", "sector": None}}], [_event(["لافروف"], ["موسكو"])])],
    )
    after = _write(
        tmp_path / "c.jsonl",
        [_output([{**entity, "actor": {"country": "RUS", "sector": "GOV"}}], [_event(["لافروف"], [])])],
    )
    codes = _run(articles, before, after)
    assert "PERS لافروف  ('RUS', None) → ('RUS', 'GOV')" in codes
    assert "1 mentions changed in 1 articles" in codes
    events = _run("--events", articles, before, after)
    assert "CONSULT «زار»  (['لافروف'], ['موسكو']) → (['لافروف'], [])" in events
    assert "1 of 1 events changed their participants, in 1 articles" in events
    unchanged = _run("--events", articles, before, before)
    assert "0 of 1 events changed" in unchanged
