"""NER commands: ``tag``, ``train-ner``, ``bench ner`` and ``quality ner``.

They share the tagger of the ``ner`` stage (worker.stages.ner.stage.get_tagger), so what they measure is
what the pipeline runs. Heavy imports stay inside the commands to keep ``khabar --help`` quick.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from pathlib import Path

import click

from worker.commands.readme import update_section
from worker.settings import get_settings


def _backend_option(f):
    return click.option(
        "--backend",
        type=click.Choice(["shipped", "camel"]),
        default=None,
        help="NER backend (default: KHABAR_NER_BACKEND, else the shipped model).",
    )(f)


def _config(backend: str | None):
    """The stage config of the settings, with ``backend`` (a --backend option) when given."""
    import dataclasses

    config = get_settings().stage_config()
    return dataclasses.replace(config, ner_backend=backend) if backend else config


def _tagger(backend: str | None):
    from worker.stages.ner.stage import get_tagger

    try:
        return get_tagger(_config(backend))
    except (FileNotFoundError, RuntimeError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc


def read_conll_tokens(lines) -> list[list[str]]:
    """Sentences of tokens from CoNLL lines (first column; blank lines between sentences)."""
    sentences: list[list[str]] = [[]]
    for line in lines:
        cols = line.split()
        if cols:
            sentences[-1].append(cols[0])
        elif sentences[-1]:
            sentences.append([])
    return [s for s in sentences if s]


def rss_mb() -> float:
    """Resident set size of this process now, in MB (from /proc; the peak where /proc is missing)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@click.command("tag")
@click.option(
    "--conll", "conll", is_flag=True, help="Input is CoNLL: one token per line, blank line between sentences."
)
@click.argument("input", type=click.File("r", encoding="utf-8"), default="-")
@click.option(
    "-o",
    "--output",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="Where to write (default stdout).",
)
@_backend_option
def tag(conll: bool, input, output, backend: str | None) -> None:
    """Tag named entities (PERS LOC ORG MISC) in INPUT (a file, or stdin).

    With --conll, reads one token per line (the first whitespace-separated column; other columns
    such as gold tags are ignored) with a blank line between sentences, and writes
    `token<TAB>TAG` in BIO with the same tokens and blank lines. Without it, reads plain Arabic text
    and writes the mentions as JSON lines (text, type, start, end, canonical, sentence, score).
    """
    tagger = _tagger(backend)
    if conll:
        # Sentences are tagged as one running document (the second pass looks at neighbours);
        # blank lines are written back exactly where they were.
        lines = input.read().splitlines()
        sentences = read_conll_tokens(lines)
        tags = iter(tagger.tag_document(sentences))
        current = iter(())
        for line in lines:
            cols = line.split()
            if not cols:
                output.write("\n")
                continue
            tag_ = next(current, None)
            if tag_ is None:
                current = iter(next(tags))
                tag_ = next(current)
            output.write(f"{cols[0]}\t{tag_}\n")
        return

    from worker.stages.document import Document
    from worker.stages.ner.stage import ner
    from worker.stages.text.segment import segment

    config = _config(backend)
    doc = ner(segment(Document.from_article("stdin", None, input.read()), config), config)
    for m in doc.mentions:
        output.write(json.dumps(dataclasses.asdict(m), ensure_ascii=False) + "\n")


