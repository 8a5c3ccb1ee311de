"""Streams of small unsigned integers, bit-packed in blocks of 128.

The posting arrays held every document number, weight, position offset and
position as four bytes: at 100,000 documents 4.2 GB, 25 times tantivy's
whole index of the same text. Most of those numbers are small once each is
written as its distance from the one before (the next document of a term,
the next position in a document), so each block of 128 is stored as wide as
its widest value needs: tantivy's and Lucene's layout, in numpy.

A stream is two ``.npy`` files: the packed bytes (``uint8``), and the block
table (``uint64``): the count of values, then where each block starts in
the bytes and where the last ends. A block's width is its byte length over
16 (128 values of ``w`` bits are ``16 w`` bytes; the last block is padded to
128 values), so a width of 0 costs nothing: a block of zeros is no bytes.
Any values can be read without the rest: the table says where their blocks
are, one ``pread`` brings those bytes, and each value is one 8-byte load,
a shift and a mask.
"""
from __future__ import annotations

import mmap
import os
from pathlib import Path

import numpy as np

BLOCK = 128
_SHIFT = 7  # log2(BLOCK)
_MASKS = np.array([(1 << w) - 1 for w in range(65)], dtype=np.uint64)
# where a block's values start, by width and place in the block: the bit, its byte, the shift there
_BIT_AT = np.arange(65, dtype=np.int64)[:, None] * np.arange(BLOCK, dtype=np.int64)
_BYTE_AT, _SHIFT_BY = _BIT_AT >> 3, (_BIT_AT & 7).astype(np.uint64)


def bit_widths(values: np.ndarray) -> np.ndarray:
    """The bits each value needs (0 for 0)."""
    values = np.asarray(values, dtype=np.uint64)
    widths = np.zeros(len(values), dtype=np.uint8)
    for w in range(1, 33):  # widths past 32 are not needed: the values are uint32
        widths[values >= np.uint64(1 << (w - 1))] = w
    return widths


