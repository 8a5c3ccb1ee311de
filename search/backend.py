"""The seam between the engine and an index: what a search asks of a backend.

The engine (``engine.py``) parses what the user typed, expands it (the
glossary, prefixes, facet values as the index spells them), ranks, pages,
highlights and builds the record every front end renders. A backend answers
the questions below about one commit of one index, and nothing else:

- **match** a query (the small algebra here, which the engine compiles a
  parsed query into) to document numbers and scores;
- **count facets** over a selection of documents, and narrow one by filters;
- **fetch** a document's stored record, by number or by id;
- and the term questions the engine's expansions, explanations and
  spelling need (document frequencies, prefixes, a lemma's forms).

Document numbers are the view's own, dense from 0; a selection is a boolean
array over them. The first backend is ``arrays_backend.ArraysBackend``
(Whoosh segments with the posting arrays beside them); a cluster backend
speaks the same protocol and keeps its own numbering per view.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Protocol

import numpy as np


# -- the query algebra a backend matches --------------------------------------------------
@dataclass(frozen=True)
class Term:
    """One term of one field (a lemma, an exact form, a facet value)."""

    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Terms of one field at consecutive positions."""

    field: str
    words: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class AnyOf:
    """At least one of the items; the scores of those that match add up."""

    items: tuple
    boost: float = 1.0


@dataclass(frozen=True)
class AllOf:
    """Every item; the scores add up."""

    items: tuple
    boost: float = 1.0


@dataclass(frozen=True)
class Without:
    """``base`` but not ``excluded``; scored as ``base``."""

    base: object
    excluded: object


@dataclass(frozen=True)
class Fallback:
    """``main``'s documents as it scores them, and below the lowest of them
    the documents only ``extra`` matches, all at ``weight`` times that score
    (so, in ties, newest first): an expansion (the documents where the
    entity a word names was found) that must not outrank the words typed."""

    main: object
    extra: object
    weight: float


@dataclass(frozen=True)
class Everything:
    """Every live document, unscored."""


@dataclass(frozen=True)
class Nothing:
    """No document."""


EVERYTHING, NOTHING = Everything(), Nothing()


def any_of(items: list, boost: float = 1.0):
    """``AnyOf`` of several items, the item itself if there is one, ``NOTHING`` if none."""
    if not items:
        return NOTHING
    if len(items) == 1 and boost == 1.0:
        return items[0]
    return AnyOf(tuple(items), boost)


# -- what the algebra means: how matched parts combine, in every backend -------------------
def combine(query, parts: list[tuple[np.ndarray, np.ndarray]], size: int) -> tuple[np.ndarray, np.ndarray]:
    """An ``AnyOf`` or ``AllOf`` from its items' (matched, scores): the
    items' masks OR'd or AND'd, and the scores of the items that match
    added up, as Whoosh scores them."""
    if not parts:
        return np.zeros(size, dtype=bool), np.zeros(size)
    masks = [m for m, _ in parts]
    mask = np.logical_or.reduce(masks) if isinstance(query, AnyOf) else np.logical_and.reduce(masks)
    scores = np.zeros(size)
    for m, s in parts:
        scores += np.where(m, s, 0.0)
    return mask, np.where(mask, scores, 0.0)


