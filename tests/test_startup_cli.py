"""Start-up and database problems a new user meets, through the real CLI: one line that says what
is wrong and what to do; a worker that names its database and broker, and refuses the wrong ones."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import RUN_ID
from tests.khabar_cli import khabar

pytestmark = pytest.mark.pipeline


def one_line(r) -> str:
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    (line,) = r.stderr.strip().splitlines()
    return line


def test_unmigrated_or_missing_database_is_one_line_that_says_what_to_do(empty_pg, tmp_path):
    for args in (["status"], ["events"], ["articles"], ["show", "x"], ["enqueue", "seeds"]):
        line = one_line(khabar(*args, db=empty_pg))
        assert "has no Khabar schema or an old one" in line and "run `khabar db upgrade`" in line, args
    missing = (
        make_url(empty_pg).set(database=f"khabar_missing_{RUN_ID}").render_as_string(hide_password=False)
    )
    line = one_line(khabar("status", db=missing))
    assert f'database "khabar_missing_{RUN_ID}" does not exist' in line and "khabar db upgrade" in line
    line = one_line(khabar("status", db="postgresql+psycopg://postgres:secret@127.0.0.1:1/x"))
    assert "cannot use the database postgresql+psycopg://postgres:***@127.0.0.1:1/x" in line
    assert "secret" not in line
    line = one_line(khabar("worker", db=empty_pg))
    assert "refusing to start" in line and "empty (no Khabar schema)" in line and "khabar db upgrade" in line


def test_worker_refuses_the_embedded_sqlite_with_a_shared_broker(tmp_path):
    line = one_line(khabar("worker", cwd=tmp_path))
    assert "refusing to start: the database is SQLite (sqlite:///khabar.db)" in line
    assert "KHABAR_DATABASE_URL" in line and "KHABAR_ALLOW_SQLITE_WORKER=1" in line
    assert not (tmp_path / "khabar.db").exists()


def test_worker_names_its_database_and_broker_with_passwords_masked(start_worker, worker_env, tmp_path):
    url = make_url(worker_env["KHABAR_DATABASE_URL"]).set(password="secret")  # trust auth ignores it
    start_worker(KHABAR_DATABASE_URL=url.render_as_string(hide_password=False))
    log = (tmp_path / "worker0.log").read_text()
    assert f"khabar worker: database {url.render_as_string(hide_password=True)}, broker redis://" in log
    assert "secret" not in log
