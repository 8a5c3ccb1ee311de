"""The posting arrays on disk: four-byte arrays in, packed streams out, and back.

A segment's arrays are gathered (``ArrayBuilder``) and merged
(``merged_arrays``) as plain arrays: each term's postings' document numbers
and weights, for a positional term an offset per posting into the
positions, and the positions. On disk (``packed.py``) that becomes:

- ``ids``: document numbers, each term's first as it is, the rest as the
  distance from the one before; ``skips`` holds the document number each
  block of 128 starts with, so a search that wants a few documents of a
  long list unpacks only the blocks that can hold them;
- ``freqs``: each posting's count of positions (1 for a value); a
  posting's weight is its count times its field's scale, kept in the
  ``meta`` file with the fields whose counts are all 1. If a field's
  weights are not so (none the writers make), every posting keeps its
  weight as ``float32`` in ``weights``, which is otherwise empty;
- ``pos``: positions, each posting's first as it is, the rest as
  distances; a positional term's row of the table points at its first;
- ``spans``: the term table's rows, as before: first and end posting, and
  the first position (or none), four bytes each.

Writing goes a chunk of postings at a time, so a merge of 100,000
documents never holds a whole array decoded.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .packed import BLOCK, PackedWriter, release, runs, sums_within

STREAMS = ("ids", "freqs", "pos")
NO_POSITIONS = 0xFFFFFFFF  # -1 (a term without positions) in the table's uint32 rows
_CHUNK = 1 << 20  # postings encoded at a time


def scaled(freqs: np.ndarray, scale: float) -> np.ndarray:
    """Weights from counts: one formula for the writer's check and the reader."""
    if scale == 1.0:  # the same numbers without the product (counts are far below 2**24)
        return np.asarray(freqs, dtype=np.float32)
    return (np.asarray(freqs, dtype=np.float64) * scale).astype(np.float32)


@dataclass
class PlainArrays:
    """A set of posting arrays as four-byte arrays (``spans`` flat, three a
    row; a positional term's third is its first row of ``posoff``, which
    holds an offset into ``pos`` per posting and the end of the last)."""

    spans: np.ndarray
    ids: np.ndarray
    weights: np.ndarray | None  # None: each field's are its counts times ``scales[field]``
    posoff: np.ndarray
    pos: np.ndarray
    scales: dict[str, float] | None = None


def term_rows(spans: np.ndarray) -> np.ndarray:
    """The rows of the table that are terms (with postings), in the order
    of their postings."""
    rows = np.flatnonzero(spans[:, 1] > spans[:, 0])
    return rows[np.argsort(spans[rows, 0], kind="stable")]


