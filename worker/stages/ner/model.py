"""The shipped NER model: two CRFsuite linear-chain CRFs plus the word lists they use.

Files in worker/resources/ner/ (licence and citations in NOTICE.txt there): ``model.crfsuite.gz``
(first pass: sentence features), ``model2.crfsuite.gz`` (second pass: also how the same word was
tagged in neighbouring sentences), ``gazetteer.tsv.gz`` (folded word → entity type, a feature),
``lexicon.tsv.gz`` (word counts for clitic decisions), the outside word lists of ner_lexicons.py
(``wordfreq.tsv.gz``, ``person_names.tsv.gz``) and ``meta.json`` (how it was trained, its
held-out figures; its ``consistency_window``, when set, turns on the consistency pass of
consistency.py after a single-pass CRF). The CRFs are decompressed into memory; nothing is written
to disk at load time.
Rebuild them with ``khabar train-ner`` (worker/ner_training.py).
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Sequence
from importlib import resources
from itertools import islice
from pathlib import Path

import pycrfsuite

from worker.stages.ner import lexicons as ner_lexicons
from worker.stages.ner.crf import Crf
from worker.stages.ner.features import (
    FeatureExtractor,
    context_counts,
    document_features,
    stems_of,
)
from worker.stages.ner.scorer import KNOWN_WORDS, Scorer

MODEL_FILE = "model.crfsuite.gz"
MODEL2_FILE = "model2.crfsuite.gz"
# Sentences on each side whose first-pass tags feed the second pass (ANERcorp has no article
# boundaries, so training uses the same window over neighbouring sentences).
WINDOW = 10
GAZETTEER_FILE = "gazetteer.tsv.gz"
# word → the tags of its nearest labelled words in vector space (worker/training/neighbours.py)
NEIGHBOURS_FILE = "neighbours.tsv.gz"
LEXICON_FILE = "lexicon.tsv.gz"
META_FILE = "meta.json"


def bio_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Entity spans (start, end, type) of a BIO tag sequence under conlleval rules: an I- tag
    after O or after another type starts a new entity."""
    if tags.count("O") == len(tags):  # most sentences: none (a C-level count, not a loop)
        return []
    out = []
    start, typ = None, None
    end = -1  # after the last tag other than "O" seen
    # only the tags inside entities are visited: an "O" between two ends the first
    for i in [i for i, tag in enumerate(tags) if tag != "O"]:
        prefix, _, t = tags[i].partition("-")
        if start is not None and (i != end or prefix != "I" or t != typ):
            out.append((start, end, typ))
            start, typ = None, None
        if prefix == "B" or (prefix == "I" and start is None):
            start, typ = i, t
        end = i + 1
    if start is not None:
        out.append((start, end, typ))
    return out


def _read_tsv_gz(path: Path) -> list[tuple[str, str]]:
    if not path.is_file():
        return []
    rows = []
    for line in gzip.decompress(path.read_bytes()).decode("utf-8").splitlines():
        key, _, value = line.partition("\t")
        if value:
            rows.append((key, value))
    return rows


def default_model_dir() -> Path:
    return Path(str(resources.files("worker.resources") / "ner"))


# A word seen this often, and inside names in under a tenth of its uses, is "common": a clitic
# split may not leave it as the name ("بان" is not ب + "ان").
COMMON_MIN_COUNT = 20


def _read_lexicon(path: Path) -> dict[str, tuple[int, int]]:
    """Folded word → (times seen inside a name, times seen); see ner_training.build_lexicon."""
    out = {}
    if path.is_file():
        for line in gzip.decompress(path.read_bytes()).decode("utf-8").splitlines():
            word, in_names, seen = line.split("\t")
            out[word] = (int(in_names), int(seen))
    return out


