"""Stage: a CAMEO-style actor code (country, sector) for every entity, at the article's date.

Rules (../shared/eval/ACTORS.md), in order, for each entity of the article:

1. the Arabic CAMEO dictionary's entry for its name, the role valid at the article's date
   (``published_at``, else the config's reference date): «نوري المالكي» is IRQ GOV or IRQ ELI
   depending on the year;
2. the code composed from the name's words: a head with a sector and a nationality adjective or
   a state's name («الحكومة اليمنية» → YEM GOV, «الطيران الروسي» → RUS MIL);
3. for a person, the title around the name («وزير الخارجية الأمريكي ديفيد براون», «براون، وزير
   الخارجية الأمريكي» → USA GOV), the title and name together as a dictionary entry; a title
   naming an office outdates the dictionary's ELI for the same state (it was written earlier);
4. a place takes the state it lies in, with no sector (or the state its name without the label
   «مدينة …» lies in), a continent, sea or region none; in an article about sport an organisation
   may be a club of the club table (CVL); a place or club name several states share takes the
   article's; an organisation named after its label («صحيفة …», «شركة …») takes the label's
   sector; a counterpart («نظيره المصري …») the sector of the person he meets; an official named
   right after an intergovernmental body or an armed or opposition group the body's code;
5. an entity the rules place in no state (a title without nationality, a club, a village the
   dictionary does not know) takes the article's main state: the state most of its coded places
   and organisations belong to, the outlet's home state (read off the article's URL, home.py)
   one more voice; an actor the dictionary says has no state («داعش») keeps none; the outlet's
   own name is its home state's MED;
6. in an article about sport, persons and bodies without a sector are CVL; parties are OPP;
7. a person the dictionary does not know whose office the text tells only of a past a decade or
   more before the article (a history column) is ELI.

All mentions of one entity (one canonical name and type) carry the entity's code; a person known
by part of a coded person's name («براون») takes that code.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable
from operator import attrgetter

from worker.lang.ar import table
from worker.lang.ar import words as word_list
from worker.lang.ar.actor_lexicon import adjectives, clubs, key
from worker.lang.ar.morphology import without_conjunction, without_proclitic
from worker.lang.ar.normalise import normalise
from worker.stages.actors.coding import (
    OFFICE_SECTORS,
    Code,
    code_name,
    compose,
    known,
    lookup,
    lookup_person,
    sector_at,
    states_of,
)
from worker.stages.actors.home import Home, home_of
from worker.stages.actors.places import locate
from worker.stages.config import DEFAULT, StageConfig
from worker.stages.document import Document, Mention, Sentence, Token, evolve

# words of title looked at before and after a person's name
TITLE_WINDOW = 5
# distinct words of sports reporting that make an article one about sport
SPORTS_WORDS = 3
# ACTORS.md codes parties outside government OPP, also where the dictionary says PTY (a party in
# government is coded by its office, GOV, from its title or dated role)
SECTOR_AS = {"PTY": "OPP"}
# An office the text gives a person only in sentences dated this many years or more before the
# article (a history column, «في عام 1951 اغتيل الملك عبدالله») is a past one: ELI at the article's
# date, as ACTORS.md codes the dead and the former. A decade: no shorter term of office is assumed.
PAST_YEARS = 10
# the marks between a chronology entry's year and its text («1951 - اغتيال …»)
CHRONOLOGY_DASHES = frozenset("-–—:")
# Gregorian years before this one are not read as dates: Saudi papers write Hijri years (1436)
# bare as often as with «هـ»
FIRST_YEAR = 1500
# the sectors of the bodies whose officials ACTORS.md codes like the body (with IGO bodies)
ACTING_FOR = frozenset({"REB", "OPP", "PTY"})


def day_of(doc: Document, config: StageConfig) -> int | None:
    """The article's date as YYYYMMDD: its publication date, else the config's reference date."""
    iso = (doc.published_at or config.reference_date or "")[:10]
    digits = iso.replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else None


_START, _END = attrgetter("start"), attrgetter("end")


def _title_words(doc: Document, m: Mention, before: bool) -> list[str]:
    """The words next to a mention in its sentence (before or after it), up to a break:
    punctuation, a preposition before the name (but for an origin, «من أصل غيني», which is left
    out and looked past), another person or organisation; a place stays (it may be the title's
    state). After the name, a word with a conjunction ends it (what follows «و»
    is another entity)."""
    if m.sentence >= len(doc.sentences):
        return []
    sentence: Sentence = doc.sentences[m.sentence]
    # the tokens that end before the mention, or start after it (tokens are in text order)
    tokens = sentence.tokens
    if before:
        toks = tokens[: bisect_right(tokens, m.start, key=_END)]
    else:
        toks = tokens[bisect_left(tokens, m.end, key=_START) :]
    # only the mentions that reach into these words can block them (not those of other sentences)
    lo, hi = (toks[0].start, toks[-1].end) if toks else (0, 0)
    blocked = [
        (o.start, o.end)
        for o in doc.mentions
        if o.start < hi and lo < o.end and o.type in ("PERS", "ORG") and o is not m
    ]
    # one comma may stand between a name and its title, on either side («…وزير الدولة للشؤون
    # الخارجية، فلان الفلاني»; «براون، وزير الخارجية»), and a pronoun may open the title after it
    if before:
        toks = toks[::-1]
        if toks and toks[0].norm in word_list("actors/apposition_marks") and not toks[0].norm.isalpha():
            toks = toks[1:]
    else:
        while toks and toks[0].norm in word_list("actors/apposition_marks"):
            toks = toks[1:]
    out = []
    for t in toks:
        if len(out) >= TITLE_WINDOW or not any(c.isalpha() for c in t.norm):
            break
        if any(s < t.end and t.start < e for s, e in blocked):
            break
        if not before and _has_conjunction(t):
            break
        word = _word(t)
        if before and word in word_list("actors/title_breaks"):
            if out and out[-1] in word_list("actors/origin_words"):
                out = []  # «البرتغالي من أصل غيني فلان»: the origin is no part of the title
                continue
            break
        out.append(word)
    return out[::-1] if before else out


def _has_conjunction(t: Token) -> bool:
    """«والرئيس», «ووزير»: yes; «وزير», whose «و» is its first letter: no."""
    if t.bare == t.norm:
        return False
    return t.norm.startswith(tuple(word_list("actors/conjunction_articles"))) or not known(key(t.norm))


def _word(t: Token) -> str:
    """The token's key, without a proclitic only where that makes a known word: «وزير» is a
    minister, not «و» + «زير», but «ووزير» and «بالجيش» lose theirs."""
    whole = key(t.norm)
    if known(whole):
        return whole
    return next((k for k in (key(t.bare), key(t.stem)) if known(k)), whole)


def _person(title_words: Callable[[bool], list[str]], words: list[str], day: int | None) -> Code | None:
    """The dictionary's entry for the name (alone or with the title before it) or the title's
    code, whichever says more; on a tie the dictionary. The name's own words are not composed:
    a family name such as «التركي» or «المصري» is no nationality."""
    before = title_words(True)
    # a span that took in its title's last words («الأردني سامر الخطيب»): they are title
    lead = 0
    while lead < len(words) - 1 and (words[lead] in adjectives() or sector_at(words[lead : lead + 1], 0)):
        lead += 1
    before, words = before + words[:lead], words[lead:]
    # the title and name together may be the dictionary's entry («رئيس_سوداني_عمر_البشير_»)
    own = next((c for i in range(len(before) + 1) if (c := lookup(before[i:] + words, day))), None)
    if own is None:
        own = lookup_person(words, day) or _family(words, day)
    candidates = [own]
    if before:
        candidates.append(compose(_title_span(before), day))
    after = title_words(False)
    if after and (sector_at(after, 0) or after[0] in word_list("actors/body_titles")):
        # a title right after the name is its apposition («براون وزير الخارجية الأمريكي»,
        # «عبد السلام، الناطق باسم المتمردين»: a spokesman is coded as what he speaks for)
        candidates.append(compose(after, day))
    found = [c for c in candidates if c is not None]
    best = max(found, key=lambda c: c.rank, default=None)
    if best is own and own is not None and own.sector == "ELI":
        # the dictionary's word is older than the article: a man it knows out of office whom the
        # text titles with an office of the same state holds it again («الرئيس الأمريكي جو بايدن»,
        # a vice-president in the dictionary's day); «الرئيس الأسبق» is a former title, ELI itself
        office = next(
            (c for c in found[1:] if c.rank == 2 and c.country == own.country and c.sector in OFFICE_SECTORS),
            None,
        )
        best = office or best
    if best is not None and best.rank < 2:
        # a title with no nationality and a name the dictionary places: together a full code
        sector = next((c.sector for c in found if c.sector and not c.former), None)
        country = next((c.country for c in found if c.country), None)
        if sector and country:
            return Code(country, sector)
    return best


def _family(words: list[str], day: int | None) -> Code | None:
    """A person the dictionary lacks whose father's name it has («سامر بن خالد بن زيد»:
    «خالد بن زيد»): the family's state, no sector (the son holds his own office)."""
    for i, w in enumerate(words[:-1]):
        if w in word_list("actors/patronymics"):
            # the father's full name, or as much of it as the dictionary has («خالد»)
            for end in range(len(words), i + 1, -1):
                code = lookup(words[i + 1 : end], day)
                if code is not None and code.country:
                    return Code(code.country, None)
    return None


