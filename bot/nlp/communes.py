"""Commune matching behind :func:`bot.nlp.normalize.parse_commune`.

Every name, postcode and department comes from the call data
(``call.territory``). Matching works on folded text (see ``bot.nlp.normalize.fold``):

1. exact aliases, whole words, longest first: full names, names without their
   article ("kremlin bicetre"), glued articles ("lhay"), and short heads that are
   unique ("vitry", "champigny", "kremlin", "saint maur"); "st"/"ste" are
   expanded first. A short head followed by another name part ("Fontenay-aux-Roses",
   "Nogent-sur-Oise") is not taken for the Val-de-Marne commune;
2. a postcode (94xxx -> the communes having it; another department's -> outside);
3. RapidFuzz ratio on windows of 1-4 words, with a cut-off, same first letter,
   for typos ("creteuil", "vincenne").
A head shared by two communes ("villeneuve") matches nothing: the bot asks again.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.call.facts import CallFacts

FUZZY_CUTOFF = 88  # rapidfuzz ratio, 0-100; "gentil" vs "gentilly" is 86 and must fail
FUZZY_MIN_CHARS = 5
MAX_WINDOW_WORDS = 4
_ARTICLES = {"le", "la", "les", "l"}
_CONNECTORS = {"sur", "sous", "en", "le", "la", "les", "des", "de", "du", "aux", "lez", "l", "et"}
# Heads too common or too vague to stand for a place on their own.
_VAGUE_HEADS = {"saint", "sainte", "queue", "maisons", "seine", "hauts", "val", "grand", "bois"}


@dataclass(frozen=True)
class CommuneMatch:
    """A place the user named. ``name`` is the official name, or the postcode text
    when only an unknown postcode was given, or "A / B" for a shared postcode.
    """

    name: str
    in_territory: bool
    department: str | None = None
    postcode: str | None = None


@dataclass(frozen=True)
class _Place:
    name: str
    in_territory: bool
    department: str
    postcodes: tuple[str, ...] = ()


class _Index:
    def __init__(self, call: CallFacts, fold: Callable[[str], str]) -> None:
        territory = call.territory
        self.prefix = territory.postcode_prefix
        self.inside = f"{territory.department} ({territory.department_code})"
        self.outside_default = f"hors {territory.department}"
        self.neighbours = {n.code: f"{n.name} ({n.code})" for n in territory.neighbours}
        self.communes = [
            _Place(c.name, True, self.inside, tuple(c.postcodes)) for c in territory.communes
        ]
        places = self.communes + [
            _Place(o.name, False, o.department) for o in territory.known_outside
        ]
        places += [_Place(n.name, False, f"{n.name} ({n.code})") for n in territory.neighbours]
        self.aliases: dict[str, _Place | None] = {}
        self.short: set = set()
        seen = set()
        for place in places:
            if place.name in seen:
                continue
            seen.add(place.name)
            full, short = _aliases(prepare(place.name, fold))
            for alias in full | short:
                other = self.aliases.get(alias, place)
                self.aliases[alias] = place if other and other.name == place.name else None
            self.short |= short - full
        self.regex = re.compile(
            r"(?<![\w])(" + "|".join(
                re.escape(a) for a in sorted(self.aliases, key=len, reverse=True)
            ) + r")(?![\w])"
        )
        self.fuzzy = [a for a, p in self.aliases.items() if p and len(a) >= FUZZY_MIN_CHARS]


def _aliases(name: str) -> tuple[set, set]:
    """(full forms, short forms) of a folded official name."""
    words = name.split()
    full = {name}
    base = words
    if words[0] in _ARTICLES and len(words) > 1:
        base = words[1:]
        full.add(" ".join(base))
        if words[0] == "l":
            full.add("l" + " ".join(base))
    head: list[str] = []
    for word in base:
        if head and word in _CONNECTORS:
            break
        head.append(word)
    short = {" ".join(head)}
    if len(head) > 1 and head[0] not in ("saint", "sainte"):
        short.add(head[0])
    if words[0] == "l":
        short |= {"l" + s for s in short}
    short = {s for s in short if len(s) >= 3 and s not in _VAGUE_HEADS}
    return full, short - full


def prepare(folded: str, fold: Callable[[str], str]) -> str:
    """Expand abbreviations; other punctuation becomes a "|" barrier."""
    t = fold(folded)
    t = re.sub(r"\bs ?/ ?(?=(seine|marne|bois)\b)", "sur ", t)
    t = re.sub(r"(?<=\w)/(?=(seine|marne|bois)\b)", " sur ", t)
    t = re.sub(r"\bst\b", "saint", t)
    t = re.sub(r"\bste\b", "sainte", t)
    t = re.sub(r"[^\w\s]+", " | ", t)
    return re.sub(r"\s+", " ", t).strip()


_CACHE: dict[int, tuple[CallFacts, Callable, _Index]] = {}


def _index(call: CallFacts, fold: Callable[[str], str]) -> _Index:
    entry = _CACHE.get(id(call))
    if entry is None or entry[0] is not call or entry[1] is not fold:
        if len(_CACHE) >= 8:  # a few call objects at most (tests); keep memory bounded
            _CACHE.clear()
        entry = _CACHE[id(call)] = (call, fold, _Index(call, fold))
    return entry[2]


def _result(place: _Place, postcode: str | None) -> CommuneMatch:
    if place.postcodes and postcode not in place.postcodes:
        postcode = place.postcodes[0] if len(place.postcodes) == 1 else None
    return CommuneMatch(place.name, place.in_territory, place.department, postcode)


def _cut_short(index: _Index, alias: str, following: list[str]) -> bool:
    """A short head followed by "aux roses", "sur oise"...: another commune."""
    # "et" starts a new clause far more often than a place name ("à Vitry et on voudrait…").
    return alias in index.short and len(following) > 1 and following[0] in _CONNECTORS - {"et"}


def _exact(index: _Index, text: str) -> _Place | None:
    for m in index.regex.finditer(text):
        place = index.aliases[m.group(1)]
        if place and not _cut_short(index, m.group(1), text[m.end():].split()):
            return place
    return None


def _by_postcode(index: _Index, text: str) -> CommuneMatch | None:
    m = re.search(r"(?<![\w])(\d{2}) ?(\d{3})(?![\w])", text)
    if m:
        code = m.group(1) + m.group(2)
        if code.startswith(index.prefix):
            names = [c.name for c in index.communes if code in c.postcodes]
            return CommuneMatch(" / ".join(names) or code, True, index.inside, code)
        department = index.neighbours.get(code[:2], index.outside_default)
        return CommuneMatch(code, False, department, code)
    m = re.search(r"(?:^|\b(?:le|du|dans le|en)\s)(\d{2})$", text)
    if m and m.group(1) in index.neighbours:
        department = index.neighbours[m.group(1)]
        return CommuneMatch(department.rsplit(" (", 1)[0], False, department, None)
    return None


def _fuzzy(index: _Index, text: str) -> _Place | None:
    best: tuple[float, str] | None = None
    for chunk in text.split("|"):
        words = chunk.split()
        for size in range(1, MAX_WINDOW_WORDS + 1):
            for start in range(len(words) - size + 1):
                window = " ".join(words[start:start + size])
                if len(window) < FUZZY_MIN_CHARS:
                    continue
                hit = process.extractOne(
                    window, index.fuzzy, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
                )
                if not hit or hit[0][0] != window[0]:
                    continue
                if _cut_short(index, hit[0], words[start + size:]):
                    continue
                if best is None or hit[1] > best[0]:
                    best = (hit[1], hit[0])
    return index.aliases[best[1]] if best else None


def match_commune(
    folded: str, call: CallFacts, fold: Callable[[str], str], fuzzy: bool = True
) -> CommuneMatch | None:
    """The place named in already folded text, or None when nothing matches.

    ``fuzzy=False`` keeps exact names only (a commune named inside a longer sentence).
    """
    index = _index(call, fold)
    text = prepare(folded, fold)
    if not text:
        return None
    postcode = re.search(r"(?<![\w])(\d{2}) ?(\d{3})(?![\w])", text)
    code = postcode.group(1) + postcode.group(2) if postcode else None
    place = _exact(index, text)
    if place:
        return _result(place, code)
    found = _by_postcode(index, text)
    if found or not fuzzy:
        return found
    place = _fuzzy(index, text)
    return _result(place, code) if place else None
