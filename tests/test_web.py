"""`khabar serve`'s pages through the app's test client, on Postgres and on SQLite: the seeds and
an article written to attack the page (script tags, quotes, a javascript: address), processed in
process as `khabar demo` does."""

from __future__ import annotations

import os

import lxml.html
import pytest
from sqlalchemy import func, select, text, update

from tests import web_seed
from tests.web_seed import HOSTILE_TITLE, checked

seeded = web_seed.seeded  # the fixture: one seeded database (each backend) for this module

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def client(seeded):
    from worker.web.app import create_app

    app = create_app(seeded, queue_depths=lambda: {"khabar": 3, "khabar.continue": 1})
    return app.test_client()


def page(client, path: str, status: int = 200):
    r = client.get(path)
    assert r.status_code == status, r.get_data(as_text=True)[:500]
    return checked(r.get_data(as_text=True), r.headers, path)


def _db(url: str):
    from db.session import session_scope

    return session_scope(url)


def _seed_article(url: str):
    from db.models import Article

    with _db(url) as session:
        return session.scalars(select(Article).where(Article.external_id == "seed-000")).one()


def test_article_page_highlights_every_mention_and_trigger_at_its_offsets(client, seeded):
    from db.store import current_events, current_mentions

    article = _seed_article(seeded)
    with _db(seeded) as session:
        mentions = current_mentions(session, article)
        events = current_events(session, article)
        expected = sorted((m.entity.type, m.text) for m in mentions)
        triggers = sorted(e.trigger_text for e in events)
        lavrov = next(m for m in mentions if m.entity.canonical == "سيرغي لافروف")
    doc = page(client, "/article/seed-000")
    assert lxml.html.tostring(page(client, f"/article/{article.id}")) == lxml.html.tostring(doc)
    marked = doc.xpath("//article//*[@data-entity]")
    assert sorted((m.get("data-type"), m.text_content()) for m in marked) == expected
    assert len(marked) == len(mentions) > 30
    assert sorted(t.text_content() for t in doc.xpath("//article//mark[@data-event]")) == triggers
    assert {t.get("id") for t in doc.xpath("//article//mark[@data-event]")} == {
        r.get("data-event") for r in doc.xpath("//table[@class='events']//tr[@data-event]")
    }
    # every mention links to its entity's page
    assert {m.get("href") for m in marked if m.text_content() == "لافروف"} == {f"/entity/{lavrov.entity_id}"}
    assert doc.xpath("//h1[@class='headline']")[0].text_content() == article.title
    # the events table: participants with their actor codes, place, date; and the attribution
    rows = doc.xpath("//table[@class='events']/tbody/tr")
    assert len(rows) == len(events)
    meet = [r for r in rows if "نيويورك" in r.text_content()]
    assert meet and "سيرغي لافروف" in meet[0].text_content() and "RUSGOV" in meet[0].text_content()
    assert any("2023-04" in r.text_content() for r in rows)
    attribution = doc.xpath("//table[@class='attributions']/tbody/tr")[0].text_content()
    assert "NBC News" in attribution and "أربعة مسؤولين سابقين" in attribution
    assert "2023-07-07T09:00:00+00:00" in doc.xpath("//p[@class='meta']")[0].text_content()


def test_hostile_article_is_shown_as_text_everywhere(client, seeded):
    from db.models import Entity, Event, EventArgument

    doc = page(client, "/article/hostile-001")
    assert doc.xpath("//h1[@class='headline']")[0].text_content() == HOSTILE_TITLE
    body = doc.xpath("//div[@class='text']")[0].text_content()
    assert '<script>alert("body")</script>' in body and "<img src=x onerror=alert(1)>" in body
    meta = doc.xpath("//p[@class='meta']")[0]
    assert (
        '<script>alert("source")</script>' in meta.text_content() and "\"'><b>كاتب</b>" in meta.text_content()
    )
    assert not meta.xpath(".//a")  # a javascript: address is shown, never a link
    # a name that is itself markup, on every page that shows names
    with _db(seeded) as session:
        entity_id = session.scalar(
            select(EventArgument.entity_id)
            .join(Event)
            .where(Event.article.has(external_id="hostile-001"), EventArgument.role != "location")
            .limit(1)
        )
        original = session.get(Entity, entity_id).canonical
        session.execute(
            update(Entity).where(Entity.id == entity_id).values(canonical='<script>alert("name")</script>"\'')
        )
    try:
        for path in ("/article/hostile-001", f"/entity/{entity_id}", "/?limit=1000"):
            shown = page(client, path).text_content()
            assert '<script>alert("name")</script>"\'' in shown, path
    finally:
        with _db(seeded) as session:
            session.execute(update(Entity).where(Entity.id == entity_id).values(canonical=original))
    # what a user types into the filters comes back as text too
    doc = page(client, "/?place=%22%3E%3Cscript%3Ealert(1)%3C/script%3E&since=%3Cscript%3E")
    assert doc.xpath("//input[@name='place']")[0].get("value") == '"><script>alert(1)</script>'
    assert "'<script>' is not a date" in doc.xpath("//ul[@class='errors']")[0].text_content()


