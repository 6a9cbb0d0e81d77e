"""The home state of the outlet an article comes from, read off its URL.

Arabic news names the nationality of foreigners («المهاجم الأردني») and leaves out its own
country's («وزير الخارجية», «مجلس الوزراء», a club's manager): the state an outlet reports from is
the one most often left unsaid. The host of the article's URL gives it: a site of
``actors/outlet_hosts`` (with the outlet's own name as its articles write it), else a
country-code domain of a state whose press writes Arabic (``.sa``, ``.eg`` …). An article with no
URL, or from a host neither names, has no home state.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from worker.lang.ar import LexiconError, rows
from worker.lang.ar.actor_lexicon import key

# Country-code domains of the states whose press writes Arabic (the Arab League's members) and of
# the neighbours whose state agencies publish in Arabic; ISO 3166-1 alpha-2 → alpha-3.
COUNTRY_DOMAINS = {
    "ae": "ARE", "bh": "BHR", "dj": "DJI", "dz": "DZA", "eg": "EGY", "iq": "IRQ", "jo": "JOR",
    "km": "COM", "kw": "KWT", "lb": "LBN", "ly": "LBY", "ma": "MAR", "mr": "MRT", "om": "OMN",
    "ps": "PSE", "qa": "QAT", "sa": "SAU", "sd": "SDN", "so": "SOM", "sy": "SYR", "tn": "TUN",
    "ye": "YEM", "ir": "IRN", "tr": "TUR", "il": "ISR",
}  # fmt: skip


@dataclass(frozen=True)
class Home:
    state: str
    names: frozenset[str] = frozenset()  # the outlet's own names, in actor_lexicon.key form


@cache
def _hosts() -> dict[str, Home]:
    out = {}
    for r in rows("actors/outlet_hosts"):
        if len(r) < 2 or len(r[1]) != 3 or not r[1].isupper():
            raise LexiconError(f"lexicon 'actors/outlet_hosts': row {r[0]!r} needs a state code")
        names = frozenset(key(n) for n in r[2].split("|")) if len(r) > 2 else frozenset()
        out[r[0].lower()] = Home(r[1], names)
    return out


def home_of(url: str | None) -> Home | None:
    """The home state (and the outlet's names) of the site ``url`` is on, or None."""
    if not url:
        return None
    try:
        host = (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()
    except ValueError:  # a malformed URL names no site
        return None
    labels = host.removeprefix("www.").split(".")
    hosts = _hosts()
    for i in range(len(labels) - 1):
        found = hosts.get(".".join(labels[i:]))
        if found is not None:
            return found
    state = COUNTRY_DOMAINS.get(labels[-1]) if len(labels) > 1 else None
    return Home(state) if state else None
