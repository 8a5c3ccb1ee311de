"""One segment's postings read from the merged arrays that cover it.

Once the merged arrays hold a segment's postings, its own arrays are a
second copy: the indexer deletes them (``merged_arrays.drop_covered``) and
the segment is read from here instead. A slice is the merged arrays'
documents ``lo`` to ``hi`` (the segment's place in the merge), numbered
from 0 as in the segment's own arrays, with the reader's interface
(``SegmentArrays``): a search whose merge no longer stands for the whole
run of segments (a Whoosh merge took one of them away, until the indexer
merges again), a Whoosh merge reading the segment, the cluster copy, and
the next merge read it so.

A slice's term table is the merge's: a term of other segments only is
listed but has no postings here (read as none).
"""
from __future__ import annotations

from dataclasses import dataclass

import marisa_trie
import numpy as np

from .array_layout import _SEP
from .packed import runs, sums_within
from .posting_format import PlainArrays, table_rows, term_rows
from .segment_arrays import SegmentArrays

BATCH = 1 << 22  # postings of the merge read at a time for a slice's field


@dataclass
class MergedSlice:
    """The documents ``lo:hi`` of merged arrays holding ``total`` documents."""

    merged: SegmentArrays
    lo: int
    hi: int
    total: int

    # what the table says holds for the slice as for the merge
    @property
    def terms(self) -> marisa_trie.Trie:
        return self.merged.terms

    @property
    def fields(self) -> frozenset[str]:
        return self.merged.fields

    @property
    def complete(self) -> bool:
        return self.merged.complete

    @property
    def scales(self) -> dict[str, float]:
        return self.merged.scales

    @property
    def explicit_weights(self) -> bool:
        return self.merged.explicit_weights

    @property
    def whole(self) -> bool:
        """Does the slice take in every document of the merge?"""
        return self.lo == 0 and self.hi == self.total

    def knows_all(self, fieldname: str) -> bool:
        return self.merged.knows_all(fieldname)

    def lacks(self, fieldname: str, text: str) -> bool:
        return self.merged.lacks(fieldname, text)

    def terms_with_prefix(self, fieldname: str, prefix: str) -> list[str]:
        return self.merged.terms_with_prefix(fieldname, prefix)

    def has_terms_with_prefix(self, fieldname: str, prefix: str) -> bool:
        return self.merged.has_terms_with_prefix(fieldname, prefix)

    def _within(self, ids: np.ndarray) -> np.ndarray:
        return (ids >= self.lo) & (ids < self.hi)

    def _selection(self, selection: np.ndarray) -> np.ndarray:
        """A mask of the slice's documents as one of the merge's."""
        padded = np.zeros(self.total, dtype=bool)
        part = np.asarray(selection[:self.hi - self.lo], dtype=bool)
        padded[self.lo:self.lo + len(part)] = part
        return padded

    def postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray] | None:
        found = self.merged.postings(fieldname, text)
        if found is None:
            return None
        ids, weights = found
        a, b = np.searchsorted(ids, (self.lo, self.hi))  # a term's documents come sorted
        return ids[a:b] - self.lo, weights[a:b]

    def doc_frequency(self, fieldname: str, text: str) -> int:
        found = self.postings(fieldname, text)
        return 0 if found is None else len(found[0])

    def occurrences(self, fieldname: str, text: str, selection: np.ndarray) -> float | None:
        return self.merged.occurrences(fieldname, text, self._selection(selection))

    def positions(self, fieldname: str, text: str, within: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray] | None:
        found = self.merged.positions(fieldname, text, self._selection(within) if within is not None else None)
        if found is None:
            return None
        docs, pos = found
        keep = self._within(docs)
        return docs[keep] - self.lo, pos[keep]

    def field_postings(self, fieldname: str) -> tuple[list[str], np.ndarray, np.ndarray]:
        terms, lengths, ids = self.merged.field_postings(fieldname)
        of_term = np.repeat(np.arange(len(terms)), lengths)
        keep = self._within(ids)
        counts = np.bincount(of_term[keep], minlength=len(terms))
        held = np.flatnonzero(counts)  # the terms of other segments only left out
        return [terms[i] for i in held.tolist()], counts[held], ids[keep] - self.lo

    def field_entries(self, fieldname: str):
        words, entries, docs, weights = self.merged.field_entries(fieldname)
        keep = self._within(docs)
        return words, entries[keep], docs[keep] - self.lo, weights[keep]

    def field_positions(self, fieldname: str):
        """The slice's postings of a text field as ``SegmentArrays.field_positions``
        gives a segment's. The merge's field is read a batch of terms at a
        time and only the slice's positions are unpacked: a segment's words
        (a Whoosh merge, the cluster copy) cost its share of the merge, not
        the whole of it at once."""
        merged = self.merged
        key = fieldname + _SEP
        items = merged.terms.items(key)
        rows = np.fromiter((row for _, row in items), dtype=np.int64, count=len(items))
        spans = table_rows(merged.spans.take((3 * rows[:, None] + np.arange(3)).ravel())).reshape(-1, 3)
        if (spans[:, 2] < 0).any():
            return None
        order = np.argsort(spans[:, 0], kind="stable")
        spans = spans[order]
        words = [items[i][0][len(key):] for i in order.tolist()]
        lengths = spans[:, 1] - spans[:, 0]
        ends = np.cumsum(lengths)
        found = []
        cut = 0
        while cut < len(spans):
            stop = max(cut + 1, int(np.searchsorted(ends, ends[cut] - lengths[cut] + BATCH, side="right")))
            batch, count = slice(cut, stop), lengths[cut:stop]
            p0, p1 = int(spans[cut, 0]), int(spans[stop - 1, 1])
            at = None if p1 - p0 == int(count.sum()) else runs(spans[batch, 0], count)
            docs = sums_within(merged.ids.range(p0, p1) if at is None else merged.ids.take(at), count)
            freqs = merged.freqs.range(p0, p1) if at is None else merged.freqs.take(at)
            # where each posting's positions start: its term's first, and its postings' before it
            begins = np.repeat(spans[batch, 2], count) + sums_within(freqs, count) - freqs
            keep = np.flatnonzero(self._within(docs))
            counts = freqs[keep]
            pos = sums_within(merged.pos.take(runs(begins[keep], counts)), counts)
            term_of = np.repeat(np.arange(cut, stop, dtype=np.uint32), count)[keep]
            found.append((np.repeat(term_of, counts), np.repeat(docs[keep] - self.lo, counts), pos))
            cut = stop
        if not found:
            return words, np.zeros(0, np.uint32), np.zeros(0, np.int64), np.zeros(0, np.int64)
        return (words, *(np.concatenate(column) for column in zip(*found)))

    def restricted(self, weights: bool = True) -> tuple[marisa_trie.Trie, PlainArrays]:
        """The slice as a set of arrays of its own: a term table of the
        terms it holds, and their postings as plain arrays (for a merge, or
        to write the segment's own arrays again)."""
        plain = self.merged.plain(weights)
        if self.whole:
            return self.merged.terms, plain
        return restrict(self.merged.terms, plain, self.lo, self.hi)


