#!/usr/bin/env python3
"""What an official's page and ``inferred=0`` cost on an index.

Prints: the time to build one view's facets without inferred regions
(``search/inferred.py``, once a view: the first ``inferred=0`` request or
official's page after a commit pays it), the official's record for the
officials with the most documents (median and slowest), a few names typed
otherwise (a surname in a case form, a Latin spelling, a knowledge-base
governor), and a search with and without ``inferred=0``.

Usage: python bench/official_page.py --index DIR [--officials 30]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.engine import SearchEngine, SearchRequest  # noqa: E402

TYPED = ("Собянина", "Sobyanin", "Дюмин Алексей Геннадьевич", "Текслер", "Кузнецов", "Зюзюкин")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def timed(call):
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", required=True)
    parser.add_argument("--officials", type=int, default=30)
    args = parser.parse_args()

    engine = SearchEngine(args.index)
    view = engine.backend.view()
    print(f"documents: {int(view.live.sum())}")
    engine.search(SearchRequest("завод"))  # the view's lexicon, as after any first search
    seconds, named = timed(lambda: engine.named_regions(view))
    inferred_pairs = len(named.inferred["region"].doc_ids)
    print(f"facets without inferred regions, once a view: {ms(seconds)} ({inferred_pairs} inferred region pairs)")

    column = view.facet_column("official")
    top = [column.values[i] for i in column.totals.argsort()[::-1][:args.officials]]
    times = []
    for name in top:
        seconds, record = timed(lambda: engine.official(name))
        assert record["match"] == "one", (name, record["match"])
        times.append(seconds)
    print(f"official's record, the {len(top)} officials with most documents: median {ms(statistics.median(times))}, "
          f"slowest {ms(max(times))}")
    for typed in TYPED:
        seconds, record = timed(lambda: engine.official(typed))
        print(f"  {typed!r}: {record['match']} {record.get('name') or ''} {ms(seconds)}")
    for inferred in (True, False):
        request = SearchRequest("завод", {"region": ["Москва"]}, inferred=inferred)
        runs = [timed(lambda: engine.search(request))[0] for _ in range(5)]
        total = engine.search(request)["total"]
        print(f"search 'завод' region=Москва inferred={int(inferred)}: {total} results, median {ms(statistics.median(runs))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
