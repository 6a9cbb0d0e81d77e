"""Reading the outside word lists that ``khabar train-ner`` folds into the shipped NER lexicons
(worker/stages/ner_lexicons.py). Training-time only: the tagger reads the folded copies.

- ``--word-freq``: wordfreq's Arabic list, ``wordfreq/data/large_ar.msgpack.gz`` inside the
  wordfreq wheel (Apache-2.0 code, CC BY-SA 4.0 data): a msgpack header then, for each centibel of
  frequency, the words at it.
- ``--person-names``: arabnamer's ``arabnamer/data/dict_FINAL.json`` inside the arabnamer wheel
  (CC BY 4.0 data): a JSON object whose values are Arabic names; a JSON list of names or a text
  file with one name per line is read too.

``scripts/fetch-ner-lexicons`` downloads both wheels from PyPI and unpacks these two files.

The letter model (``--transliterations``, worker/stages/ner/letters.py) is counted from Wikidata's
transliterated person names (``../shared/data/names/``, read by gazetteers.read_wikidata_names)
against the commonest words of the wordfreq list.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from collections.abc import Mapping

from worker.stages.ner.features import fold, strip_folded
from worker.stages.ner.letters import LetterModel

# Only Arabic-letter words are kept: the features look Arabic words up, and the list's Latin,
# digit and mixed entries would only cost memory.
_ARABIC_WORD = re.compile("[\u0621-\u064a]+")


def sha256(path: str | os.PathLike) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def read_wordfreq(path: str | os.PathLike) -> dict[str, int]:
    """Folded Arabic word → frequency in centibels (the commonest spelling wins on a fold clash)."""
    try:
        import msgpack
    except ImportError as exc:  # pragma: no cover - msgpack is a dependency
        raise RuntimeError("reading a wordfreq list needs the msgpack package") from exc
    with gzip.open(path, "rb") as fh:
        data = msgpack.unpackb(fh.read(), raw=False)
    if not data or not isinstance(data[0], dict) or data[0].get("format") != "cB":
        raise ValueError(f"{path}: not a wordfreq cB list (expected a header with format 'cB')")
    out: dict[str, int] = {}
    for cb, words in enumerate(data[1:]):
        for w in words:
            f = fold(w)
            if _ARABIC_WORD.fullmatch(f) and f not in out:
                out[f] = cb
    return out


def read_person_names(path: str | os.PathLike) -> frozenset[str]:
    """The folded Arabic words of the names in ``path`` (see the module docstring for formats)."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        names = text.splitlines()
    else:
        names = list(data.values()) if isinstance(data, dict) else list(data)
    out = set()
    for name in names:
        if not isinstance(name, str):
            continue
        for part in name.split():
            f = fold(part)
            if len(f) > 1 and _ARABIC_WORD.fullmatch(f):
                out.add(f)
    return frozenset(out)


# Common words the letter model's Arabic side is counted from: enough for every ordinary letter
# sequence, few enough that the list's rarer foreign names stay out.
COMMON_WORDS = 40_000


def letter_model(names: frozenset[str], freq: Mapping[str, int]) -> LetterModel:
    """Letter trigrams of the transliterated ``names`` (folded words) against those of the stems of
    the ``COMMON_WORDS`` commonest words of ``freq`` (read_wordfreq's) that are not among them."""
    common = [w for w, _ in sorted(freq.items(), key=lambda x: (x[1], x[0])) if w not in names and len(w) > 1]
    return LetterModel.build(sorted(names), [strip_folded(w) for w in common[:COMMON_WORDS]])
