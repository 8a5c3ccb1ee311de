"""Whoosh's segment writer, flushing a segment at less cost.

When a segment is flushed, Whoosh sorts the pooled postings and files them a
term at a time. Two things made that slower than it has to be:

- the posting arrays (``arrays.py``) were written after the commit by
  reading every term of the new segment back through Whoosh: its blocks
  unpickled and decompressed again, and a matcher opened per term. Here the
  postings fill the arrays on their way to Whoosh's files;
- Whoosh asks the segment's length column for the document's field length
  once per posting (a seek and a read each, a quarter of the flush). Here
  each field's lengths are read once.

What Whoosh writes is unchanged; a test compares the arrays with the ones
read back from the segment.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from whoosh.writing import SegmentWriter

from . import arrays
from .arrays import MIN_POSTINGS, ArrayBuilder


class ArraySegmentWriter(SegmentWriter):
    """A ``SegmentWriter`` that writes the new segment's posting arrays as it
    flushes it (into ``index_dir``, named after the segment, like those
    ``write_missing_arrays`` writes)."""

    def __init__(self, ix, index_dir: Path, min_postings: int = MIN_POSTINGS, **kwargs) -> None:
        super().__init__(ix, **kwargs)
        self.index_dir, self.min_postings = Path(index_dir), min_postings

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = _FieldLengths(self.per_document_reader(), self.docnum) if self.codec.length_stats else None
        builder = ArrayBuilder([f for f in arrays.ARRAY_FIELDS if f in self.schema], self.min_postings)
        self.fieldwriter.add_postings(self.schema, lengths, _passing_through(builder, self.schema, self.pool.iter_postings()))
        self.fieldwriter.close()
        if lengths is not None:
            lengths.close()
        # Before the commit's table of contents: a segment that never makes it
        # into the index leaves files that Whoosh's next commit cleans away.
        builder.write(self.index_dir, self.newsegment.segment_id())


class _FieldLengths:
    """``doc_field_length`` of the segment being flushed, a list per field
    read once."""

    def __init__(self, reader, doc_count: int) -> None:
        self.reader, self.doc_count = reader, doc_count
        self.by_field: dict[str, list] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default=0):
        lengths = self.by_field.get(fieldname)
        if lengths is None:
            lengths = [self.reader.doc_field_length(d, fieldname, default) for d in range(self.doc_count)]
            self.by_field[fieldname] = lengths
        return lengths[docnum]

    def close(self) -> None:
        self.reader.close()


def _passing_through(builder: ArrayBuilder, schema, postings: Iterable[tuple]) -> Iterator[tuple]:
    """The pool's postings, sorted by field, term and document, passed on
    unchanged; those of the array fields also go to ``builder``, a term at
    a time."""
    decoders = {f: schema[f].format.decoder("positions") for f, keep in arrays.ARRAY_FIELDS.items() if keep and f in schema}
    fields = set(builder.fields)
    field = term = None
    ids: list[int] = []
    weights: list[float] = []
    positions: list | None = None
    decode = None
    for item in postings:
        fieldname, btext, docnum, weight, vbytes = item
        if docnum >= 0 and fieldname in fields:  # docnum -1: a word for Whoosh's spelling graph
            if btext != term or fieldname != field:
                if field is not None:
                    builder.add_term(field, term.decode("utf-8"), ids, weights, positions)
                field, term, ids, weights = fieldname, btext, [], []
                decode = decoders.get(fieldname)
                positions = [] if decode else None
            ids.append(docnum)
            weights.append(weight)
            if decode:
                positions.append(decode(vbytes))
        yield item
    if field is not None:
        builder.add_term(field, term.decode("utf-8"), ids, weights, positions)