@click.command("train-ner")
@click.option(
    "--train",
    "train_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="ANERcorp-style CoNLL training file (e.g. ../shared/data/anercorp/train.txt).",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder to write the model to (the shipped one is worker/resources/ner).",
)
@click.option(
    "--names",
    "name_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="CAMEO actor dictionary (e.g. ../shared/data/cameo_ar/actor_dict_ar_v4.txt) whose names join the clitic lexicon; repeatable.",
)
@click.option(
    "--word-freq",
    type=click.Path(exists=True, dir_okay=False),
    help="wordfreq's Arabic frequency list (large_ar.msgpack.gz from the wordfreq wheel; "
    "scripts/fetch-ner-lexicons gets it). Without it the frequency features are blank.",
)
@click.option(
    "--person-names",
    type=click.Path(exists=True, dir_okay=False),
    help="Personal names in Arabic script (arabnamer's dict_FINAL.json, a JSON list, or one name "
    "per line; scripts/fetch-ner-lexicons gets arabnamer's). Without it the name features are blank.",
)
@click.option(
    "--wikifane",
    type=click.Path(exists=True, dir_okay=False),
    help="WikiFANE Gold (../shared/data/wikifane/wikifane_gold.txt.gz): extra training sentences, "
    "clitics reattached and classes mapped to PERS/LOC/ORG/MISC (never held out).",
)
@click.option(
    "--wikifane-names",
    type=click.Path(exists=True, dir_okay=False),
    help="WikiFANE Gold again, as a name list: its annotated people, places and organisations "
    "join the --name-list lookups.",
)
@click.option(
    "--clusters",
    type=click.Path(exists=True, dir_okay=False),
    help="Word clusters made by `khabar build-ner-clusters` (worker/resources/ner/clusters.tsv.gz); "
    "copied beside the model.",
)
@click.option(
    "--vectors",
    type=click.Path(exists=True, dir_okay=False),
    help="Word vectors from `khabar build-ner-vectors`: each word's nearest words "
    "seen in training lend it their tags as features (neighbours.tsv.gz beside the model).",
)
@click.option(
    "--name-list",
    type=click.Path(exists=True, dir_okay=False),
    help="The arwikicats wheel (scripts/fetch-ner-lexicons gets it): names of places, clubs and "
    "people looked up as phrases.",
)
@click.option(
    "--wikidata-names",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Wikidata person-name transliterations (../shared/data/names/wd_arabic_*.gz); repeatable.",
)
@click.option(
    "--transliterations",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="The same transliterations (../shared/data/names/wd_arabic_80.gz) as a letter model: a word "
    "whose letters read like theirs more than like common words' is likely a foreign name "
    "(letters.tsv.gz beside the model; needs --word-freq); repeatable.",
)
@click.option(
    "--dev-fraction",
    default=0.1,
    show_default=True,
    help="Share of training sentences (the last ones) held out for the reported figures; 0 skips the held-out run.",
)
@click.option(
    "--dev-block",
    type=int,
    default=None,
    help="Hold out block number N of that size instead of the last one (0 is the first).",
)
@click.option(
    "--iterations", type=int, default=None, help="L-BFGS iterations (default 200; fewer while exploring)."
)
@click.option(
    "--o-bias",
    type=float,
    default=0.0,
    show_default=True,
    help="Added to the CRF's bias weight of the tag O: below 0 the tagger finds more names (recall "
    "for precision). Choose it on held-out blocks (--held-out-only --dev-block N), never on test.",
)
@click.option(
    "--consistency-window",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="After tagging, tag a name found in one sentence again where it stands untagged within "
    "this many sentences (0: off); recorded in meta.json. The shipped model uses 10.",
)
@click.option(
    "--held-out-only", is_flag=True, help="Print the held-out figures and stop (no final model is written)."
)
@click.option(
    "--single-pass", is_flag=True, help="Train only the first-pass CRF (faster, a little less accurate)."
)
def train_ner(
    train_path: str,
    out_dir: str,
    name_files: tuple[str, ...],
    word_freq: str | None,
    person_names: str | None,
    wikifane: str | None,
    wikifane_names: str | None,
    clusters: str | None,
    name_list: str | None,
    wikidata_names: tuple[str, ...],
    transliterations: tuple[str, ...],
    vectors: str | None,
    dev_fraction: float,
    dev_block: int | None,
    iterations: int | None,
    o_bias: float,
    consistency_window: int,
    held_out_only: bool,
    single_pass: bool,
) -> None:
    """Rebuild the shipped NER model from TRAIN and print held-out figures.

    Trains on the first (1 - dev-fraction) of the sentences (plus WikiFANE's) and prints per-type
    precision, recall, F1 and the kinds of mention errors on the held-out rest; then trains on all
    of TRAIN with the same (seeded) settings and writes the model. Never give it the test split.
    The shipped model was built with:

      scripts/fetch-ner-lexicons /tmp/lexicons

      khabar build-ner-clusters ../shared/data/arwiki/arwiki_2017_clean.txt.gz
      --out worker/resources/ner/clusters.tsv.gz

      khabar train-ner --train ../shared/data/anercorp/train.txt --out worker/resources/ner --single-pass
      --names ../shared/data/cameo_ar/actor_dict_ar_v4.txt
      --word-freq /tmp/lexicons/large_ar.msgpack.gz
      --person-names /tmp/lexicons/dict_FINAL.json
      --clusters worker/resources/ner/clusters.tsv.gz
      --name-list /tmp/lexicons/arwikicats-0.2.3-py3-none-any.whl
      --wikifane-names ../shared/data/wikifane/wikifane_gold.txt.gz
      --consistency-window 10

    Measured and left out of the shipped model (see DEVELOPERS.md): --wikifane (WikiFANE as
    training sentences), --wikidata-names, --vectors and --transliterations; self-training on
    arwiki and WikiFANE's organisation sentences with domain-doubled features
    (scripts/ner-extra-sentences).
    """
    from worker.training.ner import Sources, train_and_report

    try:
        train_and_report(
            train_path,
            None if held_out_only else out_dir,
            dev_fraction=dev_fraction,
            params={"max_iterations": iterations} if iterations else None,
            two_pass=not single_pass,
            name_files=name_files,
            sources=Sources(
                word_freq,
                person_names,
                wikifane,
                clusters,
                name_list,
                wikidata_names,
                wikifane_names,
                vectors,
                transliterations,
            ),
            dev_block=dev_block,
            o_bias=o_bias,
            consistency_window=consistency_window,
            echo=click.echo,
        )
    except (ValueError, RuntimeError, OSError) as exc:  # an input in the wrong format
        raise click.ClickException(str(exc)) from exc


