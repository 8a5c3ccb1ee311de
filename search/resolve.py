"""A facet value however it is typed -> the value the facet holds.

``official:Дегтярёв``, ``region:Хабаровский``, ``--region Чечня`` and a
URL's ``region=khabarovsk`` accept whatever the facet-value search
accepts: any case and ё, a case form, a surname alone, another script, an
alias or a city, the opening letters of a word. One value found is the
value; several give a message that lists them (a surname the lexicon
cannot choose for, ``entities.People.choose``); none, a message too.
"""
from __future__ import annotations

import re

from index.analysis.chain import WORD_PATTERN
from index.analysis.lemmatizer import fold_yo, script_of
from index.analysis.names import skeleton

from .entities import MAX_CANDIDATES_SHOWN, OFFICIAL, EntityLexicon
from .facets import fold, value_matches
from .query import Word

NAMED_FACETS = ("official", "region", "district")
_WORD = re.compile(WORD_PATTERN)


class FacetValues:
    """One view's facet values, found from what a user typed."""

    def __init__(self, view, lexicon: EntityLexicon, planner) -> None:
        self.view = view
        self.lexicon = lexicon
        self.planner = planner

    # -- the facet-value search (the filter box, autocomplete) ---------------------------
    def matching(self, name: str, prefix: str) -> list[tuple[str, int]]:
        """(value, documents) of a facet's values a word of which starts with
        ``prefix`` in any script, or a name of which does (a region's
        aliases and cities: "чечн" finds Чеченская Республика), most
        documents first."""
        column = self.view.facet_column(name)
        if column is None:
            return []
        if name == OFFICIAL:  # tens of thousands of names: by a trie of their words
            found = {i for i in self.lexicon.people.with_word_prefix(prefix, self.planner.transliterator)
                     if i < len(column.values)}  # not the knowledge base's officials no document names
        else:
            found = {i for i, value in enumerate(column.values) if value_matches(value, prefix)}
        if name in ("region", "district") and prefix.strip():
            found |= {column.index_of[v] for v in self.lexicon.places.with_word_prefix(name, prefix) if v in column.index_of}
        return sorted(((column.values[i], int(column.totals[i])) for i in found), key=lambda vc: (-vc[1], vc[0]))

    def documents(self, name: str, value: str) -> int:
        column = self.view.facet_column(name)
        i = column.index_of.get(value) if column is not None else None
        return int(column.totals[i]) if i is not None else 0

    # -- a typed value -> the value ------------------------------------------------------
    def resolve(self, name: str, typed: str) -> tuple[str | None, str | None]:
        """(the facet's value or None, a message for the user or None)."""
        column = self.view.facet_column(name)
        if column is None:
            return None, f"no {name} called {typed!r}"
        if typed in column.index_of:
            return typed, None
        if name == OFFICIAL and self.view.links.get(typed) in column.index_of:
            return self.view.links[typed], None  # a name the corpus completes, as its facet shows it
        folded = fold(typed)
        same = [v for v in column.values if fold(v) == folded] if name != OFFICIAL else self._official_folded(folded)
        if same:
            return same[0], None
        chosen, candidates = self.candidates(name, typed)
        if chosen is not None:
            return chosen, None
        if not candidates:
            return None, f"no {name} called {typed!r}"
        listed = candidates
        shown = ", ".join(f"{v} ({int(column.totals[column.index_of[v]])})" for v in listed[:MAX_CANDIDATES_SHOWN])
        more = f" and {len(listed) - MAX_CANDIDATES_SHOWN} more" if len(listed) > MAX_CANDIDATES_SHOWN else ""
        return None, f"{name}:{typed} may be any of {len(listed)}: {shown}{more}; pick one"

    def candidates(self, name: str, typed: str) -> tuple[str | None, list[str]]:
        """(the one value ``typed`` names or None, the values it may name,
        most documents first), past the exact and folded spellings
        ``resolve`` tries first: a name of the lexicon, every word of a
        value, then the opening letters of a word."""
        column = self.view.facet_column(name)
        if column is None:
            return None, []
        found = self._named(name, typed) or self._by_words(name, typed) or [v for v, _ in self.matching(name, typed)]
        if len(found) == 1:
            return found[0], found
        if found and name == OFFICIAL:
            chosen, _ = self.lexicon.people.choose([column.index_of[v] for v in found])
            if chosen is not None:
                return column.values[chosen], found
        return None, sorted(found, key=lambda v: (-int(column.totals[column.index_of[v]]), v))

    def _official_folded(self, folded: str) -> list[str]:
        """Officials spelled so but for case and ё, found through their
        surnames (a scan of every official would cost milliseconds)."""
        surname = folded.split()[-1] if folded.split() else ""
        word = self._words(surname)
        people = self.lexicon.people
        return [people.values[i] for i in (people.with_surname(word[0]) if word else [])
                if fold(people.values[i]) == folded and people.values[i] in self.view.facet_column(OFFICIAL).index_of]

    def _words(self, typed: str) -> list:
        """The typed words as the lexicon compares query words."""
        out = []
        for raw in _WORD.findall(typed):
            analyzed = self.planner.parser.analyze(raw)
            lemma, surface = analyzed[0] if analyzed else (fold_yo(raw.lower()), fold_yo(raw.lower()))
            out.append(self.planner.query_word(Word(raw, lemma, surface), self.view, lambda: self.lexicon))
        return out

    def _named(self, name: str, typed: str) -> list[str]:
        """The values a name of the lexicon gives: a surname, a full name in
        any case and script; a region's name, alias or city."""
        words = self._words(typed)
        if not words:
            return []
        column = self.view.facet_column(name)
        if name == OFFICIAL:
            people = self.lexicon.people
            return [people.values[i] for i in people.named(words) if people.values[i] in column.index_of]
        if name in NAMED_FACETS:
            keys = [self.lexicon.places.word_keys(w, self.lexicon.lemma_of) for w in words]
            return [e.value for e in self.lexicon.places.named(keys) if e.facet == name and e.value in column.index_of]
        return []

    def _by_words(self, name: str, typed: str) -> list[str]:
        """Values with every typed word among their own words, in any
        case form ("хабаровского" in Хабаровский край, "металлургии" in
        Металлургия): regions, districts and sectors, a few dozen values."""
        if name == OFFICIAL:
            return []
        wanted = self._keys(typed)
        if not wanted:
            return []
        column = self.view.facet_column(name)
        return [v for v in column.values if wanted <= self._keys(v)]

    def _keys(self, text: str) -> set[str]:
        keys = set()
        for lemma, surface in self.planner.parser.analyze(text):
            keys.add(lemma if script_of(surface) == "cyrillic" else skeleton(surface))
        return keys
