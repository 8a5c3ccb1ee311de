"""Posting arrays: each segment's posting lists once more, as flat arrays.

Whoosh keeps a term's postings in pickled, compressed blocks of 128, and
decoding them is Python work per block: a frequent term in a 100,000-document
index costs more to read than everything else a search does. After each
commit the indexer writes, beside the segment's own files, the postings of
every term (or, with ``min_postings``, of the terms in that many documents)
as plain arrays (document numbers, weights, and for the lemma fields the
positions), which the query side reads a slice at a time. A segment whose
table holds every term also tells the query side which terms it lacks, so
Whoosh is not asked about them in each of twenty segments.

The files are named after their segment, so Whoosh deletes them with it when
segments are merged away; the term table is written last, so a segment with a
table has complete arrays, and one without is read through Whoosh.
"""
from __future__ import annotations

import os
from array import array
from dataclasses import dataclass
from pathlib import Path

import marisa_trie
import numpy as np
from whoosh.matching.wrappers import FilterMatcher

# field -> are positions kept (phrases over lemmas; exact-form phrases are rare
# and left to Whoosh, which keeps the files a third smaller). The facet fields
# are here because a search loads every facet value's documents when it opens:
# ten thousand officials asked of Whoosh in twenty segments took ten seconds.
ARRAY_FIELDS = {"title": True, "body": True, "exact": False,
                "official": False, "region": False, "district": False, "sector": False, "year": False, "lang": False}
LEGACY_FIELDS = frozenset(("title", "body", "exact"))  # what tables without a fields key hold
MIN_POSTINGS = 1  # every term: a segment's table then says which terms it lacks
PARTS = ("ids", "weights", "posoff", "pos", "spans")
FORMAT = "pa3"  # in the file names: a new layout gets new files, never misread old ones
_SEP = "\x1f"  # between field and term in the term table's keys (no token holds it)
# Keys starting with the separator are about the table, not terms: the
# threshold, and which fields the table covers.
THRESHOLD_KEY = _SEP + "min_postings"
FIELDS_KEY = _SEP + "fields" + _SEP


def fields_key(fields) -> str:
    return FIELDS_KEY + ",".join(sorted(fields))


def _paths(index_dir: Path, segment_id: str) -> tuple[dict[str, Path], Path]:
    return ({part: index_dir / f"{segment_id}.{FORMAT}_{part}.npy" for part in PARTS},
            index_dir / f"{segment_id}.{FORMAT}_terms.marisa")


def _leaf_segment_id(leaf) -> str | None:
    segment = getattr(leaf, "segment", None)
    segment = segment() if callable(segment) else None  # an empty index's reader has none
    return segment.segment_id() if segment is not None else None


def read_term(matcher, positions: bool, weights: bool = True):
    """A Whoosh leaf matcher's (ids, weights, positions per posting), a block
    at a time; what is not asked for comes back empty. Deleted documents
    are mostly included, as in the arrays, and searches mask them out with
    their live array. (A segment with deletions wraps its matcher in a
    filter, which has no blocks; the blocks are the wrapped matcher's, but
    the filter has already skipped whole blocks, or whole terms, of deleted
    documents: those are missing.)"""
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    ids, all_weights, poss = [], [], []
    decode = matcher.format.decoder("positions") if positions else None
    while matcher.is_active():
        matcher._read_ids()
        ids.extend(matcher._ids)
        if weights:
            matcher._read_weights()
            all_weights.extend(matcher._weights)
        if positions:
            matcher._read_values()
            poss.extend(decode(v) for v in matcher._values)
        matcher._next_block()
    return ids, all_weights, poss


