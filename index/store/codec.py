"""Whoosh 3's codec with the stored fields compressed by Zstandard.

A document's stored fields (its cleaned text most of all, about 13 KB
pickled) are compressed as the document is written. Whoosh uses zlib at
level 3: 0.25 ms a document, a fifth of a worker's writing. Zstandard at
level 3 takes 0.08 ms for output 2% larger, and reads back in half the time
(the snippets of a page of hits). Everything else is Whoosh 3's, byte for
byte.

Each segment names its codec in the index's table of contents, so segments
written before this codec keep Whoosh's and are read as they were; a merge
writes them anew with this one.
"""
from __future__ import annotations

from whoosh import columns
from whoosh.codec.whoosh3 import W3Codec, W3PerDocReader, W3PerDocWriter

from . import zstd

# Whoosh names its stored column "_stored" and builds it from a module
# constant; the writer and reader below swap in this column under that name.
_STORED = "_stored"
ZSTD_LEVEL = 3


class ZstdBytesColumn(columns.CompressedBytesColumn):
    """Whoosh's compressed column, compressing with this process's kept
    Zstandard contexts (``zstd.py``) rather than the module's functions,
    which set a context up at every call; the bytes are the same."""

    def __init__(self, level: int = ZSTD_LEVEL) -> None:
        super().__init__(level=level, module="zstandard")

    def writer(self, dbfile):
        writer = super().writer(dbfile)
        writer._compress = zstd.compress
        return writer

    def reader(self, dbfile, basepos, length, doccount):
        reader = super().reader(dbfile, basepos, length, doccount)
        reader._decompress = zstd.decompress
        return reader


STORED_COLUMN = columns.PickleColumn(ZstdBytesColumn())


class ZstdStoredCodec(W3Codec):
    def per_document_writer(self, storage, segment):
        return _PerDocWriter(self, storage, segment)

    def per_document_reader(self, storage, segment):
        return _PerDocReader(storage, segment)


class _PerDocWriter(W3PerDocWriter):
    def _create_column(self, fieldname, column):
        super()._create_column(fieldname, STORED_COLUMN if fieldname == _STORED else column)


class _PerDocReader(W3PerDocReader):
    def _cached_reader(self, fieldname, column):
        return super()._cached_reader(fieldname, STORED_COLUMN if fieldname == _STORED else column)
