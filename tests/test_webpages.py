"""Web pages as input: the article's own text (no menus, related links, comments, cookie banners
or share buttons reach the extractors), its metadata, the page's true encoding, and a page with
no Arabic refused with its reason. Pages in tests/data/pages/ are written for these tests."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.khabar_cli import khabar
from worker.messages import InvalidArticle, read_path, validate
from worker.stages.document import Document
from worker.stages.output import to_output
from worker.stages.pipeline import run_all
from worker.stages.text.normalise import html_to_text
from worker.webpage import decode_page, read_page

PAGES = Path(__file__).parent / "data" / "pages"
NEWS = PAGES / "news_page.html"

NEWS_PARAGRAPHS = [
    "التقى وزير الخارجية الأردني أيمن الصفدي نظيره العراقي فؤاد حسين في العاصمة عمّان يوم السبت",
    "وقال الصفدي في مؤتمر صحفي مشترك عقب اللقاء",
    "من جهته، أكد حسين أن بغداد تسعى إلى استكمال مشروع أنبوب النفط",
    "وتناول الوزيران كذلك أوضاع اللاجئين في المنطقة",
    "ويأتي اللقاء في إطار جولة إقليمية يقوم بها وزير الخارجية العراقي",
]
# One sentence or label of every kind of boilerplate on the news page.
NEWS_BOILERPLATE = [
    "ملفات تعريف الارتباط",  # cookie banner
    "موافق",
    "الرئيسية",  # navigation and breadcrumb
    "ثقافة وفنون",
    "انفجار يهز ميناء العقبة",  # breaking-news ticker
    "شارك على فيسبوك",  # share buttons
    "الوزيران خلال المؤتمر الصحفي",  # caption
    "إعلان",  # ad slot
    "الوسوم",  # tags
    "اقرأ أيضاً",  # related links
    "مقتل ثلاثة جنود",
    "الشرطة تعتقل عشرين متظاهراً",
    "التعليقات",  # comments
    "فرضت عقوبات على التجار",
    "نطالب بفتح المعبر",
    "أضف تعليقك",
    "نشرتنا البريدية",  # footer
    "جميع الحقوق محفوظة",
]


def page_article(path: Path, defaults: dict[str, str] | None = None):
    (item,) = read_path(str(path), defaults=defaults)
    return validate(item.data, item.ref, fallback=item.fallback)


def events_of(title: str, body: str) -> list[tuple[str, str]]:
    doc = Document.from_article("page", title, body, published_at="2025-06-14T09:30:00+03:00")
    return [(e["type"], e["trigger"]["text"]) for e in to_output(run_all(doc))["events"]]


def test_news_page_gives_its_article_text_only_and_its_metadata():
    a = page_article(NEWS)
    lines = a.body.split("\n")
    assert len(lines) == len(NEWS_PARAGRAPHS)
    assert all(line.startswith(start) for line, start in zip(lines, NEWS_PARAGRAPHS, strict=True))
    text = a.title + "\n" + a.body
    assert [b for b in NEWS_BOILERPLATE if b in text] == []
    m = a.message
    assert a.title == "وزير الخارجية الأردني يلتقي نظيره العراقي في عمّان"  # without "| أخبار الشرق"
    assert m.published_at.isoformat() == "2025-06-14T09:30:00+03:00"
    assert m.author == "سارة الخطيب" and m.source == "أخبار الشرق"
    # the canonical link, not og:url with its tracking parameter
    assert m.url == "https://akhbar-alsharq.example/politics/2025/06/14/jordan-iraq-talks"


def test_no_boilerplate_sentence_reaches_the_extractors():
    a = page_article(NEWS)
    found = events_of(a.title, a.body)
    assert found and {t for _, t in found} <= {"يلتقي", "التقى", "اللقاء", "يدعم", "ويرفض", "اتفقا"} | {
        "والتنسيق",
        "التعاون",
    }
    # The page is a real test: the old visible-text stripper fed the extractors an explosion from
    # the ticker, a killing and arrests from the related links, sanctions and demands from the
    # comments, and the cookie banner's «توافق».
    leaked = {t for _, t in events_of(a.title, html_to_text(NEWS.read_text(encoding="utf-8")))}
    assert {"انفجار", "مقتل", "تعتقل", "فرضت", "نطالب", "توافق"} <= leaked


def test_amp_page_text_and_metadata_from_json_ld_graph():
    a = page_article(PAGES / "amp_page.html")
    assert a.title == "احتجاجات في الخرطوم للمطالبة بتحسين الأجور"
    assert a.body.startswith("تظاهر مئات العمال في وسط العاصمة السودانية الخرطوم")  # headline not repeated
    assert a.body.endswith("ووعدت باستكمال الصرف قبل نهاية الشهر.") and len(a.body.split("\n")) == 4
    for boilerplate in (
        "الكوكيز",
        "أوافق",
        "القائمة",
        "الصفحة الرئيسية",
        "أخبار ذات صلة",
        "قصف مدفعي",
        "شارك",
    ):
        assert boilerplate not in a.body, boilerplate
    m = a.message
    assert m.url == "https://alwadi-news.example/sudan/khartoum-wage-protests-2025"
    assert m.published_at.isoformat() == "2025-03-02T18:45:00+02:00"  # datePublished inside @graph
    assert m.author == "محمد عثمان" and m.source == "الوادي نيوز"


def test_the_message_wins_over_the_page_and_the_page_over_command_defaults():
    body = NEWS.read_text(encoding="utf-8")
    raw = json.dumps(
        {
            "id": "m1",
            "format": "html",
            "body": body,
            "title": "عنوان المرسل",
            "url": "https://mine.example/1",
        },
        ensure_ascii=False,
    )
    m = validate(raw).message
    assert (m.title, m.url) == ("عنوان المرسل", "https://mine.example/1")
    assert m.author == "سارة الخطيب" and m.source == "أخبار الشرق"  # filled from the page
    a = page_article(NEWS, defaults={"source": "محلي", "published_at": "2020-01-01T00:00:00+00:00"})
    assert a.message.source == "أخبار الشرق" and a.message.published_at.year == 2025
    fragment = json.dumps({"body": "<p>تظاهر المئات في عمان أمس.</p>", "format": "html"}, ensure_ascii=False)
    m = validate(fragment, fallback={"source": "محلي", "published_at": "2025-01-02T10:00:00+03:00"}).message
    assert m.source == "محلي" and m.published_at.isoformat() == "2025-01-02T10:00:00+03:00"


def test_page_with_no_arabic_is_refused_with_the_language_named():
    with pytest.raises(InvalidArticle) as exc:
        page_article(PAGES / "english_page.html")
    assert exc.value.reason == (
        "the page (https://gulf-business.example/markets/rates-steady) holds no Arabic article: "
        "its text is English, not Arabic"
    )
    assert exc.value.payload.startswith("Central bank holds interest rates steady")


@pytest.mark.parametrize("encode_as", ["declares windows-1256, is UTF-8", "declares utf-8, is windows-1256"])
def test_the_bytes_decide_the_encoding_not_the_meta_charset(tmp_path, encode_as):
    page = NEWS.read_text(encoding="utf-8")
    if encode_as.startswith("declares windows-1256"):
        page = page.replace('<meta charset="utf-8">', '<meta charset="windows-1256">')
        data = page.encode("utf-8")
    else:
        data = page.encode("cp1256")
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
    assert decode_page(data) == page
    (tmp_path / "p.html").write_bytes(data)
    a = page_article(tmp_path / "p.html")
    assert a.title == "وزير الخارجية الأردني يلتقي نظيره العراقي في عمّان"
    assert a.body.split("\n")[0].startswith(NEWS_PARAGRAPHS[0])


def test_a_declared_charset_is_used_when_the_bytes_are_not_utf8():
    page = "<html><head><meta http-equiv='Content-Type' content='text/html; charset=windows-1256'>"
    page += "<title>خبر</title></head><body><p>تظاهر المئات في عمان.</p></body></html>"
    assert decode_page(page.encode("cp1256")) == page
    assert decode_page(page.encode("cp1256"), header_charset="windows-1256") == page


def test_reading_a_page_never_touches_the_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access while reading a page: {args!r}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    for path in PAGES.glob("*.html"):
        page = read_page(path.read_text(encoding="utf-8"), url="https://news.example/a")
        assert page.text


@pytest.mark.db
def test_enqueue_pages_stores_metadata_and_records_the_refusal(pg, tmp_path):
    from db.models import Article, Failure
    from db.session import session_scope

    r = khabar("enqueue", str(NEWS), str(PAGES / "english_page.html"), "--source", "محلي", db=pg)
    assert r.returncode == 1
    assert "accepted 1, duplicates 0, invalid 1" in r.stdout
    assert (
        "english_page.html: the page (https://gulf-business.example/markets/rates-steady) holds no Arabic"
        in r.stderr
    )
    with session_scope() as s:
        (article,) = s.scalars(select(Article)).all()
        (failure,) = s.scalars(select(Failure)).all()
        assert (article.author, article.source) == ("سارة الخطيب", "أخبار الشرق")
        assert article.url.endswith("/jordan-iraq-talks") and "ملفات تعريف الارتباط" not in article.body
        assert failure.stage == "validate" and "its text is English, not Arabic" in failure.error
    shown = khabar("show", article.id, db=pg)
    assert "source أخبار الشرق, by سارة الخطيب" in shown.stdout
