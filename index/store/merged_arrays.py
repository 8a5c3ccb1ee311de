"""One set of posting arrays for many segments.

Segment arrays made a term's postings cheap to read, but a search still looks
each term up once per segment: twenty times in a 100,000-document index,
a few hundred times for a prefix or for the forms of a word, and that per-
segment work became most of a query's time. Whoosh's own merge of twenty
segments into one needs a sort of the whole index on disk; merging the
arrays is a copy: a term's postings from each segment, in segment order,
with document numbers shifted by the segment's place in the index.

The merged arrays have the segment arrays' layout, with document numbers
counted from the first segment they cover. ``merged.pa4.json`` names the
segments they cover, in order, and is written last: arrays without it (a
killed merge) are ignored and removed by the next one. The query side uses
them while those segments are still, in the same order and with the same
sizes, a run of the index's segments; segments committed since are read
from their own arrays until the next merge.

The merge is then the only copy of most segments' postings: a segment of
``own_arrays_below`` documents or more (those Whoosh never merges) loses
its own arrays, and is read from its slice of the merge (``merged_slice``)
wherever its own would have been read. A merge is never dropped while a
segment has no other copy: the next merge reads those slices.
"""
from __future__ import annotations

import gc
import itertools
import json
import os
import secrets
from pathlib import Path

import marisa_trie
import numpy as np

from .arrays import (_SEP, FORMAT, PLAIN_FORMAT, THRESHOLD_KEY, SegmentArrays, _leaf_segment_id, _paths,
                     convert_plain_arrays, fields_key, write_arrays)
from .merged_slice import MergedSlice
from .packed import release, runs, sums_within
from .posting_format import PlainArrays, table_rows, term_rows

MANIFEST = f"merged.{FORMAT}.json"
PREFIX = "merged-"  # not Whoosh's "MAIN_" pattern: Whoosh leaves these files alone
MERGE_AFTER = 4  # unmerged segments a search tolerates before the indexer merges again


def _merged_paths(index_dir: Path, name: str) -> tuple[dict[str, Path], Path]:
    return _paths(index_dir, PREFIX + name)


def read_manifest(index_dir: Path) -> dict | None:
    try:
        manifest = json.loads((Path(index_dir) / MANIFEST).read_text(encoding="utf-8"))
        manifest["segments"] = [(str(sid), int(count)) for sid, count in manifest["segments"]]
        manifest["name"] = str(manifest["name"])
        return manifest
    except (OSError, ValueError, KeyError, TypeError):
        return None


def segments_of(reader) -> list[tuple[str | None, int, object, int]]:
    """(segment id, documents including deleted, leaf, docnum offset) of each
    segment of a reader, in docnum order."""
    return [(_leaf_segment_id(leaf), leaf.doc_count_all(), leaf, offset) for leaf, offset in reader.leaf_readers()]


def covered_run(manifest: dict | None, segments: list) -> tuple[int, int] | None:
    """Where the merged segments sit in ``segments``: (first, end) index of
    the run, or None if they are no longer a run of them."""
    if not manifest or not manifest["segments"]:
        return None
    wanted = manifest["segments"]
    ids = [sid for sid, *_ in segments]
    try:
        first = ids.index(wanted[0][0])
    except ValueError:
        return None
    run = [(sid, count) for sid, count, *_ in segments[first:first + len(wanted)]]
    return (first, first + len(wanted)) if run == wanted else None


def open_merged(index_dir: Path, segments: list) -> tuple[SegmentArrays, int, int] | None:
    """(arrays, first, end) when merged arrays cover a run of ``segments``."""
    manifest = read_manifest(index_dir)
    run = covered_run(manifest, segments)
    if run is None:
        return None
    arrays = SegmentArrays.open(*_merged_paths(Path(index_dir), manifest["name"]))
    if arrays is None or not arrays.complete:
        return None
    return arrays, run[0], run[1]