def _title_span(before: list[str]) -> list[str]:
    """The title before a name: from the head nearest the name («… اليمن وزير الخارجية» → «وزير
    الخارجية»: a state further left belongs to another phrase); with no head, the two words next
    to the name («المهاجم الأردني»)."""
    honorifics = word_list("actors/honorifics")
    while before and before[-1] in honorifics:
        before = before[:-1]
    # the title heads written for Khabar first: the generated agents also hold complements
    # («وزير الشباب والإعلام»: «الإعلام» is no head here)
    for generated in (False, True):
        for i in range(len(before) - 1, -1, -1):
            if before[i] not in honorifics and sector_at(before, i, generated):
                return _title_chain(before, i, generated)
    return before[-2:]


def _title_chain(before: list[str], i: int, generated: bool) -> list[str]:
    """The title from head ``i``, reaching back over the titles in apposition before it that a
    nationality adjective closes («العاهل الأردني الملك»: the king is the Jordanian monarch) when
    the head has no state of its own; a state's name further left stays out («… اليمن وزير»)."""
    adj = adjectives()
    start = i
    while start >= 2 and before[start - 1] in adj and sector_at(before, start - 2, generated):
        start -= 2
    if start == i or any(w in adj for w in before[i:]):
        return before[i:]
    return before[start:]


