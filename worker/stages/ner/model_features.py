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


# A word's view: its pieces of the features, its own and those it gives the tokens around it, as
# a plain tuple of these fields (ModelFeatures.sentence reads them column by column). It holds
# strings and tuples of bytes, so the cyclic collector stops tracking the view within its first
# collections, while an object with slots, a named tuple or a tuple holding a dict stays tracked:
# the 41,000 views cached over 300 articles made every full collection 45 ms longer. The fields
# from "w" on are ModelFeatures._sides.
VIEW_FIELDS = (
    "name_firsts", "own", "zz", "mid", "pnm1", "pnp1", "rest", "km1", "kp1", "g",
    "w", "s",
    "wm1", "wp1", "wm2", "wp2", "sm1", "sp1", "sm3", "sp3", "zm1", "zp1", "gm1", "gp1",
)  # fmt: skip
_W, _S = VIEW_FIELDS.index("w"), VIEW_FIELDS.index("s")


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

    def _sides(self, w: str, s: str, z: str, g: str | None) -> tuple:
        """The view's fields from ``w`` on (VIEW_FIELDS): what the word gives its neighbours."""
        no2 = _NO_SIDES[:2]
        return (
            w,
            s,
            *self._w_sides.get(w, _NO_SIDES),
            *self._s_sides.get(s, _NO_SIDES),
            *self._z_sides.get(z, no2),
            *(self._g_sides.get(g, no2) if g else no2),
        )

    def _pad(self, pad: str, g: str | None) -> tuple:
        """The padding around a sentence, as the neighbour it is to the first and last tokens
        (no cluster or name-part features: those are only read off words; and no own features,
        which a pad never reads)."""
        return ((),) * _W + self._sides(pad, pad, pad, g)

    def _compute_view(self, token: str) -> tuple:
        x: _Word = self.x._compute_word(token)
        keep, one = self._keep, self._one.get
        if self._names:
            mid = keep((*x.morph, *x.name_parts))
            pnm1, pnp1 = (one("pn-1", ()), one("pn+1", ())) if x.is_name_part else ((), ())
        else:
            mid = keep(x.morph)
            pnm1 = pnp1 = ()
        if self._clusters:
            rest = keep((*x.listed_part, *x.near, *x.cluster_own))
            km1, kp1 = one("k-1=" + x.cluster_mid, ()), one("k+1=" + x.cluster_mid, ())
        else:
            rest = keep((*x.listed_part, *x.near))
            km1 = kp1 = ()
        return (
            x.name_firsts,
            keep(x.own),
            keep(("zw=" + x.zw, "zs=" + x.zs)),
            mid,
            pnm1,
            pnp1,
            rest,
            km1,
            kp1,
            one("g=" + x.gaz, ()) if x.gaz else (),
            *self._sides(x.w, x.s, x.zw, x.gaz),
        )

    def stems(self, tokens: Sequence[str]) -> list[str]:
        """``features.stems_of(tokens)``, read off the words' views (those of a sentence whose
        features were just built are at hand)."""
        view = self._view
        return [view(t)[_S] for t in tokens]

    def sentence(self, tokens: Sequence[str]) -> list[list[bytes]]:
        """The known features of each token, in ``FeatureExtractor.sentence``'s order."""
        view = self._view
        views = [view(t) for t in tokens]
        n = len(views)
        pad_l, pad_r = self._start, self._end
        # one column per field (VIEW_FIELDS), with three pads on each side: the token k is at k + 3,
        # its neighbours at k + 2, k + 1, k (left) and k + 4, k + 5, k + 6 (right)
        (
            firsts, own, zz, mid, pnm1, pnp1, rest, km1, kp1, g,
            w, s,
            wm1, wp1, wm2, wp2, sm1, sp1, sm3, sp3, zm1, zp1, gm1, gp1,
        ) = zip(pad_l, pad_l, pad_l, *views, pad_r, pad_r, pad_r, strict=True)  # fmt: skip
        lex = self.x.lex
        listed = _listed_names(w[3 : n + 3], firsts[3 : n + 3], lex) if lex.name_list else [None] * n
        known = self.known
        # the pair features by the word each is read from (_pair_index): a word's pair dicts are
        # looked up here, not held in its view, which would then stay tracked (VIEW_FIELDS)
        w_after, w_before, s_after, s_before, s_after_left, s_before_right = (p.get for p in self._pairs)
        none = _NO_PAIRS
        out: list[list[bytes]] = []
        # each token's fields (x_), and its neighbours' on the left (l1_, l2_, l3_) and right (r1_ …);
        # the columns are read from the offset of whose field it is, and end with ``listed``
        for (
            x_own, l1_wm1, r1_wp1, l2_wm2, r2_wp2, l1_sm1, r1_sp1, l3_sm3, r3_sp3,
            x_w, l1_w, r1_w, x_s, l1_s, r1_s, l2_s, r2_s,
            x_zz, l1_zm1, r1_zp1, x_mid, l1_pnm1, r1_pnp1, x_rest, l1_km1, r1_kp1, x_g, l1_gm1, r1_gp1,
            name,
        ) in zip(
            own[3:], wm1[2:], wp1[4:], wm2[1:], wp2[5:], sm1[2:], sp1[4:], sm3, sp3[6:],
            w[3:], w[2:], w[4:], s[3:], s[2:], s[4:], s[1:], s[5:],
            zz[3:], zm1[2:], zp1[4:], mid[3:], pnm1[2:], pnp1[4:], rest[3:], km1[2:], kp1[4:], g[3:], gm1[2:], gp1[4:],
            listed,
            strict=False,
        ):  # fmt: skip
            # one list display (in FeatureExtractor.sentence's order), not a list grown piece by piece
            out.append(
                [
                    *x_own,
                    *l1_wm1,
                    *r1_wp1,
                    *l2_wm2,
                    *r2_wp2,
                    *l1_sm1,
                    *r1_sp1,
                    *l3_sm3,
                    *r3_sp3,
                    # w-1w, ww+1, s-1s, ss+1, s-2s-1, s+1s+2 (see _pair_index), those known
                    *filter(
                        None,
                        (
                            w_after(x_w, none).get(l1_w),
                            w_before(x_w, none).get(r1_w),
                            s_after(x_s, none).get(l1_s),
                            s_before(x_s, none).get(r1_s),
                            s_after_left(l1_s, none).get(l2_s),
                            s_before_right(r1_s, none).get(r2_s),
                        ),
                    ),
                    *x_zz,
                    *l1_zm1,
                    *r1_zp1,
                    *x_mid,
                    *l1_pnm1,
                    *r1_pnp1,
                    *x_rest,
                    *l1_km1,
                    *r1_kp1,
                    *(filter(None, (known.get("nl=" + name), known.get("nl=" + name[2:]))) if name else ()),
                    *x_g,
                    *l1_gm1,
                    *r1_gp1,
                ]
            )
        return out
