"""Outside knowledge for the NER model: WikiFANE in ANERcorp's tokenisation, word clusters from raw
text, the arwikicats and Wikidata name lists, the features they give, and mention error kinds."""

from __future__ import annotations

import gzip
import json
import zipfile
from collections import Counter

from click.testing import CliRunner

from worker.commands.ner import build_ner_clusters, train_ner
from worker.stages.ner import lexicons as ner_lexicons
from worker.stages.ner.features import FeatureExtractor, sentence_features
from worker.stages.ner.lexicons import Lexicons
from worker.stages.ner.model import NerModel
from worker.training.clusters import build_clusters
from worker.training.gazetteers import read_arwikicats, read_wikidata_names
from worker.training.ner import error_kinds, error_kinds_by_type
from worker.training.wikifane import map_tag, read_wikifane, read_wikifane_names, reattach


def test_wikifane_clitics_are_reattached_as_anercorp_writes_them():
    toks = "و ل جنوب السودان عاصمة ها جوبا و ل الملك".split()
    tags = ["O", "O", "B-LOC", "I-LOC", "O", "O", "B-LOC", "O", "O", "B-PERS"]
    assert reattach(toks, tags) == (
        ["ولجنوب", "السودان", "عاصمتها", "جوبا", "وللملك"],
        ["B-LOC", "I-LOC", "O", "B-LOC", "B-PERS"],
    )


def test_wikifane_classes_map_onto_anercorp_types(tmp_path):
    assert map_tag("B-Politician") == "B-PERS" and map_tag("I-Water-Body") == "I-LOC"
    assert map_tag("B-Sports") == "B-ORG" and map_tag("B-Software") == "B-MISC"
    assert map_tag("B-Group") == "O"
    path = tmp_path / "wf.txt.gz"
    rows = "العرب\tB-Group\nفي\tO\nاتحاد\tB-Sports\nكرة\tI-Sports\n\nقال\tO\nه\tO\n"
    path.write_bytes(gzip.compress(rows.encode("utf-8")))
    assert read_wikifane(path) == [
        (["العرب", "في", "اتحاد", "كرة"], ["O", "O", "B-ORG", "I-ORG"]),
        (["قاله"], ["O"]),
    ]


