"""Add to the judging work the documents the ranking variants bring into
their first ``--depth`` that the pool did not hold (``extra.jsonl`` beside
the parts), so that a variant is not measured on documents nobody read.

    .venv/bin/python bench/relevance/extend_pool.py --index DIR --out ../relevance-pool
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from evaluate import VariantRanker  # noqa: E402
from pool import TEXT_CHARS  # noqa: E402
from rankers import read_queries  # noqa: E402

from search.engine import make_engine  # noqa: E402
from search.ranking import VARIANTS  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True)
    parser.add_argument("--out", default="../relevance-pool")
    parser.add_argument("--queries", default=str(HERE / "queries.tsv"))
    parser.add_argument("--depth", type=int, default=10)
    args = parser.parse_args(argv)
    out = Path(args.out)
    pooled = {tuple(line.split("\t")[:2]) for line in (out / "pool.tsv").read_text(encoding="utf-8").splitlines()}
    engine = make_engine(args.index)
    view = engine._view()
    rankers = [VariantRanker(engine, name, options) for name, options in VARIANTS.items()]
    added = 0
    with open(out / "extra.jsonl", "w", encoding="utf-8") as extra, open(out / "pool.tsv", "a", encoding="utf-8") as pool_file:
        for query in read_queries(Path(args.queries)):
            for ranker in rankers:
                for rank, doc_id in enumerate(ranker.rank(query["query"], args.depth), 1):
                    if (query["id"], doc_id) in pooled:
                        continue
                    pooled.add((query["id"], doc_id))
                    pool_file.write(f"{query['id']}\t{doc_id}\t{ranker.name}:{rank}\n")
                    stored = view.stored(view.docnum_of(doc_id))
                    body = " ".join((stored.get("body") or "").split())
                    extra.write(json.dumps({
                        "query_id": query["id"], "query": query["query"], "need": query["need"],
                        "doc_id": doc_id, "title": stored.get("title") or "", "text": body[:TEXT_CHARS],
                    }, ensure_ascii=False) + "\n")
                    added += 1
    print(f"{added} documents added to the pool")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
