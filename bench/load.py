"""Load test: search-web on 127.0.0.1 under concurrent clients while an
indexer adds documents to the same index, every answer checked against a
serial run of the same request on the same commit.

    python bench/load.py                          # real size, 8 and 32 clients, 60 s each
    python bench/load.py --clients 8 --seconds 600 --soak 60   # a soak: a commit every minute
    python bench/load.py --seeds --seconds 20     # a quick run on the seeds

The index: both corpora in ../shared/corpora (19,572 documents), built once
into bench/work-load/ and copied for each run, since the run's indexer
changes it; without ../shared, 20,000 documents recombined from the seeds'
sentences. Each run starts its own server and indexer and stops them; every
request goes to 127.0.0.1, bounded by a request count and a time limit.

Every response says which index commit answered it (``X-Index-Generation``).
Each request of the run's fixed set is asked once, serially, before the
clients start and again after they stop and the indexer is done: an answer
the clients got from either of those commits must equal it byte for byte
(a mismatch); answers from the commits in between are counted as unchecked.
Prints requests/s, latency p50/p95/p99, errors, mismatches, the server's
resident memory, and the waitress warnings and tracebacks in its log.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import http.client
import json
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
CORPORA = [SHARED / "corpora" / "ru_news.jsonl.gz", SHARED / "corpora" / "it_news.jsonl.gz"]
WORK = ROOT / "bench" / "work-load"
SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[«\"A-ZА-ЯЁ])")

QUERIES = ["губернатор", "экспорт", "Ferrari", '"поддержка экспорта"', "промышлен*", "импортозамещение",
           "esportazione", "Путин", "газ OR нефть", "промышленность -экспорт", "", "Modena", "bvgjhnjpfvtotybt"]
FILTERS = [{}, {"lang": "ru"}, {"year": "2015"}, {"lang": "it"}]
EXPORTS = [{"q": "Ferrari"}, {"q": '"поддержка экспорта"'}, {"q": "губернатор", "year": "2015"}]
PREFIXES = ["д", "пут", "bon", "ал", ""]


# -- the corpus and the index ------------------------------------------------------------
def source_sentences(limit_docs: int = 3000) -> list[str]:
    """Real sentences to make new documents of: the Russian corpus's, or the seeds'."""
    if CORPORA[0].exists():
        with gzip.open(CORPORA[0], "rt", encoding="utf-8") as handle:
            texts = [json.loads(line)["text"] for _, line in zip(range(limit_docs), handle)]
    else:
        texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    return [s for t in texts for s in SENTENCE.split(t.replace("\n", " ")) if 30 <= len(s) <= 600]


def recombined(path: Path, n: int, sentences: list[str], prefix: str, seed: int) -> Path:
    """n documents of real sentences, a few hundred to a few thousand characters, dated."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            body = " ".join(rng.choice(sentences) for _ in range(rng.choice([3, 8, 15, 30])))
            out.write(json.dumps({"id": f"{prefix}_{i:06d}", "title": rng.choice(sentences)[:100], "text": body,
                                  "date": f"{rng.randint(2012, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                                  "lang": "ru"}, ensure_ascii=False) + "\n")
    return path


def base_index(args) -> Path:
    """The index every run starts from (built once, then reused)."""
    if args.index:
        return Path(args.index)
    name = "seeds" if args.seeds else "corpora" if CORPORA[0].exists() else "recombined"
    index_dir = WORK / f"index-{name}"
    if (index_dir / "ready").exists():
        return index_dir
    shutil.rmtree(index_dir, ignore_errors=True)
    WORK.mkdir(parents=True, exist_ok=True)
    if name == "seeds":
        inputs = [SEEDS]
    elif name == "corpora":
        inputs = CORPORA
    else:
        inputs = [recombined(WORK / "recombined.jsonl", 20_000, source_sentences(), "doc", seed=1)]
    print(f"building the load index from {name} (once) ...", flush=True)
    subprocess.run([str(BIN / "search-index"), *map(str, inputs), "--index", str(index_dir), "--quiet"], check=True)
    (index_dir / "ready").write_text("built\n")
    return index_dir


# -- requests -------------------------------------------------------------------------------
class Client:
    """One keep-alive connection; ``get`` returns (status, generation, body)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(self, path: str) -> tuple[int, str | None, bytes]:
        try:
            self.conn.request("GET", path)
            response = self.conn.getresponse()
            return response.status, response.getheader("X-Index-Generation"), response.read()
        except Exception:
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            raise


def request_set(client: Client) -> list[tuple[str, float]]:
    """The run's fixed requests with their weights: searches and pages,
    documents, CSV exports, facet values, suggestions."""
    weighted: list[tuple[str, float]] = []
    for q in QUERIES:
        for filters in FILTERS:
            params = urlencode({"q": q, **filters})
            weighted += [("/api/search?" + params, 0.6 / 104), ("/?" + params, 0.6 / 104)]
    status, _, body = client.get("/api/search?" + urlencode({"q": "", "per_page": 100, "page": 3}))
    ids = [hit["id"] for hit in json.loads(body)["hits"]][::4] if status == 200 else []
    for doc_id in ids:
        weighted += [(f"/doc/{quote(doc_id)}?" + urlencode({"q": "губернатор"}), 0.12 / len(ids)),
                     (f"/api/doc/{quote(doc_id)}", 0.08 / len(ids))]
    weighted += [("/export.csv?" + urlencode(params), 0.05 / len(EXPORTS)) for params in EXPORTS]
    weighted += [(f"/api/facets/{name}?" + urlencode({"prefix": p}), 0.07 / 10)
                 for name in ("official", "region") for p in PREFIXES]
    weighted += [("/api/suggest?" + urlencode({"q": p}), 0.05 / 3) for p in ("губ", "экс", "fer")]
    weighted.append(("/healthz", 0.03))
    return weighted


def kind_of(path: str) -> str:
    """The request's kind, for latencies by kind."""
    for prefix, kind in (("/api/search", "api search"), ("/?", "search page"), ("/doc/", "document page"),
                         ("/api/doc/", "api document"), ("/export.csv", "csv export"), ("/api/facets", "facet values"),
                         ("/api/suggest", "suggest"), ("/healthz", "health")):
        if path.startswith(prefix):
            return kind
    return "other"


def digest(body: bytes) -> str:
    return hashlib.sha1(body).hexdigest()


def serial_answers(client: Client, paths: list[str]) -> tuple[str | None, dict[str, str]]:
    """Every request once, one at a time, all from one commit (asked again
    if a commit lands meanwhile)."""
    for _ in range(5):
        answers, generations = {}, set()
        for path in paths:
            status, generation, body = client.get(path)
            if status != 200:
                raise RuntimeError(f"HTTP {status} for {path} in the serial run")
            answers[path] = digest(body)
            generations.add(generation)
        if len(generations) == 1:
            return generations.pop(), answers
    raise RuntimeError("the index kept changing during the serial run")


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("search-web exited at start")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("search-web did not start")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- one run ------------------------------------------------------------------------------------
def run(args, clients: int, source: Path, sentences: list[str], work: Path) -> dict:
    index_dir = work / f"index-{clients}"
    shutil.copytree(source, index_dir, ignore=shutil.ignore_patterns("ready"))
    port = free_port()
    log_path = work / f"server-{clients}.log"
    log = log_path.open("wb")
    threads = ["--threads", str(args.server_threads)] if args.server_threads else []
    server = subprocess.Popen([str(BIN / "search-web"), "--index", str(index_dir), "--port", str(port), *threads],
                              stdout=log, stderr=subprocess.STDOUT)
    indexers: list[subprocess.Popen] = []
    try:
        wait_ready(port, server)
        probe = Client(port)
        weighted = request_set(probe)
        paths = [p for p, _ in weighted]
        first_generation, first = serial_answers(probe, paths)
        documents_before = json.loads(probe.get("/healthz")[2])["documents"]
        rss_start = rss_mb(server.pid)

        lock = threading.Lock()
        latencies: list[float] = []
        by_kind: dict[str, list[float]] = {}
        answers: list[tuple[str, str | None, str]] = []
        errors: list[str] = []
        sent = [0]
        stop_at = time.time() + args.seconds
        rss_samples: list[tuple[float, float | None]] = []

        def client_loop(seed: int) -> None:
            rng = random.Random(seed)
            client = Client(port)
            while time.time() < stop_at:
                with lock:
                    if sent[0] >= args.requests:
                        return
                    sent[0] += 1
                path = rng.choices(paths, weights=[w for _, w in weighted])[0]
                started = time.perf_counter()
                try:
                    status, generation, body = client.get(path)
                    if status != 200:
                        raise RuntimeError(f"HTTP {status} for {path}")
                except Exception as exc:  # counted, never fatal: this is what we measure
                    with lock:
                        errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    by_kind.setdefault(kind_of(path), []).append(elapsed * 1000)
                    answers.append((path, generation, digest(body)))

        def indexer_loop() -> None:
            """One indexer run of all the new documents, or with ``--soak S``
            a run of a batch every S seconds: the server sees commits land."""
            time.sleep(min(5.0, args.seconds / 10))
            batches = max(1, int(args.seconds // args.soak)) if args.soak else 1
            per_batch = max(1, args.new_docs // batches)
            for b in range(batches):
                started = time.time()
                batch = recombined(work / f"new-{clients}-{b}.jsonl", per_batch, sentences, f"new{clients}_{b}", seed=100 + b)
                proc = subprocess.Popen([str(BIN / "search-index"), str(batch), "--index", str(index_dir), "--quiet",
                                         "--workers", "1", "--commit-every", str(args.commit_every)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                indexers.append(proc)
                proc.wait()
                if args.soak and b + 1 < batches:
                    time.sleep(max(0.0, args.soak - (time.time() - started)))

        def rss_loop() -> None:
            while time.time() < stop_at:
                rss_samples.append((round(time.time() - started_at, 1), rss_mb(server.pid)))
                time.sleep(max(1.0, args.seconds / 60))

        started_at = time.time()
        threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
        indexer_thread = threading.Thread(target=indexer_loop)
        sampler = threading.Thread(target=rss_loop, daemon=True)
        for t in [*threads, indexer_thread, sampler]:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.time() - started_at
        indexer_thread.join(timeout=1800)
        probe = Client(port)  # the first one idled past the server's channel timeout
        last_generation, last = serial_answers(probe, paths)
        documents_after = json.loads(probe.get("/healthz")[2])["documents"]

        reference = {first_generation: first, last_generation: last}
        mismatches = [(p, g) for p, g, d in answers if g in reference and reference[g][p] != d]
        checked = sum(1 for _, g, _ in answers if g in reference)
        served = {g for _, g, _ in answers}
        ms = sorted(x * 1000 for x in latencies)
        pct = lambda p: round(ms[min(len(ms) - 1, int(p / 100 * len(ms)))], 1) if ms else None  # noqa: E731
        log.flush()
        server_log = log_path.read_text(encoding="utf-8", errors="replace")
        rss_values = [v for _, v in rss_samples if v]
        warm = rss_values[len(rss_values) // 10:] or rss_values
        return {
            "clients": clients, "seconds": round(elapsed, 1), "requests": len(latencies) + len(errors),
            "throughput_rps": round(len(latencies) / elapsed, 1),
            "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99),
            "errors": len(errors), "error_examples": errors[:5],
            "mismatches": len(mismatches), "mismatch_examples": mismatches[:5],
            "checked": checked, "unchecked": len(answers) - checked,
            "commits_served": len(served), "documents_before": documents_before, "documents_after": documents_after,
            "indexer_exits": [p.returncode for p in indexers],
            "rss_start_mb": rss_start, "rss_end_mb": rss_mb(server.pid),
            "rss_warm_min_mb": min(warm) if warm else None, "rss_warm_max_mb": max(warm) if warm else None,
            "rss_series": rss_samples,
            "queue_warnings": server_log.count("Task queue depth"), "tracebacks": server_log.count("Traceback"),
            "by_kind": {kind: {"requests": len(v), "p50_ms": round(sorted(v)[len(v) // 2], 1),
                               "p95_ms": round(sorted(v)[min(len(v) - 1, int(0.95 * len(v)))], 1)}
                        for kind, v in sorted(by_kind.items())},
            "deepest_queue": max(map(int, re.findall(r"Task queue depth is (\d+)", server_log)), default=0),
        }
    finally:
        for proc in (*indexers, server):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
        log.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", default="8,32", help="comma-separated client counts, one run each")
    parser.add_argument("--seconds", type=float, default=60.0, help="each run stops after this long")
    parser.add_argument("--requests", type=int, default=200_000, help="and after this many requests")
    parser.add_argument("--new-docs", type=int, default=600, help="documents the indexer adds during a run")
    parser.add_argument("--commit-every", type=int, default=100, help="the indexer commits every N documents")
    parser.add_argument("--soak", type=float, default=0.0, metavar="S",
                        help="add the new documents in batches, one indexer run every S seconds")
    parser.add_argument("--seeds", action="store_true", help="a quick run on the seeds alone")
    parser.add_argument("--index", help="an index to copy for each run (default: built under bench/work-load)")
    parser.add_argument("--server-threads", type=int, help="search-web's --threads (default: its own)")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args()

    source = base_index(args)
    sentences = source_sentences()
    results = []
    work = Path(tempfile.mkdtemp(prefix="promsearch-load-"))
    try:
        for clients in [int(c) for c in args.clients.split(",")]:
            result = run(args, clients, source, sentences, work)
            results.append(result)
            print(f"{clients} clients, {result['seconds']} s: {result['requests']} requests, "
                  f"{result['throughput_rps']} req/s; p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
                  f"p99 {result['p99_ms']} ms; errors {result['errors']}; mismatches {result['mismatches']} "
                  f"of {result['checked']} checked ({result['unchecked']} from commits in between, "
                  f"{result['commits_served']} commits served); documents {result['documents_before']} -> "
                  f"{result['documents_after']}; server RSS {result['rss_start_mb']} -> {result['rss_end_mb']} MB "
                  f"(warm {result['rss_warm_min_mb']}-{result['rss_warm_max_mb']}); queue warnings "
                  f"{result['queue_warnings']} (deepest {result['deepest_queue']}), tracebacks {result['tracebacks']}", flush=True)
            print("   by kind (p50 / p95 ms): " + "; ".join(f"{k} {v['p50_ms']} / {v['p95_ms']}"
                                                             for k, v in result["by_kind"].items()))
            for example in result["error_examples"] + [f"mismatch: {m}" for m in result["mismatch_examples"]]:
                print("  ", example)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    bad = any(r["errors"] or r["mismatches"] or r["tracebacks"] or any(r["indexer_exits"]) for r in results)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
