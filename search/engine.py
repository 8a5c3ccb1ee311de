"""The read path: query -> ranked, highlighted hits with facet counts.

``SearchEngine.search`` returns one plain record (a dict) that the CLI, the
JSON API and the web pages all render; nothing is computed twice.
"""
from __future__ import annotations

import functools
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.scoring import BM25F

from index.analysis.lemmatizer import Lemmatizer
from index.config import data_lines
from index.analysis.names import skeleton, transliterations
from index.store.forms import FormsTable
from index.entities.official_links import load_links, relink_fields
from index.store.schema import UNKNOWN_YEAR, unpack_text

from . import highlight
from .facets import DEFAULT_TOP, FACETS, FacetIndex, facet_records
from .glossary import Glossary
from .postings import FormFinder, PostingReader
from .scoring import ArrayScorer
from .query import And, Exact, FieldQuery, Not, Or, ParsedQuery, Phrase, Prefix, QueryParser, Word
from .spelling import Speller
from .storage import PositionalStorage

MAX_PER_PAGE = 100
MAX_PAGE = 1000
MAX_FILTER_VALUES = 50
MAX_PREFIX_TERMS = 512
SORTS = ("relevance", "date")
GENERATION_ATTEMPTS = 3  # opening a commit that a merge replaces meanwhile fails; the next one opens
EXPORT_BATCH = 500
# A match in the other language through the glossary counts half as much as
# the word itself: a Russian query shows Russian articles first.
GLOSSARY_WEIGHT = 0.5


log = logging.getLogger(__name__)


class IndexUnavailable(RuntimeError):
    """The index directory is missing or unreadable; the message says what to do."""


class BadRequest(ValueError):
    """A parameter out of range; the message is meant for the user."""


@dataclass
class SearchRequest:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    translate: bool = True

    def validate(self) -> "SearchRequest":
        if self.sort not in SORTS:
            raise BadRequest(f"sort must be one of {', '.join(SORTS)}")
        if not 1 <= self.page <= MAX_PAGE:
            raise BadRequest(f"page must be between 1 and {MAX_PAGE}")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise BadRequest(f"per_page must be between 1 and {MAX_PER_PAGE}")
        unknown = [name for name in self.filters if name not in FACETS]
        if unknown:
            raise BadRequest(f"unknown filter {unknown[0]!r}; filters are {', '.join(FACETS)}")
        if sum(len(v) for v in self.filters.values()) > MAX_FILTER_VALUES:
            raise BadRequest(f"at most {MAX_FILTER_VALUES} filter values")
        return self

    def params(self) -> list[tuple[str, str]]:
        """The request as URL parameters: the URL is the whole state."""
        out = [("q", self.q)] if self.q else []
        for name in FACETS:
            out += [(name, v) for v in self.filters.get(name, [])]
        if self.sort != "relevance":
            out.append(("sort", self.sort))
        if self.page != 1:
            out.append(("page", str(self.page)))
        if self.per_page != 10:
            out.append(("per_page", str(self.per_page)))
        if not self.translate:
            out.append(("translate", "0"))
        return out

    def toggled(self, name: str, value: str) -> "SearchRequest":
        """The same request with one facet value switched on or off (page 1)."""
        filters = {k: list(v) for k, v in self.filters.items()}
        values = filters.setdefault(name, [])
        if value in values:
            values.remove(value)
        else:
            values.append(value)
        return SearchRequest(self.q, {k: v for k, v in filters.items() if v}, self.sort, 1, self.per_page, self.translate)

    def query_string(self) -> str:
        return urlencode(self.params())

    def toggle_urls(self):
        """(name, value) -> the query string of ``toggled(name, value)``, with
        this request's own parameters encoded once: a page links every facet
        value it shows (measured: a third of a search's time when each link
        encoded the whole request again)."""
        chosen = {name: [(v, _param(name, v)) for v in self.filters.get(name, [])] for name in FACETS}
        head = [urlencode([("q", self.q)])] if self.q else []
        tail = [urlencode([(k, v)]) for k, v in self.params() if k in ("sort", "per_page", "translate")]

        def url(name: str, value: str) -> str:
            parts = list(head)
            for facet in FACETS:
                kept = [encoded for v, encoded in chosen[facet] if not (facet == name and v == value)]
                parts += kept
                if facet == name and len(kept) == len(chosen[facet]):
                    parts.append(_param(name, value))
            return "?" + "&".join(parts + tail)

        return url


