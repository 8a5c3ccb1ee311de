"""Whoosh's segment writer, flushing a segment at less cost.

When a segment is flushed, Whoosh sorts the pooled postings and files them a
term at a time. Four things made that slower than it has to be:

- the posting arrays (``store/arrays.py``) were written after the commit by
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
files with the ones Whoosh's own writer makes with the same codec (its
stored fields compressed by ``store/codec.py``), the postings read back, and the
arrays with the ones read back from the segment.

The text fields (``arrays.TEXT_FIELDS``) skip Whoosh's postings altogether:
Whoosh gets their stored values and lengths (its BM25 statistics), and
``TextPostings`` keeps a word id per token and files the fields' postings
into the arrays with a few numpy sorts when the segment is flushed. A test
checks them against the postings Whoosh's own writer makes of the same
documents. The fields of values (``arrays.VALUE_FIELDS``) skip them too:
``ValuePostings`` keeps the terms and weights Whoosh's own field makes of
each value.
"""
from __future__ import annotations

import os
from array import array
from collections.abc import Iterable
from itertools import accumulate
from pathlib import Path
from pickle import loads

import numpy as np

from whoosh.codec.whoosh3 import W3FieldWriter, W3PostingsWriter
from whoosh.filedb.filestore import FileStorage
from whoosh.formats import Positions
from whoosh.index import TOC
from whoosh.system import _INT_SIZE
from whoosh.util import random_name
from whoosh.writing import MERGE_SMALL, SegmentWriter

from ..analysis.word_ids import FORMS_FIELD, WORD_IDS_FIELD, Vocabulary, WordIds
from ..store import arrays
from ..store.arrays import MIN_POSTINGS, ArrayBuilder, text_positions, value_postings
from ..store.merged_arrays import load_arrays
from ..store.codec import ZstdStoredCodec
from ..store.forms import FormPairs
from ..store.sorting import stable_argsort

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


class IndexStorage(FileStorage):
    """The index directory, whose writers are freed as soon as they are done.

    A Whoosh writer opens its temporary directory twice, and the second time
    Whoosh's ``create`` keeps the "directory exists" error it catches in a
    local variable: the error's traceback and that frame then hold each
    other, and through the frames the whole writer (its posting pool and
    the segment's tokens, ~20 MB for 1,200 news articles) until a cyclic
    garbage collection finds them. Here the directory is made without the
    error."""

    def temp_storage(self, name=None):
        storage = FileStorage(os.path.join(self.folder, name or f"{random_name()}.tmp"))
        os.makedirs(storage.folder, exist_ok=True)
        return storage


class _FieldEntries:
    """One field's entries in a segment: a word id each, and merged
    segments' entries as (word ids, documents, positions or weights)
    chunks. The ids are the segment's own, or a process's ``WordIds``."""

    def __init__(self, vocabulary: dict | None = None) -> None:
        self.vocabulary = vocabulary if vocabulary is not None else Vocabulary()
        self.words = array("I")
        self.chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def entry_count(self) -> int:
        return len(self.words) + sum(len(c[0]) for c in self.chunks)