@click.command("build-ner-vectors")
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False), help="Where to write the vectors (not shipped)."
)
@click.option(
    "--min-count", default=5, show_default=True, help="Give a vector to the words seen this often or more."
)
@click.option("--window", default=5, show_default=True, help="Context words this far away on either side.")
@click.option("--contexts", default=10000, show_default=True, help="The commonest words used as contexts …")
@click.option(
    "--skip", default=100, show_default=True, help="… but for the commonest of them (function words)."
)
@click.option("--dims", default=100, show_default=True, help="Dimensions of the vectors.")
def build_ner_vectors(
    corpus: str, out: str, min_count: int, window: int, contexts: int, skip: int, dims: int
) -> None:
    """Word vectors of CORPUS (e.g. ../shared/data/arwiki/arwiki_2017_clean.txt.gz) from the words
    around each word, for `khabar train-ner --vectors`: each word's nearest words seen in training
    lend it their tags as features. Deterministic (one thread, fixed seeds); prints the sha256.
    Training reads the file; the model ships only the table it derives (neighbours.tsv.gz).
    """
    from worker.training.clusters import corpus_lines, word_vectors, write_vectors

    click.echo(f"reading {corpus} …")
    kw = {"min_count": min_count, "contexts": contexts, "dims": dims, "window": window, "skip": skip}
    vocab, vec = word_vectors(corpus_lines(corpus), echo=click.echo, **kw)
    click.echo(f"wrote {out}: {len(vocab):,} words, sha256 {write_vectors(out, vocab, vec)}")


@click.command("build-ner-clusters")
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False),
    help="Where to write the clusters (the shipped file is worker/resources/ner/clusters.tsv.gz).",
)
@click.option("--min-count", default=5, show_default=True, help="Cluster the words seen this often or more.")
@click.option(
    "--levels",
    default="64,256,1024",
    show_default=True,
    help="Numbers of clusters, comma-separated; the coarser levels join the finest one's clusters.",
)
@click.option("--dims", default=100, show_default=True, help="Dimensions of the word vectors clustered.")
def build_ner_clusters(corpus: str, out: str, min_count: int, levels: str, dims: int) -> None:
    """Cluster the words of CORPUS (plain text or .gz, e.g. ../shared/data/arwiki/arwiki_2017_clean.txt.gz)
    by the words around them, for the NER features; deterministic (one thread, fixed seeds).

    Prints the sha256 of the file written; give the file to `khabar train-ner --clusters`.
    The shipped clusters come from `khabar build-ner-clusters
    ../shared/data/arwiki/arwiki_2017_clean.txt.gz --out worker/resources/ner/clusters.tsv.gz`
    (about ten minutes on one core).
    """
    from worker.training.clusters import build_clusters, corpus_lines, write_clusters

    try:
        ks = tuple(int(k) for k in levels.split(","))
    except ValueError as exc:
        raise click.ClickException(f"--levels: expected numbers separated by commas, got {levels!r}") from exc
    # Reading and folding the corpus takes a minute before the first figures: say so first.
    click.echo(f"reading {corpus} …")
    clusters = build_clusters(
        corpus_lines(corpus), min_count=min_count, dims=dims, levels=ks, echo=click.echo
    )
    if not clusters:
        raise click.ClickException(f"{corpus}: no word is seen {min_count} times or more")
    digest = write_clusters(out, clusters)
    click.echo(f"wrote {out}: {len(clusters):,} words, sha256 {digest}")


def _speed(tagger, sentences: list[list[str]], min_seconds: float = 1.0) -> tuple[float, float]:
    """Tokens per second of ``tagger.tag_document`` over ``sentences``: the first pass alone (every
    word new to the tagger's word cache) and all passes, repeated for at least ``min_seconds``
    (once when 0)."""
    n_tokens = sum(len(s) for s in sentences)
    done, t0 = 0, time.perf_counter()
    first = None
    while True:
        tagger.tag_document(sentences)
        done += n_tokens
        elapsed = time.perf_counter() - t0
        first = first or done / elapsed
        if elapsed >= min_seconds:
            return first, done / elapsed


