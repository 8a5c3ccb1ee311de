"""Whoosh's segment writer, flushing a segment at less cost.

When a segment is flushed, Whoosh sorts the pooled postings and files them a
term at a time. Four things made that slower than it has to be:

- the posting arrays (``arrays.py``) were written after the commit by
  reading every term of the new segment back through Whoosh: its blocks
  unpickled and decompressed again, and a matcher opened per term. Here the
  postings fill the arrays on their way to Whoosh's files;
- Whoosh asks the segment's length column for the document's field length
  once per posting (a seek and a read each, a quarter of the flush). Here
  each field's lengths are read once;
- Whoosh's posting writer takes one posting per call, checking its types
  and updating the block's statistics each time. Here a term's postings
  are gathered first (the arrays need them anyway) and handed to the
  posting writer a block at a time; it encodes and writes the block itself;
- every block was compressed, though most hold a posting or two: a zlib
  call costs ~50 µs whatever the size (measured here), and a block of 80
  bytes comes out no smaller. Whoosh means to skip blocks under 20 bytes,
  but its check is overwritten a line later. Here blocks under
  ``COMPRESS_FROM`` bytes are written as they are, which Whoosh's reader
  reads (each block says whether it is compressed).

What Whoosh writes is otherwise unchanged, byte for byte; tests compare the
files with the ones Whoosh's own writer makes, the postings read back, and
the arrays with the ones read back from the segment.
"""
from __future__ import annotations

from array import array
from collections.abc import Iterable
from itertools import accumulate
from pathlib import Path
from pickle import loads

from whoosh.codec.whoosh3 import W3FieldWriter, W3PostingsWriter
from whoosh.formats import Positions
from whoosh.index import TOC
from whoosh.system import _INT_SIZE
from whoosh.writing import MERGE_SMALL, SegmentWriter

from . import arrays
from .arrays import MIN_POSTINGS, ArrayBuilder

# A block's postings, roughly in bytes as pickled, from which it is compressed.
COMPRESS_FROM = 200
# Segments of fewer documents may be merged at a commit; larger ones never are.
SMALL_SEGMENT = 1_000


def merge_small_segments(writer, segments: list) -> list:
    """Whoosh's MERGE_SMALL policy over the segments of fewer than
    ``SMALL_SEGMENT`` documents only: runs that add a few documents at a
    time do not pile up tiny segments, and large segments are left alone.
    Whoosh's own policy counts them all: at 22 segments of ~4,000 documents
    it merged the 22 (88,000 documents) in the indexing process, at the end
    of a 100,000-document build, with every worker idle."""
    small = [s for s in segments if s.doc_count_all() < SMALL_SEGMENT]
    kept = {id(s) for s in MERGE_SMALL(writer, small)}
    return [s for s in segments if s.doc_count_all() >= SMALL_SEGMENT or id(s) in kept]


class ArraySegmentWriter(SegmentWriter):
    """A ``SegmentWriter`` that writes the new segment's posting arrays as it
    flushes it (into ``index_dir``, named after the segment, like those
    ``write_missing_arrays`` writes)."""

    def __init__(self, ix, index_dir: Path, min_postings: int = MIN_POSTINGS, **kwargs) -> None:
        super().__init__(ix, **kwargs)
        self.index_dir, self.min_postings = Path(index_dir), min_postings
        self._other_segments: list = []
        self._clean_files = True

    def commit_with(self, segments: list, clean: bool = True) -> None:
        """Commits, and the segments other processes wrote (``parallel.py``)
        join the index in the same generation. ``clean=False`` leaves the
        files of segments the index does not hold, which Whoosh's commit
        deletes: a worker may be writing one; a later commit cleans them."""
        self._other_segments, self._clean_files = list(segments), clean
        self.commit()

    def commit(self, mergetype=None, optimize=False, merge=True) -> None:
        if mergetype is None and merge and not optimize:
            mergetype = merge_small_segments
        super().commit(mergetype=mergetype, optimize=optimize, merge=merge)

    def _commit_toc(self, segments) -> None:
        segments = list(segments) + self._other_segments
        if self._clean_files:
            super()._commit_toc(segments)
        else:
            TOC(self.schema, segments, self.generation).write(self.storage, self.indexname)

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        if type(self.fieldwriter) is not W3FieldWriter:  # what _file_postings fills is Whoosh 3's
            raise TypeError(f"the index's codec is not Whoosh 3's: {type(self.codec).__name__}")
        lengths = _FieldLengths(self.per_document_reader(), self.docnum)
        builder = ArrayBuilder([f for f in arrays.ARRAY_FIELDS if f in self.schema], self.min_postings)
        _file_postings(self.fieldwriter, self.schema, lengths, self.pool.iter_postings(), builder)
        self.fieldwriter.close()
        lengths.close()
        # Before the commit's table of contents: a segment that never makes it
        # into the index leaves files that Whoosh's next commit cleans away.
        builder.write(self.index_dir, self.newsegment.segment_id())