def _place(words: list[str], day: int | None) -> Code | None:
    """A place's state (no sector): its dictionary entry, or that of its name without the label
    before it («مدينة بغداد», «محافظة عدن»: the label may itself be a name, «المدينة»), or the
    state inside it («جدة السعودية»). A continent, sea or region that spans states («الخليج»,
    «الشرق الأوسط», «منطقة الخليج»: the whole name; «جنوب أفريقيا» is a state) has none, and
    says so (a stateless code the main state does not fill)."""
    if " ".join(words) in word_list("actors/regions"):
        return Code(None, None, stateless=True)
    code = lookup(words, day)
    if code is None and len(words) > 1:
        code = lookup(words[1:], day)
    if code is None or code.country is None:
        code = code_name(words, day, body=False)  # «مطار … الدولي» is no IGO
    if code is None or code.country is None:
        return None
    return Code(code.country, None)


def _forms(m: Mention) -> list[list[str]]:
    """The words to code a mention by: its canonical name, then its own text, without an attached
    conjunction or preposition («وفيتنام») where the bare form is a known word."""
    forms = [key(m.canonical).split()]
    text = normalise(m.text).split()
    if text:
        forms.append(key(" ".join(text)).split())
        for bare in (without_conjunction(text[0]), without_proclitic(text[0])[0]):
            if bare != text[0] and known(key(bare)):
                forms.append(key(" ".join([bare, *text[1:]])).split())
    return [f for f in forms if f]


