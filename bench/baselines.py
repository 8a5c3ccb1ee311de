"""The engines the benchmark compares Promsearch with, fed the same text.

Both read each document's title and body from the index's stored fields and
put them through the index's own analysis chain, so they hold exactly the
lemmas the engine holds (stop words dropped, one space between lemmas), and
both are asked the same parsed query's words, phrases and prefixes, AND-ed:

- ``Fts5Baseline``: SQLite FTS5 for the match, BM25 top ten and snippets;
  facets counted by the engine's own numpy arrays over FTS5's matches.
- ``TantivyBaseline``: tantivy (Rust, through its Python binding; the
  optional ``bench`` extra) doing everything itself: the match and BM25 top
  ten, facet values in raw-tokenized fast fields counted by terms
  aggregations, filters as non-scoring clauses. Nothing is stored.

Neither expands a word to the officials and places it names, its other
script or the glossary, so ``agreement`` compares them with the engine
asked for the words alone.
"""
from __future__ import annotations

import gzip
import json
import re
import shutil
import sqlite3
import time
from pathlib import Path

import numpy as np

from index.analysis.chain import lemma_analyzer
from search.engine import SearchEngine, SearchRequest
from search.facets import FACETS
from search.paging import matched_mask

try:
    import tantivy
except ImportError:  # the optional ``bench`` extra
    tantivy = None

# facets whose every value a page shows (the region tree); the others, its top ten
ALL_VALUES = ("region", "district")
TOP = 10


def percentiles(samples: list[float]) -> tuple[float, float]:
    arr = np.array(samples) * 1000
    return round(float(np.percentile(arr, 50)), 1), round(float(np.percentile(arr, 95)), 1)


def directory_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def lemmatized_documents(engine: SearchEngine, cache: Path | None = None):
    """(docnum, title lemmas, body lemmas) of every live document, each a
    string of the lemmas the index holds, one space between them. With
    ``cache``, written there as they are made, and read from there when it
    is whole: lemmatizing the corpus again costs as long as the build of
    the baseline (the caller removes a cache of an earlier index)."""
    if cache is not None and cache.exists():
        with gzip.open(cache, "rt", encoding="utf-8") as handle:
            yield from (tuple(json.loads(line)) for line in handle)
        return
    view = engine._view()
    analyzer = lemma_analyzer(engine.lemmatizer)
    partial = cache.with_name(cache.name + ".partial") if cache is not None else None
    out = gzip.open(partial, "wt", encoding="utf-8", compresslevel=1) if partial is not None else None
    for docnum in range(view.doc_count):
        if view.live[docnum]:
            stored = view.searcher.stored_fields(docnum)
            row = (docnum, " ".join(t.text for t in analyzer(stored.get("title", ""))),
                   " ".join(t.text for t in analyzer(stored.get("body", ""))))
            if out is not None:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
            yield row
    if out is not None:
        out.close()
        partial.replace(cache)  # whole: every document was read


def query_parts(engine: SearchEngine, request: SearchRequest) -> list[tuple[str, tuple[str, ...]]]:
    """The query's positive words as ("term" | "phrase" | "prefix", lemmas)."""
    parts = []
    for term in engine.parse(request.q).positive_terms():
        if hasattr(term, "lemmas"):
            parts.append(("phrase" if len(term.lemmas) > 1 else "term", tuple(term.lemmas)))
        elif hasattr(term, "lemma"):
            parts.append(("term", (term.lemma,)))
        elif hasattr(term, "prefix"):
            # the baselines hold lemmas, not surface forms: the lemma prefix is the nearest equivalent
            parts.append(("prefix", (term.prefix,)))
    return parts


def engine_counts(engine: SearchEngine, request: SearchRequest) -> tuple[int, dict[str, dict[str, int]]]:
    """The engine's total and every facet's every count for the request's
    words alone (no expansions), to check a baseline against."""
    words_only = SearchRequest(request.q, request.filters, translate=False, transliterate=False, entities=False)
    view = engine._view()
    _parsed, _plan, query, filters, _notes = engine._prepare(words_only, view)
    matched = matched_mask(view, query)
    total = int(view.narrow(matched, filters).sum())
    return total, {name: counted.as_dict() for name, counted in view.facet_counts(matched, filters).items()}


def write_fts5(path: Path, rows) -> None:
    """An FTS5 table of (rowid, title, body) rows of lemmas, written in batches."""
    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='unicode61')")
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= 2000:
            db.executemany("INSERT INTO docs(rowid, title, body) VALUES (?, ?, ?)", batch)
            batch = []
    db.executemany("INSERT INTO docs(rowid, title, body) VALUES (?, ?, ?)", batch)
    db.commit()
    db.close()