def write_postings(files: dict[str, Path], field_of_row: np.ndarray, field_names: list[str],
                   plain: PlainArrays) -> None:
    """Writes the packed streams, ``weights``, ``spans`` and ``meta`` of
    ``files`` (their ``.tmp`` first, each renamed when whole; the caller
    writes the term table after them). ``field_of_row``: each table row's
    field, as an index into ``field_names`` (-1 for rows that are not
    terms)."""
    spans = np.asarray(plain.spans, dtype=np.int64).reshape(-1, 3).copy()
    rows = term_rows(spans)
    starts, ends, firsts = spans[rows, 0], spans[rows, 1], spans[rows, 2]
    term_field = field_of_row[rows]
    n = len(plain.ids)
    scales: dict[int, float] = {}
    if plain.weights is None:  # known: nothing to check
        scales = {k: plain.scales[name] for k, name in enumerate(field_names) if name in plain.scales}
    explicit: set[int] = set()
    counted: set[int] = set()  # fields with a count other than 1
    writers = {name: PackedWriter(_tmp(files[name]), _tmp(files[name + "_blocks"])) for name in STREAMS}
    new_first = np.full(len(rows), -1, dtype=np.int64)
    skips: list[np.ndarray] = []
    written_pos = 0
    try:
        for a in range(0, n, _CHUNK):
            b = min(n, a + _CHUNK)
            p = np.arange(a, b, dtype=np.int64)
            t = _terms_of(starts, ends, a, b)
            is_start = p == starts[t]
            ids = np.asarray(plain.ids[a:b], dtype=np.int64)
            step = np.diff(ids, prepend=int(plain.ids[a - 1]) if a else 0)
            step[is_start] = ids[is_start]
            if (step[~is_start] <= 0).any():
                raise ValueError("a term's postings are not in document order")
            writers["ids"].add(step)
            skips.append(ids[::BLOCK])  # ``a`` is a multiple of BLOCK
            first = firsts[t]
            positional = first >= 0
            freqs = np.ones(b - a, dtype=np.int64)
            at = (first + p - starts[t])[positional]
            if len(at):
                begins = np.asarray(plain.posoff[at], dtype=np.int64)
                counts = np.asarray(plain.posoff[at + 1], dtype=np.int64) - begins
                freqs[positional] = counts
                # where each positional term starting here has its first position now
                opening = positional & is_start
                new_first[t[opening]] = written_pos + (np.cumsum(counts) - counts)[is_start[positional]]
                stops = begins + counts
                if (begins[1:] == stops[:-1]).all():  # one run, as the writers lay them: a slice
                    values = np.asarray(plain.pos[int(begins[0]):int(stops[-1])], dtype=np.int64)
                else:
                    values = np.asarray(plain.pos[runs(begins, counts)], dtype=np.int64)
                posting_starts = (np.cumsum(counts) - counts)[counts > 0]
                step = np.diff(values, prepend=0)
                step[posting_starts] = values[posting_starts]
                if (step < 0).any():  # a posting's first is as it is, so only a step back is negative
                    raise ValueError("a posting's positions are not in order")
                writers["pos"].add(step)
                written_pos += len(values)
            writers["freqs"].add(freqs)
            release(plain.ids, plain.posoff, plain.pos, plain.weights)  # a merge's: read once, front to back
            fields = term_field[t]
            if plain.weights is not None:
                _check_scales(fields, freqs, np.asarray(plain.weights[a:b], dtype=np.float32), scales, explicit)
            counted.update(np.flatnonzero(np.bincount(fields[freqs != 1] + 1, minlength=1)[1:]).tolist())
            if (fields < 0).any():  # postings of no field the table lists: their weights kept as they are
                if plain.weights is None:
                    raise ValueError("postings of no field, without weights")
                explicit.add(-1)
        for writer in writers.values():
            writer.close()
    except BaseException:
        for writer in writers.values():
            writer.abort()
        for name in STREAMS:
            _tmp(files[name]).unlink(missing_ok=True)
            _tmp(files[name + "_blocks"]).unlink(missing_ok=True)
        raise
    spans[rows, 2] = np.where(firsts >= 0, new_first, -1)
    _save(files["skips"], np.concatenate([np.zeros(0, dtype=np.uint32), *skips]).astype(np.uint32))
    weights = np.asarray(plain.weights, dtype=np.float32) if explicit else np.zeros(0, dtype=np.float32)
    _save(files["weights"], weights)
    if spans.max(initial=0) >= NO_POSITIONS:
        raise ValueError("posting arrays too large for the term table's four-byte rows")
    _save(files["spans"], np.where(spans < 0, NO_POSITIONS, spans).astype(np.uint32).reshape(-1))
    meta = {"scales": {field_names[k]: v for k, v in scales.items() if k not in explicit and k >= 0},
            # fields whose every count is 1 (the values): their weights need no counts read
            "ones": sorted(field_names[k] for k in scales if k not in counted and k not in explicit and k >= 0)}
    _tmp(files["meta"]).write_text(json.dumps(meta), encoding="utf-8")
    for name in STREAMS:
        os.replace(_tmp(files[name]), files[name])
        os.replace(_tmp(files[name + "_blocks"]), files[name + "_blocks"])
    os.replace(_tmp(files["meta"]), files["meta"])


