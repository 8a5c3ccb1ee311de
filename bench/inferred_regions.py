#!/usr/bin/env python3
"""How often a region inferred from an official is the right one (issue 30).

Two samples of the Russian documents of an index built from the real
corpora (``search-index ../shared/corpora/ru_news.jsonl.gz ...``):

* **natural**: the documents that name no region and get one inferred from
  an official. Their truth needs a reader: the verdicts of one are in
  ``bench/data/inferred_regions_checked.tsv`` (id, region, right/wrong, why);
  the bench counts them and says which documents no one has judged.
* **masked**: documents that name a region's head in office at the
  document's date (``office_terms.tsv``) AND that region. Every mention of
  the region the gazetteer finds (its names, aliases, cities, in the title
  and the body) is masked out, the entities are extracted again, and the
  region inferred is checked against the one the text named: right, wrong
  (another region), none. A document whose region is still found after
  masking (a mention the gazetteer does not see as one when masked) is
  counted apart.

Usage: python bench/inferred_regions.py --index DIR [--sample 150] [--seed 30]
Prints the counts; ``--list`` also prints each masked document's id, the
region and what was inferred.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.analysis.lemmatizer import Lemmatizer  # noqa: E402
from index.entities.extractor import EntityExtractor  # noqa: E402
from index.entities.office_terms import office_terms  # noqa: E402
from index.records import Document  # noqa: E402
from index.store.schema import INFERRED_REGIONS_KEY, UNKNOWN_YEAR  # noqa: E402
from search.engine import SearchEngine  # noqa: E402

CHECKED = ROOT / "bench" / "data" / "inferred_regions_checked.tsv"
MASK = "…"  # what a masked mention becomes


def split(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v]


def inferred_of(stored: dict) -> list[str]:
    return [item["region"] for item in (stored.get("roles") or {}).get(INFERRED_REGIONS_KEY) or ()]


def named_of(stored: dict) -> list[str]:
    inferred = set(inferred_of(stored))
    return [r for r in split(stored.get("region")) if r not in inferred]


def russian_documents(engine: SearchEngine):
    view = engine.backend.view()
    for docnum in range(len(view.live)):
        if view.live[docnum]:
            stored = view.stored(docnum)
            if stored.get("lang") == "ru":
                yield stored


def headed_and_named(stored: dict) -> list[tuple[str, str]]:
    """(person, region): the regions the document names whose head in
    office at its date it names too."""
    terms = office_terms()
    named = set(named_of(stored))
    date = stored.get("date") or None
    out = []
    for person in split(stored.get("official")):
        term = terms.regional_term(person, date) if date else None
        if term is not None and term.region in named:
            out.append((person, term.region))
    return out


def masked(extractor: EntityExtractor, text: str, region: str) -> str:
    """``text`` with every mention of ``region`` the gazetteer finds masked."""
    tokens = extractor.tokens(text)
    regions, _ = extractor.gazetteer.extract(tokens)
    spans = [(tokens[m.start].start, tokens[m.end - 1].end) for m in regions if m.value == region]
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + MASK + text[end:]
    return text


def document_of(stored: dict, title: str, body: str) -> Document:
    year = stored.get("year")
    return Document(id=stored["id"], path=stored.get("path") or "", lang="ru", title=title,
                    date=stored.get("date") or None,
                    year=int(year) if year and year != UNKNOWN_YEAR else None, body=body, source_text=body)


def judge_masked(extractor: EntityExtractor, stored: dict, region: str) -> tuple[str, list[str]]:
    doc = document_of(stored, masked(extractor, stored.get("title", ""), region),
                      masked(extractor, stored.get("body", ""), region))
    ents = extractor.extract(doc)
    inferred = [item["region"] for item in ents.inferred_regions]
    named = [r for r in ents.regions if r not in inferred]
    if region in named:
        return "still named", inferred
    if region in inferred:
        return "right", inferred
    return ("wrong" if inferred else "none"), inferred


def read_checked() -> dict[str, tuple[str, str]]:
    out = {}
    if CHECKED.exists():
        for line in CHECKED.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                cols = line.split("\t")
                out[cols[0]] = (cols[1], cols[2])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", required=True, help="an index of ../shared/corpora/ru_news.jsonl.gz")
    parser.add_argument("--sample", type=int, default=150, help="masked documents to check (default 150)")
    parser.add_argument("--seed", type=int, default=30)
    parser.add_argument("--list", action="store_true", help="each masked document's id, region and what was inferred")
    args = parser.parse_args()

    started = time.perf_counter()
    engine = SearchEngine(args.index)
    natural, candidates, russian = [], [], 0
    for stored in russian_documents(engine):
        russian += 1
        if inferred_of(stored) and not named_of(stored):
            natural.append((stored["id"], inferred_of(stored)))
        pairs = headed_and_named(stored)
        if pairs:
            candidates.append((stored, pairs[0]))
    print(f"Russian documents: {russian}; naming a region's head in office and no region: {len(natural)}; "
          f"naming a region's head in office and that region: {len(candidates)}")

    checked = read_checked()
    verdicts = Counter(checked[doc_id][1] if doc_id in checked else "not judged" for doc_id, _ in natural)
    print(f"natural sample: {len(natural)} documents; judged by a reader: "
          + ", ".join(f"{k} {v}" for k, v in sorted(verdicts.items())))
    unjudged = [doc_id for doc_id, _ in natural if doc_id not in checked]
    if unjudged:
        print("  not judged: " + ", ".join(unjudged))

    extractor = EntityExtractor(Lemmatizer())
    extractor.use_registry(extractor.registry_for(Path(args.index)))
    sample = random.Random(args.seed).sample(candidates, min(args.sample, len(candidates)))
    outcomes: Counter = Counter()
    for stored, (person, region) in sample:
        outcome, inferred = judge_masked(extractor, stored, region)
        outcomes[outcome] += 1
        if args.list:
            print(f"  {stored['id']}\t{stored.get('date')}\t{person}\t{region}\t{outcome}\t{', '.join(inferred)}")
    judged = sum(outcomes[k] for k in ("right", "wrong", "none"))
    print(f"masked sample: {len(sample)} documents, {judged} with the region masked out: "
          f"right {outcomes['right']}, wrong {outcomes['wrong']}, none {outcomes['none']}"
          f" ({outcomes['still named']} still named after masking, left out)")
    print(f"time: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