def _followed_by_nationality(title_words: Callable[[bool], list[str]], code: Code | None) -> Code | None:
    """An organisation whose name the text follows with a nationality («الوحدة الإماراتي»):
    that state, whatever the lexicons say (several states have a «الوحدة»)."""
    after = title_words(False)
    if after and after[0] in adjectives():
        return Code(adjectives()[after[0]], code.sector if code is not None else None)
    return code


def _labelled(
    title_words: Callable[[bool], list[str]], words: list[str], day: int | None, code: Code | None
) -> Code | None:
    """An organisation named after the label that says what kind it is («صحيفة الوئام», «شركة
    أرامكو», «قناة العربية», «نادي الهلال»; ``link/org_labels``, which the canonical name leaves
    out) takes the label's sector where its own name gives none. A person's title before it is no
    label: «رئيس الفيفا» does not make FIFA a government; nor is a canal a channel («قناة
    السويس»: ``actors/place_labels`` before a place's name)."""
    if code is not None and (code.sector is not None or code.country == "IGO"):
        return code
    before = title_words(True)
    if not before or before[-1] not in word_list("link/org_labels"):
        return code
    if before[-1] in word_list("actors/place_labels") and _place(words, day) is not None:
        return code
    found = sector_at(before[-1:], 0, generated=False)
    if found is None:
        return code
    # the label composed with the name may say more («قوات» + «الطوارئ»: police, not an army);
    # not that they are former: «قوات المخلوع» are the ousted president's forces
    together = compose(before[-1:] + words, day)
    sector = together.sector if together is not None and together.sector not in (None, "ELI") else found[0]
    return Code(code.country if code else None, sector, stateless=code.stateless if code else False)


def code_entity(doc: Document, m: Mention, day: int | None, sport: bool = False) -> Code | None:
    """One mention's code (rules 1-4 of the module doc); ``sport``: the article is about sport,
    where an organisation may be a club of the club table."""
    sides: dict[bool, list[str]] = {}

    def title_words(before: bool) -> list[str]:
        # the words beside the mention (_title_words) are the same for each of its forms: read once
        if before not in sides:
            sides[before] = _title_words(doc, m, before)
        return sides[before]

    codes = []
    for words in _forms(m):
        if m.type == "LOC":
            code = _place(words, day)
        elif m.type == "PERS":
            code = _person(title_words, words, day)
        else:
            club = clubs().get(" ".join(words)) if sport else None
            code = Code(club[0].country, club[0].sector) if club else code_name(words, day)
            code = _followed_by_nationality(title_words, code)
            if m.type == "ORG":
                code = _labelled(title_words, words, day, code)
                if sport and code is not None and code.country == "IGO" and lookup(words, day) is None:
                    # in sport an international body the dictionary does not name is a federation
                    # («الاتحاد الأوروبي لكرة القدم», «اللجنة الأولمبية الدولية»): NGO of no state
                    code = Code(None, "NGO", stateless=True)
        if code is not None and code.rank == 2:
            return code
        codes.append(code)
    return max((c for c in codes if c is not None), key=lambda c: c.rank, default=None)