class Baseline:
    """Another engine over the same lemmatized text, at ``path``."""

    def __init__(self, engine: SearchEngine, path: Path, lemmas: Path | None = None) -> None:
        self.engine = engine
        self.gen = engine._view()
        self.path = path
        self.lemmas = lemmas  # the lemmatized corpus, shared with the other baseline


class Fts5Baseline(Baseline):
    """The same lemmatized text in SQLite FTS5, the same numpy facet counting
    (the engine's own per-document value arrays, so counts are comparable)."""

    name = "fts5"

    def build(self) -> dict:
        if self.path.exists():
            self.path.unlink()
        started = time.time()
        write_fts5(self.path, lemmatized_documents(self.engine, self.lemmas))
        return {"seconds": round(time.time() - started, 1), "bytes": self.path.stat().st_size}

    def exists(self) -> bool:
        return self.path.exists()

    def open(self) -> None:
        """Nothing to open: each run connects."""

    def size(self) -> int:
        return self.path.stat().st_size

    def fts_query(self, request: SearchRequest) -> str:
        parts = []
        for kind, lemmas in query_parts(self.engine, request):
            parts.append(f'"{lemmas[0]}" *' if kind == "prefix" else '"' + " ".join(lemmas) + '"')
        return " AND ".join(parts) or '""'

    def _matched(self, db, match: str) -> np.ndarray:
        ids = np.fromiter((r[0] for r in db.execute("SELECT rowid FROM docs WHERE docs MATCH ?", (match,))), dtype=np.int64)
        mask = np.zeros(self.gen.doc_count, dtype=bool)
        mask[ids] = True
        return mask

    def run(self, queries: dict) -> dict:
        db = sqlite3.connect(self.path)
        facets = self.gen.facets
        out = {}
        for cls, requests in queries.items():
            samples = []
            for i, request in enumerate(requests):
                t = time.perf_counter()
                match = self.fts_query(request)
                mask = self._matched(db, match)
                for counted in facets.counts(mask, request.filters).values():
                    counted.top(10)
                selected = facets.apply(mask, request.filters)
                top = [rowid for (rowid,) in db.execute(
                    "SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 2.5, 1.0) LIMIT 500", (match,))
                    if selected[rowid]][:10]
                if top:
                    marks = ",".join(str(r) for r in top)
                    db.execute(f"SELECT snippet(docs, 1, '<mark>', '</mark>', '…', 24) FROM docs "
                               f"WHERE docs MATCH ? AND rowid IN ({marks})", (match,)).fetchall()
                if i >= 5 or len(requests) <= 5:
                    samples.append(time.perf_counter() - t)
            out[cls] = percentiles(samples) if samples else None
        db.close()
        return out

    def counts(self, request: SearchRequest) -> tuple[int, dict[str, dict[str, int]]]:
        """Total and every facet's every count (not timed)."""
        with sqlite3.connect(self.path) as db:
            mask = self._matched(db, self.fts_query(request))
        facets = self.gen.facets
        total = int(facets.apply(mask, request.filters).sum())
        return total, {name: counted.as_dict() for name, counted in facets.counts(mask, request.filters).items()}