def test_event_list_has_the_filters_of_khabar_events(client, seeded):
    from db.models import Event

    with _db(seeded) as session:
        total = session.scalar(select(func.count()).select_from(Event))
    every = page(client, "/?limit=1000").xpath("//table[@class='events']/tbody/tr")
    assert len(every) == total > 30
    assert len(page(client, "/").xpath("//table[@class='events']/tbody/tr")) == min(50, total)
    dates = [r.xpath("td[@class='date']")[0].text_content() for r in every]
    dated = [d for d in dates if d != "—"]
    assert dated == sorted(dated, reverse=True) and dates[: len(dated)] == dated  # newest first, undated last
    assault = page(client, "/?type=assault&limit=1000").xpath("//table[@class='events']/tbody/tr")
    assert assault and all("ASSAULT" in r.xpath("td")[1].text_content() for r in assault)
    assert len(assault) < total
    lavrov = page(client, "/?participant=لافروف&limit=1000").xpath("//table[@class='events']/tbody/tr")
    assert lavrov and all(
        "لافروف" in r.xpath("td")[3].text_content() + r.xpath("td")[4].text_content() for r in lavrov
    )
    since = page(client, "/?since=2023-3&limit=1000").xpath("//table[@class='events']//td[@class='date']")
    assert since and all(d.text_content()[:7] >= "2023-03" for d in since)
    kept = page(client, "/?omit_modal=1&omit_refers_back=1&limit=1000").xpath(
        "//table[@class='events']/tbody/tr"
    )
    assert 0 < len(kept) < total and not any("إحالة" in r.text_content() for r in kept)
    sure = page(client, "/?min_confidence=0.7&limit=1000").xpath("//table[@class='events']/tbody/tr")
    assert 0 < len(sure) < total
    assert len(page(client, "/?limit=3").xpath("//table[@class='events']/tbody/tr")) == 3
    place = page(client, "/?place=نيويورك").xpath("//table[@class='events']/tbody/tr")
    assert place and all("نيويورك" in r.xpath("td")[5].text_content() for r in place)
    refused = page(client, "/?type=FOO&limit=0")
    assert len(refused.xpath("//ul[@class='errors']/li")) == 2
    assert len(refused.xpath("//table[@class='events']/tbody/tr")) == min(50, total)  # the rest applies


def test_article_list_has_the_filters_of_khabar_articles(client, seeded):
    rows = page(client, "/articles").xpath("//table[@class='article-list']/tbody/tr")
    assert len(rows) == 5
    titles = [r.xpath("td/a")[0].text_content() for r in rows]
    assert HOSTILE_TITLE in titles  # as text, like every other value
    dates = [r.xpath("td[@class='date']")[0].text_content() for r in rows]
    assert dates == sorted(dates, reverse=True) and "2024-02-01" in dates  # newest first
    seed = next(r for r in rows if r.xpath("td[@class='ids']")[0].text_content() == "seed-000")
    assert int(seed.xpath("td")[4].text_content()) > 10  # its events

    def listed(query):
        doc = page(client, "/articles?" + query)
        return [r.get("data-article") for r in doc.xpath("//table[@class='article-list']/tbody/tr")]

    assert len(listed("status=done")) == 5 and listed("status=failed") == []
    assert len(listed("source=khabar-samples")) == 3
    assert len(listed("search=لافروف المحادثات")) == 1
    assert len(listed("since=2024")) == 4 and len(listed("until=2023-07")) == 1
    hostile = page(client, "/articles?since=2024-02&until=2024-02").xpath("//table[@class='article-list']//a")
    assert [a.text_content() for a in hostile] == [HOSTILE_TITLE]
    assert len(listed("limit=2")) == 2
    refused = page(client, "/articles?status=lost&since=soon")
    assert [li.text_content().split(":")[0] for li in refused.xpath("//ul[@class='errors']/li")] == [
        "status",
        "since",
    ]