@functools.lru_cache(maxsize=100_000)
def _param(name: str, value: str) -> str:
    """``name=value`` URL-encoded (cached: the same facet values are linked
    on every page)."""
    return urlencode([(name, value)])


def load_district_map() -> dict[str, str]:
    """Region -> federal district, from the regions knowledge file."""
    mapping = {}
    try:
        lines = data_lines("regions.tsv")
    except FileNotFoundError:
        return mapping
    for line in lines:
        cols = line.split("\t")
        if len(cols) >= 2:
            mapping[cols[0]] = cols[1]
    return mapping


class _Generation:
    """A searcher and everything derived from it, rebuilt when the index
    changes. Read by many threads at once: everything here is either built
    before the generation is published, immutable, read by position
    (``storage.py``, the posting arrays), or a cache whose entries any
    thread may compute again."""

    def __init__(self, searcher, lemmatizer: Lemmatizer, index_dir: Path | None = None) -> None:
        self.searcher = searcher
        reader = searcher.reader()
        self.generation = reader.generation()
        self.doc_count = reader.doc_count_all()
        self.sortdate = np.zeros(self.doc_count, dtype=np.int64)
        if self.doc_count:
            # iterated in order: reading a column by docnum costs twice as much
            self.sortdate = np.fromiter((v or 0 for v in reader.column_reader("sortdate")), dtype=np.int64, count=self.doc_count)
        self.live = np.ones(self.doc_count, dtype=bool)
        if reader.has_deletions():
            for d in range(self.doc_count):
                if reader.is_deleted(d):
                    self.live[d] = False
        self.postings = PostingReader(searcher, index_dir)
        self.forms = FormFinder(self.postings, lemmatizer, FormsTable.load(index_dir))
        # officials' names the corpus completes, and each full name's names
        self.links = {name: full for name, full in (load_links(index_dir) or {}).items() if full} if index_dir else {}
        self.linked_from: dict[str, list[str]] = {}
        for name, full in self.links.items():
            self.linked_from.setdefault(full, []).append(name)
        self.facets = FacetIndex(reader, self.live, self.postings, renamed={"official": self.links})
        # From the id column, not the stored text.
        ids = list(reader.column_reader("id")) if self.doc_count else []
        self.id_to_docnum = {ids[d]: d for d in np.flatnonzero(self.live).tolist()}
        self.scorer = ArrayScorer(searcher, self.live, self.postings)
        self._open_lazy_files(reader)
        self._evaluated = threading.local()  # one search's query, evaluated once (see ``evaluate``)
        self._vocabulary: list[str] | None = None

    def _open_lazy_files(self, reader) -> None:
        """Whoosh opens a segment's stored fields, raw text and field
        lengths on first use; an indexer's merge may delete them before
        that, while this generation still serves. Opened now, they stay
        readable through their descriptors for as long as it lives."""
        self._source_text_columns = []
        text_in_column = self.searcher.schema["source_text"].column_type is not None
        for leaf, offset in reader.leaf_readers():
            if leaf.doc_count_all():
                leaf.stored_fields(0)
            column = leaf.column_reader("source_text") if text_in_column and leaf.has_column("source_text") else None
            self._source_text_columns.append((offset, leaf.doc_count_all(), column))
        for name, field_type in self.searcher.schema.items():
            if field_type.scorable:
                self.scorer.lengths(name)

    def stored(self, docnum: int) -> dict:
        """A document's stored fields, its officials linked."""
        return relink_fields(self.searcher.stored_fields(docnum), self.links)

    def source_text(self, docnum: int, stored: dict) -> str:
        """A document's raw text: a column of its own, read from the
        document's segment (an index written before kept it in the stored
        fields)."""
        if self.searcher.schema["source_text"].column_type is None:
            return unpack_text(stored.get("source_text"))
        for offset, count, column in self._source_text_columns:
            if docnum < offset + count:
                return unpack_text(column[docnum - offset]) if column is not None else ""
        return ""

    def vocabulary(self) -> list[str]:
        """Every word form of the index, sorted; read on the first unknown
        word (0.4 s and ~30 MB at 100,000 documents), then kept."""
        if self._vocabulary is None:
            self._vocabulary = self.postings.expand_prefix("exact", "")
        return self._vocabulary

    def evaluate(self, query):
        """The scorer's (matched, scores) for a query. A search asks for the
        same query twice (matching, then ranking), so each thread keeps its
        last one: a cache shared by threads handed one search another's."""
        last = getattr(self._evaluated, "last", None)
        if last is None or last[0] is not query:
            last = self._evaluated.last = (query, self.scorer.evaluate(query))
        return last[1]


