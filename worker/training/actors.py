"""Build the actor lexicon (``worker/lang/ar/actors/{named,agents,adjectives}.tsv``) from the
Arabic CAMEO dictionaries of UniversalPetrarch (MIT) and, for nationality adjectives, the
nationality table of the ``arwikicats`` package (MIT).

The output is deterministic (sorted keys, roles in dictionary order): rebuilding from the same
sources gives the same files. ``khabar build-actors`` runs it. Sports clubs come from arwikicats' club labels (MIT) too.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from worker.lang.ar import rows, words
from worker.lang.ar.actor_lexicon import STATELESS, heads, key

# CAMEO's sector and agent codes (PETRARCH's Phoenix and the Arabic dictionaries): a code's first
# three letters are a country unless they are one of these.
SECTORS = frozenset(
    "GOV MIL REB OPP PTY COP JUD BUS MED EDU REL CVL ELI LEG NGO UAF SPY HRI CRM REF HLH RAD DEV "
    "LAB MOD AGR ENV INS SEP MUS JEW CHR ELC MNC IMG INT UNO".split()
)
# First codes that name no state: international/transnational (INT), an international militarised
# group (IMG: al-Qaeda, ISIS — ACTORS.md codes them with no country, REB), multinational companies.
NO_STATE = {"INT": None, "IMG": "REB", "MNC": "BUS"}
# Secondary codes that ACTORS.md folds into a primary sector.
SECTOR_AS = {"SPY": "GOV", "MOD": "GOV"}
PRIMARY = frozenset(
    "GOV MIL REB OPP PTY COP JUD BUS MED EDU REL CVL ELI LEG NGO UAF SPY MOD HRI CRM REF HLH LAB DEV AGR ENV".split()
)
OPEN_END = 18000101
PLACES = Path(__file__).resolve().parent.parent / "resources" / "places"  # the dictionary's "no end date"

_CODE = re.compile(r"\[\s*~?([A-Z?]*)\s*(?:([<>])\s*(\d{8})|(\d{8})\s*-\s*(\d{8}))?\s*\]")


def split_code(code: str) -> tuple[str | None, str | None] | None:
    """«PSECVLELI» → ("PSE", "CVL"); «MIL» → (None, "MIL"), a sector whose state the text must
    say; «IMGREB» → ("-", "REB"), an actor with no state; «IGOGOV» → ("IGO", None) (an IGO has no
    sector, ACTORS.md); None for an unreadable code."""
    code = code.strip("?~")
    chunks = [code[i : i + 3] for i in range(0, len(code), 3)]
    if not chunks or any(len(c) != 3 for c in chunks):
        return None
    country: str | None = None
    default = None
    if chunks[0] in NO_STATE:
        default = NO_STATE[chunks[0]]
        country, chunks = STATELESS, chunks[1:]
    elif chunks[0] not in SECTORS:
        country, chunks = chunks[0], chunks[1:]
    sector = next((SECTOR_AS.get(c, c) for c in chunks if c in PRIMARY), default)
    if country == "IGO" and sector == "GOV":
        sector = None
    if country in (None, STATELESS) and sector is None:
        return None
    return country, sector


def _dates(
    op: str | None, one: str | None, start: str | None, end: str | None
) -> tuple[int | None, int | None]:
    if op == ">":
        return int(one), None
    if op == "<":
        return None, int(one)
    if start is None:
        return None, None
    s, e = int(start), int(end)
    # "-18000101" is the dictionary's open end; an end before the start is a slip for the same
    return s, (None if e == OPEN_END or e <= s else e)


def _role(country: str | None, sector: str | None, start: int | None, end: int | None) -> str:
    code = country or ""
    if sector:
        code += "/" + sector
    if start is None and end is None:
        return code
    return f"{code}@{start or ''}-{end or ''}"


def _is_name(raw: str) -> bool:
    # entries are lemmas joined by "_"; a few lines are stray sentences with spaces: not names
    return bool(raw) and " " not in raw.strip("_ ")


def parse_actor_dict(lines: Iterable[str]) -> dict[str, list[str]]:
    """Key → roles (``named.tsv`` cells) of ``actor_dict_ar_v4.txt``: «NAME  [CODE]» lines, or a
    NAME line followed by indented «[CODE DATES]» lines; a name listed twice has all its roles,
    the ones listed most often first (the dictionary codes «قدس» ISR twice and PSE once)."""
    out: dict[str, Counter[str]] = {}
    current: str | None = None
    for line in lines:
        line = line.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        indented = line[0] in " \t" and line.strip().startswith("[")
        if not indented:
            name = line.split("[", 1)[0].strip()
            current = key(name) if _is_name(name) else None
            if current is not None:
                out.setdefault(current, Counter())
        if current is None:
            continue
        for m in _CODE.finditer(line if indented else line[line.find("[") :] if "[" in line else ""):
            parts = split_code(m.group(1))
            if parts is None:
                continue
            out[current][_role(*parts, *_dates(m.group(2), m.group(3), m.group(4), m.group(5)))] += 1
    # most_common keeps first-seen order among equal counts
    return {k: [role for role, _ in v.most_common()] for k, v in out.items() if v and k}


# an agent gloss that is Arabic words only (some lines hold stray Latin or brackets)
_ARABIC_PHRASE = re.compile("[\u0621-\u064a]+( [\u0621-\u064a]+)*")
_AGENT = re.compile(r"\[~([A-Z]+)\]?\s*([^#\[]*)")


def parse_agents(lines: Iterable[str]) -> dict[str, str]:
    """Key → sector of ``agents.all.ar.txt`` («ENGLISH_KEY [~CODE]Arabic phrase»; «/» between
    alternatives)."""
    out: dict[str, str] = {}
    for line in lines:
        if line.lstrip().startswith("#"):
            continue
        m = _AGENT.search(line)
        if not m:
            continue
        parts = split_code(m.group(1))
        if parts is None or parts[1] is None:
            continue
        for phrase in m.group(2).split("/"):
            k = key(phrase.strip())
            if k and _ARABIC_PHRASE.fullmatch(k):
                out.setdefault(k, parts[1])
    return out


def _country_of(names: dict[str, list[str]], name: str) -> str | None:
    """The state a country name is coded as in the dictionary (an undated country-only code)."""
    for role in names.get(key(name), ()):
        if "/" not in role and "@" not in role and role != "IGO":
            return role
    return None


def parse_nationalities(data: dict, names: dict[str, list[str]]) -> dict[str, str]:
    """Adjective key → country code from arwikicats' nationality table (each adjective's forms and
    its country's Arabic name, coded through the dictionary's entry for that name)."""
    out: dict[str, str] = {}
    clash: set[str] = set()
    for entry in (data[k] for k in sorted(data)):
        country = _country_of(names, entry.get("ar", ""))
        if country is None:
            continue
        for field in ("male", "female", "males", "the_male", "the_female"):
            k = key(entry.get(field) or "")
            if " " in k or len(k) < 4 or k in words("actors/not_adjectives"):
                continue  # a short plural («ترك») is too often an ordinary word
            if out.setdefault(k, country) != country:
                clash.add(k)
    return {k: v for k, v in out.items() if k not in clash}


def own_nationalities(names: dict[str, list[str]]) -> tuple[dict[str, str], dict[str, str]]:
    """Khabar's own adjective table (``names/nationalities.tsv``: stem → its state's names):
    (adjective key → country, state name key → country for the names the dictionary lacks,
    such as «الولايات المتحدة», whose lemma there is not the text's plural)."""
    adjectives, states = {}, {}
    for row in rows("names/nationalities"):
        variants = [v.strip() for v in row[1].split("|")]
        country = next((c for c in (_country_of(names, v) for v in variants) if c), None)
        if country is None:
            continue
        adjectives[key(row[0])] = country
        for v in variants:
            if key(v) not in names:
                states.setdefault(key(v), country)
    return adjectives, states


_CLUB_CITY = re.compile(r"\((.*?)\)\s*$")


def parse_clubs(data: dict, adjectives: dict[str, str], names: dict[str, list[str]]) -> dict[str, list[str]]:
    """Club name key → its states, from arwikicats' club labels that say the state: «نادي الاتفاق
    السعودي» (a closing nationality adjective) or «النادي الأهلي الرياضي (جدة)» (a city in
    brackets the dictionary places). Label words («نادي», «الرياضي», «لكرة القدم») are dropped."""
    label = words("actors/club_label_words")
    out: dict[str, list[str]] = {}
    for ar in (data[k] for k in sorted(data)):
        city = _CLUB_CITY.search(ar)
        body = ar[: city.start()] if city else ar
        parts = [w for w in key(body).split() if w not in label]
        country = None
        if parts and parts[-1] in adjectives:
            country, parts = adjectives[parts[-1]], parts[:-1]
        elif city and key(city.group(1)) in names:
            country = _country_of(names, city.group(1)) or _place_of(names, city.group(1))
        # leagues and stadiums share the labels («دوري …», «ملعب …»), and «الجيش» is an army first
        if not parts or parts[0] in words("actors/sports_words") or " ".join(parts) in heads():
            continue
        if country:
            states = out.setdefault(" ".join(parts), [])
            if country not in states:
                states.append(country)
    return out


def _place_of(names: dict[str, list[str]], name: str) -> str | None:
    """The state of a place the dictionary codes with a country alone (dated or not)."""
    for role in names.get(key(name), ()):
        code = role.split("@", 1)[0]
        if "/" not in code and code != "IGO":
            return code
    return None


def build(cameo_dir: Path, arwikicats: Path | None) -> dict[str, list[tuple[str, str]]]:
    """The rows of each output file (name → [(key, value)]); ``arwikicats`` is the ``jsons``
    folder of the arwikicats package (nationalities, sports clubs)."""
    names = parse_actor_dict((cameo_dir / "actor_dict_ar_v4.txt").read_text(encoding="utf-8").splitlines())
    agents = parse_agents((cameo_dir / "agents.all.ar.txt").read_text(encoding="utf-8").splitlines())
    # the dictionary's entries without a country («جيش [MIL]») are generic agents too
    for k, roles in names.items():
        if len(roles) == 1 and roles[0].startswith("/") and "@" not in roles[0]:
            agents.setdefault(k, roles[0][1:])
    adjectives, states = own_nationalities(names)
    for k, country in states.items():
        names.setdefault(k, [country])
    clubs: dict[str, list[str]] = {}
    if arwikicats is not None:
        data = json.loads(
            (arwikicats / "nationalities" / "nationalities_data.json").read_text(encoding="utf-8")
        )
        for k, v in parse_nationalities(data, names).items():
            adjectives.setdefault(k, v)
        data = json.loads((arwikicats / "sports" / "Clubs_key.json").read_text(encoding="utf-8"))
        clubs = parse_clubs(data, adjectives, names)
    return {
        "named": sorted((k, "|".join(v)) for k, v in names.items()),
        "agents": sorted(agents.items()),
        "adjectives": sorted(adjectives.items()),
        "clubs": sorted((k, "|".join(f"{c}/CVL" for c in v)) for k, v in clubs.items()),
        "states": sorted(cldr_states(names).items()),
    }


def cldr_states(names: dict[str, list[str]]) -> dict[str, str]:
    """State and territory names in Arabic from the Unicode CLDR (babel's locale data, Unicode
    licence) → ISO 3166-1 alpha-3, where the CAMEO dictionary lacks the name: it knows the Arab
    world well and misses much of the rest («الإكوادور», «تشيلي», «كرواتيا»). A name with a note in
    brackets is also listed without it («ميانمار (بورما)»). CLDR maps old alpha-3 codes too (ZAR
    and COD both to CD): the code kept is the one GeoNames lists today (the place gazetteer's
    countries.tsv); regions with none (the euro area, the world) are not states. A key shorter
    than four letters is left out: «ال» folded away, it could be a common word."""
    from babel import Locale
    from babel.core import get_global

    current = {
        line.split("\t")[0]
        for line in (PLACES / "countries.tsv").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    }
    alpha3 = {
        two[0]: three
        for three, two in get_global("territory_aliases").items()
        if three in current and len(two) == 1
    }
    out: dict[str, str] = {}
    for two, name in sorted(Locale("ar").territories.items()):
        if two not in alpha3:
            continue
        for form in dict.fromkeys((name, re.sub(r"\s*\(.*?\)", "", name))):
            k = key(form)
            if "(" not in form and len(k.replace(" ", "")) >= 4 and k not in names:
                out.setdefault(k, alpha3[two])
    return out


HEADERS = {
    "states": [
        "State and territory names → ISO 3166-1 alpha-3 (read by actor_lexicon.named() beneath every",
        "other table, used by stages/actors). Built by `khabar build-actors` from the Unicode CLDR's",
        "Arabic territory names (babel's locale data, Unicode licence) where actor_dict_ar_v4.txt",
        "lacks the name: do not edit.",
    ],
    "named": [
        "Named actors, places and states with their CAMEO-style codes (read by worker/lang/ar/actor_lexicon.py",
        "named(), used by stages/actors). Built by `khabar build-actors` from UniversalPetrarch's Arabic",
        "actor dictionary actor_dict_ar_v4.txt (MIT, Open Event Data Alliance; see SOURCES.md): do not edit.",
        "Columns: key (actor_lexicon.key form)<TAB>roles: COUNTRY/SECTOR@FROM-UNTIL (YYYYMMDD, either",
        "side open; country empty: the text must say it, «-»: none), | between roles.",
    ],
    "agents": [
        "Generic agents (minister, army, police …) → CAMEO sector (read by actor_lexicon.agents(), used by",
        "stages/actors). Built by `khabar build-actors` from UniversalPetrarch's agents.all.ar.txt and the",
        "country-less entries of actor_dict_ar_v4.txt (MIT, Open Event Data Alliance): do not edit.",
    ],
    "clubs": [
        "Sports clubs → their states, CVL (read by actor_lexicon.clubs(), used by stages/actors in articles",
        "about sport). Built by `khabar build-actors` from arwikicats' club labels that name the state",
        "(a closing nationality adjective or a city in brackets; MIT): do not edit. Columns as in named.tsv.",
    ],
    "adjectives": [
        "Nationality adjectives (any gender/number, actor_lexicon.key form) → country code (read by",
        "actor_lexicon.adjectives(), used by stages/actors). Built by `khabar build-actors` from",
        "names/nationalities.tsv and arwikicats' nationality table (MIT), countries coded through",
        "actor_dict_ar_v4.txt (MIT): do not edit.",
    ],
}


def write(out_dir: Path, tables: dict[str, list[tuple[str, str]]]) -> dict[str, int]:
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, items in tables.items():
        lines = [f"# {h}" for h in HEADERS[name]] + [f"{k}\t{v}" for k, v in items]
        (out_dir / f"{name}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {name: len(items) for name, items in tables.items()}
