"""The index on disk, as both sides see it.

The writer (``index.build``) fills it and the query side (``search``) reads
it, so the format lives here, apart from either: the Whoosh schema and the
raw-text column (``schema``), the stored-field codec (``codec``), the
posting arrays of each segment and their merge (``arrays``,
``merged_arrays``), the table of each lemma's forms (``forms``), and the
integer sorts they share (``sorting``).
"""
