"""Text into words, the same way on both sides.

The index and the query side must never disagree about what a word is, so
they share this package: ``lemmatizer`` (words to lemmas), ``chain`` (the
Whoosh analyzers the schema and the query parser use), and ``names``
(spelling-insensitive keys for names in Latin script). The build tokenizes
a document once more, keeping punctuation and offsets for the entity step
(``tokens``), with the ids its words are filed under (``word_ids``).
"""

# Indexes written while the chain was the module ``index.analysis`` pickle
# its filters under that name; unpickling asks this package for them.
_CHAIN_CLASSES = frozenset({"WordTokenizer", "CaseFilter", "YoFilter", "LemmaFilter", "StopFilter"})


def __getattr__(name: str):
    if name in _CHAIN_CLASSES:
        from . import chain
        return getattr(chain, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