def test_entity_page_names_code_and_events_over_time(client, seeded):
    from db.models import Entity

    with _db(seeded) as session:
        lavrov = session.scalars(select(Entity).where(Entity.canonical == "سيرغي لافروف")).one()
    doc = page(client, f"/entity/{lavrov.id}")
    assert doc.xpath("//h1")[0].text_content().strip() == "سيرغي لافروف"
    aliases = [li.text_content() for li in doc.xpath("//ul[@class='aliases']/li")]
    assert any(a.startswith("لافروف ×") for a in aliases)
    assert "RUSGOV" in [c.text_content() for c in doc.xpath("//p[@class='meta']//code")]
    bars = doc.xpath("//svg/g[@class='bar']")
    assert bars and sum(int(b.get("data-count")) for b in bars) >= 3
    assert "2023-03" in [b.get("data-period") for b in bars]
    rows = doc.xpath("//table[@class='events']/tbody/tr")
    assert rows and all("لافروف" in r.text_content() for r in rows)
    seed = _seed_article(seeded)
    assert [a.get("href") for a in doc.xpath("//ul[@class='articles']//a")] == [f"/article/{seed.id}"]
    page(client, "/entity/999999", status=404)
    page(client, "/article/no-such-article", status=404)
    page(client, "/nothing-here", status=404)


def test_status_page_counts_failures_and_queue_depth(client, seeded):
    doc = page(client, "/status")
    done = doc.xpath("//*[@id='articles']//tr[@data-status='done']/td")[0].text_content()
    assert done == "5"
    assert doc.xpath("//*[@id='failures']//tr[@data-stage='validate']/td")[0].text_content() == "1"
    assert [r.get("data-queue") for r in doc.xpath("//*[@id='queues']//tr[@data-queue]")] == [
        "khabar",
        "khabar.continue",
    ]
    assert doc.xpath("//*[@id='queues']//tr[@class='total']/td")[0].text_content() == "4"
    assert "invalid.jsonl:1 InvalidInput: missing required field 'body'" in " ".join(
        doc.xpath("//table[@class='failures']")[0].text_content().split()
    )
    from worker.web.app import create_app

    unknown = create_app(seeded, queue_depths=lambda: None).test_client()
    assert "تعذّر الوصول إلى الوسيط" in page(unknown, "/status").xpath("//*[@id='queues']")[0].text_content()


def test_status_page_reads_the_real_broker(seeded):
    """Without an injected reader the page asks the broker `khabar status` asks (the test Redis)."""
    from worker.web.app import create_app

    doc = page(create_app(seeded).test_client(), "/status")
    queues = [r.get("data-queue") for r in doc.xpath("//*[@id='queues']//tr[@data-queue]")]
    assert queues == [os.environ["KHABAR_QUEUE"] + ".continue", os.environ["KHABAR_QUEUE"]]


def test_a_participants_events_are_the_same_paged_or_not_on_either_database(seeded):
    """Paged, a participant's events are read through a LATERAL join on Postgres; SQLite has none
    and filters (`khabar events --participant` and `export --participant` failed there)."""
    from db.store import events_query, iter_events

    with _db(seeded) as session:
        every = [e.id for e in session.scalars(events_query(participant="لافروف"))]
        assert [e.id for e in iter_events(session, batch=2, participant="لافروف")] == every
        assert len(every) > 3


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_only_get_and_head(client, method):
    for path in (
        "/",
        "/articles",
        "/article/seed-000",
        "/entity/1",
        "/status",
        "/static/khabar.css",
        "/nothing-here",
    ):
        r = client.open(path, method=method)
        assert r.status_code == 405 and r.headers["Allow"] == "GET, HEAD", (path, method)
    r = client.head("/article/seed-000")
    assert r.status_code == 200 and r.get_data() == b""


def test_reads_are_in_read_only_transactions(seeded):
    from sqlalchemy.exc import DBAPIError

    from worker.web.app import read_only

    with pytest.raises(DBAPIError, match="read-only|readonly"):
        with read_only(seeded) as session:
            session.execute(text("UPDATE articles SET title = 'x'"))
    with read_only(seeded) as session:  # and the connection is usable again afterwards
        assert session.scalar(text("SELECT count(*) FROM articles WHERE title = 'x'")) == 0
