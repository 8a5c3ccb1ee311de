"""The officials and places a query names, however it spells them.

The officials and regions facets hold one value per person and place
across cases, scripts and languages; this module lets the search box keep
that promise. ``Places`` knows the regions and federal districts by every
name of the knowledge files (``index/data/regions.tsv``,
``districts.tsv``): names, aliases, cities, Latin stems. ``People`` knows
the officials of one view of the index: the facet's values, the names the
corpus completes (``view.links``) and the knowledge base's spellings
(``officials.tsv``). ``EntityLexicon`` puts the two together for one view:
it finds the runs of query words that name an entity (``name_runs``) and
turns a typed facet value into the facet's own (``resolve``).

A word is compared by a key that forgets what does not tell names apart:
a Cyrillic word by its lemma (places) or its stem without case endings
(people: "Дегтярева" and "Дегтярёв" meet), a Latin one as written, then
by its spelling-insensitive skeleton. A query word may also bring its
spellings in the other script (``transliteration.py``), so "Degtyarev"
finds Михаил Дегтярёв and "Бонаккини" Stefano Bonaccini.

When a name stands for several officials (a surname two share) the
lexicon chooses as the corpus does (``index.entities.persons``): the full
name the corpus links the surname to, else one the knowledge base lists
and that has the most documents, else one with ``DOMINANT_SHARE`` of them;
otherwise it chooses none and says which they are.
"""
from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from index.analysis.lemmatizer import PROPER_NAME, fold_yo, oov_stem, script_of
from index.analysis.names import skeleton, transliterations
from index.config import data_lines, split_list
from index.entities.persons import DOMINANT_SHARE, load_known_officials, name_words

from .transliteration import TrieWords, WordSet

OFFICIAL, REGION, DISTRICT = "official", "region", "district"
# Kinds of region whose Latin stem is the region's own name ("Tatarstan",
# "Mosca"); an oblast's or a krai's is its capital's ("Tula", "Khabarovsk"),
# which stands for the region as its Russian cities do, unless it is a
# region's own name ("Mosca": Москва, not Московская область).
OWN_LATIN_NAME = ("republic", "okrug", "city")
MAX_CANDIDATES_SHOWN = 8


@dataclass(frozen=True)
class Entity:
    facet: str  # official, region or district
    value: str  # the facet's value


@dataclass(frozen=True)
class QueryWord:
    """A word of the query as the lexicon compares it."""

    raw: str  # as typed
    surface: str  # lowercase, ё as е
    lemma: str
    other_script: tuple[str, ...] = ()  # its spellings in the other script (lowercase)

    @property
    def capitalized(self) -> bool:
        return self.raw[:1].isupper()


@dataclass(frozen=True)
class Naming:
    """Query words ``start:end`` of a run name ``entity``; or, when it is
    None, any of ``candidates`` and so none of them. When the entity was
    chosen over others (a shared surname), they are the candidates."""

    words: str
    start: int
    end: int
    entity: Entity | None
    candidates: tuple[Entity, ...] = ()


def person_stem(word: str) -> str:
    """A Cyrillic name word without its case ending: "Дегтярева", "Дегтярёв"
    -> "дегтярев" (the lemmatizer's stem for words it does not know)."""
    return oov_stem(fold_yo(word.lower()))


