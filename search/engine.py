"""The read path: query -> ranked, highlighted hits with facet counts.

``SearchEngine`` orchestrates: it parses what the user typed, plans what
its words name and how they are spelled elsewhere (``expansion.py``),
compiles it to the query algebra of ``backend.py`` (``compile.py``), asks a
backend's view of one commit to match it, count facets and fetch records,
then ranks, pages, highlights and explains. ``search`` returns one plain
record (a dict) that the CLI, the JSON API and the web pages all render;
nothing is computed twice. The backend is ``arrays_backend.ArraysBackend``
unless another is given.
"""
from __future__ import annotations

import threading
from pathlib import Path

from index.analysis.lemmatizer import Lemmatizer
from index.config import data_lines
from index.entities.places import place_gazetteer
from index.store.schema import INFERRED_REGIONS_KEY

from . import highlight
from .arrays_backend import ArraysBackend
from .backend import (EVERYTHING, Backend, IndexUnavailable, IndexView, PerView, Without, begin_search, document_count,
                      has_match, missing_shards)
from .collapse import Stories
from .compile import Expansions, QueryCompiler
from .entities import MAX_CANDIDATES_SHOWN, EntityLexicon, People, Places
from .explain import explain
from .expansion import Plan, Planner
from .facets import DEFAULT_TOP, FACETS, facet_records, fold
from .glossary import Glossary
from .inferred import NamedRegions
from .official_info import OfficialInfo
from .paging import Via, matched_mask, page_of, rank, selection
from .query import Exact, Not, ParsedQuery, Phrase, Prefix, QueryParser, Word
from .ranking import DEFAULT, Reranker, query_lemmas
from .records import public_record, summary_of
from .request import BadRequest, SearchRequest
from .resolve import FacetValues
from .spelling import Speller, spelling_index
from .transliteration import Transliterator

# What callers import from here: the engine, its request and record, and its errors.
__all__ = ["SearchEngine", "make_engine", "SearchRequest", "BadRequest", "IndexUnavailable", "public_record", "summary_of"]

