"""Text -> tokens with lemmas and offsets, punctuation kept: the build's
tokenizer, which the entity step matches phrases on and the index files as
it is (``build.pipeline``'s ``index_tokens``: the same words and lemmas the
schema's analyzers give, which a test checks)."""
from __future__ import annotations

import re
from typing import NamedTuple

from .chain import WORD_PATTERN
from .lemmatizer import Lemmatizer, fold_yo
from .word_ids import WordIds

# Words, and the punctuation that ends a name or joins a list.
_TOKEN = re.compile(WORD_PATTERN + r"|[,;.:!?()«»\"“”—–]")


class Token(NamedTuple):
    """A word (or a punctuation mark) with its lemma and offsets. A tuple,
    not a dataclass: a document makes a thousand of them, and a frozen
    dataclass's constructor cost more than lemmatizing (cached) does."""
    lemma: str
    surface: str  # lowercased, ё folded; punctuation as it stands
    capitalized: bool
    start: int
    end: int
    is_word: bool
    # the lemma's and the surface's ids in the tokenizer's ``WordIds``
    # (-1 without one, and for punctuation)
    lemma_id: int = -1
    surface_id: int = -1


WORD_CACHE_SIZE = 500_000


class LemmaTokens:
    """Text -> tokens with lemmas and offsets, punctuation kept (a name never
    spans a comma, and a comma joins a coordinated list)."""

    def __init__(self, lemmatizer: Lemmatizer) -> None:
        self.lemmatizer = lemmatizer
        # surface as written -> (lemma, lowercased, capitalized, is a word,
        # lemma id, surface id): one lookup for a word the corpus repeats
        self._words: dict[str, tuple[str, str, bool, bool, int, int]] = {}
        self.word_ids: WordIds | None = None

    def use_word_ids(self, word_ids: WordIds) -> None:
        """Gives each word's tokens its lemma's and surface's ids in
        ``word_ids`` (``word_ids.py``)."""
        self.word_ids = word_ids
        self._words.clear()  # made without them

    def _word(self, surface: str) -> tuple[str, str, bool, bool, int, int]:
        if surface[:1].isalnum():
            lower, capitalized = fold_yo(surface.lower()), surface[:1].isupper()
            lemma = self.lemmatizer.lemma(lower, capitalized)
            ids = self.word_ids
            known = (lemma, lower, capitalized, True, *((ids[lemma], ids[lower]) if ids is not None else (-1, -1)))
        else:
            known = (surface, surface, False, False, -1, -1)
        if len(self._words) >= WORD_CACHE_SIZE:
            self._words.clear()
        self._words[surface] = known
        return known

    def __call__(self, text: str, offset: int = 0) -> list[Token]:
        words, word = self._words, self._word
        out = []
        append, new = out.append, tuple.__new__  # a NamedTuple's own __new__ is a Python call
        for m in _TOKEN.finditer(text):
            surface = m.group()
            lemma, lower, capitalized, is_word, lemma_id, surface_id = words.get(surface) or word(surface)
            start, end = m.span()
            append(new(Token, (lemma, lower, capitalized, start + offset, end + offset, is_word, lemma_id, surface_id)))
        return out

    def key(self, phrase: str) -> tuple[str, ...]:
        return tuple(t.lemma for t in self(phrase) if t.is_word)
