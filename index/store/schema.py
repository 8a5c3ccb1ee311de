"""The Whoosh schema: one place that says what is indexed and how."""
from __future__ import annotations

import zlib

from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema

from ..analysis.chain import lemma_analyzer, surface_analyzer
from . import zstd

# place: the dateline's city (``entities/places.py``), added to the schema of
# an index written before it had one when it is next written (``indexer.py``)
FACET_FIELDS = ("official", "region", "district", "sector", "place")
UNKNOWN_YEAR = "unknown"
SCHEMA_VERSION = 7
# The key, in the stored ``roles`` dict, of the regions a document gets from
# the officials it names (no schema change, so an older index reads and
# takes new documents as it is): [{"region", "from", "office", "start",
# "end"}]; the region facet counts these regions too.
INFERRED_REGIONS_KEY = "\x00inferred_regions"
TITLE_BOOST = 2.5


_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"  # how a Zstandard frame begins; zlib's never does


def pack_text(text: str) -> bytes:
    """The raw text, compressed, for a column of its own: every displayed
    hit loads a document's stored fields, and the raw text is needed only on
    its page. (In the stored fields, compressed again with them, it took a
    third of their compression time.) Zstandard at level 3, not zlib at
    level 6: 0.08 ms a news article instead of 0.47 ms, in the NLP's own
    time, for output 7% larger."""
    return zstd.compress(text.encode("utf-8"), 3)


def unpack_text(value) -> str:
    if not value:
        return ""
    if isinstance(value, bytes):
        # indexes written before hold zlib's
        data = zstd.decompress(value) if value.startswith(_ZSTD_MAGIC) else zlib.decompress(value)
        return data.decode("utf-8")
    return value


class STRING_COLUMN(COLUMN):
    """A string per document in a column (COLUMN's VarBytesColumn): read for
    every document at once (a column reader), never searched, so never
    indexed."""

    def to_bytes(self, v):
        return v.encode("utf-8")

    def from_bytes(self, b):
        return b.decode("utf-8")


def build_schema() -> Schema:
    # The writer is given these fields as token lists made by the NLP workers
    # with the same analyzers (Whoosh indexes a list as ready tokens); the
    # analyzers stay in the schema for anything that passes plain text.
    lemmas = lemma_analyzer()
    surfaces = surface_analyzer()
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        path=STORED,
        lang=ID(stored=True),
        # The title weighs more than the body. A field boost, applied when
        # indexing, keeps Whoosh's top-k block skipping exact; a boost in the
        # query makes it skip documents that belong in the top
        # (tests/test_fast_paths.py).
        title=TEXT(analyzer=lemmas, stored=True, phrase=True, field_boost=TITLE_BOOST),
        body=TEXT(analyzer=lemmas, stored=True, phrase=True),
        # lowercase surface forms of title and body: exact forms, prefixes,
        # spelling suggestions, and which forms of a query word matched
        exact=TEXT(analyzer=surfaces, phrase=True),
        # Fields nobody searches are not indexed: Whoosh would file a term
        # and a posting of each for every document (a numeric field, eight),
        # and a tenth of a segment's writing went to them.
        date=STORED,
        year=ID(stored=True),  # "2024", or "unknown": a facet value either way
        sortdate=COLUMN(NumericColumn("i")),  # days since 1970, for sorting by date
        official=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        region=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        district=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        sector=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        place=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        roles=STORED,  # official -> roles stated in the text
        sector_evidence=STORED,
        entity_spans=STORED,  # (start, end, kind, value) in the body, for the document page
        content_hash=STRING_COLUMN(),
        source_text=COLUMN(),  # pack_text's bytes, as they are
        author=STORED,
        photo_credit=STORED,
        url=STORED,
        source=STORED,
    )
