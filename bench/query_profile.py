"""Where a search's time goes, per query class: each part of
``SearchEngine.search`` timed over the bench's queries (``bench.py``'s
``make_queries``, the first five of a class not counted):

    python bench/query_profile.py INDEX_DIR [--classes "rare term" "two-term AND" phrase]

Each part is a function wrapped with a timer; the indented parts are timed
only inside the part above them (matching and stored fields inside the
page), so the top-level parts and "the rest" add up to the whole. A part that is not there in the code run (an
older version) is left out. The machine is shared: read the shares.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import index  # noqa: E402,F401  (sets one BLAS thread before numpy loads)

from search import arrays_backend, engine as engine_module  # noqa: E402
from search.engine import SearchEngine  # noqa: E402

# (label, owner, attribute, indented under the part before it)
PARTS = [
    ("parse, plan, compile", engine_module.SearchEngine, "_prepare", False),
    ("the page: match, rank, facet counts, stored fields", engine_module, "page_of", False),
    ("matching", arrays_backend.ArraysView, "match", True),
    ("facet counts", arrays_backend.ArraysView, "facet_counts", True),
    ("stored fields", arrays_backend.ArraysView, "stored", True),
    ("the forms to highlight (_match_spec)", engine_module.SearchEngine, "_match_spec", False),
    ("hits: highlighting, snippets, how matched", engine_module.SearchEngine, "_hit", False),
    ("facet records", engine_module, "facet_records", False),
    ("the forms found (_explain)", engine_module.SearchEngine, "_explain", False),
    ("an unknown word? (_has_unknown_word)", engine_module.SearchEngine, "_has_unknown_word", False),
    ("did you mean (_suggest)", engine_module.SearchEngine, "_suggest", False),
]


class Timers:
    """Seconds per part; an indented part counts only inside its parent
    (the matching a suggestion or a hit's label asks is theirs)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.running: str | None = None  # the top-level part running now

    def wrap(self, label: str, owner, name: str, parent: str | None) -> None:
        inner = getattr(owner, name)

        def timed(*args, **kwargs):
            if parent is not None and self.running != parent:
                return inner(*args, **kwargs)
            outer = self.running
            if parent is None:
                self.running = label
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started
                self.running = outer

        setattr(owner, name, timed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("index", type=Path)
    parser.add_argument("--per-class", type=int, default=60)
    parser.add_argument("--classes", nargs="+", default=["rare term", "two-term AND", "phrase"])
    args = parser.parse_args()
    from bench import make_queries

    engine = SearchEngine(args.index)
    queries = make_queries(engine, args.per_class)
    timers = Timers()
    parts = [(label, indented) for label, owner, name, indented in PARTS if hasattr(owner, name)]
    parent = None
    for label, owner, name, indented in PARTS:
        if hasattr(owner, name):
            timers.wrap(label, owner, name, parent if indented else None)
            parent = parent if indented else label
    for cls in args.classes:
        requests = queries[cls]
        for request in requests[:5]:
            engine.search(request)
        timers.seconds.clear()
        totals = []
        for request in requests[5:]:
            started = time.perf_counter()
            engine.search(request)
            totals.append(time.perf_counter() - started)
        whole = sum(totals)
        print(f"\n{cls}: {len(totals)} queries, mean {1000 * whole / len(totals):.2f} ms, "
              f"p50 {1000 * statistics.median(totals):.2f} ms")
        for label, indented in parts:
            seconds = timers.seconds.get(label, 0.0)
            print(f"  {'  ' if indented else ''}{label:<56} {1000 * seconds / len(totals):6.2f} ms {seconds / whole:5.0%}")
        listed = sum(timers.seconds.get(label, 0.0) for label, indented in parts if not indented)
        print(f"  {'the rest':<56} {1000 * (whole - listed) / len(totals):6.2f} ms {(whole - listed) / whole:5.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