class TantivyBaseline(Baseline):
    """The same lemmatized text in tantivy, which also counts the facets.

    The title and body are split on whitespace only (the text is the
    lemmas already), with positions. Each facet's values are a raw-tokenized
    text field, indexed (for filters) and a fast field (for counting). A
    query is a boolean of its words, each a term (or phrase, or regex for a
    prefix) in the title (boosted 2.5, as FTS5's bm25 weights) or the body;
    each facet filter is a set of terms under a constant score of 0, so it
    selects without scoring. Counts are disjunctive as the engine's: the
    facets without a filter share one terms aggregation over the whole
    selection, and each filtered facet has its own, without its own filter."""

    name = "tantivy"

    def __init__(self, engine: SearchEngine, path: Path, lemmas: Path | None = None) -> None:
        super().__init__(engine, path, lemmas)
        self.index = None

    @staticmethod
    def available() -> bool:
        return tantivy is not None

    @staticmethod
    def schema():
        builder = tantivy.SchemaBuilder()
        for field in ("title", "body"):
            builder.add_text_field(field, tokenizer_name="lemmas", index_option="position")
        for name in FACETS:
            builder.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
        return builder.build()

    def open(self, create: bool = False):
        if create:
            shutil.rmtree(self.path, ignore_errors=True)
            self.path.mkdir(parents=True)
        self.index = tantivy.Index(self.schema(), path=str(self.path), reuse=not create)
        self.index.register_tokenizer("lemmas", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
        return self.index

    def exists(self) -> bool:
        return (self.path / "meta.json").exists()

    def build(self) -> dict:
        started = time.time()
        index = self.open(create=True)
        # one thread and a heap the corpus fits in: one segment, so each
        # terms aggregation's top ten is exact
        writer = index.writer(heap_size=1_000_000_000, num_threads=1)
        columns = self.gen.facets.columns
        for docnum, title, body in lemmatized_documents(self.engine, self.lemmas):
            doc = tantivy.Document()
            doc.add_text("title", title)
            doc.add_text("body", body)
            for name in FACETS:
                column = columns[name]
                for value_id in column.values_by_doc[column.doc_starts[docnum]:column.doc_starts[docnum + 1]]:
                    doc.add_text(name, column.values[value_id])
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        return {"seconds": round(time.time() - started, 1), "bytes": self.size(),
                "segments": index.searcher().num_segments}

    def size(self) -> int:
        return directory_size(self.path)

    # -- queries --------------------------------------------------------------------------
    def _field_query(self, field: str, kind: str, lemmas: tuple[str, ...]):
        schema = self.index.schema
        if kind == "phrase":
            return tantivy.Query.phrase_query(schema, field, list(lemmas))
        if kind == "prefix":
            return tantivy.Query.regex_query(schema, field, re.escape(lemmas[0]) + ".*")
        return tantivy.Query.term_query(schema, field, lemmas[0])

    def match_query(self, request: SearchRequest):
        Occur, Query = tantivy.Occur, tantivy.Query
        words = []
        for kind, lemmas in query_parts(self.engine, request):
            title = Query.boost_query(self._field_query("title", kind, lemmas), 2.5)
            words.append((Occur.Must, Query.boolean_query([(Occur.Should, title),
                                                           (Occur.Should, self._field_query("body", kind, lemmas))])))
        return words

    def _filter(self, name: str, values: list[str]):
        return tantivy.Query.const_score_query(tantivy.Query.term_set_query(self.index.schema, name, list(values)), 0.0)

    def _selection(self, words: list, filters: dict[str, list[str]], skip: str | None = None):
        clauses = list(words) + [(tantivy.Occur.Must, self._filter(name, values))
                                 for name, values in filters.items() if values and name != skip]
        return tantivy.Query.boolean_query(clauses) if clauses else tantivy.Query.empty_query()

    def facet_counts(self, searcher, words: list, filters: dict[str, list[str]],
                     size=lambda name: 1_000_000 if name in ALL_VALUES else TOP) -> dict[str, dict[str, int]]:
        """Disjunctive counts: the facets without a filter in one aggregation,
        each filtered facet in one of its own."""
        filtered = [name for name in FACETS if filters.get(name)]
        groups = [(None, [name for name in FACETS if name not in filtered])] + [(name, [name]) for name in filtered]
        out = {}
        for skip, names in groups:
            if not names:
                continue
            spec = {name: {"terms": {"field": name, "size": size(name)}} for name in names}
            result = searcher.aggregate(self._selection(words, filters, skip), spec)
            for name in names:
                out[name] = {b["key"]: b["doc_count"] for b in result[name]["buckets"]}
        return out

    def run(self, queries: dict) -> dict:
        searcher = self.index.searcher()
        out = {}
        for cls, requests in queries.items():
            samples = []
            for i, request in enumerate(requests):
                t = time.perf_counter()
                words = self.match_query(request)
                if words:
                    searcher.search(self._selection(words, request.filters), limit=TOP, count=True)
                    self.facet_counts(searcher, words, request.filters)
                if i >= 5 or len(requests) <= 5:
                    samples.append(time.perf_counter() - t)
            out[cls] = percentiles(samples) if samples else None
        return out

    def counts(self, request: SearchRequest) -> tuple[int, dict[str, dict[str, int]]]:
        """Total and every facet's every count (not timed)."""
        searcher = self.index.searcher()
        words = self.match_query(request)
        if not words:
            return 0, {name: {} for name in FACETS}
        total = searcher.search(self._selection(words, request.filters), limit=1, count=True).count
        return total, self.facet_counts(searcher, words, request.filters, size=lambda _name: 1_000_000)


def agreement(engine: SearchEngine, baselines: list, queries: dict) -> dict:
    """Per class, of how many queries each baseline's total and facet counts
    equal the engine's (words alone), and FTS5's: the same answers, so the
    times compare like with like."""
    out: dict[str, dict] = {}
    for cls, requests in queries.items():
        tally = {"queries": len(requests)}
        for request in requests:
            ours = engine_counts(engine, request)
            answers = {b.name: b.counts(request) for b in baselines}
            for name, answer in answers.items():
                key = f"{name}_equals_engine"
                tally[key] = tally.get(key, 0) + (answer == ours)
            if "tantivy" in answers and "fts5" in answers:
                tally["tantivy_equals_fts5"] = tally.get("tantivy_equals_fts5", 0) + (answers["tantivy"] == answers["fts5"])
        out[cls] = tally
    return out
