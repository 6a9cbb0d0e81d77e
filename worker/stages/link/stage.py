"""Stage: canonical entities across spellings within one article.

What it does to ``doc.mentions`` (from the NER stage):

1. corrects the tagger's spans (spans.py): a span that runs into a verb or opens with a generic
   plural, a person's name that runs into a common word (the NER's word-frequency list: "شومر
   معارضته") or is cut one word short;
2. recovers names the tagger truncated or missed: institutions ("وزارة الخارجية الأميركية") and
   Latin names (institutions.py) and persons after a title (titles.py), which override the tagger;
   a place after a place label ("قضاء البعاج", "بريف حمص"), an organisation after an
   organisation label ("تنظيم داعش"), the names of a small gazetteer
   (worker/lang/ar/names/gazetteer.tsv: states, capitals and well-known organisations)
   (labels.py), every other occurrence in the article of a name tagged once (propagate.py),
   and an organisation named again by its head noun ("التحالف" for "التحالف العربي",
   references.py);
3. drops what is not a name: nationality adjectives on their own, common nouns the tagger took
   for names ("المدينة", "ميليشيا", a "person" of common words only: "بمواجهة السياسات"); and, in
   its sentence (in_context.py), an adjective tagged after the noun it qualifies ("الدول
   [العربية]"), a currency after a number ("مليار [ريال]") and the namesake of a place ("مطار
   الملك [عبدالعزيز]");
4. gives each entity one canonical (canonical.py): the fullest form the article uses ("لافروف" →
   "سيرغي لافروف"), without labels ("شبكة NBC News" → "NBC News", "تنظيم داعش" → "داعش", "محافظة
   عدن" → "عدن"), a capital used for its government ("واشنطن تضيف …") → the state when the article
   names the state and never uses the capital as a place; one type per entity (the majority).

Every mention says where it comes from in ``Mention.origin`` ("ner", "rule", "label",
"gazetteer", "propagated"); the tagger's ``score`` is kept.
"""

from __future__ import annotations

import dataclasses

from worker.lang.ar.normalise import normalise
from worker.stages.config import DEFAULT, StageConfig
from worker.stages.document import ENTITY_TYPES, Document, Mention, evolve
from worker.stages.link.canonical import canonical_names, clean, majority_types
from worker.stages.link.common import sentence_of
from worker.stages.link.in_context import without_adjectives, without_namesakes, without_sums
from worker.stages.link.institutions import institution_mentions, latin_names
from worker.stages.link.labels import label_mentions
from worker.stages.link.propagate import by_rule_weight, override, propagate, resolve_overlaps
from worker.stages.link.references import with_references
from worker.stages.link.spans import extend_persons, trim_at_verbs
from worker.stages.link.titles import title_names


def _rule_mentions(doc: Document, ner: list[Mention]) -> list[Mention]:
    """Institutions, persons after a title and Latin names, one per span (an institution first)."""
    rules = institution_mentions(doc) + title_names(doc, ner) + latin_names(doc)
    return resolve_overlaps(rules, by_rule_weight)


def link(doc: Document, config: StageConfig = DEFAULT) -> Document:
    ner = [m for m in doc.mentions if m.type in ENTITY_TYPES]
    ner = extend_persons(doc, trim_at_verbs(doc, ner))
    ner = override(ner, trim_at_verbs(doc, _rule_mentions(doc, ner)))
    mentions = without_sums(doc, clean(resolve_overlaps(ner + label_mentions(doc))))
    mentions = without_namesakes(doc, mentions)
    mentions = clean(resolve_overlaps(mentions + propagate(doc, mentions)), persons=True)
    # propagation may copy a name onto such a word
    mentions = without_namesakes(doc, without_sums(doc, mentions))
    mentions = with_references(doc, mentions)

    canonical = canonical_names(doc, mentions)
    types = majority_types(mentions, canonical)
    out = []
    for m in mentions:
        c = canonical[normalise(m.canonical)]
        typ, si = types[c], sentence_of(doc, m.start)
        if (c, typ, si) != (m.canonical, m.type, m.sentence):  # a copy only where one is needed
            m = evolve(m, canonical=c, type=typ, sentence=si)
        out.append(m)
    out = without_adjectives(doc, out)
    return dataclasses.replace(doc, mentions=tuple(out), stages=(*doc.stages, "link"))
