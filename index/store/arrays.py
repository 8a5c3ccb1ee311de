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

The text fields (``TEXT_FIELDS``) are kept here only: the segment writer
files their postings straight into the arrays and gives Whoosh only their
lengths and stored values. Whoosh's pure-Python posting pool and block
writer cost 13 ms a document, nine tenths of it for those three fields,
while the query side reads nothing of them from Whoosh. A segment written
before this (format ``pa3``) still holds them in Whoosh, and its arrays are
read back from there. So are the fields of values (``VALUE_FIELDS``), which
segments written before held in Whoosh too.

The arrays are gathered as four-byte numbers and written bit-packed
(``posting_format``, format ``pa5``): a quarter to a third of the size. A
segment of the four-byte layout before (``pa4``) is converted on the next
run, without reading Whoosh.
"""
from __future__ import annotations

import json
import os
import re
from array import array
from dataclasses import dataclass
from pathlib import Path

import marisa_trie
import numpy as np
from whoosh.matching.wrappers import FilterMatcher

from .packed import BLOCK, ArrayFile, PackedStream, runs, sums_within
from .posting_format import NO_POSITIONS, STREAMS, PlainArrays, read_plain, scaled, table_rows, write_postings

# field -> are positions kept (phrases over lemmas, and over exact forms). The
# facet fields are here because a search loads every facet value's documents
# when it opens: ten thousand officials asked of Whoosh in twenty segments
# took ten seconds.
ARRAY_FIELDS = {"title": True, "body": True, "exact": True,
                "official": False, "region": False, "district": False, "sector": False, "place": False,
                "year": False, "lang": False}
# Fields whose postings only the arrays hold (see above); every posting of
# theirs is kept, whatever ``min_postings`` says, as nothing else holds them.
TEXT_FIELDS = ("title", "body", "exact")
# The fields of values (the facets, the year, the language) are kept here
# only too, without positions: the query side reads them from here (a
# search's facet counts, a field query), and filing their postings in
# Whoosh as well made closing a segment cost 0.65 ms a document, not 0.47.
VALUE_FIELDS = tuple(name for name, positions in ARRAY_FIELDS.items() if not positions)
LEGACY_FIELDS = frozenset(("title", "body", "exact"))  # what tables without a fields key hold
MIN_POSTINGS = 1  # every term: a segment's table then says which terms it lacks
PARTS = ("ids", "ids_blocks", "skips", "freqs", "freqs_blocks", "pos", "pos_blocks", "weights", "spans")  # .npy
FORMAT = "pa5"  # in the file names: a new layout gets new files, never misread old ones
PLAIN_FORMAT = "pa4"  # the layout before, four bytes a number: converted, never read by searches
PLAIN_PARTS = ("ids", "weights", "posoff", "pos", "spans")
_SEP = "\x1f"  # between field and term in the term table's keys (no token holds it)
# Keys starting with the separator are about the table, not terms: the
# threshold, and which fields the table covers.
THRESHOLD_KEY = _SEP + "min_postings"
FIELDS_KEY = _SEP + "fields" + _SEP
WHOLE_FIELDS_KEY = _SEP + "whole" + _SEP  # fields every term of which is here, whatever the threshold


def fields_key(fields) -> str:
    return FIELDS_KEY + ",".join(sorted(fields))


def _paths(index_dir: Path, segment_id: str, format: str = FORMAT) -> tuple[dict[str, Path], Path]:
    parts = PARTS if format == FORMAT else PLAIN_PARTS
    files = {part: index_dir / f"{segment_id}.{format}_{part}.npy" for part in parts}
    if format == FORMAT:
        files["meta"] = index_dir / f"{segment_id}.{format}_meta.json"
    return files, index_dir / f"{segment_id}.{format}_terms.marisa"


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


def read_positions(matcher) -> tuple[np.ndarray, np.ndarray]:
    """A Whoosh leaf matcher's (document of each position, position), as
    two arrays (``read_term``'s caveat on deleted documents holds)."""
    ids, _weights, per_posting = read_term(matcher, positions=True, weights=False)
    counts = [len(p) for p in per_posting]
    return (np.repeat(np.asarray(ids, dtype=np.int64), counts),
            np.fromiter((q for p in per_posting for q in p), dtype=np.int64, count=sum(counts)))


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
        self.whole_fields: set[str] = set()
        # the whole fields' terms, as keys and a row of spans each (a dict
        # of tuples cost a Python call a term, 200,000 terms a segment)
        self.bulk_keys: list[str] = []
        self.bulk_spans: list[np.ndarray] = []
        self.bulk_fields: list[str] = []  # the field of each of ``bulk_spans``

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

    def add_field(self, fieldname: str, words: list[str], terms: np.ndarray, docs: np.ndarray,
                  positions: np.ndarray, boost: float) -> None:
        """A whole field's postings at once, from one entry per token: its
        word (an index into ``words``), document and position, sorted by
        word, document and position. A posting's weight is its count of
        positions times the field's boost, as Whoosh's ``Positions`` format
        weighs it."""
        self.whole_fields.add(fieldname)
        if not len(terms):
            return
        # a posting starts where the word or the document changes, a term where the word does
        new_posting = np.empty(len(terms), dtype=bool)
        new_posting[0] = True
        np.not_equal(terms[1:], terms[:-1], out=new_posting[1:])
        new_posting[1:] |= docs[1:] != docs[:-1]
        posting_starts = np.flatnonzero(new_posting)
        posting_terms = terms[posting_starts]
        term_starts = np.flatnonzero(np.concatenate(([True], posting_terms[1:] != posting_terms[:-1])))
        n_postings, n_terms = len(posting_starts), len(term_starts)
        counts = np.diff(np.append(posting_starts, len(terms)))
        # posoff: each term's posting offsets, then the end of its last
        term_postings = np.diff(np.append(term_starts, n_postings))
        block_start = np.cumsum(term_postings + 1) - (term_postings + 1)
        rows = np.arange(n_postings + n_terms) - np.repeat(block_start, term_postings + 1) \
            + np.repeat(term_starts, term_postings + 1)
        posoff = np.append(posting_starts, len(terms))[rows] + len(self.pos)
        ids_base, posoff_base = len(self.ids), len(self.posoff)
        self.ids.frombytes(docs[posting_starts].astype(np.uint32).tobytes())
        self.weights.frombytes((counts * np.float32(boost)).astype(np.float32).tobytes())
        self.posoff.frombytes(posoff.astype(np.uint32).tobytes())
        self.pos.frombytes(positions.astype(np.uint32).tobytes())
        key = fieldname + _SEP
        self.bulk_keys += [key + words[t] for t in posting_terms[term_starts].tolist()]
        self.bulk_fields.append(fieldname)
        self.bulk_spans.append(np.stack([term_starts + ids_base, np.append(term_starts[1:], n_postings) + ids_base,
                                         block_start + posoff_base], axis=1).astype(np.int64))

    def add_values(self, fieldname: str, words: list[str], terms: np.ndarray, docs: np.ndarray,
                   weights: np.ndarray) -> None:
        """A whole field of values at once (no positions), from one entry
        per posting: its word (an index into ``words``), document and
        weight, sorted by word and document."""
        self.whole_fields.add(fieldname)
        if not len(terms):
            return
        term_starts = np.flatnonzero(np.concatenate(([True], terms[1:] != terms[:-1])))
        base = len(self.ids)
        self.ids.frombytes(docs.astype(np.uint32).tobytes())
        self.weights.frombytes(weights.astype(np.float32).tobytes())
        key = fieldname + _SEP
        self.bulk_keys += [key + words[t] for t in terms[term_starts].tolist()]
        self.bulk_fields.append(fieldname)
        self.bulk_spans.append(np.stack([term_starts + base, np.append(term_starts[1:], len(terms)) + base,
                                         np.full(len(term_starts), -1)], axis=1).astype(np.int64))

    def write(self, index_dir: Path, segment_id: str) -> None:
        terms = dict(self.terms)
        # a key no field can make records the threshold: with 1 the table holds
        # every term, and a term missing from it is missing from the segment
        terms[THRESHOLD_KEY] = (self.min_postings, 0, 0)
        terms[fields_key(self.fields)] = (0, 0, -1)
        if self.whole_fields:
            terms[WHOLE_FIELDS_KEY + ",".join(sorted(self.whole_fields))] = (0, 0, -1)
        keys = [*terms, *self.bulk_keys]
        trie = marisa_trie.Trie(keys)
        rows = np.fromiter(map(trie.__getitem__, keys), dtype=np.int64, count=len(keys))
        spans = np.zeros((len(trie), 3), dtype=np.int64)
        spans[rows] = np.concatenate([np.array(list(terms.values()), dtype=np.int64).reshape(-1, 3), *self.bulk_spans])
        plain = PlainArrays(spans.reshape(-1), np.frombuffer(self.ids, dtype=np.uint32),
                            np.frombuffer(self.weights, dtype=np.float32), np.frombuffer(self.posoff, dtype=np.uint32),
                            np.frombuffer(self.pos, dtype=np.uint32))
        # each row's field, from what was filed rather than spelled out of the trie again
        names = sorted(self.fields)
        number = {name: k for k, name in enumerate(names)}
        field_of = np.full(len(trie), -1, dtype=np.int64)
        field_of[rows] = np.concatenate([
            np.fromiter((number.get(key.split(_SEP, 1)[0], -1) if not key.startswith(_SEP) else -1 for key in terms),
                        dtype=np.int64, count=len(terms)),
            *(np.full(len(batch), number.get(name, -1)) for name, batch in zip(self.bulk_fields, self.bulk_spans))])
        write_arrays(trie, plain, *_paths(index_dir, segment_id), fields=(field_of, names))


def field_of_rows(trie: marisa_trie.Trie, fields) -> tuple[np.ndarray, list[str]]:
    """Each row of a term table's field (an index into the names returned;
    -1 for the keys about the table)."""
    names = sorted(fields)
    of_row = np.full(len(trie), -1, dtype=np.int64)
    for number, name in enumerate(names):
        items = trie.items(name + _SEP)
        of_row[np.fromiter((row for _key, row in items), dtype=np.int64, count=len(items))] = number
    return of_row, names


def write_arrays(trie: marisa_trie.Trie, plain: PlainArrays, files: dict[str, Path], table: Path,
                 fields: tuple[np.ndarray, list[str]] | None = None) -> None:
    """A set of arrays on disk (``posting_format``), the term table last:
    its presence says the arrays are complete. ``fields``: each row's
    field (``field_of_rows``), if the caller knows them."""
    if fields is None:
        listed = trie.keys(FIELDS_KEY)
        fields = field_of_rows(trie, listed[0][len(FIELDS_KEY):].split(",") if listed else LEGACY_FIELDS)
    write_postings(files, *fields, plain)
    tmp = table.with_suffix(".tmp")
    trie.save(str(tmp))
    os.replace(tmp, table)


def convert_plain_arrays(index_dir: Path, segment_id: str) -> bool:
    """A segment's (or a merge's) arrays in the layout before this one,
    written again in this one; False if there are none to convert."""
    files, table = _paths(Path(index_dir), segment_id, PLAIN_FORMAT)
    try:
        trie = marisa_trie.Trie()
        trie.load(str(table))
        plain = PlainArrays(*(np.load(files[part], mmap_mode="r") for part in ("spans", "ids", "weights", "posoff", "pos")))
    except (OSError, ValueError, EOFError, RuntimeError):
        return False
    write_arrays(trie, plain, *_paths(Path(index_dir), segment_id))
    return True


class ArraysMissing(RuntimeError):
    """A segment's arrays are gone, and Whoosh does not hold its text fields."""


def require_text_in_whoosh(leaf, segment_id: str, fields=TEXT_FIELDS) -> None:
    """A segment without its arrays must have been written while Whoosh
    still held the text fields; otherwise its words are lost (and searches
    would quietly miss its documents)."""
    for fieldname in fields:
        if fieldname in leaf.schema and leaf.field_length(fieldname) and not any(True for _ in leaf.lexicon(fieldname)):
            raise ArraysMissing(f"the posting arrays of segment {segment_id} are missing, and its words are "
                                "kept nowhere else; rebuild the index")


def _holds_wholly(arrays: "SegmentArrays | None", fieldname: str) -> bool:
    return arrays is not None and arrays.knows_all(fieldname)


def text_positions(leaf, fieldname: str, arrays: "SegmentArrays | None") -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """A segment's postings of a text field as (words, and an entry per
    position: its word's index in ``words``, its document, the position),
    sorted by word, document and position; deleted documents included.
    From the segment's arrays when they hold the field wholly, else from
    Whoosh (a segment written before they did)."""
    if _holds_wholly(arrays, fieldname):
        found = arrays.field_positions(fieldname)
        if found is not None:
            return found
    # arrays without this field's positions: Whoosh has them
    words: list[str] = []
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for btext in leaf.lexicon(fieldname):
        docs, positions = read_positions(leaf.postings(fieldname, btext))
        parts.append((np.full(len(docs), len(words), dtype=np.uint32), docs, positions))
        words.append(btext.decode("utf-8") if isinstance(btext, bytes) else btext)
    return _joined(words, parts)


def value_words(leaf, fieldname: str, arrays: "SegmentArrays | None") -> list[str]:
    """A segment's words of a field of values, without their postings (see
    ``value_postings``)."""
    if _holds_wholly(arrays, fieldname):
        return list(arrays.terms_with_prefix(fieldname, ""))
    return [btext.decode("utf-8") if isinstance(btext, bytes) else btext for btext in leaf.lexicon(fieldname)]


def value_postings(leaf, fieldname: str, arrays: "SegmentArrays | None") -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """A segment's postings of a field of values as (words, and an entry per
    posting: its word's index in ``words``, its document, its weight);
    deleted documents included. From the segment's arrays when they hold
    the field wholly, else from Whoosh (a segment written before they did)."""
    if _holds_wholly(arrays, fieldname):
        return arrays.field_entries(fieldname)
    words = value_words(leaf, fieldname, arrays)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for number, word in enumerate(words):
        ids, weights = read_term(leaf.postings(fieldname, word), positions=False)[:2]
        parts.append((np.full(len(ids), number, dtype=np.uint32), np.asarray(ids, dtype=np.int64),
                      np.asarray(weights, dtype=np.float32)))
    return _joined(words, parts)


def _joined(words: list[str], parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]]):
    if not parts:
        return words, np.zeros(0, np.uint32), np.zeros(0, np.int64), np.zeros(0, np.int64)
    return (words, *(np.concatenate(column) for column in zip(*parts)))


