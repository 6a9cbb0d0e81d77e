"""The coding rules: a name, a phrase or a title around a name → (country, sector).

Everything here works on actor-lexicon keys (``worker.lang.ar.actor_lexicon.key``): lists of
lemma-like words in which «وزارة الدفاع الأمريكية» and the dictionary's «وزارة_دفاع_أميركي_» are
the same words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from worker.lang.ar import words as word_list
from worker.lang.ar.actor_lexicon import Role, adjectives, agents, heads, named, short_names

# a role's sectors that become ELI once it has ended (ACTORS.md: former officials are elites)
OFFICE_SECTORS = frozenset({"GOV", "MIL", "LEG", "JUD", "COP"})
# the longest phrase (in words) looked up as one dictionary entry or agent
MAX_PHRASE = 6


@dataclass(frozen=True)
class Code:
    country: str | None
    sector: str | None
    # the dictionary's office has ended: the text's own title, if any, is newer evidence
    former: bool = False
    # an actor with no state («داعش»): its null country is an answer, not a gap to fill
    stateless: bool = False

    @property
    def rank(self) -> int:
        """How much the code says: country (or none, for a stateless actor) and sector 2 (1 for
        a former office), country 1, sector alone 0."""
        if self.country is None and not self.stateless:
            return 0
        return 1 if self.former or self.sector is None else 2

    @property
    def settled(self) -> bool:
        """Whether the code needs no state from the article."""
        return self.country is not None or self.stateless


def role_at(roles: Sequence[Role], day: int | None) -> Code | None:
    """The code on ``day`` (YYYYMMDD): of the dated roles that hold then, the one that began last
    (the dictionary's newest word on the person: «نوري المالكي» IRQ GOV until 2014-09-08, IRQ
    ELI after); with none, the undated role the dictionary lists most often (listed first); with
    neither, after every role has ended, the last office as ELI (a former official), before any,
    the first role. With no day, the roles that have no end stand for the present."""
    if not roles:
        return None
    dated = [r for r in roles if r.start is not None or r.end is not None]
    undated = [r for r in roles if r.start is None and r.end is None]
    holding = [r for r in dated if (r.end is None if day is None else r.holds_at(day))]
    if holding:
        best = max(holding, key=lambda r: r.start or 0)
        return Code(best.country, best.sector, stateless=best.stateless)
    if undated:
        return Code(undated[0].country, undated[0].sector, stateless=undated[0].stateless)
    ended = [r for r in dated if r.end is not None and day is not None and r.end <= day]
    if ended:
        last = max(ended, key=lambda r: r.end or 0)
        return Code(last.country, "ELI" if last.sector in OFFICE_SECTORS else last.sector, former=True)
    first = min(dated, key=lambda r: r.start or 0)
    return Code(first.country, first.sector)


def lookup(words: Sequence[str], day: int | None) -> Code | None:
    """The dictionary's code of exactly these words."""
    roles = named().get(" ".join(words))
    return role_at(roles, day) if roles else None


def lookup_person(words: Sequence[str], day: int | None) -> Code | None:
    """The dictionary's code of a person's name, written in full or, as the news writes it,
    without the «بن …» links of its lineage (``actor_lexicon.short_names``)."""
    code = lookup(words, day)
    if code is None:
        roles = short_names().get(" ".join(words))
        code = role_at(roles, day) if roles else None
    return code


def states_of(words: Sequence[str]) -> list[str]:
    """The states the dictionary places a name in equally often, in its order («طرابلس»: LBN and
    LBY once each; «لبنان», listed under LBN five times and GBR once, has one)."""
    counts = Counter(r.country for r in named().get(" ".join(words), ()) if r.country)
    top = max(counts.values(), default=0)
    return [c for c, n in counts.items() if n == top]


def sector_at(words: Sequence[str], i: int, generated: bool = True) -> tuple[str, int] | None:
    """The sector of the longest agent phrase starting at word ``i`` and its length in words;
    the hand-written heads win over the generated agents (left out with ``generated=False``)."""
    for n in range(min(MAX_PHRASE, len(words) - i), 0, -1):
        phrase = " ".join(words[i : i + n])
        sector = heads().get(phrase) or (agents().get(phrase) if generated else None)
        if sector:
            return sector, n
    return None