def covered_slices(index_dir: Path, manifest: dict | None = None) -> dict[str, MergedSlice]:
    """Each segment the merged arrays cover, as its slice of them (empty
    if there are none, or they cannot be read)."""
    manifest = manifest if manifest is not None else read_manifest(index_dir)
    if not manifest:
        return {}
    arrays = SegmentArrays.open(*_merged_paths(Path(index_dir), manifest["name"]))
    if arrays is None or not arrays.complete:
        return {}
    total = sum(count for _sid, count in manifest["segments"])
    slices, lo = {}, 0
    for sid, count in manifest["segments"]:
        slices[sid] = MergedSlice(arrays, lo, lo + count, total)
        lo += count
    return slices


def load_arrays(index_dir: Path, leaf, slices: dict[str, MergedSlice] | None = None):
    """A segment's posting arrays: its own, or (once a merge holds them and
    its own were deleted) its slice of the merged arrays; None if neither.
    ``slices``: ``covered_slices``, when the caller reads many segments."""
    arrays = SegmentArrays.load(index_dir, leaf)
    if arrays is not None:
        return arrays
    segment_id = _leaf_segment_id(leaf)
    if slices is None:
        slices = covered_slices(index_dir)
    return slices.get(segment_id) if segment_id else None


def needs_merge(index_dir: Path, segments: list, merge_after: int = MERGE_AFTER) -> bool:
    """More than ``merge_after`` segments a search would read one by one,
    or segments read from a merge that no longer stands for a run of
    them (a Whoosh merge took one of its segments away)."""
    manifest = read_manifest(index_dir)
    run = covered_run(manifest, segments)
    if run is None and _read_from(index_dir, manifest, segments):
        return True
    if len(segments) < 2:
        return False
    unmerged = len(segments) - (run[1] - run[0] if run else 0)
    return unmerged > merge_after


def _read_from(index_dir: Path, manifest: dict | None, segments: list) -> list[str]:
    """The segments of the index that only the merge holds (their own
    arrays deleted)."""
    listed = {sid for sid, _ in manifest["segments"]} if manifest else set()
    return [sid for sid, *_ in segments if sid in listed and not _paths(Path(index_dir), sid)[1].exists()]


def remove_unused_merge(index_dir: Path, segments: list) -> bool:
    """Deletes a merge that no longer stands for a run of the segments and
    holds no segment's only copy (Whoosh merged its segments away); True if
    there was one."""
    manifest = read_manifest(index_dir)
    if not manifest or covered_run(manifest, segments) is not None or _read_from(index_dir, manifest, segments):
        return False
    (Path(index_dir) / MANIFEST).unlink(missing_ok=True)
    remove_stale_merges(index_dir)
    return True


