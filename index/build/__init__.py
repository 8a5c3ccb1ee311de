"""The build: documents into the index, incrementally.

``indexer`` decides what to (re)process and commits; ``pipeline`` turns a
raw document into the writer's fields (ingest, entities and the analysis,
once a document); ``parallel`` runs that in worker processes that each
write a segment of their own; ``segment_writer`` is Whoosh's segment writer,
filing the postings straight into the store's arrays. Only the build
imports these: the query side reads the index through ``index.store``.
"""
