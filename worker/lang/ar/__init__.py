"""Khabar's knowledge of Arabic: word lists and tables as data files beside this module, and the
one normaliser (``normalise.py``) that every stage compares words with.

Each ``*.tsv`` file holds one list: comment lines (``#``) at the top say what the list is for and
where it is used; then one entry per line, in normalised form (see ``normalise.normalise``), with
optional further columns separated by a tab (a value, or a note after ``#``). The loaders below
are the only way stage code reads them, so a list is read once per process and never edited in
code.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

PACKAGE = "worker.lang.ar"


class LexiconError(ValueError):
    """A data file is missing or malformed."""


@cache
def rows(name: str) -> tuple[tuple[str, ...], ...]:
    """The entry rows of ``name`` (a path below this folder without ``.tsv``, e.g.
    ``"link/org_labels"``): columns split on tabs, comments and blank lines left out."""
    path = resources.files(PACKAGE).joinpath(*f"{name}.tsv".split("/"))
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise LexiconError(f"no Arabic lexicon {name!r} in {PACKAGE}") from exc
    out = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = tuple(c.strip() for c in line.split("\t"))
        cols = tuple(c for c in cols if not c.startswith("#")) or cols[:1]
        out.append(cols)
    return tuple(out)


@cache
def words(name: str) -> frozenset[str]:
    """The entries of a list, for membership tests."""
    return frozenset(r[0] for r in rows(name))


@cache
def ordered(name: str) -> tuple[str, ...]:
    """The entries of a list in file order (where order matters: longest affix first)."""
    return tuple(r[0] for r in rows(name))


@cache
def table(name: str, value: type = str) -> dict[str, object]:
    """First column → second column (converted with ``value``, e.g. ``int`` for month numbers)."""
    try:
        return {r[0]: value(r[1]) for r in rows(name)}
    except (IndexError, ValueError) as exc:
        raise LexiconError(f"lexicon {name!r}: every row needs a {value.__name__} value") from exc


@cache
def groups(name: str) -> dict[str, tuple[str, ...]]:
    """Second column → the entries that carry it, in file order (e.g. aid mode → its words)."""
    out: dict[str, list[str]] = {}
    for r in rows(name):
        if len(r) < 2:
            raise LexiconError(f"lexicon {name!r}: every row needs a group in its second column")
        out.setdefault(r[1], []).append(r[0])
    return {k: tuple(v) for k, v in out.items()}
