"""The second backend: a sharded Sphinx/Manticore cluster, through SphinxQL.

``SphinxBackend`` talks to the node that holds the distributed index (the
URL's), and hands out one ``SphinxView`` per commit of the cluster (the
counter the indexer bumps in the meta index after each batch it writes).

A view answers a search's page itself (``sphinx_pages``: hits, total and
disjunctive facet counts in one round trip; the query as one ``MATCH()``,
``sphinx_compile``). When it is made it reads the document count, each
facet's values and their documents (``GROUP BY``); the vocabulary (the
``NAME_vocab`` index: exact forms, each lemma's forms) is asked per search
(``sphinx_vocabulary``), so a view opens as fast at any size. The seam's
dense questions still work, for what asks them (the CSV export, the
``inferred=0`` region filter): the first of them numbers the documents by
cluster id (one full scan, kept for the view). Then:

- ``match`` compiles the query algebra to one ``MATCH()`` expression over
  the lemma fields (title, body), the exact forms (exact) and the facet
  values (facets, as words), and reads every matching id and weight; the
  parts the engine's syntax cannot say (everything; everything but X) are
  combined here from the parts it can;
- ``narrow`` and ``facet_counts`` filter and count over the values read
  when the numbering was made, or, over a query this thread matched, by
  the cluster's ``GROUP BY``;
- records are read by id (``stored_json``, the raw text, from the records
  index beside each shard, ``sphinx.RECORDS_SCHEMA``); a document found
  by id (``docnum_of``) is referred to by its cluster id, negated.

A node that does not answer: the distributed index answers from the other
shards with a warning naming the agent; the view notes which shard it was
and the engine marks its answer ``partial``. The node with the distributed
index itself not answering is ``ClusterDown`` (an ``IndexUnavailable``).
"""
from __future__ import annotations

import base64
import functools
import json
import logging
import re
import threading
import time
from dataclasses import dataclass

import numpy as np

from index.entities.official_links import NOT_AN_OFFICIAL, relink_fields
from index.stories.files import parse_stories
from index.store import cluster_facets
from index.store import sphinx as sx
from index.store.schema import unpack_text

from . import backend as q
from . import sphinx_pages
from .backend import IndexUnavailable
from .facets import FACETS, FacetColumn, FacetCounts, FacetIndex
from .sphinx_compile import _boosted, _common_boost, compile_match, simplify
from .sphinx_vocabulary import ClusterVocabulary

log = logging.getLogger(__name__)

SPARE_MATCHES = 10_000  # documents written since the view was made may match too; they are left out
INCOMPLETE_VIEW_RETRY_S = 5.0
RECENT_MATCHES = 4  # a search matches its query, maybe the glossary-free one, and a suggestion's
EVERY = object()  # the expression of "every document": no MATCH() at all
MISSING_RECORD = {"id": "", "title": "", "body": ""}
_AGENT = re.compile(r"agent ([^\s:]+):(\d+)")


class ClusterDown(IndexUnavailable):
    """The node with the distributed index does not answer (or errs)."""