def actors(doc: Document, config: StageConfig = DEFAULT) -> Document:
    day = day_of(doc, config)
    sport = _about_sport(doc)
    per_entity: dict[tuple[str, str], list[Code]] = {}
    for m in doc.mentions:
        code = code_entity(doc, m, day, sport)
        if code is not None:
            per_entity.setdefault((m.type, m.canonical), []).append(code)
    chosen = {e: _choose(codes) for e, codes in per_entity.items()}
    _share_by_name(doc, chosen)
    _counterparts(doc, chosen)
    if not sport:
        _officials_of(doc, chosen)
    home = home_of(doc.url)
    if home is not None:
        _own_outlet(doc, chosen, home)
    _settle_ambiguous(chosen, sport)
    _past_offices(doc, chosen, day)
    main_state = _main_state(doc, chosen, home)
    default_sector = "CVL" if sport else None
    mentions = []
    for m in doc.mentions:
        code = chosen.get((m.type, m.canonical))
        if main_state and (code is None or not code.settled):
            # an entity the rules place in no state (a title without nationality, a club, a
            # village) most likely belongs to the state the article is about
            code = Code(main_state, code.sector if code is not None and m.type != "LOC" else None)
        if code is not None and code.settled:
            sector = code.sector
            if sector is None and m.type != "LOC" and code.country != "IGO":
                sector = default_sector  # in sport, players, clubs and their officials are CVL
            m = evolve(m, country=code.country, sector=SECTOR_AS.get(sector, sector))
        mentions.append(m)
    located = locate(dataclasses.replace(doc, mentions=tuple(mentions)))
    return dataclasses.replace(located, stages=(*doc.stages, "actors"))


def _past_offices(doc: Document, chosen: dict[tuple[str, str], Code], day: int | None) -> None:
    """A person the dictionary does not know, whose office the text tells only in sentences about
    a past PAST_YEARS or more before the article, held it then: ELI now."""
    if day is None:
        return
    limit = day // 10000 - PAST_YEARS
    past: dict[tuple[str, str], bool] = {}
    years_of: dict[int, list[int]] = {}
    for m in doc.mentions:
        entity = (m.type, m.canonical)
        code = chosen.get(entity)
        if (
            m.type != "PERS"
            or code is None
            or code.sector not in OFFICE_SECTORS
            or not past.get(entity, True)
        ):
            continue
        if m.sentence not in years_of:
            sent = doc.sentences[m.sentence] if m.sentence < len(doc.sentences) else None
            years_of[m.sentence] = _years(sent.tokens) if sent else []
        years = years_of[m.sentence]
        past[entity] = bool(years) and max(years) <= limit
    for entity, only_past in past.items():
        if only_past and not _in_dictionary(key(entity[1]).split(), day):
            chosen[entity] = Code(chosen[entity].country, "ELI")


def _in_dictionary(words: list[str], day: int) -> bool:
    """The dictionary knows the person, by the whole name or its first two words or more
    («سلمان بن عبدالعزيز» in «سلمان بن عبدالعزيز آل سعود»): its dated roles say more than a date
    in the text."""
    return any(lookup_person(words[:n], day) is not None for n in range(len(words), 1, -1))


def _years(toks: tuple[Token, ...]) -> list[int]:
    """The Gregorian years a sentence dates itself by: after a year word or a month name («في عام
    1951», «20 يوليو 1944», «25 مايو (أيار) 1969»), or opening a chronology's entry («1951 -
    اغتيال …»). A Hijri year («1436هـ») is none, and years before FIRST_YEAR are not read (Hijri
    years written bare)."""
    years = []
    for k, t in enumerate(toks):
        if not (t.norm.isdigit() and len(t.norm) == 4 and FIRST_YEAR <= int(t.norm)):
            continue
        j = k - 1
        if j > 0 and toks[j].text == ")":
            # «25 مايو (أيار) 1969»: the month's other name in brackets
            j = next((i - 1 for i in range(j - 1, max(-1, j - 4), -1) if toks[i].text == "("), j)
        prev = without_conjunction(toks[j].norm) if j >= 0 else ""
        entry = k == 0 and len(toks) > 1 and toks[1].text in CHRONOLOGY_DASHES
        if entry or prev in word_list("actors/year_words") or prev in table("dates/gregorian_months"):
            years.append(int(t.norm))
    return years


