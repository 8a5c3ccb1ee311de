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
from ..store.arrays import SegmentArrays
from ..store.merged_arrays import load_arrays

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
    found = arrays.field_positions(fieldname)
    if found is None:
        return None
    words, term_of, docs, positions = found
    if len(docs) and (docs >= doc_count).any():
        return None
    lengths = np.bincount(docs, minlength=doc_count).astype(np.int64)
    doc_start = np.concatenate(([0], np.cumsum(lengths)))
    if len(docs) and (positions >= lengths[docs]).any():
        return None
    order = np.full(int(doc_start[-1]), -1, dtype=np.int32)
    # a chunk at a time, so a big segment's slots are never all made at once
    for a in range(0, len(docs), POSITIONS_A_CHUNK):
        b = a + POSITIONS_A_CHUNK
        order[doc_start[docs[a:b]] + positions[a:b]] = term_of[a:b]
    if (order < 0).any():  # a slot no position filled: a repeated position
        return None
    return FieldWords(np.array(words, dtype=object), order, doc_start)


@dataclass
class SegmentWords:
    """A segment's title and body lemmas and exact forms, per document."""

    title: FieldWords
    body: FieldWords
    exact: FieldWords

    @classmethod
    def load(cls, index_dir: Path, leaf) -> "SegmentWords | None":
        arrays = load_arrays(Path(index_dir), leaf)
        if arrays is None:
            return None
        fields = [invert_field(arrays, name, leaf.doc_count_all()) for name in WORD_FIELDS]
        return cls(*fields) if all(f is not None for f in fields) else None

    def columns(self, docnum: int) -> dict:
        """The document's word columns of a shard's row (``cluster_indexer.word_columns``)."""
        return {"title": self.title.text(docnum), "body": self.body.text(docnum), "exact": self.exact.text(docnum),
                "title_len": self.title.length(docnum), "body_len": self.body.length(docnum),
                "exact_len": self.exact.length(docnum)}