def restrict(trie: marisa_trie.Trie, plain: PlainArrays, lo: int, hi: int) -> tuple[marisa_trie.Trie, PlainArrays]:
    """Plain arrays cut down to the documents ``lo:hi`` (numbered from
    ``lo``), with a table of only the terms left with postings (the table's
    keys about itself kept as they are)."""
    spans = plain.spans.reshape(-1, 3).astype(np.int64)
    ids = np.asarray(plain.ids)
    rows = term_rows(spans)  # in the order of their postings
    lengths = spans[rows, 1] - spans[rows, 0]
    row_of = np.full(len(ids), -1, dtype=np.int64)
    row_of[runs(spans[rows, 0], lengths)] = np.repeat(rows, lengths)
    kept_at = np.flatnonzero((ids >= lo) & (ids < hi) & (row_of >= 0))
    kept_count = np.bincount(row_of[kept_at], minlength=len(spans))
    kept_rows = rows[kept_count[rows] > 0]
    # the kept postings stay in their order: term after term, as ``kept_rows``
    new_len = kept_count[kept_rows]
    new_start = np.cumsum(new_len) - new_len
    new_ids = (ids[kept_at] - lo).astype(np.uint32)
    new_weights = None if plain.weights is None else np.asarray(plain.weights)[kept_at]

    # positions: each kept posting's, then per positional term an offset a posting and a closing one
    positional = spans[kept_rows, 2] >= 0
    p_at = kept_at[np.repeat(positional, new_len)]
    p_row = row_of[p_at]
    posoff = np.asarray(plain.posoff).astype(np.int64)
    offset_row = spans[p_row, 2] + (p_at - spans[p_row, 0])
    begins = posoff[offset_row]
    counts = posoff[offset_row + 1] - begins
    new_pos = np.asarray(plain.pos)[runs(begins, counts)]
    ends = np.cumsum(counts)
    p_len = new_len[positional]
    per_term = p_len + 1
    first_offset = np.cumsum(per_term) - per_term
    closing = np.zeros(int(per_term.sum()), dtype=bool)
    closing[first_offset + p_len] = True
    new_posoff = np.empty(len(closing), dtype=np.int64)
    new_posoff[~closing] = ends - counts
    new_posoff[closing] = np.concatenate(([0], ends))[np.cumsum(p_len)]

    about_table = trie.keys(_SEP)
    keys = [trie.restore_key(int(row)) for row in kept_rows.tolist()] + about_table
    new_trie = marisa_trie.Trie(keys)
    new_row = np.fromiter(map(new_trie.__getitem__, keys), dtype=np.int64, count=len(keys))
    new_spans = np.zeros((len(new_trie), 3), dtype=np.int64)
    firsts = np.full(len(kept_rows), -1, dtype=np.int64)
    firsts[positional] = first_offset
    new_spans[new_row[:len(kept_rows)]] = np.stack([new_start, new_start + new_len, firsts], axis=1)
    new_spans[new_row[len(kept_rows):]] = spans[[trie[key] for key in about_table]].reshape(-1, 3)
    return new_trie, PlainArrays(new_spans.reshape(-1), new_ids, new_weights, new_posoff.astype(np.uint32),
                                 new_pos.astype(np.uint32), plain.scales)
