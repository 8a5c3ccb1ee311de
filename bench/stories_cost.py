"""What story detection costs (issue 33): the same corpus indexed with and
without it, the indexing rate, CPU and index size of each, and the query
latency of the index with stories (collapsed, and with ``collapse=0``)
against the one without.

    python bench/stories_cost.py --n 10000 --workdir DIR
    python bench/stories_cost.py --per-document 300    # the CPU a document costs, with and without
    # both builds at once, one worker each (a busy machine slows both alike), then the table:
    python bench/stories_cost.py --n 100000 --only without --workers 1 & \
    python bench/stories_cost.py --n 100000 --only with --workers 1; wait
    python bench/stories_cost.py --n 100000 --reuse
    # the same, K times over (what to believe: one pair's ratio moves by a few per cent)
    python bench/stories_cost.py --n 10000 --rounds 5 --workers 1

``--per-document N`` processes the corpus's first N documents in this one
process twice over, once with story traits and once without, alternating
document by document and counting CPU time (not the wall clock), so a
loaded machine slows both alike; it adds what the main process spends
filing each document's traits (``StoryIndex.add``), and the bytes of the
story files a document adds.

The corpus is ``bench.py``'s (the real Russian news, extended to N by
recombining real sentences), built once in DIR and reused. The builds run
one after the other on a shared machine: read the ratios of one run, and
run it twice before believing a difference of a few per cent.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench as corpus_bench  # noqa: E402  (bench/bench.py: the corpus, the queries, the timings)

from index.build.indexer import IndexBuilder  # noqa: E402
from index.stories.files import load_stories  # noqa: E402
from search.engine import SearchEngine  # noqa: E402

STORY_FILES = ("stories.json", "stories-state.json", "stories-signatures.npy")


def timed_build(index_dir: Path, corpus: Path, stories: bool, workers: int) -> dict:
    started, cpu = time.time(), corpus_bench.cpu_seconds()
    report = IndexBuilder(index_dir, workers=workers, stories=stories).build([corpus])
    seconds, cpu = time.time() - started, corpus_bench.cpu_seconds() - cpu
    documents = report.indexed + report.updated
    extra = sum((index_dir / name).stat().st_size for name in STORY_FILES if (index_dir / name).exists())
    stories_found = load_stories(index_dir)
    return {"documents": documents, "seconds": round(seconds, 1), "docs_per_s": round(documents / seconds, 2),
            "cpu_ms_per_doc": round(1000 * cpu / max(documents, 1), 1),
            "index_bytes": corpus_bench.directory_size(index_dir), "story_files_bytes": extra,
            "stories": len(stories_found), "documents_in_stories": sum(len(s["members"]) for s in stories_found.values())}


def latency(index_dir: Path, queries: dict, collapse: bool) -> dict:
    engine = SearchEngine(index_dir)
    asked = {cls: [replace(r, collapse=collapse) for r in reqs] for cls, reqs in queries.items()}
    corpus_bench.warm_page_cache(index_dir)
    return corpus_bench.run_promsearch(engine, asked)


def per_document(corpus: Path, n: int) -> dict:
    import gzip
    import pickle

    from index.build.pipeline import DocumentProcessor
    from index.ingest.reader import read_raw
    from index.records import Rejection
    from index.stories.grouping import StoryIndex
    from index.stories.state import save_state

    without = DocumentProcessor()
    with_stories = DocumentProcessor(lemmatizer=without.lemmatizer, ingestor=without.ingestor,
                                     extractor=without.extractor, stories=True)
    stories = StoryIndex()
    cpu = {"without": 0.0, "with": 0.0, "filing": 0.0}
    done = 0
    raws = [r for r in read_raw([corpus]) if not isinstance(r, Rejection)][:n]
    for raw in raws:  # warm: the caches of the first documents
        without.process(raw, "")
        break
    for number, raw in enumerate(raws):
        # the second to process a document finds its words in the shared
        # caches: each goes first on every other document
        order = (("without", without), ("with", with_stories))
        for label, processor in order if number % 2 else order[::-1]:
            started = time.process_time()
            processed = processor.process(raw, "")
            cpu[label] += time.process_time() - started
            if label == "with":
                result = processed
        if getattr(result, "story", None) is not None:
            started = time.process_time()
            stories.add(pickle.loads(pickle.dumps(result.story)))  # as a worker sends it
            cpu["filing"] += time.process_time() - started
            done += 1
    scratch = Path(os.environ.get("TMPDIR", "/tmp")) / f"stories-cost-{os.getpid()}"
    scratch.mkdir(exist_ok=True)
    save_state(scratch, stories.state(), stories.settings.permutations)
    from index.stories.files import save_stories
    save_stories(scratch, stories.stories())
    size = sum((scratch / name).stat().st_size for name in STORY_FILES)
    for name in STORY_FILES:
        (scratch / name).unlink()
    scratch.rmdir()
    per = {k: round(1000 * v / max(done, 1), 2) for k, v in cpu.items()}
    return {"documents": done, "cpu_ms_per_doc": per,
            "added_share": round((per["with"] + per["filing"]) / per["without"] - 1, 4),
            "story_file_bytes_per_doc": round(size / max(done, 1))}


def concurrent_rounds(args, corpus: Path) -> list[dict]:
    """Both builds at once, ``args.rounds`` times: the ratios of each round
    (the machine's load moves a build's rate by several per cent from one
    round to the next, and two identical builds side by side differ by one
    or two)."""
    import statistics
    import subprocess

    rounds = []
    for number in range(1, args.rounds + 1):
        command = [sys.executable, __file__, "--n", str(args.n), "--workdir", str(args.workdir),
                   "--shared", str(args.shared), "--workers", str(args.workers), "--only"]
        running = [subprocess.Popen(command + [which], stdout=subprocess.DEVNULL) for which in ("without", "with")]
        if any(process.wait() for process in running):
            raise SystemExit("a build failed")
        off, on = (json.loads((args.workdir / f"stories-cost-{args.n}-{s}.json").read_text(encoding="utf-8"))
                   for s in ("off", "on"))
        rounds.append({"rate_change": round(on["docs_per_s"] / off["docs_per_s"] - 1, 4),
                       "cpu_change": round(on["cpu_ms_per_doc"] / off["cpu_ms_per_doc"] - 1, 4),
                       "docs_per_s": [off["docs_per_s"], on["docs_per_s"]]})
        print(f"round {number}: rate {rounds[-1]['rate_change']:+.1%}, CPU {rounds[-1]['cpu_change']:+.1%} "
              f"({off['docs_per_s']} and {on['docs_per_s']} docs/s)", flush=True)
    for key in ("rate_change", "cpu_change"):
        print(f"median {key.split('_')[0]} change over {len(rounds)} rounds: "
              f"{statistics.median(r[key] for r in rounds):+.1%}", flush=True)
    return rounds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "work")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--per-class", type=int, default=40, help="queries per class")
    parser.add_argument("--json", type=Path, help="where to write the results")
    parser.add_argument("--per-document", type=int, metavar="N", help="the CPU cost per document only (see above)")
    parser.add_argument("--only", choices=("without", "with"),
                        help="make only this build (and keep its numbers): run both at once, with --workers 1 each, "
                             "so a busy machine slows both alike; then once more with --reuse for the table")
    parser.add_argument("--reuse", action="store_true", help="keep the builds (index and numbers) an earlier run made")
    parser.add_argument("--rounds", type=int, default=0, metavar="K",
                        help="make both builds at once (in two processes, --workers each) K times, print each "
                             "round's ratios and their median, then the table of the last round")
    args = parser.parse_args()
    if args.per_document:
        result = per_document(args.shared / "corpora" / "ru_news.jsonl.gz", args.per_document)
        print(json.dumps(result, indent=2))
        return 0
    corpus = args.workdir / f"corpus-{args.n}.jsonl.gz"
    if not corpus.exists():
        corpus_bench.build_corpus(args.n, args.shared, corpus)
    rounds = concurrent_rounds(args, corpus) if args.rounds else []
    builds = {}
    for label, stories in (("without stories", False), ("with stories", True)):
        if args.only and args.only != label.split()[0]:
            continue
        index_dir = args.workdir / f"stories-cost-{args.n}-{'on' if stories else 'off'}"
        record = index_dir.with_name(index_dir.name + ".json")
        if (args.reuse or rounds) and record.exists() and index_dir.exists():
            builds[label] = json.loads(record.read_text(encoding="utf-8"))
            print(label, "(an earlier run's build)", json.dumps(builds[label]), flush=True)
            continue
        if index_dir.exists():
            import shutil
            shutil.rmtree(index_dir)
        builds[label] = timed_build(index_dir, corpus, stories, args.workers)
        record.write_text(json.dumps(builds[label]), encoding="utf-8")
        print(label, json.dumps(builds[label]), flush=True)
    if args.only:
        return 0
    off_dir, on_dir = (args.workdir / f"stories-cost-{args.n}-{s}" for s in ("off", "on"))
    queries = corpus_bench.make_queries(SearchEngine(off_dir), args.per_class)
    latencies = {"without stories": latency(off_dir, queries, collapse=True),
                 "with stories, collapsed": latency(on_dir, queries, collapse=True),
                 "with stories, collapse=0": latency(on_dir, queries, collapse=False)}
    off, on = builds["without stories"], builds["with stories"]
    result = {"n": args.n, "machine_reference_s": corpus_bench.machine_reference_s(), "builds": builds,
              "rate_change": round(on["docs_per_s"] / off["docs_per_s"] - 1, 4),
              "cpu_change": round(on["cpu_ms_per_doc"] / off["cpu_ms_per_doc"] - 1, 4),
              "size_change": round(on["index_bytes"] / off["index_bytes"] - 1, 4),
              "latency_ms_p50_p95": latencies, "rounds": rounds, "source_commit": corpus_bench.source_commit()}
    print(f"\n{args.n} documents ({args.workers} workers)")
    print(f"{'':22}{'docs/s':>9}{'CPU ms/doc':>12}{'index MB':>10}{'stories':>9}")
    for label, b in builds.items():
        print(f"{label:22}{b['docs_per_s']:>9}{b['cpu_ms_per_doc']:>12}{b['index_bytes'] / 1e6:>10.1f}{b['stories']:>9}")
    print(f"rate {result['rate_change']:+.1%}, CPU {result['cpu_change']:+.1%}, size {result['size_change']:+.1%}"
          f" (story files {on['story_files_bytes'] / 1e6:.1f} MB)")
    print(f"\n{'query class':22}" + "".join(f"{label:>28}" for label in latencies))
    for cls in queries:
        print(f"{cls:22}" + "".join(f"{str(latencies[label][cls]):>28}" for label in latencies))
    out = args.json or ROOT / "bench" / "results" / f"stories-cost-{args.n}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
