"""What `events`, `export`, `articles` and `show` give a user, through the real CLI: results of the
seeds processed into Postgres (and SQLite, to compare) by `khabar demo`."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.khabar_cli import khabar
from worker.commands.query import CSV_COLUMNS

pytestmark = pytest.mark.pipeline


@pytest.fixture()
def seeded(pg):
    r = khabar("demo", db=pg)
    assert r.returncode == 0, r.stderr
    return pg


def jsonl(r) -> list[dict]:
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in r.stdout.splitlines()]


def test_event_filters_refuse_what_they_cannot_read(pg):
    r = khabar("events", "--type", "FOO", db=pg)
    assert r.returncode == 2 and "unknown event type 'FOO'; the types are: AGREE CONSULT" in r.stderr
    r = khabar("export", "--since", "yesterday", db=pg)
    assert r.returncode == 2 and "'yesterday' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD" in r.stderr
    r = khabar("events", "--until", "2024-13", db=pg)
    assert r.returncode == 2 and "is not a date" in r.stderr
    r = khabar("articles", "--since", "last week", db=pg)
    assert r.returncode == 2 and "is not a date" in r.stderr


def test_events_dates_compare_as_dates_and_modal_refers_back_confidence_filters(seeded):
    every = jsonl(khabar("events", "--json", "--limit", "1000", db=seeded))
    dated = [e["date"] for e in every if e["date"]]
    # "2023-3" means March 2023: as a string it sorted after "2023-12" and lost "2023-04".
    since = jsonl(khabar("events", "--json", "--limit", "1000", "--since", "2023-3", db=seeded))
    assert sorted(e["date"] for e in since if e["date"]) == sorted(d for d in dated if d[:7] >= "2023-03")
    assert any(e["date"] == "2023-04" for e in since)
    assert any(e["refers_back"] for e in every) and any(e["confidence"] < 0.7 for e in every)
    kept = jsonl(
        khabar("events", "--json", "--limit", "1000", "--omit-refers-back", "--omit-modal", db=seeded)
    )
    assert kept and all(not e["refers_back"] and e["modality"] == "asserted" for e in kept)
    assert len(kept) < len(every)
    sure = jsonl(khabar("events", "--json", "--limit", "1000", "--min-confidence", "0.7", db=seeded))
    assert sure and all(e["confidence"] >= 0.7 for e in sure) and len(sure) < len(every)
    for e in every:  # each event carries the sentence it was found in
        assert e["trigger"] in e["sentence"] and len(e["sentence"]) < 400


def test_export_csv_for_spreadsheets_with_stable_event_ids(seeded, tmp_path):
    out = tmp_path / "events.csv"
    r = khabar("export", "--excel", "--out", str(out), db=seeded)
    assert r.returncode == 0, r.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads Arabic correctly
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == CSV_COLUMNS  # no offsets unless asked
    assert {r["refers_back"] for r in rows} <= {"true", "false"}
    lavrov = [r for r in rows if r["article_title"].startswith("لافروف")]
    assert lavrov and all(r["url"] == "" and r["source"] == "unknown (cites NBC News)" for r in lavrov)
    assert {r["published_at"] for r in lavrov} == {"2023-07-07T09:00:00+00:00"}
    with_offsets = khabar("export", "--format", "csv", "--offsets", db=seeded).stdout.splitlines()[0]
    assert with_offsets.endswith(",start,end")
    # The same results in another database (SQLite here) have the same event ids.
    khabar("demo", cwd=tmp_path)
    embedded = jsonl(khabar("export", cwd=tmp_path))
    assert {e["event_id"] for e in embedded} == {r["event_id"] for r in rows}


def test_articles_lists_and_searches_and_show_prints_times_alike(seeded, tmp_path):
    listed = jsonl(khabar("articles", "--json", db=seeded))
    assert [a["external_id"] for a in listed] == ["sample-002", "sample-001", "sample-003", "seed-000"]
    found = jsonl(khabar("articles", "--json", "--since", "2024-03", "--until", "2024-05", db=seeded))
    assert [a["external_id"] for a in found] == ["sample-002", "sample-001"]
    found = jsonl(khabar("articles", "--json", "--search", "مذكرة تفاهم", "--status", "done", db=seeded))
    assert [a["external_id"] for a in found] == ["sample-001"]
    none = khabar("articles", "--source", "nowhere", db=seeded)
    assert none.returncode == 0 and "no articles match (of 4 stored)" in none.stderr
    khabar("demo", cwd=tmp_path)
    on_pg = khabar("show", "seed-000", db=seeded).stdout.splitlines()
    on_sqlite = khabar("show", "seed-000", cwd=tmp_path).stdout.splitlines()
    assert on_pg[1] == on_sqlite[1] and "published 2023-07-07T09:00:00+00:00" in on_pg[1]
    reported = [line for line in on_pg if "reported by" in line]
    assert len(reported) == len(set(reported))


def test_text_cut_at_the_sentence_cap_is_a_warning_on_the_article(pg, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    sentences = " ".join(f"زار الوزير المدينة رقم {n}." for n in range(12))
    (seeds / "long.jsonl").write_text(
        json.dumps({"id": "long", "body": sentences}, ensure_ascii=False) + "\n"
    )
    r = khabar("demo", "--seeds", str(seeds), db=pg, KHABAR_MAX_SENTENCES="5")
    assert r.returncode == 0, r.stderr
    assert "warning: text cut at 5 sentences (KHABAR_MAX_SENTENCES): the last" in r.stdout
    (listed,) = jsonl(khabar("articles", "--json", db=pg))
    assert len(listed["warnings"]) == 1
    again = khabar("reprocess", "--version", "2", "--in-process", db=pg, KHABAR_MAX_SENTENCES="5")
    assert again.returncode == 0 and "1 done" in again.stdout
    assert len(jsonl(khabar("articles", "--json", db=pg))[0]["warnings"]) == 1  # not repeated
    uncut = khabar("reprocess", "--version", "3", "--in-process", db=pg)
    assert uncut.returncode == 0 and "1 done" in uncut.stdout
    assert jsonl(khabar("articles", "--json", db=pg))[0]["warnings"] == []  # about current results
