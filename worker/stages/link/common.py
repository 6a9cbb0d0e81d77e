"""What the link rules share: the word lists they read (worker/lang/ar/link), the letters and
affixes they test, the weights of the mentions they add, and small token helpers."""

from __future__ import annotations

import gzip
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from functools import cache, lru_cache
from importlib import resources
from operator import attrgetter

from worker.lang.ar import words
from worker.lang.ar.lexicons import trigger_lexicon
from worker.lang.ar.morphology import adjective_stem, without_proclitic
from worker.stages.document import Document, Sentence, Token

_START, _END = attrgetter("start"), attrgetter("end")

# --- word lists (one normalised entry a line in worker/lang/ar/link/*.tsv) ---------------------

ORG_LABELS = words("link/org_labels")
LOC_LABELS = words("link/loc_labels")
NAME_PARTICLES = words("link/name_particles")
DIRECTIONS = words("link/directions")
NOT_NAMES = words("link/not_names")
FUNCTION_WORDS = words("link/function_words")
# the name علي, which normalises like the preposition على
PREPOSITION_NAMES = words("link/preposition_names")
# reporting verbs that follow a subject's name ("قال", "أكد"); the event verbs come from the lexicon
REPORT_VERBS = words("link/report_verbs")
# plural or generic words that open a tagged span but are not part of a name ("آخرون صالح")
GENERIC_OPENERS = words("common/generic_subjects")
# heads of organisation names whose name is the head with its definite genitives and adjectives
# ("وزارة الخارجية الأميركية", "وكالة الأنباء اليمنية", "المجلس الدستوري الفرنسي", "سرايا القدس")
INSTITUTION_HEADS = words("link/institution_heads")
# definite words that end an organisation name: "مجلس الأمن التابع للأمم المتحدة"
ORG_NAME_STOPS = words("link/org_name_stops")
# two-word complements that end an institution name ("الاتحاد الدولي لكرة القدم")
INSTITUTION_COMPLEMENTS = words("link/institution_complements")
# words that open a person's title; the name follows the title's definite words
# ("وزير الخارجية الأمريكي أنتوني بلينكن", "رئيس الوزراء البريطاني ديفيد كاميرون")
TITLE_WORDS = words("link/title_words")
# words without the article that continue a title before the name ("المتحدث باسم", "أمين عام")
TITLE_CONTINUATIONS = words("link/title_continuations")
# words after a name that are not part of it
NAME_STOPS = FUNCTION_WORDS | words("link/name_stops")
# plural nouns for officials that open a description, not a name ("دبلوماسيون أوروبيون")
OFFICIAL_PLURALS = words("link/official_plurals")
# words before a person's name that are not part of it ("ونجله أحمد", "البابا فرنسيس")
PERSON_PREFIXES = words("link/person_prefixes")

# --- letters and affixes of the normalised view --------------------------------------------------

ARTICLE = "ال"
CONJUNCTION = "و"
LAM_ARTICLE = "لل"  # ل + the article: "للجنة"
# a word with the article, or with ل + the article: definite
DEFINITE = (ARTICLE, LAM_ARTICLE)
# the article after the conjunction ("والجهاد")
CONJOINED_ARTICLE = CONJUNCTION + ARTICLE

# --- weights of the mentions the rules add (``Mention.score``) -----------------------------------

# Among the rule mentions that may override the tagger, an institution name ("وزارة الخارجية
# الأميركية") wins an overlap over a name after a title or a Latin name, which are less sure.
INSTITUTION_SCORE = 0.8
TITLE_SCORE = 0.7
LATIN_SCORE = 0.7
# a name after a label ("قضاء البعاج") or from the gazetteer, and an occurrence of a name tagged
# elsewhere in the article: below the tagger, never compared by score (see propagate.ORIGIN_RANK)
LABEL_SCORE = 0.6
GAZETTEER_SCORE = 0.6
PROPAGATED_SCORE = 0.5
# an organisation named again by its head noun alone (references.py): the least sure
REFERENCE_SCORE = 0.4

# --- tokens ---------------------------------------------------------------------------------------

WORD = re.compile(r"[\u0621-\u064A\u0671-\u06D3A-Za-z]")
# event verbs shorter than this (two letters) are too ambiguous to end a name
MIN_VERB = 3


def after_clitic(doc: Document, span: Sequence[Token], cut: int) -> tuple[int, str, str]:
    """(start, text, canonical) of the name written as ``span`` once ``cut`` letters of clitic
    are cut from its first word: "بواشنطن" → "واشنطن". After ل + the article the article's alif is
    gone ("للعراق"): as the tagger's mentions do, the text keeps the ل and the canonical writes
    the article back ("العراق")."""
    first = span[0]
    start = first.start + cut
    if cut and first.stem.startswith(ARTICLE) and first.norm[cut - 1 :].startswith(LAM_ARTICLE):
        start -= 1
        text = doc.text[start : span[-1].end]
        return start, text, ARTICLE + text[len(LAM_ARTICLE) :]
    text = doc.text[start : span[-1].end]
    return start, text, text


