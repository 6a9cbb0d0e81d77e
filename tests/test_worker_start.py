"""What a worker's main process does before its pool forks, and each pool process after."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

from worker.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

# In a fresh interpreter: which stage models are loaded after ``preload``, and how many objects
# the collector still scans.
_PROBE = """
import gc, json, sys
from worker.preload import preload
from worker.settings import Settings
from worker.stages.ner import stage
from worker.stages.text import language
loaded = preload(Settings(worker_preload=sys.argv[1] == "on"))
print(json.dumps({"loaded": loaded, "taggers": len(stage._TAGGERS), "language": language._MODEL is not None,
                  "scanned": len(gc.get_objects())}))
"""


def _probe(mode: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, mode],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_main_process_loads_the_models_before_the_pool_forks_and_freezes_them():
    on = _probe("on")
    assert on["loaded"] and on["taggers"] == 1
    # the Arabic warm-up text never reaches the language identifier: it is loaded on its own
    assert on["language"]
    # everything the warm-up left alive (lexicons, word lists, the other stages' models) frozen,
    # not only the NER model (which freezes what is alive when it loads, before the later stages)
    assert on["scanned"] < 1_000
    off = _probe("off")
    assert not off["loaded"] and off["taggers"] == 0 and not off["language"] and off["scanned"] > 10_000


def test_no_preload_for_a_backend_whose_model_does_not_survive_a_fork():
    from worker.preload import preload

    assert preload(Settings(worker_preload=True, ner_backend="camel")) is False


def test_a_pool_process_collects_less_often(monkeypatch):
    from worker import app
    from worker.settings import get_settings

    before = gc.get_threshold()
    try:
        monkeypatch.setenv("KHABAR_WORKER_GC_THRESHOLD", "40000")
        get_settings.cache_clear()
        app._after_fork()
        assert gc.get_threshold() == (40000, *before[1:])
        gc.set_threshold(*before)
        monkeypatch.setenv("KHABAR_WORKER_GC_THRESHOLD", "0")  # Python's own
        get_settings.cache_clear()
        app._after_fork()
        assert gc.get_threshold() == before
    finally:
        gc.set_threshold(*before)
        get_settings.cache_clear()


def test_a_real_worker_loads_the_models_before_its_pool_forks(start_worker):
    w = start_worker()
    log = w.log_path.read_text(errors="replace")
    assert "models loaded before the pool forked" in log
