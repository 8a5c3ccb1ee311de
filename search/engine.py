"""The read path: query -> ranked, highlighted hits with facet counts.

``SearchEngine`` orchestrates: it parses what the user typed, compiles it
to the query algebra of ``backend.py`` (with the glossary's translations,
the prefixes' words and the facet values as the index spells them), asks a
backend's view of one commit to match it, count facets and fetch records,
then ranks, pages, highlights and explains. ``search`` returns one plain
record (a dict) that the CLI, the JSON API and the web pages all render;
nothing is computed twice. The backend is ``arrays_backend.ArraysBackend``
unless another is given.
"""
from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from index.analysis.lemmatizer import Lemmatizer
from index.config import data_lines
from index.store.schema import INFERRED_REGIONS_KEY

from . import highlight
from .arrays_backend import ArraysBackend
from .backend import (EVERYTHING, NOTHING, AllOf, AnyOf, Backend, IndexUnavailable, IndexView, Term, Without,
                      any_of)
from .backend import Phrase as PhraseQuery
from .facets import DEFAULT_TOP, FACETS, facet_records, fold, value_matches
from .glossary import Glossary
from .query import And, Exact, FieldQuery, Not, Or, ParsedQuery, Phrase, Prefix, QueryParser, Word
from .records import public_record, summary_of
from .request import BadRequest, SearchRequest
from .spelling import Speller

# What callers import from here: the engine, its request and record, and its errors.
__all__ = ["SearchEngine", "make_engine", "SearchRequest", "BadRequest", "IndexUnavailable", "public_record", "summary_of"]

MAX_PREFIX_TERMS = 512
EXPORT_BATCH = 500
# A match in the other language through the glossary counts half as much as
# the word itself: a Russian query shows Russian articles first.
GLOSSARY_WEIGHT = 0.5


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


