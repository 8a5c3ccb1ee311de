"""Promsearch at scale: indexing throughput and faceted query latency, against
a SQLite FTS5 baseline over the same lemmatized text, in one process and run.

    python bench/bench.py                 # 100,000 documents
    python bench/bench.py --n 10000       # a quick run
    python bench/bench.py --n 100000 --reuse   # skip rebuilding an index built before

The corpus is the real Russian news in ../shared/corpora (when present),
extended to N documents by recombining its real sentences, so vocabulary and
lengths stay realistic; without ../shared the seeds are recombined. It is
indexed through the normal pipeline (entities from real extraction). Numbers
are printed as one table and written as JSON. Nothing here is a test: the
machine is shared and noisy, so read the ratios of one run.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import index  # noqa: E402,F401  (sets one BLAS thread before numpy loads)

from index.analysis.chain import lemma_analyzer  # noqa: E402
from index.config import SEEDS_DIR  # noqa: E402
from index.store.arrays import FORMAT as ARRAYS_FORMAT  # noqa: E402
from index.build.indexer import IndexBuilder, content_hash, known_hashes, open_or_create  # noqa: E402
from index.ingest.reader import read_raw  # noqa: E402
from index.records import Rejection  # noqa: E402
from search.engine import SearchEngine, SearchRequest  # noqa: E402
from baselines import Fts5Baseline, TantivyBaseline, agreement, directory_size, percentiles  # noqa: E402

SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[«\"A-ZА-ЯЁ])")
CLASSES = ("frequent term", "rare term", "two-term AND", "phrase", "prefix", "two facet filters", "OR within a facet",
           "no results")


# -- corpus -----------------------------------------------------------------------------
def real_documents(shared: Path) -> list[dict]:
    corpus = shared / "corpora" / "ru_news.jsonl.gz"
    if corpus.exists():
        with gzip.open(corpus, "rt", encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]
    docs = []
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        docs.append({"id": path.stem, "text": path.read_text(encoding="utf-8"), "title": None, "date": None})
    return docs


def build_corpus(n: int, shared: Path, path: Path, seed: int = 7) -> dict:
    """N documents: the real ones first, then recombinations of their sentences
    with the length of a random real document and a real date."""
    rng = random.Random(seed)
    real = real_documents(shared)
    sentences = [s for d in real for s in SENTENCE.split(d["text"].replace("\n", " ")) if 20 <= len(s) <= 600]
    titles = [d["title"] for d in real if d.get("title")] or ["Новости промышленности"]
    dates = [d["date"] for d in real if d.get("date")] or [None]
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        for i in range(n):
            if i < len(real):
                d = real[i]
                record = {"id": d["id"], "text": d["text"], "title": d.get("title"), "date": d.get("date"), "lang": "ru"}
            else:
                template = real[rng.randrange(len(real))]
                target = len(template["text"])
                body, size = [], 0
                while size < target:
                    s = sentences[rng.randrange(len(sentences))]
                    body.append(s)
                    size += len(s) + 1
                record = {"id": f"syn_{i:06d}", "text": " ".join(body), "title": rng.choice(titles),
                          "date": rng.choice(dates), "lang": "ru"}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return {"documents": n, "real": min(n, len(real)), "sentences_pool": len(sentences)}


def machine_reference_s() -> float:
    """Seconds a fixed piece of pure-Python work takes here (the best of
    three): the shared machine's speed changes from hour to hour, and runs
    are compared by their ratios to it, not by their raw times."""
    def work() -> float:
        started, total = time.perf_counter(), 0
        for i in range(3_000_000):
            total += i % 7
        return time.perf_counter() - started
    return round(min(work() for _ in range(3)), 3)


def source_commit() -> str | None:
    """The commit the benchmarked code is at, with "+changes" when the working
    tree differs from it (None outside a git checkout)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+changes" if dirty else "")


def cpu_seconds() -> float:
    """CPU time of this process and of its finished worker processes."""
    return sum(getattr(resource.getrusage(who), part) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
               for part in ("ru_utime", "ru_stime"))


