"""One segment's posting arrays (or the merged arrays of several), read:
the term table in memory, the packed streams a few values at a time."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import marisa_trie
import numpy as np

from .array_layout import (_SEP, FIELDS_KEY, LEGACY_FIELDS, PARTS, THRESHOLD_KEY, WHOLE_FIELDS_KEY, _leaf_segment_id,
                           _paths, field_of_rows)
from .packed import BLOCK, ArrayFile, PackedStream, runs, sums_within
from .posting_format import NO_POSITIONS, STREAMS, PlainArrays, read_plain, scaled, table_rows


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
        postings = len(streams["ids"])
        if len(streams["freqs"]) != postings or len(parts["skips"]) != -(-postings // BLOCK) \
                or len(parts["weights"]) not in (0, postings) or len(parts["spans"]) != 3 * len(terms):
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
        elif fieldname in self.ones:
            weights = np.full(len(at), scaled(1, scale))
        else:
            weights = scaled(_read(self.freqs, at), scale)
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
        counts = self.freqs.range(start, end)
        if within is None:
            ids = self._ids(start, end)
            pos = self.pos.range(first, first + int(counts.sum()))
            return np.repeat(ids, counts), sums_within(pos, counts)
        # a frequent word's positions are mostly in documents a phrase's
        # other words rule out: only the kept documents' are unpacked, and of
        # a long list only the blocks of document numbers that can hold one
        found = self._blocks_within(start, end, within)
        if found is None:
            ids = self._ids(start, end)
            keep = np.flatnonzero(within[ids])
            ids = ids[keep]
        else:
            at, ids = found
            kept = within[ids]
            keep, ids = at[kept] - start, ids[kept]
        begins = (np.cumsum(counts) - counts)[keep]
        counts = counts[keep]
        pos = self.pos.take(first + runs(begins, counts))
        return np.repeat(ids, counts), sums_within(pos, counts)
