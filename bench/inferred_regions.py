#!/usr/bin/env python3
"""How often a region inferred from an official is the right one (issue 30).

Reads the Russian corpus (``../shared/corpora/ru_news.jsonl.gz``) and runs
the entity extractor on the articles that contain the surname of a region's
head in office at their date (a cheap prefilter: an article without one
cannot get a region inferred), then makes two samples:

* **natural**: the articles that name no region and get one inferred from
  an official. Their truth needs a reader: the verdicts of one are in
  ``bench/data/inferred_regions_checked.tsv`` (id, region, right/wrong, why);
  the bench counts them and lists the articles no one has judged.
* **masked**: articles that name a region's head in office at the article's
  date (``office_terms.tsv``) AND that region. Every mention of the region
  the gazetteer finds (its names, aliases, cities, in the title and the
  body) is masked out, the entities are extracted again, and the region
  inferred is checked against the one the text named: right, wrong
  (another region), none. An article whose region is still found after
  masking is counted apart.

Usage: python bench/inferred_regions.py [--corpus ../shared/corpora/ru_news.jsonl.gz] [--sample 150] [--seed 30] [--list]
Prints the counts (``--list``: each masked article's id, date, person,
region, outcome and what was inferred).
"""
from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.analysis.lemmatizer import Lemmatizer  # noqa: E402
from index.entities.extractor import EntityExtractor  # noqa: E402
from index.entities.office_terms import office_terms  # noqa: E402
from index.entities.persons import name_words, surname_stem  # noqa: E402
from index.ingest.reader import Ingestor, read_jsonl  # noqa: E402
from index.records import Document  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpora" / "ru_news.jsonl.gz"
CHECKED = ROOT / "bench" / "data" / "inferred_regions_checked.tsv"
MASK = "…"  # what a masked mention becomes


@lru_cache(maxsize=None)
def head_surnames(date: str | None) -> re.Pattern:
    """A word starting as the surname of a region's head in office at
    ``date`` (undated: any) does."""
    stems = sorted({stem for term, stem in _heads() if term.holds(date) and len(stem) >= 3})
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, stems)) + ")")


@lru_cache(maxsize=1)
def _heads():
    return [(t, surname_stem(name_words(t.person)[-1])) for t in office_terms().terms if t.kind == "head"]


def may_infer(doc: Document) -> bool:
    return bool(head_surnames(doc.date).search((doc.title + "\n" + doc.body).lower().replace("ё", "е")))


def headed_and_named(ents, date: str | None) -> list[tuple[str, str]]:
    """(person, region): the regions an article names whose head in office
    at its date it names too."""
    inferred = {item["region"] for item in ents.inferred_regions}
    named = {r for r in ents.regions if r not in inferred}
    out = []
    for person in ents.officials:
        term = office_terms().regional_term(person, date) if date else None
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


def judge_masked(extractor: EntityExtractor, doc: Document, region: str) -> tuple[str, list[str]]:
    masked_doc = Document(id=doc.id, path=doc.path, lang=doc.lang, date=doc.date, year=doc.year,
                          title=masked(extractor, doc.title, region), body=masked(extractor, doc.body, region),
                          source_text="")
    ents = extractor.extract(masked_doc)
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
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the Russian corpus (JSON Lines, gzipped or not)")
    parser.add_argument("--sample", type=int, default=150, help="masked articles to check (default 150)")
    parser.add_argument("--seed", type=int, default=30)
    parser.add_argument("--list", action="store_true", help="each masked article's id, region and what was inferred")
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2

    started = time.perf_counter()
    lemmatizer = Lemmatizer()
    ingestor, extractor = Ingestor(lemmatizer=lemmatizer), EntityExtractor(lemmatizer)
    natural, candidates, russian, read = [], [], 0, 0
    for raw in read_jsonl(args.corpus):
        doc = ingestor.ingest(raw) if hasattr(raw, "text") else raw  # a Rejection stays one
        if not isinstance(doc, Document) or doc.lang != "ru":
            continue
        russian += 1
        if not may_infer(doc):
            continue
        read += 1
        ents = extractor.extract(doc)
        inferred = [item["region"] for item in ents.inferred_regions]
        if inferred and not [r for r in ents.regions if r not in inferred]:
            natural.append((doc.id, inferred, bool(doc.date)))
        pairs = headed_and_named(ents, doc.date)
        if pairs:
            candidates.append((doc, pairs[0]))
    print(f"Russian articles: {russian}, {read} with a region head's surname read by the extractor; "
          f"naming a head in office and no region, with one inferred: {len(natural)}; "
          f"naming a head in office and that region: {len(candidates)} ({time.perf_counter() - started:.0f} s)")

    checked = read_checked()
    for label, dated in (("dated", True), ("undated", False)):
        verdicts = Counter(checked[doc_id][1] if doc_id in checked else "not judged"
                           for doc_id, _, has_date in natural if has_date == dated)
        print(f"natural sample, {label}: {sum(verdicts.values())} articles; judged by a reader: "
              + ", ".join(f"{k} {v}" for k, v in sorted(verdicts.items())))
    for doc_id, inferred, _ in natural:
        if doc_id not in checked:
            print(f"  not judged: {doc_id}\t{', '.join(inferred)}")

    sample = random.Random(args.seed).sample(candidates, min(args.sample, len(candidates)))
    outcomes: Counter = Counter()
    for doc, (person, region) in sample:
        outcome, inferred = judge_masked(extractor, doc, region)
        outcomes[outcome] += 1
        if args.list:
            print(f"  {doc.id}\t{doc.date}\t{person}\t{region}\t{outcome}\t{', '.join(inferred)}")
    judged = sum(outcomes[k] for k in ("right", "wrong", "none"))
    print(f"masked sample: {len(sample)} articles, {judged} with the region masked out: "
          f"right {outcomes['right']}, wrong {outcomes['wrong']}, none {outcomes['none']}"
          f" ({outcomes['still named']} still named after masking, left out)")
    print(f"time: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