class _FieldTokens(_FieldEntries):
    """One text field's tokens in a segment: a word id per token, and each
    document's number and token count."""

    def __init__(self, boost: float, vocabulary: dict | None = None) -> None:
        super().__init__(vocabulary)
        self.boost = boost
        self.docs = array("I")
        self.lengths = array("I")

    def sorted_entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(word ids, documents, positions), one per token, sorted by word,
        document and position."""
        words = np.frombuffer(self.words, dtype=np.uint32) if self.words else np.zeros(0, dtype=np.uint32)
        lengths = np.frombuffer(self.lengths, dtype=np.uint32).astype(np.int64) if self.lengths else np.zeros(0, np.int64)
        docs = np.repeat(np.frombuffer(self.docs, dtype=np.uint32) if self.docs else np.zeros(0, np.uint32), lengths)
        positions = np.arange(len(words), dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        if not self.chunks:
            # tokens were added document by document, position by position:
            # a stable sort by word keeps them in order within each word
            order = stable_argsort(words)
            return words[order], docs[order], positions[order]
        words = np.concatenate([words, *(c[0] for c in self.chunks)]).astype(np.uint32)
        docs = np.concatenate([docs, *(c[1] for c in self.chunks)]).astype(np.uint32)
        positions = np.concatenate([positions, *(c[2] for c in self.chunks)]).astype(np.int64)
        order = np.lexsort((positions, docs, words))
        return words[order], docs[order], positions[order]


class _ArraysOnly:
    """Fields of the segment being written whose postings go to the arrays
    only: ``fields`` maps each to its entries (a word id and a document
    each, and a position or a weight)."""

    BYTES_AN_ENTRY: int  # counted for an entry, for the segment's size
    fields: dict

    def add_postings(self, fieldname: str, words: list[str], entries: np.ndarray, docs: np.ndarray,
                     values: np.ndarray) -> None:
        """Entries of documents added from another segment, their words
        indexes into ``words``, with their positions or weights."""
        if not len(entries):
            return
        field = self.fields[fieldname]
        ids = np.fromiter(map(field.vocabulary.__getitem__, words), dtype=np.uint32, count=len(words))
        field.chunks.append((ids[entries], docs, values))

    def size(self) -> int:
        return self.BYTES_AN_ENTRY * sum(f.entry_count() for f in self.fields.values())


class TextPostings(_ArraysOnly):
    """The text fields' postings of the segment being written, an entry
    per token."""

    # Bytes a token is counted for while it waits (its id) and when it is
    # sorted at the flush (ids, documents, positions, the order): the
    # segment is closed before this estimate outgrows the writer's pool.
    BYTES_AN_ENTRY = 48

    def __init__(self, schema, word_ids: WordIds | None = None) -> None:
        # With a process's word ids, every text field files its tokens under
        # them, and a document whose fields carry ids from them
        # (``WORD_IDS_FIELD``) is filed without looking its tokens up.
        self.word_ids = word_ids
        self.fields: dict[str, _FieldTokens] = {}
        for name in arrays.TEXT_FIELDS:
            if name in schema:
                fmt = schema[name].format
                if type(fmt) is not Positions:  # weights and positions are filed as Positions makes them
                    raise TypeError(f"text field {name!r} does not keep positions")
                self.fields[name] = _FieldTokens(fmt.field_boost, word_ids)

    def ids_of(self, fields: dict) -> dict[str, list[int]]:
        """The word ids a document's fields carry (``WORD_IDS_FIELD``, taken
        out of them), when they are this writer's; else none."""
        given = fields.pop(WORD_IDS_FIELD, None)
        if given is None or self.word_ids is None or given[0] != self.word_ids.key:
            return {}
        return given[1]

    def add(self, fieldname: str, docnum: int, tokens: list[str], ids: list[int] | None = None) -> int:
        """A document's tokens of a field (their positions are 0, 1, 2, …,
        as Whoosh numbers a list's tokens), or their ids in this writer's
        word ids; returns their count."""
        field = self.fields[fieldname]
        if ids is not None:
            field.words.extend(ids)
        else:
            field.words.extend(map(field.vocabulary.__getitem__, tokens))
        field.docs.append(docnum)
        field.lengths.append(len(tokens))
        return len(tokens)

    def file(self, builder: ArrayBuilder) -> None:
        # the fields share a process's word ids (hundreds of thousands of
        # words by the end of a large run): listed once, not once a field
        listed: dict[int, list[str]] = {}
        for name, field in self.fields.items():
            words, docs, positions = field.sorted_entries()
            vocabulary = listed.get(id(field.vocabulary))
            if vocabulary is None:
                vocabulary = listed[id(field.vocabulary)] = list(field.vocabulary)
            builder.add_field(name, vocabulary, words, docs, positions, field.boost)


