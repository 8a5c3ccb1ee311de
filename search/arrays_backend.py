"""The first backend: Whoosh segments with the posting arrays beside them.

``ArraysBackend`` opens the index folder and hands out one ``ArraysView``
per commit; a view matches the query algebra of ``backend.py`` with numpy
over whole posting arrays (``scoring.ArrayScorer``), counts facets over
value arrays (``facets.FacetIndex``), and reads stored records and raw
text from the Whoosh segments. Whoosh's own files are read by position
(``storage.py``), so every view is shared by threads without a lock.
"""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as wq

from index.analysis.lemmatizer import Lemmatizer
from index.entities.official_links import NOT_AN_OFFICIAL, facet_renames, load_links, relink_fields
from index.store.forms import FormsTable
from index.store.schema import unpack_text
from index.stories.files import load_stories

from . import backend as q
from .backend import IndexUnavailable
from .columns import hold_column_file, live_documents, numeric_column, text_column
from .facets import FacetIndex
from .ranking import DEFAULT
from .postings import FormFinder, PostingReader
from .scoring import ArrayScorer
from .storage import PositionalStorage

log = logging.getLogger(__name__)

GENERATION_ATTEMPTS = 3  # opening a commit that a merge replaces meanwhile fails; the next one opens


class ArraysView:
    """One commit: a searcher and everything derived from it. Read by many
    threads at once: everything here is built before the view is handed
    out, immutable, read by position (``storage.py``, the posting arrays),
    or a cache whose entries any thread may compute again."""

    def __init__(self, searcher, lemmatizer: Lemmatizer, index_dir: Path | None = None) -> None:
        self.searcher = searcher
        reader = searcher.reader()
        self.generation = reader.generation()
        self.doc_count = reader.doc_count_all()
        self.sortdate = numeric_column(reader, "sortdate", self.doc_count)
        self.live = live_documents(reader, self.doc_count)
        self.postings = PostingReader(searcher, index_dir)
        self.form_finder = FormFinder(self.postings, lemmatizer, FormsTable.load(index_dir))
        # officials' names the corpus completes, and each full name's names
        self.links = facet_renames(load_links(index_dir) or {}) if index_dir else {}
        self.linked_from: dict[str, list[str]] = {}
        for name, full in self.links.items():
            if full != NOT_AN_OFFICIAL:
                self.linked_from.setdefault(full, []).append(name)
        self.facets = FacetIndex(reader, self.live, self.postings, renamed={"official": self.links})
        self.stories = load_stories(index_dir)  # near-duplicates, collapsed above the seam (``collapse.py``)
        self._id_to_docnum: dict[str, int] | None = None  # read on the first lookup by id
        self.scorer = ArrayScorer(searcher, self.live, self.postings)
        self._open_lazy_files(reader)
        self._matched = threading.local()  # one search's query, matched once (see ``match``)
        self._vocabulary: list[str] | None = None

    def _open_lazy_files(self, reader) -> None:
        """Whoosh opens a segment's stored fields, raw text and field
        lengths on first use; an indexer's merge may delete them before
        that, while this view still serves. Opened now, they stay readable
        through their descriptors for as long as it lives. The files only:
        the column readers over them are made on first use (each makes its
        offsets in a Python loop over the segment, 60 ms a column at
        100,000 documents)."""
        self._source_text_columns = []  # (docnum offset, documents, leaf, its column reader once made)
        text_in_column = self.searcher.schema["source_text"].column_type is not None
        for leaf, offset in reader.leaf_readers():
            if leaf.doc_count_all() and not hold_column_file(leaf, "_stored"):
                leaf.stored_fields(0)
            has_text = text_in_column and leaf.has_column("source_text")
            if has_text:
                hold_column_file(leaf, "source_text")
            self._source_text_columns.append([offset, leaf.doc_count_all(), leaf if has_text else None, None])
        for name, field_type in self.searcher.schema.items():
            if field_type.scorable:
                self.scorer.lengths(name)

    # -- matching and counting ----------------------------------------------------------
    def match(self, query) -> tuple[np.ndarray, np.ndarray]:
        """The scorer's (matched, scores) for a query. A search asks for the
        same query twice (matching, then ranking), so each thread keeps its
        last one: a cache shared by threads handed one search another's."""
        last = getattr(self._matched, "last", None)
        if last is None or last[0] is not query:
            last = self._matched.last = (query, self.scorer.evaluate(query))
        return last[1]

    def narrow(self, selection: np.ndarray, filters: dict[str, list[str]], skip: str | None = None) -> np.ndarray:
        return self.facets.apply(selection, filters, skip)

    def facet_counts(self, selection: np.ndarray, filters: dict[str, list[str]]) -> dict:
        return self.facets.counts(selection, filters)

    def facet_column(self, name: str):
        return self.facets.columns.get(name)

    # -- records --------------------------------------------------------------------------
    def stored(self, docnum: int) -> dict:
        """A document's stored fields, its officials linked."""
        return relink_fields(self.searcher.stored_fields(docnum), self.links)

    def source_text(self, docnum: int, stored: dict) -> str:
        """A document's raw text: a column of its own, read from the
        document's segment (an index written before kept it in the stored
        fields)."""
        if self.searcher.schema["source_text"].column_type is None:
            return unpack_text(stored.get("source_text"))
        for entry in self._source_text_columns:
            offset, count, leaf, column = entry
            if docnum < offset + count:
                if leaf is None:
                    return ""
                if column is None:  # made on first use (its offsets are a Python loop over the segment)
                    column = entry[3] = leaf.column_reader("source_text")
                return unpack_text(column[docnum - offset])
        return ""

    def docnum_of(self, doc_id: str) -> int | None:
        return self.id_to_docnum.get(doc_id)

    @property
    def id_to_docnum(self) -> dict[str, int]:
        """A live document's number by its id, from the id column (not the
        stored text); built when first asked (a document's or a story's
        page), not on opening: 0.4 s at 100,000 documents. Two threads may
        both build it; either copy serves."""
        if self._id_to_docnum is None:
            ids = text_column(self.searcher.reader(), "id", self.doc_count)
            self._id_to_docnum = {ids[d]: d for d in np.flatnonzero(self.live).tolist()}
        return self._id_to_docnum

    # -- terms ----------------------------------------------------------------------------
    def doc_frequency(self, field: str, text: str) -> int:
        return self.postings.doc_frequency(field, text)

    def expand_prefix(self, field: str, prefix: str, limit: int | None = None) -> list[str]:
        return self.postings.expand_prefix(field, prefix)[:limit]

    def has_prefix(self, field: str, prefix: str) -> bool:
        return self.postings.has_prefix(field, prefix)

    def forms(self, lemma: str) -> list[str]:
        return self.form_finder.forms(lemma)

    def lemmas_of(self, form: str) -> list[str]:
        return self.form_finder.lemmas(form)

    def occurrences(self, field: str, text: str, selection: np.ndarray) -> int:
        return self.postings.occurrences(field, text, selection)

    def vocabulary(self) -> list[str]:
        """Every word form of the index, sorted; read on the first unknown
        word (0.4 s and ~30 MB at 100,000 documents), then kept."""
        if self._vocabulary is None:
            self._vocabulary = self.postings.expand_prefix("exact", "")
        return self._vocabulary