class Places:
    """Regions and federal districts by every name of the knowledge files.
    The same for every view: built once per engine, on first use."""

    def __init__(self, parser) -> None:
        self.parser = parser
        # key (a word key per word) -> entity -> is it the entity's own name
        self.names: dict[tuple[str, ...], dict[Entity, bool]] = defaultdict(dict)
        self.longest = 1
        self.cyrillic_words: dict[str, str] = {}  # a word of a Russian name -> its key (its lemma)
        self.latin_words: dict[str, str] = {}  # a word of a Latin name -> its key
        self.folded_names: dict[Entity, list[str]] = defaultdict(list)  # every name, case- and ё-folded
        for line in data_lines("regions.tsv"):
            name, _district, kind, aliases, cities, latin = (line.split("\t") + [""] * 6)[:6]
            entity = Entity(REGION, name)
            for phrase in [name, *split_list(aliases, ","), *split_list(cities, ",")]:
                self._add(self._russian_key(phrase), entity, own=True, phrase=phrase)
            for stem in split_list(latin, "|"):
                self._add(self._latin_key(stem), entity, own=kind in OWN_LATIN_NAME, phrase=stem)
        for line in data_lines("districts.tsv"):
            name, aliases, latin = (line.split("\t") + ["", ""])[:3]
            entity = Entity(DISTRICT, name)
            for phrase in [name, *split_list(aliases, ",")]:
                self._add(self._russian_key(phrase), entity, own=True, phrase=phrase)
            for phrase in split_list(latin, "|"):
                self._add(self._latin_key(phrase), entity, own=True, phrase=phrase)
        self.cyrillic = WordSet(self.cyrillic_words)
        self.latin = WordSet(self.latin_words)

    def _russian_key(self, phrase: str) -> tuple[str, ...]:
        pairs = self.parser.analyze(phrase)
        for lemma, surface in pairs:
            self.cyrillic_words[surface] = lemma
        return tuple(lemma for lemma, _ in pairs)

    def _latin_key(self, phrase: str) -> tuple[str, ...]:
        # as written, not lemmatized: a Russian query need not load the Italian dictionary
        words = [w for w in self.parser.surfaces(phrase) if w not in self.parser.stop_words]
        for word in words:
            self.latin_words[word] = skeleton(word)
        return tuple(skeleton(w) for w in words)

    def _add(self, key: tuple[str, ...], entity: Entity, own: bool, phrase: str) -> None:
        if key:
            self.names[key][entity] = self.names[key].get(entity, False) or own
            self.longest = max(self.longest, len(key))
            self.folded_names[entity].append(fold_yo(phrase.lower()))

    def word_keys(self, word: QueryWord, lemma_of) -> set[str]:
        """The keys a query word may stand for: its own, and its spellings'
        in the other script."""
        keys = set()
        for spelling in (word.surface, *word.other_script):
            if script_of(spelling) == "cyrillic":
                keys.add(word.lemma if spelling == word.surface else
                         self.cyrillic_words.get(spelling) or lemma_of(spelling))
            elif script_of(spelling) == "latin":
                keys.add(skeleton(spelling))
        return keys

    def named(self, keys: list[set[str]]) -> list[Entity]:
        """The places whose name is, word by word, one of the keys; a place
        whose own name it is before one for which it is a capital's."""
        found: dict[Entity, bool] = {}
        for key in _combinations(keys):
            for entity, own in self.names.get(key, {}).items():
                found[entity] = found.get(entity, False) or own
        own = [e for e, is_own in found.items() if is_own]
        return own or list(found)

    def with_word_prefix(self, facet: str, prefix: str) -> list[str]:
        """Values of a facet with a name (alias, city) of which a word starts
        with ``prefix``: "чечн" finds Чеченская Республика through Чечня."""
        folded = fold_yo(prefix.lower()).strip()
        return [entity.value for entity, names in self.folded_names.items()
                if entity.facet == facet and any(n.startswith(folded) or any(w.startswith(folded) for w in n.split())
                                                 for n in names)]


def _combinations(keys: list[set[str]], limit: int = 64) -> list[tuple[str, ...]]:
    """Every tuple with one key of each word (a few: most words have one)."""
    out: list[tuple[str, ...]] = [()]
    for options in keys:
        out = [prefix + (k,) for prefix in out for k in options][:limit]
    return out


@functools.lru_cache(maxsize=500_000)
def _official_keys(value: str) -> tuple[str, tuple[str, ...], str | None]:
    """An official's (script, surname keys, first name): kept across views,
    whose values are mostly the same."""
    words = name_words(value) if any(w.lower() in _PARTICLES for w in value.split()) else value.split()
    if not words:
        return "other", (), None
    surname = words[-1].split()[-1]
    first = words[0] if len(words) > 1 else None
    script = script_of(surname.lower())
    if script == "cyrillic":
        return script, ("c:" + person_stem(surname),), first
    if script == "latin":
        return script, ("l:" + surname.lower(), "s:" + skeleton(surname)), first
    return script, (), first


_PARTICLES = frozenset(w.lower() for w in data_lines("name_particles.txt"))
# a first name's spellings in every scheme: a dozen calls of iuliia, asked again and again
_transliterations = functools.lru_cache(maxsize=100_000)(transliterations)


@functools.lru_cache(maxsize=500_000)
def _folded_words(value: str) -> tuple[str, ...]:
    return tuple(fold_yo(value.lower()).split())


@dataclass
class KnownOfficial:
    """An official of the knowledge base, with the keys of their spellings."""

    name: str
    surname_keys: set[str] = field(default_factory=set)
    first_keys: set[str] = field(default_factory=set)  # skeletons of their first names


@functools.lru_cache(maxsize=1)
def known_officials() -> tuple[KnownOfficial, ...]:
    """The knowledge base's officials with the keys of the spellings it
    gives (a scheme's other spellings of a name mostly share their
    skeleton; the rest, the corpus's own Latin spellings bring)."""
    out = []
    for official in load_known_officials():
        known = KnownOfficial(official.name)
        for spelling in [official.name, *official.aliases]:
            words = spelling.split()
            if script_of(words[-1].lower()) == "latin":
                known.surname_keys |= {"l:" + words[-1].lower(), "s:" + skeleton(words[-1])}
                if len(words) > 1:
                    known.first_keys.add(skeleton(words[0]))
            else:
                known.surname_keys.add("c:" + person_stem(words[-1]))
        out.append(known)
    return tuple(out)


