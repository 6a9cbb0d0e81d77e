"""Small Arabic text helpers shared by the event stages (dates, triggers, arguments, attribution).

``fold`` gives a comparison view of a text (no diacritics or tatweel, alef/hamza forms → ا,
ى → ي, ة → ه, Latin lower-cased) together with the original offset of every folded character,
so a regular expression can run on the folded view and its match still be reported as a span of
what the author wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DROP = re.compile(
    r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]"
)
_MAP = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})

# Arabic-Indic and Eastern Arabic-Indic digits → ASCII (same length, so offsets are kept).
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


@dataclass(frozen=True)
class Folded:
    text: str  # the folded view
    offsets: tuple[int, ...]  # offsets[i] = index in the original of folded character i
    length: int  # length of the original

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the folded span [start, end)."""
        if start >= len(self.offsets):
            return self.length, self.length
        s = self.offsets[start]
        e = self.offsets[end - 1] + 1 if end > start else s
        return s, e


def fold_char(c: str) -> str:
    if _DROP.match(c):
        return ""
    return c.translate(_MAP).translate(_DIGITS).lower()


def fold(text: str) -> Folded:
    out: list[str] = []
    offs: list[int] = []
    for i, c in enumerate(text):
        f = fold_char(c)
        for ch in f:
            out.append(ch)
            offs.append(i)
    return Folded("".join(out), tuple(offs), len(text))


def fold_word(word: str) -> str:
    return "".join(fold_char(c) for c in word)


# Attached proclitics, longest first: conjunction, preposition, future marker, article.
PROCLITICS = (
    "وبال",
    "وكال",
    "فبال",
    "وال",
    "بال",
    "فال",
    "كال",
    "ولل",
    "فلل",
    "لل",
    "ال",
    "وب",
    "ول",
    "وس",
    "فس",
    "فب",
    "فل",
    "وك",
    "و",
    "ف",
    "ب",
    "ل",
    "ك",
    "س",
)
# Attached pronouns (enclitics), longest first.
ENCLITICS = ("كما", "هما", "كم", "هم", "هن", "ها", "نا", "ه", "ك", "ي")

WORD = r"[\u0621-\u064AA-Za-z0-9]"