class _FieldValues(_FieldEntries):
    """One field of values in a segment: a word id, document and weight per
    posting."""

    def __init__(self) -> None:
        super().__init__()
        # value -> its (word id, weight) pairs: values repeat (a year, a
        # region), and Whoosh's analysis of one costs more than the rest
        self.terms_of: dict[str, list[tuple[int, float]]] = {}
        self.docs = array("I")
        self.weights = array("f")

    def sorted_entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(word ids, documents, weights), sorted by word and document."""
        words = np.concatenate([np.frombuffer(self.words, dtype=np.uint32), *(c[0] for c in self.chunks)]).astype(np.uint32)
        docs = np.concatenate([np.frombuffer(self.docs, dtype=np.uint32), *(c[1] for c in self.chunks)]).astype(np.uint32)
        weights = np.concatenate([np.frombuffer(self.weights, dtype=np.float32), *(c[2] for c in self.chunks)])
        order = np.lexsort((docs, words))
        return words[order], docs[order], weights[order]


class ValuePostings(_ArraysOnly):
    """The fields of values' postings of the segment being written, an
    entry per posting, from the terms and weights Whoosh's own field makes
    of a value."""

    BYTES_AN_ENTRY = 40  # as ``TextPostings``'s

    def __init__(self, schema) -> None:
        self.fields = {name: _FieldValues() for name in arrays.VALUE_FIELDS if name in schema}

    def add(self, fieldname: str, fieldobj, docnum: int, value, boost: float) -> None:
        field = self.fields[fieldname]
        terms = field.terms_of.get(value) if isinstance(value, str) else None
        if terms is None:
            terms = [(field.vocabulary[tbytes.decode("utf-8")], weight)
                     for tbytes, _freq, weight, _vbytes in fieldobj.index(value)]
            if isinstance(value, str):
                field.terms_of[value] = terms
        for word, weight in terms:
            field.words.append(word)
            field.docs.append(docnum)
            field.weights.append(weight * boost)

    def file(self, builder: ArrayBuilder) -> None:
        for name, field in self.fields.items():
            builder.add_values(name, list(field.vocabulary), *field.sorted_entries())


class ArraySegmentWriter(SegmentWriter):
    """A ``SegmentWriter`` that writes the new segment's posting arrays as it
    flushes it (into ``index_dir``, named after the segment, like those
    ``write_missing_arrays`` writes), the text fields' postings only there."""

    def __init__(self, ix, index_dir: Path, min_postings: int = MIN_POSTINGS, word_ids: WordIds | None = None,
                 **kwargs) -> None:
        kwargs.setdefault("codec", ZstdStoredCodec())  # ``store/codec.py``
        super().__init__(ix, **kwargs)
        self.index_dir, self.min_postings = Path(index_dir), min_postings
        self.text = TextPostings(self.schema, word_ids)
        self.values = ValuePostings(self.schema)
        self.form_pairs = FormPairs()
        self._other_segments: list = []
        self._clean_files = True

    def pending_bytes(self) -> float:
        """What the segment holds so far, by Whoosh's estimate of its pool
        and ours of the text fields' tokens and the values' postings."""
        return self.pool.currentsize + self.text.size() + self.values.size()

    def add_document(self, **fields) -> None:
        # The text fields and the fields of values go to Whoosh empty, with
        # their stored values. The text fields' tokens go to ``self.text``,
        # and their lengths to the document's length columns (the
        # per-document writer adds them to the document it wrote last, which
        # is this one); the values' terms go to ``self.values``.
        ids = self.text.ids_of(fields)
        forms = fields.pop(FORMS_FIELD, None)
        texts, values = self._take_from_whoosh(fields, self.text.fields), self._take_from_whoosh(fields, self.values.fields)
        if FORMS_FIELD in ids:
            self.form_pairs.add_ids([*ids.get("title", ()), *ids.get("body", ())], ids[FORMS_FIELD])
        elif forms is not None:
            self.form_pairs.add_words([*texts.get("title", ()), *texts.get("body", ())], forms)
        super().add_document(**fields)
        docnum = self.docnum - 1
        if values:
            docboost = self._doc_boost(fields)
            for name, value in values.items():
                self.values.add(name, self.schema[name], docnum, value, self._field_boost(fields, name, docboost))
        for name, value in texts.items():
            fieldobj = self.schema[name]
            words = value if not isinstance(value, str) else [t.text for t in fieldobj.analyzer(value, mode="index")]
            length = self.text.add(name, docnum, words, ids.get(name) if words is value else None)
            if length:
                self.perdocwriter.add_field(name, fieldobj, None, length)

    def form_keys(self) -> set[str]:
        """The lemma-form keys of the documents added (``forms.FormPairs``),
        for the forms table."""
        word_ids = self.text.word_ids
        return self.form_pairs.keys(list(word_ids) if word_ids is not None and self.form_pairs.lemma_ids else ())

    def _take_from_whoosh(self, fields: dict, names) -> dict:
        """The given fields' values, each left to Whoosh empty (a list of no
        tokens) with its stored value."""
        taken = {}
        for name in names:
            value = fields.get(name)
            if value is None:
                continue
            if self.schema[name].stored:
                fields.setdefault("_stored_" + name, value)
            taken[name] = value
            fields[name] = []
        return taken

    def add_reader(self, reader) -> None:
        """A segment's live documents (Whoosh merging segments): as Whoosh's
        own, but the text fields' postings come from the segment's arrays."""
        self._check_state()
        basedoc = self.docnum
        fieldnames = set(self.schema.names()) | {f for f in reader.indexed_field_names() if f in self.schema}
        docmap = self.write_per_doc(fieldnames, reader)
        add_post = self.pool.add
        for item in self._process_posts(self._postings_in_whoosh(reader), basedoc, docmap):
            add_post(item)
        new_docnum = np.arange(basedoc, basedoc + reader.doc_count_all(), dtype=np.int64)
        if docmap is not None:  # deletions: only the live documents were added
            new_docnum[:] = -1
            new_docnum[np.fromiter(docmap.keys(), dtype=np.int64)] = np.fromiter(docmap.values(), dtype=np.int64)
        segment_arrays = load_arrays(self.index_dir, reader)
        for name in self.text.fields:
            words, entries, docs, positions = text_positions(reader, name, segment_arrays)
            docs = new_docnum[docs.astype(np.int64)]
            live = docs >= 0
            self.text.add_postings(name, words, entries[live], docs[live], positions[live])
        for name in self.values.fields:
            words, entries, docs, weights = value_postings(reader, name, segment_arrays)
            docs = new_docnum[docs.astype(np.int64)]
            live = docs >= 0
            self.values.add_postings(name, words, entries[live], docs[live], weights[live])
        self._added = True

    def _postings_in_whoosh(self, reader):
        for fieldname, btext in reader.all_terms():
            if fieldname in self.text.fields or fieldname in self.values.fields:
                continue
            matcher = reader.postings(fieldname, btext)
            while matcher.is_active():
                yield fieldname, btext, matcher.id(), matcher.weight(), matcher.value()
                matcher.next()

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
        self.text.file(builder)
        self.values.file(builder)
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

    def of_field(self, fieldname: str, scorable: bool = True) -> list[int]:
        lengths = self.by_field.get(fieldname)
        if lengths is None:
            # Whoosh keeps no lengths for a field that is not scored (ids,
            # facets, numbers): asking for them is a lookup per document
            lengths = ([self.reader.doc_field_length(d, fieldname, 0) for d in range(self.doc_count)]
                       if scorable else [0] * self.doc_count)
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
            field_lengths = lengths.of_field(fieldname, fieldobj.scorable)
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