def test_wikifane_names_as_a_name_list(tmp_path):
    path = tmp_path / "wf.txt"
    rows = [
        "و\tO",
        "اتحاد\tB-Sports",
        "كرة\tI-Sports",
        "في\tO",
        "باريس\tB-Population-Center",
        "ه\tO",
        "ويندوز\tB-Software",
        "العرب\tB-Group",
        "",
        "باريس\tB-Artist",
        "باريس\tB-Nation",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    # without the split-off conjunction; the commoner type of a name; no MISC or Group
    assert read_wikifane_names(path) == {"اتحاد كره": "ORG", "باريس": "LOC"}


def test_clusters_are_deterministic_and_group_words_used_alike():
    lines = []
    for city in ("بغداد", "دمشق", "القاهره", "عمان"):
        for verb in ("زار", "وصل", "غادر"):
            lines.append(f"{verb} الرئيس الى {city} امس".split())
    for food in ("خبز", "تمر", "ارز"):
        for verb in ("اكل", "اشتري", "طبخ"):
            lines.append(f"{verb} الطفل بعض {food} اليوم".split())
    kw = {"min_count": 2, "contexts": 20, "dims": 4, "levels": (2, 3), "echo": lambda _: None}
    first = build_clusters(lines, **kw)
    assert first == build_clusters(lines, **kw)
    assert first["بغداد"] == first["دمشق"] != first["خبز"] == first["تمر"]


def test_build_ner_clusters_command_writes_a_gzipped_table(tmp_path):
    corpus = tmp_path / "wiki.txt"
    corpus.write_text("زار الرئيس بغداد امس.\nزار الرئيس دمشق امس.\n" * 3, encoding="utf-8")
    out = tmp_path / "clusters.tsv.gz"
    args = [str(corpus), "--out", str(out), "--min-count", "2", "--levels", "2", "--dims", "2"]
    result = CliRunner().invoke(build_ner_clusters, args)
    assert result.exit_code == 0, result.output
    clusters = ner_lexicons.read_clusters(out)
    assert set(clusters) == {"زار", "الرئيس", "بغداد", "دمشق", "امس"}
    assert "sha256" in result.output


def test_name_lists_from_arwikicats_and_wikidata(tmp_path):
    wheel = tmp_path / "arwikicats-0.2.3-py3-none-any.whl"
    tables = {
        "cities/cities_full.json": {"aachen": "آخن", "x": "مدينة (ولاية)"},
        "geography/P17_PP.json": {},
        "geography/popopo.json": {"asir": "منطقة عسير"},
        "geography/India_dd.json": {},
        "geography/us_counties.json": {},
        "sports/Clubs_key.json": {"1. fc koln": "نادي كولن", "aachen fc": "آخن"},
        "people/peoples.json": {"50 cent": "50 سنت", "lavrov": "سيرغي لافروف"},
    }
    with zipfile.ZipFile(wheel, "w") as z:
        for name, data in tables.items():
            z.writestr("ArWikiCats/jsons/" + name, json.dumps(data, ensure_ascii=False))
    assert read_arwikicats(wheel) == {
        "اخن": "LOC",  # the first table that lists a name gives its type
        "مدينه": "LOC",
        "منطقه عسير": "LOC",
        "نادي كولن": "ORG",
        "سيرغي لافروف": "PERS",
    }
    names = tmp_path / "wd.gz"
    names.write_bytes(gzip.compress("lavrov\tل ا ف ر و ف\t3\nx\tا\t1\n".encode()))
    assert read_wikidata_names([names]) == {"لافروف"}


def test_features_from_clusters_and_name_lists(tmp_path):
    lex = Lexicons.with_name_list(
        {"الولايات المتحده": "LOC", "بغداد": "LOC"},
        freq={"بغداد": 500},
        clusters={"بغداد": ("1", "7", "30"), "زار": ("0", "2", "5")},
        wd_names=frozenset({"لافروف"}),
    )
    f = sentence_features(["زار", "لافروف", "بغداد", "والولايات", "المتحدة"], None, lex)
    assert {"k0=1", "k1=7", "k2=30", "k-1=none", "nl=B-LOC", "nl=LOC"} <= set(f[2])
    assert "k=none" in f[1] and "wn=none" in f[1] and "k+1=7" in f[1]
    assert "nl=B-LOC" in f[3] and "nl=I-LOC" in f[4]  # the conjunction is read off the first word
    ner_lexicons.write(tmp_path, lex)
    again = ner_lexicons.read(tmp_path)
    assert again.name_list == lex.name_list and again.wd_names == lex.wd_names


def test_error_kinds_tell_boundaries_from_types():
    gold = [["B-PERS", "I-PERS", "O", "B-ORG", "O", "B-LOC", "O", "O"]]
    pred = [["B-PERS", "O", "O", "B-LOC", "O", "B-LOC", "O", "B-MISC"]]
    kinds = error_kinds(gold, pred)
    assert kinds["correct"] == 1 and kinds["boundary"] == 1 and kinds["type"] == 1
    assert kinds["spurious"] == 1 and kinds["missed"] == 0
    by_type = error_kinds_by_type(gold, pred)
    assert by_type["PERS"]["boundary"] == 1 and by_type["ORG"]["type"] == 1
    assert by_type["LOC"]["correct"] == 1 and by_type["MISC"]["spurious"] == 1
    assert sum(by_type.values(), Counter()) == kinds


def test_train_ner_with_wikifane_clusters_and_name_lists(tmp_path):
    sentences = [
        [("قال", "O"), ("سيرغي", "B-PERS"), ("لافروف", "I-PERS"), ("في", "O"), ("موسكو", "B-LOC")],
        [("زار", "O"), ("بلينكن", "B-PERS"), ("بغداد", "B-LOC"), ("أمس", "O")],
    ] * 4
    train = tmp_path / "train.txt"
    train.write_text(
        "\n\n".join("\n".join(f"{t} {g}" for t, g in s) for s in sentences) + "\n", encoding="utf-8"
    )
    wf = tmp_path / "wf.txt"
    wf.write_text("زار\tO\nو\tO\nدمشق\tB-Population-Center\n", encoding="utf-8")
    clusters = tmp_path / "clusters.tsv.gz"
    clusters.write_bytes(gzip.compress("بغداد\t1 2\nدمشق\t1 2\n".encode()))
    out = tmp_path / "model"
    args = ["--train", str(train), "--out", str(out), "--dev-fraction", "0", "--single-pass"]
    result = CliRunner().invoke(train_ner, [*args, "--wikifane", str(wf), "--clusters", str(clusters)])
    assert result.exit_code == 0, result.output
    assert "2 clustered words" in result.output and "1 WikiFANE sentences" in result.output
    model = NerModel.load(out)
    assert model.lex.clusters == {"بغداد": ("1", "2"), "دمشق": ("1", "2")}
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert set(meta["outside_lexicons_sha256"]) == {"wf.txt", "clusters.tsv.gz"}
    assert meta["extra_train_sentences"] == 1


def test_nearest_labelled_words_lend_their_type_to_a_word():
    import numpy as np

    from worker.training.neighbours import neighbour_types, tag_shares

    vocab = ["حماس", "فتح", "الجهاد", "قال", "امس", "غزه"]
    vec = np.array([[1, 0.1], [0.95, 0.2], [0.9, 0.3], [0, 1], [0.1, 1], [0.6, 0.6]])
    vec /= np.linalg.norm(vec, axis=1, keepdims=True)
    shares = tag_shares([(["قال", "فتح", "و", "الجهاد", "امس"], ["O", "B-ORG", "O", "B-ORG", "O"])])
    assert shares["فتح"] == [0, 0, 0, 1, 0] and shares["قال"] == [1, 0, 0, 0, 0]
    table = neighbour_types(vocab, vec, shares, k=2)
    # an unseen word near seen organisations; a seen one is judged by its neighbours, not itself
    assert table["حماس"] == "ORG 5 5" and table["فتح"] == "ORG 5 5"
    assert table["قال"] == "ORG 2 2"  # one of its two neighbours is a name, less like it
    assert "قال" not in neighbour_types(vocab, vec, shares, k=1)  # only words outside names
    assert neighbour_types(vocab, vec, shares, words=["حماس", "غير"], k=2) == {"حماس": "ORG 5 5"}
    f = FeatureExtractor(neighbours=table).sentence(["ثم", "وحماس"])
    assert {"nn=ORG", "nn=ORG:5", "ne=5"} <= set(f[1]) and not any(x.startswith("nn") for x in f[0])


def test_vectors_round_trip_and_a_wrong_file_is_refused(tmp_path):
    import numpy as np
    import pytest

    from worker.training.clusters import read_vectors, write_vectors

    path = tmp_path / "v.bin"
    digest = write_vectors(path, ["ا", "ب"], np.eye(2))
    assert write_vectors(tmp_path / "again.bin", ["ا", "ب"], np.eye(2)) == digest
    vocab, vec = read_vectors(path)
    assert vocab == ["ا", "ب"] and vec.dtype == np.float32 and vec.tolist() == [[1, 0], [0, 1]]
    (tmp_path / "bad.bin").write_text("x\n")
    with pytest.raises(ValueError, match="not a vectors file"):
        read_vectors(tmp_path / "bad.bin")


def test_train_ner_with_vectors_ships_the_neighbour_table(tmp_path):
    import numpy as np

    from worker.training.clusters import write_vectors

    sentences = [
        [("قالت", "O"), ("حماس", "B-ORG"), ("في", "O"), ("غزة", "B-LOC")],
        [("قالت", "O"), ("فتح", "B-ORG"), ("في", "O"), ("رام", "B-LOC"), ("الله", "I-LOC")],
    ] * 4
    train = tmp_path / "train.txt"
    train.write_text(
        "\n\n".join("\n".join(f"{t} {g}" for t, g in s) for s in sentences) + "\n", encoding="utf-8"
    )
    vectors = tmp_path / "vectors.bin"
    vocab = ["حماس", "فتح", "الجهاد", "قالت", "في"]
    write_vectors(vectors, vocab, np.array([[1, 0.1], [0.95, 0.2], [0.9, 0.3], [0, 1], [0.1, 1]]))
    out = tmp_path / "model"
    args = ["--train", str(train), "--out", str(out), "--dev-fraction", "0", "--single-pass"]
    result = CliRunner().invoke(train_ner, [*args, "--vectors", str(vectors)])
    assert result.exit_code == 0, result.output
    table = NerModel.load(out)._features.near
    assert table["الجهاد"].startswith("ORG ")  # never seen in training: its neighbours were
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert set(meta["outside_lexicons_sha256"]) == {"vectors.bin"}


def test_build_ner_vectors_puts_words_of_one_topic_together(tmp_path):
    from worker.commands.ner import build_ner_vectors
    from worker.training.clusters import read_vectors

    corpus = tmp_path / "wiki.txt"
    text = "في البرلمان صوت الحزب على القانون\nفي المباراة سجل الفريق هدفا في الملعب\n" * 4
    corpus.write_text(text, encoding="utf-8")
    out = tmp_path / "vectors.bin"
    args = [
        str(corpus),
        "--out",
        str(out),
        "--min-count",
        "2",
        "--contexts",
        "20",
        "--skip",
        "1",
        "--dims",
        "2",
    ]
    result = CliRunner().invoke(build_ner_vectors, [*args, "--window", "3"])
    assert result.exit_code == 0, result.output
    vocab, vec = read_vectors(out)
    v = dict(zip(vocab, vec.tolist(), strict=True))
    near = sum(a * b for a, b in zip(v["الحزب"], v["البرلمان"], strict=True))
    far = sum(a * b for a, b in zip(v["الحزب"], v["الفريق"], strict=True))
    assert near > far and "sha256" in result.output
