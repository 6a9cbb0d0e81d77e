"""The values passed between stages.

Every stage is ``stage(doc: Document) -> Document`` and returns a new value (``dataclasses.replace``).
All ``start``/``end`` offsets are Python string indices into ``Document.text`` (SCHEMA.md §2):
``title + "\\n\\n" + body`` when there is a title, else ``body``. Normalised forms are kept beside the
original (``Token.norm``), never in place of it, so offsets always point at what the author wrote.

``to_dict``/``from_dict`` give a JSON-safe form: the Celery chain persists a stage's output in the
database and the next stage loads it by article id.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from worker.lang.ar.morphology import WORD_CACHE, without_conjunction, without_proclitic
from worker.lang.ar.normalise import normalise_unremembered

ENTITY_TYPES = ("PERS", "ORG", "LOC", "MISC")
PLOVER_TYPES = (
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "RETREAT",
    "REQUEST",
    "ACCUSE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "SANCTION",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
)
# How sure the text is that the event happened: only "asserted" events are facts.
MODALITIES = ("asserted", "negated", "future", "hypothetical", "conditional")


class _once:
    """A value computed from the token on first use and then read as a plain attribute.

    functools.cached_property takes a lock on every first use (Python 3.11), and a property over
    it is a function call on every read: tokens are read millions of times per hundred articles.
    Like cached_property this is a non-data descriptor, so once the value is in the instance's
    ``__dict__`` the descriptor is no longer consulted."""

    def __init__(self, func):
        self.func = func
        self.__doc__ = func.__doc__

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.func(obj)
        return value


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    norm: str  # normalised view (see worker.lang.ar.normalise); text is the original

    # The clitic analysis every stage reads (worker.lang.ar.morphology), computed once per token
    # on first use and not serialised: it follows from ``norm``.
    @_once
    def bare(self) -> str:
        """``norm`` without an attached conjunction و/ف ("وأكد" → "اكد")."""
        return without_conjunction(self.norm)

    # (without_proclitic is memoised: asking it twice costs less than a cached pair read through
    # another descriptor, and every token's stem is read)
    @_once
    def stem(self) -> str:
        """``norm`` without an attached conjunction/preposition, the article kept ("وبالعراق" →
        "العراق")."""
        return without_proclitic(self.norm)[0]

    @_once
    def clitic_len(self) -> int:
        """Letters of ``norm`` the proclitic takes (so a name can start after it)."""
        return without_proclitic(self.norm)[1]

    @classmethod
    def of_word(cls, text: str, start: int, end: int) -> Token:
        """``Token(text, start, end, normalise(text))`` with its clitic analysis already read:
        every token of a segmented article is asked for it, and a word type's values are kept
        (bounded), where the descriptors would compute them again for every token."""
        norm, bare, stem, clitic_len = _analysis(text)
        token = object.__new__(cls)
        # what __init__ and the descriptors would have put there (the class is frozen)
        object.__setattr__(
            token,
            "__dict__",
            {
                "text": text,
                "start": start,
                "end": end,
                "norm": norm,
                "bare": bare,
                "stem": stem,
                "clitic_len": clitic_len,
            },
        )
        return token


@functools.lru_cache(maxsize=WORD_CACHE)
def _analysis(text: str) -> tuple[str, str, str, int]:
    """A word's norm, bare, stem and clitic_len, as Token computes them (through the uncached
    functions: this is the words' cache, the others would only hold the same again)."""
    norm = normalise_unremembered(text)
    return (norm, without_conjunction(norm), *without_proclitic.__wrapped__(norm))


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    tokens: tuple[Token, ...] = ()


@dataclass(frozen=True)
class Mention:
    """A named-entity mention. ``text`` is the exact span; ``start``/``end`` cover the name part
    (without an attached clitic where it can be split off); ``canonical`` is the entity's name
    without clitics or titles, shared by every mention of one entity in the article."""

    text: str
    type: str
    start: int
    end: int
    canonical: str
    sentence: int = 0
    score: float = 1.0
    # where the mention comes from: "ner" (the tagger; ``score`` is its confidence), "rule" (a
    # rule that overrides the tagger), "label", "gazetteer" or "propagated" (see stages/link)
    origin: str = "ner"
    # the entity's CAMEO-style actor code at the article's date (stages/actors): ISO 3166-1
    # alpha-3 or "IGO", and a sector (GOV, MIL, …; None for a state or a place); None when unknown
    country: str | None = None
    sector: str | None = None
    # a place's GeoNames id, and a city's coordinates (stages/actors/places); None when unknown
    geonames_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Argument:
    role: str  # "actor" | "recipient" | "location"
    name: str  # canonical entity name
    type: str = ""  # entity type when known
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Event:
    type: str
    trigger: str
    start: int
    end: int
    sentence: int
    mode: str | None = None
    arguments: tuple[Argument, ...] = ()
    date: str | None = None
    location: str | None = None
    confidence: float = 0.5
    modality: str = "asserted"
    refers_back: bool = False  # restates a happening an earlier sentence reported
    # index in Document.events of the first mention of the happening this one reports
    # (stages/events/happenings); None before that step has run
    happening: int | None = None

    @property
    def actors(self) -> list[str]:
        return [a.name for a in self.arguments if a.role == "actor"]

    @property
    def recipients(self) -> list[str]:
        return [a.name for a in self.arguments if a.role == "recipient"]