def is_word(tok: Token) -> bool:
    """An Arabic word (not a number, punctuation or a Latin name)."""
    return bool(WORD.match(tok.text)) and not tok.text[0].isascii()


def sentence_of(doc: Document, pos: int) -> int:
    """The index of the sentence that holds ``pos`` (0 when none does)."""
    # sentences are in text order and do not overlap: the last that starts at or before pos
    i = bisect_right(doc.sentences, pos, key=_START) - 1
    return i if i >= 0 and pos < doc.sentences[i].end else 0


def first_token(sent: Sentence, pos: int) -> int | None:
    """The first token of ``sent`` that ends after ``pos``: the token a mention starting at
    ``pos`` starts in."""
    i = bisect_right(sent.tokens, pos, key=_END)  # tokens are in text order and do not overlap
    return i if i < len(sent.tokens) else None


def token_after(sent: Sentence, pos: int) -> int | None:
    """The first token of ``sent`` that starts at or after ``pos``: the word after a mention
    ending at ``pos``."""
    i = bisect_left(sent.tokens, pos, key=_START)
    return i if i < len(sent.tokens) else None


@lru_cache(maxsize=1)
def verb_words() -> frozenset[str]:
    """Folded perfect verb forms (3rd person singular) of the event lexicon and reporting verbs:
    a word of this set inside a tagged span ends the name ("سليماني زار")."""
    out = set(REPORT_VERBS)
    for e in trigger_lexicon()[1]:
        if e.kind == "v" and len(e.words[0]) >= MIN_VERB:
            out.update({e.words[0], e.words[0] + "ت"})
    return frozenset(out)


# --- how common a word is in general Arabic text ------------------------------------------------

# The NER model's word-frequency list (worker/resources/ner/wordfreq.tsv.gz, from the wordfreq
# project: "centibels<TAB>word word …", 0 the commonest, 100 ten times rarer) and its name lists;
# read here as data, not through the NER package, which the link stage must not import.
NER_RESOURCES = ("ner",)
WORDFREQ_FILE = "wordfreq.tsv.gz"
PERSON_NAMES_FILE = "person_names.tsv.gz"
NAME_LIST_FILE = "name_list.tsv.gz"
# Only words at least this common are kept: Zipf 3 (one per million words) is 600 centibels.
COMMON_CENTIBELS = 600


def _resource_lines(name: str) -> list[str]:
    path = resources.files("worker.resources").joinpath(*NER_RESOURCES, name)
    try:
        return gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()
    except FileNotFoundError:
        return []


@cache
def city_names() -> frozenset[str]:
    """The keys of the place gazetteer's cities (GeoNames, worker/resources/places): "اب", "صور"."""
    path = resources.files("worker.resources").joinpath("places", "places.tsv.gz")
    lines = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()
    return frozenset(line.split("\t", 1)[0] for line in lines if line and not line.startswith("#"))


@cache
def word_zipf() -> dict[str, float]:
    """Folded word → its Zipf frequency (log10 per billion words), for words of Zipf 3 or more."""
    out: dict[str, float] = {}
    for line in _resource_lines(WORDFREQ_FILE):
        cb, _, ws = line.partition("\t")
        if int(cb) >= COMMON_CENTIBELS:
            break  # the file is sorted by frequency, commonest first
        out.update(dict.fromkeys(ws.split(), 9 - (int(cb) + 1) / 100))
    return out


@cache
def name_words() -> frozenset[str]:
    """Folded words that are personal names, or one-word names of the NER model's name list."""
    names = {w for line in _resource_lines(PERSON_NAMES_FILE) for w in line.split()}
    names.update(line.split("\t", 1)[0] for line in _resource_lines(NAME_LIST_FILE))
    return frozenset(n for n in names if " " not in n)


# A word general text writes with the article at least this often (Zipf) is a common noun, unless a
# name list knows it ("مقر", "مواجهة"; not "صالح", "هادي").
COMMON_WORD_ZIPF = 4.0


def is_common_word(w: str) -> bool:
    """A normalised word that is a common noun in general text (COMMON_WORD_ZIPF), with or
    without the article or a preposition attached ("بمواجهة", "السياسات")."""
    names, zipf = name_words(), word_zipf()
    if w in names:
        return False
    if w.startswith(ARTICLE):
        return zipf.get(w, 0.0) >= COMMON_WORD_ZIPF
    bare = without_proclitic(w)[0]
    if bare in names:
        return False
    return max(zipf.get(ARTICLE + bare, 0.0), zipf.get(ARTICLE + w, 0.0)) >= COMMON_WORD_ZIPF


# the normalised endings of a relative adjective, and its least letters with the article
NISBA_ENDINGS = ("ي", "يه")
MIN_NISBA = 6


def is_nisba(w: str) -> bool:
    """A normalised relative adjective, known ("اليمني") or by its shape ("العربية": ال…ي/ية)."""
    return bool(adjective_stem(w)) or (
        w.startswith(ARTICLE) and len(w) >= MIN_NISBA and w.endswith(NISBA_ENDINGS)
    )
