"""The tagger's features of a sentence, only those its model knows (same order, same tags).

CRFsuite drops every attribute its model has no weight for, but only after each feature string
was built in Python, encoded and looked up: about a third of them on news text, and building the
rest was the larger part of the NER stage. Here everything a word contributes, to its own
features and as a neighbour, is built once per distinct word, already filtered, and a token's
features are put together from those pieces; only the word-pair features are built per token.
The known features come out in the order of ``FeatureExtractor.sentence`` (CRFsuite adds the
weights in item order, so the scores are the same to the last bit). A test checks that this is
``FeatureExtractor.sentence`` with the unknown features left out.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Collection, Iterable, Mapping, Sequence
from types import MappingProxyType

import pycrfsuite

from worker.stages.ner.features import FeatureExtractor, _listed_names, _Word

# Distinct words kept (under 1 kB each, the known features being shared strings): a few hundred
# news articles' vocabulary. A word computed again costs about as much as twenty found here, and
# 16,384 words (the extractor's own cache) missed for one token in five on SaudiNewsNet.
VIEW_CACHE_SIZE = 1 << 16


def model_attributes(tagger: pycrfsuite.Tagger) -> frozenset[str]:
    """The attributes in the model's dictionary (those without one add nothing to any score).
    Read from CRFsuite's text dump: ``Tagger.info()`` parses all its weights too, twenty times
    slower."""
    fd, path = tempfile.mkstemp(suffix=".txt")
    os.close(fd)
    try:
        tagger.dump(path)
        with open(path, encoding="utf-8") as f:
            text = f.read()
    finally:
        os.unlink(path)
    start = text.index("\nATTRIBUTES = {\n") + len("\nATTRIBUTES = {\n")
    end = text.index("\n}", start)
    return frozenset(line.split(": ", 1)[1] for line in text[start:end].split("\n"))


# A word that is not part of any known pair feature of a kind: no other word makes one with it.
_NO_PAIRS: Mapping[str, bytes] = MappingProxyType({})
# nor part of any known neighbour feature
_NO_SIDES: tuple[tuple[bytes, ...], ...] = ((), (), (), ())


def _pair_index(known: Mapping[str, bytes], prefix: str, own_first: bool) -> dict[str, dict[str, bytes]]:
    """The known features ``prefix + a + "|" + b`` by one of their two words (``a`` when
    ``own_first``, else ``b``) and then the other: a token finds its pair features with two
    look-ups instead of building every pair's string, and most words are in none. A feature is
    split at every "|" (a word may hold one), so a pair is found exactly when its string is known."""
    out: dict[str, dict[str, bytes]] = {}
    for f, b in known.items():
        if not f.startswith(prefix):
            continue
        rest = f[len(prefix) :]
        at = rest.find("|")
        while at >= 0:
            first, second = rest[:at], rest[at + 1 :]
            own, other = (first, second) if own_first else (second, first)
            out.setdefault(own, {})[other] = b
            at = rest.find("|", at + 1)
    return out


def _side_index(
    known: Mapping[str, bytes], prefixes: Sequence[str]
) -> dict[str, tuple[tuple[bytes, ...], ...]]:
    """Value → the known feature ``prefix + value`` of each prefix, as ``(b,)`` or ``()``: what a
    word gives its neighbours is then one look-up, not a string built and looked up per prefix
    (each prefix ends with the feature's first "=")."""
    column = {p: k for k, p in enumerate(prefixes)}
    out: dict[str, list[tuple[bytes, ...]]] = {}
    for f, b in known.items():
        head, sep, value = f.partition("=")
        k = column.get(head + sep)
        if k is not None:
            out.setdefault(value, [()] * len(prefixes))[k] = (b,)
    return {value: tuple(row) for value, row in out.items()}


class _View:
    """One word's pieces of the features: its own, and those it gives the tokens around it."""

    __slots__ = (
        "name_firsts", "w", "s", "own", "wm1", "wp1", "wm2", "wp2", "sm1", "sp1", "sm3", "sp3",
        "zz", "zm1", "zp1", "mid", "pnm1", "pnp1", "rest", "km1", "kp1", "g", "gm1", "gp1",
        "w_after", "w_before", "s_after", "s_before", "s_after_left", "s_before_right",
    )  # fmt: skip


class ModelFeatures:
    """``extractor.sentence`` restricted to ``known`` features, with the work done per word.
    Features come out as UTF-8 ``bytes``, which CRFsuite takes without encoding them again."""

    def __init__(
        self, extractor: FeatureExtractor, known: Collection[str], cache_size: int = VIEW_CACHE_SIZE
    ):
        self.x = extractor
        # each known feature encoded once and shared: the cached words hold only these
        self.known = {f: f.encode("utf-8") for f in known}
        self._one = {f: (b,) for f, b in self.known.items()}
        # the pair features of a token by the word each is read from (its own, or its first
        # neighbour's for the pairs of two neighbours), in the order they come
        self._pairs = tuple(
            _pair_index(self.known, prefix, own_first)
            for prefix, own_first in (
                ("w-1w=", False),  # w-1w={left}|{word}: by the word
                ("ww+1=", True),  # ww+1={word}|{right}
                ("s-1s=", False),
                ("ss+1=", True),
                ("s-2s-1=", False),  # s-2s-1={left2}|{left}: by the left neighbour
                ("s+1s+2=", True),  # s+1s+2={right}|{right2}: by the right neighbour
            )
        )
        # what a word gives its neighbours, by the word's form, stem, frequency bucket and
        # gazetteer type (see _sides)
        self._w_sides = _side_index(self.known, ("w-1=", "w+1=", "w-2=", "w+2="))
        self._s_sides = _side_index(self.known, ("s-1=", "s+1=", "s-3=", "s+3="))
        self._z_sides = _side_index(self.known, ("z-1=", "z+1="))
        self._g_sides = _side_index(self.known, ("g-1=", "g+1="))
        lex = extractor.lex
        self._names = bool(lex.names)
        self._clusters = bool(lex.clusters)
        self._view = functools.lru_cache(maxsize=cache_size)(self._compute_view)
        gaz = extractor.gaz
        self._start = self._pad("<s>", gaz.get("<s>"))
        self._end = self._pad("</s>", gaz.get("</s>"))

    def _keep(self, features: Iterable[str]) -> tuple[bytes, ...]:
        return tuple(filter(None, map(self.known.get, features)))

    def _sides(self, v: _View, w: str, s: str, z: str, g: str | None) -> None:
        v.w, v.s = w, s
        pw1, wp1, ps1, sp1, ps2, sp2 = self._pairs
        v.w_after, v.w_before = pw1.get(w, _NO_PAIRS), wp1.get(w, _NO_PAIRS)
        v.s_after, v.s_before = ps1.get(s, _NO_PAIRS), sp1.get(s, _NO_PAIRS)
        v.s_after_left, v.s_before_right = ps2.get(s, _NO_PAIRS), sp2.get(s, _NO_PAIRS)
        v.wm1, v.wp1, v.wm2, v.wp2 = self._w_sides.get(w, _NO_SIDES)
        v.sm1, v.sp1, v.sm3, v.sp3 = self._s_sides.get(s, _NO_SIDES)
        v.zm1, v.zp1 = self._z_sides.get(z, _NO_SIDES[:2])
        v.gm1, v.gp1 = self._g_sides.get(g, _NO_SIDES[:2]) if g else _NO_SIDES[:2]

    def _pad(self, pad: str, g: str | None) -> _View:
        """The padding around a sentence, as the neighbour it is to the first and last tokens
        (no cluster or name-part features: those are only read off words)."""
        v = _View()
        v.name_firsts = ()
        self._sides(v, pad, pad, pad, g)
        v.km1 = v.kp1 = v.pnm1 = v.pnp1 = ()
        return v

    def _compute_view(self, token: str) -> _View:
        x: _Word = self.x._compute_word(token)
        keep, one = self._keep, self._one.get
        v = _View()
        v.name_firsts = x.name_firsts
        self._sides(v, x.w, x.s, x.zw, x.gaz)
        v.own = keep(x.own)
        v.zz = keep(("zw=" + x.zw, "zs=" + x.zs))
        if self._names:
            v.mid = keep((*x.morph, *x.name_parts))
            v.pnm1, v.pnp1 = (one("pn-1", ()), one("pn+1", ())) if x.is_name_part else ((), ())
        else:
            v.mid = keep(x.morph)
            v.pnm1 = v.pnp1 = ()
        if self._clusters:
            v.rest = keep((*x.listed_part, *x.near, *x.cluster_own))
            v.km1, v.kp1 = one("k-1=" + x.cluster_mid, ()), one("k+1=" + x.cluster_mid, ())
        else:
            v.rest = keep((*x.listed_part, *x.near))
            v.km1 = v.kp1 = ()
        v.g = one("g=" + x.gaz, ()) if x.gaz else ()
        return v

    def stems(self, tokens: Sequence[str]) -> list[str]:
        """``features.stems_of(tokens)``, read off the words' views (those of a sentence whose
        features were just built are at hand)."""
        view = self._view
        return [view(t).s for t in tokens]

    def sentence(self, tokens: Sequence[str]) -> list[list[bytes]]:
        """The known features of each token, in ``FeatureExtractor.sentence``'s order."""
        view = self._view
        views = [view(t) for t in tokens]
        lex = self.x.lex
        listed = _listed_names(views, lex) if lex.name_list else [None] * len(views)
        known = self.known
        s, e = self._start, self._end
        padded = [s, s, s, *views, e, e, e]
        out: list[list[bytes]] = []
        # each token with the three words (or pads) on each side
        for x, l3, l2, l1, r1, r2, r3, name in zip(
            views, padded, padded[1:], padded[2:], padded[4:], padded[5:], padded[6:], listed, strict=False
        ):
            # one list display (in FeatureExtractor.sentence's order), not a list grown piece by piece
            out.append(
                [
                    *x.own,
                    *l1.wm1,
                    *r1.wp1,
                    *l2.wm2,
                    *r2.wp2,
                    *l1.sm1,
                    *r1.sp1,
                    *l3.sm3,
                    *r3.sp3,
                    # w-1w, ww+1, s-1s, ss+1, s-2s-1, s+1s+2 (see _pair_index), those known
                    *filter(
                        None,
                        (
                            x.w_after.get(l1.w),
                            x.w_before.get(r1.w),
                            x.s_after.get(l1.s),
                            x.s_before.get(r1.s),
                            l1.s_after_left.get(l2.s),
                            r1.s_before_right.get(r2.s),
                        ),
                    ),
                    *x.zz,
                    *l1.zm1,
                    *r1.zp1,
                    *x.mid,
                    *l1.pnm1,
                    *r1.pnp1,
                    *x.rest,
                    *l1.km1,
                    *r1.kp1,
                    *(filter(None, (known.get("nl=" + name), known.get("nl=" + name[2:]))) if name else ()),
                    *x.g,
                    *l1.gm1,
                    *r1.gp1,
                ]
            )
        return out
