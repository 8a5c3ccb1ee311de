"""The stories of a real index (issue 33): how many near-duplicate groups
the build found, how they compare with the copies that share their first
400 characters, and whether any story appears twice in the first 50 hits
of a few queries (it must not; without collapsing, the issue counted 6, 7
and 4 for the first three).

    python bench/stories_check.py --index DIR [--corpora ../shared/corpora]

Exits 1 if a story, or two documents with the same first 400 characters,
appear twice in a collapsed first page of 50.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.stories.files import load_stories  # noqa: E402
from search.engine import SearchEngine, SearchRequest  # noqa: E402

QUERIES = ("Путин", "губернатор", "Газпром", "промышленность", "Russia", "sindaco", "Modena", "impresa")
PREFIX = 400
FIRST = 50


def corpus_prefixes(corpora: Path) -> dict[str, dict[str, str]]:
    """Per corpus file: id -> its text's first 400 characters."""
    out = {}
    for path in sorted(corpora.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            out[path.name] = {d["id"]: (d.get("text") or "")[:PREFIX] for d in map(json.loads, handle) if d.get("text")}
    return out


def prefix_groups(prefixes: dict[str, str]) -> list[list[str]]:
    by_prefix = defaultdict(list)
    for doc_id, prefix in prefixes.items():
        by_prefix[prefix].append(doc_id)
    return [ids for ids in by_prefix.values() if len(ids) > 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    args = parser.parse_args()
    stories = load_stories(args.index)
    story_of = {doc: sid for sid, s in stories.items() for doc in s["members"]}
    sizes = Counter(len(s["members"]) for s in stories.values())
    print(f"stories of two or more documents: {len(stories)}, holding {len(story_of)} documents; "
          f"translations: {sum(1 for s in stories.values() if s['translation'])}")
    print("  sizes: " + ", ".join(f"{n} documents: {c}" for n, c in sorted(sizes.items())))
    prefixes = corpus_prefixes(args.corpora)
    all_prefixes = {}
    for name, by_id in prefixes.items():
        all_prefixes.update(by_id)
        in_corpus = [sid for sid in stories if sid in by_id]
        groups = prefix_groups(by_id)
        whole = sum(1 for g in groups if len({story_of.get(d, d) for d in g}) == 1)
        print(f"{name}: {sum(len(s['members']) for sid, s in stories.items() if sid in by_id)} documents in "
              f"{len(in_corpus)} stories; {sum(len(g) for g in groups)} documents in {len(groups)} groups with the same "
              f"first {PREFIX} characters, {whole} of those groups wholly in one story")
    engine = SearchEngine(args.index)
    failed = False
    print(f"\nfirst {FIRST} hits: stories shown twice without collapsing -> collapsed (stories twice; same first "
          f"{PREFIX} characters twice)")
    for q in QUERIES:
        every = engine.search(SearchRequest(q, per_page=FIRST, collapse=False))
        shown = engine.search(SearchRequest(q, per_page=FIRST))
        twice_before = sum(1 for c in Counter(h["story"] for h in every["hits"]).values() if c > 1)
        twice_after = sum(1 for c in Counter(h["story"] for h in shown["hits"]).values() if c > 1)
        same_prefix = sum(1 for c in Counter(all_prefixes.get(h["id"], h["id"]) for h in shown["hits"]).values() if c > 1)
        failed |= bool(twice_after or same_prefix)
        print(f"  {q:16} {every['total']:>6} documents, {shown['total']:>6} stories; twice: {twice_before:>2} -> "
              f"{twice_after} ({same_prefix})")
    print("\nFAILED: a story appears twice" if failed else "\nno story appears twice")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
