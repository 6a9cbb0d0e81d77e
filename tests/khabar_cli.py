"""Running the real `khabar` command in a subprocess, against the test database and the private
queue of this run (conftest), for the tests of what a user sees."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REDIS_URL, ROOT


def khabar(
    *args: str,
    db: str | None = None,
    cwd: Path | str = ROOT,
    stdin: bytes | None = None,
    timeout: float = 300,
    **env: str,
) -> subprocess.CompletedProcess:
    """``khabar ARGS`` with only the KHABAR_* settings given here (plus this run's queue and
    broker), so nothing from the caller's environment or a .env leaks in. Output is text."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("KHABAR_")}
    full.update(
        PYTHONPATH=str(ROOT),
        KHABAR_BROKER_URL=REDIS_URL,
        KHABAR_QUEUE=os.environ["KHABAR_QUEUE"],
    )
    if db:
        full["KHABAR_DATABASE_URL"] = db
    full.update(env)
    r = subprocess.run(
        [sys.executable, "-m", "worker.cli", *args],
        cwd=cwd,
        env=full,
        input=stdin,
        capture_output=True,
        timeout=timeout,
    )
    r.stdout = r.stdout.decode("utf-8", "replace")
    r.stderr = r.stderr.decode("utf-8", "replace")
    return r