class ArrayBuilder:
    """A segment's arrays, gathered a term at a time (from the postings the
    writer files, or read back from a written segment) and written beside
    the segment."""

    def __init__(self, fields: list[str], min_postings: int = MIN_POSTINGS) -> None:
        # The term table maps "field<SEP>term" to a row of ``spans``: (first
        # posting, end posting, first offset or -1); a positional term has one
        # offset per posting plus its end in ``posoff``. A MARISA trie loads in
        # a millisecond where a pickled dict took a tenth of a second a segment.
        self.fields, self.min_postings = fields, min_postings
        self.ids, self.weights, self.posoff, self.pos = array("I"), array("f"), array("I"), array("I")
        self.terms: dict[str, tuple[int, int, int]] = {}

    def add_term(self, fieldname: str, text: str, ids, weights, positions=None) -> None:
        """One term's postings in document order; ``positions`` (one
        sequence per posting) for a field that keeps them."""
        if len(ids) < self.min_postings:
            return
        start, first_offset = len(self.ids), -1
        self.ids.extend(ids)
        self.weights.extend(weights)
        if positions is not None:
            first_offset = len(self.posoff)
            posoff, pos = self.posoff, self.pos
            posoff.append(len(pos))
            for p in positions:
                pos.extend(p)
                posoff.append(len(pos))
        self.terms[fieldname + _SEP + text] = (start, len(self.ids), first_offset)

    def write(self, index_dir: Path, segment_id: str) -> None:
        arrays = {
            "ids": np.frombuffer(self.ids, dtype=np.uint32),
            "weights": np.frombuffer(self.weights, dtype=np.float32),
            "posoff": np.frombuffer(self.posoff, dtype=np.uint32),
            "pos": np.frombuffer(self.pos, dtype=np.uint32),
        }
        terms = dict(self.terms)
        # a key no field can make records the threshold: with 1 the table holds
        # every term, and a term missing from it is missing from the segment
        terms[THRESHOLD_KEY] = (self.min_postings, 0, 0)
        terms[fields_key(self.fields)] = (0, 0, -1)
        trie = marisa_trie.Trie(terms.keys())
        spans = np.zeros((len(trie), 3), dtype=np.int64)
        for key, span in terms.items():
            spans[trie[key]] = span
        arrays["spans"] = spans.reshape(-1)
        files, table = _paths(index_dir, segment_id)
        for part, values in arrays.items():
            tmp = files[part].with_suffix(".tmp")
            with open(tmp, "wb") as out:
                np.save(out, values)
            os.replace(tmp, files[part])
        tmp = table.with_suffix(".tmp")
        trie.save(str(tmp))
        os.replace(tmp, table)  # last: its presence says the arrays are complete


def write_segment_arrays(index_dir: Path, leaf, segment_id: str, min_postings: int = MIN_POSTINGS) -> None:
    """A written segment's arrays, its postings read back through Whoosh (a
    segment Whoosh merged, or one written before arrays were)."""
    builder = ArrayBuilder([f for f in ARRAY_FIELDS if f in leaf.schema], min_postings)
    for fieldname in builder.fields:
        keep_positions = ARRAY_FIELDS[fieldname]
        for text, info in leaf.iter_field(fieldname):
            if info.doc_frequency() < min_postings:
                continue
            text = text.decode("utf-8") if isinstance(text, bytes) else text
            t_ids, t_weights, t_pos = read_term(leaf.postings(fieldname, text), keep_positions)
            builder.add_term(fieldname, text, t_ids, t_weights, t_pos if keep_positions else None)
    builder.write(Path(index_dir), segment_id)


def write_missing_arrays(ix, index_dir: Path, min_postings: int = MIN_POSTINGS) -> list[str]:
    """Arrays for every segment of the index's latest generation that has
    none (new, or made by a Whoosh merge) or has them for fewer fields than
    are kept now (written by an older version). Returns the segment ids
    written."""
    written = []
    with ix.reader() as reader:
        for leaf, _offset in reader.leaf_readers():
            segment_id = _leaf_segment_id(leaf)
            if not segment_id:
                continue
            files, table = _paths(Path(index_dir), segment_id)
            if table.exists():
                arrays = SegmentArrays.open(files, table)
                if arrays is not None and arrays.fields >= {f for f in ARRAY_FIELDS if f in leaf.schema}:
                    continue
                table.unlink()  # the arrays count as missing until rewritten
            write_segment_arrays(Path(index_dir), leaf, segment_id, min_postings)
            written.append(segment_id)
    return written


