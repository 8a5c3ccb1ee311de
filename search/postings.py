"""Reading postings in bulk, and finding the forms of a lemma.

Whoosh's matchers hand out one posting per Python call. ``PostingReader``
hands out a term's postings (and positions) over the whole index as numpy
arrays: from the indexer's posting arrays where a segment has them,
otherwise from Whoosh's blocks, a block at a time.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from index.analysis.lemmatizer import script_of
from index.store.arrays import SegmentArrays, read_positions, read_term, require_text_in_whoosh
from index.store.forms import FormsTable
from index.store.merged_arrays import covered_slices, open_merged, segments_of

_EMPTY = np.zeros(0, dtype=np.int64)


def _leaf_terms(leaf, fieldname: str, prefix: str):
    """A Whoosh segment's terms of a field starting with ``prefix``, as text."""
    return (t.decode("utf-8") if isinstance(t, bytes) else t for t in leaf.expand_prefix(fieldname, prefix))


class PostingReader:
    """One searcher's postings as arrays of global document numbers, and
    the term questions (how many documents, which words with a prefix) the
    arrays' term tables answer without asking Whoosh segment by segment."""

    def __init__(self, searcher, index_dir: Path | None) -> None:
        segments = segments_of(searcher.reader())
        merged = open_merged(index_dir, segments) if index_dir else None
        slices = None  # each segment's slice of a merge that no longer stands for a run of them
        # (arrays or None, their docnum offset, the Whoosh segments they stand for)
        self.parts: list[tuple[SegmentArrays | None, int, list[tuple[object, int]]]] = []
        for i, (sid, _count, leaf, offset) in enumerate(segments):
            if merged and i == merged[1]:
                run = segments[merged[1]:merged[2]]
                self.parts.append((merged[0], offset, [(leaf, offset) for _s, _c, leaf, offset in run]))
            elif not (merged and merged[1] < i < merged[2]):
                arrays = SegmentArrays.load(index_dir, leaf) if index_dir else None
                if arrays is None and index_dir:
                    slices = covered_slices(index_dir) if slices is None else slices
                    arrays = slices.get(sid)
                if arrays is None:
                    require_text_in_whoosh(leaf, sid)
                self.parts.append((arrays, offset, [(leaf, offset)]))

    def _per_segment(self, fieldname: str, text: str, from_arrays, from_whoosh) -> list[tuple[int, tuple]]:
        """(docnum offset, what one part holds of a term): from its posting
        arrays when it keeps the term there (``from_arrays(arrays, offset)``),
        else from Whoosh's blocks (``from_whoosh(matcher, offset)``)."""
        parts = []
        for arrays, offset, leaves in self.parts:
            kept = from_arrays(arrays, offset) if arrays is not None else None
            if kept is not None:
                parts.append((offset, kept))
            elif arrays is None or not arrays.lacks(fieldname, text):  # absent: no need to ask Whoosh
                parts += [(leaf_offset, from_whoosh(leaf.postings(fieldname, text), leaf_offset))
                          for leaf, leaf_offset in leaves if (fieldname, text) in leaf]
        return parts

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """Documents holding a term (deleted ones too, as Whoosh counts)."""
        total = 0
        for arrays, _offset, leaves in self.parts:
            if arrays is not None and arrays.knows_all(fieldname):
                total += arrays.doc_frequency(fieldname, text)
            else:
                total += sum(leaf.doc_frequency(fieldname, text) for leaf, _ in leaves)
        return total

    def expand_prefix(self, fieldname: str, prefix: str) -> list[str]:
        """Every term of a field starting with ``prefix``, sorted."""
        found: set[str] = set()
        for arrays, _offset, leaves in self.parts:
            if arrays is not None and arrays.knows_all(fieldname):
                found.update(arrays.terms_with_prefix(fieldname, prefix))
            else:
                for leaf, _ in leaves:
                    found.update(_leaf_terms(leaf, fieldname, prefix))
        return sorted(found)

    def has_prefix(self, fieldname: str, prefix: str) -> bool:
        """Does any term of a field start with ``prefix``?"""
        for arrays, _offset, leaves in self.parts:
            if arrays is not None and arrays.knows_all(fieldname):
                if arrays.has_terms_with_prefix(fieldname, prefix):
                    return True
            else:
                for leaf, _ in leaves:
                    if next(iter(leaf.expand_prefix(fieldname, prefix)), None) is not None:
                        return True
        return False

    def field_postings(self, fieldname: str) -> list[tuple[list[str], np.ndarray, np.ndarray]]:
        """Every term of a field, part by part: (terms, each one's count of
        postings, their global docnums term after term); from the arrays
        where a part's table holds the whole field, else term by term."""
        out = []
        for arrays, offset, leaves in self.parts:
            if arrays is not None and arrays.knows_all(fieldname):
                terms, lengths, ids = arrays.field_postings(fieldname)
                out.append((terms, lengths, ids + offset))
                continue
            for leaf, leaf_offset in leaves:
                terms = sorted(set(_leaf_terms(leaf, fieldname, "")))
                chunks = [np.asarray(read_term(leaf.postings(fieldname, t), positions=False, weights=False)[0],
                                     dtype=np.int64) for t in terms]
                out.append((terms, np.array([len(c) for c in chunks], dtype=np.int64),
                            np.concatenate(chunks) + leaf_offset if chunks else _EMPTY))
        return out

    def postings(self, fieldname: str, text: str, want_weights: bool = False):
        """(docnums, weights or None) of every posting of a term."""
        parts = self._per_segment(fieldname, text, lambda arrays, _offset: arrays.postings(fieldname, text),
                                  lambda matcher, _offset: read_term(matcher, positions=False, weights=want_weights)[:2])
        if not parts:
            return _EMPTY, (np.zeros(0) if want_weights else None)
        ids = np.concatenate([np.asarray(ids, dtype=np.int64) + offset for offset, (ids, _) in parts])
        weights = np.concatenate([np.asarray(w, dtype=np.float64) for _, (_, w) in parts]) if want_weights else None
        return ids, weights

    def occurrences(self, fieldname: str, text: str, selection: np.ndarray) -> int:
        """How many times a term occurs in the documents ``selection``
        marks: its weights summed there, read only from the parts where a
        selected document holds it (an AND's words have forms in documents
        it does not find)."""

        def from_whoosh(matcher, offset):
            ids, weights = read_term(matcher, positions=False, weights=True)[:2]
            ids = np.asarray(ids, dtype=np.int64)
            return float(np.asarray(weights, dtype=np.float64)[selection[ids + offset]].sum()) if len(ids) else 0.0

        parts = self._per_segment(fieldname, text,
                                  lambda arrays, offset: arrays.occurrences(fieldname, text, selection[offset:]),
                                  from_whoosh)
        return int(sum(total for _offset, total in parts))

    def positions(self, fieldname: str, text: str, within: np.ndarray | None = None):
        """(docnum, position) of every occurrence of a term, as two arrays;
        only in the documents ``within`` marks, if it is given."""

        def from_whoosh(matcher, offset):
            docs, pos = read_positions(matcher)
            if within is None:
                return docs, pos
            keep = within[docs + offset]  # Whoosh's blocks hold them all
            return docs[keep], pos[keep]

        parts = self._per_segment(
            fieldname, text,
            lambda arrays, offset: arrays.positions(fieldname, text, None if within is None else within[offset:]),
            from_whoosh)
        if not parts:
            return _EMPTY, _EMPTY
        return (np.concatenate([docs + offset for offset, (docs, _) in parts]),
                np.concatenate([pos for _, (_, pos) in parts]))