class Cluster:
    """Connections to the URL's node, one a thread (a PyMySQL connection is
    not shared by threads), and the meta index's description of the shards."""

    def __init__(self, url: sx.ClusterUrl) -> None:
        self.url = url
        self._local = threading.local()

    def connection(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = self._local.conn = sx.connect(self.url.host, self.url.port)
            except sx.ClusterUnavailable as exc:
                raise ClusterDown(str(exc)) from exc
        return conn

    def query(self, sql: str, args=None) -> tuple[list[tuple], list[str]]:
        """(rows, warnings): the warnings name agents that did not answer."""
        import pymysql

        for attempt in (0, 1):
            conn = self.connection()
            try:
                with conn.cursor() as cur:
                    cur.execute(sql, args)
                    rows = list(cur.fetchall())
                    cur.execute("SHOW META")
                    warnings = [value for key, value in cur.fetchall() if key == "warning"]
                return rows, warnings
            except pymysql.err.OperationalError as exc:  # the connection broke: one new try
                self.drop()
                if attempt:
                    raise ClusterDown(f"the search cluster at {self.url.host}:{self.url.port} "
                                      f"stopped answering ({exc.args[-1]})") from exc
            except pymysql.err.MySQLError as exc:
                raise ClusterDown(f"the search cluster at {self.url} answered with an error: {exc.args[-1]}") from exc
        raise AssertionError("unreachable")

    def query_batch(self, statements: list[str]) -> tuple[list[list[tuple]], list[str]]:
        """Several statements in one round trip (one for each
        ``STATEMENTS_A_BATCH``): (each one's rows, warnings)."""
        import pymysql

        conn = self.connection()
        out, warnings = [], []
        for part in sx.batches(statements):
            try:
                with conn.cursor() as cur:
                    cur.execute(";\n".join([*part, "SHOW META"]))
                    results = [list(cur.fetchall())]
                    while cur.nextset():
                        results.append(list(cur.fetchall()))
            except pymysql.err.MySQLError as exc:
                self.drop()
                raise ClusterDown(f"the search cluster at {self.url} failed a query: {exc.args[-1]}") from exc
            warnings += [value for key, value in results.pop() if key == "warning"]
            out += results
        return out, warnings

    def drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            try:
                conn.close()
            except Exception:
                pass

    def meta(self) -> dict[str, str]:
        rows, _ = self.query(f"SELECT kind, value FROM {self.url.meta} LIMIT 0,1000")
        return sx.meta_values(rows)


def read_generation(cluster: Cluster) -> int:
    """The commit counter alone (the meta index also holds the links, the
    names and the facet values: megabytes at 100,000 documents)."""
    try:
        rows, _ = cluster.query(f"SELECT value FROM {cluster.url.meta} WHERE id = {sx.META_IDS['generation']}")
    except ClusterDown:
        return int(read_meta(cluster).get("generation") or 0)  # says what is wrong
    return int(rows[0][0] or 0) if rows else 0


def read_meta(cluster: Cluster) -> dict[str, str]:
    try:
        return cluster.meta()
    except ClusterDown as exc:
        if "no such index" in str(exc) or "unknown local index" in str(exc):
            raise ClusterDown(f"{cluster.url} is not a Promsearch cluster (no index {cluster.url.meta}); "
                              "start one with: search-cluster up --nodes N --dir DIR") from exc
        raise


class SphinxView:
    """One commit of the cluster, numbered densely by cluster id. Shared by
    threads: built before it is handed out; each thread queries on its own
    connection and notes the shards that did not answer it."""

    def __init__(self, cluster: Cluster, generation: int, meta: dict[str, str]) -> None:
        self.cluster = cluster
        self.name = cluster.url.name
        self.generation = generation
        self.shards = json.loads(meta.get("shards", "[]"))
        self._agent_shard = {f"{s['host']}:{s['api_port']}": s["name"] for s in self.shards}
        self._missing = threading.local()
        self.links = {name: full for name, full in json.loads(meta.get("links") or "{}").items() if full}
        self.linked_from: dict[str, list[str]] = {}
        for name, full in self.links.items():
            if full != NOT_AN_OFFICIAL:  # a name nothing vouches for: left out of the facet, as on the embedded index
                self.linked_from.setdefault(full, []).append(name)
        # a merged name's excess values (``sx.excess_id``): a form past the first, up to all its forms
        self.excess_of = {sx.excess_id(full, extra): full for full, names in self.linked_from.items()
                          for extra in range(1, len(names) + 1)}
        # what a search page needs, without numbering the documents (``sphinx_pages``)
        self.documents, averages, self.columns, self._value_of = sphinx_pages.read_values(
            self, cluster_facets.decode(meta.get(cluster_facets.META_KIND)))
        self.ranker, self.page_ranker = sx.ranker(averages), sx.ranker(averages, facets_weigh=False)
        self._recent = threading.local()  # each thread's last matches (``match``)
        self.vocabulary_index = ClusterVocabulary(self.name, cluster)  # asked per search
        # the stories of an embedded index copied here (``cluster_from_index``), collapsed above the seam
        self.stories = parse_stories(meta.get("stories"))
        # made while a shard did not answer: its documents are not numbered
        # here, so the backend makes a new view once it answers again
        self.missing_when_made = sorted(self._missing_now())
        self.made_at = time.monotonic()

    # -- the dense numbering, made only when a question of the dense path asks ------------------
    @functools.cached_property
    def _numbering(self) -> "_Numbering":
        """Every document's cluster id and date, read once (one full scan:
        what the page path does without)."""
        limit = self.documents + SPARE_MATCHES
        rows = self._rows(f"SELECT id, sortdate FROM {self.name} "
                          f"ORDER BY id ASC LIMIT 0,{limit} OPTION max_matches={limit}")
        keys = np.array([r[0] for r in rows], dtype=np.int64)
        return _Numbering(keys, np.array([r[1] for r in rows], dtype=np.int64), limit)

    @functools.cached_property
    def _facet_index(self) -> FacetIndex:
        """Every numbered document's facet values (one more scan, only for
        what counts facets on the dense path: the stories need only numbers)."""
        rows = self._rows(f"SELECT id, facets_json FROM {self.name} "
                          f"ORDER BY id ASC LIMIT 0,{self._limit} OPTION max_matches={self._limit}")
        per_doc: list[dict] = [{} for _ in range(self.doc_count)]
        at, known = self._docnums(np.array([r[0] for r in rows], dtype=np.int64))
        for row, docnum, has in zip(rows, at.tolist(), known.tolist()):
            if has:  # a document written since the numbering is left out, as from the numbers
                per_doc[docnum] = json.loads(row[1] or "{}")
        return FacetIndex.of_columns(self._facet_columns(per_doc, self.doc_count), self.doc_count)

    keys = property(lambda self: self._numbering.keys)
    sortdate = property(lambda self: self._numbering.sortdate)
    facets = property(lambda self: self._facet_index)
    doc_count = property(lambda self: len(self._numbering.keys))
    live = property(lambda self: np.ones(len(self._numbering.keys), dtype=bool))
    _limit = property(lambda self: self._numbering.limit)

    def _key_of(self, docnum: int) -> int:
        """A document's cluster id, from a dense number or a page's reference."""
        return -docnum if docnum < 0 else int(self.keys[docnum])

    def every_expression(self) -> str | None:
        """``MATCH()`` for every document: each has one language's facet word."""
        languages = self.columns["lang"].values
        if not languages:
            return None
        return "(@facets (" + " | ".join(sx.facet_token("lang", v) for v in languages) + "))"

    # -- a search page, and what else a search asks without numbers (``sphinx_pages``) -------
    def answer_page(self, request):
        return sphinx_pages.answer(self, request)

    def members(self, query, refs: list) -> set:
        return sphinx_pages.members(self, query, refs)

    def count_matches(self, query, filters: dict[str, list[str]]) -> int:
        return sphinx_pages.count_matches(self, query, filters)

    # -- the cluster's answers ------------------------------------------------------------
    def _rows(self, sql: str) -> list[tuple]:
        rows, warnings = self.cluster.query(sql)
        self._note_missing(warnings)
        return rows

    def _note_missing(self, warnings: list[str]) -> None:
        for warning in warnings:
            found = _AGENT.search(warning)
            shard = self._agent_shard.get(f"{found.group(1)}:{found.group(2)}") if found else None
            self._missing_now().add(shard or warning)

    def _count(self, sql: str) -> int:
        rows = self._rows(sql)
        return int(rows[0][0]) if rows else 0

    def _missing_now(self) -> set[str]:
        missing = getattr(self._missing, "shards", None)
        if missing is None:
            missing = self._missing.shards = set()
        return missing

    def begin_search(self) -> None:
        """A search starts on this thread: the shards missing and the matches
        kept are its own from here (a shard may have gone since the last)."""
        self._missing.shards = set()
        self._recent.matches, self._recent.expressions, self._recent.occurrences = [], {}, {}

    def missing_shards(self) -> list[str]:
        """The shards that did not answer this thread's queries since its
        search began: its answer is partial without them."""
        return sorted(self._missing_now())

    def _docnums(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cluster ids -> this view's numbers, and which of them it has."""
        at = np.searchsorted(self.keys, keys)
        known = at < self.doc_count
        known[known] = self.keys[at[known]] == keys[known]
        return at, known

    def _dense(self, rows: list[tuple], scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        mask, scores = np.zeros(self.doc_count, dtype=bool), np.zeros(self.doc_count)
        if rows:
            keys = np.array([r[0] for r in rows], dtype=np.int64)
            weights = np.array([r[1] for r in rows], dtype=np.float64) * scale
            at, known = self._docnums(keys)
            mask[at[known]] = True
            scores[at[known]] = weights[known]
        return mask, scores

    def _matched(self, expression: str) -> tuple[np.ndarray, np.ndarray]:
        """An expression's (matched, scores); the thread's last few kept, as a
        search asks some twice (with and without the glossary's words)."""
        recent = getattr(self._recent, "expressions", None)
        if recent is None:
            recent = self._recent.expressions = {}
        if expression not in recent:
            if len(recent) >= 2 * RECENT_MATCHES:
                recent.pop(next(iter(recent)))
            recent[expression] = self._dense(self._match_rows(expression), 1 / 10000)
        return recent[expression]

    def _match_rows(self, expression: str, ranker: str | None = None) -> list[tuple]:
        ranker = ranker or self.ranker
        return self._rows(f"SELECT id, WEIGHT() FROM {self.name} WHERE MATCH({sx.quote(expression)}) "
                          f"LIMIT 0,{self._limit} OPTION max_matches={self._limit}, ranker={ranker}")

    # -- matching and counting --------------------------------------------------------------
    def match(self, query) -> tuple[np.ndarray, np.ndarray]:
        """(matched, scores). A search asks for the same query more than once
        (matching, ranking), and counts facets over one it matched: each
        thread keeps its last few, with the expression each compiled to."""
        recent = getattr(self._recent, "matches", None)
        if recent is None:
            recent = self._recent.matches = []
        for known, _expression, result in recent:
            # EVERYTHING is one object for every search: asked again, as a shard may have gone since
            if known is query and not isinstance(query, q.Everything):
                return result
        simple = simplify(query)
        result = self._evaluate(simple)
        expression = EVERY if isinstance(simple, q.Everything) else compile_match(simple)
        recent.insert(0, (query, expression, result))
        del recent[RECENT_MATCHES:]
        return result

    def _evaluate(self, query) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(query, q.Nothing):
            return np.zeros(self.doc_count, dtype=bool), np.zeros(self.doc_count)
        if isinstance(query, q.Everything):
            # asked of the cluster, not taken from the view: a shard down is missing from it
            rows = self._rows(f"SELECT id, 0 AS zero FROM {self.name} LIMIT 0,{self._limit} "
                              f"OPTION max_matches={self._limit}")
            return self._dense(rows, 0.0)
        expression = compile_match(query) if not _boosted(query) else None
        if expression is not None:
            return self._matched(expression)
        common = _common_boost(query)
        if common is not None and (expression := compile_match(query)) is not None:
            # every part weighs the same (the glossary's terms): one query, scaled
            mask, scores = self._matched(expression)
            return mask, scores * common
        # a part the syntax cannot say (or a part weighted apart, as the
        # glossary's translations are: Sphinx 2.2's syntax has no weight for a
        # part of a query): the parts combined here, as the embedded backend does
        if isinstance(query, q.Without):
            return q.exclude(self._evaluate(query.base), self._evaluate(query.excluded))
        if isinstance(query, (q.Term, q.Phrase)):  # alone, weighted
            mask, scores = self._evaluate(type(query)(query.field, *([query.text] if isinstance(query, q.Term) else [query.words])))
            return mask, scores * query.boost
        if isinstance(query, (q.AnyOf, q.AllOf)):
            parts = [self._evaluate(item) for item in query.items]
            if query.boost != 1.0:
                parts = [(m, s * query.boost) for m, s in parts]
            return q.combine(query, parts, self.doc_count)
        if isinstance(query, q.Fallback):  # ranked as the embedded backend ranks it
            return q.fall_back(query, self._evaluate(query.main), self._evaluate(query.extra))
        raise TypeError(f"no cluster query for {type(query).__name__}")

    def narrow(self, selection: np.ndarray, filters: dict[str, list[str]], skip: str | None = None) -> np.ndarray:
        return self.facets.apply(selection, filters, skip)

    def facet_counts(self, selection: np.ndarray, filters: dict[str, list[str]]) -> dict:
        """Disjunctive counts. Over a query this thread matched (what a search
        asks), the cluster counts them: one GROUP BY a facet, each with the
        other facets' filters, all in one round trip (Manticore's ``FACET``
        would say it in one statement; Sphinx 2.2 has no ``FACET``). Over
        any other selection, and for officials the corpus links to a full
        name (a document naming both counts once), they are counted here."""
        expression = self._expression_of(selection)
        if expression is None:
            return self.facets.counts(selection, filters)
        match = f"MATCH({sx.quote(expression)})" if expression is not EVERY else ""
        statements = []
        for name in FACETS:
            conditions = [match] if match else []
            conditions += [self._filter_clause(other, values) for other, values in filters.items()
                           if values and other != name and other in FACETS]
            where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
            limit = len(self.facets.columns[name].values) + SPARE_MATCHES
            statements.append(f"SELECT groupby(), COUNT(*) FROM {self.name}{where} GROUP BY {name}_ids "
                              f"LIMIT 0,{limit} OPTION max_matches={limit}")
        counts = {}
        for name, rows in zip(FACETS, self._batch(statements)):
            column = self.facets.columns[name]
            values = self._value_of[name]
            if name == "official" and any(values.get(int(key)) in self.links for key, _ in rows):
                counts[name] = FacetCounts(column, column.counts(self.facets.apply(selection, filters, skip=name)))
                continue
            found = np.zeros(len(column.values), dtype=np.int64)
            for key, count in rows:
                index = column.index_of.get(values.get(int(key)))
                if index is not None:  # a value written since this view was made is left out
                    found[index] = int(count)
            counts[name] = FacetCounts(column, found)
        return counts

    def _expression_of(self, selection: np.ndarray):
        """The expression of a query this thread matched whose live matches
        are ``selection``, or None."""
        for _query, expression, (matched, _scores) in getattr(self._recent, "matches", None) or []:
            if expression is not None and np.array_equal(matched & self.live, selection):
                return expression
        return None

    def _filter_clause(self, name: str, values: list[str]) -> str:
        """A facet's filter (any of its values), with the names the corpus
        completes to a chosen official's full name."""
        names = set(values)
        if name == "official":
            for value in values:
                names.update(self.linked_from.get(value, []))
        return f"{name}_ids IN ({', '.join(str(sx.facet_value_id(name, v)) for v in sorted(names))})"

    def _batch(self, statements: list[str]) -> list[list[tuple]]:
        results, warnings = self.cluster.query_batch(statements)
        self._note_missing(warnings)
        return results

    def facet_column(self, name: str):
        return self.columns.get(name)

    def _facet_columns(self, per_doc: list[dict], doc_count: int) -> dict[str, FacetColumn]:
        """Each facet's (document, value) pairs, officials under the names the
        corpus completes them to (as the embedded backend counts them)."""
        columns = {}
        for name in FACETS:
            renamed = self.links if name == "official" else {}
            pairs: dict[str, list[int]] = {}
            for docnum, facets in enumerate(per_doc):
                values = facets.get(name) or []
                for value in {renamed.get(v) or v for v in ([values] if isinstance(values, str) else values)}:
                    if value != NOT_AN_OFFICIAL:
                        pairs.setdefault(value, []).append(docnum)
            values = list(pairs)
            doc_ids = np.array([d for v in values for d in pairs[v]], dtype=np.intp)
            value_ids = np.array([i for i, v in enumerate(values) for _ in pairs[v]], dtype=np.int32)
            columns[name] = FacetColumn.from_pairs(name, values, doc_ids, value_ids, doc_count)
        return columns

    # -- records (the records index beside each shard: ``sphinx.RECORDS_SCHEMA``) -----------
    def _record(self, docnum: int, column: str):
        rows = self._rows(f"SELECT {column} FROM {sx.records_name(self.name)} WHERE id = {self._key_of(docnum)}")
        return rows[0][0] if rows else None

    def records(self, keys: list[int]) -> dict[int, dict]:
        """The stored records of documents by cluster id, in one statement
        (one on a shard that stopped answering since: empty)."""
        found = {}
        if keys:
            rows = self._rows(f"SELECT id, stored_json FROM {sx.records_name(self.name)} "
                              f"WHERE id IN ({', '.join(map(str, keys))}) LIMIT 0,{len(keys)}")
            found = {int(key): json.loads(value) for key, value in rows}
        return {key: found.get(key) or dict(MISSING_RECORD) for key in keys}

    def stored(self, docnum: int) -> dict:
        value = self._record(docnum, "stored_json")
        if value is None:
            # on a shard that stopped answering after this view was made
            return dict(MISSING_RECORD)
        return relink_fields(json.loads(value), self.links)

    def source_text(self, docnum: int, stored: dict) -> str:
        value = self._record(docnum, "source_text")
        return unpack_text(base64.b64decode(value)) if value else ""

    def docnums_of(self, doc_ids: list[str]) -> list[int | None]:
        """Documents' dense numbers (the numbering's: made if not yet), or
        None for those this view lacks: a story's copies, all at once."""
        keys = np.array([sx.doc_key(doc_id) for doc_id in doc_ids], dtype=np.int64)
        at, known = self._docnums(keys)
        return [int(a) if k else None for a, k in zip(at.tolist(), known.tolist())]

    def docnum_of(self, doc_id: str) -> int | None:
        """The document's reference (its cluster id, negated), if the cluster has it."""
        key = sx.doc_key(doc_id)
        return sphinx_pages.ref(key) if self._rows(f"SELECT id FROM {self.name} WHERE id = {key}") else None

    # -- terms (the vocabulary's: ``sphinx_vocabulary``) ---------------------------------------
    def doc_frequency(self, field: str, text: str) -> int:
        expression = compile_match(q.Term(field, text))
        # counted without ranking: the default ranker scores every match first
        return self._count(f"SELECT COUNT(*) FROM {self.name} WHERE MATCH({sx.quote(expression)}) OPTION ranker=none")

    def expand_prefix(self, field: str, prefix: str, limit: int | None = None) -> list[str]:
        return self.vocabulary_index.expand_prefix(prefix, limit) if field == "exact" else []

    def has_prefix(self, field: str, prefix: str) -> bool:
        return field == "exact" and self.vocabulary_index.has_prefix(prefix)

    def forms(self, lemma: str) -> list[str]:
        return self.vocabulary_index.forms(lemma)

    def lemmas_of(self, form: str) -> list[str]:
        return self.vocabulary_index.lemmas_of(form)

    def occurrences(self, field: str, text: str, selection: np.ndarray) -> int:
        """The term's hits in the selected documents: the ranker counts them.
        The engine asks of every form of a lemma in turn; the first asking
        fetches them all in one round trip, kept for the rest of the search."""
        kept = getattr(self._recent, "occurrences", None)
        if kept is None:
            kept = self._recent.occurrences = {}
        paged = selection if isinstance(selection, sphinx_pages.ClusterSelection) else None
        if (field, text, paged) not in kept:
            siblings = [text]
            if field == "exact":
                siblings += [form for lemma in self.vocabulary_index.lemmas_of(text)
                             for form in self.vocabulary_index.forms(lemma)
                             if form != text and (field, form, paged) not in kept]
            siblings = list(dict.fromkeys(siblings))
            if paged is not None:  # the page path's selection: counted by the cluster
                for form, count in sphinx_pages.occurrences(self, field, siblings, selection).items():
                    kept[(field, form, paged)] = count
                return kept[(field, text, paged)]
            statements = [f"SELECT id, WEIGHT() FROM {self.name} WHERE MATCH({sx.quote(compile_match(q.Term(field, t)))}) "
                          f"LIMIT 0,{self._limit} OPTION max_matches={self._limit}, ranker=expr('sum(hit_count)')"
                          for t in siblings]
            for form, rows in zip(siblings, self._batch(statements)):
                kept[(field, form, paged)] = self._dense(rows)
        if paged is not None:
            return kept[(field, text, paged)]
        mask, hits = kept[(field, text, paged)]
        return int(hits[selection & mask].sum())

    def vocabulary(self) -> list[str]:
        """Every exact form, read whole (the engine's spelling asks ``spelling_index`` instead)."""
        return self.vocabulary_index.expand_prefix("")

    def spelling_index(self) -> ClusterVocabulary:
        """What finds a word's spelling candidates: the vocabulary, asked per word."""
        return self.vocabulary_index


@dataclass(frozen=True)
class _Numbering:
    keys: np.ndarray  # the cluster ids, sorted: a document's number is its place here
    sortdate: np.ndarray
    limit: int  # matches a query of the dense path reads at most


class SphinxBackend:
    """A cluster by its URL; a new view when the indexer has written since."""

    def __init__(self, url: str | sx.ClusterUrl) -> None:
        self.url = url if isinstance(url, sx.ClusterUrl) else sx.parse_url(url)
        self.cluster = Cluster(self.url)
        self._lock = threading.Lock()
        self._view: SphinxView | None = None

    def view(self) -> SphinxView:
        generation = read_generation(self.cluster)  # one small row a search; the rest of the meta for a new view
        view = self._view
        if view is not None and view.generation == generation and not self._stale(view):
            return view
        with self._lock:
            if self._view is None or self._view.generation != generation or self._stale(self._view):
                meta = read_meta(self.cluster)
                self._view = SphinxView(self.cluster, int(meta.get("generation") or 0), meta)
            return self._view

    @staticmethod
    def _stale(view: SphinxView) -> bool:
        """A view made without a shard is made again, every few seconds
        while the shard is away (its searches are marked partial meanwhile)."""
        return bool(view.missing_when_made) and time.monotonic() - view.made_at > INCOMPLETE_VIEW_RETRY_S

    def close(self) -> None:
        self._view = None
        self.cluster.drop()
