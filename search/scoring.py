"""BM25F over whole posting arrays: the matched set and every score at once.

Whoosh scores one posting per Python call, and its top-k shortcut (skipping
blocks whose best score cannot reach the top) skipped documents that belong
in the top on our data (tests/test_fast_paths.py). This computes the same
BM25F formula, with Whoosh's own idf, average lengths and stored field
lengths, for every posting of every term in numpy, then combines terms as
Whoosh does: OR and AND add the scores of the parts that match, AND NOT keeps
the left side's. A phrase matches where its words stand at consecutive
positions (checked on position arrays) and scores as the AND of its words.
"""
from __future__ import annotations

import numpy as np
from whoosh import query as wq

from .postings import PostingReader

B, K1 = 0.75, 1.2  # whoosh.scoring.BM25F's defaults, which the engine uses


class ArrayScorer:
    def __init__(self, searcher, live: np.ndarray, postings: PostingReader) -> None:
        self.searcher = searcher
        self.postings = postings
        self.live = live
        self.n = len(live)
        self._lengths: dict[str, np.ndarray] = {}

    def lengths(self, fieldname: str) -> np.ndarray:
        """Each document's length of a field, as Whoosh stores it (rounded to
        a byte) and scores with."""
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            reader = self.searcher.reader()
            lengths = np.fromiter((reader.doc_field_length(d, fieldname, 0) for d in range(self.n)),
                                  dtype=np.float64, count=self.n)
            self._lengths[fieldname] = lengths
        return lengths

    def term(self, fieldname: str, text) -> tuple[np.ndarray, np.ndarray]:
        mask = np.zeros(self.n, dtype=bool)
        scores = np.zeros(self.n, dtype=np.float64)
        ids, weights = self.postings.postings(fieldname, text, want_weights=True)
        if not len(ids):
            return mask, scores
        mask[ids] = True
        if not self.searcher.schema[fieldname].scorable:
            scores[ids] = weights  # Whoosh's WeightScorer
            return mask, scores
        idf = self.searcher.idf(fieldname, text)
        avgfl = self.searcher.avg_field_length(fieldname) or 1
        fl = self.lengths(fieldname)[ids]
        # the same operations in the same order as whoosh.scoring.bm25
        scores[ids] = idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * fl / avgfl)))
        return mask, scores

    def phrase(self, fieldname: str, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        mask, scores = self._evaluate(wq.And([wq.Term(fieldname, w) for w in words]))
        if len(words) < 2 or not mask.any():
            return mask, scores
        # (docnum, position - offset in the phrase) of each word, for the
        # documents that have every word; a phrase starts where all agree
        starts = None
        for i, word in enumerate(words):
            docs, pos = self.postings.positions(fieldname, word)
            keep = mask[docs]
            keys = (docs[keep] << 32) | (pos[keep] + (len(words) - i))
            starts = np.unique(keys) if starts is None else np.intersect1d(starts, keys)
            if not len(starts):
                break
        found = np.zeros(self.n, dtype=bool)
        found[np.asarray(starts >> 32, dtype=np.int64)] = True
        return found, np.where(found, scores, 0.0)

    def evaluate(self, query) -> tuple[np.ndarray, np.ndarray]:
        """(matched, scores) for a query the engine compiles."""
        if isinstance(query, wq.Every):
            return self.live.copy(), np.zeros(self.n)
        if query is wq.NullQuery or isinstance(query, type(wq.NullQuery)):
            return np.zeros(self.n, dtype=bool), np.zeros(self.n)
        evaluated = self._evaluate(query)
        boost = getattr(query, "boost", 1.0)
        if evaluated is not None and boost != 1.0:
            # Whoosh multiplies a boosted query's score by its boost
            evaluated = (evaluated[0], evaluated[1] * boost)
        return evaluated

    def _evaluate(self, query):
        if isinstance(query, wq.Term):
            return self.term(query.fieldname, query.text)
        if isinstance(query, wq.Phrase):
            return self.phrase(query.fieldname, list(query.words))
        if isinstance(query, (wq.Or, wq.And)):
            parts = [self.evaluate(sub) for sub in query.subqueries]
            if not parts:
                return np.zeros(self.n, dtype=bool), np.zeros(self.n)
            masks = [m for m, _ in parts]
            mask = np.logical_or.reduce(masks) if isinstance(query, wq.Or) else np.logical_and.reduce(masks)
            scores = np.zeros(self.n)
            for m, s in parts:
                scores += np.where(m, s, 0.0)
            return mask, np.where(mask, scores, 0.0)
        if isinstance(query, wq.AndNot):
            a, b = self.evaluate(query.a), self.evaluate(query.b)
            mask = a[0] & ~b[0]
            return mask, np.where(mask, a[1], 0.0)
        raise TypeError(f"no array evaluation for {type(query).__name__}")