def write_segment_arrays(index_dir: Path, leaf, segment_id: str, min_postings: int = MIN_POSTINGS,
                         previous: "SegmentArrays | None" = None) -> None:
    """A written segment's arrays, its postings read back through Whoosh (a
    segment written before arrays were, or before this format), the text
    fields from its ``previous`` arrays when Whoosh does not hold them (arrays
    an older version wrote for fewer fields)."""
    builder = ArrayBuilder([f for f in ARRAY_FIELDS if f in leaf.schema], min_postings)
    for fieldname in builder.fields:
        if fieldname in TEXT_FIELDS and previous is not None and previous.knows_all(fieldname):
            words, entries, docs, positions = text_positions(leaf, fieldname, previous)
            builder.add_field(fieldname, words, entries, docs, positions, leaf.schema[fieldname].format.field_boost)
            continue
        if fieldname in VALUE_FIELDS and previous is not None and previous.knows_all(fieldname):
            builder.add_values(fieldname, *value_postings(leaf, fieldname, previous))
            continue
        if fieldname in TEXT_FIELDS:
            require_text_in_whoosh(leaf, segment_id, (fieldname,))
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
            arrays = None
            if not table.exists():
                # written by the version before: the same postings, packed
                # (not listed as written: a merge of them still stands)
                convert_plain_arrays(Path(index_dir), segment_id)
            if table.exists():
                arrays = SegmentArrays.open(files, table)
                if arrays is not None and arrays.fields >= {f for f in ARRAY_FIELDS if f in leaf.schema}:
                    continue
                # The arrays count as missing until rewritten; their files
                # stay open, so the text fields are still read from them.
                table.unlink()
            write_segment_arrays(Path(index_dir), leaf, segment_id, min_postings, previous=arrays)
            written.append(segment_id)
    return written


