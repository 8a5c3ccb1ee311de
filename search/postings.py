"""Reading Whoosh postings in bulk, and finding the forms of a lemma.

Whoosh's matchers hand out one posting per Python call; the codec keeps
postings in blocks of arrays. ``posting_arrays`` reads whole blocks, which is
what makes counting over a large result set cheap.
"""
from __future__ import annotations

import numpy as np

from index.analysis import script_of


def _leaf_arrays(matcher, want_weights: bool):
    """(ids, weights) of a whoosh3 leaf matcher, a block at a time."""
    ids, weights = [], []
    read_ids = getattr(matcher, "_read_ids", None)
    if read_ids is None:  # not a block matcher: the slow, general way
        while matcher.is_active():
            ids.append(np.array([matcher.id()]))
            if want_weights:
                weights.append(np.array([matcher.weight()]))
            matcher.next()
    else:
        while matcher.is_active():
            matcher._read_ids()
            ids.append(np.asarray(matcher._ids, dtype=np.int64))
            if want_weights:
                matcher._read_weights()
                weights.append(np.asarray(matcher._weights, dtype=np.float64))
            matcher._next_block()
    cat = lambda parts, dtype: np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)  # noqa: E731
    return cat(ids, np.int64), (cat(weights, np.float64) if want_weights else None)


def posting_arrays(searcher, fieldname: str, text, want_weights: bool = False):
    """All (global docnum, weight) postings of a term, as numpy arrays."""
    all_ids, all_weights = [], []
    for leaf, offset in searcher.reader().leaf_readers():
        if (fieldname, text) not in leaf:
            continue
        ids, weights = _leaf_arrays(leaf.postings(fieldname, text), want_weights)
        all_ids.append(ids + offset)
        if want_weights:
            all_weights.append(weights)
    ids = np.concatenate(all_ids) if all_ids else np.zeros(0, dtype=np.int64)
    weights = (np.concatenate(all_weights) if all_weights else np.zeros(0)) if want_weights else None
    return ids, weights


class FormFinder:
    """lemma -> the surface forms the index holds for it. Candidates are the
    index words sharing the lemma's opening letters, plus the dictionary's
    own forms of the word (for "идти" -> "шел"); a candidate is kept when the
    index's own lemmatizer gives it that lemma."""

    MAX_CANDIDATES = 3000

    def __init__(self, reader, lemmatizer) -> None:
        self.reader = reader
        self.lemmatizer = lemmatizer
        self._cache: dict[str, list[str]] = {}

    def forms(self, lemma: str) -> list[str]:
        cached = self._cache.get(lemma)
        if cached is not None:
            return cached
        # Long words: the forms share all but the last three letters ("рынок",
        # "рынка"). Short ones: the whole word, or the prefix would match
        # thousands of words; their irregular forms ("день", "дня") come
        # from the dictionary below.
        stem = lemma[: max(3, len(lemma) - 3)] if len(lemma) > 4 else lemma
        candidates = {lemma}
        for n, term in enumerate(self.reader.expand_prefix("exact", stem)):
            if n >= self.MAX_CANDIDATES:
                break
            candidates.add(term.decode("utf-8") if isinstance(term, bytes) else term)
        candidates.update(self._dictionary_forms(lemma))
        lemma_of = self.lemmatizer.lemma
        found = sorted(
            c for c in candidates
            if (lemma_of(c, False) == lemma or lemma_of(c, True) == lemma)
            and self.reader.doc_frequency("exact", c)
        )
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[lemma] = found
        return found

    def _dictionary_forms(self, lemma: str) -> set[str]:
        forms = set()
        if script_of(lemma) != "cyrillic":
            return forms  # the Russian dictionary has nothing to say (and chokes on some scripts)
        for parse in self.lemmatizer.morph.parse(lemma)[:3]:
            if parse.is_known and parse.normal_form.replace("ё", "е") == lemma:
                forms.update(f.word.replace("ё", "е") for f in parse.lexeme)
        return forms