@click.group("bench")
def bench() -> None:
    """Benchmarks (figures printed, nothing asserted)."""


@bench.command("ner")
@click.option(
    "--conll",
    "conll_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="CoNLL file whose tokens are tagged (e.g. ../shared/data/anercorp/test.txt).",
)
@click.option(
    "--seconds", default=3.0, show_default=True, help="Tag the file repeatedly for at least this long."
)
@_backend_option
@click.option(
    "--with-camel", is_flag=True, help="Also measure the camel-tools BERT backend (needs CAMELTOOLS_DATA)."
)
def bench_ner(conll_path: str, seconds: float, backend: str | None, with_camel: bool) -> None:
    """Tokens/s of the NER tagger in one process, and the process RSS after loading it."""
    with open(conll_path, encoding="utf-8") as fh:
        sentences = read_conll_tokens(fh)
    backends = [backend] + (["camel"] if with_camel and backend != "camel" else [])
    n_tokens = sum(len(s) for s in sentences)
    for name in backends:
        before = rss_mb()
        click.echo(
            f"ner[{name or get_settings().ner_backend}]: loading, then tagging for {seconds:g}s …", err=True
        )
        t0 = time.perf_counter()
        try:
            tagger = _tagger(name)
        except click.ClickException as exc:
            if name != "camel" or backend == "camel":
                raise
            click.echo(f"ner[camel]: skipped ({exc.message})")
            continue
        load_s = time.perf_counter() - t0
        after = rss_mb()
        first, tps = _speed(tagger, sentences, seconds if name != "camel" else 0.0)
        label = name or get_settings().ner_backend
        click.echo(
            f"ner[{label}]: {tps:,.0f} tokens/s (one process, {n_tokens:,} tokens, {len(sentences):,} sentences; "
            f"first pass {first:,.0f} tokens/s, every word new to the word cache); "
            f"load {load_s:.2f}s; RSS {after:.0f} MB after loading ({after - before:+.0f} MB for the model)"
        )


@click.group("quality")
def quality() -> None:
    """Quality figures against gold data."""


def quality_table(test_path: str, backend: str | None = None) -> tuple[str, dict]:
    from worker.training.ner import format_table, read_conll, score

    tagger = _tagger(backend)
    gold = read_conll(test_path)
    t0 = time.perf_counter()
    pred = tagger.tag_document([toks for toks, _ in gold])
    tps = sum(len(t) for t, _ in gold) / (time.perf_counter() - t0)
    s = score([tags for _, tags in gold], pred)
    meta = getattr(tagger, "meta", {}) or {}
    extra = {
        "test file": Path(test_path).name,
        "speed": f"{tps:,.0f} tokens/s (one process)",
        "RSS after loading": f"{rss_mb():.0f} MB",
    }
    if "dev_f1" in meta:
        extra["held-out dev F1 (last 10% of train)"] = f"{meta['dev_f1'] * 100:.1f}"
    figures = {
        "f1": round(s.overall[2], 4),
        "precision": round(s.overall[0], 4),
        "recall": round(s.overall[1], 4),
        "per_type_f1": {t: round(v[2], 4) for t, v in s.per_type.items()},
        "tokens_per_second": round(tps),
    }
    return format_table(s, extra), figures


@quality.command("ner")
@click.option(
    "--test",
    "test_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Gold CoNLL file (ANERcorp test split: ../shared/data/anercorp/test.txt).",
)
@click.option(
    "--update-readme",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Replace the text between <!-- quality:ner --> and <!-- /quality:ner --> in this file.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON instead of a table.")
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write the F1 figures to this file (the gate's pin: tests/baselines/ner.json).",
)
@_backend_option
def quality_ner(
    test_path: str, update_readme: str | None, as_json: bool, write_baseline: str | None, backend: str | None
) -> None:
    """Per-type precision/recall/F1 on a gold CoNLL file (conlleval rules) plus speed, as markdown."""
    table, figures = quality_table(test_path, backend)
    click.echo(json.dumps(figures, indent=2) if as_json else table)
    if write_baseline:
        pinned = {k: figures[k] for k in ("f1", "precision", "recall", "per_type_f1")}
        pinned["test_file"] = Path(test_path).name
        Path(write_baseline).write_text(json.dumps(pinned, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        click.echo(f"wrote {write_baseline}", err=True)
    if update_readme:
        update_section(update_readme, "ner", table)


if __name__ == "__main__":  # pragma: no cover - handy before cli.py registers the commands
    click.Group(commands=[tag, train_ner, build_ner_clusters, build_ner_vectors, bench, quality])(
        sys.argv[1:]
    )
