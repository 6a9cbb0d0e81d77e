"""Operator commands through the real CLI on Postgres: failures can be closed, their payloads read,
and reprocess takes the ids that show takes."""

from __future__ import annotations

import json

import pytest

from tests.khabar_cli import khabar

pytestmark = pytest.mark.pipeline

BODY = "اجتمع وزير الخارجية المصري مع نظيره الأردني في عمان لبحث الأوضاع في المنطقة."


def open_failures(pg) -> list[dict]:
    r = khabar("failures", "list", "--json", "--show-payload", db=pg)
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in r.stdout.splitlines()]


def test_validation_failures_can_be_read_resolved_and_dismissed(pg, tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_text('{broken\n{"id": "x"}\n[1]\n', encoding="utf-8")
    (tmp_path / "other.jsonl").write_text("{also broken\n", encoding="utf-8")
    (tmp_path / "list.json").write_text('[{"id": "a"}, {"id": "b"}]', encoding="utf-8")
    inputs = [str(f), str(tmp_path / "other.jsonl"), str(tmp_path / "list.json")]
    assert khabar("enqueue", *inputs, db=pg).returncode == 1
    rows = open_failures(pg)
    assert {r["payload"] for r in rows} == {
        "{broken",
        '{"id": "x"}',
        "[1]",
        "{also broken",
        '{"id": "a"}',
        '{"id": "b"}',
    }
    r = khabar("failures", "dismiss", "--ref", str(tmp_path / "list.json"), db=pg)  # list.json#1 and #2
    assert r.returncode == 0 and "dismissed 2 failure(s)" in r.stdout
    rows = open_failures(pg)
    listed = khabar("failures", "list", "--show-payload", db=pg).stdout
    assert "    payload: {broken" in listed
    page = khabar("failures", "list", "--limit", "3", db=pg)  # the oldest three of four
    assert len(page.stdout.splitlines()) == 3 and "and 1 more open failure(s)" in page.stderr

    refused = khabar("failures", "resolve", db=pg)
    assert refused.returncode == 2 and "say which failures" in refused.stderr
    first = next(r for r in rows if r["payload"] == "{broken")
    r = khabar("failures", "resolve", str(first["id"]), db=pg)
    assert r.returncode == 0 and "resolved 1 failure(s)" in r.stdout
    r = khabar("failures", "dismiss", "--ref", str(f), db=pg)  # a file: every line of it
    assert r.returncode == 0 and "dismissed 2 failure(s)" in r.stdout
    assert [r["payload"] for r in open_failures(pg)] == ["{also broken"]
    r = khabar("failures", "dismiss", "--stage", "validate", db=pg)
    assert r.returncode == 0 and "dismissed 1 failure(s)" in r.stdout
    again = khabar("failures", "dismiss", "--all", db=pg)
    assert again.returncode == 1 and "no open failure matches" in again.stderr
    status = json.loads(khabar("status", "--json", db=pg).stdout)
    assert status["open_failures"] == {}


def test_reprocess_takes_producer_ids_and_reports_unknown_ones(pg, tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_text(json.dumps({"id": "prod-1", "body": BODY}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert khabar("enqueue", str(f), db=pg).returncode == 0
    r = khabar("reprocess", "--version", "9.9", "--id", "prod-1", "--in-process", db=pg)
    assert r.returncode == 0, r.stderr
    assert "reprocessed 1 article(s) as 9.9: 1 done" in r.stdout
    assert "reprocessing" not in r.stderr  # no progress bar without a terminal
    r = khabar("reprocess", "--version", "9.9", "--id", "nope", db=pg)
    assert r.returncode == 1
    assert "no article 'nope' (neither a Khabar id nor a producer id)" in r.stderr
    assert "nothing to reprocess" in r.stdout
