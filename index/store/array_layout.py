"""The posting arrays' files and term table keys: names both the writers
(``arrays``, ``merged_arrays``) and the reader (``segment_arrays``) use."""
from __future__ import annotations

from pathlib import Path

import marisa_trie
import numpy as np

LEGACY_FIELDS = frozenset(("title", "body", "exact"))  # what tables without a fields key hold
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


def field_of_rows(trie: marisa_trie.Trie, fields) -> tuple[np.ndarray, list[str]]:
    """Each row of a term table's field (an index into the names returned;
    -1 for the keys about the table)."""
    names = sorted(fields)
    of_row = np.full(len(trie), -1, dtype=np.int64)
    for number, name in enumerate(names):
        items = trie.items(name + _SEP)
        of_row[np.fromiter((row for _key, row in items), dtype=np.int64, count=len(items))] = number
    return of_row, names
