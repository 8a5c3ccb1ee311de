"""Words to lemmas, for both sides: pymorphy3 for Cyrillic words, simplemma
(Italian) for Latin ones, with the spelling folds both sides apply."""
from __future__ import annotations

import re
import threading
from functools import lru_cache

import pymorphy3
import pymorphy3_dicts_ru

from ..config import cache_dir

_CYRILLIC = re.compile(r"[а-яё]")
_LATIN = re.compile(r"[a-zà-ÿ]")
# Grammemes of proper names: a capitalized word with such a parse keeps the
# name's own lemma rather than a common noun's ("Иванова" -> "иванов").
PROPER_NAME = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"})
# Case endings stripped from words the dictionary does not know (mostly names
# and brands), so "Мечел", "Мечела", "Мечелом" share one form. pymorphy's
# guesses for such words are common nouns ("Мечел" -> "мечеть").
_OOV_ENDINGS = tuple(sorted(
    ["ами", "ями", "ого", "его", "ому", "ему", "ыми", "ими", "ом", "ем", "ой", "ей", "ым", "им",
     "ах", "ях", "а", "я", "у", "ю", "е", "ы", "и"], key=len, reverse=True))
_OOV_MIN_STEM = 4
LEMMA_CACHE_SIZE = 1_000_000
PARSE_CACHE_SIZE = 200_000


def fold_yo(text: str) -> str:
    return text.replace("ё", "е").replace("Ё", "Е")


def script_of(word: str) -> str:
    """'cyrillic', 'latin' or 'other' (numbers, mixed symbols)."""
    if _CYRILLIC.search(word):
        return "cyrillic"
    if _LATIN.search(word):
        return "latin"
    return "other"


class Lemmatizer:
    """Word -> lemma: pymorphy3 for Cyrillic words, simplemma (Italian) for
    Latin ones. The script, not the document's language, chooses: a query has
    no document language, and the two must agree. Results are cached because a
    corpus repeats the same forms millions of times."""

    def __init__(self) -> None:
        # An explicit path skips pymorphy's scan of installed entry points.
        self.morph = pymorphy3.MorphAnalyzer(path=pymorphy3_dicts_ru.get_path())
        self.lemma = lru_cache(maxsize=LEMMA_CACHE_SIZE)(self._lemma)
        self.known_parses = lru_cache(maxsize=PARSE_CACHE_SIZE)(self._known_parses)
        self._italian = None
        self._italian_strategy = None
        self._italian_lookup = None
        self._italian_common = lru_cache(maxsize=PARSE_CACHE_SIZE)(self._is_italian_common)
        self._italian_lock = threading.Lock()  # threads of a server may all meet their first Italian word at once

    def _lemma(self, word: str, capitalized: bool) -> str:
        kind = script_of(word)
        if kind == "cyrillic":
            if "-" in word and not self._known(word):
                return "-".join(self._russian(part, capitalized) for part in word.split("-"))
            return self._russian(word, capitalized)
        if kind == "latin":
            return self.italian.lemmatize(word, lang="it").lower()
        return word

    @property
    def italian(self):
        """simplemma over its dictionary as a MARISA trie cached on disk:
        loading the plain dictionary costs most of a second in every new
        process (search-cli, each indexing worker); the cached trie loads in
        a millisecond and gives the same lemmas. Made on first use, so a
        Russian-only run never loads it."""
        if self._italian is None:
            with self._italian_lock:
                if self._italian is None:
                    self._italian_strategy, self._italian, self._italian_lookup = self._load_italian()
        return self._italian

    def italian_common(self, word: str) -> bool:
        """Whether the Italian dictionary knows a word as a common word: a
        lemma of its own in lowercase ("rossi" -> "rosso"), not a proper
        name's ("Paolo") and not a word it does not know ("Bersani")."""
        return self._italian_common(word)

    def _is_italian_common(self, word: str) -> bool:
        self.italian  # loads the lookup with it
        lemma = self._italian_lookup.get_lemma(word, "it")
        return lemma is not None and lemma[:1].islower()

    def knows_italian(self, word: str) -> bool:
        """Is a (lowercase) Latin-script word in the Italian dictionary itself,
        not guessed by a rule? A name the dictionary lacks ("putin") is not."""
        self.italian  # noqa: B018  (loads the dictionary)
        return self._italian_strategy.is_dictionary_member(word, "it")

    @staticmethod
    def _load_italian():
        from simplemma import Lemmatizer as Simplemma
        from simplemma.strategies import DefaultStrategy
        from simplemma.strategies.dictionaries import DefaultDictionaryFactory

        factory = DefaultDictionaryFactory()
        try:
            from simplemma.strategies.dictionaries.trie_dictionary_factory import TrieDictionaryFactory

            trie = TrieDictionaryFactory(disk_cache_dir=str(cache_dir() / "simplemma"))
            trie.get_dictionary("it")  # builds the cache once; fails early if it cannot
            factory = trie
        except Exception:  # no marisa-trie, or a read-only cache: the plain dictionary works
            pass
        from simplemma.strategies import DictionaryLookupStrategy

        strategy = DefaultStrategy(dictionary_factory=factory)
        # (the strategy, for dictionary membership; the lemmatizer; a lookup
        # that guesses nothing, for whether a word is a common Italian word)
        return strategy, Simplemma(lemmatization_strategy=strategy), DictionaryLookupStrategy(dictionary_factory=factory)

    def _known_parses(self, word: str) -> tuple:
        """pymorphy's parses of a word that come from its dictionary (as
        ``p.is_known`` tells). A word the dictionary lacks has none, so it is
        not parsed at all: pymorphy would guess its forms by analogy first,
        three times the cost of a known word's parse."""
        if not self.morph.word_is_known(word):
            return ()
        try:
            return tuple(p for p in self.morph.parse(word) if p.is_known)
        except ValueError:  # pymorphy's word-shape code fails on some rare scripts mixed in
            return ()

    def _known(self, word: str) -> bool:
        return bool(self.known_parses(word))

    def _russian(self, word: str, capitalized: bool) -> str:
        parses = self.known_parses(word)
        if not parses:
            return oov_stem(word)
        if capitalized:
            for parse in parses:
                if PROPER_NAME & parse.tag.grammemes:
                    return fold_yo(parse.normal_form)
        return fold_yo(parses[0].normal_form)


def oov_stem(word: str) -> str:
    for ending in _OOV_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _OOV_MIN_STEM:
            return word[: -len(ending)]
    return word
