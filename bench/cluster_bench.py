"""The cluster backend against the embedded one, and Dask's NLP against the pool.

One run: N documents made from the seeds' sentences (as the tests make
them) are indexed into an embedded index and into a 2-node local Sphinx
cluster (``search-cluster up``); every query class is asked of both,
REPEAT times, and the median times printed with the totals (which must
agree); then the NLP alone over the same documents, in the built-in pool
and on a Dask LocalCluster with as many workers. Sizes on disk and the
indexing rates are printed for docs/scale-out.md's projection.

    python bench/cluster_bench.py --n 1000
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from index import cluster_cli  # noqa: E402
from index.build.cluster_indexer import ClusterIndexBuilder  # noqa: E402
from index.build.dask_nlp import process_on_dask  # noqa: E402
from index.build.indexer import IndexBuilder  # noqa: E402
from index.ingest.reader import DEFAULT_MAX_CHARS, read_raw  # noqa: E402
from index.records import Rejection  # noqa: E402
from index.store import sphinx as sx  # noqa: E402
from search.engine import SearchEngine, SearchRequest  # noqa: E402
from search.sphinx_backend import SphinxBackend  # noqa: E402
from test_concurrency import _real_shaped  # noqa: E402

QUERY_CLASSES = [
    ("word", "губернатор", {}),
    ("rare word", "импортозамещения", {}),
    ("two words (AND)", "производство поддержка", {}),
    ("OR", "завод OR промышленность", {}),
    ("phrase", '"технологического суверенитета"', {}),
    ("exact form", "!импортозамещение", {}),
    ("prefix", "промышлен*", {}),
    ("NOT", "завод -экспорт", {}),
    ("title:", "title:завод", {}),
    ("Italian", "industria", {}),
    ("word + facet filters", "экспорт", {"lang": ["ru"], "year": ["2020", "2021"]}),
    ("browse, newest first", "", {}),
    ("browse + filter", "", {"year": ["2019"]}),
    ("date sort", "экспорт", {"sort": "date"}),
]


def _du(path: Path) -> int:
    return int(subprocess.run(["du", "-sb", str(path)], capture_output=True, text=True).stdout.split()[0])


def _timed(engine: SearchEngine, text: str, options: dict, repeat: int) -> tuple[float, int]:
    options = dict(options)
    sort = options.pop("sort", "relevance")
    times, total = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        total = engine.search(SearchRequest(q=text, filters=options, sort=sort))["total"]
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, total


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-ner", action="store_true")
    args = parser.parse_args()
    if cluster_cli.searchd_binary() is None:
        print("searchd not installed")
        return 2
    ner = not args.no_ner
    with tempfile.TemporaryDirectory(prefix="promsearch-cluster-bench-") as work:
        work = Path(work)
        docs = _real_shaped(work / "docs.jsonl", args.n)
        print(f"{args.n} documents, {args.workers} workers, NER {'on' if ner else 'off'}")

        start = time.perf_counter()
        IndexBuilder(work / "index", workers=args.workers, ner=ner).build([docs])
        embedded_s = time.perf_counter() - start
        url = cluster_cli.up(work / "cluster", 2)
        try:
            start = time.perf_counter()
            ClusterIndexBuilder(url, workers=args.workers, ner=ner, batch=500).build([docs])
            cluster_s = time.perf_counter() - start
            for shard in range(1, 3):  # the RAM chunks to disk, so the sizes are whole
                conn = sx.connect("127.0.0.1", cluster_cli.status(work / "cluster")[shard - 1]["sql_port"])
                conn.cursor().execute(f"FLUSH RTINDEX {sx.shard_name('news', shard)}")
                conn.close()
            print(f"indexing: embedded {embedded_s:.1f} s ({args.n / embedded_s:.1f} docs/s), "
                  f"cluster {cluster_s:.1f} s ({args.n / cluster_s:.1f} docs/s)")
            print(f"on disk: embedded {_du(work / 'index') / args.n / 1024:.1f} KB/doc, "
                  f"cluster {_du(work / 'cluster') / args.n / 1024:.1f} KB/doc (2 nodes, with binlogs)")

            embedded = SearchEngine(work / "index")
            cluster = SearchEngine(work / "index", backend=SphinxBackend(url))
            embedded.search(SearchRequest(q="")), cluster.search(SearchRequest(q=""))  # views opened
            print(f"\n{'query class':24} {'embedded ms':>12} {'cluster ms':>11} {'total':>7}  same total")
            for name, text, options in QUERY_CLASSES:
                e_ms, e_total = _timed(embedded, text, options, args.repeat)
                c_ms, c_total = _timed(cluster, text, options, args.repeat)
                print(f"{name:24} {e_ms:12.1f} {c_ms:11.1f} {e_total:7d}  {'yes' if e_total == c_total else 'NO: ' + str(c_total)}")
        finally:
            cluster_cli.down(work / "cluster")

        # the NLP alone: the pool against Dask, the same number of worker processes
        start = time.perf_counter()
        IndexBuilder(work / "nlp", workers=args.workers, ner=ner).nlp_alone([docs])
        pool_s = time.perf_counter() - start
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as dask_cluster, Client(dask_cluster) as client:
            start = time.perf_counter()
            work_items = ((raw, "") for raw in read_raw([docs]) if not isinstance(raw, Rejection))
            done = sum(1 for _ in process_on_dask(client, work_items, None, DEFAULT_MAX_CHARS, ner))
            dask_s = time.perf_counter() - start
        print(f"\nNLP alone: pool {args.n / pool_s:.1f} docs/s, Dask LocalCluster {done / dask_s:.1f} docs/s "
              f"({args.workers} worker processes each, model loading included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