class NerModel:
    """Tags sentences with BIO tags over PERS LOC ORG MISC in two passes: a CRF over sentence
    features, then (when the model has one) a second CRF that also sees how the same words were
    tagged by the first in the surrounding sentences of the document."""

    def __init__(
        self,
        tagger: pycrfsuite.Tagger,
        gazetteer: dict[str, str],
        meta: dict | None = None,
        lexicon: dict[str, tuple[int, int]] | None = None,
        tagger2: pycrfsuite.Tagger | None = None,
        lex: ner_lexicons.Lexicons | None = None,
        neighbours: dict[str, str] | None = None,
        crf: Crf | None = None,
    ):
        self._tagger = tagger
        self._tagger2 = tagger2
        self.gazetteer = gazetteer
        self.lex = lex or ner_lexicons.Lexicons()
        # each distinct word's own features are computed once per process, not once per token
        self._features = FeatureExtractor(gazetteer, self.lex, neighbours=neighbours)
        # The single pass scores tokens with the CRF's weights in numpy (scorer.py), not through
        # pycrfsuite (which the two-pass models still use). Built with the model, not on first
        # use: the stage freezes the loaded model out of the garbage collector's scans
        # (stage.get_tagger), and its tables are then frozen with it.
        if tagger2 is None and crf is None:
            raise ValueError("a single-pass model is tagged from its weights: give its Crf")
        # (the word list is read commonest first: ner_lexicons.read)
        known = islice(self.lex.freq, KNOWN_WORDS)
        self._scorer = Scorer(self._features, crf, known=known) if tagger2 is None else None
        # For clitic decisions (ner_clitics.py): how often a word is seen inside names, and the
        # frequent words that seldom are.
        lexicon = lexicon or {}
        self.names = {w: n for w, (n, _) in lexicon.items() if n}
        self.common = frozenset(w for w, (n, c) in lexicon.items() if c >= COMMON_MIN_COUNT and n * 10 < c)
        self.meta = meta or {}
        self.labels = tuple(tagger.labels())

    @staticmethod
    def _open(model: bytes) -> pycrfsuite.Tagger:
        tagger = pycrfsuite.Tagger()
        tagger.open_inmemory(model)
        return tagger

    @classmethod
    def from_bytes(
        cls,
        model: bytes,
        gazetteer: dict[str, str] | None = None,
        meta: dict | None = None,
        lexicon: dict[str, tuple[int, int]] | None = None,
        model2: bytes | None = None,
        lex: ner_lexicons.Lexicons | None = None,
        neighbours: dict[str, str] | None = None,
    ) -> NerModel:
        self = cls(
            cls._open(model),
            gazetteer or {},
            meta,
            lexicon,
            cls._open(model2) if model2 else None,
            lex,
            neighbours,
            None if model2 else Crf.read(model),
        )
        # CRFsuite reads a model from its buffer without copying it: the buffers must live as long
        # as the taggers (freeing them is a segmentation fault at the next tag()).
        self._buffers = (model, model2)
        return self

    @classmethod
    def load(cls, model_dir: str | os.PathLike | None = None) -> NerModel:
        d = Path(model_dir) if model_dir else default_model_dir()
        path = d / MODEL_FILE
        if not path.is_file():
            raise FileNotFoundError(f"NER model not found: {path} (rebuild it with `khabar train-ner`)")
        model = gzip.decompress(path.read_bytes())
        model2 = gzip.decompress((d / MODEL2_FILE).read_bytes()) if (d / MODEL2_FILE).is_file() else None
        gazetteer = dict(_read_tsv_gz(d / GAZETTEER_FILE))
        lexicon = _read_lexicon(d / LEXICON_FILE)
        meta_path = d / META_FILE
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        neighbours = dict(_read_tsv_gz(d / NEIGHBOURS_FILE))
        return cls.from_bytes(model, gazetteer, meta, lexicon, model2, ner_lexicons.read(d), neighbours)

    def first_pass(self, sentences: Sequence[Sequence[str]]) -> tuple[list, list[list[str]]]:
        feats = [self._features.sentence(toks) for toks in sentences]
        return feats, [self._tagger.tag(f) if f else [] for f in feats]

    def _single_pass(self, sentences: Sequence[Sequence[str]], marginals: bool):
        """The first pass and the consistency pass; the marginals are those of the final tags."""
        scores = self._scorer.document(sentences)
        tags = scores.tags()
        window = self.meta.get("consistency_window", 0)
        if window:
            from worker.stages.ner.consistency import propagate

            tags = propagate(sentences, tags, window=window, stems=scores.stems)
        return tags, (scores.entity_marginals(tags) if marginals else None)

    def _tag_document(self, sentences: Sequence[Sequence[str]], marginals: bool):
        if self._scorer is not None:
            return self._single_pass(sentences, marginals)
        feats, tags = self.first_pass(sentences)
        stems = [stems_of(toks) for toks in sentences]
        counts = [context_counts(st, ts) for st, ts in zip(stems, tags, strict=True)]
        out, probs = [], []
        for k, f in enumerate(feats):
            if not f:
                out.append([])
                probs.append([])
                continue
            window = counts[max(0, k - WINDOW) : k + WINDOW + 1]
            doc = document_features(stems[k], tags[k], window)
            ts = self._tagger2.tag([a + b for a, b in zip(f, doc, strict=True)])
            out.append(ts)
            if marginals:
                probs.append([self._tagger2.marginal(t, i) for i, t in enumerate(ts)])
        return out, (probs if marginals else None)

    def tag_document(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        """Tags of each sentence of one document (consecutive sentences, in order)."""
        return self._tag_document(sentences, False)[0]

    def tag_document_with_marginals(
        self, sentences: Sequence[Sequence[str]]
    ) -> tuple[list[list[str]], list[list[float | None]]]:
        """Tags and, for each token inside an entity, the model's marginal probability of its
        tag (None for a token tagged "O")."""
        return self._tag_document(sentences, True)

    def tag(self, tokens: Sequence[str]) -> list[str]:
        """Tags of one sentence seen on its own."""
        return self.tag_document([tokens])[0] if tokens else []
