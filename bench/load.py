"""Load test: search-web on 127.0.0.1 under concurrent clients while an
indexer adds documents to the same index.

    python bench/load.py                       # seeds + 300 new documents, 8 clients, 20 s
    python bench/load.py --clients 16 --seconds 60 --requests 20000

Starts its own server and indexer and stops them; every request goes to
127.0.0.1 and the run is bounded by both a request count and a time limit.
Prints throughput, p50/p95/p99 latency and the error count.
"""
from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SEEDS = ROOT / "seeds"

QUERIES = ["импортозамещение", "экспорт", "губернатор", "промышленность", "esportazione", '"поддержка экспорта"',
           "импортозамещ*", "экспорт OR хартия", "промышленность -экспорт", "bvgjhnjpfvtotybt", "", "Дрозденко"]
FILTERS = [{}, {"year": "2024"}, {"region": "Хабаровский край"}, {"lang": "ru"}, {"sector": "Медицинская промышленность"}]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def corpus(path: Path, n: int) -> Path:
    """n documents recombined from the seeds' sentences."""
    rng = random.Random(1)
    sentences = [s for p in sorted(SEEDS.glob("*.txt"))
                 for s in re.split(r"(?<=[.!?])\s+", p.read_text(encoding="utf-8")) if len(s) > 40]
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            out.write(json.dumps({"id": f"load_{i:05d}", "title": f"Нагрузочный документ {i}",
                                  "text": " ".join(rng.sample(sentences, 6)), "date": "2025-05-05"}, ensure_ascii=False) + "\n")
    return path


def request_paths(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.7:
        params = {"q": rng.choice(QUERIES), **rng.choice(FILTERS)}
        return ("/api/search?" if rng.random() < 0.5 else "/?") + urlencode(params)
    if kind < 0.85:
        return "/api/facets/official?" + urlencode({"prefix": rng.choice(["д", "degt", "ал", ""])})
    if kind < 0.95:
        return "/doc/" + rng.choice(["004_3725173b4d77fa6c", "000_2818d748c6cb9382", "002_eca118279bbc844e"]) + "?" + urlencode({"q": "экспорт"})
    return "/healthz"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0, help="stop after this long")
    parser.add_argument("--requests", type=int, default=5000, help="stop after this many requests")
    parser.add_argument("--new-docs", type=int, default=300, help="documents the background indexer adds")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="promsearch-load-"))
    index_dir = work / "index"
    server = indexer = None
    try:
        subprocess.run([str(BIN / "search-index"), str(SEEDS), "--index", str(index_dir), "--quiet"], check=True,
                       stdout=subprocess.DEVNULL)
        extra = corpus(work / "new.jsonl", args.new_docs)
        port = free_port()
        server = subprocess.Popen([str(BIN / "search-web"), "--index", str(index_dir), "--port", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            print("search-web did not start", file=sys.stderr)
            return 1

        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        sent = [0]
        stop_at = time.time() + args.seconds

        def client(seed: int) -> None:
            rng = random.Random(seed)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            while time.time() < stop_at:
                with lock:
                    if sent[0] >= args.requests:
                        return
                    sent[0] += 1
                path = request_paths(rng)
                started = time.perf_counter()
                try:
                    conn.request("GET", path)
                    response = conn.getresponse()
                    response.read()
                    ok = response.status == 200 or (response.status == 404 and "/doc/" in path)
                    if not ok:
                        raise RuntimeError(f"HTTP {response.status} for {path}")
                except Exception as exc:  # counted, never fatal: this is what we measure
                    with lock:
                        errors.append(f"{type(exc).__name__}: {exc}")
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    continue
                with lock:
                    latencies.append(time.perf_counter() - started)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        started = time.time()
        for t in threads:
            t.start()
        time.sleep(min(2.0, args.seconds / 5))
        indexer = subprocess.Popen([str(BIN / "search-index"), str(extra), "--index", str(index_dir), "--quiet", "--workers", "1"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for t in threads:
            t.join()
        elapsed = time.time() - started
        indexer_done = indexer.poll() is not None
        if not indexer_done:
            indexer.wait(timeout=600)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/healthz")
        documents_after = json.loads(conn.getresponse().read())["documents"]

        ms = sorted(x * 1000 for x in latencies)
        pct = lambda p: round(ms[min(len(ms) - 1, int(p / 100 * len(ms)))], 1) if ms else None  # noqa: E731
        result = {
            "clients": args.clients, "requests": len(latencies) + len(errors), "seconds": round(elapsed, 1),
            "throughput_rps": round(len(latencies) / elapsed, 1), "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99),
            "mean_ms": round(statistics.mean(ms), 1) if ms else None, "errors": len(errors),
            "reindex_finished_during_load": indexer_done, "indexer_exit": indexer.returncode,
            "documents_before": 5, "documents_after": documents_after,
        }
        print(f"{result['requests']} requests from {args.clients} clients in {result['seconds']} s, "
              f"while indexing {args.new_docs} new documents (finished during the load: {indexer_done})")
        print(f"throughput {result['throughput_rps']} req/s; latency p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
              f"p99 {result['p99_ms']} ms; errors {result['errors']}")
        print(f"the server answered from the new index without a restart: {documents_after} documents (was 5)")
        for e in errors[:5]:
            print("  error:", e)
        if args.json:
            args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
        return 0 if not errors else 1
    finally:
        for proc in (indexer, server):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
