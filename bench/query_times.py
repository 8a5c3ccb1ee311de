"""The query phase of ``bench.py`` alone, on an index built before: each
class's queries (``make_queries``, the first five not counted) timed over
several passes, in wall time and in this process's CPU time (which a busy
machine disturbs less), written as JSON (every sample in ms, p50/p95):

    python bench/query_times.py INDEX_DIR --passes 3 --json out.json

To compare two versions of the code on one index, run it from each
checkout in turn, alternating (the machine is shared and its speed drifts),
and pool each version's samples.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import index  # noqa: E402,F401  (sets one BLAS thread before numpy loads)

from search.engine import SearchEngine  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("index", type=Path)
    parser.add_argument("--per-class", type=int, default=60)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--json", type=Path, required=True)
    args = parser.parse_args()
    from bench import make_queries

    engine = SearchEngine(args.index)
    queries = make_queries(engine, args.per_class)
    wall: dict[str, list[float]] = {cls: [] for cls in queries}
    cpu: dict[str, list[float]] = {cls: [] for cls in queries}
    for _ in range(args.passes):
        for cls, requests in queries.items():
            for request in requests[:5]:
                engine.search(request)
            for request in requests[5:]:
                started, started_cpu = time.perf_counter(), time.process_time()
                engine.search(request)
                cpu[cls].append(1000 * (time.process_time() - started_cpu))
                wall[cls].append(1000 * (time.perf_counter() - started))

    def summary(samples: list[float]) -> dict:
        return {"p50": round(float(np.percentile(samples, 50)), 2), "p95": round(float(np.percentile(samples, 95)), 2),
                "samples": [round(x, 3) for x in samples]}

    result = {cls: {"wall": summary(wall[cls]), "cpu": summary(cpu[cls])} for cls in queries if wall[cls]}
    args.json.write_text(json.dumps(result), encoding="utf-8")
    for cls, r in result.items():
        print(f"{cls:<20} wall p50 {r['wall']['p50']:6.2f} p95 {r['wall']['p95']:6.2f}   "
              f"CPU p50 {r['cpu']['p50']:6.2f} p95 {r['cpu']['p95']:6.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
