"""The outlet's home state (stages/actors/home.py): read off the article's URL, one voice in the
article's main state, and the outlet's own name coded as its home state's MED. Constructed
sentences with invented people; none of it needs ../shared."""

from __future__ import annotations

import pytest

from tests.test_actors import coded
from worker.stages.actors.home import home_of


@pytest.mark.parametrize(
    "url, state",
    [
        ("http://www.okaz.com.sa/new/Issues/20150723/x.htm", "SAU"),  # listed, and a .sa domain
        ("https://sabq.org/6FCgde", "SAU"),  # listed: a .org says nothing by itself
        ("https://news.youm7.com/story/1", "EGY"),  # a host below a listed one
        ("https://www.example-news.eg/News/1.aspx", "EGY"),  # a country-code domain, not listed
        ("www.alkhaleej.ae/x", "ARE"),  # no scheme
        ("https://www.example.com/a", None),
        ("https://www.bbc.co.uk/arabic", None),  # a state whose press is not Arabic's
        ("", None),
        (None, None),
        ("http://[::1/", None),  # malformed
    ],
)
def test_home_state_from_the_url(url, state):
    home = home_of(url)
    assert (home.state if home else None) == state


def test_an_outlets_own_names_come_with_its_home():
    assert "عكاظ" in home_of("http://www.okaz.com.sa/a").names
    assert not home_of("http://www.example-news.eg/a").names  # a domain gives a state, not a name


LOCAL = "قال وزير التجارة سامر الخطيب إن الفرق الرقابية ضبطت 900 ثلاجة مخالفة."


def test_an_article_that_names_no_state_takes_its_outlets():
    assert coded(LOCAL, ("سامر الخطيب", "PERS"))["سامر الخطيب"][0] is None
    got = coded(LOCAL, ("سامر الخطيب", "PERS"), url="http://www.okaz.com.sa/new/1.htm")
    assert got["سامر الخطيب"][0] == "SAU"
    got = coded(LOCAL, ("سامر الخطيب", "PERS"), url="https://www.youm7.com/story/1")
    assert got["سامر الخطيب"][0] == "EGY"


ABROAD = "زار وزير الخارجية سامر الخطيب بغداد والبصرة، والتقى نظيره في أربيل."


def test_the_home_state_is_one_voice_not_the_answer():
    names = (("سامر الخطيب", "PERS"), ("بغداد", "LOC"), ("البصرة", "LOC"))
    # two Iraqi places outvote the outlet's one voice
    got = coded(ABROAD, *names, url="http://www.okaz.com.sa/1.htm")
    assert got["سامر الخطيب"] == ("IRQ", "GOV")
    # one Iraqi place against it: the first named on a tie, Iraq
    got = coded(ABROAD, *names[:2], url="http://www.okaz.com.sa/1.htm")
    assert got["سامر الخطيب"] == ("IRQ", "GOV")
    # one Iraqi place and a Saudi one: the outlet's voice tips it
    text = "زار وزير الخارجية سامر الخطيب بغداد قادما من جدة."
    names = (("سامر الخطيب", "PERS"), ("بغداد", "LOC"), ("جدة", "LOC"))
    assert coded(text, *names)["سامر الخطيب"] == ("IRQ", "GOV")
    assert coded(text, *names, url="http://www.okaz.com.sa/1.htm")["سامر الخطيب"] == ("SAU", "GOV")


def test_the_outlets_own_name_is_its_home_media_and_has_no_vote():
    text = "قال مسؤول في بغداد لـ«عكاظ» إن سامر الخطيب غادر."
    names = (("بغداد", "LOC"), ("عكاظ", "ORG"), ("سامر الخطيب", "PERS"))
    got = coded(text, *names, url="http://www.okaz.com.sa/1.htm")
    assert got["عكاظ"] == ("SAU", "MED")
    assert got["سامر الخطيب"][0] == "IRQ"  # the paper is not what the story is about
    # in another outlet's article the name is no home's
    assert coded(text, *names, url="https://www.youm7.com/1")["عكاظ"] != ("SAU", "MED")


def test_a_host_row_without_a_state_is_a_clear_error(monkeypatch):
    from worker.lang.ar import LexiconError
    from worker.stages.actors import home

    home._hosts.cache_clear()
    monkeypatch.setattr(home, "rows", lambda name: (("example.sa", "saudi"),))
    try:
        with pytest.raises(LexiconError, match="example.sa"):
            home.home_of("https://example.sa/a")
    finally:
        home._hosts.cache_clear()
