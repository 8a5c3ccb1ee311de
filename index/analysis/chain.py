"""The analysis chain shared by indexing and querying.

    WordTokenizer() | CaseFilter() | YoFilter() | LemmaFilter() | StopFilter()

Each step is a Whoosh filter that does one thing. The index stores two
views of every text: lemmas (``lemma_analyzer``), so any form of a word finds
every other form, and lowercase surface forms (``surface_analyzer``), so exact
forms can be searched, expanded by prefix and highlighted.
"""
from __future__ import annotations

from whoosh.analysis import Filter, RegexTokenizer

from ..config import data_lines
from .lemmatizer import Lemmatizer, fold_yo

# Decimal numbers ("1,5"), then words joined by hyphens ("Юго-Восточная",
# "онлайн-платформ"). Apostrophes split ("all'estero" -> "all", "estero").
WORD_PATTERN = r"\d+(?:[.,]\d+)+|[^\W_]+(?:-[^\W_]+)*"


class WordTokenizer(RegexTokenizer):
    def __init__(self) -> None:
        super().__init__(expression=WORD_PATTERN)


class CaseFilter(Filter):
    """Lowercases, remembering on the token whether the word was capitalized
    (the lemmatizer treats capitalized names differently)."""

    def __call__(self, tokens):
        for t in tokens:
            text = t.text
            t.capitalized = text[:1].isupper()
            t.text = text.lower()
            yield t


class YoFilter(Filter):
    """ё -> е: Russian texts use both spellings for the same word."""

    def __call__(self, tokens):
        for t in tokens:
            if "ё" in t.text:
                t.text = t.text.replace("ё", "е")
            yield t


class LemmaFilter(Filter):
    """Replaces each word by its lemma; keeps the surface form on the token
    (``t.surface``)."""

    def __init__(self, lemmatizer: Lemmatizer | None = None) -> None:
        self._lemmatizer = lemmatizer

    @property
    def lemmatizer(self) -> Lemmatizer:
        # Created on first use: Whoosh pickles the schema (and so this filter)
        # into the index, and a morphology dictionary does not belong there.
        if self._lemmatizer is None:
            self._lemmatizer = Lemmatizer()
        return self._lemmatizer

    def __getstate__(self):
        return {"_lemmatizer": None}

    def __eq__(self, other):
        return isinstance(other, LemmaFilter)

    def __call__(self, tokens):
        lemma = self.lemmatizer.lemma
        for t in tokens:
            t.surface = t.text
            t.text = lemma(t.text, getattr(t, "capitalized", False))
            yield t


class StopFilter(Filter):
    """Drops Russian and Italian stop words (by lemma)."""

    def __init__(self, words: frozenset[str] | None = None) -> None:
        self.words = words if words is not None else load_stop_words()

    def __eq__(self, other):
        return isinstance(other, StopFilter) and other.words == self.words

    def __call__(self, tokens):
        # Positions are renumbered over the kept words, at index and query
        # time alike, so "sostituzione delle importazioni" is the phrase
        # "sostituzione importazione" on both sides.
        words = self.words
        position = 0
        for t in tokens:
            if t.text not in words:
                if t.positions:
                    t.pos = position
                    position += 1
                yield t


def load_stop_words() -> frozenset[str]:
    words: set[str] = set()
    for name in ("stopwords_ru.txt", "stopwords_it.txt"):
        for line in data_lines(name):
            words.update(fold_yo(line).split())
    return frozenset(words)


def lemma_analyzer(lemmatizer: Lemmatizer | None = None):
    return WordTokenizer() | CaseFilter() | YoFilter() | LemmaFilter(lemmatizer) | StopFilter()


def surface_analyzer():
    return WordTokenizer() | CaseFilter() | YoFilter()