class FormFinder:
    """lemma -> the surface forms the index gave it: from the indexer's
    forms table when it covers the index; otherwise candidates are the
    dictionary's forms of the word, or for a word it does not know the index
    words sharing the lemma's opening letters; a candidate is kept when the
    index holds it and the index's own lemmatizer gives it that lemma."""

    MAX_CANDIDATES = 3000

    def __init__(self, terms: PostingReader, lemmatizer, table: FormsTable | None = None) -> None:
        self.terms = terms
        self.lemmatizer = lemmatizer
        self.table = table if table is not None and table.complete else None
        self._cache: dict[str, list[str]] = {}

    def forms(self, lemma: str) -> list[str]:
        cached = self._cache.get(lemma)
        if cached is not None:
            return cached
        if self.table is not None:
            # what the indexer recorded: no lemmatization, and no read of each
            # form (one of deleted documents only is counted nowhere and
            # highlights nothing)
            found = sorted(self.table.forms(lemma))
            self._remember(lemma, found)
            return found
        # A word the dictionary knows: its own forms ("идти" -> "шел"), no
        # scan (a short word's prefix matched 3,000 index words, each
        # lemmatized: 100 ms). Otherwise (names, Italian) the index words
        # sharing its opening letters: for long words all but the last three
        # ("Мечел", "Мечела"), short ones whole.
        candidates = {lemma} | self._dictionary_forms(lemma)
        if len(candidates) == 1:
            stem = lemma[: max(3, len(lemma) - 3)] if len(lemma) > 4 else lemma
            candidates.update(self.terms.expand_prefix("exact", stem)[:self.MAX_CANDIDATES])
        lemma_of = self.lemmatizer.lemma
        found = sorted(
            c for c in candidates
            if (lemma_of(c, False) == lemma or lemma_of(c, True) == lemma)
            and self.terms.doc_frequency("exact", c)
        )
        self._remember(lemma, found)
        return found

    def lemmas(self, form: str) -> list[str]:
        """The lemmas the index gave a form it holds, wherever it stood: from
        the forms table's reversed pairs, or, in a table written before it
        kept them, the lemmatizer's readings of the form (as a word in the
        text, capitalized or not) that have it among their forms."""
        if self.table is not None and self.table.reversed:
            return self.table.lemmas(form)
        if not self.terms.doc_frequency("exact", form):
            return []
        lemma_of = self.lemmatizer.lemma
        return [lemma for lemma in dict.fromkeys((lemma_of(form, False), lemma_of(form, True)))
                if form in self.forms(lemma)]

    def _remember(self, lemma: str, found: list[str]) -> None:
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[lemma] = found

    def _dictionary_forms(self, lemma: str) -> set[str]:
        forms = set()
        if script_of(lemma) != "cyrillic":
            return forms  # the Russian dictionary has nothing to say (and chokes on some scripts)
        for parse in self.lemmatizer.morph.parse(lemma)[:3]:
            if parse.is_known and parse.normal_form.replace("ё", "е") == lemma:
                forms.update(f.word.replace("ё", "е") for f in parse.lexeme)
        return forms