@dataclass(frozen=True)
class Attribution:
    """Who reported what: ``source`` (a named outlet/person or None), ``cited`` (whom the source
    quotes, e.g. "أربعة مسؤولين"), the cue word and the span of reported content."""

    cue: str
    start: int
    end: int
    sentence: int
    source: str | None = None
    source_kind: str = "named"  # "named" | "unnamed"
    cited: str | None = None
    content_start: int | None = None
    content_end: int | None = None


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    title: str = ""
    body: str = ""
    published_at: str | None = None  # ISO 8601; relative dates resolve against it
    source: str | None = None
    url: str | None = None
    language: str | None = None
    content_hash: str | None = None
    sentences: tuple[Sentence, ...] = ()
    mentions: tuple[Mention, ...] = ()
    events: tuple[Event, ...] = ()
    attributions: tuple[Attribution, ...] = ()
    stages: tuple[str, ...] = field(default=())  # names of the stages that have run, in order

    @classmethod
    def from_article(cls, article_id: str, title: str | None, body: str, **meta: Any) -> Document:
        title = title or ""
        text = f"{title}\n\n{body}" if title else body
        return cls(id=article_id, text=text, title=title, body=body, **meta)

    def to_dict(self, token_rows: bool = False) -> dict[str, Any]:
        # What dataclasses.asdict gives (lists for tuples), built directly: asdict deep-copies
        # every value and took a fifth of a worker's time on a news article's tokens.
        # ``token_rows``: each token as [text, start, end, norm], not a dict (what the document
        # cache stores: tokens are most of a document, and their keys most of their JSON).
        d = _plain(self)
        token = _TOKEN_ROW if token_rows else _plain
        d["sentences"] = [
            {"start": s.start, "end": s.end, "tokens": list(map(token, s.tokens))} for s in self.sentences
        ]
        d["mentions"] = [_plain(m) for m in self.mentions]
        d["events"] = [{**_plain(e), "arguments": [_plain(a) for a in e.arguments]} for e in self.events]
        d["attributions"] = [_plain(a) for a in self.attributions]
        d["stages"] = list(self.stages)
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        data = dict(data)
        data["sentences"] = tuple(
            Sentence(
                s["start"],
                s["end"],
                tuple(Token(*t) if isinstance(t, (list, tuple)) else Token(**t) for t in s["tokens"]),
            )
            for s in data.get("sentences", ())
        )
        data["mentions"] = tuple(Mention(**m) for m in data.get("mentions", ()))
        data["events"] = tuple(
            Event(**{**e, "arguments": tuple(Argument(**a) for a in e.get("arguments", ()))})
            for e in data.get("events", ())
        )
        data["attributions"] = tuple(Attribution(**a) for a in data.get("attributions", ()))
        data["stages"] = tuple(data.get("stages", ()))
        return cls(**data)


# A token as a row, [text, start, end, norm] (a tuple: JSON writes it as a list).
_TOKEN_ROW = attrgetter("text", "start", "end", "norm")


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


@functools.cache
def _field_set(cls: type) -> frozenset[str]:
    return frozenset(_field_names(cls))


def evolve(obj: Any, **changes: Any) -> Any:
    """``dataclasses.replace(obj, **changes)`` for the flat values of this module that hold their
    fields only (Mention, Event, Argument, Attribution; not Token, whose clitic analysis would go
    along): the fields copied, not passed through ``__init__`` one by one (a sixth of the actors
    stage went to that)."""
    if not changes.keys() <= _field_set(type(obj)):
        raise TypeError(f"{type(obj).__name__} has no field {sorted(changes.keys() - _field_set(type(obj)))}")
    new = object.__new__(type(obj))
    values = obj.__dict__.copy()
    values.update(changes)
    object.__setattr__(new, "__dict__", values)
    return new


def _plain(obj: Any) -> dict[str, Any]:
    """The fields of a dataclass instance, unconverted (for the flat ones)."""
    return {name: getattr(obj, name) for name in _field_names(type(obj))}
