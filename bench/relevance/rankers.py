"""The rankers the relevance set pools and compares, each a query -> the
ids of its first ``k`` documents, over one index.

- ``EngineRanker``: Promsearch's own ranking (with the expansions a user
  gets), as ``search-cli`` and the web page order a search.
- ``PlainBM25``: textbook BM25 (k1 1.2, b 0.75) over title and body as one
  text, on the index's own lemmas: no title boost, no expansions, every word
  required (as the engine requires them).
- ``Fts5Ranker``: SQLite FTS5's bm25 over the same lemmatized title and
  body (the yardstick of ``bench/bench.py``): another implementation, with
  FTS5's own term statistics and column handling.
"""
from __future__ import annotations

import sqlite3
import sys
from math import log
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from index.analysis.chain import lemma_analyzer  # noqa: E402
from index.store.schema import TITLE_BOOST  # noqa: E402
from search.paging import matched_mask, rank  # noqa: E402
sys.path.insert(0, str(ROOT / "bench"))
from baselines import write_fts5  # noqa: E402
from search.request import SearchRequest  # noqa: E402

K1, B = 1.2, 0.75


def query_lemmas(engine, text: str) -> list[str]:
    """The lemmas of a query's positive words and phrases, in order."""
    lemmas: list[str] = []
    for term in engine.parse(text).positive_terms():
        if hasattr(term, "lemmas"):
            lemmas.extend(term.lemmas)
        elif hasattr(term, "lemma"):
            lemmas.append(term.lemma)
    return [w for i, w in enumerate(lemmas) if w and w not in lemmas[:i]]


class EngineRanker:
    """The engine's order for a query (relevance sort, no filters)."""

    def __init__(self, engine, name: str = "engine") -> None:
        self.engine, self.name = engine, name

    def ranked_docnums(self, text: str, k: int) -> list[int]:
        engine = self.engine
        view = engine._view()
        request = SearchRequest(q=text).validate()
        parsed, _plan, query, filters, _notes = engine._prepare(request, view)
        selected = view.narrow(matched_mask(view, query), filters)
        ranked = rank(view, query, selected, "relevance", parsed.root is None, need=k,
                      rescore=engine._rescorer(view, parsed))
        return [d for d, _score in ranked]

    def rank(self, text: str, k: int) -> list[str]:
        view = self.engine._view()
        return [view.stored(d)["id"] for d in self.ranked_docnums(text, k)]


class PlainBM25:
    """BM25 over title + body as one text, from the index's postings (the
    title's stored weights divided by its index-time boost)."""

    name = "bm25"

    def __init__(self, engine) -> None:
        self.engine = engine
        view = engine._view()
        self.view = view
        scorer = view.scorer
        self.lengths = scorer.lengths("title") + scorer.lengths("body")
        live = view.live
        self.avgdl = float(self.lengths[live].mean()) if live.any() else 1.0
        self.n = int(live.sum())

    def scores(self, lemmas: list[str]) -> tuple[np.ndarray, np.ndarray]:
        view = self.view
        matched = view.live.copy()
        total = np.zeros(view.doc_count)
        for lemma in lemmas:
            tf = np.zeros(view.doc_count)
            for field, scale in (("title", 1 / TITLE_BOOST), ("body", 1.0)):
                ids, weights = view.postings.postings(field, lemma, want_weights=True)
                if len(ids):
                    np.add.at(tf, ids, weights * scale)
            has = tf > 0
            matched &= has
            df = int((has & view.live).sum())
            idf = log(1 + (self.n - df + 0.5) / (df + 0.5))
            norm = K1 * (1 - B + B * self.lengths / self.avgdl)
            total += np.where(has, idf * tf * (K1 + 1) / (tf + norm), 0.0)
        return matched, total

    def rank(self, text: str, k: int) -> list[str]:
        lemmas = query_lemmas(self.engine, text)
        if not lemmas:
            return []
        matched, scores = self.scores(lemmas)
        docnums = np.flatnonzero(matched)
        order = docnums[np.lexsort((docnums, -np.round(scores[docnums], 9)))][:k]
        return [self.view.stored(int(d))["id"] for d in order]


class Fts5Ranker:
    """SQLite FTS5 bm25 over the lemmatized title and body (built once into
    ``db_path``), every lemma required."""

    name = "fts5"

    def __init__(self, engine, db_path: Path) -> None:
        self.engine, self.db_path = engine, Path(db_path)
        self.view = engine._view()
        if not self.db_path.exists():
            self._build()
        self.db = sqlite3.connect(self.db_path)

    def _rows(self, analyzer):
        for docnum in np.flatnonzero(self.view.live).tolist():
            stored = self.view.searcher.stored_fields(docnum)
            title = " ".join(t.text for t in analyzer(stored.get("title") or ""))
            body = " ".join(t.text for t in analyzer(stored.get("body") or ""))
            yield docnum, title, body

    def _build(self) -> None:
        analyzer = lemma_analyzer(self.engine.lemmatizer)
        partial = self.db_path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        write_fts5(partial, self._rows(analyzer))
        partial.rename(self.db_path)

    def rank(self, text: str, k: int) -> list[str]:
        lemmas = query_lemmas(self.engine, text)
        if not lemmas:
            return []
        match = " AND ".join('"' + w.replace('"', '""') + '"' for w in lemmas)
        rows = self.db.execute("SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (match, k))
        return [self.view.stored(int(r[0]))["id"] for r in rows]


def read_queries(path: Path) -> list[dict]:
    """queries.tsv: id, query, lang, kind, information need."""
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        qid, query, lang, kind, need = line.split("\t")
        out.append({"id": qid, "query": query, "lang": lang, "kind": kind, "need": need})
    return out
