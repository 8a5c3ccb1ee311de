"""The cluster at size: an embedded index's documents on N local ``searchd``
nodes, every query class of ``bench/bench.py`` asked of both backends in
one run, and the NLP on Dask workers against the built-in pool.

    python bench/cluster_scale.py --index ../bench100k/index-100000 \\
        --corpus ../bench100k/corpus-100000.jsonl.gz --per-class 30 --nlp-sample 300

The cluster is loaded from the embedded index (``cluster_from_index``: no
NLP again, the words read back from the posting arrays), so both backends
hold the same documents with the same entities and stories. The queries
are ``bench.make_queries``'s, made from the embedded index, asked for
every copy (``collapse=0``: the cluster's one-batch page); the class
"frequent term, stories collapsed" asks the frequent terms again as a
user does by default (the cluster then collapses on the document-number
path). Per class: p50 and p95 of each backend (the first 5 queries warm
up and are not counted), how many totals agree, and the mean overlap of
the top 10. Nothing here is a test: the machine is shared and noisy; read
the ratios of one run. Writes JSON to bench/results/ (not committed).
"""
from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import index  # noqa: E402,F401  (one BLAS thread before numpy loads)

from index import cluster_cli  # noqa: E402
from index.build.cluster_from_index import copy_to_cluster  # noqa: E402
from index.store import sphinx as sx  # noqa: E402
from search.engine import SearchEngine, SearchRequest  # noqa: E402
from search.sphinx_backend import SphinxBackend  # noqa: E402

_spec = importlib.util.spec_from_file_location("promsearch_bench", ROOT / "bench" / "bench.py")
promsearch_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(promsearch_bench)

WARM_UP = 5


def du_bytes(path: Path) -> int:
    return int(subprocess.run(["du", "-sb", str(path)], capture_output=True, text=True).stdout.split()[0])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def timed(engine: SearchEngine, request: SearchRequest) -> tuple[float, dict]:
    started = time.perf_counter()
    record = engine.search(request)
    return time.perf_counter() - started, record


def compare_class(embedded: SearchEngine, cluster: SearchEngine, requests: list[SearchRequest]) -> dict:
    """Both backends over one class's queries, interleaved (so a change in
    the machine's load weighs on both alike)."""
    times = {"embedded": [], "cluster": []}
    same_total, overlaps, partial = 0, [], 0
    for i, request in enumerate(requests):
        e_s, a = timed(embedded, request)
        c_s, b = timed(cluster, request)
        if i >= WARM_UP or len(requests) <= WARM_UP:
            times["embedded"].append(e_s)
            times["cluster"].append(c_s)
        same_total += a["total"] == b["total"]
        partial += bool(b.get("partial"))
        top_a, top_b = {h["id"] for h in a["hits"]}, {h["id"] for h in b["hits"]}
        if top_a:
            overlaps.append(len(top_a & top_b) / len(top_a))
    out = {name: dict(zip(("p50_ms", "p95_ms"), promsearch_bench.percentiles(samples)))
           for name, samples in times.items() if samples}
    out.update(queries=len(requests), same_total=same_total, partial=partial,
               top10_overlap=round(statistics.mean(overlaps), 3) if overlaps else None)
    return out