class ArraysBackend:
    """An index folder, opened once; a new view for each commit. Threads
    share the views; a commit makes a new one from fresh readers while the
    old one goes on serving the searches that hold it (Whoosh's ``refresh``
    would close the readers it does not reuse under them), and the old
    one's files close when the last of those searches lets go of it."""

    def __init__(self, index_dir: Path | str, lemmatizer: Lemmatizer) -> None:
        self.index_dir = Path(index_dir)
        self.lemmatizer = lemmatizer
        self._lock = threading.Lock()  # only to open or swap the view; reads take none
        self._ix = None
        self._view: ArraysView | None = None
        self._unreadable: tuple[int | None, float] = (None, 0.0)  # a commit that failed to open, and when to retry

    def view(self) -> ArraysView:
        view = self._view
        if view is not None:
            latest = self._latest_generation()
            if latest == view.generation or (latest == self._unreadable[0] and time.monotonic() < self._unreadable[1]):
                return view
            # A newer commit: one thread opens it (a second or more at real
            # size) while the others go on answering from the view they have.
            if not self._lock.acquire(blocking=False):
                return view
        else:
            self._lock.acquire()
        try:
            return self._open_or_keep()
        finally:
            self._lock.release()

    def _open_or_keep(self) -> ArraysView:
        """Under the lock: the latest commit's view; if it cannot be read,
        the view already open, or a message for the user when there is none."""
        failure: Exception | None = None
        for attempt in range(GENERATION_ATTEMPTS):
            try:
                return self._open_latest()
            except IndexUnavailable as exc:  # no index there now
                if self._view is None:
                    raise
                failure = exc
                break
            except Exception as exc:  # a damaged commit, or files a merge deleted as they were opened
                failure = exc
                time.sleep(0.02 * (attempt + 1))
        if self._view is not None:
            # the view already open is whole (its files stay open): it
            # serves, and the new commit is tried again in a second
            self._unreadable = (self._latest_generation(), time.monotonic() + 1.0)
            log.warning("the index's latest commit cannot be read (%s: %s); serving the previous one",
                        type(failure).__name__, failure)
            return self._view
        self._ix = None
        raise IndexUnavailable(
            f"the index at {self.index_dir} cannot be read ({type(failure).__name__}: {failure}); "
            f"rebuild it with: search-index [PATH ...] --index {self.index_dir}"
        ) from failure

    def _latest_generation(self) -> int | None:
        try:
            return self._ix.latest_generation() if self._ix is not None else None
        except Exception:  # the folder is being replaced or is gone
            return None

    def _open_latest(self) -> ArraysView:
        """Under the lock: the current view, or a new one if the index has a
        newer commit."""
        if self._ix is None:
            if not self.index_dir.is_dir() or not whoosh_index.exists_in(str(self.index_dir)):
                raise IndexUnavailable(
                    f"no index at {self.index_dir}; build one with: search-index [PATH ...] --index {self.index_dir}"
                )
            self._ix = PositionalStorage(str(self.index_dir)).open_index()
        if self._view is None or self._ix.latest_generation() != self._view.generation:
            self._view = ArraysView(self._ix.searcher(weighting=DEFAULT.weighting()), self.lemmatizer, self.index_dir)
        return self._view

    def close(self) -> None:
        """Forgets the open index; a search still running keeps its view,
        whose files close when it ends."""
        with self._lock:
            self._view = None
            self._ix = None


def to_whoosh(query):
    """The algebra as Whoosh's own query objects: what Whoosh would match
    (the tests compare the arrays' answers with Whoosh's)."""
    if isinstance(query, q.Term):
        return wq.Term(query.field, query.text, boost=query.boost)
    if isinstance(query, q.Phrase):
        return wq.Phrase(query.field, list(query.words), boost=query.boost)
    if isinstance(query, q.AnyOf):
        return wq.Or([to_whoosh(item) for item in query.items], boost=query.boost)
    if isinstance(query, q.AllOf):
        return wq.And([to_whoosh(item) for item in query.items], boost=query.boost)
    if isinstance(query, q.Without):
        return wq.AndNot(to_whoosh(query.base), to_whoosh(query.excluded))
    if isinstance(query, q.Fallback):  # Whoosh cannot rank a part below another: near enough
        return wq.Or([to_whoosh(query.main), to_whoosh(query.extra)])
    if isinstance(query, q.Everything):
        return wq.Every()
    return wq.NullQuery
