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

import os
import re
from array import array
from pathlib import Path

import marisa_trie
import numpy as np
from whoosh.matching.wrappers import FilterMatcher

from .array_layout import (_SEP, FIELDS_KEY, FORMAT, LEGACY_FIELDS, PLAIN_FORMAT, THRESHOLD_KEY, WHOLE_FIELDS_KEY,
                           _leaf_segment_id, _paths, field_of_rows, fields_key)
from .posting_format import PlainArrays, write_postings
from .segment_arrays import SegmentArrays

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
MIN_POSTINGS = 1  # every term: a segment's table then says which terms it lacks
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
        plain = PlainArrays(*(np.load(files[part], mmap_mode="r")
                              for part in ("spans", "ids", "weights", "posoff", "pos")))
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


def write_missing_arrays(ix, index_dir: Path, min_postings: int = MIN_POSTINGS, covered: dict | None = None) -> list[str]:
    """Arrays for every segment of the index's latest generation that has
    none (new, or made by a Whoosh merge) or has them for fewer fields than
    are kept now (written by an older version). ``covered``: the segments
    the merged arrays hold (``merged_arrays.covered_slices``), which need no
    arrays of their own. Returns the segment ids written."""
    written = []
    covered = covered or {}
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
            held = covered.get(segment_id)
            if not table.exists() and held is not None:
                if held.fields >= {f for f in ARRAY_FIELDS if f in leaf.schema}:
                    continue
                write_segment_arrays(Path(index_dir), leaf, segment_id, min_postings, previous=held)
                written.append(segment_id)
                continue
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
