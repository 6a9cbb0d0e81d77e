"""The one normaliser: the comparison form of Arabic text that every word list, lexicon, model
feature and stored ``entities.normalised`` value is written in.

``normalise`` gives, for any text: compatibility forms unfolded (presentation forms and
ligatures → letters, NFKC), no diacritics, Quranic marks, tatweel or invisible bidi/zero-width
marks, alef/hamza forms (أ إ آ ٱ) → ا, ى → ي, ة → ه, Arabic-Indic digits → ASCII, letters
lower-cased. It works character by character, so ``fold`` can also report the original offset of
every normalised character: a regular expression runs on the normalised view and its match is
still a span of what the author wrote.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Marks that carry no letter: harakat, Quranic annotation signs, superscript alef, tatweel, and
# the invisible format characters (zero-width, bidi embeddings and isolates, BOM).
_DROPPED = re.compile(
    r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]"
)
_LETTERS = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"}
_DIGITS = dict(zip("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789", strict=True))


def _char_form(c: str) -> str:
    if _DROPPED.match(c):
        return ""
    out = []
    for ch in unicodedata.normalize("NFKC", c):
        if _DROPPED.match(ch):
            continue
        ch = _LETTERS.get(ch, ch)
        ch = _DIGITS.get(ch, ch)
        out.append(ch.lower())
    return "".join(out)


def _build_table() -> dict[int, str]:
    """Every Basic Multilingual Plane character whose form differs from itself (about 5,000)."""
    table: dict[int, str] = {}
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue  # surrogates are not characters
        c = chr(cp)
        form = _char_form(c)
        if form != c:
            table[cp] = form
    return table


_TABLE = _build_table()
# str.translate with a table of this size makes an int of every character to look it up (about
# 0.1 µs a character); a pattern of the characters that change finds the few a text has, and
# only those are looked up: the same text, three times faster on a word or an article.
_CHANGED = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_TABLE)) + "]")


def _form_of(m: re.Match) -> str:
    return _TABLE[ord(m[0])]


def _translate(text: str) -> str:
    """``text.translate(_TABLE)``."""
    return _CHANGED.sub(_form_of, text)


# A word is normalised again and again by every stage: short texts are remembered (bounded), long
# ones are not worth keeping.
_MEMO_MAX_LEN = 40
_MEMO_SIZE = 1 << 17


@lru_cache(maxsize=_MEMO_SIZE)
def _normalise_short(text: str) -> str:
    return _translate(text)


def normalise(text: str) -> str:
    """The normalised form of ``text`` (a word, a phrase or a whole article)."""
    if len(text) <= _MEMO_MAX_LEN:
        return _normalise_short(text)
    return _translate(text)


def normalise_unremembered(text: str) -> str:
    """``normalise(text)``, not kept among the remembered forms (for a caller that keeps its own)."""
    return _translate(text)


def char_form(c: str) -> str:
    """The normalised form of one character (empty for a dropped mark)."""
    return _TABLE.get(ord(c), c)


def is_dropped(c: str) -> bool:
    """A character the normaliser removes (a diacritic, tatweel or invisible mark)."""
    return _TABLE.get(ord(c)) == ""


@dataclass(frozen=True)
class Folded:
    """A normalised view of a text with the original offset of every normalised character."""

    text: str  # the normalised view
    offsets: tuple[int, ...]  # offsets[i] = index in the original of normalised character i
    length: int  # length of the original

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the normalised span [start, end)."""
        if start >= len(self.offsets):
            return self.length, self.length
        s = self.offsets[start]
        e = self.offsets[end - 1] + 1 if end > start else s
        return s, e


# The characters whose form is not one character (a dropped mark, a ligature unfolded): a text
# without any has one normalised character per character, at the same offset.
_RESIZED = re.compile(
    "[" + "".join(re.escape(chr(cp)) for cp, form in _TABLE.items() if len(form) != 1) + "]"
)


def fold(text: str) -> Folded:
    """``normalise(text)`` with its offset map."""
    if _RESIZED.search(text) is None:  # most sentences: no need to map character by character
        return Folded(_translate(text), tuple(range(len(text))), len(text))
    table = _TABLE
    forms = [table.get(ord(c), c) for c in text]
    # one offset per character of each form (a dropped mark gives none, a ligature several)
    offs = tuple(i for i, f in enumerate(forms) for _ in f)
    return Folded("".join(forms), offs, len(text))


def normalise_name(name: str) -> str:
    """The key a name is stored and looked up under (``entities.normalised``): normalised, with
    runs of white space as one space."""
    return " ".join(normalise(name).split())


# Word characters of the normalised view (regular expressions over folded text).
WORD = r"[\u0621-\u064AA-Za-z0-9]"