def write_merged_arrays(index_dir: Path, segments: list, own_arrays_below: int | None = None) -> bool:
    """Merge the arrays of every segment into one set; False (and nothing
    written) if a segment's arrays are missing or hold only some terms.
    Then the segments of ``own_arrays_below`` documents or more lose their
    own arrays (``drop_covered``): the merge holds their postings."""
    index_dir = Path(index_dir)
    manifest = read_manifest(index_dir)
    parts = []
    fields = None  # those every segment's table holds
    for segment_id, doc_count, arrays in _sources(index_dir, segments, manifest):
        if arrays is None or not arrays.complete:
            return False
        fields = arrays.fields if fields is None else fields & arrays.fields
        if isinstance(arrays, MergedSlice) and not arrays.whole:
            arrays = _Restricted(*arrays.restricted(), arrays)
        elif isinstance(arrays, MergedSlice):
            arrays = arrays.merged
        parts.append((segment_id, doc_count, arrays.terms, arrays))

    trie, terms_of_rows, field_of_row = _merged_term_table(parts, fields)
    n_terms = len(trie)

    # each segment's rows as merged term ids, and each term's totals
    rows_of = []
    postings = np.zeros(n_terms, dtype=np.int64)
    positional = np.zeros(n_terms, dtype=bool)
    positions = np.zeros(n_terms, dtype=np.int64)
    for (_sid, _count, _trie, arrays), term_of_row in zip(parts, terms_of_rows):
        spans, pos_total = _table(arrays)
        rows = np.flatnonzero(term_of_row >= 0)
        terms, spans = term_of_row[rows], spans[rows]
        lengths = spans[:, 1] - spans[:, 0]
        postings[terms] += lengths
        has_pos = spans[:, 2] >= 0
        positional[terms[has_pos]] = True
        pos_lengths = pos_total[rows]
        positions[terms] += pos_lengths
        rows_of.append((terms, rows, lengths, has_pos, pos_lengths))
    del terms_of_rows

    # where each term's postings, offsets and positions start in the output
    # where each term's postings, offsets and positions start in the output:
    # a field's terms together, so a facet's values are one run to read
    laid = np.lexsort((np.arange(n_terms), field_of_row[0][:n_terms]))
    offsets_per_term = np.where(positional, postings + 1, 0)
    start, first_offset, pos_start = (_starts_in(laid, sizes) for sizes in (postings, offsets_per_term, positions))
    totals = {"ids": int(postings.sum()), "weights": int(postings.sum()),
              "posoff": int(offsets_per_term.sum()), "pos": int(positions.sum())}
    for part, total in totals.items():
        if total >= 2**32:
            return False  # the uint32 layout cannot hold it; segments still serve

    name = secrets.token_hex(6)
    files, table = _merged_paths(index_dir, name)
    # Arrays whose weights are their counts times one scale a field, the same
    # in every segment (all the writers make), merge without their weights.
    scales: dict[str, float] = {}
    for *_, arrays in parts:
        scales.update(arrays.scales)
    scaled_alike = all(not arrays.explicit_weights and all(scales[f] == v for f, v in arrays.scales.items())
                       for *_, arrays in parts)
    dtypes = {"ids": np.uint32, "weights": np.float32, "posoff": np.uint32, "pos": np.uint32}
    if scaled_alike:
        del dtypes["weights"]
    # the merge is made in four-byte arrays first, then packed
    tmp = {part: index_dir / f"{PREFIX}{name}.plain_{part}.tmp" for part in dtypes}
    try:
        out = {part: np.lib.format.open_memmap(tmp[part], mode="w+", dtype=dtypes[part], shape=(totals[part],))
               for part in dtypes}
        filled = np.zeros(n_terms, dtype=np.int64)
        pos_filled = np.zeros(n_terms, dtype=np.int64)
        doc_base = 0
        for (_sid, doc_count, _trie, arrays), segment_rows in zip(parts, rows_of):
            if scaled_alike and isinstance(arrays, SegmentArrays):
                terms, rows, lengths, has_pos, pos_lengths = segment_rows
                where = (start[terms] + filled[terms], first_offset[terms] + filled[terms],
                         pos_start[terms] + pos_filled[terms])
                _copy_in_batches(out, arrays, rows, lengths, has_pos, pos_lengths, where, doc_base)
                filled[terms] += lengths
                pos_filled[terms] += pos_lengths
                doc_base += doc_count
                continue
            # in the output's order, so the copies write each file front to back
            order = np.argsort(start[segment_rows[0]], kind="stable")
            terms, rows, lengths, has_pos, pos_lengths = (column[order] for column in segment_rows)
            plain = arrays.plain(weights=not scaled_alike)
            spans = plain.spans.reshape(-1, 3)[rows]  # the third: the term's first row of ``posoff`` now
            ids, weights = plain.ids, plain.weights
            src = runs(spans[:, 0], lengths)
            dst = runs(start[terms] + filled[terms], lengths)
            out["ids"][dst] = ids[src] + np.uint32(doc_base)
            if not scaled_alike:
                out["weights"][dst] = weights[src]
            del ids, weights, src, dst
            if has_pos.any():
                seg_posoff = plain.posoff.astype(np.int64)
                seg_pos = plain.pos
                p_terms, p_len, first = terms[has_pos], lengths[has_pos], spans[has_pos, 2]
                # each posting's offset, moved from the segment's positions to the merged ones
                src = runs(first, p_len)
                shift = np.repeat(pos_start[p_terms] + pos_filled[p_terms] - seg_posoff[first], p_len)
                dst = runs(first_offset[p_terms] + filled[p_terms], p_len)
                out["posoff"][dst] = seg_posoff[src] + shift
                src = runs(seg_posoff[first], pos_lengths[has_pos])
                dst = runs(pos_start[p_terms] + pos_filled[p_terms], pos_lengths[has_pos])
                out["pos"][dst] = seg_pos[src]
                del seg_posoff, seg_pos, src, dst, shift
            del plain
            filled[terms] += lengths
            pos_filled[terms] += pos_lengths
            doc_base += doc_count
        # each positional term's closing offset
        closing = np.flatnonzero(positional)
        out["posoff"][first_offset[closing] + postings[closing]] = pos_start[closing] + positions[closing]
        spans = np.stack([start, start + postings, np.where(positional, first_offset, -1)], axis=1)
        spans[trie[THRESHOLD_KEY]] = (1, 0, 0)  # every term is in the table
        spans[trie[fields_key(fields)]] = (0, 0, -1)
        for part in dtypes:
            out[part].flush()
        release(*out.values())
        merged = PlainArrays(spans.reshape(-1), out["ids"], None if scaled_alike else out["weights"], out["posoff"],
                             out["pos"], scales if scaled_alike else None)
        write_arrays(trie, merged, files, table, fields=field_of_row)
        del out
        for path in tmp.values():
            path.unlink()
        manifest_tmp = index_dir / (MANIFEST + ".tmp")
        manifest_tmp.write_text(json.dumps({"name": name, "segments": [[sid, count] for sid, count, *_ in segments]}),
                                encoding="utf-8")
        os.replace(manifest_tmp, index_dir / MANIFEST)  # last: the merge now counts
    except BaseException:
        for path in [*tmp.values(), *files.values(), table]:
            path.unlink(missing_ok=True)
        raise
    remove_stale_merges(index_dir)
    drop_covered(index_dir, segments, own_arrays_below)
    return True