class People:
    """The officials of one view by surname, for the query words that name
    them. Built with the first search of a view that needs it (tens of
    milliseconds at 100,000 documents), then read by every thread."""

    def __init__(self, column, links: dict[str, str]) -> None:
        values = list(column.values) if column is not None else []
        index_of = dict(column.index_of) if column is not None else {}
        # the knowledge base's officials no document names yet are names all the same
        # (no correction is offered for them), with no documents
        absent = [k.name for k in known_officials() if k.name not in index_of]
        index_of.update((name, len(values) + n) for n, name in enumerate(absent))
        self.values = values + absent
        self.totals = np.concatenate([column.totals if column is not None else np.zeros(0, dtype=np.int64),
                                      np.zeros(len(absent), dtype=np.int64)])
        self.index_of = index_of
        self.links = links
        self._words = None  # see ``words``
        self.by_surname: dict[str, list[int]] = defaultdict(list)
        for i, value in enumerate(self.values):
            for key in _official_keys(value)[1]:
                self.by_surname[key].append(i)
        self.known: dict[int, KnownOfficial] = {}
        for official in known_officials():
            i = self.index_of.get(official.name)
            if i is not None:
                self.known[i] = official
                for key in official.surname_keys:
                    if i not in self.by_surname[key]:
                        self.by_surname[key].append(i)

    @property
    def words(self) -> tuple:
        """(a trie of the words of every official's name, case- and
        ё-folded; each word -> the officials with it): built on the first
        completion a view is asked for, then kept (compute-again)."""
        if self._words is None:
            import marisa_trie

            by_word: dict[str, list[int]] = defaultdict(list)
            for i, value in enumerate(self.values):
                for word in _folded_words(value):
                    by_word[word].append(i)
            self._words = (marisa_trie.Trie(by_word), by_word)
        return self._words

    def with_word_prefix(self, typed: str, transliterator) -> list[int]:
        """The officials a word of whose name starts with ``typed``, in its
        script or the other ("degt", "дегт": Михаил Дегтярёв; "Бонак":
        Stefano Bonaccini); with several words typed, whose name starts
        with them all."""
        folded = fold_yo(typed.lower()).strip()
        if not folded:
            return list(range(len(self.values)))
        trie, by_word = self.words
        first = folded.split()[0]
        starts = {first} | transliterator.prefixes(first, TrieWords(trie))
        found = {i for start in starts for word in trie.keys(start) for i in by_word[word]}
        if " " in folded:
            found = {i for i in found if fold_yo(self.values[i].lower()).startswith(folded)}
        return sorted(found)

    def surname_keys(self, word: QueryWord) -> tuple[set[str], set[str]]:
        """(exact keys, spelling-insensitive keys) of a word as a surname."""
        exact, loose = set(), set()
        for spelling in (word.surface, word.lemma, *word.other_script):
            script = script_of(spelling)
            if script == "cyrillic":
                exact.add("c:" + person_stem(spelling))
            elif script == "latin":
                exact.add("l:" + spelling)
                loose.add("s:" + skeleton(spelling))
        return exact, loose

    def with_surname(self, word: QueryWord) -> list[int]:
        exact, loose = self.surname_keys(word)
        found = {i for key in exact for i in self.by_surname.get(key, ())}
        if not found:
            found = {i for key in loose for i in self.by_surname.get(key, ())}
        return sorted(found)

    def first_name_fits(self, i: int, word: QueryWord) -> bool:
        """Is ``word`` (in any script) the first name of official ``i``?"""
        first = _official_keys(self.values[i])[2]
        if first is None:
            return False
        spellings = {word.surface, word.lemma, *word.other_script}
        folded = fold_yo(first.lower())
        cyrillic = [s for s in spellings if script_of(s) == "cyrillic"]
        if folded in spellings or any(person_stem(s) == person_stem(folded) for s in cyrillic):
            return True
        latin = {skeleton(s) for s in spellings if script_of(s) == "latin"}
        known = self.known.get(i)
        theirs = known.first_keys if known else set()
        if script_of(folded) == "cyrillic":
            # compared in Cyrillic above; in Latin only if the word has a Latin spelling
            return bool(latin) and bool(latin & (_transliterations(first) | theirs))
        theirs = theirs | {skeleton(first)}
        return bool(latin & theirs) or any(_transliterations(s) & theirs for s in cyrillic)

    def named(self, words: list[QueryWord]) -> list[int]:
        """The officials a surname, or a first name and a surname (and a
        patronymic between them), stand for."""
        if not 1 <= len(words) <= 3:
            return []
        candidates = self.with_surname(words[-1])
        if len(words) > 1:
            candidates = [i for i in candidates if self.first_name_fits(i, words[0])]
        return candidates

    def choose(self, candidates: list[int]) -> tuple[int | None, list[int]]:
        """(the one official of ``candidates`` a name stands for or None,
        the others)."""
        if len(candidates) <= 1:
            return (candidates[0] if candidates else None), []
        # a value of one word is a surname the corpus has not completed: the
        # full names with it stand for it
        full = [i for i in candidates if len(self.values[i].split()) > 1] or candidates
        if len(full) == 1:
            return full[0], [i for i in candidates if i != full[0]]
        by_name = {self.values[i]: i for i in full}
        for i in full:
            linked = by_name.get(self.links.get(self.values[i].split()[-1], ""))
            if linked is not None:
                return linked, [j for j in full if j != linked]
        best = max(full, key=lambda i: (int(self.totals[i]), self.values[i]))
        documents = sum(int(self.totals[i]) for i in full)
        known = [i for i in full if i in self.known]
        if known == [best] or int(self.totals[best]) >= DOMINANT_SHARE * documents:
            return best, [i for i in full if i != best]
        return None, sorted(full, key=lambda i: -int(self.totals[i]))