class SearchEngine:
    """Answers searches over one index; picks up a rebuilt or growing index
    without a restart. Safe to share across threads, which search in
    parallel: each request reads one immutable view of one commit, and no
    lock is held while it reads (tests/test_concurrency.py)."""

    def __init__(self, index_dir: Path | str, lemmatizer: Lemmatizer | None = None,
                 backend: Backend | None = None) -> None:
        self.index_dir = Path(index_dir)
        self.lemmatizer = lemmatizer or Lemmatizer()
        self.parser = QueryParser(self.lemmatizer)
        self.glossary = Glossary(self.parser)
        self.district_of = load_district_map()
        self.backend = backend or ArraysBackend(self.index_dir, self.lemmatizer)
        self._answered = threading.local()  # see ``take_answered_generation``

    # -- the index's views ---------------------------------------------------
    def _view(self) -> IndexView:
        """The latest commit's view; every public read asks once and answers
        from it alone (tests/test_concurrency.py)."""
        view = self.backend.view()
        self._answered.generation = view.generation
        return view

    def take_answered_generation(self) -> int | None:
        """The index generation (commit number) this thread's last answer
        came from, forgotten as it is read: the web app sends it with each
        response, so a client (and the load test) knows which commit
        answered."""
        generation = getattr(self._answered, "generation", None)
        self._answered.generation = None
        return generation

    def close(self) -> None:
        self.backend.close()

    # -- compiling the parsed query to the backend's algebra -------------------
    def compile(self, node, translate: bool, view: IndexView, notes: list[str]):
        """A parsed query as the algebra a backend matches (``backend.py``),
        with the glossary's translations, the prefixes' words and the facet
        values as this view spells them."""
        if node is None:
            return EVERYTHING
        if isinstance(node, And):
            parts = [self.compile(i, translate, view, notes) for i in node.items]
            positive = [p for p, i in zip(parts, node.items) if not isinstance(i, Not)]
            negative = [p for p, i in zip(parts, node.items) if isinstance(i, Not)]
            base = AllOf(tuple(positive)) if positive else EVERYTHING
            return Without(base, AnyOf(tuple(negative))) if negative else base
        if isinstance(node, Or):
            return AnyOf(tuple(self.compile(i, translate, view, notes) for i in node.items))
        if isinstance(node, Not):
            return self.compile(node.item, translate, view, notes)  # the caller subtracts it
        if isinstance(node, Word):
            alternatives = [_title_or_body(node.lemma)]
            if translate:
                alternatives += [self._lemma_query(t, GLOSSARY_WEIGHT) for t in self.glossary.translations((node.lemma,))]
            return any_of(alternatives)
        if isinstance(node, Exact):
            return Term("exact", node.surface)
        if isinstance(node, Prefix):
            return self._prefix(node, view, notes)
        if isinstance(node, Phrase):
            if node.exact:
                return PhraseQuery("exact", node.surfaces)
            alternatives = [self._lemma_query(node.lemmas)]
            if translate:
                alternatives += [self._lemma_query(t, GLOSSARY_WEIGHT) for t in self.glossary.translations(node.lemmas)]
            return any_of(alternatives)
        if isinstance(node, FieldQuery):
            return self._field(node, view, notes)
        return NOTHING

    @staticmethod
    def _lemma_query(lemmas: tuple[str, ...], weight: float = 1.0):
        if len(lemmas) == 1:
            return _title_or_body(lemmas[0], weight)
        return AnyOf((PhraseQuery("title", tuple(lemmas), weight), PhraseQuery("body", tuple(lemmas), weight)))

    def _prefix(self, node: Prefix, view: IndexView, notes: list[str]):
        terms = view.expand_prefix("exact", node.prefix)
        if len(terms) > MAX_PREFIX_TERMS:
            notes.append(f"{node.raw} matches more than {MAX_PREFIX_TERMS} words; only the first {MAX_PREFIX_TERMS} are searched")
            terms = terms[:MAX_PREFIX_TERMS]
        return AnyOf(tuple(Term("exact", t) for t in terms)) if terms else NOTHING

    def _field(self, node: FieldQuery, view: IndexView, notes: list[str]):
        if node.name == "title":
            inner = node.inner
            if isinstance(inner, Word):
                return Term("title", inner.lemma)
            if isinstance(inner, Phrase):
                return PhraseQuery("title", inner.lemmas)
            return NOTHING
        column = view.facet_column(node.name)
        value = self._resolve_facet_value(node.name, node.value, view)
        if column is None or value is None:
            notes.append(f"no {node.name} called {node.value!r}")
            return NOTHING
        if node.name == "official" and value in view.linked_from:
            # the documents that name the official only as the corpus completes it too
            return AnyOf(tuple(Term(node.name, name) for name in (value, *view.linked_from[value])))
        return Term(node.name, value)

    @staticmethod
    def _resolve_facet_value(name: str, typed: str, view: IndexView) -> str | None:
        """A typed facet value -> the canonical one (case-, ё-insensitive)."""
        column = view.facet_column(name)
        if column is None:
            return None
        if typed in column.index_of:
            return typed
        if name == "official" and view.links.get(typed) in column.index_of:
            return view.links[typed]  # a name the corpus completes, as its facet shows it
        folded = fold(typed)
        for value in column.values:
            if fold(value) == folded:
                return value
        return None

    # -- searching -----------------------------------------------------------
    def parse(self, text: str) -> ParsedQuery:
        return self.parser.parse(text)

    def _query(self, parsed: ParsedQuery, translate: bool, view: IndexView, notes: list[str] | None = None):
        """The backend's query for a parsed query; a query that only
        excludes ("NOT x") means everything except x."""
        query = self.compile(parsed.root, translate, view, notes if notes is not None else [])
        return Without(EVERYTHING, query) if isinstance(parsed.root, Not) else query

    def search(self, request: SearchRequest, facet_top: int = DEFAULT_TOP) -> dict:
        request.validate()
        view = self._view()
        _begin_search(view)
        parsed = self.parse(request.q)
        notes: list[str] = []
        query = self._query(parsed, request.translate, view, notes)
        filters = {name: values for name, values in request.filters.items() if values}

        matched = self._matched_mask(view, query)
        selected = self._named_regions_only(view, view.narrow(matched, filters), filters, request)
        total = int(selected.sum())
        start = (request.page - 1) * request.per_page
        order = self._rank(view, query, selected, request.sort, parsed.root is None, need=start + request.per_page)
        page_docnums = order[start:start + request.per_page]

        spec = self._match_spec(parsed, request.translate, view)
        lemma_only = None
        if request.translate and self._used_glossary(parsed):
            lemma_only = self._matched_mask(view, self._query(parsed, False, view))
        hits = [self._hit(view, int(d), spec, parsed, lemma_only, score) for d, score in page_docnums]

        facets, facet_totals = facet_records(
            view.facet_counts(matched, filters),
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
            "explain": self._explain(view, parsed, selected, request.translate),
            "ignored": parsed.ignored + notes,
            "suggestion": None,
            "facets": facets,
            "facet_totals": facet_totals,
        }
        if total == 0 or self._has_unknown_word(view, parsed):
            record["suggestion"] = self._suggest(view, request, parsed)
        missing = _missing_shards(view)
        if missing:
            # a cluster answered without some of its shards: say so, and which
            record["partial"] = True
            record["missing_shards"] = missing
        return record

    def export_rows(self, request: SearchRequest):
        """Every result of a request (not one page), in display order, as
        plain rows without snippets: for CSV export. A generator: the ranking
        is computed at once, the rows are read a batch at a time, so a large
        export neither holds every row in memory nor the engine for long."""
        ranked, view = self._export_ranking(request)  # now: a bad request fails here, not mid-stream

        def rows():
            for start in range(0, len(ranked), EXPORT_BATCH):
                yield from self._summaries(view, ranked[start:start + EXPORT_BATCH])

        return rows()

    def _export_ranking(self, request: SearchRequest):
        request.validate()
        view = self._view()
        _begin_search(view)
        parsed = self.parse(request.q)
        query = self._query(parsed, request.translate, view)
        filters = {name: values for name, values in request.filters.items() if values}
        selected = self._named_regions_only(view, view.narrow(self._matched_mask(view, query), filters), filters, request)
        return self._rank(view, query, selected, request.sort, parsed.root is None, need=None), view

    def _summaries(self, view: IndexView, ranked: list[tuple[int, float | None]]) -> list[dict]:
        return [summary_of(view.stored(docnum), score) for docnum, score in ranked]

    @staticmethod
    def _matched_mask(view: IndexView, query) -> np.ndarray:
        """Every matching live document, as a boolean array over docnums."""
        return view.match(query)[0] & view.live

    def _rank(self, view: IndexView, query, selected: np.ndarray, sort: str, browse: bool, need: int | None):
        """The first ``need`` (all if None) results as (docnum, score), in
        display order: BM25F score, ties by newer date; or newest first."""
        docnums = np.flatnonzero(selected)
        if not len(docnums):
            return []
        if sort == "date" or browse:
            order = docnums[np.lexsort((docnums, -view.sortdate[docnums]))]
            return [(int(d), None) for d in order[:need]]
        scores = view.match(query)[1][docnums]
        rounded = np.round(scores, 9)
        if need is not None and need < len(docnums) // 4:
            # only documents scoring at least the need-th best can be shown
            # (ties included), so only they are sorted by all three keys
            floor = np.partition(rounded, len(rounded) - need)[len(rounded) - need]
            contenders = np.flatnonzero(rounded >= floor)
            docnums, scores, rounded = docnums[contenders], scores[contenders], rounded[contenders]
        order = np.lexsort((docnums, -view.sortdate[docnums], -rounded))[:need]
        return [(int(docnums[i]), float(scores[i])) for i in order]

    def _match_spec(self, parsed: ParsedQuery, translate: bool, view: IndexView) -> highlight.MatchSpec:
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
        # view searched: one the indexer commits meanwhile may differ)
        for lemma in spec.lemmas:
            for form in view.forms(lemma):
                spec.surfaces.add(form)
                spec.lemma_of[form] = lemma
        return spec

    def _used_glossary(self, parsed: ParsedQuery) -> bool:
        for term in parsed.positive_terms():
            key = (term.lemma,) if isinstance(term, Word) else term.lemmas if isinstance(term, Phrase) and not term.exact else None
            if key and self.glossary.translations(key):
                return True
        return False

    def _hit(self, view: IndexView, docnum: int, spec, parsed: ParsedQuery, lemma_only, score) -> dict:
        stored = view.stored(docnum)
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

    def _explain(self, view: IndexView, parsed: ParsedQuery, selected: np.ndarray, translate: bool) -> list[dict]:
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
                forms = self._forms(view, lemma, selected)
                if via_glossary and not forms:
                    continue
                out.append({"word": term.raw, "lemma": lemma, "glossary": via_glossary,
                            "forms": [{"form": f, "count": c} for f, c in forms]})
        return out

    @staticmethod
    def _forms(view: IndexView, lemma: str, selected: np.ndarray) -> list[tuple[str, int]]:
        """Occurrences of each form of ``lemma`` in the selected documents."""
        counts = []
        for form in view.forms(lemma):
            count = view.occurrences("exact", form, selected)
            if count:
                counts.append((form, count))
        return sorted(counts, key=lambda fc: (-fc[1], fc[0]))

    # -- did you mean --------------------------------------------------------
    def _has_unknown_word(self, view: IndexView, parsed: ParsedQuery) -> bool:
        known = view.doc_frequency
        for term in parsed.positive_terms():
            if isinstance(term, Word) and not known("body", term.lemma) and not known("title", term.lemma):
                return True
        return False

    def _suggest(self, view: IndexView, request: SearchRequest, parsed: ParsedQuery) -> str | None:
        speller = Speller(view, self.parser, view.vocabulary)
        corrected = speller.correct_query(parsed)
        if not corrected or corrected == request.q:
            return None
        query = self._query(self.parse(corrected), request.translate, view)
        mask = view.narrow(self._matched_mask(view, query), request.filters)
        return corrected if mask.any() else None

    def _named_regions_only(self, view: IndexView, selected: np.ndarray, filters: dict[str, list[str]],
                            request: SearchRequest) -> np.ndarray:
        """With ``inferred=0``, the selection without the documents that a
        region filter selects only through a region inferred from an
        official they name (issue 30). Read from the stored fields of the
        selected documents, so it costs a stored-field read per document the
        region filter selects; the facet counts still count inferred
        regions."""
        regions = filters.get("region")
        if request.inferred or not regions or not selected.any():
            return selected
        out = selected.copy()
        for docnum in np.flatnonzero(selected):
            stored = view.stored(int(docnum))
            inferred = {item.get("region") for item in (stored.get("roles") or {}).get(INFERRED_REGIONS_KEY) or ()}
            if not inferred:
                continue
            named = {r for r in (stored.get("region") or "").split(",") if r and r not in inferred}
            if not named.intersection(regions):
                out[docnum] = False
        return out

    # -- documents and facet values --------------------------------------------
    def document(self, doc_id: str) -> dict | None:
        view = self._view()
        docnum = view.docnum_of(doc_id)
        if docnum is None:
            return None
        stored = dict(view.stored(docnum))
        record = summary_of(stored, None)
        del record["score"]
        roles = dict(stored.get("roles") or {})
        inferred = roles.pop(INFERRED_REGIONS_KEY, None) or []
        return {
            **record,
            "body": stored.get("body", ""),
            "source_text": view.source_text(docnum, stored),
            "author": stored.get("author"),
            "photo_credit": stored.get("photo_credit"),
            "url": stored.get("url"),
            "source": stored.get("source"),
            "path": stored.get("path"),
            "roles": roles,
            # regions from the officials named, not the text: [{"region", "from", "office", "start", "end"}]
            "inferred_regions": [{**item, "inferred": True} for item in inferred],
            "sector_evidence": stored.get("sector_evidence") or {},
            "entity_spans": [list(span) for span in stored.get("entity_spans") or []],
        }

    def highlight_document(self, doc: dict, q: str, translate: bool = True) -> dict:
        """The title as segments with the query's matches, and the matches'
        (start, end) in the body."""
        parsed = self.parse(q)
        spec = self._match_spec(parsed, translate, self._view())
        return {
            "title": highlight.segments(doc["title"], highlight.match_spans(doc["title"], spec)),
            "body_spans": [(s, e) for s, e, _ in highlight.match_spans(doc["body"], spec)],
        }

    def facet_values(self, name: str, prefix: str = "", limit: int = 20) -> list[dict]:
        """Facet values whose words start with ``prefix`` (case- and
        ё-insensitive), with their counts over the whole index."""
        if name not in FACETS:
            raise BadRequest(f"unknown facet {name!r}; facets are {', '.join(FACETS)}")
        return self._facet_values(self._view(), name, prefix, limit)

    @staticmethod
    def _facet_values(view: IndexView, name: str, prefix: str, limit: int) -> list[dict]:
        column = view.facet_column(name)
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
        folded = fold(prefix)
        if len(folded) < 2:
            return []
        view = self._view()
        words = {text: view.doc_frequency("exact", text) for text in view.expand_prefix("exact", folded)[:500]}
        out = [{"value": w, "kind": "word", "count": c} for w, c in sorted(words.items(), key=lambda wc: (-wc[1], wc[0]))[:limit]]
        for name in ("official", "region", "sector"):
            out += [{"value": r["value"], "kind": name, "count": r["count"]} for r in self._facet_values(view, name, prefix, 5)]
        return out

    def stats(self) -> dict:
        view = self._view()
        return {"documents": int(view.live.sum())}


