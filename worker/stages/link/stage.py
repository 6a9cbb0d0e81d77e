"""Stage: canonical entities across spellings within one article.

What it does to ``doc.mentions`` (from the NER stage):

1. recovers names the tagger missed: a place after a place label ("قضاء البعاج", "بريف حمص"),
   an organisation after an organisation label ("تنظيم داعش"), the names of a small gazetteer
   (worker/resources/events/gazetteer.tsv: states, capitals and well-known organisations), and
   every other occurrence in the article of a name tagged once;
2. drops what is not a name: nationality adjectives on their own, common nouns the tagger took
   for names ("المدينة", "ميليشيا");
3. gives each entity one canonical: the fullest form the article uses ("لافروف" → "سيرغي
   لافروف"), without labels ("شبكة NBC News" → "NBC News", "تنظيم داعش" → "داعش", "محافظة عدن"
   → "عدن"), a capital used for its government ("واشنطن تضيف …") → the state when the article
   names the state and never uses the capital as a place; one type per entity (the majority).
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from functools import lru_cache

from worker.lang.ar import words
from worker.lang.ar.lexicons import gazetteer, nationalities, trigger_lexicon
from worker.lang.ar.morphology import adjective_stem, without_proclitic
from worker.lang.ar.normalise import normalise
from worker.stages.config import DEFAULT, StageConfig
from worker.stages.document import Document, Mention

ORG_LABELS = words("link/org_labels")
LOC_LABELS = words("link/loc_labels")
NAME_PARTICLES = words("link/name_particles")
DIRECTIONS = words("link/directions")
NOT_NAMES = words("link/not_names")
FUNCTION_WORDS = words("link/function_words")
# the name علي, which normalises like the preposition على
PREPOSITION_NAMES = words("link/preposition_names")
_WORD = re.compile(r"[\u0621-\u064A\u0671-\u06D3A-Za-z]")


# reporting verbs that follow a subject's name ("قال", "أكد"); the event verbs come from the lexicon
REPORT_VERBS = words("link/report_verbs")
# plural or generic words that open a tagged span but are not part of a name ("آخرون صالح")
GENERIC_OPENERS = words("link/generic_openers")


@lru_cache(maxsize=1)
def verb_words() -> frozenset[str]:
    """Folded perfect verb forms (3rd person singular) of the event lexicon and reporting verbs:
    a word of this set inside a tagged span ends the name ("سليماني زار")."""
    out = set(REPORT_VERBS)
    for e in trigger_lexicon()[1]:
        if e.kind == "v" and len(e.words[0]) >= 3:
            out.update({e.words[0], e.words[0] + "ت"})
    return frozenset(out)


def _trim_at_verbs(doc: Document, ner: list[Mention]) -> list[Mention]:
    """A tagged span that runs into a verb ends before it ("القدس زار موسكو" → "القدس"); one
    that opens with a generic plural starts after it ("آخرون صالح" → "صالح")."""
    verbs = verb_words()
    out: list[Mention] = []
    for m in ner:
        if m.sentence >= len(doc.sentences):
            out.append(m)
            continue
        toks = [t for t in doc.sentences[m.sentence].tokens if m.start <= t.start and t.end <= m.end]
        if len(toks) < 2:
            out.append(m)
            continue
        first, last = 0, len(toks)
        while first < last - 1 and toks[first].stem in GENERIC_OPENERS:
            first += 1
        cut = next((i for i in range(first + 1, last) if toks[i].stem in verbs), None)
        if cut is not None:
            last = cut
        if (first, last) == (0, len(toks)):
            out.append(m)
            continue
        start, end = toks[first].start, toks[last - 1].end
        text = doc.text[start:end]
        out.append(dataclasses.replace(m, text=text, start=start, end=end, canonical=text))
    return out


def _sentence_of(doc: Document, pos: int) -> int:
    for i, s in enumerate(doc.sentences):
        if s.start <= pos < s.end:
            return i
    return 0


def _label_mentions(doc: Document) -> list[Mention]:
    """Names after a place or organisation label, and gazetteer names."""
    gaz = gazetteer()
    out: list[Mention] = []
    for si, sent in enumerate(doc.sentences):
        toks = sent.tokens
        for k, tok in enumerate(toks):
            word = tok.stem
            label_type = "LOC" if word in LOC_LABELS else "ORG" if word in ORG_LABELS else None
            if label_type and k + 1 < len(toks):
                nxt = toks[k + 1]
                if not _WORD.match(nxt.text) or nxt.norm in FUNCTION_WORDS or adjective_stem(nxt.norm):
                    continue
                end = k + 1
                if (nxt.norm in NAME_PARTICLES and k + 2 < len(toks)) or (
                    k + 2 < len(toks) and toks[k + 2].norm in DIRECTIONS
                ):
                    end = k + 2
                first, last = toks[k + 1], toks[end]
                if label_type == "ORG" and not (
                    nxt.norm in gaz
                    or first.norm.startswith("ال")
                    or not _WORD.match(first.text[0])
                    or first.text[0].isascii()
                ):
                    # "قوات النظام", "حركة واسعة": only known names or definite proper nouns
                    if nxt.norm not in gaz:
                        continue
                name = doc.text[first.start : last.end]
                out.append(Mention(name, label_type, first.start, last.end, name, si, 0.6, origin="label"))
            # gazetteer: one or two words
            for n in (2, 1):
                if k + n > len(toks):
                    continue
                span = toks[k : k + n]
                if not all(_WORD.match(t.text) for t in span):
                    continue
                first, cut = span[0].stem, span[0].clitic_len
                key = " ".join([first, *[t.norm for t in span[1:]]])
                typ = gaz.get(key) or gaz.get(" ".join(t.norm for t in span))
                if typ:
                    if gaz.get(" ".join(t.norm for t in span)):
                        cut = 0
                    start = span[0].start + cut
                    name = doc.text[start : span[-1].end]
                    out.append(Mention(name, typ, start, span[-1].end, name, si, 0.6, origin="gazetteer"))
                    break
    return out


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
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9&.\-]*(?:\s+[A-Z0-9][A-Za-z0-9&.\-]*)*")


def _is_word(tok) -> bool:
    return bool(_WORD.match(tok.text)) and not tok.text[0].isascii()


def _institution_mentions(doc: Document) -> list[Mention]:
    """Organisation names built on an institutional head: the head and the definite words and
    nationality adjectives that follow it ("وزارة الخارجية الأميركية")."""
    out: list[Mention] = []
    for si, sent in enumerate(doc.sentences):
        toks = sent.tokens
        for k, tok in enumerate(toks):
            if not _is_word(tok):
                continue
            word, cut = tok.stem, tok.clitic_len
            if tok.norm in INSTITUTION_HEADS or tok.norm[2:] in INSTITUTION_HEADS and tok.norm[:2] == "ال":
                word, cut = tok.norm, 0  # "وزارة", "وكالة": the و is the word's own letter
            head = word
            if head not in INSTITUTION_HEADS and head.startswith("ال") and head[2:] in INSTITUTION_HEADS:
                head = head[2:]
            if head not in INSTITUTION_HEADS:
                continue
            if tok.norm.startswith("لل"):
                cut = 0  # "للجنة": keep the article's lam in the name text
            j = k + 1
            while j < len(toks) and j - k <= 4 and _is_word(toks[j]):
                w = toks[j].norm
                if w in NAME_STOPS or w in ORG_NAME_STOPS or w.startswith("و"):
                    break
                if w.startswith("ال") or adjective_stem(w):
                    j += 1
                    continue
                if j + 1 < len(toks) and f"{w} {toks[j + 1].norm}" in INSTITUTION_COMPLEMENTS:
                    j += 2
                    break
                break
            if j == k + 1:
                continue
            if word.startswith("ال") and j == k + 2 and not adjective_stem(toks[k + 1].norm):
                continue  # "المحكمة الشرعية": a definite head with one word is a description
            start = tok.start + cut
            end = toks[j - 1].end
            name = doc.text[start:end]
            out.append(Mention(name, "ORG", start, end, name, si, 0.8, origin="rule"))
    return out


def _title_names(doc: Document, ner: list[Mention]) -> list[Mention]:
    """A person's name right after a title: the title head, its definite words (office,
    nationality), then one to three indefinite words, and a definite family name after them.
    Kept when the tagger saw part of it as a person, or when two name words follow an office."""
    known = {w for m in ner if m.type == "PERS" for w in normalise(m.canonical).split()}
    out: list[Mention] = []
    for si, sent in enumerate(doc.sentences):
        toks = sent.tokens
        for k, tok in enumerate(toks):
            if tok.norm not in TITLE_WORDS and tok.stem not in TITLE_WORDS:
                continue
            j = k + 1
            while j < len(toks) and j - k <= 5 and _is_word(toks[j]):
                w = toks[j].norm
                if w.startswith(("ال", "لل")) or adjective_stem(w) or w in TITLE_CONTINUATIONS:
                    j += 1
                    continue
                if w in INSTITUTION_HEADS and j + 1 < len(toks) and toks[j + 1].norm.startswith("ال"):
                    j += 1  # "رئيس مجلس الوزراء"
                    continue
                break
            n0 = j
            chain = n0 - k - 1  # definite words of the title (office, nationality)
            while j < len(toks) and j - n0 < 3 and _is_word(toks[j]):
                w = toks[j].norm
                tagged_here = any(m.start <= toks[j].start < m.end for m in ner if m.type == "PERS")
                if w in PREPOSITION_NAMES and j + 1 < len(toks):
                    # the name علي folds like the preposition على: a name when a tagged name follows
                    tagged_here = tagged_here or any(
                        m.start <= toks[j + 1].start < m.end for m in ner if m.type == "PERS"
                    )
                    if not tagged_here:
                        break
                elif w in NAME_STOPS or w in TITLE_WORDS or w.startswith(("ال", "لل")) or adjective_stem(w):
                    break
                if w[:1] == "و" or (len(w) > 3 and w.endswith("ا") and not w.endswith("يا")):
                    break  # a conjunction, an accusative common noun or adverb ("عددا", "مؤخرا")
                if len(w) > 3 and w[0] in "يت" and j == n0 and w not in known:
                    break  # an imperfect verb ("يؤكد")
                if (
                    j - n0 == 2
                    and w not in known
                    and not any(m.start <= toks[j].start < m.end for m in ner if m.type == "PERS")
                ):
                    break  # a third word only when the tagger saw it ("عبدربه منصور هادي")
                j += 1
            if j == n0:
                continue
            # a family name with the article ("عز الدين الأصبحي", "رياض المالكي")
            if (
                j < len(toks)
                and _is_word(toks[j])
                and toks[j].norm.startswith("ال")
                and toks[j].norm not in NAME_STOPS
                and adjective_stem(toks[j].norm) is None
                and toks[j].norm not in gazetteer()
                and len(toks[j].norm) >= 5
            ):
                j += 1
            tagged = any(
                m.start < toks[j - 1].end and toks[n0].start < m.end for m in ner if m.type == "PERS"
            )
            words = {toks[i].norm for i in range(n0, j)}
            if not tagged and not (words & known) and (chain == 0 or j - n0 < 2):
                continue  # only names the tagger saw somewhere, or two words after an office
            start, end = toks[n0].start, toks[j - 1].end
            name = doc.text[start:end]
            if normalise(name) in gazetteer():
                continue
            out.append(Mention(name, "PERS", start, end, name, si, 0.7, origin="rule"))
    return out


def _extend_persons(doc: Document, ner: list[Mention]) -> list[Mention]:
    """A tagged person name followed by a word the article repeats on its own ("خالد محفوظ"
    + "بحاح", written alone later) takes that word: the tagger stopped one word short."""
    counts = Counter(t.norm for s in doc.sentences for t in s.tokens)
    out: list[Mention] = []
    for m in ner:
        if m.type != "PERS" or m.sentence >= len(doc.sentences):
            out.append(m)
            continue
        toks = doc.sentences[m.sentence].tokens
        b = next((i for i, t in enumerate(toks) if t.end > m.start), None)
        if b is not None and b >= 2 and len(m.text.split()) >= 2 and toks[b - 1].norm in PREPOSITION_NAMES:
            if toks[b - 2].norm.startswith(("ال", "وال")) and not any(c in toks[b - 2].norm for c in "،,"):
                # "المخلوع علي عبدالله صالح": علي after a definite word is the first name,
                # not the preposition على (which folds the same way)
                start = toks[b - 1].start + (1 if toks[b - 1].norm.startswith("و") else 0)
                text = doc.text[start : m.end]
                m = dataclasses.replace(m, text=text, start=start, canonical=text)
        e = next((i for i, t in enumerate(toks) if t.start >= m.end), None)
        if e is None or not _is_word(toks[e]) or any(o is not m and o.start == toks[e].start for o in ner):
            out.append(m)
            continue
        w = toks[e].norm
        if (
            counts[w] >= 2
            and len(w) >= 3
            and not w.startswith(("ال", "و"))
            and w not in NAME_STOPS
            and w not in TITLE_WORDS
            and w not in verb_words()
            and not adjective_stem(w)
            and w not in gazetteer()
        ):
            text = doc.text[m.start : toks[e].end]
            m = dataclasses.replace(m, text=text, end=toks[e].end, canonical=text)
        out.append(m)
    return out


def _latin_names(doc: Document) -> list[Mention]:
    """Names written in Latin script ("شبكة “NBC News”"): organisations (media, companies)."""
    out: list[Mention] = []
    for m in _LATIN.finditer(doc.text):
        name = m.group(0).rstrip(".-")
        if len(name) < 2 or not any(c.isupper() for c in name):
            continue
        out.append(
            Mention(
                name, "ORG", m.start(), m.start() + len(name), name, _sentence_of(doc, m.start()), 0.7, "rule"
            )
        )
    return out


def _propagate(doc: Document, mentions: list[Mention]) -> list[Mention]:
    """Tag every occurrence (with or without a clitic) of a name tagged somewhere in the article."""
    names: dict[str, str] = {}
    for m in mentions:
        key = normalise(m.canonical)
        if len(key) >= 3 and key not in NOT_NAMES:
            names.setdefault(key, m.type)
    for m in mentions:
        # a person's family name alone ("لافروف" for "سيرغي لافروف")
        words = normalise(m.canonical).split()
        if m.type == "PERS" and len(words) >= 2 and len(words[-1]) >= 4 and words[-1] not in FUNCTION_WORDS:
            if not adjective_stem(words[-1]):
                names.setdefault(words[-1], "PERS")
    out: list[Mention] = []
    for si, sent in enumerate(doc.sentences):
        toks = sent.tokens
        for k in range(len(toks)):
            for n in (3, 2, 1):
                if k + n > len(toks):
                    continue
                span = toks[k : k + n]
                first, cut = span[0].stem, span[0].clitic_len
                for key, c in (
                    (" ".join(t.norm for t in span), 0),
                    (" ".join([first, *[t.norm for t in span[1:]]]), cut),
                ):
                    if key in names:
                        start = span[0].start + c
                        text = doc.text[start : span[-1].end]
                        out.append(
                            Mention(text, names[key], start, span[-1].end, text, si, 0.5, "propagated")
                        )
                        break
    return out


def _override(ner: list[Mention], rules: list[Mention]) -> list[Mention]:
    """Rule mentions (institutions, names after titles, Latin names) replace the tagger's
    mentions they contain: the tagger truncates long names ("الحرس الثوري" for "الحرس الثوري
    الإيراني", "منصور هادي" for "عبدربه منصور هادي") or mistypes them."""
    kept_rules = []
    for r in rules:
        inside = [m for m in ner if r.start <= m.start and m.end <= r.end]
        crossing = [
            m
            for m in ner
            if m.start < r.end and r.start < m.end and not (r.start <= m.start and m.end <= r.end)
        ]
        if crossing:
            continue
        if r.type == "PERS" and any(
            m.type != "PERS" and normalise(m.canonical) in gazetteer() for m in inside
        ):
            continue  # "وزير خارجية إيران": a place after a title is not a person
        kept_rules.append(r)
    out = [m for m in ner if not any(r.start <= m.start and m.end <= r.end for r in kept_rules)]
    return out + kept_rules


# Which mention wins an overlap, by origin: the tagger's and the rules that override it, then names
# after a label or from the gazetteer, then occurrences of a name tagged elsewhere.
ORIGIN_RANK = {"ner": 2, "rule": 2, "label": 1, "gazetteer": 1, "propagated": 0}


def _by_origin(m: Mention) -> float:
    return ORIGIN_RANK[m.origin]


def _by_rule_weight(m: Mention) -> float:
    return m.score


def _resolve_overlaps(mentions: list[Mention], precedence=_by_origin) -> list[Mention]:
    """Keep the mentions of highest precedence first, then the longest, with no overlaps."""
    ranked = sorted(mentions, key=lambda m: (-precedence(m), -(m.end - m.start), m.start))
    kept: list[Mention] = []
    for m in ranked:
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


# plural nouns for officials that open a description, not a name ("دبلوماسيون أوروبيون")
OFFICIAL_PLURALS = words("link/official_plurals")
# words before a person's name that are not part of it ("ونجله أحمد", "البابا فرنسيس")
PERSON_PREFIXES = words("link/person_prefixes")


def _clean_person(name: str) -> str:
    words = name.split()
    while len(words) > 1 and without_proclitic(normalise(words[0]))[0] in PERSON_PREFIXES:
        words = words[1:]
    if len(words) > 1 and adjective_stem(normalise(words[-1])):
        words = words[:-1]  # "كول جاك التركي": the nationality is not part of the name
    return " ".join(words)


def _clean_canonical(name: str) -> str:
    words = name.split()
    if len(words) > 1 and normalise(words[-1]) in DIRECTIONS:
        words = words[:-1]  # "ريف حمص الشمالي" → "حمص"
    # "حماس والجهاد": two names joined by a conjunction
    for i in range(1, len(words)):
        if normalise(words[i]).startswith("وال") and len(words[i]) > 4:
            words = words[:i]
            break
    if len(words) > 1:
        head, _ = without_proclitic(normalise(words[0]))
        if head in ORG_LABELS or head in LOC_LABELS:
            rest = words[1:]
            if rest and not adjective_stem(normalise(rest[0])):
                words = rest
    name = " ".join(words).strip("«»“”\"' ()")
    return name


def _is_junk(m: Mention) -> bool:
    key = normalise(m.canonical)
    if key in NOT_NAMES or len(key) < 2:
        return True
    words = key.split()
    if len(words) == 1 and without_proclitic(words[0])[0] in LOC_LABELS | ORG_LABELS | INSTITUTION_HEADS:
        return True  # a label on its own ("بريف", "الوزارة")
    if all(adjective_stem(w) for w in words):
        return True  # "الروسي", "دبلوماسيون أوروبيون" …
    if len(words) > 1 and adjective_stem(words[-1]) and words[0] in OFFICIAL_PLURALS:
        return True
    return False


def link(doc: Document, config: StageConfig = DEFAULT) -> Document:
    ner = [m for m in doc.mentions if m.type in ("PERS", "ORG", "LOC", "MISC")]
    ner = _extend_persons(doc, _trim_at_verbs(doc, ner))
    rules = _resolve_overlaps(
        _institution_mentions(doc) + _title_names(doc, ner) + _latin_names(doc), _by_rule_weight
    )
    ner = _override(ner, rules)
    extra = _label_mentions(doc)
    mentions = _resolve_overlaps(ner + extra)
    mentions = [dataclasses.replace(m, canonical=_clean_canonical(m.canonical)) for m in mentions]
    mentions = [m for m in mentions if not _is_junk(m)]
    mentions = _resolve_overlaps(mentions + [m for m in _propagate(doc, mentions)])
    mentions = [dataclasses.replace(m, canonical=_clean_canonical(m.canonical)) for m in mentions]
    mentions = [
        dataclasses.replace(m, canonical=_clean_person(m.canonical)) if m.type == "PERS" else m
        for m in mentions
    ]
    mentions = [m for m in mentions if not _is_junk(m)]

    # one canonical per entity: the fullest form that contains a shorter one word by word
    forms = Counter(normalise(m.canonical) for m in mentions)
    by_key = {normalise(m.canonical): m.canonical for m in mentions}
    mapping: dict[str, str] = {}
    for key in forms:
        best = key
        for other in forms:
            if other == key or len(other.split()) <= len(key.split()):
                continue
            ow = other.split()
            kw = key.split()
            if any(ow[i : i + len(kw)] == kw for i in range(len(ow) - len(kw) + 1)):
                if len(other) > len(best):
                    best = other
        mapping[key] = by_key[best]

    # a capital standing for its state
    states = {}
    for names in nationalities().values():
        for name in names[1:]:
            states[name] = names[0]
    # a capital is the state only where it acts ("واشنطن تضيف", "قالت طهران"); a capital that is
    # also a place, a destination or an object anywhere in the article stays its own entity
    literal: set[str] = set()
    for m in mentions:
        key = normalise(m.canonical)
        sent = doc.sentences[m.sentence] if m.sentence < len(doc.sentences) else None
        if sent is None:
            continue
        toks = sent.tokens
        k = next((i for i, t in enumerate(toks) if t.end > m.start), None)
        e = next((i for i, t in enumerate(toks) if t.start >= m.end), len(toks))
        if k is None:
            continue
        nxt = toks[e].norm if e < len(toks) else ""
        prev = toks[k - 1].norm if k > 0 else ""
        clitic = m.start > toks[k].start
        acts = (not clitic and len(nxt) >= 4 and nxt[0] in "تي" and nxt not in FUNCTION_WORDS) or (
            not clitic and len(prev) >= 4 and prev.endswith("ت") and prev[:1] in "اوقرطهد"
        )
        if not acts:
            literal.add(key)
    present = set(mapping.values())
    for key in list(mapping):
        state = states.get(key)
        if state and key not in literal:
            target = next((c for c in present if normalise(c) == state), None)
            if target:
                mapping[key] = target

    typed: dict[str, Counter] = {}
    for m in mentions:
        c = mapping[normalise(m.canonical)]
        typed.setdefault(c, Counter())[m.type] += 2 if m.origin in ("ner", "rule") else 1
    out = []
    for m in mentions:
        c = mapping[normalise(m.canonical)]
        t = typed[c].most_common(1)[0][0]
        out.append(dataclasses.replace(m, canonical=c, type=t, sentence=_sentence_of(doc, m.start)))
    return dataclasses.replace(doc, mentions=tuple(out), stages=(*doc.stages, "link"))
