"""The lemmas a query word stands for in one index, the reading the corpus
supports first.

The index lemmatized each word where it stood; a query word is lemmatized
alone. Mostly the two agree, but a capital changes the reading: in a text,
"Балабанов" is the surname (lemma ``балабанов``), typed alone in lower case
the same form is a plural of ``балабан``; "ПАСЕ" is the Assembly, "пасе" a
football pass. So a word stands for its own lemma and also

- where the index never gave the very form typed that lemma, the lemmas it
  did give it (``IndexView.lemmas_of``): so the two sides never disagree on
  a form the index holds ("балабанов" finds the surname, as the texts had
  it);
- typed in lower case (with the ranking's ``acronyms``), its capitalized
  reading, if the index holds that lemma ("пасе": the Assembly too).

A word typed capitalized whose reading the index gave the form keeps that
one reading ("ПАСЕ", "Королева": the name, not the queen). Of several
readings, the one under which more documents hold the form typed comes
first, and the compiler ranks the documents of the others below it
(``compile.READING_WEIGHT``). A reading the index holds no document of is
dropped, unless it is the word's own and nothing else is held. A phrase's
words are read so only where the index never gave a form typed the query's
lemma, and every reading is searched alike.
"""
from __future__ import annotations

from itertools import islice, product

import numpy as np

from .backend import AllOf, AnyOf, IndexView, Term

# A phrase is searched in at most this many combinations of its words' readings.
MAX_PHRASE_READINGS = 8


def word_readings(view: IndexView, lemmatizer, word, acronyms: bool) -> tuple[str, ...]:
    """The lemmas ``word`` (a ``query.Word``) stands for, the first the one
    it is searched by."""
    typed, lemma = word.surface, word.lemma
    if not typed:
        return (lemma,)
    candidates = [lemma, *other_lemmas(view, lemma, typed)]
    if acronyms and word.raw == word.raw.lower():
        capital = lemmatizer.lemma(typed, True)
        if capital not in candidates and _held(view, capital):
            candidates.append(capital)
    if len(candidates) == 1:
        return (lemma,)
    support = {reading: _support(view, typed, reading) for reading in candidates}
    held = sorted((r for r in candidates if support[r] >= 0), key=lambda r: support[r], reverse=True)
    return tuple(held) or (lemma,)


def other_lemmas(view: IndexView, lemma: str, typed: str) -> list[str]:
    """The lemmas the index gave the form ``typed`` if ``lemma`` is not one
    of them (none if it is, or if the index does not hold the form)."""
    filed = view.lemmas_of(typed)
    return [] if lemma in filed else filed


def phrase_readings(view: IndexView, lemmas: tuple[str, ...], surfaces: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """The lemma sequences a phrase is searched as: its own, then, where a
    word's form typed is one the index gave other lemmas, those (at most
    ``MAX_PHRASE_READINGS`` in all)."""
    choices = [(lemma, *other_lemmas(view, lemma, typed)) for lemma, typed in zip(lemmas, surfaces)]
    return tuple(islice(product(*choices), MAX_PHRASE_READINGS))


def _held(view: IndexView, lemma: str) -> bool:
    return bool(view.doc_frequency("body", lemma) or view.doc_frequency("title", lemma))


def _support(view: IndexView, typed: str, reading: str) -> int:
    """How many documents hold the form typed and the lemma ``reading``
    (-1: no document holds the lemma): sorted posting lists intersected
    where the view has them (a search's every lower-case word may ask), the
    algebra otherwise."""
    postings = getattr(view, "postings", None)
    if postings is None:
        if not _held(view, reading):
            return -1
        both = AllOf((Term("exact", typed), AnyOf((Term("title", reading), Term("body", reading)))))
        return int(view.match(both)[0].sum())
    holding = np.union1d(postings.postings("title", reading)[0], postings.postings("body", reading)[0])
    if not len(holding):
        return -1
    return len(np.intersect1d(postings.postings("exact", typed)[0], holding, assume_unique=True))
