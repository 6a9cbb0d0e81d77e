"""Measuring story events on gold articles and re-published copies of them (``khabar quality
stories``): is each happening one story, however many outlets print it?

Each gold article gets copies such as a wire printed by other outlets: another outlet and id, a
dateline, a trimmed last paragraph, another headline, two paragraphs swapped, published hours or a
day later (``copies``). Every article and copy goes through the pipeline into one database; each
predicted event is matched to the gold event of its article as the shared scorer matches them (same
type, trigger inside the gold event's sentence, required events first), the gold sentences found
again in a copy's text (``relocate``). A gold happening (a required gold event) reported in several
stories is over-split; a story that holds several gold happenings is over-merged — within one
article (the gold may keep apart two mentions of one happening) or across articles.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# (outlet, hours after the original) of each copy; the copy's edits follow its number
OUTLETS = (("copy-wire-a", 5), ("copy-wire-b", 26), ("copy-wire-c", 30))
DATELINE = "الرياض - واس: "


def doc_text(title: str | None, body: str) -> str:
    """The text offsets refer to, as the pipeline and the scorer build it."""
    return f"{title}\n\n{body}" if (title or "").strip() else body


def _paragraphs(body: str) -> list[str]:
    parts = [p for p in body.split("\n") if p.strip()]
    if len(parts) >= 3:
        return parts
    # one block: its sentences stand for paragraphs
    sentences = [s.strip() for s in body.replace("\n", " ").split(". ") if s.strip()]
    return [s if s.endswith((".", "!", "?", "؟")) else s + "." for s in sentences]


def copies(article: dict, n: int = 2) -> list[dict]:
    """``n`` (at most 3) re-published copies of ``article`` (id, title, body, published_at,
    source), deterministic. Copy 1 adds a dateline and drops the last paragraph; copy 2 shortens
    the headline and swaps the second and third paragraphs; copy 3 does both, a day later."""
    out = []
    paragraphs = _paragraphs(article["body"])
    published = datetime.fromisoformat(article["published_at"]) if article.get("published_at") else None
    for k, (outlet, hours) in enumerate(OUTLETS[:n], 1):
        parts = list(paragraphs)
        title = article.get("title") or ""
        if k in (1, 3):
            parts[0] = DATELINE + parts[0]
            if len(parts) >= 3:
                parts = parts[:-1]
        if k in (2, 3):
            words = title.split()
            title = " ".join(words[: max(2, (len(words) + 1) // 2)])
            if len(parts) >= 3:
                parts[1], parts[2] = parts[2], parts[1]
        out.append(
            {
                "id": f"{article['id']}~{outlet}",
                "title": title,
                "body": "\n".join(parts),
                "source": outlet,
                "published_at": (published + timedelta(hours=hours)).isoformat() if published else None,
                "copy_of": article["id"],
            }
        )
    return out


def relocate(gold: dict, text: str) -> list[dict | None]:
    """The gold events with their sentence offsets in ``text`` (a copy's), or None for an event
    whose sentence the copy no longer has (a trimmed paragraph, another headline)."""
    out: list[dict | None] = []
    for e in gold["events"]:
        at = text.find(e["sentence"]["text"])
        if at < 0:
            out.append(None)
            continue
        out.append({**e, "sentence": {**e["sentence"], "start": at, "end": at + len(e["sentence"]["text"])}})
    return out


@dataclass(frozen=True)
class Predicted:
    type: str
    start: int  # the trigger's start in the article's text
    confidence: float
    story: int | None  # its story event (None: not asserted, or no story)


def match(golds: Sequence[dict | None], preds: Sequence[Predicted]) -> dict[int, int]:
    """{index in preds: index in golds} as the shared scorer pairs them: the most confident
    prediction first, each to the first unused gold event of its type whose sentence holds its
    trigger, required gold events before optional ones."""
    used: set[int] = set()
    out = {}
    order = sorted(range(len(golds)), key=lambda i: bool(golds[i] and golds[i].get("optional")))
    for p in sorted(range(len(preds)), key=lambda i: -preds[i].confidence):
        pred = preds[p]
        for i in order:
            g = golds[i]
            if i in used or g is None or g["type"] != pred.type:
                continue
            if g["sentence"]["start"] <= pred.start < g["sentence"]["end"]:
                used.add(i)
                out[p] = i
                break
    return out


@dataclass
class Tally:
    """Stories per gold happening (gold article id, index of a required gold event)."""

    stories_of: dict[tuple[str, int], set[int]] = field(default_factory=dict)
    reports_of: dict[tuple[str, int], set[str]] = field(default_factory=dict)  # articles, copies too
    missed: set[tuple[str, int]] = field(default_factory=set)  # required, found in no article

    def add(
        self, gold_id: str, article_id: str, golds: Sequence[dict | None], preds: Sequence[Predicted]
    ) -> None:
        for p, g in match(golds, preds).items():
            event = golds[g]
            if event is None or event.get("optional") or preds[p].story is None:
                continue
            self.stories_of.setdefault((gold_id, g), set()).add(preds[p].story)
            self.reports_of.setdefault((gold_id, g), set()).add(article_id)

    def close(self, required: Iterable[tuple[str, int]]) -> None:
        self.missed = {h for h in required if h not in self.stories_of}

    def figures(self) -> dict:
        happenings = len(self.stories_of)
        split = sum(1 for s in self.stories_of.values() if len(s) > 1)
        members: dict[int, set[tuple[str, int]]] = {}
        for h, stories in self.stories_of.items():
            for s in stories:
                members.setdefault(s, set()).add(h)
        merged = [hs for hs in members.values() if len(hs) > 1]
        return {
            "happenings": happenings,
            "missed": len(self.missed),
            "one_story": happenings - split,
            "over_split": split,
            "stories_per_happening": round(sum(len(s) for s in self.stories_of.values()) / happenings, 3)
            if happenings
            else 0.0,
            "reported_more_than_once": sum(1 for r in self.reports_of.values() if len(r) > 1),
            "stories": len(members),
            "over_merged": len(merged),
            "over_merged_within_article": sum(1 for hs in merged if len({a for a, _ in hs}) == 1),
            "over_merged_across_articles": sum(1 for hs in merged if len({a for a, _ in hs}) > 1),
        }
