"""WikiFANE Gold as extra NER training data, in ANERcorp's tokenisation and four types.

WikiFANE (Alotaibi & Lee, COLING 2014; CC BY-SA 3.0) is hand-annotated Arabic Wikipedia with 50
fine classes, tokenised differently from ANERcorp: the conjunctions و ف, the prepositions ب ل ك,
the future marker س and the pronoun suffixes are split off as tokens of their own ("و ل جنوب
السودان", "عاصمة ها"). The tagger sees text as ANERcorp and the segmenter write it, clitics
attached, so the clitics are put back: a run of proclitic tokens joins the next word ("لجنوب",
with ل + ال written لل), a suffix token joins the word before ("عاصمتها", ة written ت before it).
The merged token takes the word's tag, or the clitic's where that one opens an entity.

The fine classes map onto ANERcorp's four as ANERcorp annotates them: people → PERS; places and
political regions, and facilities (ANERcorp tags airports, palaces and roads as places) → LOC;
organisations → ORG; products, vehicles and weapons → MISC. ``Group`` (nationalities and peoples:
"العرب", "الفلسطينيين") is left untagged, as ANERcorp leaves such words.
"""

from __future__ import annotations

import gzip
import os

from worker.stages.ner.model import bio_spans

Sentence = tuple[list[str], list[str]]

_PERS = "Politician Religious_PER Artist Other_PER Scientist Businessperson Athlete Engineer Lawyer Police"
_LOC = (
    "Nation Population-Center State-or-Province Continent GPE-Cluster County-or-District Water-Body "
    "Land-Region-Natural Celestial Address Building-Grounds Airport Path Subarea-Facility"
)
_ORG = "Commercial Government Non-Governmental Educational Media Sports Religious_ORG Medical-Science Entertainment"
_MISC = (
    "Book Movie Sound Software Hardware Food Drug Plant Air Water Land Spacecraft "
    "Projectile Nuclear Shooting Blunt Exploding Sharp Chemical Biological"
)
CLASS_MAP: dict[str, str] = {
    **dict.fromkeys(_PERS.split(), "PERS"),
    **dict.fromkeys(_LOC.split(), "LOC"),
    **dict.fromkeys(_ORG.split(), "ORG"),
    **dict.fromkeys(_MISC.split(), "MISC"),
    "Group": "O",
}

# Tokens that are clitics split off their word (WikiFANE's tokenisation): proclitics join the next
# word, suffixes the word before. "ك" alone is read as the preposition (as in "ك عاصمة"), far
# commoner in this encyclopaedic text than the suffix "your".
PROCLITICS = frozenset("و ف ب ل ك س".split())
SUFFIXES = frozenset("ه ها هم هما هن كم كما نا ي".split())


def map_tag(tag: str, class_map: dict[str, str] = CLASS_MAP) -> str:
    """A WikiFANE tag in ANERcorp's four types ("B-Politician" → "B-PERS")."""
    if tag == "O":
        return "O"
    prefix, _, cls = tag.partition("-")
    if cls not in class_map:
        raise ValueError(f"unknown WikiFANE class {cls!r} (tag {tag!r})")
    typ = class_map[cls]
    return "O" if typ == "O" else f"{prefix}-{typ}"


def _join_prefix(prefix: str, word: str) -> str:
    if prefix.endswith("ل") and word.startswith("ال"):
        return prefix + word[1:]  # ل + الملك → للملك
    return prefix + word


def _join_suffix(word: str, suffix: str) -> str:
    if word.endswith("ة"):
        word = word[:-1] + "ت"  # عاصمة + ها → عاصمتها
    return word + suffix


def reattach(tokens: list[str], tags: list[str]) -> Sentence:
    """One sentence with its split-off clitics joined back to their words."""
    out_t: list[str] = []
    out_g: list[str] = []
    pending, pending_tag = "", None
    for tok, tag in zip(tokens, tags, strict=True):
        if tok in PROCLITICS:
            pending += tok
            pending_tag = pending_tag or tag
            continue
        if tok in SUFFIXES and out_t and not pending:
            out_t[-1] = _join_suffix(out_t[-1], tok)
            continue
        if pending:
            # the clitic's tag wins only where it opens an entity the word continues
            if pending_tag and pending_tag.startswith("B-") and tag != "O":
                tag = "B-" + tag[2:]
            tok = _join_prefix(pending, tok)
            pending, pending_tag = "", None
        out_t.append(tok)
        out_g.append(tag)
    if pending:  # a clitic with no word after it stays a token
        out_t.append(pending)
        out_g.append(pending_tag or "O")
    return out_t, out_g


def _repair(tags: list[str]) -> list[str]:
    """I- tags whose entity start was untagged by the map (e.g. inside a Group) start an entity."""
    out = []
    for i, t in enumerate(tags):
        if t.startswith("I-") and (i == 0 or out[-1][2:] != t[2:]):
            t = "B-" + t[2:]
        out.append(t)
    return out


def _sentences(path: str | os.PathLike):
    """WikiFANE's sentences as they are: (tokens, fine tags)."""
    opener = gzip.open if str(path).endswith(".gz") else open
    toks: list[str] = []
    tags: list[str] = []
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in [*fh, "\n"]:
            cols = line.split()
            if cols:
                toks.append(cols[0])
                tags.append(cols[-1] if len(cols) > 1 else "O")
            elif toks:
                yield toks, tags
                toks, tags = [], []


def read_wikifane_names(
    path: str | os.PathLike, types: tuple[str, ...] = ("PERS", "LOC", "ORG"), max_words: int = 5
) -> dict[str, str]:
    """The names annotated in WikiFANE as a name list: folded name (words joined by a space) →
    the type it is annotated with most often. Its clitic-split tokens give names without a
    conjunction or preposition on them. MISC is left out: WikiFANE's products and vehicles are
    not what ANERcorp calls MISC (religions, currencies, events, prizes)."""
    from collections import Counter

    from worker.stages.ner.features import fold

    seen: dict[str, Counter] = {}
    for toks, tags in _sentences(path):
        mapped = [map_tag(t) for t in tags]
        for a, b, typ in bio_spans(mapped):
            words = [fold(t) for t in toks[a:b]]
            if typ in types and b - a <= max_words and all(w.isalpha() for w in words):
                if b - a > 1 or len(words[0]) > 2:
                    seen.setdefault(" ".join(words), Counter())[typ] += 1
    return {name: c.most_common(1)[0][0] for name, c in sorted(seen.items())}


def read_wikifane(path: str | os.PathLike, class_map: dict[str, str] = CLASS_MAP) -> list[Sentence]:
    """WikiFANE's sentences (``token<TAB>tag``, a blank line between sentences; gzipped or not),
    clitics reattached and tags mapped to PERS/LOC/ORG/MISC."""
    out = []
    for toks, tags in _sentences(path):
        t, g = reattach(toks, [map_tag(x, class_map) for x in tags])
        out.append((t, _repair(g)))
    return out