_ANY_FORMAT = re.compile(r"\.(pa\d+)(?:_[a-z_]+\.(?:npy|json)|_terms\.marisa|\.json)$")


def remove_other_formats(index_dir: Path) -> list[str]:
    """Deletes the array files of other formats (an index written by an
    earlier version: once every segment has arrays of this format, nothing
    reads those, and they can be as large as the arrays themselves).
    Returns the names deleted."""
    removed = []
    for path in Path(index_dir).iterdir():
        match = _ANY_FORMAT.search(path.name)
        if match and match.group(1) != FORMAT:
            path.unlink(missing_ok=True)
            removed.append(path.name)
    return removed


def _read(stream: PackedStream, at: np.ndarray) -> np.ndarray:
    """A stream's values at ``at`` (ascending, distinct): one run read as a
    run (a field's postings lie together), else picked out."""
    if len(at) and int(at[-1]) - int(at[0]) + 1 == len(at):
        return stream.range(int(at[0]), int(at[-1]) + 1)
    return stream.take(at)


@dataclass
class SegmentArrays:
    """One segment's arrays (or the merged arrays of several): the term
    table in memory, the postings read from their files as asked and
    unpacked (``posting_format``)."""

    terms: marisa_trie.Trie
    spans: ArrayFile
    ids: PackedStream  # distances between a term's document numbers
    skips: ArrayFile  # the document number each block of ``ids`` starts with
    freqs: PackedStream  # each posting's count of positions
    pos: PackedStream  # distances between a posting's positions
    weights: ArrayFile  # empty unless a field's weights are not its counts times a scale
    scales: dict[str, float]
    ones: frozenset[str]  # fields whose every posting counts 1
    complete: bool  # every term of the segment is in the table
    fields: frozenset[str] = LEGACY_FIELDS  # the fields the table holds
    whole_fields: frozenset[str] = frozenset()  # fields it holds every term of, even if not ``complete``

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
            streams = {name: PackedStream(parts.pop(name), parts.pop(name + "_blocks")) for name in STREAMS}
            meta = json.loads(files["meta"].read_text(encoding="utf-8"))
            scales = {str(k): float(v) for k, v in meta["scales"].items()}
            ones = frozenset(map(str, meta.get("ones", ())))
        except (OSError, ValueError, EOFError, RuntimeError, KeyError, TypeError, AttributeError):
            return None  # none yet, or damaged: Whoosh's own postings serve
        if len(streams["ids"]) != len(streams["freqs"]) or len(parts["skips"]) != -(-len(streams["ids"]) // BLOCK) or len(parts["weights"]) not in (0, len(streams["ids"])) \
                or len(parts["spans"]) != 3 * len(terms):
            return None
        row = terms.get(THRESHOLD_KEY)
        complete = row is not None and int(parts["spans"][3 * row:3 * row + 1][0]) <= 1
        listed = terms.keys(FIELDS_KEY)
        fields = frozenset(listed[0][len(FIELDS_KEY):].split(",")) if listed else LEGACY_FIELDS
        whole = terms.keys(WHOLE_FIELDS_KEY)
        whole_fields = frozenset(whole[0][len(WHOLE_FIELDS_KEY):].split(",")) if whole else frozenset()
        return cls(terms, **parts, **streams, scales=scales, ones=ones, complete=complete, fields=fields,
                   whole_fields=whole_fields)

    def _span(self, fieldname: str, text: str) -> tuple[int, int, int] | None:
        row = self.terms.get(fieldname + _SEP + text)
        if row is None:
            return None
        start, end, first = self.spans[3 * row:3 * row + 3].tolist()
        return start, end, -1 if first == NO_POSITIONS else first

    def _ids(self, start: int, end: int) -> np.ndarray:
        """One term's document numbers (its postings ``start:end``)."""
        steps = self.ids.range(start, end)
        return np.cumsum(steps, out=steps)

    def _weights(self, fieldname: str, start: int, end: int) -> np.ndarray:
        scale = self.scales.get(fieldname)
        if scale is None:
            return np.asarray(self.weights[start:end], dtype=np.float32)
        if fieldname in self.ones:
            return np.full(end - start, scaled(1, scale))
        return scaled(self.freqs.range(start, end), scale)

    def all_weights(self, spans: np.ndarray, rows: np.ndarray, freqs: np.ndarray) -> np.ndarray:
        """Every posting's weight (the term ``rows`` of ``spans``, and every
        posting's count), for ``posting_format.read_plain``."""
        if len(self.weights):
            return np.asarray(self.weights[0:len(self.weights)], dtype=np.float32)
        field_of, names = field_of_rows(self.terms, self.fields)
        scale = np.array([self.scales.get(name, np.nan) for name in names] + [np.nan])
        lengths = spans[rows, 1] - spans[rows, 0]
        per_posting = np.zeros(len(freqs))
        per_posting[runs(spans[rows, 0], lengths)] = np.repeat(scale[field_of[rows]], lengths)
        return (freqs * per_posting).astype(np.float32)

    @property
    def explicit_weights(self) -> bool:
        """Does a field keep its weights as they are (not counts times a scale)?"""
        return bool(len(self.weights))

    def plain(self, weights: bool = True) -> PlainArrays:
        """All of it as four-byte arrays (``posting_format.read_plain``)."""
        return read_plain(self, weights)

    def lacks(self, fieldname: str, text: str) -> bool:
        """Is the term known to be absent from this segment?"""
        return self.knows_all(fieldname) and self.terms.get(fieldname + _SEP + text) is None

    def knows_all(self, fieldname: str) -> bool:
        """Does the table hold every term of this field?"""
        return fieldname in self.fields and (self.complete or fieldname in self.whole_fields)

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """Documents with the term (deleted ones too, as Whoosh counts); only
        for a field the table knows all of."""
        span = self._span(fieldname, text)
        return 0 if span is None else span[1] - span[0]

    def terms_with_prefix(self, fieldname: str, prefix: str) -> list[str]:
        key = fieldname + _SEP
        return [k[len(key):] for k in self.terms.keys(key + prefix)]

    def has_terms_with_prefix(self, fieldname: str, prefix: str) -> bool:
        """Does any term of the field start with ``prefix``? (One step of
        the trie: a walk over spellings asks it at every letter.)"""
        return next(self.terms.iterkeys(fieldname + _SEP + prefix), None) is not None

    def _field_runs(self, fieldname: str) -> tuple[list[str], np.ndarray, np.ndarray]:
        """A field's terms in the order of their postings (the streams are
        read front to back), their rows of spans, and where each of their
        postings is in the streams."""
        key = fieldname + _SEP
        items = self.terms.items(key)
        rows = np.fromiter((row for _, row in items), dtype=np.int64, count=len(items))
        spans = table_rows(self.spans.take((3 * rows[:, None] + np.arange(3)).ravel())).reshape(-1, 3)
        order = np.argsort(spans[:, 0], kind="stable")
        spans = spans[order]
        return [items[i][0][len(key):] for i in order.tolist()], spans, runs(spans[:, 0], spans[:, 1] - spans[:, 0])

    def field_postings(self, fieldname: str) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Every term of a field the table holds, with its postings' count,
        and their segment docnums term after term: a field's terms in one
        read, not a read a term (a facet's 20,000 values when a search opens)."""
        terms, spans, at = self._field_runs(fieldname)
        lengths = spans[:, 1] - spans[:, 0]
        return terms, lengths, sums_within(_read(self.ids, at), lengths)

    def field_entries(self, fieldname: str) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        """A field's postings as (words, and an entry per posting: its
        word's index in ``words``, its document, its weight)."""
        terms, spans, at = self._field_runs(fieldname)
        lengths = spans[:, 1] - spans[:, 0]
        scale = self.scales.get(fieldname)
        if scale is None:
            weights = self.weights.take(at)
        else:
            weights = np.full(len(at), scaled(1, scale)) if fieldname in self.ones else scaled(_read(self.freqs, at), scale)
        return (terms, np.repeat(np.arange(len(terms), dtype=np.uint32), lengths),
                sums_within(_read(self.ids, at), lengths), weights)

    def field_positions(self, fieldname: str) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray] | None:
        """A field's postings as (words, and an entry per position: its
        word's index in ``words``, its document, the position), or None if
        its positions are not kept here."""
        terms, spans, at = self._field_runs(fieldname)
        if (spans[:, 2] < 0).any():
            return None
        lengths = spans[:, 1] - spans[:, 0]
        counts = _read(self.freqs, at)
        # positions a term: its postings' counts summed (every term has a posting)
        per_term = np.add.reduceat(counts, np.cumsum(lengths) - lengths) if len(counts) else lengths
        pos = sums_within(_read(self.pos, runs(spans[:, 2], per_term)), counts)
        docs = np.repeat(sums_within(_read(self.ids, at), lengths), counts)
        return terms, np.repeat(np.arange(len(terms), dtype=np.uint32), per_term), docs, pos

    def postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(segment docnums, weights), or None if this term is not kept here."""
        span = self._span(fieldname, text)
        if span is None:
            return None
        start, end, _ = span
        return self._ids(start, end), self._weights(fieldname, start, end)

    def occurrences(self, fieldname: str, text: str, selection: np.ndarray) -> float | None:
        """A term's weights summed over the documents ``selection`` marks (by
        segment docnum), read only if one of them holds it; or None if this
        term is not kept here. Of a long list, only the blocks whose
        documents (``skips``) take in a selected one are unpacked."""
        span = self._span(fieldname, text)
        if span is None:
            return None
        start, end, _ = span
        found = self._blocks_within(start, end, selection)
        if found is None:
            keep = np.flatnonzero(selection[self._ids(start, end)])
            at = start + keep
        else:
            at, ids = found
            at = at[selection[ids]]
        if not len(at):
            return 0.0
        scale = self.scales.get(fieldname)
        if scale is None:
            return float(self.weights.take(at).sum())
        if fieldname in self.ones:
            return float(len(at) * scaled(1, scale))
        # a few postings' counts picked out; most of them, read in a run
        freqs = self.freqs.take(at) if len(at) * 8 < end - start else self.freqs.range(start, end)[at - start]
        return float(scaled(freqs, scale).sum())

    def _blocks_within(self, start: int, end: int, selection: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """(posting indexes, document numbers) of a term's postings
        ``start:end`` in the blocks that can hold a document ``selection``
        marks; None where that would not save unpacking (a short list, or
        a selection about as long as it)."""
        first, last = start // BLOCK, (end - 1) // BLOCK
        if last - first < 32:  # a short list unpacks whole as fast
            return None
        if np.count_nonzero(selection) * 4 > last - first:  # most blocks would hold one
            return None
        # block b (after the first) holds documents skips[b] up to skips[b + 1]
        # (the last block: up to the end)
        bounds = np.append(self.skips[first + 1:last + 1].astype(np.int64), len(selection))
        selected = np.flatnonzero(selection)
        hits = np.searchsorted(selected, bounds[1:]) - np.searchsorted(selected, bounds[:-1])
        blocks = first + 1 + np.flatnonzero(hits)
        head = np.arange(start, (first + 1) * BLOCK)  # the first block, from the term's first posting
        lengths = np.minimum((blocks + 1) * BLOCK, end) - blocks * BLOCK
        at = np.concatenate([head, runs(blocks * BLOCK, lengths)])
        steps = self.ids.take(at)
        # each block's first step becomes its document number, so each block sums alone
        steps[len(head) + np.cumsum(lengths) - lengths] = bounds[blocks - first - 1]
        return at, sums_within(steps, np.concatenate([[len(head)], lengths]))

    def positions(self, fieldname: str, text: str, within: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray] | None:
        """(segment docnum of each position, position) over all postings, or
        over those of the documents ``within`` marks (by segment docnum); or
        None if the term's positions are not kept here."""
        span = self._span(fieldname, text)
        if span is None or span[2] < 0:
            return None
        start, end, first = span
        ids = self._ids(start, end)
        counts = self.freqs.range(start, end)
        if within is not None:
            # a frequent word's positions are mostly in documents a phrase's
            # other words rule out: only the kept documents' are unpacked
            keep = np.flatnonzero(within[ids])
            begins = (np.cumsum(counts) - counts)[keep]
            ids, counts = ids[keep], counts[keep]
            pos = self.pos.take(first + runs(begins, counts))
        else:
            pos = self.pos.range(first, first + int(counts.sum()))
        return np.repeat(ids, counts), sums_within(pos, counts)