class PackedWriter:
    """Writes one stream to ``data`` and ``blocks``, given its values a
    chunk at a time (a chunk's last partial block waits for the next)."""

    def __init__(self, data: Path, blocks: Path) -> None:
        self.data_path, self.blocks_path = Path(data), Path(blocks)
        self._raw = self.data_path.with_suffix(".raw")
        self._out = open(self._raw, "wb")
        self._offsets = [np.zeros(1, dtype=np.uint64)]
        self._tail = np.zeros(0, dtype=np.uint64)
        self._written = self._count = 0

    def add(self, values: np.ndarray) -> None:
        values = np.asarray(values)
        if not len(values):
            return
        if values.dtype.kind == "i" and values.min() < 0:
            raise ValueError("packed values must not be negative")
        if int(values.max()) >= 1 << 32:
            raise ValueError("packed values must fit in 32 bits")
        self._count += len(values)
        values = np.concatenate([self._tail, values.astype(np.uint64)])
        whole = len(values) // BLOCK * BLOCK
        self._tail = values[whole:]
        self._pack(values[:whole])

    def _pack(self, values: np.ndarray) -> None:
        if not len(values):
            return
        blocks = values.reshape(-1, BLOCK)
        widths = bit_widths(blocks.max(axis=1))
        sizes = widths.astype(np.int64) * (BLOCK // 8)
        starts = np.cumsum(sizes) - sizes
        out = np.zeros(int(sizes.sum()), dtype=np.uint8)
        for w in np.unique(widths).tolist():
            if w == 0:
                continue
            rows = np.flatnonzero(widths == w)
            # each value's bits, lowest first, from its four little-endian bytes: all uint8 work
            bits = np.unpackbits(blocks[rows].astype("<u4").view(np.uint8).reshape(-1, 4), axis=1, bitorder="little")
            packed = np.packbits(bits[:, :w].reshape(len(rows), BLOCK * w), axis=1, bitorder="little")
            out[(starts[rows][:, None] + np.arange(BLOCK // 8 * w)).ravel()] = packed.ravel()
        self._out.write(out.tobytes())
        self._offsets.append((self._written + np.cumsum(sizes)).astype(np.uint64))
        self._written += len(out)

    def close(self) -> None:
        """Both files, complete: the bytes as ``.npy``, then the table."""
        if len(self._tail):
            self._pack(np.concatenate([self._tail, np.zeros(BLOCK - len(self._tail), dtype=np.uint64)]))
        self._out.close()
        data = np.memmap(self._raw, dtype=np.uint8, mode="r") if self._written else np.zeros(0, dtype=np.uint8)
        with open(self.data_path, "wb") as handle:
            np.save(handle, data)
        del data
        self._raw.unlink()
        with open(self.blocks_path, "wb") as handle:
            np.save(handle, np.concatenate([np.array([self._count], dtype=np.uint64), *self._offsets]))

    def abort(self) -> None:
        self._out.close()
        self._raw.unlink(missing_ok=True)


class ArrayFile:
    """A 1-d ``.npy`` file read a slice at a time with ``pread``. Mapping the
    files instead made the search process's RSS grow by whole megabytes per
    posting list touched (the page cache hands out large folios), up to the
    size of all the arrays; read calls leave only what a query uses."""

    def __init__(self, path: Path) -> None:
        self._file = open(path, "rb")
        major, _minor = np.lib.format.read_magic(self._file)
        read_header = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
        shape, fortran, dtype = read_header(self._file)
        if len(shape) != 1 or fortran:
            raise ValueError(f"{path.name}: not a flat array")
        self.dtype, self.length, self._offset = dtype, shape[0], self._file.tell()
        if os.fstat(self._file.fileno()).st_size < self._offset + self.length * dtype.itemsize:
            raise ValueError(f"{path.name}: cut short")

    def __len__(self) -> int:
        return self.length

    def take(self, indices: np.ndarray) -> np.ndarray:
        """The values at ``indices`` (anywhere in the file), through a map
        dropped as soon as they are copied out."""
        if not len(indices):
            return np.zeros(0, dtype=self.dtype)
        mapped = np.memmap(self._file, dtype=self.dtype, mode="r", offset=self._offset, shape=(self.length,))
        try:
            return np.array(mapped[indices])
        finally:
            mapped._mmap.close()

    def __getitem__(self, part: slice) -> np.ndarray:
        start, stop, _ = part.indices(self.length)
        if stop <= start:
            return np.zeros(0, dtype=self.dtype)
        size = self.dtype.itemsize
        raw = os.pread(self._file.fileno(), (stop - start) * size, self._offset + start * size)
        return np.frombuffer(raw, dtype=self.dtype)


class PackedStream:
    """A packed stream read a few values at a time (see the module's doc)."""

    def __init__(self, data: ArrayFile, blocks: ArrayFile) -> None:
        self._data, self._blocks = data, blocks
        self.length = int(blocks[0:1][0]) if len(blocks) else 0
        if len(blocks) != -(-self.length // BLOCK) + 2 or int(blocks[len(blocks) - 1:][0]) != len(data):
            raise ValueError("a packed stream's block table does not match its values")

    def __len__(self) -> int:
        return self.length

    def take(self, indices: np.ndarray) -> np.ndarray:
        """The values at ``indices`` (sorted ascending), as int64."""
        indices = np.asarray(indices, dtype=np.int64)
        if not len(indices):
            return np.zeros(0, dtype=np.int64)
        first, last = int(indices[0]) >> _SHIFT, int(indices[-1]) >> _SHIFT
        block_of = indices >> _SHIFT
        if last - first < 4096 or 4 * len(indices) >= (last - first + 1) * BLOCK:
            # a short stretch, or most of it wanted: its bytes in one read
            offsets = self._blocks[first + 1:last + 3].astype(np.int64)
            sizes = offsets[1:] - offsets[:-1]
            base = offsets[:-1] - offsets[0]
            raw = self._data[int(offsets[0]):int(offsets[-1])].tobytes() + bytes(8)
            block = block_of - first
        else:
            # a few blocks far apart in a long stretch (a field's terms
            # across a whole segment's arrays): only theirs are read
            wanted = np.unique(block_of)
            begins = self._blocks.take(wanted + 1).astype(np.int64)
            sizes = self._blocks.take(wanted + 2).astype(np.int64) - begins
            base = np.cumsum(sizes) - sizes
            raw = self._data.take(runs(begins, sizes)).tobytes() + bytes(8)
            block = np.searchsorted(wanted, block_of)
        words = np.ndarray(shape=(len(raw) - 7,), dtype="<u8", buffer=raw, strides=(1,))
        width = sizes[block] // (BLOCK // 8)
        bit = base[block] * 8 + (indices & (BLOCK - 1)) * width
        values = words.take(bit >> 3)
        values >>= (bit & 7).view(np.uint64)
        values &= _MASKS[width]
        return values.view(np.int64)

    def range(self, start: int, stop: int) -> np.ndarray:
        """The values ``start:stop``, as int64: each value's byte and shift
        looked up by its block's width rather than worked out one by one
        (``take``): a frequent term's 100,000 document numbers in a third
        of the time, a short list's in a few numpy steps."""
        if stop <= start:
            return np.zeros(0, dtype=np.int64)
        first, last = start >> _SHIFT, (stop - 1) >> _SHIFT
        skip = start - (first << _SHIFT)
        if first == last:  # most terms: one block
            begin, end = self._blocks[first + 1:first + 3].tolist()
            w = (end - begin) // (BLOCK // 8)
            if not w:
                return np.zeros(stop - start, dtype=np.int64)
            raw = self._data[begin:end].tobytes() + bytes(8)
            words = np.ndarray(shape=(len(raw) - 7,), dtype="<u8", buffer=raw, strides=(1,))
            values = words.take(_BYTE_AT[w, skip:skip + stop - start])
            values >>= _SHIFT_BY[w, skip:skip + stop - start]
            values &= _MASKS[w]
            return values.view(np.int64)
        offsets = self._blocks[first + 1:last + 3].astype(np.int64)
        widths = (offsets[1:] - offsets[:-1]) // (BLOCK // 8)
        raw = self._data[int(offsets[0]):int(offsets[-1])].tobytes() + bytes(8)
        words = np.ndarray(shape=(len(raw) - 7,), dtype="<u8", buffer=raw, strides=(1,))
        # each value's byte and shift from tables by width: a few whole-array
        # steps however many widths the blocks have
        values = words.take((offsets[:-1] - offsets[0])[:, None] + _BYTE_AT[widths])
        values >>= _SHIFT_BY[widths]
        values &= _MASKS[widths][:, None]
        return values.reshape(-1)[skip:skip + stop - start].view(np.int64)


def release(*arrays) -> None:
    """Hands the pages of file-mapped arrays (``np.memmap``) back to the
    page cache: a merge writes and reads gigabytes through them, which
    otherwise stay counted in the process's memory until it ends. The data
    stays in the file; the next access maps it again."""
    for values in arrays:
        mapping = getattr(values, "_mmap", None)
        if mapping is not None:
            mapping.madvise(mmap.MADV_DONTNEED)


def runs(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The indexes of several runs of an array, end to end: ``starts[k]``,
    ``starts[k] + 1``, ... for ``lengths[k]`` items each, without a Python
    loop."""
    return np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(lengths.sum())


def sums_within(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """A running sum within each run of ``lengths`` values, end to end: a
    term's document numbers, or a posting's positions, from their distances.
    (One running sum, each run's first value less what came before it, and
    a second: no array as long as the values but the sums.)"""
    values = np.array(values, dtype=np.int64)  # a copy, changed below
    lengths = np.asarray(lengths, dtype=np.int64)
    starts = (np.cumsum(lengths) - lengths)[lengths > 0]
    if len(starts) > 1:
        total = np.cumsum(values)
        before = np.concatenate(([0], total[starts[1:] - 1]))
        values[starts] -= np.diff(before, prepend=0)
    return np.cumsum(values, out=values)