def _terms_of(starts: np.ndarray, ends: np.ndarray, a: int, b: int) -> np.ndarray:
    """The term (an index into ``starts``) of each posting ``a:b``; every
    posting belongs to one, the terms' postings end to end."""
    first = int(np.searchsorted(starts, a, side="right")) - 1
    last = int(np.searchsorted(starts, b, side="left"))
    if first < 0 or int(ends[last - 1]) < b or (starts[first + 1:last] != ends[first:last - 1]).any():
        raise ValueError("posting arrays with postings of no term")
    lengths = np.minimum(ends[first:last], b) - np.maximum(starts[first:last], a)
    return np.repeat(np.arange(first, last), lengths)


def _check_scales(fields: np.ndarray, freqs: np.ndarray, weights: np.ndarray, scales: dict, explicit: set) -> None:
    """Each field's weights as its counts times one scale, or the field
    marked as keeping its weights as they are (-1: rows that are no
    field's)."""
    present = np.flatnonzero(np.bincount(fields + 1))  # field + 1
    scale = np.full(len(present) and int(present.max()) + 1, np.nan)
    for k in (present - 1).tolist():
        if k in explicit or k < 0:
            continue
        if k not in scales:
            lead = np.flatnonzero((fields == k) & (freqs > 0))
            if not len(lead):
                explicit.add(k)
                continue
            scales[k] = float(weights[lead[0]]) / float(freqs[lead[0]])
        scale[k + 1] = scales[k]
    wanted = scale[fields + 1]
    # the reader's formula (``scaled``), a scale a posting
    wrong = (np.asarray(freqs, dtype=np.float64) * wanted).astype(np.float32) != weights
    explicit.update((np.unique(fields[wrong & ~np.isnan(wanted)])).tolist())


def _tmp(path: Path) -> Path:
    return path.with_name(path.name + ".tmp")


def _save(path: Path, values: np.ndarray) -> None:
    with open(_tmp(path), "wb") as out:
        np.save(out, values)
    os.replace(_tmp(path), path)


def table_rows(values: np.ndarray) -> np.ndarray:
    """Rows of the term table as written (uint32, flat) as int64, -1 where
    a term has no positions."""
    values = np.array(values, dtype=np.int64)  # a copy: what was read may be read-only
    values[values == NO_POSITIONS] = -1
    return values


def read_plain(arrays, weights: bool = True) -> PlainArrays:
    """A whole set of packed arrays (a ``SegmentArrays``) as plain arrays,
    for a merge. Without ``weights``, arrays whose weights are their counts
    times a scale (``arrays.explicit_weights`` false) give those scales
    instead: a merge of such arrays needs neither."""
    spans = table_rows(arrays.spans[0:len(arrays.spans)]).reshape(-1, 3)
    rows = term_rows(spans)
    starts, ends, firsts = spans[rows, 0], spans[rows, 1], spans[rows, 2]
    lengths = ends - starts
    n = len(arrays.freqs)
    if lengths.sum() == n:  # the terms' postings end to end, as the writers make them
        ids = sums_within(arrays.ids.range(0, n), lengths).astype(np.uint32)
    else:
        at = runs(starts, lengths)
        ids = np.zeros(n, dtype=np.uint32)
        ids[at] = sums_within(arrays.ids.take(at), lengths)
    freqs = arrays.freqs.range(0, n)
    weights = arrays.all_weights(spans, rows, freqs) if weights or arrays.explicit_weights else None
    positional = firsts >= 0
    p_rows_len = lengths[positional]
    counts = freqs[runs(starts[positional], p_rows_len)]
    pos = np.zeros(int(counts.sum()), dtype=np.uint32)
    p_total = np.concatenate(([0], np.cumsum(counts)))
    if len(pos):
        pos[:] = sums_within(arrays.pos.range(0, len(pos)), counts)
    # posoff: per positional term, an offset per posting and the end of its last
    per_term = p_rows_len + 1
    new_first = np.cumsum(per_term) - per_term
    closing = np.zeros(int(per_term.sum()), dtype=bool)
    closing[new_first + p_rows_len] = True
    posoff = np.empty(len(closing), dtype=np.uint32)
    posoff[~closing] = p_total[:-1]
    posoff[closing] = p_total[np.cumsum(p_rows_len)]
    spans[rows[positional], 2] = new_first
    return PlainArrays(spans.reshape(-1), ids, weights, posoff, pos, None if weights is not None else arrays.scales)