def _sources(index_dir: Path, segments: list, manifest: dict | None):
    """(label, documents, arrays) a part of the merge each: a segment's own
    arrays, or a run of segments read from the merge before (each run of
    them that lies together there, as one slice)."""
    slices = None
    pending = None  # (label, documents, slice): a run of slices that lie together
    for segment_id, doc_count, *_ in segments:
        arrays = SegmentArrays.open(*_paths(index_dir, segment_id)) if segment_id else None
        if arrays is None and segment_id:
            slices = covered_slices(index_dir, manifest) if slices is None else slices
            arrays = slices.get(segment_id)
        if isinstance(arrays, MergedSlice) and pending and pending[2].hi == arrays.lo:
            run = pending[2]
            pending = (pending[0], pending[1] + doc_count, MergedSlice(run.merged, run.lo, arrays.hi, run.total))
            continue
        if pending:
            yield pending
            pending = None
        if isinstance(arrays, MergedSlice):
            pending = (segment_id, doc_count, arrays)
        else:
            yield segment_id, doc_count, arrays
    if pending:
        yield pending


def _table(arrays) -> tuple[np.ndarray, np.ndarray]:
    """A part's term table (rows of first and end posting, and the first
    position or -1) and each row's count of positions."""
    if isinstance(arrays, _Restricted):
        spans = arrays.plain_arrays.spans.reshape(-1, 3).astype(np.int64)
        posoff = arrays.plain_arrays.posoff
        pos_total = np.zeros(len(spans), dtype=np.int64)
        with_pos = np.flatnonzero(spans[:, 2] >= 0)
        first = spans[with_pos, 2]
        pos_total[with_pos] = posoff[first + spans[with_pos, 1] - spans[with_pos, 0]].astype(np.int64) - posoff[first]
        return spans, pos_total
    spans = table_rows(arrays.spans[0:len(arrays.spans)]).reshape(-1, 3)
    # each term's count of positions, from where its first is: a
    # segment's positions lie term after term in the order of postings
    pos_total = np.zeros(len(spans), dtype=np.int64)
    listed = term_rows(spans)
    with_pos = listed[spans[listed, 2] >= 0]
    pos_total[with_pos] = np.diff(np.append(spans[with_pos, 2], len(arrays.pos)))
    return spans, pos_total


class _Restricted:
    """A slice of the merge before, as arrays of its own (``MergedSlice.restricted``)."""

    def __init__(self, terms, plain_arrays: PlainArrays, of: MergedSlice) -> None:
        self.terms, self.plain_arrays = terms, plain_arrays
        self.scales, self.explicit_weights, self.fields = of.scales, of.explicit_weights, of.fields

    def plain(self, weights: bool = True) -> PlainArrays:
        return self.plain_arrays


