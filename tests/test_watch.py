"""khabar watch against a local HTTP server (http.server in a thread) serving feeds and pages:
new items enqueued once, conditional GET honoured, a failing feed backed off, a restart enqueues
nothing twice. Postgres for the state."""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select, update

from tests.khabar_cli import khabar

pytestmark = pytest.mark.db

PAGES = Path(__file__).parent / "data" / "pages"
FULL = "<p>تظاهر مئات العمال في وسط الخرطوم يوم الأحد للمطالبة بزيادة الأجور وصرف الرواتب المتأخرة.</p>"


def rss(items: list[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        "<title>أخبار الشرق</title><link>http://example/</link><description>آخر الأخبار</description>"
        + "".join(items)
        + "</channel></rss>"
    ).encode("utf-8")


def item(guid: str, title: str, link: str, full: str | None = None, summary: str = "ملخص قصير") -> str:
    content = f"<content:encoded><![CDATA[{full}]]></content:encoded>" if full else ""
    return (
        f"<item><guid>{guid}</guid><title>{title}</title><link>{link}</link>"
        f"<pubDate>Sun, 02 Mar 2025 16:45:00 GMT</pubDate><description>{summary}</description>{content}</item>"
    )


class Site:
    """What the server serves: path -> (body, content type); the feed carries an ETag and a
    Last-Modified and answers 304 to a request that has them."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        self.version = 1
        self.requests: Counter[str] = Counter()
        self.not_modified = 0


@pytest.fixture()
def site():
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            state.requests[self.path] += 1
            if self.path == "/broken.xml":
                self.send_error(500, "Internal Server Error")
                return
            if self.path not in state.files:
                self.send_error(404)
                return
            body, ctype = state.files[self.path]
            etag = f'"v{state.version}"'
            last_modified = f"Sun, 02 Mar 2025 1{state.version}:00:00 GMT"
            if self.path.endswith(".xml") and (
                self.headers.get("If-None-Match") == etag
                or self.headers.get("If-Modified-Since") == last_modified
            ):
                state.not_modified += 1
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if self.path.endswith(".xml"):
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", last_modified)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


def test_watch_enqueues_new_items_once_honours_304_and_backs_off(pg, site):
    from db.models import Article, Failure, Feed, FeedItem
    from db.session import session_scope

    b = site.base
    site.files["/news/jordan.html"] = ((PAGES / "news_page.html").read_bytes(), "text/html; charset=utf-8")
    site.files["/news/rates.html"] = ((PAGES / "english_page.html").read_bytes(), "text/html; charset=utf-8")
    items = [
        item("g1", "احتجاجات في الخرطوم", f"{b}/news/khartoum.html", full=FULL),  # whole text in the feed
        item("g2", "الصفدي يلتقي حسين", f"{b}/news/jordan.html"),  # summary only: the page is fetched
        item("g3", "Rates steady", f"{b}/news/rates.html"),  # a page with no Arabic: refused
    ]
    site.files["/feed.xml"] = (rss(items), "application/rss+xml")
    feed, broken = f"{b}/feed.xml", f"{b}/broken.xml"

    r = khabar("watch", feed, broken, "--rounds", "3", "--every", "1", "--max-backoff", "60", db=pg)
    assert r.returncode == 1, r.stderr  # one item refused
    assert f"{feed}: 2 new" in r.stderr and f"{feed}: not modified" in r.stderr
    # backed off: retried after 2 s, then after 4 s (one round a second, three rounds)
    assert f"{broken}: failed: HTTP 500 Internal Server Error from {broken}; next try in 2 s" in r.stderr
    assert f"{broken}: failed: HTTP 500 Internal Server Error from {broken}; next try in 4 s" in r.stderr
    assert "holds no Arabic article" in r.stderr
    # conditional GET honoured: every poll after the first was answered 304
    polls = site.requests["/feed.xml"]
    assert polls >= 2 and site.not_modified == polls - 1
    assert site.requests["/news/jordan.html"] == 1 and "/news/khartoum.html" not in site.requests
    assert site.requests["/broken.xml"] == 2

    with session_scope() as s:
        articles = {a.external_id: a for a in s.scalars(select(Article))}
        assert set(articles) == {"g1", "g2"}
        assert articles["g1"].body.startswith("تظاهر مئات العمال") and articles["g1"].source == "أخبار الشرق"
        page = articles["g2"]
        assert page.title == "الصفدي يلتقي حسين"  # the feed's title wins over the page's
        assert page.author == "سارة الخطيب" and "ملفات تعريف الارتباط" not in page.body
        (failure,) = s.scalars(select(Failure)).all()
        assert failure.stage == "validate" and "English" in failure.error
        feeds = {f.url: f for f in s.scalars(select(Feed))}
        assert feeds[feed].not_modified == polls - 1 and feeds[feed].etag == '"v1"'
        assert feeds[broken].failures_in_a_row == 2 and "HTTP 500" in feeds[broken].last_error

    # A restart, with one more item in the feed: only that one goes in.
    site.version = 2
    site.files["/feed.xml"] = (
        rss(
            [
                *items,
                item("g4", "وصول وزير الخارجية إلى القاهرة", f"{b}/x", full=FULL.replace("الأحد", "الاثنين")),
            ]
        ),
        "application/rss+xml",
    )
    r = khabar("watch", feed, "--rounds", "1", db=pg)
    assert r.returncode == 0, r.stderr
    assert f"{feed}: 1 new" in r.stderr
    with session_scope() as s:
        assert sorted(s.scalars(select(Article.external_id))) == ["g1", "g2", "g4"]
        keys = s.scalars(select(FeedItem.key)).all()
        assert sorted(keys) == ["g1", "g2", "g3", "g4"]  # each item once, the refused one too
    assert site.requests["/news/jordan.html"] == 1 and site.requests["/news/rates.html"] == 1


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>الوادي نيوز</title><id>urn:alwadi</id>
<updated>2025-03-02T18:45:00+02:00</updated>
<entry><id>urn:alwadi:1</id><title>إضراب في بورتسودان</title><link href="https://alwadi.example/1"/>
<updated>2025-03-02T18:45:00+02:00</updated><author><name>محمد عثمان</name></author>
<content type="html">&lt;p&gt;أعلن عمال ميناء بورتسودان إضراباً عن العمل يوم الأحد احتجاجاً على تأخر الأجور.&lt;/p&gt;</content>
</entry></feed>
"""


def test_an_atom_file_feed_goes_in_once_and_a_page_that_is_no_feed_fails(pg, site, tmp_path):
    from db.models import Article, Feed
    from db.session import session_scope

    atom = tmp_path / "alwadi.atom"
    atom.write_text(ATOM, encoding="utf-8")
    site.files["/not-a-feed.xml"] = (b"<html><body><p>404 page</p></body></html>", "text/html")
    not_a_feed = f"{site.base}/not-a-feed.xml"
    first = khabar("watch", str(atom), not_a_feed, "--rounds", "1", "--every", "600", db=pg)
    assert first.returncode == 0, first.stderr
    assert f"{atom}: 1 new" in first.stderr
    assert f"{not_a_feed}: failed: {not_a_feed} is not an RSS or Atom feed" in first.stderr
    again = khabar("watch", str(atom), "--rounds", "1", db=pg)
    assert f"{atom}: next poll in 59" in again.stderr  # a restart keeps the feed's interval...
    with session_scope() as s:
        s.execute(update(Feed).values(next_poll_at=None))  # ...until it is due
    again = khabar("watch", str(atom), "--rounds", "1", db=pg)
    assert f"{atom}: 0 new" in again.stderr
    with session_scope() as s:
        (a,) = s.scalars(select(Article)).all()
    assert a.external_id == "urn:alwadi:1" and a.author == "محمد عثمان" and a.source == "الوادي نيوز"
    assert a.body == "أعلن عمال ميناء بورتسودان إضراباً عن العمل يوم الأحد احتجاجاً على تأخر الأجور."
    assert a.published_at.isoformat() == "2025-03-02T16:45:00+00:00"
    assert a.published_offset == 120  # the feed's own offset is kept (dates resolve on its day)
