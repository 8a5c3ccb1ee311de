"""Pool the top documents of several rankers for every query of the
relevance set, and write the judging work outside the repository (it holds
corpus text).

    .venv/bin/python bench/relevance/pool.py --index DIR --out ../relevance-pool

Writes ``part-1.jsonl`` .. ``part-N.jsonl`` (the queries dealt out in turn,
each line: query id, query, need, doc id, title, the first characters of the
cleaned text), ``pool.tsv`` (query id, doc id, which rankers found it at
which rank) and, last, the empty file ``READY``.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from rankers import EngineRanker, Fts5Ranker, PlainBM25, read_queries  # noqa: E402

from search.engine import make_engine  # noqa: E402

TEXT_CHARS = 800


def pooled(rankings: dict[str, list[str]]) -> list[str]:
    """The rankers' documents interleaved by rank, each once: a judge reads
    every ranker's best first."""
    out: list[str] = []
    for rank in range(max((len(r) for r in rankings.values()), default=0)):
        for ranking in rankings.values():
            if rank < len(ranking) and ranking[rank] not in out:
                out.append(ranking[rank])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True, help="an index of both corpora")
    parser.add_argument("--out", default="../relevance-pool", help="where the judging work goes (not the repo)")
    parser.add_argument("--queries", default=str(HERE / "queries.tsv"))
    parser.add_argument("--depth", type=int, default=20, help="documents pooled from each ranker")
    parser.add_argument("--parts", type=int, default=3)
    args = parser.parse_args(argv)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    engine = make_engine(args.index)
    rankers = [EngineRanker(engine), PlainBM25(engine), Fts5Ranker(engine, out / "fts5.db")]
    view = engine._view()
    queries = read_queries(Path(args.queries))
    parts = [open(out / f"part-{i + 1}.jsonl", "w", encoding="utf-8") for i in range(args.parts)]
    sizes = [0] * args.parts
    with open(out / "pool.tsv", "w", encoding="utf-8") as pool_file:
        for n, query in enumerate(queries):
            rankings = {r.name: r.rank(query["query"], args.depth) for r in rankers}
            docs = pooled(rankings)
            part = n % args.parts
            for doc_id in docs:
                found = ",".join(f"{name}:{ranking.index(doc_id) + 1}" for name, ranking in rankings.items() if doc_id in ranking)
                pool_file.write(f"{query['id']}\t{doc_id}\t{found}\n")
                stored = view.stored(view.docnum_of(doc_id))
                body = " ".join((stored.get("body") or "").split())
                parts[part].write(json.dumps({
                    "query_id": query["id"], "query": query["query"], "need": query["need"],
                    "doc_id": doc_id, "title": stored.get("title") or "", "text": body[:TEXT_CHARS],
                }, ensure_ascii=False) + "\n")
            sizes[part] += len(docs)
            print(f"{query['id']}\t{query['query']}\t" + "\t".join(f"{k}={len(v)}" for k, v in rankings.items())
                  + f"\tpooled={len(docs)}", flush=True)
    for f in parts:
        f.close()
    print("documents to judge per part:", sizes)
    (out / "READY").touch()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
