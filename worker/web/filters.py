"""The event list's filters, read from a query string with the validators of `khabar events`, so
the page and the command accept and refuse the same values with the same reasons."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import click

from db.models import ARTICLE_STATUSES
from worker.commands.query import _date_bound, _event_type

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
FLAGS = ("omit_modal", "omit_refers_back", "happenings")


@dataclass
class EventFilters:
    """What ``events_page`` (the query behind `khabar events`) takes, plus the page size; ``errors``
    says, per field, why a value was refused (the field is then left out)."""

    type_: str | None = None
    since: str | None = None
    until: str | None = None
    participant: str | None = None
    place: str | None = None
    omit_modal: bool = False
    omit_refers_back: bool = False
    happenings: bool = False
    min_confidence: float | None = None
    limit: int = DEFAULT_LIMIT
    errors: dict[str, str] = field(default_factory=dict)

    def query_args(self) -> dict:
        """Keyword arguments of ``worker.commands.query.events_page`` (the CLI's filters)."""
        return {
            "type_": self.type_,
            "since": self.since,
            "until": self.until,
            "participant": self.participant,
            "place": self.place,
            "omit_modal": self.omit_modal,
            "omit_refers_back": self.omit_refers_back,
            "min_confidence": self.min_confidence,
            "happenings": self.happenings,
        }


def _checked(value: str, check) -> str | None:
    return check(None, None, value)


def _number(value: str, low: float, high: float, kind=float):
    try:
        n = kind(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a number") from None
    if not low <= n <= high:
        raise click.BadParameter(f"{value} is not between {low:g} and {high:g}")
    return n


def parse_filters(args: Mapping[str, str]) -> EventFilters:
    """The filters of a query string (``type``, ``since``, ``until``, ``participant``, ``place``,
    ``omit_modal``, ``omit_refers_back``, ``min_confidence``, ``limit``); empty values are absent."""
    out = EventFilters()
    values = {k: (args.get(k) or "").strip() for k in ("type", "since", "until", "min_confidence", "limit")}
    readers = {
        "type": ("type_", lambda v: _checked(v, _event_type)),
        "since": ("since", lambda v: _checked(v, _date_bound)),
        "until": ("until", lambda v: _checked(v, _date_bound)),
        "min_confidence": ("min_confidence", lambda v: _number(v, 0, 1)),
        "limit": ("limit", lambda v: _number(v, 1, MAX_LIMIT, int)),
    }
    for key, (attr, read) in readers.items():
        if not values[key]:
            continue
        try:
            setattr(out, attr, read(values[key]))
        except click.BadParameter as exc:
            out.errors[key] = exc.format_message()
    out.participant = (args.get("participant") or "").strip() or None
    out.place = (args.get("place") or "").strip() or None
    for flag in FLAGS:
        setattr(out, flag, (args.get(flag) or "") in ("1", "on", "true", "yes"))
    return out


@dataclass
class ArticleFilters:
    """What ``articles_query`` (the query behind `khabar articles`) takes, plus the page size."""

    status: str | None = None
    source: str | None = None
    since: str | None = None
    until: str | None = None
    search: str | None = None
    limit: int = DEFAULT_LIMIT
    errors: dict[str, str] = field(default_factory=dict)

    def query_args(self) -> dict:
        return {k: getattr(self, k) for k in ("status", "source", "since", "until", "search")}


def _status(value: str) -> str:
    if value not in ARTICLE_STATUSES:
        raise click.BadParameter(f"unknown status {value!r}; the statuses are: {' '.join(ARTICLE_STATUSES)}")
    return value


def parse_article_filters(args: Mapping[str, str]) -> ArticleFilters:
    """The filters of `khabar articles` from a query string (``status``, ``source``, ``since``,
    ``until``, ``search``, ``limit``)."""
    out = ArticleFilters()
    readers = {
        "status": _status,
        "since": lambda v: _checked(v, _date_bound),
        "until": lambda v: _checked(v, _date_bound),
        "limit": lambda v: _number(v, 1, MAX_LIMIT, int),
        "source": str,
        "search": str,
    }
    for key, read in readers.items():
        value = (args.get(key) or "").strip()
        if not value:
            continue
        try:
            setattr(out, key, read(value))
        except click.BadParameter as exc:
            out.errors[key] = exc.format_message()
    return out
