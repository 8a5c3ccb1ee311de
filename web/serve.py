"""``search-web``: serve the web UI with a production WSGI server (waitress)."""
from __future__ import annotations

import argparse
import sys

from index.config import resolve_index_dir

from . import create_app
from search.engine import IndexUnavailable


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="search-web", description="Serve the Promsearch web UI.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--index", help="index directory (default: $PROMSEARCH_INDEX or var/index)")
    parser.add_argument("--threads", type=int, default=4)
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
    serve(app, host=args.host, port=args.port, threads=args.threads, ident="promsearch")
    return 0


if __name__ == "__main__":
    sys.exit(main())
