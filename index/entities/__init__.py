"""What a document is about, for the facets: its officials, regions (with
their federal districts) and sectors, found in its text against the
knowledge in ``index/data``.

The query side imports only ``official_links`` (the map the index keeps
from a name to the full name the corpus gives it); the rest runs in the
build, and this package's import loads none of it.
"""
