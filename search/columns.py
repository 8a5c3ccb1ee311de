"""Whoosh's per-document columns read a segment at a time.

Whoosh hands out a column's values one Python call each, and makes a
variable-width column's offsets in a Python loop over the segment; opening
a view of 100,000 documents spent a second on the dates, the ids and the
deletions alone. Here a segment's column is read as one block of bytes and
decoded with numpy, in the layout ``whoosh.columns`` writes (fixed-width
big-endian numbers; variable-width values followed by their lengths, maybe
their offsets, and a type code). A column of another kind, or a reader
without Whoosh's internals, is read Whoosh's way.
"""
from __future__ import annotations

import numpy as np
from whoosh.columns import NumericColumn

_NUMBERS = {"b": ">i1", "B": ">u1", "h": ">i2", "H": ">u2", "i": ">i4", "I": ">u4", "q": ">i8", "Q": ">u8"}


def numeric_column(reader, name: str, doc_count: int) -> np.ndarray:
    """A numeric column over the whole index (absent values 0)."""
    out = np.zeros(doc_count, dtype=np.int64)
    for leaf, offset in reader.leaf_readers():
        count = leaf.doc_count_all()
        column = leaf.column_reader(name, translate=False) if count and leaf.has_column(name) else None
        if column is None:
            continue
        block = _fixed_width_values(column)
        if block is not None:
            out[offset:offset + min(len(block), count)] = block[:count]
        else:  # a value at a time, in order (by docnum costs twice as much)
            out[offset:offset + count] = np.fromiter((v or 0 for v in column), dtype=np.int64, count=count)
    return out


def _fixed_width_values(column) -> np.ndarray | None:
    """A numeric column's stored values (the documents past its end have
    the default), or None if it is not one with a default of 0."""
    typecode = getattr(column, "_typecode", None)
    if not isinstance(column, NumericColumn.Reader) or typecode not in _NUMBERS or column._default:
        return None
    width = np.dtype(_NUMBERS[typecode]).itemsize
    raw = column._dbfile.get(column._basepos, column._count * width) if column._count else b""
    return np.frombuffer(raw, dtype=_NUMBERS[typecode]).astype(np.int64)


def text_column(reader, name: str, doc_count: int) -> list[str]:
    """A column of text values (variable-width bytes) over the whole index,
    "" where a segment has none."""
    out: list[str] = []
    for leaf, _offset in reader.leaf_readers():
        count = leaf.doc_count_all()
        if not count:
            continue
        if not leaf.has_column(name):
            out += [""] * count
            continue
        values = _var_bytes_values(leaf, name, count)
        if values is None:
            values = [v.decode("utf-8") if isinstance(v, bytes) else str(v or "")
                      for v in leaf.column_reader(name, translate=False)]
        out += values
    return out + [""] * (doc_count - len(out))


def hold_column_file(leaf, name: str):
    """Opens a segment's column file (once: Whoosh keeps it for the column's
    reader), without making the reader; returns (file, start, length), or
    None where the segment has no such column or is not Whoosh's own."""
    perdoc = getattr(leaf, "_perdoc", None)
    files, open_file = getattr(perdoc, "_colfiles", None), getattr(perdoc, "_get_column_file", None)
    if not isinstance(files, dict) or open_file is None or not perdoc.has_column(name):
        return None
    if name not in files:
        files[name] = open_file(name)
    return files[name]


def _var_bytes_values(leaf, name: str, count: int) -> list[str] | None:
    held = hold_column_file(leaf, name)
    if held is None:
        return None
    colfile, start, length = held
    raw = colfile.get(start, length)
    if not raw:
        return None
    end, offsets = length - 1, None
    code = chr(raw[end])
    if code == "X":  # the offsets were written too, before the two type codes
        code, offsets_code = chr(raw[end - 2]), chr(raw[end - 1])
        offsets_type = np.dtype(offsets_code).newbyteorder(">")
        end = end - 2 - count * offsets_type.itemsize
        offsets = np.frombuffer(raw, dtype=offsets_type, count=count, offset=end).astype(np.int64)
    try:
        lengths_type = np.dtype(code).newbyteorder(">")
    except TypeError:
        return None
    data_end = end - count * lengths_type.itemsize
    lengths = np.frombuffer(raw, dtype=lengths_type, count=count, offset=data_end).astype(np.int64)
    raw = raw[:data_end]
    starts = offsets if offsets is not None else np.concatenate(([0], np.cumsum(lengths)[:-1]))
    ends = starts + lengths
    if raw.isascii():  # ids are: one decoding, then slices of the text (a byte is a character)
        text = raw.decode("ascii")
        return [text[a:b] for a, b in zip(starts.tolist(), ends.tolist())]
    return [raw[a:b].decode("utf-8") for a, b in zip(starts.tolist(), ends.tolist())]


def live_documents(reader, doc_count: int) -> np.ndarray:
    """Which documents are not deleted: from each segment's set of deleted
    ones, not a question per document."""
    live = np.ones(doc_count, dtype=bool)
    for leaf, offset in reader.leaf_readers():
        if not leaf.has_deletions():
            continue
        segment = leaf.segment() if callable(getattr(leaf, "segment", None)) else None
        if segment is not None:
            deleted = np.fromiter(segment.deleted_docs(), dtype=np.int64)
        else:
            deleted = np.array([d for d in range(leaf.doc_count_all()) if leaf.is_deleted(d)], dtype=np.int64)
        live[offset + deleted] = False
    return live