EXPORT_BATCH = 500


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
        self.planner = Planner(self.parser, self.lemmatizer, Transliterator())
        self._places: Places | None = None  # the knowledge files' places, read on the first search
        self._lexicons = PerView(self._lexicon_of)
        self._spelling = PerView(spelling_index)
        self._named_regions = PerView(lambda view: NamedRegions(view, self.district_of))
        self._stories = PerView(Stories)  # near-duplicates, one hit a story (``collapse.py``)
        self.ranking = DEFAULT  # what the ranking weighs besides BM25F (ranking.py)

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

    # -- what a view's words and values name -----------------------------------
    @property
    def places(self) -> Places:
        if self._places is None:
            self._places = Places(self.parser)  # the same for every thread: a second one may be built, then dropped
        return self._places

    def _lexicon_of(self, view: IndexView) -> EntityLexicon:
        return EntityLexicon(self.places, People(view.facet_column("official"), view.links), self.lemmatizer)

    def lexicon(self, view: IndexView) -> EntityLexicon:
        """The officials and places of a view, built with its first search."""
        return self._lexicons.get(view)

    def plan(self, parsed: ParsedQuery, view: IndexView, expansions: Expansions) -> Plan:
        acronyms = self.ranking.acronyms
        if not (expansions.transliterate or expansions.entities):
            return self.planner.readings(parsed.root, view, acronyms)
        return self.planner.plan(parsed, view, (lambda: self.lexicon(view)) if expansions.entities else None, acronyms)

    # -- compiling the parsed query to the backend's algebra -------------------
    def compile(self, node, expansions: Expansions | bool, view: IndexView, notes: list[str], plan: Plan | None = None):
        """A parsed query as the algebra a backend matches (``backend.py``),
        with the glossary's translations, the other script's spellings and
        the entities the plan found (as ``expansions`` allow; a bool: the
        glossary alone), the prefixes' words and the facet values as this
        view spells them. Without a plan, the words' readings alone."""
        if isinstance(expansions, bool):
            expansions = Expansions(expansions, False, False)
        if plan is None:
            plan = self.planner.readings(node, view, self.ranking.acronyms)
        return QueryCompiler(self, expansions, view, notes, plan).compile(node)

    def facets(self, view: IndexView, inferred: bool = True):
        """What filters and counts the facets (``narrow``, ``facet_counts``):
        the view, or, without inferred regions (``inferred=0``), its facets
        as the texts name regions (``inferred.py``)."""
        return view if inferred else self.named_regions(view)

    def named_regions(self, view: IndexView) -> NamedRegions:
        return self._named_regions.get(view)

    def facet_values_of(self, view: IndexView) -> FacetValues:
        """Typed facet values -> the facet's own, in this view."""
        return FacetValues(view, self.lexicon(view), self.planner)

    # -- searching -----------------------------------------------------------
    def parse(self, text: str) -> ParsedQuery:
        return self.parser.parse(text)

    def _query(self, parsed: ParsedQuery, expansions: Expansions | bool, view: IndexView,
               notes: list[str] | None = None, plan: Plan | None = None):
        """The backend's query for a parsed query; a query that only
        excludes ("NOT x") means everything except x."""
        query = self.compile(parsed.root, expansions, view, notes if notes is not None else [], plan)
        return Without(EVERYTHING, query) if isinstance(parsed.root, Not) else query

    def _prepare(self, request: SearchRequest, view: IndexView):
        """(parsed query, its plan, the backend's query, the filters as the
        facets hold them, notes for the user) for a request."""
        parsed = self.parse(request.q)
        expansions = Expansions.of(request)
        notes: list[str] = []
        plan = self.plan(parsed, view, expansions)
        query = self._query(parsed, expansions, view, notes, plan)
        filters = self._resolve_filters(request.filters, view, notes)
        return parsed, plan, query, filters, notes

    def _resolve_filters(self, typed: dict[str, list[str]], view: IndexView, notes: list[str]) -> dict[str, list[str]]:
        """Each filter value as the facet holds it (``resolve.py``); one that
        names none or several stays as typed, and so matches nothing, with
        a note that says why."""
        filters: dict[str, list[str]] = {}
        for name, values in typed.items():
            for value in values:
                column = view.facet_column(name)
                if name in ("year", "lang") or column is None or value in column.index_of:
                    resolved = value
                else:
                    resolved, note = self.facet_values_of(view).resolve(name, value)
                    if note:
                        notes.append(note)
                    resolved = resolved or value
                if resolved not in filters.get(name, []):
                    filters.setdefault(name, []).append(resolved)
        return filters

    def search(self, request: SearchRequest, facet_top: int = DEFAULT_TOP) -> dict:
        request.validate()
        view = self._view()
        begin_search(view)
        parsed, plan, query, filters, notes = self._prepare(request, view)
        expansions = Expansions.of(request)

        stories = self._stories.get(view)
        counted = self.facets(view, request.inferred)  # the view, or its facets without inferred regions
        answer = page_of(view, query, filters, request, browse=parsed.root is None, counted=counted,
                         stories=stories, rescore=self._rescorer(view, parsed, plan))
        total = answer.total
        spec = self._match_spec(parsed, expansions, view, plan)
        via = Via(self, view, parsed, expansions, plan, [ref for ref, _score, _stored in answer.hits])
        hits = [self._hit(ref, stored, spec, parsed, via, score, stories)
                for ref, score, stored in answer.hits]

        resolved = request.with_filters(filters)
        facets, facet_totals = facet_records(
            answer.facet_counts,
            filters,
            resolved.toggle_urls(),
            self.district_of,
            top=facet_top,
            parent_of=lambda place: place_gazetteer().parent_of(place),  # loaded on the first search
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
            "explain": self._explain(view, parsed, answer.selection, expansions, plan),
            "entities": self._entities(view, plan) if expansions.entities else [],
            "ignored": parsed.ignored + notes,
            "suggestion": None,
            "facets": facets,
            "facet_totals": facet_totals,
            "collapsed": request.collapse and bool(stories), "count": request.count,  # what ``total`` and the facets count
        }
        if total == 0 or self._has_unknown_word(view, parsed, plan):
            record["suggestion"] = self._suggest(view, request, parsed, plan, filters)
        missing = missing_shards(view)
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
        begin_search(view)
        parsed, plan, query, filters, _notes = self._prepare(request, view)
        browse = parsed.root is None
        _matched, selected = selection(view, query, filters, request, browse, self.facets(view, request.inferred),
                                       self._stories.get(view))
        return rank(view, query, selected, request.sort, browse, need=None,
                    rescore=self._rescorer(view, parsed, plan)), view

    def _summaries(self, view: IndexView, ranked: list[tuple[int, float | None]]) -> list[dict]:
        return [summary_of(view.stored(docnum), score) for docnum, score in ranked]

    def _rescorer(self, view: IndexView, parsed: ParsedQuery, plan: Plan | None = None):
        """What ``ranking.py`` multiplies BM25F scores by for this query
        (proximity, the lead), as a function of (docnums, scores); None
        when the ranking settings switch every rule off."""
        if not self.ranking.reranks:
            return None
        if plan is None:
            plan = self.planner.readings(parsed.root, view, self.ranking.acronyms)
        lemmas = query_lemmas(parsed, plan)
        reranker = Reranker(self.ranking)
        return lambda docnums, scores: reranker.adjust(view, lemmas, docnums, scores)

    def _match_spec(self, parsed: ParsedQuery, expansions: Expansions, view: IndexView, plan: Plan) -> highlight.MatchSpec:
        spec = highlight.MatchSpec()
        prefixes = []
        translate = expansions.translate
        for term in parsed.positive_terms():
            if isinstance(term, Word):
                spec.lemmas.update(plan.lemmas(term))
                spec.lemmas.update(plan.hyphen_parts.get(term, ()))
                if translate:
                    for alt in self.glossary.translations((term.lemma,)):
                        spec.lemmas.update(alt)
                other = plan.other_script.get(term)
                if expansions.transliterate and other:
                    spec.lemmas.update(other.lemmas)
                    spec.surfaces.update(other.forms)
            elif isinstance(term, Exact):
                spec.surfaces.add(term.surface)
            elif isinstance(term, Prefix):
                prefixes.append(term.prefix)
            elif isinstance(term, Phrase) and term.exact:
                spec.surfaces.update(term.surfaces)
            elif isinstance(term, Phrase):
                for lemmas in plan.phrase_lemmas(term):
                    spec.lemmas.update(lemmas)
                if translate:
                    for alt in self.glossary.translations(term.lemmas):
                        spec.lemmas.update(alt)
        spec.lemmas.update(plan.joined.values())
        spec.prefixes = tuple(prefixes)
        # lemma -> the surface forms the index holds for it (in the
        # view searched: one the indexer commits meanwhile may differ)
        for lemma in sorted(spec.lemmas):  # a form of two lemmas is the first's, in every process
            for form in view.forms(lemma):
                spec.surfaces.add(form)
                spec.lemma_of.setdefault(form, lemma)
        return spec

    def _used_glossary(self, parsed: ParsedQuery) -> bool:
        for term in parsed.positive_terms():
            key = (term.lemma,) if isinstance(term, Word) else term.lemmas if isinstance(term, Phrase) and not term.exact else None
            if key and self.glossary.translations(key):
                return True
        return False

    def _hit(self, ref, stored: dict, spec, parsed: ParsedQuery, via: Via, score, stories: Stories) -> dict:
        title, body = stored.get("title", ""), stored.get("body", "")
        title_spans = highlight.match_spans(title, spec)
        body_spans = highlight.with_mentions(highlight.match_spans(body, spec), stored.get("entity_spans"), via.entities)
        snippet_segments = highlight.snippets(body, body_spans)
        terms = parsed.positive_terms()
        label = via.of(ref, stored)
        if label is None:
            exact = terms and all(isinstance(t, (Exact, Prefix)) or (isinstance(t, Phrase) and t.exact) for t in terms)
            label = "exact" if exact else "lemma"
        return {
            **summary_of(stored, score),
            "title_html": highlight.to_html(highlight.segments(title, title_spans)),
            "snippets": [highlight.to_html(s) for s in snippet_segments],
            "snippet_segments": snippet_segments,
            "matched_via": label,
            **stories.about(stored.get("id", "")),  # "story", "similar" (its other copies), "translation"
        }

    def _explain(self, view: IndexView, parsed: ParsedQuery, selected, expansions: Expansions,
                 plan: Plan) -> list[dict]:
        """The forms of each query word found in the selected documents (``explain.py``)."""
        return explain(view, parsed, selected, expansions, plan, self.glossary)

    def _entities(self, view: IndexView, plan: Plan) -> list[dict]:
        """What the query's words name: the entity whose documents they
        also match, with the others it was chosen over; or, for a name
        that stands for several, which they are (and none is searched)."""

        def described(entity) -> dict:
            column = view.facet_column(entity.facet)
            i = column.index_of.get(entity.value) if column is not None else None
            return {"facet": entity.facet, "value": entity.value, "documents": int(column.totals[i]) if i is not None else 0}

        out = []
        for naming in plan.namings():
            others = sorted((described(e) for e in naming.candidates), key=lambda r: (-r["documents"], r["value"]))
            out.append({"words": naming.words, "entity": described(naming.entity) if naming.entity else None,
                        "candidates": others[:MAX_CANDIDATES_SHOWN], "candidates_total": len(others)})
        return out

    # -- did you mean --------------------------------------------------------
    def _has_unknown_word(self, view: IndexView, parsed: ParsedQuery, plan: Plan) -> bool:
        """Is a word of the query in no document, in any form, nor in its
        parts (a hyphenated word), nor a name the search knows?"""

        def known(lemma: str) -> bool:
            return bool(view.doc_frequency("body", lemma) or view.doc_frequency("title", lemma))

        named = {w for run in plan.runs for w in run} | set(plan.words) | set(plan.other_script)
        for term in parsed.positive_terms():
            if isinstance(term, Word) and not any(known(lemma) for lemma in plan.lemmas(term)) and term not in named:
                parts = plan.hyphen_parts.get(term)
                if not (parts and all(known(p) for p in parts)):
                    return True
        return False

    def _suggest(self, view: IndexView, request: SearchRequest, parsed: ParsedQuery, plan: Plan,
                 filters: dict[str, list[str]]) -> str | None:
        """A correction of the query's unknown words, if it finds something.
        A word that names a known person or place is not one to correct,
        whether or not the search expanded it."""
        everything = Expansions()
        if Expansions.of(request) != everything:
            plan = self.plan(parsed, view, everything)
        named = {w for run in plan.runs for w in run} | set(plan.words) | set(plan.other_script)
        speller = Speller(view, self.parser, lambda: self._spelling.get(view), self.lemmatizer,
                          is_name=lambda word: word in named,
                          is_name_form=lambda form: self.lexicon(view).names_form(form))
        corrected = speller.correct_query(parsed)
        if not corrected or corrected == request.q:
            return None
        corrected_parsed = self.parse(corrected)
        expansions = Expansions.of(request)
        query = self._query(corrected_parsed, expansions, view, plan=self.plan(corrected_parsed, view, expansions))
        if request.inferred:
            return corrected if has_match(view, query, filters) else None
        mask = self.facets(view, request.inferred).narrow(matched_mask(view, query), filters)
        return corrected if mask.any() else None

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
            "place_parent": place_gazetteer().parent_of(record["place"]) if record["place"] else "",
            "roles": roles,
            # regions from the officials named, not the text: [{"region", "from", "office", "start", "end"}]
            "inferred_regions": [{**item, "inferred": True} for item in inferred],
            "sector_evidence": stored.get("sector_evidence") or {},
            "entity_spans": [list(span) for span in stored.get("entity_spans") or []],
        }

    def highlight_document(self, doc: dict, q: str, translate: bool = True, transliterate: bool = True,
                           entities: bool = True) -> dict:
        """The title as segments with the query's matches, and the matches'
        (start, end) in the body (the mentions of the entities the query
        names among them)."""
        view = self._view()
        parsed = self.parse(q)
        expansions = Expansions(translate, transliterate, entities)
        plan = self.plan(parsed, view, expansions)
        spec = self._match_spec(parsed, expansions, view, plan)
        named = plan.entities() if entities else []
        body_spans = highlight.with_mentions(highlight.match_spans(doc["body"], spec), doc.get("entity_spans"), named)
        return {
            "title": highlight.segments(doc["title"], highlight.match_spans(doc["title"], spec)),
            "body_spans": [(s, e) for s, e, _ in body_spans],
        }

    def story(self, story_id: str) -> dict | None:
        """A story's copies (``collapse.Stories.listing``); None if there is no such story."""
        view = self._view()
        return self._stories.get(view).listing(view, story_id)

    def facet_values(self, name: str, prefix: str = "", limit: int = 20) -> list[dict]:
        """Facet values a word of which starts with ``prefix`` (case-, ё- and
        script-insensitive; a region's aliases and cities too), with their
        counts over the whole index."""
        if name not in FACETS:
            raise BadRequest(f"unknown facet {name!r}; facets are {', '.join(FACETS)}")
        view = self._view()
        return [{"value": v, "label": v, "count": c} for v, c in self.facet_values_of(view).matching(name, prefix)[:limit]]

    def official(self, name: str) -> dict:
        """An official's record (``official_info.py``): terms of office,
        documents a year, regions, sectors; or whom a name may stand for."""
        return OfficialInfo(self, self._view()).record(name)

    def suggest_terms(self, prefix: str, limit: int = 10) -> list[dict]:
        """Autocomplete: the officials, regions and sectors the text names
        or starts (most documents first: "Михаил Дегтярёв — official, 3
        documents"), then index words starting with it (most frequent first)."""
        folded = fold(prefix)
        if len(folded) < 2:
            return []
        view = self._view()
        values = self.facet_values_of(view)
        out, seen = [], set()
        for name in ("official", "region", "sector"):
            named, _note = values.resolve(name, prefix) if name != "sector" else (None, None)
            found = ([(named, values.documents(name, named))] if named else []) + values.matching(name, prefix)[:5]
            for value, count in found:
                if (name, value) not in seen and count:
                    seen.add((name, value))
                    out.append({"value": value, "kind": name, "count": count, "label": entity_label(value, name, count)})
        out.sort(key=lambda r: -r["count"])
        words = {text: view.doc_frequency("exact", text) for text in view.expand_prefix("exact", folded, 500)}
        out += [{"value": w, "kind": "word", "count": c, "label": w}
                for w, c in sorted(words.items(), key=lambda wc: (-wc[1], wc[0]))[:limit]]
        return out

    def stats(self) -> dict:
        view = self._view()
        return {"documents": document_count(view)}


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


def entity_label(value: str, kind: str, count: int) -> str:
    return f"{value} — {kind}, {count} document{'' if count == 1 else 's'}"
