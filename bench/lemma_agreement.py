"""Do the query side and the index agree on a word's lemma?

The index lemmatizes each word where it stands (a capitalized word may be
read as a name); a query word is lemmatized alone. Where the two disagree,
a word the index holds finds fewer documents than hold it as typed. This
asks, of typed words, how many documents hold the form typed (the exact
field) and how many of those the word finds as a query (no glossary, other
script or entities, every copy of a story), and prints the words that miss
some:

    python bench/lemma_agreement.py INDEX_DIR

The words: the bench's rare-term queries (``bench.py``'s ``make_queries``),
and every distinct surname of the officials facet (its last word), typed in
lower case and capitalized, and every form of it the index holds, in lower
case. Run it with the code before and after a change to compare.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import index  # noqa: E402,F401  (sets one BLAS thread before numpy loads)

from index.analysis.lemmatizer import fold_yo  # noqa: E402
from search.compile import NO_EXPANSIONS  # noqa: E402
from search.engine import SearchEngine  # noqa: E402
from search.paging import matched_mask  # noqa: E402


def found_of(engine: SearchEngine, view, typed: str) -> tuple[int, int, int, bool]:
    """(documents holding the form typed, of them found by the word, found
    in all, whether the forms found list any form), over live documents."""
    parsed = engine.parse(typed)
    plan = engine.plan(parsed, view, NO_EXPANSIONS)
    found = matched_mask(view, engine._query(parsed, NO_EXPANSIONS, view, plan=plan))
    form = fold_yo(typed.lower())
    ids = view.postings.postings("exact", form)[0]
    holding = ids[view.live[ids]]
    explain = engine._explain(view, parsed, found, NO_EXPANSIONS, plan)
    return len(holding), int(found[holding].sum()), int(found.sum()), any(e["forms"] for e in explain)


def surnames(view) -> list[str]:
    column = view.facet_column("official")
    names = {fold_yo(value.split()[-1].lower()) for value in column.values if value.split()} if column else set()
    return sorted(n for n in names if n.isalpha() and len(n) > 2)


def report(engine: SearchEngine, view, label: str, words: list[str]) -> dict:
    words = list(dict.fromkeys(words))
    none, fewer, unexplained, missed = [], [], [], 0
    for word in words:
        holding, found_holding, found, forms_listed = found_of(engine, view, word)
        if holding and not found:
            none.append(word)
        elif found_holding < holding:
            fewer.append(f"{word} ({found_holding} of {holding})")
        if found and not forms_listed:
            unexplained.append(word)
        missed += holding - found_holding
    print(f"{label}: {len(words)} words; found nothing {len(none)}, fewer documents than hold the form "
          f"{len(fewer)}, documents holding a form typed and not found {missed}; "
          f"found documents but listed no form found {len(unexplained)}")
    for name, items in (("nothing", none), ("fewer", fewer), ("no form listed", unexplained)):
        if items:
            print(f"  {name}: {', '.join(items[:40])}{' …' if len(items) > 40 else ''}")
    return {"words": len(words), "found_nothing": none, "found_fewer": fewer, "documents_missed": missed,
            "no_form_listed": unexplained}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("index", type=Path)
    parser.add_argument("--per-class", type=int, default=60)
    parser.add_argument("--json", type=Path, help="write the counts and words here too")
    parser.add_argument("--no-acronyms", action="store_true",
                        help="without the ranking's capitalized reading of a lower-case word (search/ranking.py)")
    args = parser.parse_args()
    from bench import make_queries

    engine = SearchEngine(args.index)
    if args.no_acronyms:
        engine.ranking = replace(engine.ranking, acronyms=False)
    view = engine._view()
    rare = [r.q for r in make_queries(engine, args.per_class)["rare term"]]
    names = surnames(view)
    forms = sorted({form for name in names for lemma in {engine.lemmatizer.lemma(name, True), name}
                    for form in view.forms(lemma)})
    results = {
        "rare terms": report(engine, view, "rare-term queries", rare),
        "surnames, lower case": report(engine, view, "officials' surnames typed in lower case", names),
        "surnames, capitalized": report(engine, view, "officials' surnames capitalized",
                                        [n.capitalize() for n in names]),
        "surname forms": report(engine, view, "every form of them the index holds", forms),
    }
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