def timed_index(index_dir: Path, corpus: Path, ner: bool, workers: int) -> dict:
    """A build's rate and CPU time, and how long it ran after its last
    document came back from the NLP (writing again, closing the segments,
    the commit): the part of the build a short run feels most."""
    phases: list[float] = []
    started, cpu = time.time(), cpu_seconds()
    report = IndexBuilder(index_dir, workers=workers, ner=ner).build([corpus], on_phase=lambda _what: phases.append(time.time()))
    ended = time.time()
    seconds, cpu = ended - started, cpu_seconds() - cpu
    documents = report.indexed + report.updated
    times = report.worker_times
    return {"documents": documents, "seconds": round(seconds, 1), "docs_per_s": round(documents / seconds, 1),
            "after_last_document_s": round(ended - phases[0], 1) if phases else None,
            "worker_seconds": {k: round(v, 1) for k, v in asdict(times).items()} if times else None,
            "cpu_ms_per_doc": round(1000 * cpu / max(documents, 1), 2), "rejected": len(report.rejected)}


def stale_share(index_dir: Path, corpus: Path, probe: int = 500) -> float:
    """The share of the corpus's first documents the index does not hold
    as they are now processed (new, changed, or from another pipeline version)."""
    known = known_hashes(open_or_create(index_dir))
    seen = stale = 0
    for item in read_raw([corpus]):
        if seen >= probe:
            break
        if not isinstance(item, Rejection):
            seen += 1
            stale += known.get(item.id) != content_hash(item)
    return stale / seen if seen else 0.0


def timed_nlp(corpus: Path, ner: bool, workers: int, scratch: Path) -> dict:
    """The NLP workers alone (cleaning, entities, lemmas), nothing written:
    the rate the whole build is compared with (the build's workers write
    too)."""
    builder = IndexBuilder(scratch, workers=workers, ner=ner)
    started, cpu = time.time(), cpu_seconds()
    count = builder.nlp_alone([corpus])
    seconds, cpu = time.time() - started, cpu_seconds() - cpu
    return {"documents": count, "seconds": round(seconds, 1), "docs_per_s": round(count / seconds, 1),
            "cpu_ms_per_doc": round(1000 * cpu / max(count, 1), 2)}


def build_against_nlp(sample: Path, ner: bool, workers: int, workdir: Path, pairs: int) -> tuple[dict, list[dict]]:
    """The NLP alone's rate, and the share of it the whole build reaches on
    the same documents: builds and NLP-alone runs alternate, so a shared,
    noisy machine slows both alike; each pair gives a share. Every other
    pair runs the NLP first (build, NLP, NLP, build, …), so a machine that
    speeds up or slows down through the pairs favours neither. Also
    returns the builds (``timed_index``)."""
    builds, alone, alone_cpu, counted = [], [], [], []
    scratch = workdir / "index-scratch"

    def fresh_scratch() -> None:
        shutil.rmtree(scratch, ignore_errors=True)
        os.sync()  # an earlier run's files are written out before, not during, this one

    def nlp_alone() -> None:
        fresh_scratch()
        run = timed_nlp(sample, ner, workers, scratch)
        alone.append(run["docs_per_s"])
        alone_cpu.append(run["cpu_ms_per_doc"])
        counted.append(run["documents"])

    for pair in range(pairs):
        if pair % 2:
            nlp_alone()
        fresh_scratch()
        builds.append(timed_index(scratch, sample, ner, workers))
        if not pair % 2:
            nlp_alone()
    shutil.rmtree(scratch, ignore_errors=True)
    rates = [b["docs_per_s"] for b in builds]
    shares = [round(b / a, 3) for b, a in zip(rates, alone)]
    # CPU time a document, all processes: what the writing adds to the
    # NLP's work, whatever the cores waited for (the machine's changing
    # speed sways it as it sways the wall clock)
    cpu_shares = [round(a / b["cpu_ms_per_doc"], 3) for b, a in zip(builds, alone_cpu)]
    return ({"documents": counted[-1], "docs_per_s": round(statistics.mean(alone), 1), "runs": alone,
             "builds_docs_per_s": rates, "builds_after_last_document_s": [b["after_last_document_s"] for b in builds],
             "builds_worker_seconds": [b["worker_seconds"] for b in builds],
             "build_shares": shares, "build_share": round(statistics.mean(shares), 3),
             "cpu_ms_per_doc": alone_cpu, "builds_cpu_ms_per_doc": [b["cpu_ms_per_doc"] for b in builds],
             "build_cpu_shares": cpu_shares, "build_cpu_share": round(statistics.mean(cpu_shares), 3)},
            builds)


