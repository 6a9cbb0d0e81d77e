"""Token features for the shipped Arabic NER tagger (a linear-chain CRF, see ner_model.py).

Pure and dependency-free so that training (worker/ner_training.py) and tagging compute exactly the
same features. Words are compared in a light normalised form (no diacritics or tatweel, alef/hamza
forms → ا, ى → ي, ة → ه; the same folding as normalise.normalise_ar, done with one ``str.translate``
because this runs on every token) and also with attached clitics peeled off, which is what lets the
model see "ولبنان" and "بلبنان" as "لبنان".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

_DIACRITICS = (
    "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0653\u0654\u0655\u0656\u0657\u0658\u0670\u0640"
)
_FOLD = str.maketrans(
    {
        **{c: None for c in _DIACRITICS},
        **{c: None for c in "\u200b\u200c\u200d\u200e\u200f\ufeff"},
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ة": "ه",
    }
)
_MARKS = frozenset(_DIACRITICS + "\u200b\u200c\u200d\u200e\u200f\ufeff")
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def fold(word: str) -> str:
    """The comparison form of a word (see the module docstring); Latin letters are lower-cased."""
    return word.translate(_FOLD).translate(_ARABIC_DIGITS).lower() or word


def is_mark(ch: str) -> bool:
    """A diacritic, tatweel or invisible mark: something fold() drops."""
    return ch in _MARKS


# Proclitic sequences in the order they attach: conjunction (و ف), then preposition (ب ل ك), then
# the article. Longest first, so "وبال" is tried before "و".
_PROCLITICS = (
    "وبال",
    "وكال",
    "فبال",
    "فال",
    "وال",
    "بال",
    "كال",
    "وب",
    "ول",
    "وك",
    "فب",
    "فل",
    "و",
    "ف",
    "ب",
    "ل",
    "ك",
)


def strip_folded(w: str) -> str:
    """A cheap, context-free guess at the stem of a folded word, for features only: drops a
    conjunction/preposition + article ("والعراق" → "عراق", "للعراق" → "عراق") or a lone article."""
    if len(w) > 4 and w.startswith("لل"):
        return w[2:]
    for p in ("وبال", "وال", "بال", "فال", "كال", "ال"):
        if len(w) > len(p) + 1 and w.startswith(p):
            return w[len(p) :]
    return w


def shape(word: str) -> str:
    if not word:
        return "E"
    if word.isdigit():
        return "D"
    c = word[0]
    if c.isascii() and c.isalpha():
        return "L" if word.isalpha() else "Lx"
    if c.isalpha():
        return "A"
    if c.isdigit():
        return "Dx"
    return "P"


def sentence_features(tokens: Sequence[str], gazetteer: Mapping[str, str] | None = None) -> list[list[str]]:
    """One list of string features per token. ``gazetteer`` maps a folded, clitic-stripped word to
    the entity type it is mostly tagged with in the training data."""
    n = len(tokens)
    w = [fold(t) for t in tokens]
    s = [strip_folded(x) for x in w]
    gaz = gazetteer or {}
    pad_w = ["<s>", "<s>", *w, "</s>", "</s>"]
    pad_s = ["<s>", "<s>", *s, "</s>", "</s>"]
    out: list[list[str]] = []
    for i in range(n):
        wi, si = w[i], s[i]
        j = i + 2
        f = [
            "b",
            "w=" + wi,
            "s=" + si,
            "p2=" + wi[:2],
            "p3=" + wi[:3],
            "x2=" + wi[-2:],
            "x3=" + wi[-3:],
            "sx2=" + si[-2:],
            "sp2=" + si[:2],
            "sh=" + shape(wi),
            "ln=" + str(min(len(si), 9)),
            "w-1=" + pad_w[j - 1],
            "w+1=" + pad_w[j + 1],
            "w-2=" + pad_w[j - 2],
            "w+2=" + pad_w[j + 2],
            "s-1=" + pad_s[j - 1],
            "s+1=" + pad_s[j + 1],
            "w-1w=" + pad_w[j - 1] + "|" + wi,
            "ww+1=" + wi + "|" + pad_w[j + 1],
        ]
        if wi != si:
            f.append("al=" + wi[: len(wi) - len(si)])
        if len(wi) > 3 and wi[0] in "وفبلك":
            # the word read with a one-letter proclitic split off ("ولبنان" → "لبنان")
            ci = strip_folded(wi[1:])
            f.append("c=" + ci)
            g = gaz.get(ci)
            if g:
                f.append("gc=" + g)
        g = gaz.get(si)
        if g:
            f.append("g=" + g)
        g = gaz.get(pad_s[j - 1])
        if g:
            f.append("g-1=" + g)
        g = gaz.get(pad_s[j + 1])
        if g:
            f.append("g+1=" + g)
        out.append(f)
    return out


def context_counts(stems: Sequence[str], tags: Sequence[str]) -> dict[str, dict[str, int]]:
    """stem → {type or "O": count} over one sentence's first-pass tags (document features)."""
    out: dict[str, dict[str, int]] = {}
    for st, tag in zip(stems, tags, strict=True):
        if len(st) > 1 and st[0].isalpha():
            d = out.setdefault(st, {})
            key = tag[2:] if tag != "O" else "O"
            d[key] = d.get(key, 0) + 1
    return out


def stems_of(tokens: Sequence[str]) -> list[str]:
    return [strip_folded(fold(t)) for t in tokens]


def document_features(
    stems: Sequence[str], own_tags: Sequence[str], window: Sequence[dict[str, dict[str, int]]]
) -> list[list[str]]:
    """Second-pass features of one sentence: its own first-pass tag and how the same stem was
    tagged elsewhere in the document (``window``: context_counts of the document's sentences,
    this one included; its own tag is subtracted)."""
    out = []
    for st, tag in zip(stems, own_tags, strict=True):
        f = ["p1=" + tag]
        if len(st) > 1 and st[0].isalpha():
            total: dict[str, int] = {}
            for counts in window:
                d = counts.get(st)
                if d:
                    for k, v in d.items():
                        total[k] = total.get(k, 0) + v
            own = tag[2:] if tag != "O" else "O"
            if own in total:
                total[own] -= 1
            ent = {k: v for k, v in total.items() if k != "O" and v > 0}
            if ent:
                best = max(ent, key=ent.get)
                f.append("dt=" + best)
                f.append("dt=" + best + ("+" if ent[best] > total.get("O", 0) else "-"))
            elif total.get("O"):
                f.append("dO")
        out.append(f)
    return out
