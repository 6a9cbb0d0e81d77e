"""Word knowledge from outside ANERcorp that the NER features use (see ner_features.py).

Most of the tagger's misses are names it never saw in training. Two shipped lists tell it about
such words: how common each word is in general Arabic text (``wordfreq.tsv.gz``, from the wordfreq
project's Arabic list) and which words are parts of personal names (``person_names.tsv.gz``, from
arabnamer's name dictionary). A word that is rare, never takes the article or a possessive suffix
in general text, or is a listed name part, is likely a name. Both files are built by ``khabar
train-ner`` (worker/ner_lexicon_sources.py); licences and citations are in NOTICE.txt beside them.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from pathlib import Path

WORDFREQ_FILE = "wordfreq.tsv.gz"
NAMES_FILE = "person_names.tsv.gz"


@dataclass(frozen=True)
class Lexicons:
    # folded word → frequency in centibels below one per word (0 is the commonest; 100 is ten
    # times rarer); a word absent from the list is rarer than any listed one.
    freq: dict[str, int] = field(default_factory=dict)
    names: frozenset[str] = frozenset()

    def zipf_bucket(self, word: str) -> str:
        """The word's Zipf frequency (log10 per billion words) in half steps, or "none"."""
        cb = self.freq.get(word)
        if cb is None:
            return "none"
        zipf = 9 - (cb + 1) / 100
        return str(int(zipf * 2) / 2) if zipf >= 1 else "0"


def write(out_dir: str | Path, lex: Lexicons) -> None:
    """Write the lists as gzipped text, byte-identical for the same content."""
    by_cb: dict[int, list[str]] = {}
    for w, cb in lex.freq.items():
        by_cb.setdefault(cb, []).append(w)
    # One line per frequency ("cB<TAB>word word …"): loads an order of magnitude faster than a
    # line per word.
    freq_text = "".join(f"{cb}\t{' '.join(sorted(ws))}\n" for cb, ws in sorted(by_cb.items()))
    names_text = "".join(f"{n}\n" for n in sorted(lex.names))
    out = Path(out_dir)
    for name, text in ((WORDFREQ_FILE, freq_text), (NAMES_FILE, names_text)):
        with (
            open(out / name, "wb") as fh,
            gzip.GzipFile(fileobj=fh, mode="wb", compresslevel=9, mtime=0) as gz,
        ):
            gz.write(text.encode("utf-8"))


def read(model_dir: str | Path) -> Lexicons:
    """The lists saved beside a model; empty where a file is absent (a model trained without them)."""
    d = Path(model_dir)
    freq: dict[str, int] = {}
    if (d / WORDFREQ_FILE).is_file():
        for line in gzip.decompress((d / WORDFREQ_FILE).read_bytes()).decode("utf-8").splitlines():
            cb, _, words = line.partition("\t")
            freq.update(dict.fromkeys(words.split(), int(cb)))
    names: frozenset[str] = frozenset()
    if (d / NAMES_FILE).is_file():
        names = frozenset(gzip.decompress((d / NAMES_FILE).read_bytes()).decode("utf-8").split())
    return Lexicons(freq, names)