class ArrayFile:
    """A 1-d ``.npy`` file read a slice at a time with ``pread``. Mapping the
    files instead made the search process's RSS grow by whole megabytes per
    posting list touched (the page cache hands out large folios), up to the
    size of all the arrays; read calls leave only what a query uses."""

    def __init__(self, path: Path) -> None:
        self._file = open(path, "rb")
        major, _minor = np.lib.format.read_magic(self._file)
        read_header = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
        shape, fortran, dtype = read_header(self._file)
        if len(shape) != 1 or fortran:
            raise ValueError(f"{path.name}: not a flat array")
        self.dtype, self.length, self._offset = dtype, shape[0], self._file.tell()

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, part: slice) -> np.ndarray:
        start, stop, _ = part.indices(self.length)
        if stop <= start:
            return np.zeros(0, dtype=self.dtype)
        size = self.dtype.itemsize
        raw = os.pread(self._file.fileno(), (stop - start) * size, self._offset + start * size)
        return np.frombuffer(raw, dtype=self.dtype)


@dataclass
class SegmentArrays:
    """One segment's arrays (or the merged arrays of several): the term
    table in memory, the postings read from their files as asked."""

    terms: marisa_trie.Trie
    spans: ArrayFile
    ids: ArrayFile
    weights: ArrayFile
    posoff: ArrayFile
    pos: ArrayFile
    complete: bool  # every term of the segment is in the table
    fields: frozenset[str] = LEGACY_FIELDS  # the fields the table holds

    @classmethod
    def load(cls, index_dir: Path, leaf) -> "SegmentArrays | None":
        segment_id = _leaf_segment_id(leaf)
        return cls.open(*_paths(Path(index_dir), segment_id)) if segment_id else None

    @classmethod
    def open(cls, files: dict[str, Path], table: Path) -> "SegmentArrays | None":
        try:
            terms = marisa_trie.Trie()
            terms.load(str(table))
            parts = {part: ArrayFile(files[part]) for part in PARTS}
        except (OSError, ValueError, EOFError, RuntimeError):
            return None  # none yet, or damaged: Whoosh's own postings serve
        if len(parts["ids"]) != len(parts["weights"]) or len(parts["spans"]) != 3 * len(terms):
            return None
        row = terms.get(THRESHOLD_KEY)
        complete = row is not None and int(parts["spans"][3 * row:3 * row + 1][0]) <= 1
        listed = terms.keys(FIELDS_KEY)
        fields = frozenset(listed[0][len(FIELDS_KEY):].split(",")) if listed else LEGACY_FIELDS
        return cls(terms, **parts, complete=complete, fields=fields)

    def _span(self, fieldname: str, text: str) -> tuple[int, int, int] | None:
        row = self.terms.get(fieldname + _SEP + text)
        return None if row is None else tuple(int(v) for v in self.spans[3 * row:3 * row + 3])

    def lacks(self, fieldname: str, text: str) -> bool:
        """Is the term known to be absent from this segment?"""
        return self.knows_all(fieldname) and self.terms.get(fieldname + _SEP + text) is None

    def knows_all(self, fieldname: str) -> bool:
        """Does the table hold every term of this field?"""
        return self.complete and fieldname in self.fields

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """Documents with the term (deleted ones too, as Whoosh counts); only
        for a field the table knows all of."""
        span = self._span(fieldname, text)
        return 0 if span is None else span[1] - span[0]

    def terms_with_prefix(self, fieldname: str, prefix: str) -> list[str]:
        key = fieldname + _SEP
        return [k[len(key):] for k in self.terms.keys(key + prefix)]

    def postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(segment docnums, weights), or None if this term is not kept here."""
        span = self._span(fieldname, text)
        if span is None:
            return None
        start, end, _ = span
        return self.ids[start:end], self.weights[start:end]

    def positions(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(segment docnum of each position, position) over all postings, or
        None if the term's positions are not kept here."""
        span = self._span(fieldname, text)
        if span is None or span[2] < 0:
            return None
        start, end, first = span
        offsets = np.asarray(self.posoff[first:first + end - start + 1], dtype=np.int64)
        counts = np.diff(offsets)
        docs = np.repeat(np.asarray(self.ids[start:end], dtype=np.int64), counts)
        return docs, np.asarray(self.pos[offsets[0]:offsets[-1]], dtype=np.int64)
