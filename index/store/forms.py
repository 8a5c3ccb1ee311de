"""Which surface forms each lemma has in the index, recorded as it is written.

Highlighting and the "forms found" explanation need the forms of a query
word. Found at query time, they cost a lemmatization of every index word
that might be one (and for an Italian word, loading simplemma: a fifth of a
second of a command-line search). The workers know each word's lemma
already, so the writer keeps the pairs in ``forms.marisa``: keys
"lemma<SEP>form". The table is written before each commit, so it holds at
least the committed documents' pairs (pairs of deleted or uncommitted
documents are harmless: a form is shown only if the index holds it). A
table begun on an empty index holds every pair and says so; one begun on an
index written before it existed does not, and the query side finds forms
the old way.

Each pair is also kept the other way round ("<BY>form<SEP>lemma"), so the
query side can ask which lemmas the index gave a form it holds: a word is
lemmatized in its text, where a capital may make it a name, and a query
word alone (``search/readings.py``). A table written before it kept them
says so by lacking the marker; the query side then asks the lemmatizer.
"""
from __future__ import annotations

import os
from array import array
from collections.abc import Iterable, Sequence
from pathlib import Path

import marisa_trie
import numpy as np

from .sorting import unique

FORMS_FILE = "forms.marisa"
_SEP = "\x1f"
_COMPLETE = _SEP + "complete"
_BY_FORM = "\x1e"  # opens a reversed key: no lemma starts so
_REVERSED = _SEP + "by form"  # every pair is kept reversed too


def form_keys(pairs: Iterable[tuple[str, str]]) -> set[str]:
    return {lemma + _SEP + form for lemma, form in pairs}


class FormPairs:
    """A segment's lemma-form pairs as it is written: a lemma and a form per
    indexed token, as word ids where the document's fields carry them
    (``analysis/word_ids.py``), made unique with one numpy sort and spelled out once,
    for the keys of the segment's distinct pairs. As strings, a set of them
    a document, they cost 0.4 ms a document, most of it adding each
    document's ~450 keys to the segment's set of a hundred thousand."""

    def __init__(self) -> None:
        self.lemma_ids = array("I")
        self.form_ids = array("I")
        self.spelled: set[str] = set()  # the pairs of documents without word ids

    def add_ids(self, lemma_ids: Iterable[int], form_ids: Iterable[int]) -> None:
        self.lemma_ids.extend(lemma_ids)
        self.form_ids.extend(form_ids)

    def add_words(self, lemmas: Iterable[str], forms: Iterable[str]) -> None:
        self.spelled.update(form_keys(zip(lemmas, forms)))

    def keys(self, words: Sequence[str]) -> set[str]:
        """Every pair's key; ``words`` lists the word ids' words by id."""
        keys = set(self.spelled)
        if self.lemma_ids:
            pairs = unique((np.frombuffer(self.lemma_ids, dtype=np.uint32).astype(np.uint64) << np.uint64(32))
                           | np.frombuffer(self.form_ids, dtype=np.uint32))
            lemmas, forms = (pairs >> np.uint64(32)).tolist(), (pairs & np.uint64(0xFFFFFFFF)).tolist()
            keys.update(words[lemma] + _SEP + words[form] for lemma, form in zip(lemmas, forms))
        return keys


def write_forms(index_dir: Path, keys: set[str], index_is_empty: bool) -> None:
    """Adds ``keys`` to the index's table (made complete if the index had no
    documents when the table began)."""
    path = Path(index_dir) / FORMS_FILE
    existing = load_forms(index_dir)
    if existing is None:
        complete = index_is_empty
        old: list[str] = []
    else:
        complete = _COMPLETE in existing
        old = [key for key in existing.keys() if not key.startswith((_SEP, _BY_FORM))]
    if not keys and existing is not None:
        return
    pairs = set(old) | keys
    reversed_keys = [_BY_FORM + form + _SEP + lemma for lemma, _sep, form in (key.partition(_SEP) for key in pairs)]
    trie = marisa_trie.Trie([*pairs, *reversed_keys, _REVERSED, *([_COMPLETE] if complete else [])])
    tmp = path.with_suffix(".tmp")
    trie.save(str(tmp))
    os.replace(tmp, path)


def load_forms(index_dir: Path) -> marisa_trie.Trie | None:
    trie = marisa_trie.Trie()
    try:
        trie.load(str(Path(index_dir) / FORMS_FILE))
    except (OSError, RuntimeError, ValueError):
        return None
    return trie


class FormsTable:
    """The query side's view: lemma -> forms, or None if the table is not
    complete (an index written before it existed)."""

    def __init__(self, trie: marisa_trie.Trie | None) -> None:
        self.trie = trie if trie is not None and _COMPLETE in trie else None
        # does it say which lemmas each form has (``lemmas``)?
        self.reversed = self.trie is not None and _REVERSED in self.trie

    @classmethod
    def load(cls, index_dir: Path | None) -> "FormsTable":
        return cls(load_forms(index_dir) if index_dir else None)

    @property
    def complete(self) -> bool:
        return self.trie is not None

    def forms(self, lemma: str) -> list[str]:
        prefix = lemma + _SEP
        return [key[len(prefix):] for key in self.trie.keys(prefix)] if self.trie is not None else []

    def lemmas(self, form: str) -> list[str]:
        """The lemmas the index gave ``form`` (nothing if the table is not
        ``reversed``)."""
        prefix = _BY_FORM + form + _SEP
        return [key[len(prefix):] for key in self.trie.keys(prefix)] if self.reversed else []