class _FieldLengths:
    """The field lengths of the segment being flushed, a list per field,
    read once."""

    def __init__(self, reader, doc_count: int) -> None:
        self.reader, self.doc_count = reader, doc_count
        self.by_field: dict[str, list] = {}

    def of_field(self, fieldname: str) -> list[int]:
        lengths = self.by_field.get(fieldname)
        if lengths is None:
            lengths = [self.reader.doc_field_length(d, fieldname, 0) for d in range(self.doc_count)]
            self.by_field[fieldname] = lengths
        return lengths

    def close(self) -> None:
        self.reader.close()


def _positions_decoder(fieldobj):
    """A field's positions from a posting's value: for the plain Positions
    format without building a list (``ArrayBuilder`` only iterates them)."""
    fmt = fieldobj.format
    if type(fmt) is Positions:
        # Whoosh's own decode_positions, less the list: a count, then the
        # pickled position deltas (the pickle's final stop byte may be cut).
        return lambda v: accumulate(loads(v[_INT_SIZE:] if v.endswith(b".") else v[_INT_SIZE:] + b"."))
    return fmt.decoder("positions")


def _file_postings(fieldwriter: W3FieldWriter, schema, lengths: "_FieldLengths",
                   postings: Iterable[tuple], builder: ArrayBuilder) -> None:
    """``FieldWriter.add_postings`` a term at a time: the pool's postings,
    sorted by field, term and document, go to Whoosh's posting writer in
    blocks, and those of the array fields to ``builder`` too."""
    array_fields = set(builder.fields)
    field = term = None
    ids: list[int] = []
    weights: list[float] = []
    values: list[bytes] = []
    field_lengths: list[int] = []
    decode = None

    def finish_term() -> None:
        if field in array_fields:
            positions = [decode(v) for v in values] if decode else None
            builder.add_term(field, term.decode("utf-8"), ids, weights, positions)
        fieldwriter.start_term(term)
        _file_term(fieldwriter._postwriter, ids, weights, values, field_lengths)
        fieldwriter.finish_term()

    for fieldname, btext, docnum, weight, value in postings:
        if fieldname != field:
            if term is not None:
                finish_term()
            if field is not None:
                fieldwriter.finish_field()
            fieldobj = schema[fieldname]
            fieldwriter.start_field(fieldname, fieldobj)
            fieldwriter._postwriter = _PostingsWriter.like(fieldwriter._postwriter)
            field_lengths = lengths.of_field(fieldname)
            decode = _positions_decoder(fieldobj) if arrays.ARRAY_FIELDS.get(fieldname) else None
            field, term = fieldname, None
        if docnum < 0:  # -1: a word for Whoosh's spelling graph, not a posting
            continue
        if btext != term:
            if term is not None:
                finish_term()
            term, ids, weights, values = btext, [], [], []
        ids.append(docnum)
        weights.append(weight)
        values.append(value or b"")
    if term is not None:
        finish_term()
    if field is not None:
        fieldwriter.finish_field()


def _file_term(postwriter: W3PostingsWriter, ids: list[int], weights: list[float],
               values: list[bytes], field_lengths: list[int]) -> None:
    """One term's postings into Whoosh's posting writer, its block buffer
    filled as ``add_posting`` would fill it; every block but the last is
    written here, the last by ``finish_postings`` (in ``finish_term``)."""
    limit = postwriter._blocklimit
    for start in range(0, len(ids), limit):
        if start:
            postwriter._write_block()  # and starts the next, empty
        block_ids, block_weights = ids[start:start + limit], weights[start:start + limit]
        postwriter._ids = array("I", block_ids)
        postwriter._weights = array("f", block_weights)
        postwriter._values = [v for v in values[start:start + limit] if v]
        postwriter._maxweight = max(0, max(block_weights))
        # add_posting skips a length of 0 for the minimum and maximum
        block_lengths = [n for n in (field_lengths[d] for d in block_ids) if n]
        if block_lengths:
            postwriter._minlength, postwriter._maxlength = min(block_lengths), max(block_lengths)


class _PostingsWriter(W3PostingsWriter):
    """Whoosh 3's posting writer, leaving blocks under ``COMPRESS_FROM``
    bytes uncompressed."""

    @classmethod
    def like(cls, postwriter: W3PostingsWriter) -> "_PostingsWriter":
        return cls(postwriter._postfile, postwriter._blocklimit, byteids=postwriter._byteids,
                   compression=postwriter._compression, inlinelimit=postwriter._inlinelimit)

    def _write_block(self, last=False):
        # the pickle's size, near enough: 3 bytes an id, the values as they are
        small = 3 * len(self._ids) + sum(map(len, self._values)) < COMPRESS_FROM
        level, self._compression = self._compression, 0 if small else self._compression
        try:
            super()._write_block(last)
        finally:
            self._compression = level
