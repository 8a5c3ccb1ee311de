"""BM25F over whole posting arrays: the matched set and every score at once.

Whoosh scores one posting per Python call, and its top-k shortcut (skipping
blocks whose best score cannot reach the top) skipped documents that belong
in the top on our data (tests/test_fast_paths.py). This computes the same
BM25F formula, with Whoosh's own idf, average lengths and stored field
lengths, for every posting of every term in numpy, then combines the terms
of a query (the algebra of ``backend.py``) as Whoosh does: OR and AND add
the scores of the parts that match, AND NOT keeps the left side's. A
phrase matches where its words stand at consecutive positions (checked on
position arrays) and scores as the AND of its words.
"""
from __future__ import annotations

from math import log

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from index.store.sorting import unique

from . import backend as q
from .postings import PostingReader

B, K1 = 0.75, 1.2  # whoosh.scoring.BM25F's defaults; the searcher's BM25F may set others per field
_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


def _leaf_lengths(leaf, fieldname: str) -> np.ndarray:
    """A segment's stored field lengths read as one byte array (Whoosh keeps
    one length byte per document) and decoded with Whoosh's own table."""
    try:
        column = leaf._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        count = leaf.doc_count_all()
        if column is None:
            return np.zeros(count)
        raw = np.frombuffer(column._dbfile.get(column._basepos, column._count), dtype=np.uint8)
        codes = np.zeros(count, dtype=np.uint8)
        codes[: min(count, len(raw))] = raw[:count]
        return _BYTE_TO_LENGTH[codes]
    except (AttributeError, TypeError, ValueError):
        return np.zeros(0)  # another codec: the caller falls back to Whoosh


