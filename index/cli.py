"""``search-index [PATH ...]``: build or update the index (``seeds/`` by default)."""
from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
from pathlib import Path

from .build.indexer import COMMIT_EVERY, IndexBroken, IndexBuilder, IndexBusy, index_exists
from .build.parallel import WorkerFailed
from .config import SEEDS_DIR, resolve_index_dir
from .build.dask_nlp import DaskUnavailable
from .ingest.reader import DEFAULT_MAX_CHARS, iter_input_files
from .store.sphinx import ClusterUnavailable, backend_url


# Below this many inputs, starting worker processes (each loads the models)
# costs more than it saves.
SMALL_CORPUS = 200


def count_inputs(paths: list[Path]) -> int:
    """How many documents the inputs hold, for the progress bar's ETA."""
    total = 0
    for item in iter_input_files(paths):
        if isinstance(item, Path) and item.name.endswith((".jsonl", ".jsonl.gz")):
            opener = gzip.open if item.name.endswith(".gz") else open
            try:
                with opener(item, "rb") as handle:
                    total += sum(1 for line in handle if line.strip())
            except (OSError, EOFError):
                total += 1
        else:
            total += 1
    return total


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="search-index",
        description="Build or update the Promsearch index from .txt files, directories and .jsonl/.jsonl.gz corpora.",
    )
    parser.add_argument("paths", nargs="*", type=Path, help="inputs (default: the shipped seeds/)")
    parser.add_argument("--index", help="index directory (default: $PROMSEARCH_INDEX or var/index)")
    parser.add_argument("--prune", action="store_true", help="remove indexed documents whose source is gone")
    parser.add_argument("--report", type=Path, help="write the account of every input as JSON to this file")
    parser.add_argument("--max-chars", type=int, default=DEFAULT_MAX_CHARS, help="reject documents longer than this")
    parser.add_argument("--quiet", action="store_true", help="no progress bar, only the summary")
    parser.add_argument("--if-missing", action="store_true", help="do nothing if an index already exists")
    parser.add_argument("--no-ner", action="store_true", help="skip person extraction from Russian text (much faster; no officials facet)")
    parser.add_argument("--no-stories", action="store_true",
                        help="no near-duplicate stories: the search then shows every copy (docs/stories.md)")
    parser.add_argument("--commit-every", type=int, default=COMMIT_EVERY,
                        help="commit a new index segment every N documents, one per worker process (a killed run keeps what was committed)")
    parser.add_argument("--workers", type=int, help="worker processes, each processing documents and writing its own index segment (default: one per core; one for small inputs)")
    parser.add_argument("--backend", help="write to a search cluster instead of the index folder: sphinx://HOST:PORT/INDEX "
                                          "(default: $PROMSEARCH_BACKEND; see search-cluster)")
    parser.add_argument("--from-index", metavar="DIR", type=Path,
                        help="with --backend: write the documents of the embedded index in DIR to the cluster, "
                             "their entities as indexed (no NLP again)")
    parser.add_argument("--dask", metavar="ADDRESS", help="run the NLP on the Dask cluster whose scheduler is at ADDRESS (tcp://HOST:PORT)")
    return parser


def _cluster_builder(url: str, args, workers: int):
    """The builder that writes to a cluster; a bad URL exits 2 with one line."""
    from .build.cluster_indexer import ClusterIndexBuilder
    from .store.sphinx import BadBackendUrl

    try:
        return ClusterIndexBuilder(url, workers=workers, max_chars=args.max_chars, ner=not args.no_ner,
                                   dask_address=args.dask)
    except BadBackendUrl as exc:
        print(f"search-index: {exc}", file=sys.stderr)
        sys.exit(2)


def _index_copier(index_dir: Path, url: str | None):
    """Copies an embedded index to a cluster; without a cluster URL, or with a bad one, exits 2 with one line."""
    from .build.cluster_from_index import IndexCopier
    from .store.sphinx import BadBackendUrl

    try:
        if not url:
            raise BadBackendUrl("--from-index needs a cluster to write to: --backend sphinx://HOST:PORT/INDEX")
        return IndexCopier(index_dir, url)
    except BadBackendUrl as exc:
        print(f"search-index: {exc}", file=sys.stderr)
        sys.exit(2)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    paths = args.paths or [SEEDS_DIR]
    index_dir = resolve_index_dir(args.index)
    url = backend_url(args.backend)
    if args.if_missing and not url and index_exists(index_dir):
        print(f"{index_dir}: index exists, not rebuilt")
        return 0
    total = count_inputs(paths) if (args.workers is None or not args.quiet) and not args.from_index else None
    workers = args.workers or (1 if total is not None and total <= SMALL_CORPUS else os.cpu_count() or 1)
    if args.from_index:
        builder = _index_copier(args.from_index, url)
        index_dir = builder.url
    elif url:
        builder = _cluster_builder(url, args, workers)
        index_dir = builder.url
    elif args.dask:
        from .build.dask_indexer import DaskIndexBuilder

        builder = DaskIndexBuilder(index_dir, args.dask, max_chars=args.max_chars, ner=not args.no_ner,
                                   commit_every=args.commit_every)
    else:
        builder = IndexBuilder(index_dir, workers=workers, max_chars=args.max_chars, ner=not args.no_ner,
                               commit_every=args.commit_every, stories=not args.no_stories)
    progress = None
    if not args.quiet:
        from tqdm import tqdm

        progress = tqdm(total=total, unit="doc", desc="indexing", file=sys.stderr, smoothing=0.05)
    try:
        report = builder.build(paths, prune=args.prune, on_item=(lambda _outcome: progress.update()) if progress else None,
                               on_phase=progress.set_description_str if progress else None)
    except (ClusterUnavailable, DaskUnavailable) as exc:  # the caller's to fix, like a bad URL
        print(f"search-index: {exc}", file=sys.stderr)
        return 2
    except IndexBusy as exc:
        print(f"search-index: {exc}; try again when it has finished", file=sys.stderr)
        return 1
    except IndexBroken as exc:
        print(f"search-index: {exc}", file=sys.stderr)
        return 1
    except WorkerFailed as exc:
        print(f"search-index: {exc}\nbatches committed before it stay in the index, "
              "and the next run goes on from there", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("search-index: interrupted; batches committed before it stay in the index, "
              "and the next run goes on from there", file=sys.stderr)
        return 130
    finally:
        if progress:
            progress.close()
    for rejection in report.rejected:
        print(f"rejected {rejection.path}: {rejection.reason}", file=sys.stderr)
    print(f"{index_dir}: {report.summary()}")
    if args.report:
        args.report.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