def drop_covered(index_dir: Path, segments: list, own_arrays_below: int | None) -> list[str]:
    """Deletes the own arrays of the segments the merge now holds, those of
    ``own_arrays_below`` documents or more (a second copy of their
    postings: a Whoosh merge takes in only small segments, and reads
    theirs; None keeps all). Returns the segment ids."""
    if own_arrays_below is None:
        return []
    dropped = []
    for segment_id, doc_count, *_ in segments:
        if not segment_id or doc_count < own_arrays_below:
            continue
        files, table = _paths(Path(index_dir), segment_id)
        if table.exists():
            table.unlink()  # first: arrays without their table are not read
            dropped.append(segment_id)
        for path in files.values():  # also what a run killed here left
            path.unlink(missing_ok=True)
    return dropped


BATCH = 1 << 22  # postings a part's copy unpacks at a time


def _copy_in_batches(out: dict, arrays: SegmentArrays, rows: np.ndarray, lengths: np.ndarray, has_pos: np.ndarray,
                     pos_lengths: np.ndarray, where: tuple, doc_base: int) -> None:
    """A packed part's postings copied into the merge a few million at a
    time, in the part's own order (each stream read front to back): a
    merge's part can be the whole merge before it, whose arrays unpacked at
    once took 10 GB at 100,000 documents. ``where``: each term's first
    posting, first offset and first position in the output."""
    spans, _ = _table(arrays)
    order = np.argsort(spans[rows, 0], kind="stable")
    rows, lengths, has_pos, pos_lengths = rows[order], lengths[order], has_pos[order], pos_lengths[order]
    ids_at, offsets_at, pos_at = (column[order] for column in where)
    ends = np.cumsum(lengths)
    cut = 0
    while cut < len(rows):
        stop = max(cut + 1, int(np.searchsorted(ends, ends[cut] - lengths[cut] + BATCH, side="right")))
        batch = slice(cut, stop)
        cut = stop
        first, count = spans[rows[batch], 0], lengths[batch]
        p0, p1 = int(first[0]), int(first[-1] + count[-1])
        at = None if p1 - p0 == int(count.sum()) else runs(first, count)  # end to end, as the writers lay them
        steps = arrays.ids.range(p0, p1) if at is None else arrays.ids.take(at)
        release(*out.values())  # what the batch before wrote is in the files
        out["ids"][runs(ids_at[batch], count)] = sums_within(steps, count) + doc_base
        positional = has_pos[batch]
        if not positional.any():
            continue
        freqs = arrays.freqs.range(p0, p1) if at is None else arrays.freqs.take(at)
        counts = freqs[np.repeat(positional, count)]
        p_count = count[positional]
        # each posting's offset: where its term's positions start, and those of its postings before it
        out["posoff"][runs(offsets_at[batch][positional], p_count)] = \
            np.repeat(pos_at[batch][positional], p_count) + sums_within(counts, p_count) - counts
        # a part's positions lie term after term in the order of its postings
        q0 = int(spans[rows[batch][positional][0], 2])
        n_pos = pos_lengths[batch][positional]
        out["pos"][runs(pos_at[batch][positional], n_pos)] = sums_within(arrays.pos.range(q0, q0 + int(n_pos.sum())),
                                                                         counts)


