"""Near-duplicate stories: which documents tell the same story (issue 33).

The worker that processes a document makes its ``traits.StoryTraits`` (a
MinHash signature of its lemmatized text, its date, length, officials,
regions and glossary concepts); the build's main process files them in a
``grouping.StoryIndex``, which joins a document to the stories of the
documents like it and writes, before each commit, the stories the search
collapses (``files.py``). The thresholds are in ``index/data/stories.tsv``
(``settings.py``); docs/stories.md has the design and the measurements.
"""
