"""BM25F over whole posting arrays: the matched set and every score at once.

Whoosh scores one posting per Python call, and its top-k shortcut (skipping
blocks whose best score cannot reach the top) skipped documents that belong
in the top on our data (tests/test_fast_paths.py). This computes the same
BM25F formula, with Whoosh's own idf, average lengths and stored field
lengths, for every posting of every term in numpy, then combines terms as
Whoosh does: OR and AND add the scores of the parts that match, AND NOT keeps
the left side's.
"""
from __future__ import annotations

import numpy as np
from whoosh import query as wq

from .postings import posting_arrays

B, K1 = 0.75, 1.2  # whoosh.scoring.BM25F's defaults, which the engine uses


class ArrayScorer:
    def __init__(self, searcher, live: np.ndarray) -> None:
        self.searcher = searcher
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
        ids, weights = posting_arrays(self.searcher, fieldname, text, want_weights=True)
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

    def evaluate(self, query) -> tuple[np.ndarray, np.ndarray] | None:
        """(matched, scores) for a query, or None for a shape this does not
        cover (phrases): then Whoosh matches and scores it."""
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
        if isinstance(query, (wq.Or, wq.And)):
            parts = [self.evaluate(sub) for sub in query.subqueries]
            if not parts or any(p is None for p in parts):
                return None if parts else (np.zeros(self.n, dtype=bool), np.zeros(self.n))
            masks = [m for m, _ in parts]
            mask = np.logical_or.reduce(masks) if isinstance(query, wq.Or) else np.logical_and.reduce(masks)
            scores = np.zeros(self.n)
            for m, s in parts:
                scores += np.where(m, s, 0.0)
            return mask, np.where(mask, scores, 0.0)
        if isinstance(query, wq.AndNot):
            a, b = self.evaluate(query.a), self.evaluate(query.b)
            if a is None or b is None:
                return None
            mask = a[0] & ~b[0]
            return mask, np.where(mask, a[1], 0.0)
        return None