def _starts_in(order: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Where each item starts when items of ``sizes`` are laid end to end
    in ``order``."""
    ends = np.cumsum(sizes[order])
    starts = np.empty(len(sizes), dtype=np.int64)
    starts[order] = ends - sizes[order]
    return starts


def _merged_term_table(parts: list, fields) -> tuple[marisa_trie.Trie, list[np.ndarray], tuple[np.ndarray, list[str]]]:
    """The merged term table (every term of every segment, and the keys
    about the table), for each segment the merged id of the term in each
    row of its table (-1 for rows that are not terms), and each merged
    row's field (as ``arrays.field_of_rows`` gives it).

    Each segment's terms are spelled out once, a field at a time (a prefix
    search, so the keys about the table never come up), and numbered in a
    dict as they first appear; the trie built at the end has ids of its own,
    to which those numbers are mapped in one step. A 100,000-document build
    has 6.7 million keys in its 22 segments and 477,000 distinct ones:
    spelling each out twice and looking each up in the merged trie took
    18 s of a 34 s merge, this 8 s. The cyclic garbage collector is paused
    meanwhile: the millions of short-lived tuples set it off again and
    again over the same half-million keys (1.5 s of it)."""
    number: dict[str, int] = {}
    field_of_number: list[np.ndarray] = []  # each number's field, an index into ``names``
    names = sorted(fields)
    numbered_rows = []
    collecting = gc.isenabled()
    gc.disable()
    try:
        for _sid, _count, segment_trie, _files in parts:
            term_of_row = np.full(len(segment_trie), -1, dtype=np.int64)
            for field_number, fieldname in enumerate(names):
                items = segment_trie.items(fieldname + _SEP)
                if not items:
                    continue
                keys, rows = zip(*items)
                found = np.fromiter(map(number.get, keys, itertools.repeat(-1)), dtype=np.int64, count=len(keys))
                new = np.flatnonzero(found < 0)
                if len(new):
                    found[new] = np.arange(len(number), len(number) + len(new))
                    number.update(zip(map(keys.__getitem__, new.tolist()), found[new].tolist()))
                    field_of_number.append(np.full(len(new), field_number, dtype=np.int64))
                term_of_row[np.array(rows, dtype=np.int64)] = found
            numbered_rows.append(term_of_row)
    finally:
        if collecting:
            gc.enable()
    trie = marisa_trie.Trie([*number, THRESHOLD_KEY, fields_key(fields)])
    trie_id = np.empty(len(number), dtype=np.int64)
    for key, key_id in trie.iteritems():
        at = number.get(key)
        if at is not None:
            trie_id[at] = key_id
    for rows in numbered_rows:
        is_term = rows >= 0
        rows[is_term] = trie_id[rows[is_term]]
    field_of_row = np.full(len(trie), -1, dtype=np.int64)
    if field_of_number:
        field_of_row[trie_id] = np.concatenate(field_of_number)
    return trie, numbered_rows, (field_of_row, names)


def convert_plain_merge(index_dir: Path) -> bool:
    """The merged arrays of the layout before this one (``PLAIN_FORMAT``),
    written again in this one: the same postings, so the merge still
    stands for its segments. False if there is none, or one of this
    layout already."""
    index_dir = Path(index_dir)
    old = index_dir / f"merged.{PLAIN_FORMAT}.json"
    if read_manifest(index_dir) is not None or not old.exists():
        return False
    try:
        manifest = json.loads(old.read_text(encoding="utf-8"))
        name = str(manifest["name"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if not convert_plain_arrays(index_dir, PREFIX + name):
        return False
    manifest_tmp = index_dir / (MANIFEST + ".tmp")
    manifest_tmp.write_text(json.dumps(manifest), encoding="utf-8")
    os.replace(manifest_tmp, index_dir / MANIFEST)
    return True


def forget_merge_of(index_dir: Path, segment_ids) -> None:
    """Segments whose own arrays were rewritten: a merge of their old
    arrays no longer stands for them."""
    manifest = read_manifest(index_dir)
    if manifest and {sid for sid, _ in manifest["segments"]} & set(segment_ids):
        # the segments the merge alone held get their own arrays back first
        for sid, arrays in covered_slices(index_dir, manifest).items():
            files, table = _paths(Path(index_dir), sid)
            if not table.exists():
                write_arrays(*arrays.restricted(), files, table)
        (Path(index_dir) / MANIFEST).unlink(missing_ok=True)
        remove_stale_merges(index_dir)


def remove_stale_merges(index_dir: Path) -> None:
    """Files of merges the manifest no longer names (replaced, or killed)."""
    manifest = read_manifest(index_dir)
    keep = f"{PREFIX}{manifest['name']}." if manifest else None
    for path in Path(index_dir).glob(f"{PREFIX}*"):
        if keep is None or not path.name.startswith(keep):
            path.unlink(missing_ok=True)

