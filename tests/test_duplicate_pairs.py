"""`khabar duplicates sample` without SaudiNewsNet: candidate pairs from exact shared passages,
their exact similarity, and a draw that is the same every time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.test_corpus_rules import EDITED, RELEASE
from worker.corpus.pairs import BANDS, Candidate, candidates, draw, lsh_candidates

T0 = datetime(2015, 8, 1, tzinfo=UTC)
WIRE = (
    "أعلنت وزارة الصحة اليوم تسجيل ثلاث إصابات جديدة بالفيروس في منطقة الرياض وأوضحت أن الحالات "
    "تتلقى الرعاية اللازمة في المستشفيات وأن فرق التقصي تتابع المخالطين في المنازل والمدارس"
)
OTHER = (
    "افتتح أمير المنطقة مساء أمس مهرجان الصيف بحضور عدد من المسؤولين والأهالي وتضمن الحفل عروضا "
    "شعبية ومسرحية للأطفال والعائلات في الحديقة العامة وسط المدينة"
)


def test_pairs_share_an_exact_passage_within_the_window():
    items = [
        ("a", T0, WIRE),
        ("b", T0 + timedelta(hours=5), "الرياض - واس: " + WIRE),  # a reprint
        ("c", T0 + timedelta(days=1), OTHER),  # nothing in common
        ("d", T0 + timedelta(days=9), WIRE),  # the same text outside the window
    ]
    got = candidates(items, max_days=7)
    assert [(c.a, c.b) for c in got] == [("a", "b")]
    pair = got[0]
    assert pair.containment == 1.0 and 0.8 < pair.jaccard < 1.0 and pair.passages > 5
    assert round(pair.days, 3) == round(5 / 24, 3)


def test_the_draw_takes_each_band_and_is_the_same_every_time():
    pairs = [Candidate(f"x{i}", f"y{i}", i / 100, i / 100, 0.0, 1) for i in range(5, 100)]
    one, two = draw(pairs, 3, seed=4), draw(list(reversed(pairs)), 3, seed=4)
    assert one == two
    assert [band for band, _ in one] == [name for name, _, _ in BANDS for _ in range(3)]
    assert all(lo <= c.level < hi for (band, c) in one for name, lo, hi in BANDS if name == band)


def test_lsh_candidates_are_the_pairs_sharing_a_band_within_the_window():
    items = [
        ("a", T0, WIRE),
        ("b", T0 + timedelta(hours=5), "الرياض - واس: " + WIRE),
        ("c", T0 + timedelta(days=1), OTHER),
        ("d", T0 + timedelta(days=9), WIRE),
    ]
    got = lsh_candidates(items, max_days=7)
    assert [(c.a, c.b) for c in got] == [("a", "b")]
    assert got[0].containment == 1.0 and got[0].passages == 0
    assert lsh_candidates(items, max_days=7) == got  # the same every time


# a release, the same release edited in every sentence (its words in their order, most of its
# three-word shingles broken): test_corpus_rules' texts


def test_the_word_order_stratum_holds_the_pairs_only_word_order_could_link():
    from worker.commands.duplicates import _indexed_corpus
    from worker.corpus.pairs import word_order_band

    texts = {
        "release": {"title": "", "body": RELEASE, "published_at": T0.isoformat()},
        "edited": {"title": "", "body": EDITED, "published_at": (T0 + timedelta(hours=3)).isoformat()},
        "reprint": {
            "title": "",
            "body": "الرياض - واس: " + RELEASE,
            "published_at": (T0 + timedelta(hours=5)).isoformat(),
        },
        "late": {"title": "", "body": EDITED, "published_at": (T0 + timedelta(days=8)).isoformat()},
    }
    seen, key_times = _indexed_corpus(texts)
    proposed = [
        Candidate(a, b, 0.0, 0.0, abs((seen[a].when - seen[b].when).total_seconds()) / 86400, 0)
        for a, b in (
            ("release", "edited"),
            ("release", "reprint"),
            ("edited", "reprint"),
            ("release", "late"),
        )
    ]
    # the edited copies (word order 0.84) are in a band that holds it; the reprint is linked by its
    # shingles already, and the print eight days later is outside the pipeline's window
    got = word_order_band(proposed, seen, key_times, band=(0.45, 0.9))
    assert [(c.a, c.b) for c in got] == [("edited", "reprint"), ("release", "edited")]
    assert word_order_band(reversed(proposed), seen, key_times, band=(0.45, 0.9)) == got  # sorted
    assert word_order_band(proposed, seen, key_times) == []  # above the stratum's 0.80


def test_labels_kept_as_hashes_measure_the_same_pairs_as_labels_by_url(tmp_path):
    """`khabar duplicates anonymise` then `evaluate`: the hashed file names no article, and the
    pairs it measures are those of the file of URLs."""
    import json

    from tests.khabar_cli import khabar

    def article(url: str, day: int, body: str) -> dict:
        when = (T0 + timedelta(days=day)).strftime("%Y-%m-%d %H:%M:%S")
        return {
            "source": "x",
            "url": url,
            "date_extracted": when,
            "title": "خبر",
            "author": "",
            "content": body,
        }

    corpus = tmp_path / "corpus.json"
    corpus.write_text(
        json.dumps(
            [
                article("http://a.example/1", 0, RELEASE),
                article("http://b.example/2", 1, EDITED),
                article("http://c.example/3", 0, WIRE),
                article("http://d.example/4", 2, WIRE + " " + OTHER),
                article("http://e.example/5", 1, OTHER),
            ],
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    labels = tmp_path / "pairs.tsv"
    labels.write_text(
        "#first\tsecond\tlabel\tband\tjaccard\tcontainment\tdays\tpassages\tkind\n"
        "http://a.example/1\thttp://b.example/2\t1\trandom\t0.5\t0.5\t1\t1\tedited\n"
        "http://c.example/3\thttp://d.example/4\t0\trandom\t0.5\t1.0\t2\t1\troundup\n"
        "http://d.example/4\thttp://e.example/5\t0\t0.35-0.50\t0.4\t1.0\t1\t1\troundup\n"
        "http://a.example/1\thttp://e.example/5\t?\trandom\t0\t0\t1\t0\n",
        encoding="utf-8",
    )
    hashed = tmp_path / "hashed.tsv"
    r = khabar("duplicates", "anonymise", str(labels), "--out", str(hashed))
    assert r.returncode == 0, r.stderr
    assert "3 labelled pairs" in r.stdout
    text = hashed.read_text(encoding="utf-8")
    assert "example" not in text and text.count("sha256:") == 6
    assert "\tedited\n" in text and "\t0.35-0.50\t" in text

    outs = []
    for f in (labels, hashed):
        r = khabar(
            "duplicates", "evaluate", str(f), "--corpus", str(corpus), "--folds", "2", "--repeats", "1"
        )
        assert r.returncode == 0, r.stderr
        outs.append(r.stdout)
    assert outs[0] == outs[1]
    assert "3 labelled pairs (1 copies), of which 2 drawn at random" in outs[0]
    assert "the rule, cross-validated" in outs[0] and " random " in outs[0] and " hard " in outs[0]

    # a new draw leaves out the pairs of a hashed labels file as it does those of a file of URLs
    def drawn(*exclude: str) -> set[frozenset[str]]:
        out = tmp_path / f"draw{len(exclude)}"
        args = ["--exclude", exclude[0]] if exclude else []
        r = khabar(
            "duplicates", "sample", str(corpus), "--out", str(out), "--per-band", "0", "--missed", "0",
            "--random", "10", *args,
        )  # fmt: skip
        assert r.returncode == 0, r.stderr
        rows = (out / "pairs.tsv").read_text(encoding="utf-8").splitlines()[1:]
        return {frozenset(line.split("\t")[:2]) for line in rows}

    labelled = {
        frozenset(("http://a.example/1", "http://b.example/2")),
        frozenset(("http://c.example/3", "http://d.example/4")),
    }
    everything = drawn()
    assert labelled & everything, "the tiny corpus should propose a labelled pair"
    # readers label blind.txt (no band, no figure) under opaque ids; collect puts the labels back
    blind = (tmp_path / "draw0" / "blind.txt").read_text(encoding="utf-8")
    key = [line.split("\t") for line in (tmp_path / "draw0" / "blind.tsv").read_text().splitlines()[1:]]
    assert len(key) == len(everything) == blind.count("### P")
    assert "random" not in blind and "J " not in blind and RELEASE.split()[3] in blind
    readers = tmp_path / "readers.tsv"
    readers.write_text(
        "".join(
            f"{pid}\t{int(i == 0)}\t{'edited' if i == 0 else 'unrelated'}\n"
            for i, (pid, *_) in enumerate(key)
        )
        + f"{key[-1][0]}\t1\tsame\n"  # the last pair read twice, two labels: left open
        + "P999\t1\tsame\n"  # no such pair, and a label that is no label: both named
        + f"{key[0][0]}\tyes\n",
        encoding="utf-8",
    )
    collected = tmp_path / "collected.tsv"
    r = khabar("duplicates", "collect", str(tmp_path / "draw0"), str(readers), "--out", str(collected))
    assert r.returncode == 0, r.stderr
    assert f"{len(key) - 1} labelled pairs" in r.stdout and key[-1][0] in r.stderr
    assert f"readers.tsv:{len(key) + 2}, " in r.stderr and f"readers.tsv:{len(key) + 3}" in r.stderr
    r = khabar("duplicates", "collect", str(tmp_path), str(readers), "--out", str(collected))
    assert r.returncode != 0 and "blind.tsv not found" in r.stderr and "Traceback" not in r.stderr
    rows = {tuple(line.split("\t")[:2]): line.split("\t") for line in collected.read_text().splitlines()[1:]}
    first, last = key[0], key[-1]
    assert rows[(first[1], first[2].strip())][2] == "1" and rows[(first[1], first[2].strip())][8] == "edited"
    assert rows[(last[1], last[2].strip())][2] == "?"
    r = khabar(
        "duplicates", "evaluate", str(collected), "--corpus", str(corpus), "--folds", "2", "--repeats", "1"
    )
    assert r.returncode == 0 and f"{len(key) - 1} labelled pairs" in r.stdout, r.stderr

    assert (
        drawn(str(hashed))
        == drawn(str(labels))
        == everything - labelled - {frozenset(("http://d.example/4", "http://e.example/5"))}
    )
