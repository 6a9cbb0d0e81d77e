"""A ``khabar worker`` subprocess that can be waited for, stopped, or killed outright — for the
soak command and the tests that kill workers on purpose."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class WorkerProcess:
    """A Celery worker in its own session; ``kill()`` SIGKILLs its whole process group (the main
    process and its pool children), as an OOM killer or a lost machine would."""

    def __init__(
        self,
        env: dict[str, str],
        log_path: Path,
        concurrency: int = 1,
        name: str = "worker",
        loglevel: str = "INFO",
    ) -> None:
        self.log_path = log_path
        self.log = log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "worker.cli", "worker", "--concurrency", str(concurrency),
             "--loglevel", loglevel, "--pool", "prefork", "--without-mingle", "--without-gossip",
             "-n", f"{name}-{uuid.uuid4().hex[:6]}@%h"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.log_path.read_text()[-3000:]}")
            if b" ready." in self.log_path.read_bytes():
                return
            time.sleep(0.2)
        raise TimeoutError(f"worker not ready after {timeout}s:\n{self.log_path.read_text()[-3000:]}")

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(30)
        self.log.close()

    def stop(self) -> None:
        """Warm shutdown (SIGTERM: finish the task in hand), SIGKILL if it does not end in 30 s."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(30)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                self.kill()
                return
        self.log.close()