def fall_back(query: "Fallback", main: tuple[np.ndarray, np.ndarray],
              extra: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """A ``Fallback`` from its parts: ``main``'s documents as it scores them,
    the documents only ``extra`` matches below the lowest of them."""
    (main_mask, main_scores), (extra_mask, _) = main, extra
    floor = float(main_scores[main_mask].min()) if main_mask.any() else 1.0
    scores = np.where(main_mask, main_scores, 0.0)
    scores[extra_mask & ~main_mask] = query.weight * floor
    return main_mask | extra_mask, scores


def exclude(base: tuple[np.ndarray, np.ndarray], excluded: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """A ``Without`` from its parts: ``base``'s documents not in ``excluded``, scored as ``base``."""
    mask = base[0] & ~excluded[0]
    return mask, np.where(mask, base[1], 0.0)


# -- what a backend answers -----------------------------------------------------------------
class FacetColumnView(Protocol):
    """One facet's values over the whole view."""

    values: list[str]
    index_of: dict[str, int]
    totals: np.ndarray  # documents of each value


class IndexView(Protocol):
    """One commit of an index. Immutable: threads share it, and a search
    asks all of its questions of one view, so its answer is of one commit."""

    generation: int  # the commit's number
    doc_count: int  # document numbers run from 0 to doc_count - 1
    live: np.ndarray  # the numbers of documents not deleted
    sortdate: np.ndarray  # each document's date as a sortable integer (0: none)
    links: dict[str, str]  # officials' names the corpus completes -> the full name
    linked_from: dict[str, list[str]]  # the full name -> those names

    # matching and counting
    def match(self, query) -> tuple[np.ndarray, np.ndarray]:
        """(matched, scores) over all document numbers; deleted documents
        may be matched (the engine masks them with ``live``)."""

    def narrow(self, selection: np.ndarray, filters: dict[str, list[str]], skip: str | None = None) -> np.ndarray:
        """The selection with each facet's filter applied (values of one
        facet OR, facets AND), but not ``skip``'s."""

    def facet_counts(self, selection: np.ndarray, filters: dict[str, list[str]]) -> dict:
        """Per facet, each value's count (``facets.FacetCounts``), each
        counted with the other facets' filters applied but not its own."""

    def facet_column(self, name: str) -> FacetColumnView | None: ...

    # records
    def stored(self, docnum: int) -> dict:
        """A document's stored fields, its officials as the corpus links them."""

    def source_text(self, docnum: int, stored: dict) -> str: ...

    def docnum_of(self, doc_id: str) -> int | None: ...

    # terms
    def doc_frequency(self, field: str, text: str) -> int: ...

    def expand_prefix(self, field: str, prefix: str, limit: int | None = None) -> list[str]:
        """Every term of a field starting with ``prefix``, sorted (the first ``limit``)."""

    def has_prefix(self, field: str, prefix: str) -> bool:
        """Does any term of a field start with ``prefix``? (Spellings in the
        other script are found letter by letter, asking this at each.)"""

    def forms(self, lemma: str) -> list[str]:
        """The surface forms the index gave a lemma (perhaps some of deleted
        documents only: they occur nowhere and highlight nothing)."""

    def lemmas_of(self, form: str) -> list[str]:
        """The lemmas the index gave a surface form it holds (a word is
        lemmatized where it stands: capitalized, it may be a name's)."""

    def occurrences(self, field: str, text: str, selection: np.ndarray) -> int:
        """How many times a term occurs in the selected documents."""

    def vocabulary(self) -> list[str]:
        """Every surface form of the index, sorted (for spelling, unless the
        view finds candidates itself: ``spelling.spelling_index``)."""


class Backend(Protocol):
    """An index the engine searches: hands out the latest commit's view."""

    def view(self) -> IndexView:
        """The latest commit's view; raises ``IndexUnavailable`` with a
        message for the user when there is no readable index."""

    def close(self) -> None: ...


# -- what only some views can tell ------------------------------------------------------
def begin_search(view: IndexView) -> None:
    """Tells a cluster's view a search starts on this thread: what it keeps
    of the thread's last search is not this one's (``sphinx_backend``)."""
    begin = getattr(view, "begin_search", None)
    if begin is not None:
        begin()


def missing_shards(view: IndexView) -> list[str]:
    """The shards a cluster's view answered this thread's search without
    (``sphinx_backend``); an embedded index has none."""
    missing = getattr(view, "missing_shards", None)
    return missing() if missing is not None else []


@dataclass(frozen=True)
class PageRequest:
    """A whole search page, for a backend that answers one itself: the
    query, the filters as the facets hold them, the order ("relevance" or
    "date"; everything unscored is by date), and which results."""

    query: object
    filters: dict
    sort: str
    start: int
    count: int


@dataclass
class PageAnswer:
    """A page's hits as (document reference, score or None, stored
    record), the total, each facet's disjunctive counts
    (``facets.FacetCounts``), and the selection the search made, which
    ``occurrences`` accepts; a reference is what ``stored`` accepts."""

    hits: list
    total: int
    facet_counts: dict
    selection: object


def answer_page(view: IndexView, request: PageRequest) -> PageAnswer | None:
    """The page from a view that answers whole pages itself (a cluster's:
    one round trip instead of a question a document), or None: the engine
    asks the questions above instead (the embedded index answers those
    from arrays in memory as fast)."""
    answer = getattr(view, "answer_page", None)
    return answer(request) if answer is not None else None


def members(view: IndexView, query, refs: list) -> set:
    """The documents of ``refs`` (a page's) the query matches."""
    among = getattr(view, "members", None)
    if among is not None:
        return among(query, refs)
    matched = view.match(query)[0] & view.live
    return {ref for ref in refs if matched[ref]}


def has_match(view: IndexView, query, filters: dict[str, list[str]]) -> bool:
    """Does the query, with the filters, match a document?"""
    count = getattr(view, "count_matches", None)
    if count is not None:
        return count(query, filters) > 0
    return bool(view.narrow(view.match(query)[0] & view.live, filters).any())


def document_count(view: IndexView) -> int:
    """The documents of the view (a cluster's counts them without numbering them)."""
    documents = getattr(view, "documents", None)
    return int(documents) if documents is not None else int(view.live.sum())


class PerView:
    """Something derived from one view of the index, kept while searches ask
    that view: one slot any thread may fill again (compute-again, so no
    lock); a commit's new view replaces it, and the slot does not keep an
    old view alive."""

    def __init__(self, build) -> None:
        self._build = build
        self._slot: tuple[weakref.ref | None, object] = (None, None)

    def get(self, view):
        held, value = self._slot
        if held is not None and held() is view:
            return value
        value = self._build(view)
        self._slot = (weakref.ref(view), value)
        return value


class IndexUnavailable(RuntimeError):
    """The index directory is missing or unreadable; the message says what to do."""
