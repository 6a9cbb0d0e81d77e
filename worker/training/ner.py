"""Training and evaluation of the shipped NER model (``khabar train-ner``, ``khabar quality ner``).

The model is two linear-chain CRFs (CRFsuite, L-BFGS with L1+L2; worker/stages/ner/model.py) over
the features of worker/stages/ner_features.py, trained on ANERcorp's train split: the first pass
over sentence features, the second also over how the first pass tagged the same word in the
neighbouring sentences. Gazetteer features and the second pass's inputs are computed on held-out
blocks (jackknife), so the model learns how far to trust them on unseen text. The last
``dev_fraction`` of the training sentences is held out for the reported figures; the shipped model
is then retrained on all of train.txt with the same settings. CRFsuite training is
deterministic: the same data and settings give the same model. test.txt is never read here.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import struct
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pycrfsuite

from worker.stages.ner import lexicons as ner_lexicons
from worker.stages.ner.features import (
    FeatureExtractor,
    context_counts,
    document_features,
    fold,
    stems_of,
    strip_folded,
)
from worker.stages.ner.lexicons import Lexicons
from worker.stages.ner.model import (
    GAZETTEER_FILE,
    LEXICON_FILE,
    META_FILE,
    MODEL2_FILE,
    MODEL_FILE,
    NEIGHBOURS_FILE,
    WINDOW,
    NerModel,
    bio_spans,
)
from worker.training.lexicon_sources import letter_model, read_person_names, read_wordfreq, sha256

ENTITY_TYPES = ("PERS", "LOC", "ORG", "MISC")
DEFAULT_PARAMS = {"c1": 0.01, "c2": 0.01, "max_iterations": 200, "feature.possible_transitions": True}

Sentence = tuple[list[str], list[str]]  # tokens, tags


def read_conll(path: str | os.PathLike, with_tags: bool = True) -> list[Sentence]:
    """Sentences of a CoNLL file: first column the token, last column the tag (when present);
    blank lines separate sentences."""
    sentences: list[Sentence] = []
    toks: list[str] = []
    tags: list[str] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            cols = line.split()
            if not cols:
                if toks:
                    sentences.append((toks, tags))
                    toks, tags = [], []
                continue
            toks.append(cols[0])
            tags.append(cols[-1] if with_tags and len(cols) > 1 else "O")
    if toks:
        sentences.append((toks, tags))
    return sentences


@dataclass
class Scores:
    per_type: dict[str, tuple[float, float, float, int]]  # P, R, F1, gold count
    overall: tuple[float, float, float, int]


def score(gold: Iterable[Sequence[str]], pred: Iterable[Sequence[str]]) -> Scores:
    tp: Counter = Counter()
    fp: Counter = Counter()
    fn: Counter = Counter()
    for g, p in zip(gold, pred, strict=True):
        gs, ps = set(bio_spans(g)), set(bio_spans(p))
        for s in gs & ps:
            tp[s[2]] += 1
        for s in ps - gs:
            fp[s[2]] += 1
        for s in gs - ps:
            fn[s[2]] += 1

    def prf(a: int, b: int, c: int) -> tuple[float, float, float, int]:
        p = a / (a + b) if a + b else 0.0
        r = a / (a + c) if a + c else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0), a + c

    per = {t: prf(tp[t], fp[t], fn[t]) for t in ENTITY_TYPES}
    return Scores(per, prf(sum(tp.values()), sum(fp.values()), sum(fn.values())))


def format_table(s: Scores, extra: dict[str, str] | None = None) -> str:
    lines = ["| type | precision | recall | F1 | gold |", "|---|---:|---:|---:|---:|"]
    for t, (p, r, f, n) in [*s.per_type.items(), ("**all**", s.overall)]:
        lines.append(f"| {t} | {p * 100:.1f} | {r * 100:.1f} | {f * 100:.1f} | {n} |")
    if extra:
        lines.append("")
        lines.extend(f"- {k}: {v}" for k, v in extra.items())
    return "\n".join(lines)


def build_gazetteer(
    sentences: Iterable[Sentence], min_count: int = 2, min_share: float = 0.6
) -> dict[str, str]:
    """Stems that are mostly tagged as one entity type in ``sentences``: folded, clitic-stripped
    word → type code. Only words seen at least ``min_count`` times as that type and tagged so in
    at least ``min_share`` of their occurrences."""
    typed: dict[str, Counter] = defaultdict(Counter)
    total: Counter = Counter()
    for toks, tags in sentences:
        for tok, tag in zip(toks, tags, strict=True):
            s = strip_folded(fold(tok))
            total[s] += 1
            if tag != "O":
                typed[s][tag[2:]] += 1
    gaz = {}
    for s, c in typed.items():
        t, k = c.most_common(1)[0]
        if k >= min_count and k / total[s] >= min_share and len(s) > 1:
            gaz[s] = t
    return gaz


def build_lexicon(
    sentences: Iterable[Sentence], name_files: Sequence[str | os.PathLike] = ()
) -> dict[str, tuple[int, int]]:
    """Folded word → (times seen inside an entity, times seen at all) over ``sentences``; each word
    of the names in CAMEO actor dictionaries (``name_files``, lines like "سيرجي_لافروف_") counts
    once more as a name. Used to decide whether the first letter of an entity is a clitic
    (worker/stages/ner_clitics.py)."""
    in_names: Counter = Counter()
    seen: Counter = Counter()
    for toks, tags in sentences:
        for tok, tag in zip(toks, tags, strict=True):
            w = fold(tok)
            seen[w] += 1
            if tag != "O":
                in_names[w] += 1
    for path in name_files:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if not line.strip() or line[0].isspace() or line.startswith("#"):
                    continue
                name = line.split("[", 1)[0].split("#", 1)[0].strip()
                in_names.update(fold(w) for w in name.split("_") if len(w) > 1)
    return {w: (in_names[w], seen[w]) for w in seen.keys() | in_names.keys()}


def blocks(n: int, folds: int) -> list[range]:
    """``folds`` contiguous blocks of range(n): held-out parts stay whole runs of sentences (whole
    articles, mostly), as unseen text is at tagging time."""
    edges = [n * k // folds for k in range(folds + 1)]
    return [range(edges[k], edges[k + 1]) for k in range(folds)]


class Near:
    """Word vectors (``khabar build-ner-vectors``) and the neighbour count for the
    nearest-labelled-word features (worker/training/neighbours.py)."""

    def __init__(self, path: str | os.PathLike, k: int = 20):
        from worker.training.clusters import read_vectors

        self.vocab, self.vec = read_vectors(path)
        self.k = k

    def table(
        self, labelled: Sequence[Sentence], texts: Sequence[Sequence[str]] | None = None
    ) -> dict[str, str]:
        """The table from the tags of ``labelled`` for the words of ``texts`` (every word with a
        vector when None), looked up as features.py does: the word, its stem, its clitic reading."""
        from worker.training.neighbours import neighbour_types, tag_shares

        words = None
        if texts is not None:
            words = set()
            for toks in texts:
                for tok in toks:
                    w = fold(tok)
                    words.update((w, strip_folded(w), strip_folded(w[1:])))
        return neighbour_types(self.vocab, self.vec, tag_shares(labelled), words, self.k)


def _tables(sentences: Sequence[Sentence], near: Near | None) -> dict:
    """The lookups a model trained on ``sentences`` ships beside its CRF."""
    return {"gazetteer": build_gazetteer(sentences), "neighbours": near.table(sentences) if near else {}}


def jackknife_features(
    sentences: Sequence[Sentence], folds: int, lex: Lexicons | None = None, near: Near | None = None
) -> list[list[list[str]]]:
    """Features for training with gazetteer lookups (and nearest-labelled-word tables) that never
    see their own block of sentences (each block's are built from the other blocks), so the model
    learns how far to trust them on unseen text."""
    feats: list = [None] * len(sentences)
    for part in blocks(len(sentences), folds):
        others = [s for i, s in enumerate(sentences) if i not in part]
        table = near.table(others, [sentences[i][0] for i in part]) if near else None
        extractor = FeatureExtractor(build_gazetteer(others), lex, neighbours=table)
        for i in part:
            feats[i] = extractor.sentence(sentences[i][0])
    return feats


def _train_bytes(feats: Sequence, tags: Sequence, params: dict | None) -> bytes:
    trainer = pycrfsuite.Trainer(verbose=False)
    for f, t in zip(feats, tags, strict=True):
        trainer.append(f, t)
    trainer.set_params({**DEFAULT_PARAMS, **(params or {})})
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.crfsuite")
        trainer.train(path)
        return Path(path).read_bytes()


# The header of a CRFsuite model file (crf1d_model.c): magic, size, type, version, four counts, five
# offsets; the feature chunk it points to is "FEAT", its size and count, then 20-byte features
# (type, source, destination, weight), state features of type 0 from attribute to label.
_CRF_HEADER = struct.Struct("<4sI4sIIIIIIIII")
_CRF_CHUNK = struct.Struct("<4sII")
_CRF_FEATURE = struct.Struct("<IIId")
BIAS_ATTRIBUTE = "b"  # the feature every token has (features.py)


def shift_label_bias(model: bytes, label: str, delta: float) -> bytes:
    """The CRF ``model`` with ``delta`` added to the weight of the always-on feature for ``label``.

    A negative shift for "O" makes the tagger call a word part of a name more readily: recall for
    precision, one number chosen on held-out sentences (``khabar train-ner --o-bias``). CRFsuite
    has no option for it, so the weight is changed in the model file itself."""
    if not delta:
        return model
    tagger = pycrfsuite.Tagger()
    tagger.open_inmemory(model)
    labels = list(tagger.labels())
    attribute = tagger.info().attributes.get(BIAS_ATTRIBUTE)
    magic, _, kind, *_, off_features, _, _, _, _ = _CRF_HEADER.unpack_from(model, 0)
    if magic != b"lCRF" or kind != b"FOMC" or label not in labels or attribute is None:
        raise ValueError(f"not a CRFsuite model with the label {label!r} and the feature {BIAS_ATTRIBUTE!r}")
    chunk, _, count = _CRF_CHUNK.unpack_from(model, off_features)
    if chunk != b"FEAT":
        raise ValueError("CRFsuite model without its feature chunk")
    wanted = (0, int(attribute), labels.index(label))
    out = bytearray(model)
    for k in range(count):
        at = off_features + _CRF_CHUNK.size + k * _CRF_FEATURE.size
        *key, weight = _CRF_FEATURE.unpack_from(model, at)
        if tuple(key) == wanted:
            _CRF_FEATURE.pack_into(out, at, *key, weight + delta)
            return bytes(out)
    raise ValueError(f"the CRF has no weight for {BIAS_ATTRIBUTE!r} → {label!r}")


# Training jobs run in forked worker processes that read the data from here (no pickling).
_JOB: dict = {}


def _job(spec: tuple[str, list[int], list[int]]) -> tuple[bytes, list[list[str]]]:
    key, train_idx, predict_idx = spec
    feats, tags, params = _JOB[key], _JOB["tags"], _JOB["params"]
    model = _train_bytes([feats[i] for i in train_idx], [tags[i] for i in train_idx], params)
    if not predict_idx:
        return model, []
    tagger = pycrfsuite.Tagger()
    tagger.open_inmemory(model)
    return model, [tagger.tag(feats[i]) for i in predict_idx]


def _run_jobs(specs: list, workers: int) -> list:
    if workers <= 1 or len(specs) == 1:
        return [_job(s) for s in specs]
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(min(workers, len(specs))) as pool:
        return pool.map(_job, specs, chunksize=1)


def train_crf(
    sentences: Sequence[Sentence],
    params: dict | None = None,
    folds: int = 4,
    two_pass: bool = True,
    workers: int = 2,
    lex: Lexicons | None = None,
    near: Near | None = None,
) -> dict:
    """Train the tagger: returns {"model", "model2" (or None), "gazetteer"}.

    The second pass is trained on first-pass tags that are themselves held out (each block tagged
    by a first-pass model trained on the other blocks), so it learns how reliable they are."""
    tags = [t for _, t in sentences]
    feats1 = jackknife_features(sentences, folds, lex, near)
    everything = list(range(len(sentences)))
    _JOB.clear()
    _JOB.update(f1=feats1, tags=tags, params=params)
    if not two_pass:
        ((model, _),) = _run_jobs([("f1", everything, [])], 1)
        return {"model": model, "model2": None, **_tables(sentences, near)}
    parts = blocks(len(sentences), folds)
    specs = [("f1", [i for i in everything if i not in set(p)], list(p)) for p in parts]
    first: list = [None] * len(sentences)
    for part, (_, preds) in zip(parts, _run_jobs(specs, workers), strict=True):
        for i, pr in zip(part, preds, strict=True):
            first[i] = pr
    stems = [stems_of(toks) for toks, _ in sentences]
    counts = [context_counts(st, p) for st, p in zip(stems, first, strict=True)]
    feats2 = []
    for k, f in enumerate(feats1):
        window = counts[max(0, k - WINDOW) : k + WINDOW + 1]
        doc = document_features(stems[k], first[k], window)
        feats2.append([a + b for a, b in zip(f, doc, strict=True)])
    _JOB["f2"] = feats2
    (model, _), (model2, _) = _run_jobs([("f1", everything, []), ("f2", everything, [])], workers)
    _JOB.clear()
    return {"model": model, "model2": model2, **_tables(sentences, near)}


def train_single_pass_together(
    sets: Sequence[Sequence[Sentence]],
    params: dict | None = None,
    folds: int = 4,
    workers: int = 2,
    lex: Lexicons | None = None,
    near: Near | None = None,
) -> list[dict]:
    """Single-pass taggers for several training sets at once, one worker process each (the
    held-out model and the final one train side by side instead of one after the other)."""
    feats: list = []
    tags: list = []
    specs = []
    for sentences in sets:
        start = len(feats)
        feats += jackknife_features(sentences, folds, lex, near)
        tags += [t for _, t in sentences]
        specs.append(("f1", list(range(start, len(feats))), []))
    _JOB.clear()
    _JOB.update(f1=feats, tags=tags, params=params)
    models = _run_jobs(specs, workers)
    _JOB.clear()
    return [
        {"model": model, "model2": None, **_tables(sentences, near)}
        for (model, _), sentences in zip(models, sets, strict=True)
    ]


def _write_gz(path: Path, data: bytes) -> None:
    # mtime=0 keeps the compressed file byte-identical across rebuilds of the same model.
    with open(path, "wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(data)


def _tsv(rows: dict) -> bytes:
    return "".join(f"{k}\t{v}\n" for k, v in sorted(rows.items())).encode("utf-8")


def save_model(out_dir: str | os.PathLike, trained: dict, lexicon: dict[str, int], meta: dict) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _write_gz(out / MODEL_FILE, trained["model"])
    if trained.get("model2"):
        _write_gz(out / MODEL2_FILE, trained["model2"])
    else:
        (out / MODEL2_FILE).unlink(missing_ok=True)
    gazetteer = trained["gazetteer"]
    _write_gz(out / GAZETTEER_FILE, _tsv(gazetteer))
    if trained.get("neighbours"):
        _write_gz(out / NEIGHBOURS_FILE, _tsv(trained["neighbours"]))
    else:
        (out / NEIGHBOURS_FILE).unlink(missing_ok=True)
    _write_gz(
        out / LEXICON_FILE,
        "".join(f"{w}\t{n}\t{c}\n" for w, (n, c) in sorted(lexicon.items())).encode("utf-8"),
    )
    (out / META_FILE).write_text(
        json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


def evaluate(model, sentences: Sequence[Sentence]) -> Scores:
    """Scores of ``model`` on consecutive gold ``sentences`` (tagged as one running document)."""
    return score([tags for _, tags in sentences], model.tag_document([toks for toks, _ in sentences]))


def error_kinds(gold: Iterable[Sequence[str]], pred: Iterable[Sequence[str]]) -> Counter:
    """Mention errors split by kind, each gold or predicted mention counted once:
    ``type`` (same words, another type), ``boundary`` (overlapping a mention of the other side
    with other words: it starts or stops in the wrong place; ``boundary+type`` when the type
    differs too), ``missed`` (a gold mention nothing overlaps) and ``spurious`` (a predicted
    mention that overlaps no gold one); ``correct`` counts exact matches."""
    out: Counter = Counter()
    for kinds in error_kinds_by_type(gold, pred).values():
        out.update(kinds)
    return out


def error_kinds_by_type(gold: Iterable[Sequence[str]], pred: Iterable[Sequence[str]]) -> dict[str, Counter]:
    """error_kinds for each entity type: a gold mention's error counts under its gold type, a
    spurious mention under its predicted type. Whether a type's misses are boundaries or types
    or names never found calls for different fixes (features of the words around a name, of
    the name itself, or outside knowledge)."""
    out: dict[str, Counter] = {t: Counter() for t in ENTITY_TYPES}
    for g, p in zip(gold, pred, strict=True):
        gs, ps = set(bio_spans(g)), set(bio_spans(p))
        exact = gs & ps
        for _, _, t in exact:
            out.setdefault(t, Counter())["correct"] += 1
        pos = {(a, b): t for a, b, t in ps}
        for a, b, t in gs - exact:
            kinds = out.setdefault(t, Counter())
            if (a, b) in pos:
                kinds["type"] += 1
                continue
            over = [x for x in ps if x[0] < b and a < x[1]]
            if not over:
                kinds["missed"] += 1
            elif any(x[2] == t for x in over):
                kinds["boundary"] += 1
            else:
                kinds["boundary+type"] += 1
        gpos = {(a, b) for a, b, _ in gs}
        for a, b, t in ps - exact:
            if (a, b) not in gpos and not any(x[0] < b and a < x[1] for x in gs):
                out.setdefault(t, Counter())["spurious"] += 1
    return out


def format_errors(e: Counter) -> str:
    return ", ".join(
        f"{k} {e[k]}" for k in ("correct", "type", "boundary", "boundary+type", "missed", "spurious")
    )


@dataclass
class Sources:
    """The outside data of a training run (all optional; see ``khabar train-ner --help``)."""

    word_freq: str | os.PathLike | None = None
    person_names: str | os.PathLike | None = None
    wikifane: str | os.PathLike | None = None
    clusters: str | os.PathLike | None = None
    name_list: str | os.PathLike | None = None
    wikidata_names: Sequence[str | os.PathLike] = ()
    wikifane_names: str | os.PathLike | None = None
    vectors: str | os.PathLike | None = None
    transliterations: Sequence[str | os.PathLike] = ()

    def files(self) -> list[str | os.PathLike]:
        files = (
            self.word_freq,
            self.person_names,
            self.wikifane,
            self.wikifane_names,
            self.clusters,
            self.name_list,
            self.vectors,
        )
        return list(dict.fromkeys([*(p for p in files if p), *self.wikidata_names, *self.transliterations]))

    def lexicons(self) -> Lexicons:
        from worker.training.gazetteers import read_arwikicats, read_wikidata_names
        from worker.training.wikifane import read_wikifane_names

        name_list = read_arwikicats(self.name_list) if self.name_list else {}
        if self.wikifane_names:
            # arwikicats' type stands where both list a name
            name_list = {**read_wikifane_names(self.wikifane_names), **name_list}
        freq = read_wordfreq(self.word_freq) if self.word_freq else {}
        letters = None
        if self.transliterations:
            if not freq:
                raise ValueError("the letter model (--transliterations) needs the word list of --word-freq")
            letters = letter_model(read_wikidata_names(self.transliterations), freq)
        return Lexicons.with_name_list(
            name_list,
            freq=freq,
            letters=letters,
            names=read_person_names(self.person_names) if self.person_names else frozenset(),
            clusters=ner_lexicons.read_clusters(self.clusters) if self.clusters else {},
            wd_names=read_wikidata_names(self.wikidata_names),
        )


def _with_o_bias(trained: dict, o_bias: float) -> dict:
    """The trained models with the O bias shifted in the last pass."""
    last = "model2" if trained.get("model2") else "model"
    return {**trained, last: shift_label_bias(trained[last], "O", o_bias)}


def _tagger_of(trained: dict, lex: Lexicons) -> NerModel:
    return NerModel.from_bytes(
        trained["model"],
        trained["gazetteer"],
        model2=trained["model2"],
        lex=lex,
        neighbours=trained["neighbours"],
    )


def _count(sentences: Sequence[Sentence], extra: Sequence[Sentence]) -> str:
    return f"{len(sentences)} sentences" + (f" + {len(extra)} WikiFANE sentences" if extra else "")


def train_and_report(
    train_path: str | os.PathLike,
    out_dir: str | os.PathLike | None,
    dev_fraction: float = 0.1,
    params: dict | None = None,
    folds: int = 4,
    two_pass: bool = True,
    name_files: Sequence[str | os.PathLike] = (),
    sources: Sources | None = None,
    dev_block: int | None = None,
    o_bias: float = 0.0,
    consistency_window: int = 0,
    echo=print,
) -> dict:
    """Hold out the last ``dev_fraction`` of train (or block number ``dev_block`` of that size),
    train on the rest plus the extra WikiFANE sentences and report dev figures; then retrain on
    everything with the same settings and write the model to ``out_dir`` (no final model when
    ``out_dir`` is None). ``o_bias`` is added to the last CRF's bias weight of "O" (shift_label_bias)
    in the held-out and the final model alike. ``consistency_window`` > 0: the tagger then tags a
    name it found again where it stands untagged within that many sentences
    (worker/stages/ner/consistency.py); recorded in meta.json, which the tagger reads."""
    sentences = read_conll(train_path)
    sources = sources or Sources()
    lex = sources.lexicons()
    near = Near(sources.vectors) if sources.vectors else None
    extra: list[Sentence] = []
    if sources.wikifane:
        from worker.training.wikifane import read_wikifane

        extra = read_wikifane(sources.wikifane)
    echo(
        f"outside data: {len(lex.freq)} word frequencies, {len(lex.names)} name parts, "
        f"{len(lex.clusters)} clustered words, {len(lex.name_list)} listed names, "
        f"{len(lex.wd_names)} Wikidata name parts, {len(extra)} WikiFANE sentences"
    )
    n_dev = int(len(sentences) * dev_fraction)
    final = None
    result: dict = {
        "train_sentences": len(sentences),
        "extra_train_sentences": len(extra),
        "params": {**DEFAULT_PARAMS, **(params or {})},
        "folds": folds,
        "two_pass": two_pass,
        "window": WINDOW,
        "o_bias": o_bias,
        "consistency_window": consistency_window,
    }
    if n_dev:
        if dev_block is None:
            dev_range = range(len(sentences) - n_dev, len(sentences))
        else:
            dev_range = range(dev_block * n_dev, (dev_block + 1) * n_dev)
        dev = [sentences[i] for i in dev_range]
        fit = [s for i, s in enumerate(sentences) if i not in dev_range]
        # Each training run takes minutes on a real corpus: say what is running before it starts.
        held = (
            f"the last {len(dev)}"
            if dev_block is None
            else f"sentences {dev_range.start}–{dev_range.stop - 1}"
        )
        echo(f"training on {_count(fit, extra)}, holding out {held} …")
        t0 = time.perf_counter()
        if not two_pass and out_dir is not None:
            # the final model trains beside the held-out one
            echo(f"training the final model on all {_count(sentences, extra)} …")
            trained, final = train_single_pass_together(
                [fit + extra, sentences + extra], params, folds, lex=lex, near=near
            )
        else:
            trained = train_crf(fit + extra, params, folds, two_pass, lex=lex, near=near)
        echo(
            f"trained on {len(fit)} + {len(extra)} sentences in {time.perf_counter() - t0:.0f}s; "
            f"held out sentences {dev_range.start}–{dev_range.stop - 1}:"
        )
        if o_bias:
            plain = _tagger_of(trained, lex)
            s0 = score([tags for _, tags in dev], plain.tag_document([toks for toks, _ in dev]))
            echo(
                f"without the O bias shift: F1 {s0.overall[2] * 100:.1f} (P {s0.overall[0] * 100:.1f}, R {s0.overall[1] * 100:.1f}); with it ({o_bias:+g}):"
            )
            trained = _with_o_bias(trained, o_bias)
        model = _tagger_of(trained, lex)
        pred = model.tag_document([toks for toks, _ in dev])
        if consistency_window:
            s0 = score([tags for _, tags in dev], pred)
            echo(
                f"without the consistency pass: F1 {s0.overall[2] * 100:.1f} (P {s0.overall[0] * 100:.1f}, "
                f"R {s0.overall[1] * 100:.1f}); with it (window {consistency_window}):"
            )
            model.meta["consistency_window"] = consistency_window
            pred = model.tag_document([toks for toks, _ in dev])
        s = score([tags for _, tags in dev], pred)
        echo(format_table(s))
        by_type = error_kinds_by_type([tags for _, tags in dev], pred)
        echo("errors: " + format_errors(sum(by_type.values(), Counter())))
        for t, kinds in by_type.items():
            echo(f"  {t}: " + format_errors(kinds))
        result["dev_sentences"] = len(dev)
        result["dev_f1"] = round(s.overall[2], 4)
        result["dev_per_type_f1"] = {t: round(v[2], 4) for t, v in s.per_type.items()}
    if out_dir is None:
        return result
    if final is None:
        echo(f"training the final model on all {_count(sentences, extra)} …")
        t0 = time.perf_counter()
        final = train_crf(sentences + extra, params, folds, two_pass, lex=lex, near=near)
        echo(
            f"final model trained on all {len(sentences)} + {len(extra)} sentences in {time.perf_counter() - t0:.0f}s"
        )
    trained = _with_o_bias(final, o_bias)
    meta = {
        "model": "two-pass linear-chain CRF (CRFsuite)" if two_pass else "linear-chain CRF (CRFsuite)",
        "trained_on": Path(train_path).name,
        "extra_trained_on": Path(sources.wikifane).name if sources.wikifane else None,
        "name_lexicons": [Path(p).name for p in name_files],
        "outside_lexicons_sha256": {Path(p).name: sha256(p) for p in sources.files()},
        **result,
    }
    save_model(out_dir, trained, build_lexicon(sentences + extra, name_files), meta)
    ner_lexicons.write(out_dir, lex)
    if sources.clusters:
        target = Path(out_dir) / ner_lexicons.CLUSTERS_FILE
        if not target.exists() or not target.samefile(sources.clusters):
            shutil.copyfile(sources.clusters, target)
    else:
        (Path(out_dir) / ner_lexicons.CLUSTERS_FILE).unlink(missing_ok=True)
    echo(f"wrote {out_dir}")
    return result