def country_in(words: Sequence[str], day: int | None, head: range = range(0)) -> str | None:
    """The state the words name: the last nationality adjective («وزارة المالية الفرنسية»: the
    adjective closes the phrase it qualifies) that does not name a topic («الشؤون الروسية») or an
    origin («من أصل غيني», «الكويتي المولد»: ``actors/origin_words``), else
    the first name the dictionary codes with a country («روسيا», «واشنطن», «البيت الأبيض» inside
    a longer phrase) but one inside the ``head`` phrase (word positions), part of a longer title:
    «مجلس الأمن القومي», a national security council, holds the name «مجلس الأمن» of the UN's."""
    adj, topics, origins = adjectives(), word_list("actors/topic_nouns"), word_list("actors/origin_words")
    topic = [i > 0 and words[i - 1] in topics for i in range(len(words))]
    origin = [i + 1 < len(words) and words[i + 1] in origins for i in range(len(words))]
    found = [adj[w] for i, w in enumerate(words) if w in adj and not topic[i] and not origin[i]]
    if found:
        return found[-1]
    common = word_list("actors/not_adjectives")
    for i in range(len(words)):
        if topic[i] or origin[i]:
            continue
        for n in range(min(MAX_PHRASE, len(words) - i), 0, -1):
            if n == 1 and words[i] in common:
                continue
            if head.start <= i and i + n <= head.stop and n < len(head):
                continue
            code = lookup(words[i : i + n], day)
            # one word places a phrase only as a state or place (the dictionary codes a few
            # common words with a sector: «منظمة» PAK CVL)
            if code is not None and code.country and (n > 1 or code.sector is None):
                return code.country
    return None


def compose(words: Sequence[str], day: int | None, body: bool = False) -> Code | None:
    """A phrase coded from its parts: the sector of its head (the first agent phrase, Arabic
    being head-first) and the state of an adjective or name in it («الحكومة اليمنية» → YEM GOV,
    «وزير خارجية روسيا» → RUS GOV). The name of a ``body`` with no state and an international
    adjective is an IGO's (a person's «الدولي» says he plays for his national team)."""
    sector, head = None, range(0)
    for i in range(len(words)):
        found = sector_at(words, i)
        if found:
            sector, head = found[0], range(i, i + found[1])
            break
    if (
        len(head) == 1
        and words[head.start] in word_list("actors/force_heads")
        and head.stop < len(words)
        and words[head.stop] in word_list("actors/police_forces")
    ):
        sector = "COP"  # «قوات الشرطة», «قوات الطوارئ»: forces of the police are police
    country = country_in(words, day, head)
    if sector is None:
        # no head of its own: the title of someone acting for a named body («مستشار البيت
        # الأبيض») takes the body's code
        inner = _named_inside(words, day)
        if inner is not None and inner.sector is not None:
            # a body the dictionary places in no state, named with a state's adjective, is that
            # state's («المتحدث باسم الهلال الأحمر السعودي»: the Saudi Red Crescent)
            return Code(country, inner.sector) if inner.country is None and country else inner
    if sector is None and country is None:
        return None
    if sector is not None and any(w in word_list("actors/former_words") for w in words):
        sector = "ELI"  # a former official
    if body and country is None and any(w in word_list("actors/igo_adjectives") for w in words):
        country = "IGO"
    if country == "IGO" and sector == "GOV":
        # ACTORS.md: an intergovernmental body and the officials acting for it are IGO with no
        # sector («الأمين العام للأمم المتحدة»); a body of its own kind keeps that (IGO/EDU, IGO/MIL)
        sector = None
    return Code(country, sector)


def _named_inside(words: Sequence[str], day: int | None) -> Code | None:
    """The code of the longest dictionary entry inside the words."""
    for n in range(min(MAX_PHRASE, len(words)), 0, -1):
        for i in range(len(words) - n + 1):
            code = lookup(words[i : i + n], day)
            if code is not None:
                return code
    return None


def known(word: str) -> bool:
    """A word the coding rules have an entry for."""
    return word in adjectives() or word in heads() or word in agents() or word in named()


def code_name(words: Sequence[str], day: int | None, body: bool = True) -> Code | None:
    """A name's code: the dictionary entry for the whole name, or for the name without the
    nationality adjectives that close it («حزب الله اللبناني»: the adjective's state where the
    entry has none), else the code composed from its words."""
    if not words:
        return None
    code = lookup(words, day)
    if code is not None:
        return code
    adj = adjectives()
    n = len(words)
    while n > 1 and words[n - 1] in adj:
        n -= 1
    if n < len(words):
        code = lookup(words[:n], day)
        if code is not None:
            return code if code.country else Code(adj[words[n]], code.sector, code.former)
    return compose(words, day, body=body)