def _is_counterpart(word: str) -> bool:
    words = word_list("actors/counterparts")
    return word in words or without_proclitic(word)[0] in words


def _counterparts(doc: Document, chosen: dict[tuple[str, str], Code]) -> None:
    """A person titled as someone's counterpart («التقى وزير الخارجية عادل الجبير نظيره المصري
    سامح شكري», «السيسي ونظيره اليمني») holds the same kind of office: with no sector of his
    own he takes that of the nearest person before him, in his sentence or the one before (the
    subject of «وسيلتقي نظيره» is often named a sentence earlier), who has one."""
    for i, m in enumerate(doc.mentions):
        entity = (m.type, m.canonical)
        code = chosen.get(entity)
        if m.type != "PERS" or (code is not None and code.sector is not None):
            continue
        if not any(_is_counterpart(w) for w in _title_words(doc, m, True)[-3:]):
            continue
        before = (
            chosen.get((o.type, o.canonical))
            for o in reversed(doc.mentions[:i])
            if o.type == "PERS" and m.sentence - 1 <= o.sentence <= m.sentence and o.end <= m.start
        )
        sector = next((c.sector for c in before if c is not None and c.sector), None)
        if sector:
            chosen[entity] = Code(
                code.country if code else None, sector, stateless=bool(code and code.stateless)
            )


def _officials_of(doc: Document, chosen: dict[tuple[str, str], Code]) -> None:
    """A person named right after the body he holds a title in, an honorific between them at
    most, acts for it where ACTORS.md says so: officials of an intergovernmental body are IGO
    («الأمين العام للأمم المتحدة بان كي مون»), the leaders and spokesmen of an
    armed group or an opposition body are coded like it («المتحدث باسم الحوثيين محمد عبد
    السلام», «مؤسس حزب العمال الكردستاني عبد الله أوجلان»; the titles: ``actors/body_titles``). A
    person with a sector of his own keeps it. (The person's own title rules stop at the body's
    name, so they never see this title.)"""
    honorifics, titles = word_list("actors/honorifics"), word_list("actors/body_titles")
    for i, m in enumerate(doc.mentions):
        entity = (m.type, m.canonical)
        code = chosen.get(entity)
        if m.type != "PERS" or m.sentence >= len(doc.sentences) or (code is not None and code.sector):
            continue
        body = next((o for o in reversed(doc.mentions[:i]) if o.end <= m.start), None)
        if body is None or body.type != "ORG" or body.sentence != m.sentence:
            continue
        of = chosen.get((body.type, body.canonical))
        if of is None or not (of.country == "IGO" or of.sector in ACTING_FOR):
            continue
        between = [t for t in doc.sentences[m.sentence].tokens if body.end <= t.start and t.end <= m.start]
        if any(_word(t) not in honorifics for t in between):
            continue
        # the title right before the body, through «باسم» or «العام» («المتحدث باسم», «الأمين العام ل…»)
        before = [t for t in doc.sentences[m.sentence].tokens if t.end <= body.start][-2:]
        if any(_word(t) in titles or without_proclitic(_word(t))[0] in titles for t in before):
            chosen[entity] = of


def _share_by_name(doc: Document, chosen: dict[tuple[str, str], Code]) -> None:
    """A person the rules could not code whose name is part of a coded person's name in the
    same article («براون» beside «ديفيد براون», however the linker grouped them) takes that code."""
    coded = [
        (set(key(name).split()), code)
        for (etype, name), code in chosen.items()
        if etype == "PERS" and code.country is not None
    ]
    for m in doc.mentions:
        entity = (m.type, m.canonical)
        if m.type != "PERS" or (entity in chosen and chosen[entity].country is not None):
            continue
        for words in (set(key(m.text).split()), set(key(m.canonical).split())):
            match = [code for name, code in coded if words and words <= name]
            if match:
                chosen[entity] = max(match, key=lambda c: c.rank)
                break


