"""``search-web``: serve the web UI with a production WSGI server (waitress)."""
from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import os
import sys

from index.config import resolve_index_dir

from . import create_app
from index.store.sphinx import BadBackendUrl
from search.engine import IndexUnavailable, make_engine
from search.sphinx_backend import ClusterDown

# Waitress, sized on purpose (measured with bench/load.py, see the README):
# - THREADS: a search holds its thread for all of its work, and searches
#   share one index without locks, so the threads serve that many requests
#   at once; waitress queues the rest and warns of each one it queues. With
#   32 keep-alive clients, 32 threads still queued (a client's next request
#   arrives before its last thread is back in the pool: 59 warnings in 40 s,
#   up to 9 deep); 48 queued none, at the same throughput. The GIL and the
#   cores bound throughput, not the thread count; an idle thread costs a
#   stack and nothing more.
# - CONNECTION_LIMIT: open connections (keep-alive ones included) beyond
#   which waitress stops accepting; past the threads they wait their turn.
# - CHANNEL_TIMEOUT: an idle keep-alive connection is closed after this
#   many seconds, so clients that went away do not hold connections.
THREADS = 48
CONNECTION_LIMIT = 256
CHANNEL_TIMEOUT = 30
# glibc gives threads that allocate at once arenas of their own (up to 8 a
# core); each new view of the index (a commit) is allocated across them and
# freed into them, and the server's RSS climbed with every commit: 111 ->
# 283 MB over 25 new views at 20,000 documents, where two arenas held it
# at 170 MB. (Searches were serialized by a lock before, and used one.)
MALLOC_ARENAS = 2
M_ARENA_MAX = -8  # mallopt's parameter number, from glibc's malloc.h


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> None:
    """mallopt(M_ARENA_MAX) before any thread starts, unless the user set
    MALLOC_ARENA_MAX; a no-op where the C library is not glibc."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(M_ARENA_MAX, arenas)
    except (OSError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="search-web", description="Serve the Promsearch web UI.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--index", help="index directory (default: $PROMSEARCH_INDEX or var/index)")
    parser.add_argument("--backend", help="serve a cluster instead: sphinx://HOST:PORT/INDEX (default: $PROMSEARCH_BACKEND)")
    parser.add_argument("--threads", type=int, default=THREADS,
                        help=f"requests served at once (default {THREADS})")
    args = parser.parse_args(argv)
    limit_malloc_arenas()
    index_dir = resolve_index_dir(args.index)
    # No debug switch exists: the debugger would let any visitor run code.
    try:
        engine = make_engine(index_dir, args.backend)
    except BadBackendUrl as exc:
        print(f"search-web: {exc}", file=sys.stderr)
        return 2
    app = create_app({"INDEX_DIR": str(index_dir), "DEBUG": False, "ENGINE": engine})
    try:
        documents = app.extensions["promsearch_engine"].stats()["documents"]
    except ClusterDown as exc:
        # the pages answer 503 while it is down; the server starts and serves them
        print(f"search-web: {exc}; serving 503 until it answers", file=sys.stderr)
        documents = "?"
    except IndexUnavailable as exc:
        print(f"search-web: {exc}", file=sys.stderr)
        return 1
    from waitress import serve

    print(f"Promsearch: {documents} documents, serving on http://{args.host}:{args.port}/", flush=True)
    serve(app, host=args.host, port=args.port, threads=args.threads, connection_limit=CONNECTION_LIMIT,
          channel_timeout=CHANNEL_TIMEOUT, ident="promsearch")
    return 0


if __name__ == "__main__":
    sys.exit(main())
