"""What the officials facet shows on a real index (issue 29): of the most
frequent officials per language, how many are one word (a surname alone,
or something that is no name), how many of the Italian ones are a lone
surname that a full name among them shares, and whether any of the top
Italian ones is an author of the corpus (a journalist). Also the place
facet's most frequent values with their regions.

    .venv/bin/python bench/officials_facet.py --index DIR [--top 200]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.entities.persons import is_full_name, latin_surname  # noqa: E402
from search.engine import SearchEngine, SearchRequest  # noqa: E402


def authors(engine: SearchEngine, lang: str) -> set[str]:
    """Every author the stored fields of ``lang``'s documents name."""
    view = engine.backend.view() if hasattr(engine.backend, "view") else None
    found = set()
    reader = view.searcher.reader() if view is not None else None
    if reader is None:
        return found
    for docnum in range(reader.doc_count_all()):
        if not reader.is_deleted(docnum):
            stored = reader.stored_fields(docnum)
            if stored.get("lang") == lang and stored.get("author"):
                found.add(stored["author"])
    return found


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", required=True)
    parser.add_argument("--top", type=int, default=200)
    args = parser.parse_args(argv)
    engine = SearchEngine(Path(args.index))
    out = {}
    for lang in ("ru", "it"):
        record = engine.search(SearchRequest("", {"lang": [lang]}), facet_top=args.top)
        officials = [v["value"] for v in record["facets"]["official"]][:args.top]
        one_word = [v for v in officials if not is_full_name(v)]
        surnames = {latin_surname(v) for v in officials if is_full_name(v)}
        entry = {"top": len(officials), "one_word": len(one_word), "one_word_values": one_word[:40]}
        if lang == "it":
            entry["lone_surnames_of_a_full_name"] = [v for v in one_word if v in surnames]
            journalists = authors(engine, lang)
            entry["authors_in_top_50"] = [v for v in officials[:50] if v in journalists]
            entry["places"] = [(v["value"], v.get("parent", ""), v["count"]) for v in record["facets"].get("place", [])][:15]
        out[lang] = entry
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