def looks_like_name(word: QueryWord, lemmatizer) -> bool:
    """May a single word stand for a person or a place? A word the
    dictionary does not know, or knows first as a name ("путин", "тула");
    as typed with a capital, one it knows as a name at all ("Орёл"); in
    Latin script, one the Italian dictionary lacks, or any typed with a
    capital ("Meloni", not "meloni")."""
    script = script_of(word.surface)
    if script == "cyrillic":
        parses = lemmatizer.known_parses(word.surface)
        if not parses or PROPER_NAME & parses[0].tag.grammemes:
            return True
        return word.capitalized and any(PROPER_NAME & p.tag.grammemes for p in parses)
    if script == "latin":
        return word.capitalized or not lemmatizer.knows_italian(word.surface)
    return False


class EntityLexicon:
    """Places and one view's officials: what runs of query words name, and
    a typed facet value as the facet holds it."""

    def __init__(self, places: Places, people: People, lemmatizer) -> None:
        self.places = places
        self.people = people
        self.lemmatizer = lemmatizer

    def lemma_of(self, surface: str) -> str:
        return self.lemmatizer.lemma(surface, True)

    def looks_like_name(self, word: QueryWord) -> bool:
        return looks_like_name(word, self.lemmatizer)

    def name_runs(self, words: list[QueryWord]) -> list[Naming]:
        """The names in a run of adjacent query words, longest first from
        the left; a single word only if it looks like a name."""
        keys = [self.places.word_keys(w, self.lemma_of) for w in words]
        out, at = [], 0
        while at < len(words):
            for size in range(min(max(self.places.longest, 3), len(words) - at), 0, -1):
                run = words[at:at + size]
                if size == 1 and not self.looks_like_name(run[0]):
                    continue
                naming = self._naming(run, keys[at:at + size], at)
                if naming is not None:
                    out.append(naming)
                    at += size
                    break
            else:
                at += 1
        return out

    def _naming(self, run: list[QueryWord], keys: list[set[str]], start: int) -> Naming | None:
        typed = " ".join(w.raw for w in run)
        places = self.places.named(keys)
        people = self.people.named(run)
        if not places and not people:
            return None
        if len(places) == 1 and len(run) == 1:
            # a place's own name before a surname: the knowledge file lists
            # no city that is a common surname ("Mosca" is Москва, not Laura Mosca)
            others = [Entity(OFFICIAL, self.people.values[i]) for i in people]
            return Naming(typed, start, start + 1, places[0], tuple(others[:MAX_CANDIDATES_SHOWN]))
        chosen, others = self.people.choose(people)
        entities = [Entity(OFFICIAL, self.people.values[chosen])] if chosen is not None else []
        entities += places[:1] if len(places) == 1 else []
        candidates = [Entity(OFFICIAL, self.people.values[i]) for i in others]
        candidates += places if len(places) > 1 else []
        if len(entities) == 1:
            return Naming(typed, start, start + len(run), entities[0], tuple(candidates))
        return Naming(typed, start, start + len(run), None, tuple(entities + candidates))

    def names_form(self, form: str) -> bool:
        """Is a (lowercase) Latin-script form of the index a word of an
        official's or a place's name? Such a form is worth offering as a
        correction though no dictionary has it."""
        return bool(self.people.by_surname.get("l:" + form)) or form in self.places.latin_words

    def documents(self, entity: Entity, view) -> int:
        column = view.facet_column(entity.facet)
        i = column.index_of.get(entity.value) if column is not None else None
        return int(column.totals[i]) if i is not None else 0
