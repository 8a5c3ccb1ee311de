"""``search-web``: serve the web UI with a production WSGI server (waitress)."""
from __future__ import annotations

import argparse
import sys

from index.config import resolve_index_dir

from . import create_app
from search.engine import IndexUnavailable

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="search-web", description="Serve the Promsearch web UI.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--index", help="index directory (default: $PROMSEARCH_INDEX or var/index)")
    parser.add_argument("--threads", type=int, default=THREADS,
                        help=f"requests served at once (default {THREADS})")
    args = parser.parse_args(argv)
    index_dir = resolve_index_dir(args.index)
    # No debug switch exists: the debugger would let any visitor run code.
    app = create_app({"INDEX_DIR": str(index_dir), "DEBUG": False})
    try:
        documents = app.extensions["promsearch_engine"].stats()["documents"]
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
