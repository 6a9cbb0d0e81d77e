"""`khabar serve` as a user runs it: the real command in its own process (waitress), on Postgres
and SQLite; and the seed article's page rendered by headless Chromium (Debian's `chromium`), whose
DOM must hold every highlight and read right to left. Without Chromium that test skips, saying so."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import lxml.html
import pytest
from sqlalchemy import select

from tests import web_seed
from tests.conftest import REDIS_URL, ROOT
from tests.web_seed import checked

pytestmark = [pytest.mark.db, pytest.mark.slow]

seeded = web_seed.seeded  # the fixture: one seeded database (each backend) for this module


@pytest.fixture(scope="module")
def server(seeded) -> Iterator[str]:
    """`khabar serve --port 0 --database-url URL`; yields its base address, read from what it prints."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KHABAR_")}
    env.update(PYTHONPATH=str(ROOT), KHABAR_BROKER_URL=REDIS_URL, KHABAR_QUEUE=os.environ["KHABAR_QUEUE"])
    proc = subprocess.Popen(
        [sys.executable, "-m", "worker.cli", "serve", "--port", "0", "--database-url", seeded],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()  # printed once it listens
        assert line.startswith("khabar serve: http://127.0.0.1:"), line + proc.stderr.read()
        yield line.split()[2].rstrip("/")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def fetch(url: str, method: str = "GET") -> tuple[int, dict, str]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=30) as r:
            return r.status, dict(r.headers), r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode("utf-8")


def _listening_address(port: int) -> str:
    """The address a socket listens on for ``port``, from the kernel's table (hex, as it writes it)."""
    for line in open("/proc/net/tcp").read().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if int(hex_port, 16) == port and state == "0A":  # LISTEN
            return address
    raise AssertionError(f"nothing listens on {port}")


def test_the_real_server_serves_every_page_and_only_reads(server, seeded):
    from db.models import Entity
    from db.session import session_scope

    with session_scope(seeded) as session:
        lavrov = session.scalar(select(Entity.id).where(Entity.canonical == "سيرغي لافروف"))
    for path in (
        "/",
        "/?type=CONSULT&participant=لافروف",
        "/article/seed-000",
        f"/entity/{lavrov}",
        "/status",
    ):
        status, headers, html = fetch(server + urllib.parse.quote(path, safe="/?=&"))
        assert status == 200, (path, html[:300])
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        doc = checked(html, headers, path)
        assert doc.xpath("//main//h1")
    status, headers, css = fetch(server + "/static/khabar.css")
    assert status == 200 and "Noto Naskh Arabic" in css
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        status, headers, _ = fetch(server + "/article/seed-000", method)
        assert status == 405 and headers["Allow"] == "GET, HEAD"
    status, _, body = fetch(server + "/status", "HEAD")
    assert status == 200 and body == ""
    # bound to the loopback address only (127.0.0.1 is 0100007F in the kernel's table)
    if os.path.exists("/proc/net/tcp"):
        assert _listening_address(int(server.rpartition(":")[2])) == "0100007F"


def test_serve_refuses_a_database_it_cannot_show(tmp_path):
    from tests.khabar_cli import khabar

    missing = tmp_path / "none.db"
    r = khabar("serve", "--database-url", f"sqlite:///{missing}", "--port", "0")
    assert r.returncode == 1 and f"no SQLite database at {missing}" in r.stderr
    assert not missing.exists()  # looking did not create it
    empty = tmp_path / "empty.db"
    empty.touch()
    r = khabar("serve", "--database-url", f"sqlite:///{empty}", "--port", "0")
    assert r.returncode == 1 and "empty (no Khabar schema)" in r.stderr and "khabar db upgrade" in r.stderr


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (Debian: apt-get install -y chromium); the rendered-DOM test needs it",
)
def test_chromium_renders_the_seed_article_right_to_left_with_every_highlight(server, seeded, tmp_path):
    from db.models import Article
    from db.session import session_scope
    from db.store import current_events, current_mentions

    with session_scope(seeded) as session:
        article = session.scalars(select(Article).where(Article.external_id == "seed-000")).one()
        mentions = sorted(m.text for m in current_mentions(session, article))
        triggers = len(current_events(session, article))
    headless = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        f"--user-data-dir={tmp_path}",
    ]
    url = f"{server}/article/seed-000"
    r = subprocess.run([*headless, "--dump-dom", url], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "<html" in r.stdout, r.stderr[-2000:]
    doc = lxml.html.fromstring(r.stdout)
    assert doc.get("dir") == "rtl" and doc.get("lang") == "ar"
    highlights = doc.xpath("//article//*[@data-entity]")
    assert sorted(h.text_content() for h in highlights) == mentions and len(mentions) > 30
    assert len(doc.xpath("//article//mark[@data-event]")) == triggers
    assert doc.xpath("//h1[@class='headline']")[0].text_content() == article.title
    shot = tmp_path / "article.png"
    r = subprocess.run(
        [*headless, "--hide-scrollbars", "--window-size=1000,800", f"--screenshot={shot}", url],
        capture_output=True,
        timeout=120,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