def make_engine(index_dir: Path | str, backend: str | None = None, lemmatizer: Lemmatizer | None = None) -> SearchEngine:
    """The engine over the index folder, or over the cluster at ``backend``
    (``--backend``, else ``$PROMSEARCH_BACKEND``); a bad URL raises
    ``BadBackendUrl``."""
    from index.store.sphinx import backend_url

    url = backend_url(backend)
    if not url:
        return SearchEngine(index_dir, lemmatizer=lemmatizer)
    from .sphinx_backend import SphinxBackend

    return SearchEngine(index_dir, lemmatizer=lemmatizer, backend=SphinxBackend(url))


def _begin_search(view: IndexView) -> None:
    """Tells a cluster's view a search starts on this thread: what it keeps
    of the thread's last search is not this one's (``sphinx_backend``)."""
    begin = getattr(view, "begin_search", None)
    if begin is not None:
        begin()


def _missing_shards(view: IndexView) -> list[str]:
    """The shards a cluster's view answered this thread's search without
    (``sphinx_backend``); an embedded index has none."""
    missing = getattr(view, "missing_shards", None)
    return missing() if missing is not None else []


def _title_or_body(lemma: str, weight: float = 1.0):
    """A lemma in the title (weighted higher by the schema) or the body."""
    return AnyOf((Term("title", lemma, weight), Term("body", lemma, weight)))
