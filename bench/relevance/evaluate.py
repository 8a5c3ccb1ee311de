"""The relevance set's yardstick: nDCG@10, P@10 and recall@100 of every
ranker and ranking variant, in one table, on the whole set and on its two
fixed halves (``tune``: the queries the ranking's parameters were chosen
on; ``held-out``: the others, never looked at while tuning).

    .venv/bin/python bench/relevance/evaluate.py --index DIR [--fts5 FILE]

A judged document's grade is its gain (0, 1, 2); a document nobody judged
counts as 0 (the table says how many of each ranker's first ten were not
judged). A query without any judged relevant document is left out of the
averages (and counted). Relevant, for P@10 and recall@100, is grade >= 1.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
from math import log2
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from rankers import EngineRanker, Fts5Ranker, PlainBM25, read_queries  # noqa: E402

from search.engine import make_engine  # noqa: E402
from search.ranking import CURRENT, VARIANTS  # noqa: E402

DEPTH = 100


def half_of(query_id: str) -> str:
    """A query's half, fixed by its id alone (before any tuning)."""
    return "tune" if hashlib.md5(query_id.encode()).digest()[0] % 2 == 0 else "held-out"


def read_judgments(path: Path) -> dict[str, dict[str, int]]:
    """judgments.tsv: query id, doc id, grade, [reason]."""
    judged: dict[str, dict[str, int]] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        qid, doc_id, grade = line.split("\t")[:3]
        judged.setdefault(qid, {})[doc_id] = int(grade)
    return judged


def ndcg(ranking: list[str], grades: dict[str, int], k: int = 10) -> float:
    dcg = sum(grades.get(d, 0) / log2(i + 2) for i, d in enumerate(ranking[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    best = sum(g / log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 0.0


def precision(ranking: list[str], grades: dict[str, int], k: int = 10) -> float:
    return sum(1 for d in ranking[:k] if grades.get(d, 0) >= 1) / k


def recall(ranking: list[str], grades: dict[str, int], k: int = DEPTH) -> float:
    relevant = {d for d, g in grades.items() if g >= 1}
    return len(relevant & set(ranking[:k])) / len(relevant) if relevant else 0.0


def rankers_of(engine, fts5: Path | None):
    """The rankers compared: the two outside yardsticks, then the engine
    with each ranking variant (``search.ranking.VARIANTS``)."""
    out = [PlainBM25(engine)]
    if fts5 is not None:
        out.append(Fts5Ranker(engine, fts5))
    for name, options in VARIANTS.items():
        out.append(VariantRanker(engine, name, options))
    return out


class VariantRanker(EngineRanker):
    """The engine with other ranking options for the length of a search."""

    def __init__(self, engine, name: str, options) -> None:
        super().__init__(engine, name)
        self.options = options

    def rank(self, text: str, k: int) -> list[str]:
        scorer = self.engine._view().scorer
        saved = self.engine.ranking, scorer.weighting
        self.engine.ranking, scorer.weighting = self.options, self.options.weighting()
        try:
            return super().rank(text, k)
        finally:
            self.engine.ranking, scorer.weighting = saved


def evaluate(rankings: dict[str, dict[str, list[str]]], judged: dict[str, dict[str, int]], qids: list[str]) -> dict:
    table = {}
    for name, by_query in rankings.items():
        scored = [q for q in qids if any(g >= 1 for g in judged.get(q, {}).values())]
        rows = [(ndcg(by_query[q], judged[q]), precision(by_query[q], judged[q]), recall(by_query[q], judged[q]),
                 sum(1 for d in by_query[q][:10] if d not in judged[q])) for q in scored]
        n = len(rows) or 1
        table[name] = {"queries": len(rows), "ndcg@10": sum(r[0] for r in rows) / n, "p@10": sum(r[1] for r in rows) / n,
                       "recall@100": sum(r[2] for r in rows) / n, "unjudged@10": sum(r[3] for r in rows)}
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True)
    parser.add_argument("--queries", default=str(HERE / "queries.tsv"))
    parser.add_argument("--judgments", default=str(HERE / "judgments.tsv"))
    parser.add_argument("--fts5", default=None, help="the FTS5 file pool.py built (left out if not given)")
    parser.add_argument("--per-query", action="store_true", help="also each query's nDCG@10 per ranker")
    args = parser.parse_args(argv)

    engine = make_engine(args.index)
    engine.ranking = CURRENT
    queries = read_queries(Path(args.queries))
    judged = read_judgments(Path(args.judgments))
    rankers = rankers_of(engine, Path(args.fts5) if args.fts5 else None)
    rankings = {r.name: {q["id"]: r.rank(q["query"], DEPTH) for q in queries} for r in rankers}
    qids = [q["id"] for q in queries]
    halves = {"all": qids, "tune": [q for q in qids if half_of(q) == "tune"],
              "held-out": [q for q in qids if half_of(q) == "held-out"]}
    unjudged_queries = [q for q in qids if not any(g >= 1 for g in judged.get(q, {}).values())]
    print(f"{len(qids)} queries, {sum(len(v) for v in judged.values())} judgments; "
          f"{len(unjudged_queries)} queries without a relevant judged document are left out: {' '.join(unjudged_queries)}")
    print(f"{'ranker':<22} {'half':<9} {'queries':>7} {'nDCG@10':>8} {'P@10':>6} {'R@100':>6} {'unjudged@10':>11}")
    for half, ids in halves.items():
        for name, row in evaluate(rankings, judged, ids).items():
            print(f"{name:<22} {half:<9} {row['queries']:>7} {row['ndcg@10']:>8.3f} {row['p@10']:>6.3f} "
                  f"{row['recall@100']:>6.3f} {row['unjudged@10']:>11}")
        print()
    if args.per_query:
        names = list(rankings)
        print("query".ljust(8) + "".join(n[:12].rjust(13) for n in names))
        for q in qids:
            if q in unjudged_queries:
                continue
            print(q.ljust(8) + "".join(f"{ndcg(rankings[n][q], judged[q]):13.3f}" for n in names))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
