"""Whoosh's index files opened for reading by many threads at once.

Whoosh reads a file by seeking and then reading one shared file object, so
two threads reading the same segment file interleave: one thread's seek
moves the other's read, which then decodes the wrong bytes (a Zstandard
error on the stored fields) or, worse, the right number of bytes of another
document (someone else's title on a result page). Here each file is one
descriptor read with ``os.pread`` at a position of the calling thread's own:
reads stay parallel (``pread`` releases the GIL) and need no lock, and every
Whoosh reader, term table and column reader above it is safe to share.

The index files are immutable once committed, so a position is all a
reader needs; a file deleted by a later merge stays readable through its
open descriptor until the generation that uses it is dropped.
"""
from __future__ import annotations

import os
import threading

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile


class PositionalFile:
    """A read-only file with a read position per thread."""

    def __init__(self, path: str) -> None:
        self.name = path
        self._fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        self._size = os.fstat(self._fd).st_size  # committed files do not grow
        self._position = threading.local()
        self.closed = False

    def _at(self) -> int:
        return getattr(self._position, "at", 0)

    def tell(self) -> int:
        return self._at()

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._at(), os.SEEK_END: self._size}[whence]
        self._position.at = base + offset
        return self._position.at

    def read(self, size: int = -1) -> bytes:
        at = self._at()
        if size is None or size < 0:
            size = max(0, self._size - at)
        chunks, wanted = [], size
        while wanted > 0:
            chunk = os.pread(self._fd, wanted, at)
            if not chunk:
                break
            chunks.append(chunk)
            at += len(chunk)
            wanted -= len(chunk)
        self._position.at = at
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def readline(self, size: int = -1) -> bytes:
        start = self._at()
        data = os.pread(self._fd, self._size - start if size is None or size < 0 else size, start)
        end = data.find(b"\n")
        line = data if end < 0 else data[:end + 1]
        self._position.at = start + len(line)
        return line

    def flush(self) -> None:
        pass

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            os.close(self._fd)

    def __del__(self) -> None:
        try:
            self.close()
        except OSError:
            pass


class PositionalStorage(FileStorage):
    """A read-only ``FileStorage`` whose files are ``PositionalFile``s.

    No memory maps: compound segments (which this project never writes)
    would map their whole file per reader."""

    supports_mmap = False

    def __init__(self, path: str) -> None:
        super().__init__(path, supports_mmap=False, readonly=True)

    def open_file(self, name, **kwargs):
        # no ``fileno``: Whoosh then reads through read(), never around it
        return StructFile(PositionalFile(self._fpath(name)), name=name, **kwargs)
