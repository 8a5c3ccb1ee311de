"""Word ids, made where the words are made.

A segment writer files each token of the text fields under a word id. Looking
the token up in the segment's vocabulary cost about 0.75 µs a token inside a
busy worker (a dict of a few hundred thousand words, which the NLP's models
push out of the caches between documents): 1.1 ms a document, a third of
the writing. The tokenizer already looks every word up in its cache of words
it has seen (``tokens.LemmaTokens``), so in a worker it keeps the word's
ids there too, from the ``WordIds`` the worker's segment writer files them
under, and the writer takes them as they are.
"""
from __future__ import annotations

import os

# The key of a document's fields that carries its text fields' word ids:
# (the ``WordIds``'s key, {field: ids}).
WORD_IDS_FIELD = "_word_ids"
# The key of the forms of a document's words whose lemmas are indexed (in
# the order of its title's and body's lemmas), for the forms table; in
# ``WORD_IDS_FIELD``'s ids too.
FORMS_FIELD = "_forms"


class Vocabulary(dict):
    """word -> id, a new word getting the next id."""

    def __missing__(self, word: str) -> int:
        self[word] = word_id = len(self)
        return word_id


class WordIds(Vocabulary):
    """A process's vocabulary, kept for its whole run (a tokenizer's cached
    ids must stay valid): the distinct words it has seen, lemmas and forms
    alike."""

    def __init__(self) -> None:
        super().__init__()
        # Says which WordIds a document's ids come from: a writer may be
        # given fields made by a processor with a vocabulary of its own (a
        # caller's, a test's), and ids from another WordIds must not be taken.
        self.key = os.urandom(16).hex()