# -- queries ------------------------------------------------------------------------------
def make_queries(engine: SearchEngine, per_class: int, seed: int = 11) -> dict[str, list[SearchRequest]]:
    rng = random.Random(seed)
    gen = engine._view()
    n_docs = gen.doc_count
    stop = engine.parser.stop_words
    terms = []
    for text in gen.postings.expand_prefix("body", ""):  # the body's words are kept in the posting arrays only
        if text.isalpha() and len(text) > 3 and text not in stop:
            terms.append((gen.postings.doc_frequency("body", text), text))
    terms.sort(reverse=True)
    frequent = [t for _, t in terms[:300]]
    rare = [t for df, t in terms if 3 <= df <= max(5, n_docs // 2000)] or [t for _, t in terms[-300:]]
    mid = [t for df, t in terms if n_docs // 100 <= df <= n_docs // 10] or frequent
    regions = [v["value"] for d in engine.search(SearchRequest("", per_page=1))["facets"]["region"] for v in d["children"]]
    years = [v["value"] for v in engine.facet_values("year", "", 50) if v["value"] != "unknown"]
    # phrases: two consecutive content words of real text
    analyzer = lemma_analyzer(engine.lemmatizer)
    phrases = []
    docnums = rng.sample(range(n_docs), min(200, n_docs))
    for docnum in docnums:
        body = gen.searcher.stored_fields(docnum).get("body", "")
        words = [t.surface for t in analyzer(body[:2000])]
        for i in range(0, max(0, len(words) - 1), 7):
            a, b = words[i], words[i + 1]
            if a.isalpha() and b.isalpha() and len(a) > 3 and len(b) > 3:
                phrases.append(f'"{a} {b}"')
    out = {
        "frequent term": [SearchRequest(rng.choice(frequent[:50])) for _ in range(per_class)],
        "rare term": [SearchRequest(rng.choice(rare)) for _ in range(per_class)],
        "two-term AND": [SearchRequest(f"{rng.choice(mid)} {rng.choice(mid)}") for _ in range(per_class)],
        "phrase": [SearchRequest(rng.choice(phrases)) for _ in range(per_class)],
        "prefix": [SearchRequest(rng.choice(frequent)[:5] + "*") for _ in range(per_class)],
        "two facet filters": [SearchRequest(rng.choice(frequent[:50]), {"region": [rng.choice(regions)], "year": [rng.choice(years)]})
                              for _ in range(per_class)] if regions and years else [],
        "OR within a facet": [SearchRequest(rng.choice(frequent[:50]), {"region": rng.sample(regions, 2)})
                              for _ in range(per_class)] if len(regions) >= 2 else [],
        "no results": no_result_queries(engine, frequent + rare + mid, per_class, rng),
    }
    return out


LATIN = str.maketrans("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                      "abvgdeejziiklmnoprstufhccss'y'eua")


def no_result_queries(engine: SearchEngine, words: list[str], per_class: int, rng: random.Random) -> list[SearchRequest]:
    """Typed words the index does not hold: a real word with a typo, or
    spelled in the other script with one, as a user mistypes a name. They
    cost the most per query (spelling suggestions, the other script,
    entity look-ups) while finding nothing."""
    out: list[SearchRequest] = []
    for _ in range(per_class * 20):
        if len(out) >= per_class or not words:
            break
        word = rng.choice(words)
        at = rng.randrange(1, len(word))
        typo = word[:at] + rng.choice("ьъщжq") + word[at:]
        if rng.random() < 0.5:
            typo = typo.translate(LATIN).capitalize()
        request = SearchRequest(typo)
        if engine.search(request)["total"] == 0:
            out.append(request)
    return out


def warm_page_cache(path: Path) -> float:
    """Reads every file under ``path`` once, so queries are measured warm
    (as in a server that has run a while) rather than at the speed of the
    disk; done for both engines. Returns the seconds it took."""
    started = time.time()
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    for file in files:
        with open(file, "rb") as handle:
            while handle.read(16 << 20):
                pass
    return round(time.time() - started, 1)


def run_promsearch(engine: SearchEngine, queries: dict) -> dict:
    out = {}
    for cls, requests in queries.items():
        for r in requests[:5]:
            engine.search(r)  # warm
        samples = []
        for r in requests[5:] if len(requests) > 5 else requests:
            t = time.perf_counter()
            engine.search(r)
            samples.append(time.perf_counter() - t)
        out[cls] = percentiles(samples) if samples else None
    return out


def peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM: unlike ru_maxrss, not inherited across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cold_start(index_dir: Path) -> float:
    """Median wall time of search-cli on the given index, as a new process.
    The project's modules are compiled to bytecode first, as they are after
    any first run (Python writes it then) or an install: with
    PYTHONDONTWRITEBYTECODE set, every start would compile them from source
    again, 0.05-0.1 s of the start that no user's second search pays."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "index"), str(ROOT / "search")],
                   capture_output=True, check=False)
    cli = Path(sys.executable).parent / "search-cli"
    times = []
    for _ in range(5):
        t = time.time()
        subprocess.run([str(cli), "импортозамещение", "--index", str(index_dir)], capture_output=True, check=False)
        times.append(time.time() - t)
    return round(statistics.median(times), 3)


def query_phase(args) -> dict:
    """Runs in its own process, so its RSS is the search process's alone."""
    engine = SearchEngine(args.workdir / f"index-{args.n}")
    started = time.time()
    engine.search(SearchRequest("промышленность"))
    open_s = time.time() - started
    queries = make_queries(engine, args.per_class)
    warm_page_cache(args.workdir / f"index-{args.n}")
    ours = run_promsearch(engine, queries)
    rss_search = peak_rss_mb()
    results = {"open_and_first_query_s": round(open_s, 2), "promsearch": ours, "search_rss_mb": round(rss_search)}
    lemmas = args.workdir / f"lemmas-{args.n}.jsonl.gz"  # lemmatized once for both baselines
    if not args.reuse:
        lemmas.unlink(missing_ok=True)
    baselines = [Fts5Baseline(engine, args.workdir / f"fts5-{args.n}.sqlite", lemmas),
                 TantivyBaseline(engine, args.workdir / f"tantivy-{args.n}", lemmas)]
    if not TantivyBaseline.available():
        print("tantivy not installed (pip install -e '.[bench]'): comparing with FTS5 alone", file=sys.stderr)
        baselines.pop()
    for baseline in baselines:
        if args.reuse and baseline.exists():
            baseline.open()
            results[f"{baseline.name}_build"] = {"seconds": None, "bytes": baseline.size()}
        else:
            results[f"{baseline.name}_build"] = baseline.build()
        warm_page_cache(baseline.path)
        results[baseline.name] = baseline.run(queries)
    results["agreement"] = agreement(engine, baselines, queries)
    results["example_queries"] = {cls: [r.q + (f" {r.filters}" if r.filters else "") for r in reqs[:3]]
                                  for cls, reqs in queries.items()}
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true", help="keep an index (and FTS5 table) built by an earlier run")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "work")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--per-class", type=int, default=60, help="queries per class")
    parser.add_argument("--sample", type=int, default=5000,
                        help="the corpus's first documents, indexed both ways (with and without NER) and run through the NLP alone")
    parser.add_argument("--pairs", type=int, default=4,
                        help="builds of the sample, each paired with the NLP alone on it (every other pair runs the NLP "
                             "first), for the share of the NLP's rate")
    parser.add_argument("--no-ner", action="store_true",
                        help="index the corpus without person extraction (about twice as fast; no officials facet)")
    parser.add_argument("--json", type=Path, help="where to write the results (default: bench/results/bench-N.json)")
    parser.add_argument("--phase", choices=("all", "query"), default="all", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pairs < 1:
        parser.error("--pairs must be at least 1")
    args.workdir.mkdir(parents=True, exist_ok=True)

    if args.phase == "query":
        print(json.dumps(query_phase(args), ensure_ascii=False))
        return 0

    out = args.json or ROOT / "bench" / "results" / f"bench-{args.n}.json"
    results: dict = {"n": args.n, "workers": args.workers, "cpus": os.cpu_count(), "commit": source_commit(),
                     "machine_reference_s": [machine_reference_s()]}
    if args.reuse and out.exists():
        # what a reused index was measured at when it was built (throughput,
        # peak memory) comes from that run's results
        earlier = json.loads(out.read_text(encoding="utf-8"))
        results.update({k: v for k, v in earlier.items()
                        if k in ("corpus", "index_without_ner", "index_with_ner", "index_peak_rss_mb",
                                 "nlp_only_with_ner", "nlp_only_without_ner", "rerun_unchanged_s", "rerun_unchanged_docs")})
    corpus = args.workdir / f"corpus-{args.n}.jsonl.gz"
    index_dir = args.workdir / f"index-{args.n}"
    if not (args.reuse and corpus.exists()):
        print(f"building a corpus of {args.n} documents …", flush=True)
        results["corpus"] = build_corpus(args.n, args.shared, corpus)
    if not (args.reuse and index_dir.exists()):
        shutil.rmtree(index_dir, ignore_errors=True)
        main_kind = "index_without_ner" if args.no_ner else "index_with_ner"
        print(f"indexing the corpus {'without' if args.no_ner else 'with'} NER …", flush=True)
        results[main_kind] = timed_index(index_dir, corpus, ner=not args.no_ner, workers=args.workers)
        results["index_peak_rss_mb"] = round(max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                                                 resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024)
        sample = args.workdir / f"corpus-sample-{args.sample}.jsonl.gz"
        with gzip.open(corpus, "rt", encoding="utf-8") as src, gzip.open(sample, "wt", encoding="utf-8") as dst:
            for i, line in enumerate(src):
                if i >= args.sample:
                    break
                dst.write(line)
    sample = args.workdir / f"corpus-sample-{args.sample}.jsonl.gz"
    for kind, ner in (("nlp_only_with_ner", True), ("nlp_only_without_ner", False)):
        if kind not in results and sample.exists():
            print(f"the build and the NLP alone on the sample, {'with' if ner else 'without'} NER, "
                  f"{args.pairs} pairs alternating …", flush=True)
            results[kind], builds = build_against_nlp(sample, ner, args.workers, args.workdir, args.pairs)
            index_kind = "index_with_ner" if ner else "index_without_ner"
            if index_kind not in results:  # the other way than the corpus: its rate is the sample's
                results[index_kind] = {"documents": builds[0]["documents"],
                                       "seconds": round(statistics.mean(b["seconds"] for b in builds), 1),
                                       "docs_per_s": round(statistics.mean(b["docs_per_s"] for b in builds), 1),
                                       "rejected": builds[0]["rejected"], "sample": True, "builds": len(builds)}
    stale = stale_share(index_dir, corpus)
    if stale:
        # a reused index from an earlier pipeline version: re-running would
        # reprocess the whole corpus, not measure an unchanged re-run
        print(f"not re-running: {stale:.0%} of a probe of the corpus would be reprocessed "
              "(the index was built by an earlier pipeline version)", flush=True)
        results["index_from_earlier_pipeline"] = True  # the re-run figures, if any, are the earlier run's
    else:
        print("re-running on the unchanged corpus …", flush=True)
        started = time.time()
        rerun = IndexBuilder(index_dir, workers=args.workers).build([corpus])
        results["rerun_unchanged_s"] = round(time.time() - started, 1)
        results["rerun_unchanged_docs"] = rerun.unchanged
    results["index_bytes"] = directory_size(index_dir)
    results["posting_arrays_bytes"] = sum(f.stat().st_size for f in index_dir.glob(f"*.{ARRAYS_FORMAT}_*"))

    print("querying (in a fresh process) …", flush=True)
    phase = subprocess.run([sys.executable, __file__, "--phase", "query", "--n", str(args.n), "--workdir", str(args.workdir),
                            "--per-class", str(args.per_class)] + (["--reuse"] if args.reuse else []),
                           capture_output=True, text=True, check=True)
    results.update(json.loads(phase.stdout.strip().splitlines()[-1]))
    seeds_index = args.workdir / "index-seeds"
    if not seeds_index.exists():
        IndexBuilder(seeds_index).build([SEEDS_DIR])
    results["cli_cold_start_s"] = cold_start(seeds_index)
    results["machine_reference_s"].append(machine_reference_s())

    print_table(results)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nwritten to {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


WORKER_PARTS = (("nlp", "the NLP"), ("writing", "writing"), ("waiting", "waiting for work"))


def worker_shares(seconds: dict | None) -> str:
    """The workers' time after loading their models, by part (the NLP
    alone loads them too)."""
    if not seconds:
        return "not measured (one process)"
    total = sum(seconds[part] for part, _label in WORKER_PARTS)
    return ", ".join(f"{label} {seconds[part] / total:.1%}" for part, label in WORKER_PARTS) + \
        f" (of {total:,.0f} s, both workers; loading the models {seconds['starting']:,.0f} s more)"


def print_table(r: dict) -> None:
    engines = [("promsearch", "Promsearch"), ("fts5", "FTS5"), ("tantivy", "tantivy")]
    engines = [(key, label) for key, label in engines if r.get(key)]
    print(f"\nPromsearch vs {' and '.join(label for _k, label in engines[1:])}, {r['n']:,} documents, {r['cpus']} cores "
          f"(p50 / p95 ms, warm, top-10 + all facet counts)")
    print(f"{'query class':<20}" + "".join(f" {label:>16}" for _k, label in engines)
          + "".join(f" {'/ ' + label:>10}" for _k, label in engines[1:]))
    p50s: dict[str, list[float]] = {key: [] for key, _label in engines}
    for cls in CLASSES:
        row = [r[key].get(cls) for key, _label in engines]
        if not all(row):
            continue
        for (key, _label), times in zip(engines, row):
            p50s[key].append(times[0])
        ratios = "".join(f" {row[0][0] / times[0] if times[0] else float('inf'):>9.2f}x" for times in row[1:])
        print(f"{cls:<20}" + "".join(f" {times[0]:>7} / {times[1]:<7}" for times in row) + ratios)
    if p50s["promsearch"]:
        print(f"{'median of classes':<20}" + "".join(f" {round(statistics.median(p50s[key]), 1):>7}{'':9}" for key, _l in engines))
    for cls, tally in (r.get("agreement") or {}).items():
        print(f"  {cls}: of {tally['queries']} queries, the same total and facet counts as the engine's words alone: "
              + ", ".join(f"{key.split('_')[0]} {n}" for key, n in tally.items() if key.endswith("_equals_engine"))
              + (f"; tantivy as FTS5: {tally['tantivy_equals_fts5']}" if "tantivy_equals_fts5" in tally else ""))
    for key, label in (("index_with_ner", "with NER"), ("index_without_ner", "without NER")):
        run = r.get(key)
        if run:
            print(f"indexing {label}: {run['docs_per_s']} docs/s ({run['documents']:,} documents in {run['seconds']} s"
                  f"{', a sample' if run.get('sample') else ''}"
                  f"{', the mean of %d builds' % run['builds'] if run.get('builds', 1) > 1 else ''})")
            if not run.get("sample"):
                print(f"  the workers' time in that build: {worker_shares(run.get('worker_seconds'))}")
        nlp = r.get("nlp_only_" + key.split("_", 1)[1])
        if nlp:
            print(f"  the NLP workers alone {label}: {nlp['docs_per_s']} docs/s (the sample, nothing written)")
            if nlp.get("build_shares"):
                print(f"  the build's share of the NLP's rate, the sample, alternating: "
                      f"{', '.join(f'{x:.0%}' for x in nlp['build_shares'])} (mean {nlp['build_share']:.0%}; "
                      f"builds {', '.join(map(str, nlp['builds_docs_per_s']))} docs/s, "
                      f"the NLP alone {', '.join(map(str, nlp['runs']))})")
            if nlp.get("builds_after_last_document_s"):
                print(f"  the builds ran on after their last document (writing again, closing, committing): "
                      f"{', '.join(map(str, nlp['builds_after_last_document_s']))} s")
            for seconds in nlp.get("builds_worker_seconds") or ():
                print(f"  the workers' time in a build of the sample: {worker_shares(seconds)}")
            if nlp.get("build_cpu_shares"):
                print(f"  the same in CPU time a document, all processes: "
                      f"{', '.join(f'{x:.0%}' for x in nlp['build_cpu_shares'])} (mean {nlp['build_cpu_share']:.0%}; "
                      f"builds {', '.join(map(str, nlp['builds_cpu_ms_per_doc']))} ms, "
                      f"the NLP alone {', '.join(map(str, nlp['cpu_ms_per_doc']))})")
    print(f"indexing peak RSS: {r.get('index_peak_rss_mb')} MB")
    if r.get("rerun_unchanged_s") is not None:
        print(f"re-run on the unchanged corpus: {r['rerun_unchanged_s']} s ({r['rerun_unchanged_docs']:,} unchanged)"
              + (" (measured by the run that built the index)" if r.get("index_from_earlier_pipeline") else ""))
    print(f"index size: {r['index_bytes'] / 2**20:.0f} MB (posting arrays {r.get('posting_arrays_bytes', 0) / 2**20:.0f} MB); FTS5 table: {r['fts5_build']['bytes'] / 2**20:.0f} MB"
          + (f"; tantivy: {r['tantivy_build']['bytes'] / 2**20:.0f} MB" if r.get("tantivy_build") else "; tantivy not installed"))
    print(f"search process RSS: {r['search_rss_mb']} MB; opening the index + first query: {r['open_and_first_query_s']} s")
    print(f"search-cli cold start on the seeds index: {r['cli_cold_start_s']} s")
    if r.get("machine_reference_s"):
        print(f"the machine's speed: a fixed pure-Python loop took {' s, then '.join(map(str, r['machine_reference_s']))} s "
              f"(at the start and at the end of the run; code at {r.get('commit') or 'an unknown commit'})")


if __name__ == "__main__":
    sys.exit(main())
