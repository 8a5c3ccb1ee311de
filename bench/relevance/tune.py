"""Choose the ranking's parameters on the tuning half only: one parameter at
a time over a small grid (BM25F's k1 and per-field b, then the proximity and
lead weights), keeping each best value, by mean nDCG@10 on ``tune``.

    .venv/bin/python bench/relevance/tune.py --index DIR

Prints each step; the held-out half is never read here. The values chosen
go into ``search/data/ranking.tsv`` by hand, and ``make relevance`` reports
both halves.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from evaluate import VariantRanker, evaluate, half_of, read_judgments  # noqa: E402
from rankers import read_queries  # noqa: E402

from search.engine import make_engine  # noqa: E402
from search.ranking import CURRENT  # noqa: E402

GRID = {
    "acronyms": [False, True],
    "k1": [0.8, 1.2, 1.6, 2.0],
    "body_b": [0.4, 0.6, 0.75, 0.9],
    "title_b": [0.3, 0.75, 1.0],
    "proximity": [0.0, 0.25, 0.5, 1.0],
    "lead": [0.0, 0.25, 0.5, 1.0, 2.0, 4.0],
    "lead_words": [20, 40, 80],
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True)
    parser.add_argument("--queries", default=str(HERE / "queries.tsv"))
    parser.add_argument("--judgments", default=str(HERE / "judgments.tsv"))
    args = parser.parse_args(argv)
    engine = make_engine(args.index)
    engine.ranking = CURRENT
    judged = read_judgments(Path(args.judgments))
    queries = [q for q in read_queries(Path(args.queries)) if half_of(q["id"]) == "tune"]
    qids = [q["id"] for q in queries]

    def score(options) -> float:
        ranker = VariantRanker(engine, "x", options)
        rankings = {"x": {q["id"]: ranker.rank(q["query"], 100) for q in queries}}
        return evaluate(rankings, judged, qids)["x"]["ndcg@10"]

    best, best_score = CURRENT, score(CURRENT)
    print(f"start: {best_score:.4f}")
    for name, values in GRID.items():
        for value in values:
            candidate = replace(best, **{name: value})
            if candidate == best:
                continue
            s = score(candidate)
            print(f"  {name}={value}: {s:.4f}", flush=True)
            if s > best_score + 1e-9:
                best, best_score = candidate, s
        print(f"{name} -> {getattr(best, name)} ({best_score:.4f})", flush=True)
    print("chosen:", best)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