class SearchEngine:
    """Opens the index once and answers searches; picks up a rebuilt index
    without a restart. Safe to share across threads, which search in
    parallel: no lock is held while a search reads (tests/test_concurrency.py)."""

    def __init__(self, index_dir: Path | str, lemmatizer: Lemmatizer | None = None) -> None:
        self.index_dir = Path(index_dir)
        self.lemmatizer = lemmatizer or Lemmatizer()
        self.parser = QueryParser(self.lemmatizer)
        self.glossary = Glossary(self.parser)
        self.district_of = load_district_map()
        self._lock = threading.Lock()  # only to open or swap the generation; reads take none
        self._ix = None
        self._gen: _Generation | None = None
        self._unreadable: tuple[int | None, float] = (None, 0.0)  # a commit that failed to open, and when to retry
        self._answered = threading.local()  # see ``take_answered_generation``

    # -- index lifecycle ---------------------------------------------------
    def _generation(self) -> _Generation:
        """The generation of the index's latest commit. Threads share it; a
        commit makes a new one, built from fresh readers while the old one
        goes on serving the searches that hold it (Whoosh's ``refresh``
        would close the readers it does not reuse under them), and the old
        one's files close when the last of those searches lets go of it."""
        gen = self._gen
        if gen is not None:
            latest = self._latest_generation()
            if latest == gen.generation or (latest == self._unreadable[0] and time.monotonic() < self._unreadable[1]):
                self._answered.generation = gen.generation
                return gen
        gen = self._open_or_keep()
        self._answered.generation = gen.generation
        return gen

    def take_answered_generation(self) -> int | None:
        """The index generation (commit number) this thread's last answer
        came from, forgotten as it is read: the web app sends it with each
        response, so a client (and the load test) knows which commit
        answered."""
        generation = getattr(self._answered, "generation", None)
        self._answered.generation = None
        return generation

    def _open_or_keep(self) -> _Generation:
        with self._lock:
            failure: Exception | None = None
            for attempt in range(GENERATION_ATTEMPTS):
                try:
                    return self._open_latest()
                except IndexUnavailable as exc:  # no index there now
                    if self._gen is None:
                        raise
                    failure = exc
                    break
                except Exception as exc:  # a damaged commit, or files a merge deleted as they were opened
                    failure = exc
                    time.sleep(0.02 * (attempt + 1))
            if self._gen is not None:
                # the generation already open is whole (its files stay open):
                # it serves, and the new commit is tried again in a second
                self._unreadable = (self._latest_generation(), time.monotonic() + 1.0)
                log.warning("the index's latest commit cannot be read (%s: %s); serving the previous one",
                            type(failure).__name__, failure)
                return self._gen
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

    def _open_latest(self) -> _Generation:
        """Under the lock: the current generation, or a new one if the index
        has a newer commit."""
        if self._ix is None:
            if not self.index_dir.is_dir() or not whoosh_index.exists_in(str(self.index_dir)):
                raise IndexUnavailable(
                    f"no index at {self.index_dir}; build one with: search-index [PATH ...] --index {self.index_dir}"
                )
            self._ix = PositionalStorage(str(self.index_dir)).open_index()
        if self._gen is None or self._ix.latest_generation() != self._gen.generation:
            self._gen = _Generation(self._ix.searcher(weighting=BM25F()), self.lemmatizer, self.index_dir)
        return self._gen

    def close(self) -> None:
        """Forgets the open index; a search still running keeps its
        generation, whose files close when it ends."""
        with self._lock:
            self._gen = None
            self._ix = None

    # -- compiling the AST to Whoosh queries ---------------------------------
    def compile(self, node, translate: bool, gen: _Generation, notes: list[str]):
        if node is None:
            return wq.Every()
        if isinstance(node, And):
            parts = [self.compile(i, translate, gen, notes) for i in node.items]
            positive = [p for p, i in zip(parts, node.items) if not isinstance(i, Not)]
            negative = [p for p, i in zip(parts, node.items) if isinstance(i, Not)]
            base = wq.And(positive) if positive else wq.Every()
            return wq.AndNot(base, wq.Or(negative)) if negative else base
        if isinstance(node, Or):
            return wq.Or([self.compile(i, translate, gen, notes) for i in node.items])
        if isinstance(node, Not):
            return self.compile(node.item, translate, gen, notes)  # the caller subtracts it
        if isinstance(node, Word):
            alternatives = [_both("", node.lemma)]
            if translate:
                alternatives += [self._lemma_query(t, GLOSSARY_WEIGHT) for t in self.glossary.translations((node.lemma,))]
            return wq.Or(alternatives) if len(alternatives) > 1 else alternatives[0]
        if isinstance(node, Exact):
            return wq.Term("exact", node.surface)
        if isinstance(node, Prefix):
            return self._prefix(node, gen, notes)
        if isinstance(node, Phrase):
            if node.exact:
                return wq.Phrase("exact", list(node.surfaces))
            alternatives = [self._lemma_query(node.lemmas)]
            if translate:
                alternatives += [self._lemma_query(t, GLOSSARY_WEIGHT) for t in self.glossary.translations(node.lemmas)]
            return wq.Or(alternatives) if len(alternatives) > 1 else alternatives[0]
        if isinstance(node, FieldQuery):
            return self._field(node, gen, notes)
        return wq.NullQuery

    @staticmethod
    def _lemma_query(lemmas: tuple[str, ...], weight: float = 1.0):
        if len(lemmas) == 1:
            return _both("", lemmas[0], weight)
        return wq.Or([wq.Phrase("title", list(lemmas), boost=weight), wq.Phrase("body", list(lemmas), boost=weight)])

    def _prefix(self, node: Prefix, gen: _Generation, notes: list[str]):
        terms = gen.postings.expand_prefix("exact", node.prefix)
        if len(terms) > MAX_PREFIX_TERMS:
            notes.append(f"{node.raw} matches more than {MAX_PREFIX_TERMS} words; only the first {MAX_PREFIX_TERMS} are searched")
            terms = terms[:MAX_PREFIX_TERMS]
        if not terms:
            return wq.NullQuery
        return wq.Or([wq.Term("exact", t) for t in terms])

    def _field(self, node: FieldQuery, gen: _Generation, notes: list[str]):
        if node.name == "title":
            inner = node.inner
            if isinstance(inner, Word):
                return wq.Term("title", inner.lemma)
            if isinstance(inner, Phrase):
                return wq.Phrase("title", list(inner.lemmas))
            return wq.NullQuery
        column = gen.facets.columns.get(node.name)
        value = self._resolve_facet_value(node.name, node.value, gen)
        if column is None or value is None:
            notes.append(f"no {node.name} called {node.value!r}")
            return wq.NullQuery
        if node.name == "official" and value in gen.linked_from:
            # the documents that name the official only as the corpus completes it too
            return wq.Or([wq.Term(node.name, name) for name in (value, *gen.linked_from[value])])
        return wq.Term(node.name, value)

    @staticmethod
    def _resolve_facet_value(name: str, typed: str, gen: _Generation) -> str | None:
        """A typed facet value -> the canonical one (case-, ё-insensitive)."""
        column = gen.facets.columns.get(name)
        if column is None:
            return None
        if typed in column.index_of:
            return typed
        if name == "official" and gen.links.get(typed) in column.index_of:
            return gen.links[typed]  # a name the corpus completes, as its facet shows it
        folded = _fold(typed)
        for value in column.values:
            if _fold(value) == folded:
                return value
        return None

    # -- searching -----------------------------------------------------------
    def parse(self, text: str) -> ParsedQuery:
        return self.parser.parse(text)

    def _query(self, parsed: ParsedQuery, translate: bool, gen: _Generation, notes: list[str] | None = None):
        """The Whoosh query for a parsed query; a query that only excludes
        ("NOT x") means everything except x."""
        query = self.compile(parsed.root, translate, gen, notes if notes is not None else [])
        return wq.AndNot(wq.Every(), query) if isinstance(parsed.root, Not) else query

    def search(self, request: SearchRequest, facet_top: int = DEFAULT_TOP) -> dict:
        request.validate()
        gen = self._generation()
        parsed = self.parse(request.q)
        notes: list[str] = []
        query = self._query(parsed, request.translate, gen, notes)
        filters = {name: values for name, values in request.filters.items() if values}

        matched = self._matched_mask(gen, query)
        selected = gen.facets.apply(matched, filters)
        total = int(selected.sum())
        start = (request.page - 1) * request.per_page
        order = self._rank(gen, query, selected, request.sort, parsed.root is None, need=start + request.per_page)
        page_docnums = order[start:start + request.per_page]

        spec = self._match_spec(parsed, request.translate, gen)
        lemma_only = None
        if request.translate and self._used_glossary(parsed):
            lemma_only = self._matched_mask(gen, self._query(parsed, False, gen))
        hits = [self._hit(gen, int(d), spec, parsed, lemma_only, score) for d, score in page_docnums]

        facets, facet_totals = facet_records(
            gen.facets.counts(matched, filters),
            filters,
            request.toggle_urls(),
            self.district_of,
            top=facet_top,
        )
        record = {
            "query": request.q,
            "total": total,
            "page": request.page,
            "per_page": request.per_page,
            "pages": max(1, -(-total // request.per_page)),
            "sort": request.sort,
            "filters": filters,
            "hits": hits,
            "explain": self._explain(gen, parsed, selected, request.translate),
            "ignored": parsed.ignored + notes,
            "suggestion": None,
            "facets": facets,
            "facet_totals": facet_totals,
        }
        if total == 0 or self._has_unknown_word(gen, parsed):
            record["suggestion"] = self._suggest(gen, request, parsed)
        return record

    def export_rows(self, request: SearchRequest):
        """Every result of a request (not one page), in display order, as
        plain rows without snippets: for CSV export. A generator: the ranking
        is computed at once, the rows are read a batch at a time, so a large
        export neither holds every row in memory nor the engine for long."""
        ranked, gen = self._export_ranking(request)  # now: a bad request fails here, not mid-stream

        def rows():
            for start in range(0, len(ranked), EXPORT_BATCH):
                yield from self._summaries(gen, ranked[start:start + EXPORT_BATCH])

        return rows()

    def _export_ranking(self, request: SearchRequest):
        request.validate()
        gen = self._generation()
        parsed = self.parse(request.q)
        query = self._query(parsed, request.translate, gen)
        filters = {name: values for name, values in request.filters.items() if values}
        selected = gen.facets.apply(self._matched_mask(gen, query), filters)
        return self._rank(gen, query, selected, request.sort, parsed.root is None, need=None), gen

    def _summaries(self, gen: _Generation, ranked: list[tuple[int, float | None]]) -> list[dict]:
        return [summary_of(gen.stored(docnum), score) for docnum, score in ranked]

    @staticmethod
    def _matched_mask(gen: _Generation, query) -> np.ndarray:
        """Every matching live document, as a boolean array over docnums."""
        return gen.evaluate(query)[0] & gen.live

    def _rank(self, gen: _Generation, query, selected: np.ndarray, sort: str, browse: bool, need: int | None):
        """The first ``need`` (all if None) results as (docnum, score), in
        display order: BM25F score, ties by newer date; or newest first."""
        docnums = np.flatnonzero(selected)
        if not len(docnums):
            return []
        if sort == "date" or browse:
            order = docnums[np.lexsort((docnums, -gen.sortdate[docnums]))]
            return [(int(d), None) for d in order[:need]]
        scores = gen.evaluate(query)[1][docnums]
        rounded = np.round(scores, 9)
        if need is not None and need < len(docnums) // 4:
            # only documents scoring at least the need-th best can be shown
            # (ties included), so only they are sorted by all three keys
            floor = np.partition(rounded, len(rounded) - need)[len(rounded) - need]
            contenders = np.flatnonzero(rounded >= floor)
            docnums, scores, rounded = docnums[contenders], scores[contenders], rounded[contenders]
        order = np.lexsort((docnums, -gen.sortdate[docnums], -rounded))[:need]
        return [(int(docnums[i]), float(scores[i])) for i in order]

    def _match_spec(self, parsed: ParsedQuery, translate: bool, gen: _Generation) -> highlight.MatchSpec:
        spec = highlight.MatchSpec()
        prefixes = []
        for term in parsed.positive_terms():
            if isinstance(term, Word):
                spec.lemmas.add(term.lemma)
                if translate:
                    for alt in self.glossary.translations((term.lemma,)):
                        spec.lemmas.update(alt)
            elif isinstance(term, Exact):
                spec.surfaces.add(term.surface)
            elif isinstance(term, Prefix):
                prefixes.append(term.prefix)
            elif isinstance(term, Phrase):
                (spec.surfaces if term.exact else spec.lemmas).update(term.surfaces if term.exact else term.lemmas)
                if translate and not term.exact:
                    for alt in self.glossary.translations(term.lemmas):
                        spec.lemmas.update(alt)
        spec.prefixes = tuple(prefixes)
        # lemma -> the surface forms the index holds for it (in the
        # generation searched: one the indexer commits meanwhile may differ)
        forms = gen.forms
        for lemma in spec.lemmas:
            for form in forms.forms(lemma):
                spec.surfaces.add(form)
                spec.lemma_of[form] = lemma
        return spec

    def _used_glossary(self, parsed: ParsedQuery) -> bool:
        for term in parsed.positive_terms():
            key = (term.lemma,) if isinstance(term, Word) else term.lemmas if isinstance(term, Phrase) and not term.exact else None
            if key and self.glossary.translations(key):
                return True
        return False

    def _hit(self, gen: _Generation, docnum: int, spec, parsed: ParsedQuery, lemma_only, score) -> dict:
        stored = gen.stored(docnum)
        title, body = stored.get("title", ""), stored.get("body", "")
        title_spans = highlight.match_spans(title, spec)
        body_spans = highlight.match_spans(body, spec)
        snippet_segments = highlight.snippets(body, body_spans)
        terms = parsed.positive_terms()
        if lemma_only is not None and not lemma_only[docnum]:
            via = "glossary"
        elif terms and all(isinstance(t, (Exact, Prefix)) or (isinstance(t, Phrase) and t.exact) for t in terms):
            via = "exact"
        else:
            via = "lemma"
        return {
            **summary_of(stored, score),
            "title_html": highlight.to_html(highlight.segments(title, title_spans)),
            "snippets": [highlight.to_html(s) for s in snippet_segments],
            "snippet_segments": snippet_segments,
            "matched_via": via,
        }

    def _explain(self, gen: _Generation, parsed: ParsedQuery, selected: np.ndarray, translate: bool) -> list[dict]:
        """Each query word, its lemma, and the forms of it found in the result
        set with their counts (occurrences), most frequent first."""
        out = []
        seen = set()
        for term in parsed.positive_terms():
            if isinstance(term, Word):
                lemmas = [(term.lemma, False)]
                if translate:
                    lemmas += [(alt[0], True) for alt in self.glossary.translations((term.lemma,)) if len(alt) == 1]
            elif isinstance(term, Phrase) and not term.exact:
                lemmas = [(lemma, False) for lemma in term.lemmas]
            else:
                continue
            for lemma, via_glossary in lemmas:
                if (term.raw, lemma) in seen:
                    continue
                seen.add((term.raw, lemma))
                forms = self._forms(gen, lemma, selected)
                if via_glossary and not forms:
                    continue
                out.append({"word": term.raw, "lemma": lemma, "glossary": via_glossary,
                            "forms": [{"form": f, "count": c} for f, c in forms]})
        return out

    @staticmethod
    def _forms(gen: _Generation, lemma: str, selected: np.ndarray) -> list[tuple[str, int]]:
        """Occurrences of each form of ``lemma`` in the selected documents."""
        counts = []
        for form in gen.forms.forms(lemma):
            ids, weights = gen.postings.postings("exact", form, want_weights=True)
            count = int(weights[selected[ids]].sum()) if len(ids) else 0
            if count:
                counts.append((form, count))
        return sorted(counts, key=lambda fc: (-fc[1], fc[0]))

    # -- did you mean --------------------------------------------------------
    def _has_unknown_word(self, gen: _Generation, parsed: ParsedQuery) -> bool:
        known = gen.postings.doc_frequency
        for term in parsed.positive_terms():
            if isinstance(term, Word) and not known("body", term.lemma) and not known("title", term.lemma):
                return True
        return False

    def _suggest(self, gen: _Generation, request: SearchRequest, parsed: ParsedQuery) -> str | None:
        speller = Speller(gen.postings, self.parser, gen.vocabulary)
        corrected = speller.correct_query(parsed)
        if not corrected or corrected == request.q:
            return None
        query = self._query(self.parse(corrected), request.translate, gen)
        mask = gen.facets.apply(self._matched_mask(gen, query), request.filters)
        return corrected if mask.any() else None

    # -- documents and facet values --------------------------------------------
    def document(self, doc_id: str) -> dict | None:
        gen = self._generation()
        docnum = gen.id_to_docnum.get(doc_id)
        if docnum is None:
            return None
        stored = dict(gen.stored(docnum))
        record = summary_of(stored, None)
        del record["score"]
        return {
            **record,
            "body": stored.get("body", ""),
            "source_text": gen.source_text(docnum, stored),
            "author": stored.get("author"),
            "photo_credit": stored.get("photo_credit"),
            "url": stored.get("url"),
            "source": stored.get("source"),
            "path": stored.get("path"),
            "roles": stored.get("roles") or {},
            "sector_evidence": stored.get("sector_evidence") or {},
            "entity_spans": [list(span) for span in stored.get("entity_spans") or []],
        }

    def highlight_document(self, doc: dict, q: str, translate: bool = True) -> dict:
        """The title as segments with the query's matches, and the matches'
        (start, end) in the body."""
        parsed = self.parse(q)
        spec = self._match_spec(parsed, translate, self._generation())
        return {
            "title": highlight.segments(doc["title"], highlight.match_spans(doc["title"], spec)),
            "body_spans": [(s, e) for s, e, _ in highlight.match_spans(doc["body"], spec)],
        }

    def facet_values(self, name: str, prefix: str = "", limit: int = 20) -> list[dict]:
        """Facet values whose words start with ``prefix`` (case- and
        ё-insensitive), with their counts over the whole index."""
        if name not in FACETS:
            raise BadRequest(f"unknown facet {name!r}; facets are {', '.join(FACETS)}")
        return self._facet_values(self._generation(), name, prefix, limit)

    @staticmethod
    def _facet_values(gen: _Generation, name: str, prefix: str, limit: int) -> list[dict]:
        column = gen.facets.columns[name]
        counts = column.totals
        out = []
        for i, value in enumerate(column.values):
            if value_matches(value, prefix):
                out.append({"value": value, "label": value, "count": int(counts[i])})
        out.sort(key=lambda r: (-r["count"], r["value"]))
        return out[:limit]

    def suggest_terms(self, prefix: str, limit: int = 10) -> list[dict]:
        """Autocomplete: index words starting with ``prefix`` (most frequent
        first), then entity names (officials, regions, sectors)."""
        folded = _fold(prefix)
        if len(folded) < 2:
            return []
        gen = self._generation()
        words = {text: gen.postings.doc_frequency("exact", text) for text in gen.postings.expand_prefix("exact", folded)[:500]}
        out = [{"value": w, "kind": "word", "count": c} for w, c in sorted(words.items(), key=lambda wc: (-wc[1], wc[0]))[:limit]]
        for name in ("official", "region", "sector"):
            out += [{"value": r["value"], "kind": name, "count": r["count"]} for r in self._facet_values(gen, name, prefix, 5)]
        return out

    def stats(self) -> dict:
        gen = self._generation()
        return {"documents": int(gen.live.sum())}


def summary_of(stored: dict, score: float | None) -> dict:
    """A document's stored fields as the plain record every result shares."""
    year = stored.get("year")
    return {
        "id": stored["id"],
        "title": stored.get("title", ""),
        "date": stored.get("date") or None,
        "year": int(year) if year and year != UNKNOWN_YEAR else None,
        "lang": stored.get("lang"),
        "score": round(score, 4) if score is not None else None,
        "officials": _split(stored.get("official")),
        "regions": _split(stored.get("region")),
        "districts": _split(stored.get("district")),
        "sectors": _split(stored.get("sector")),
    }


def public_record(record: dict) -> dict:
    """The search record without render-only internals: what ``search-cli
    --format json`` prints and ``/api/search`` serves."""
    out = dict(record)
    out["hits"] = [{k: v for k, v in hit.items() if k != "snippet_segments"} for hit in record["hits"]]
    return out


def _both(suffix: str, text: str, weight: float = 1.0):
    """A term in the title (weighted higher by the schema) or the body."""
    return wq.Or([wq.Term("title" + suffix, text, boost=weight), wq.Term("body" + suffix, text, boost=weight)])


def _split(value) -> list[str]:
    return [v for v in (value or "").split(",") if v]


def value_matches(value: str, prefix: str) -> bool:
    """Does any word of a facet value start with ``prefix``, ignoring case, ё
    and the script ('degt' and 'дегт' both find 'Михаил Дегтярёв')?"""
    folded = _fold(prefix)
    if not folded:
        return True
    words = _fold(value).split()
    if _fold(value).startswith(folded) or any(w.startswith(folded) for w in words):
        return True
    if folded.isascii():
        key = skeleton(folded)
        return bool(key) and any(variant.startswith(key) for variant in latin_variants(value))
    return False


@functools.lru_cache(maxsize=100_000)
def latin_variants(value: str) -> frozenset[str]:
    """Every word of a value in every transliteration (cached: a facet has
    thousands of values and a filter box asks on each key press)."""
    return frozenset(variant for word in value.split() for variant in transliterations(word))


def _fold(text: str) -> str:
    return text.lower().replace("ё", "е").strip()

