"""A segment's words in document order, read back from its posting arrays.

Copying an embedded index to a cluster needs each document's lemmas and
exact forms in order (the cluster matches phrases by position). The
segment's arrays hold them: every position of every word of the text
fields, by word. Whoosh numbers a document's ready tokens 0, 1, 2, … (the
build gives it lists), so a field of a segment is turned around in numpy,
with no sort: a position's word goes to slot ``start of its document +
position``. That is what lemmatizing the stored text again gives
(``cluster_from_index``'s slow path, for a segment without such arrays),
at a small fraction of the cost.

A segment qualifies only if its arrays hold the three text fields wholly,
with positions, and every document's positions run 0, 1, … without a gap
or a repeat; otherwise ``SegmentWords.load`` says None.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..store import sphinx as sx
from ..store.arrays import _SEP, SegmentArrays, runs

WORD_FIELDS = ("title", "body", "exact")
POSITIONS_A_CHUNK = 8_000_000  # a field is turned around this many positions at a time (memory)


@dataclass
class FieldWords:
    """One field of one segment: its words and, per document, the indexes
    of its words in order."""

    words: np.ndarray  # of str objects
    order: np.ndarray  # every document's word indexes, end to end
    starts: np.ndarray  # document d's are order[starts[d]:starts[d + 1]]

    def of(self, docnum: int) -> np.ndarray:
        return self.order[self.starts[docnum]:self.starts[docnum + 1]]

    def text(self, docnum: int) -> str:
        """The document's words as the cluster spells them, space-separated."""
        return sx.spell_words(" ".join(self.words[self.of(docnum)].tolist()))

    def length(self, docnum: int) -> int:
        return int(self.starts[docnum + 1] - self.starts[docnum])

    def words_of(self, docnums) -> list[str]:
        """The distinct words of the documents ``docnums``."""
        if not len(docnums):
            return []
        return self.words[np.unique(np.concatenate([self.of(d) for d in docnums]))].tolist()


def invert_field(arrays: SegmentArrays, fieldname: str, doc_count: int) -> FieldWords | None:
    """The field's words per document, or None if the arrays cannot say
    them (no positions, or positions that are not 0, 1, … per document)."""
    if not arrays.knows_all(fieldname):
        return None
    key = fieldname + _SEP
    items = arrays.terms.items(key)
    if not items:
        return FieldWords(np.zeros(0, dtype=object), np.zeros(0, np.int32), np.zeros(doc_count + 1, np.int64))
    cut = len(key)
    words = np.array([k[cut:] for k, _row in items], dtype=object)
    rows = np.fromiter((row for _key, row in items), dtype=np.int64, count=len(items))
    spans = np.asarray(arrays.spans[0:len(arrays.spans)], dtype=np.int64).reshape(-1, 3)[rows]
    starts, ends, firsts = spans[:, 0], spans[:, 1], spans[:, 2]
    if (firsts < 0).any():
        return None
    postings = ends - starts
    # each posting's (term, document, first position offset, position count)
    posting_at = runs(starts, postings)
    term_of = np.repeat(np.arange(len(words), dtype=np.int32), postings)
    offset_at = np.repeat(firsts - starts, postings) + posting_at
    low, high = int(posting_at.min()), int(posting_at.max()) + 1
    docs = np.asarray(arrays.ids[low:high], dtype=np.int64)[posting_at - low]
    off_low, off_high = int(offset_at.min()), int(offset_at.max()) + 2
    offsets = np.asarray(arrays.posoff[off_low:off_high], dtype=np.int64)
    begin, end = offsets[offset_at - off_low], offsets[offset_at - off_low + 1]
    counts = end - begin
    if (docs >= doc_count).any():
        return None
    lengths = np.bincount(docs, weights=counts, minlength=doc_count).astype(np.int64)
    doc_start = np.concatenate(([0], np.cumsum(lengths)))
    order = np.full(int(doc_start[-1]), -1, dtype=np.int32)
    # a chunk of postings at a time, so a big segment's positions are never all in memory
    cut = np.concatenate(([0], np.flatnonzero(np.diff(np.cumsum(counts) // POSITIONS_A_CHUNK)) + 1, [len(counts)]))
    for a, b in zip(cut[:-1], cut[1:]):
        if a == b:
            continue
        c_begin, c_counts = begin[a:b], counts[a:b]
        p_low, p_high = int(c_begin.min()), int((c_begin + c_counts).max())
        where = runs(c_begin - p_low, c_counts)
        positions = np.asarray(arrays.pos[p_low:p_high], dtype=np.int64)[where]
        doc_of = np.repeat(docs[a:b], c_counts)
        if (positions >= lengths[doc_of]).any():
            return None
        order[doc_start[doc_of] + positions] = np.repeat(term_of[a:b], c_counts)
    if (order < 0).any():  # a slot no position filled: a repeated position
        return None
    return FieldWords(words, order, doc_start)


@dataclass
class SegmentWords:
    """A segment's title and body lemmas and exact forms, per document."""

    title: FieldWords
    body: FieldWords
    exact: FieldWords

    @classmethod
    def load(cls, index_dir: Path, leaf) -> "SegmentWords | None":
        arrays = SegmentArrays.load(Path(index_dir), leaf)
        if arrays is None:
            return None
        fields = [invert_field(arrays, name, leaf.doc_count_all()) for name in WORD_FIELDS]
        return cls(*fields) if all(f is not None for f in fields) else None

    def columns(self, docnum: int) -> dict:
        """The document's word columns of a shard's row (``cluster_indexer.word_columns``)."""
        return {"title": self.title.text(docnum), "body": self.body.text(docnum), "exact": self.exact.text(docnum),
                "title_len": self.title.length(docnum), "body_len": self.body.length(docnum),
                "exact_len": self.exact.length(docnum)}