def _sorted_intersection(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The values in both of two sorted arrays of distinct values: each of the
    shorter one looked up in the longer (np.intersect1d sorts both again)."""
    if len(a) > len(b):
        a, b = b, a
    if not len(a):
        return a
    at = np.minimum(np.searchsorted(b, a), len(b) - 1)
    return a[b[at] == a]


class ArrayScorer:
    def __init__(self, searcher, live: np.ndarray, postings: PostingReader) -> None:
        self.searcher = searcher
        self.postings = postings
        self.live = live
        self.n = len(live)
        self._lengths: dict[str, np.ndarray] = {}
        self._idf: dict[tuple[str, str], float] = {}
        self._avgfl: dict[str, float] = {}
        self.weighting = getattr(searcher, "weighting", None)  # BM25F's k1 and per-field b (ranking.py)

    def parameters(self, fieldname: str) -> tuple[float, float]:
        """(k1, b) of a field, as the searcher's BM25F has them."""
        weighting = self.weighting
        if not isinstance(weighting, BM25F):
            return K1, B
        return weighting.K1, weighting._field_B.get(fieldname, weighting.B)

    def lengths(self, fieldname: str) -> np.ndarray:
        """Each document's length of a field, as Whoosh stores it (rounded to
        a byte) and scores with."""
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            parts = [_leaf_lengths(leaf, fieldname) for leaf, _offset in self.searcher.reader().leaf_readers()]
            lengths = np.concatenate(parts) if parts else np.zeros(0)
            if len(lengths) != self.n:  # not the layout read above: ask Whoosh document by document
                reader = self.searcher.reader()
                lengths = np.fromiter((reader.doc_field_length(d, fieldname, 0) for d in range(self.n)),
                                      dtype=np.float64, count=self.n)
            self._lengths[fieldname] = lengths
        return lengths

    def idf(self, fieldname: str, text: str) -> float:
        """Whoosh's idf (whoosh.scoring.WeightingModel.idf), with the document
        frequency from the posting arrays' tables: Whoosh asks every segment."""
        key = (fieldname, text)
        idf = self._idf.get(key)
        if idf is None:
            idf = self._idf[key] = log(self.n / (self.postings.doc_frequency(fieldname, text) + 1)) + 1
        return idf

    def term_postings(self, fieldname: str, text) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, BM25F scores) of a term's postings."""
        ids, weights = self.postings.postings(fieldname, text, want_weights=True)
        if not len(ids) or not self.searcher.schema[fieldname].scorable:
            return ids, weights  # Whoosh's WeightScorer for unscored fields
        idf = self.idf(fieldname, text)
        avgfl = self._avgfl.get(fieldname)
        if avgfl is None:  # Whoosh sums it over the segments on every call
            avgfl = self._avgfl[fieldname] = self.searcher.avg_field_length(fieldname) or 1
        fl = self.lengths(fieldname)[ids]
        k1, b = self.parameters(fieldname)
        # the same operations in the same order as whoosh.scoring.bm25
        return ids, idf * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * fl / avgfl)))

    def term(self, fieldname: str, text) -> tuple[np.ndarray, np.ndarray]:
        return self._dense([self.term_postings(fieldname, text)])

    def _dense(self, postings: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        """Sparse (docnums, scores) lists as (mask, summed scores) over all
        documents: an OR of terms without a dense array per term (a prefix
        can stand for a hundred words)."""
        mask = np.zeros(self.n, dtype=bool)
        ids = np.concatenate([i for i, _ in postings]) if postings else np.zeros(0, dtype=np.int64)
        if not len(ids):
            return mask, np.zeros(self.n)
        mask[ids] = True
        if len(postings) == 1:
            scores = np.zeros(self.n)
            scores[ids] = postings[0][1]
            return mask, scores
        return mask, np.bincount(ids, weights=np.concatenate([s for _, s in postings]), minlength=self.n)

    def phrase(self, fieldname: str, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        mask, scores = self._evaluate(q.AllOf(tuple(q.Term(fieldname, w) for w in words)))
        if len(words) < 2 or not mask.any():
            return mask, scores
        # (docnum, position - offset in the phrase) of each word, for the
        # documents that have every word; a phrase starts where all agree
        starts = None
        for i, word in enumerate(words):
            docs, pos = self.postings.positions(fieldname, word, within=mask)
            keys = (docs << 32) | (pos + (len(words) - i))
            if len(keys) > 1 and not np.all(keys[1:] > keys[:-1]):
                keys = unique(keys)  # postings come sorted by document and position; if not, sort
            starts = keys if starts is None else _sorted_intersection(starts, keys)
            if not len(starts):
                break
        found = np.zeros(self.n, dtype=bool)
        found[np.asarray(starts >> 32, dtype=np.int64)] = True
        return found, np.where(found, scores, 0.0)

    def evaluate(self, query) -> tuple[np.ndarray, np.ndarray]:
        """(matched, scores) for a query of the algebra in ``backend.py``."""
        if isinstance(query, q.Everything):
            return self.live.copy(), np.zeros(self.n)
        if isinstance(query, q.Nothing):
            return np.zeros(self.n, dtype=bool), np.zeros(self.n)
        evaluated = self._evaluate(query)
        boost = getattr(query, "boost", 1.0)
        if boost != 1.0:
            # a boosted query's score times its boost, as Whoosh scores it
            evaluated = (evaluated[0], evaluated[1] * boost)
        return evaluated

    def _evaluate(self, query):
        if isinstance(query, q.Term):
            return self.term(query.field, query.text)
        if isinstance(query, q.Phrase):
            return self.phrase(query.field, list(query.words))
        if isinstance(query, q.AnyOf) and query.items and all(isinstance(sub, q.Term) for sub in query.items):
            return self._dense([(ids, scores * sub.boost) if sub.boost != 1.0 else (ids, scores)
                                for sub in query.items
                                for ids, scores in [self.term_postings(sub.field, sub.text)]])
        if isinstance(query, (q.AnyOf, q.AllOf)):
            return q.combine(query, [self.evaluate(sub) for sub in query.items], self.n)
        if isinstance(query, q.Fallback):
            return q.fall_back(query, self.evaluate(query.main), self.evaluate(query.extra))
        if isinstance(query, q.Without):
            return q.exclude(self.evaluate(query.base), self.evaluate(query.excluded))
        raise TypeError(f"no array evaluation for {type(query).__name__}")
