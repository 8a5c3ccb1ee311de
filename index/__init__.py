"""Promsearch write path: reading, cleaning, analysis and index building.

The analysis chain defined here is shared with the read path (``search``), so
indexing and querying can never disagree about what a word is.
"""
