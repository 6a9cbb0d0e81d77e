"""`khabar bench pipeline`, the throughput benchmark of the done-when figures, at a size that runs
in seconds: the seed articles in one process and through one real worker (a private Redis, a
throw-away Postgres database), every figure printed and the database dropped afterwards."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import PG_ADMIN_URL, _admin_engine

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.pipeline
@pytest.mark.db
@pytest.mark.slow
def test_bench_pipeline_prints_both_ways_side_by_side_round_after_round_and_drops_its_databases():
    seeds = sorted(str(p) for p in (ROOT / "seeds").glob("*.jsonl"))
    label = "benchtest"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "worker.cli",
            "bench",
            "pipeline",
            *seeds,
            "--limit",
            "6",
            "--processes",
            "1",
            "--admin-url",
            PG_ADMIN_URL,
            "--label",
            label,
            "--rounds",
            "2",
        ],  # fmt: skip
        cwd=ROOT,
        capture_output=True,
        timeout=300,
    )
    out = r.stdout.decode()
    assert r.returncode == 0, r.stderr.decode()[-3000:]
    assert "| in process |" in out and "| pipeline (redis, batch " in out
    assert "2 rounds, each: in process and the pipeline timed back to back" in out
    assert "÷ in process: median " in out
    # both timed in every round, the in-process run once the pipeline's workers are up
    err = r.stderr.decode()
    for k in (1, 2):
        assert err.index(
            f"pipeline on redis, batches of 16: 4 articles on 1 workers (round {k} of 2)"
        ) < err.index(f"in process: 4 articles on 1 processes (round {k} of 2)")
    n = int(re.search(r"^(\d+) articles, 1 processes each way", out, re.M).group(1))
    done, failed = map(int, re.search(r"(\d+) done, (\d+) failed", out).groups())
    assert n == 4 and (done, failed) == (n - 1, 0)  # one warms the worker up before the clock starts
    for step in ("normalise", "ner", "events", "store"):
        assert f"| {step} | " in out
    assert "peak worker RSS" in out and "KB per done article" in out
    waited = re.search(
        r"^waited for a core, over CPU time used: in process (\d+)%, pipeline \(redis, batch \d+\) (\d+)%$",
        out,
        re.M,
    )
    if Path("/proc/self/schedstat").exists():  # a kernel that keeps it (CONFIG_SCHED_INFO)
        assert waited is not None, out
    with _admin_engine().connect() as conn:
        left = conn.scalar(
            text("SELECT count(*) FROM pg_database WHERE datname LIKE :p"), {"p": f"%{label}%"}
        )
    assert left == 0