def _settle_ambiguous(chosen: dict[tuple[str, str], Code], sport: bool) -> None:
    """A place or club name shared by several states («طرابلس»: Lebanon and Libya; «الوحدة»: the
    Emirates and Saudi Arabia) belongs to the one the article's other entities belong to most; on a tie,
    the first listed."""
    others: Counter[str] = Counter(
        code.country for code in chosen.values() if code.country and code.country != "IGO"
    )
    for entity, code in list(chosen.items()):
        words = key(entity[1]).split()
        if entity[0] == "LOC":
            states = states_of(words)
        elif sport and entity[0] == "ORG" and code.sector == "CVL":
            states = [r.country for r in clubs().get(" ".join(words), ()) if r.country]
        else:
            continue
        if len(states) > 1 and code.country in states:  # not where the text said the state
            counts = others.copy()
            counts[code.country] -= 1  # not its own vote
            best = max(states, key=lambda c: (counts[c], -states.index(c)))
            chosen[entity] = Code(best, code.sector)


def _about_sport(doc: Document) -> bool:
    """Whether the article reports sport: at least SPORTS_WORDS distinct words of sports reporting."""
    sport = word_list("actors/sports_words")
    stems = {t.stem for s in doc.sentences for t in s.tokens}  # each word's key once, not each token's
    seen = {k for stem in stems if (k := key(stem)) in sport}
    return len(seen) >= SPORTS_WORDS


def _choose(codes: list[Code]) -> Code:
    """The entity's code: the most informative its mentions got, the most frequent among those."""
    top = max(c.rank for c in codes)
    return Counter(c for c in codes if c.rank == top).most_common(1)[0][0]


def _own_outlet(doc: Document, chosen: dict[tuple[str, str], Code], home: Home) -> None:
    """The outlet the article comes from, named in its own text («قالت مصادر لـ«عكاظ»», «رابط
    الخبر بصحيفة الوئام»), is its home state's MED: the dictionary knows few newspapers, and the
    state of the story is not the paper's."""
    for m in doc.mentions:
        if m.type == "ORG" and (key(m.canonical) in home.names or key(m.text) in home.names):
            chosen[(m.type, m.canonical)] = Code(home.state, "MED")


def _main_state(doc: Document, chosen: dict[tuple[str, str], Code], home: Home | None = None) -> str | None:
    """The state most of the article's coded places and organisations belong to (each entity
    once, not each mention: a host city named ten times does not outvote the visitors; IGO
    aside, and the agencies and broadcasters of ``actors/outlets`` and the article's own outlet:
    «رويترز» is whom the article quotes, not what it is about), the first named on a tie; persons
    only where there are none. Persons do not vote otherwise because Arabic news names the
    nationality of foreigners («المهاجم الأردني») and leaves out that of its own country's
    officials («وزير الخارجية»), the very entities that need the main state. For the same reason
    the outlet's home state (``home``) has one voice of its own, as if one more entity were its
    (counted where the state is first named, else last): it tips a balance the home state is in
    and decides an article that names no other state (a local report that names only a ministry
    and its officials), not a story whose places are elsewhere."""
    counts: Counter[str] = Counter()
    persons: Counter[str] = Counter()
    outlets = word_list("actors/outlets") | (home.names if home is not None else frozenset())
    for entity in dict.fromkeys((m.type, m.canonical) for m in doc.mentions):
        code = chosen.get(entity)
        if code is not None and code.country and code.country != "IGO" and key(entity[1]) not in outlets:
            (persons if entity[0] == "PERS" else counts)[code.country] += 1
    counts = counts or persons
    if home is not None:
        counts[home.state] += 1
    if not counts:
        return None
    return counts.most_common(1)[0][0]