def nlp_rates(corpus: Path, sample: int, workers: int, scratch: Path) -> dict:
    """The NLP alone over the corpus's first ``sample`` documents: the
    built-in pool, then a Dask LocalCluster with as many worker processes
    (model loading included in both)."""
    import gzip

    from distributed import Client, LocalCluster

    from index.build.dask_nlp import process_on_dask
    from index.build.indexer import IndexBuilder
    from index.ingest.reader import DEFAULT_MAX_CHARS, read_raw
    from index.records import Rejection

    part = scratch / f"sample-{sample}.jsonl"
    with gzip.open(corpus, "rt", encoding="utf-8") as source, part.open("w", encoding="utf-8") as out:
        for _, line in zip(range(sample), source):
            out.write(line)
    started = time.perf_counter()
    pooled = IndexBuilder(scratch / "nlp", workers=workers, ner=True).nlp_alone([part])
    pool_s = time.perf_counter() - started
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as dask_cluster, \
            Client(dask_cluster) as client:
        started = time.perf_counter()
        work = ((raw, "") for raw in read_raw([part]) if not isinstance(raw, Rejection))
        done = sum(1 for _ in process_on_dask(client, work, None, DEFAULT_MAX_CHARS, True))
        dask_s = time.perf_counter() - started
    return {"sample": sample, "workers": workers, "ner": True,
            "pool_docs_per_s": round(pooled / pool_s, 1), "dask_docs_per_s": round(done / dask_s, 1),
            "pool_s": round(pool_s, 1), "dask_s": round(dask_s, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="an embedded index (read only)")
    parser.add_argument("--corpus", type=Path, help="the corpus it was built from (for the NLP sample)")
    parser.add_argument("--nodes", type=int, default=2)
    parser.add_argument("--per-class", type=int, default=30)
    parser.add_argument("--nlp-sample", type=int, default=300, help="documents for the NLP rates (0: skip)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cluster-dir", type=Path, help="keep the cluster here (default: a temporary folder)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if cluster_cli.searchd_binary() is None:
        print("searchd not installed")
        return 2
    result: dict = {"source_commit": promsearch_bench.source_commit(), "nodes": args.nodes,
                    "machine_reference_s": promsearch_bench.machine_reference_s()}
    with tempfile.TemporaryDirectory(prefix="promsearch-cluster-scale-") as scratch:
        scratch = Path(scratch)
        cluster_dir = args.cluster_dir or scratch / "cluster"
        embedded = SearchEngine(args.index)
        documents = int(embedded._view().live.sum())
        result["documents"] = documents
        print(f"{documents} documents in {args.index}; making the queries …", flush=True)
        queries = promsearch_bench.make_queries(embedded, args.per_class)
        url = cluster_cli.up(cluster_dir, args.nodes)
        try:
            started = time.perf_counter()
            report = copy_to_cluster(args.index, url)
            load_s = time.perf_counter() - started
            nodes = cluster_cli.status(cluster_dir)
            for number, node in enumerate(nodes, start=1):  # RAM chunks to disk, so the sizes are whole
                conn = sx.connect("127.0.0.1", node["sql_port"])
                shard = sx.shard_name("news", number)
                for index in (shard, sx.records_name(shard), *(("news_vocab",) if number == 1 else ())):
                    conn.cursor().execute(f"FLUSH RTINDEX {index}")
                conn.close()
            head = sx.connect("127.0.0.1", nodes[0]["sql_port"])
            with head.cursor() as cur:
                cur.execute("SELECT COUNT(*) FROM news_vocab")
                result["vocabulary_rows"] = int(cur.fetchall()[0][0])
            head.close()
            written = report.indexed + report.updated
            result["load"] = {"documents": written, "seconds": round(load_s, 1),
                              "docs_per_s": round(written / load_s, 1) if written and load_s else None,
                              "unchanged": report.unchanged}
            result["size"] = {"embedded_kb_per_doc": round(du_bytes(args.index) / documents / 1024, 1),
                              "cluster_kb_per_doc": round(du_bytes(cluster_dir) / documents / 1024, 1),
                              "searchd_rss_mb": [rss_mb(node["pid"]) for node in nodes]}
            print(f"loaded into {args.nodes} nodes from the index: {result['load']}; sizes {result['size']}", flush=True)

            cluster = SearchEngine(args.index, backend=SphinxBackend(url))
            started = time.perf_counter()
            cluster.backend.view()
            result["cluster_view_open_s"] = round(time.perf_counter() - started, 3)
            started = time.perf_counter()
            cluster.search(SearchRequest(q="", collapse=False))
            result["cluster_first_search_s"] = round(time.perf_counter() - started, 2)
            started = time.perf_counter()
            cluster.search(SearchRequest(q=""))  # collapsed: the stories number the documents
            result["cluster_first_collapsed_search_s"] = round(time.perf_counter() - started, 2)
            embedded.search(SearchRequest(q=""))
            queries = {name: [dataclasses.replace(r, collapse=False) for r in requests]
                       for name, requests in queries.items()}
            queries["frequent term, stories collapsed"] = [dataclasses.replace(r, collapse=True)
                                                           for r in queries["frequent term"]]
            result["classes"] = {}
            print(f"\n{'query class':32} {'embedded p50/p95 ms':>20} {'cluster p50/p95 ms':>20} {'same total':>11} {'top-10':>7}")
            for name, requests in queries.items():
                if not requests:
                    continue
                row = compare_class(embedded, cluster, requests)
                result["classes"][name] = row
                e, c = row.get("embedded", {}), row.get("cluster", {})
                print(f"{name:32} {e.get('p50_ms', 0):>9.1f} /{e.get('p95_ms', 0):>8.1f} "
                      f"{c.get('p50_ms', 0):>9.1f} /{c.get('p95_ms', 0):>8.1f} "
                      f"{row['same_total']:>5}/{row['queries']:<5} {row['top10_overlap'] if row['top10_overlap'] is not None else '—':>7}", flush=True)
            result["searchd_rss_mb_after_queries"] = [rss_mb(node["pid"]) for node in nodes]
        finally:
            cluster_cli.down(cluster_dir)
        if args.corpus and args.nlp_sample:
            result["nlp"] = nlp_rates(args.corpus, args.nlp_sample, args.workers, scratch)
            print(f"\nNLP alone, {args.nlp_sample} documents, {args.workers} worker processes: "
                  f"pool {result['nlp']['pool_docs_per_s']} docs/s, Dask {result['nlp']['dask_docs_per_s']} docs/s")
    out = args.out or ROOT / "bench" / "results" / f"cluster-scale-{documents}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"written to {os.path.relpath(out, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
