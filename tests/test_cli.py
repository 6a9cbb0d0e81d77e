"""The two user-facing promises without services: `khabar demo` (embedded SQLite, in process) and
`khabar extract` (SCHEMA.md §3 on stdout)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT


def run(args, cwd, stdin: bytes | None = None, env_extra: dict | None = None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KHABAR_")}
    env.update(PYTHONPATH=str(ROOT), **(env_extra or {}))
    # A broker address nothing listens on: the embedded mode must not need one.
    env["KHABAR_BROKER_URL"] = "redis://127.0.0.1:1/0"
    return subprocess.run(
        [sys.executable, "-m", "worker.cli", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        timeout=300,
    )


def test_demo_runs_embedded_and_twice(tmp_path):
    r = run(["demo"], tmp_path)
    out = r.stdout.decode()
    assert r.returncode == 0, r.stderr.decode()
    assert (tmp_path / "khabar.db").exists()
    assert "accepted 4" in out
    assert "extracting" not in r.stderr.decode()  # no progress bar without a terminal
    assert "سيرغي لافروف" in out and "نيويورك" in out
    assert "event: CONSULT" in out
    again = run(["demo"], tmp_path)
    assert again.returncode == 0 and "accepted 0, duplicates 4" in again.stdout.decode()
    shown = run(["show", "seed-000"], tmp_path)
    assert shown.returncode == 0 and "[done]" in shown.stdout.decode()
    events = run(["events", "--type", "CONSULT", "--json"], tmp_path)
    rows = [json.loads(line) for line in events.stdout.decode().splitlines()]
    assert rows and all(r["type"] == "CONSULT" for r in rows)
    exported = run(["export", "--format", "csv"], tmp_path)
    header = exported.stdout.decode().splitlines()[0]
    assert header.startswith("event_id,date,type,mode,trigger")


def test_extract_prints_schema_output_for_the_seed():
    seed = (ROOT / "seeds" / "000_seed_lavrov.jsonl").read_bytes()
    r = run(["extract"], ROOT, stdin=seed + b"{broken\n")
    assert r.returncode == 1  # the broken line
    first, second = (json.loads(line) for line in r.stdout.decode().splitlines())
    assert second["error"].startswith("<stdin>:2: malformed JSON")
    text = json.loads(seed)["title"] + "\n\n" + json.loads(seed)["body"]
    for e in first["entities"]:
        assert text[e["start"] : e["end"]] == e["text"]
        assert e["type"] in ("PERS", "ORG", "LOC", "MISC")
    canon = {e["canonical"] for e in first["entities"]}
    assert {"سيرغي لافروف", "أنتوني بلينكن", "نيويورك", "أوكرانيا"} <= canon
    assert "CONSULT" in {e["type"] for e in first["events"]}
    for ev in first["events"]:
        assert text[ev["trigger"]["start"] : ev["trigger"]["end"]] == ev["trigger"]["text"]


def test_help_explains_every_command():
    r = run(["--help"], ROOT)
    out = r.stdout.decode()
    for command in ("enqueue", "worker", "extract", "demo", "show", "events", "export", "status", "metrics", "failures",
                    "recover", "bridge", "reprocess", "quality", "soak", "tag", "train-ner", "bench"):  # fmt: skip
        assert command in out
    quality = run(["quality", "--help"], ROOT).stdout.decode()
    assert "events" in quality and "ner" in quality


def test_bench_stages_prints_a_row_per_stage(tmp_path):
    english = tmp_path / "en.jsonl"
    english.write_text(json.dumps({"id": "en", "body": "The minister met his counterpart today."}) + "\n")
    seeds = sorted(str(p) for p in (ROOT / "seeds").glob("*.jsonl"))
    r = run(["bench", "stages", *seeds, str(english), "--limit", "5"], ROOT)
    out = r.stdout.decode()
    assert r.returncode == 0, r.stderr.decode()
    assert "4 articles timed (1 skipped)" in out
    for stage in ("normalise", "segment", "ner", "link", "events"):
        assert f"| {stage} | " in out
    assert "articles/s in one process" in out
    assert "mean CPU ms" in out and "process CPU: " in out
    broken = tmp_path / "broken.json"
    broken.write_text('{"id": "x", "body": ', encoding="utf-8")
    r = run(["bench", "stages", str(broken)], ROOT)
    assert r.returncode == 1 and "no article could be processed (1 skipped)" in r.stderr.decode()
    assert "Traceback" not in r.stderr.decode()


def test_long_commands_say_what_they_are_doing(tmp_path):
    sentences = [
        "قال O\nسيرغي B-PERS\nلافروف I-PERS\nفي O\nموسكو B-LOC",
        "زار O\nبلينكن B-PERS\nبغداد B-LOC",
        "أعلنت O\nالأمم B-ORG\nالمتحدة I-ORG",
    ] * 4
    train = tmp_path / "train.txt"
    train.write_text("\n\n".join(sentences) + "\n", encoding="utf-8")
    args = ["train-ner", "--train", str(train), "--out", str(tmp_path / "m"), "--dev-fraction", "0.25"]
    r = run([*args, "--single-pass"], tmp_path)
    assert r.returncode == 0, r.stderr.decode()
    lines = r.stdout.decode().splitlines()
    starts = [n for n, line in enumerate(lines) if line.startswith("training ")]
    assert [lines[n] for n in starts] == [
        "training on 9 sentences, holding out the last 3 …",
        "training the final model on all 12 sentences …",
    ]
    r = run(["bench", "ner", "--conll", str(train), "--seconds", "0.1"], tmp_path)
    assert r.returncode == 0 and "ner[shipped]: loading, then tagging for 0.1s …" in r.stderr.decode()


def test_readme_lists_every_command_and_states_the_message_contract():
    from worker.messages import ArticleMessage

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Commands", 1)[1].split("\n## ", 1)[0]
    listed = run(["--help"], ROOT).stdout.decode().split("Commands:", 1)[1]
    for line in listed.splitlines():
        if line.strip():
            assert f"`khabar {line.split()[0]}" in table, line.split()[0]
    contract = readme.split("## Article messages", 1)[1].split("\n## ", 1)[0]
    for name in ArticleMessage.model_fields:
        assert f"| `{name}` |" in contract, name
