"""The Whoosh schema: one place that says what is indexed and how."""
from __future__ import annotations

import zlib

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from .analysis import lemma_analyzer, surface_analyzer

FACET_FIELDS = ("official", "region", "district", "sector")
UNKNOWN_YEAR = "unknown"
SCHEMA_VERSION = 6
TITLE_BOOST = 2.5


def pack_text(text: str) -> bytes:
    """The raw text, compressed on its own: every displayed hit loads a
    document's stored fields, and the raw text is needed only on its page."""
    return zlib.compress(text.encode("utf-8"), 6)


def unpack_text(value) -> str:
    if isinstance(value, bytes):
        return zlib.decompress(value).decode("utf-8")
    return value or ""


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
        date=ID(stored=True),
        year=ID(stored=True),  # "2024", or "unknown": a facet value either way
        sortdate=NUMERIC(int, stored=True, sortable=True),
        official=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        region=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        district=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        sector=KEYWORD(stored=True, commas=True, lowercase=False, scorable=False),
        roles=STORED,  # official -> roles stated in the text
        sector_evidence=STORED,
        entity_spans=STORED,  # (start, end, kind, value) in the body, for the document page
        content_hash=ID(sortable=True),
        source_text=STORED,
        author=STORED,
        photo_credit=STORED,
        url=STORED,
        source=STORED,
    )
