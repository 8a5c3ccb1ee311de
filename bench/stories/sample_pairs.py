"""Pairs the story step merged, sampled for checking by hand (issue 33).

    python bench/stories/sample_pairs.py --index DIR sample [--n 110] > pairs.tsv
    python bench/stories/sample_pairs.py --index DIR show pairs.tsv [--chars 700]
    python bench/stories/sample_pairs.py --index DIR score bench/stories/verdicts.tsv

``sample`` draws merged pairs (seeded), over-weighting the borderline ones
(similarity within 0.1 of the ``same_story`` threshold) and taking every
pair joined across languages; ``show`` prints both texts of each pair from
../shared/corpora for reading; ``score`` counts the verdicts a reader wrote
in the last column (``same`` or ``different``). Only ids, similarities and
verdicts are written: no text of the corpora.
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from index.stories.grouping import StoryIndex  # noqa: E402
from index.stories.settings import story_settings  # noqa: E402
from index.stories.state import load_state  # noqa: E402

BORDER = 0.1


def merged_pairs(index_dir: Path) -> list[tuple[str, str, str, float]]:
    state = load_state(index_dir, story_settings().permutations)
    traits = {t.id: t for t in state.traits}
    out = []
    for (a, b), kind in sorted(state.pairs.items()):
        sa, sb = traits[a].signature, traits[b].signature
        out.append((a, b, kind, round(StoryIndex.similarity(sa, sb), 3) if sa is not None and sb is not None else 0.0))
    return out


def sample(pairs, n: int, seed: int = 33) -> list:
    rng = random.Random(seed)
    threshold = story_settings().same_story
    translations = [p for p in pairs if p[2] == "translation"]
    border = [p for p in pairs if p[2] == "copy" and p[3] < threshold + BORDER]
    rest = [p for p in pairs if p[2] == "copy" and p[3] >= threshold + BORDER]
    picked = translations[:]
    picked += rng.sample(border, min(len(border), max(0, n - len(picked)) // 2))
    picked += rng.sample(rest, min(len(rest), max(0, n - len(picked))))
    return sorted(picked, key=lambda p: p[3])


def texts(corpora: Path) -> dict[str, dict]:
    out = {}
    for path in sorted(corpora.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for doc in map(json.loads, handle):
                out[doc["id"]] = doc
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("action", choices=("sample", "show", "score"))
    parser.add_argument("pairs", type=Path, nargs="?")
    parser.add_argument("--n", type=int, default=110)
    parser.add_argument("--chars", type=int, default=700)
    args = parser.parse_args()
    if args.action == "sample":
        pairs = merged_pairs(args.index)
        print(f"# {len(pairs)} pairs merged; sampled (seed 33), borderline: similarity < threshold + {BORDER}")
        print("doc_a\tdoc_b\tkind\tsimilarity\tverdict")
        for a, b, kind, sim in sample(pairs, args.n):
            print(f"{a}\t{b}\t{kind}\t{sim}\t")
        return 0
    rows = [line.split("\t") for line in args.pairs.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith(("#", "doc_a"))]
    if args.action == "show":
        docs = texts(args.corpora)
        for number, (a, b, kind, sim, *_) in enumerate(rows, 1):
            print(f"===== {number}. {a} | {b} | {kind} {sim}")
            for doc_id in (a, b):
                d = docs.get(doc_id, {})
                text = " ".join((d.get("text") or "").split())
                print(f"--- {doc_id} {d.get('date')} {d.get('source')} len={len(d.get('text') or '')}: {d.get('title')}")
                print(text[:args.chars] + (" … " + text[-args.chars // 2:] if len(text) > args.chars else ""))
        return 0
    verdicts = [r[4].strip() for r in rows if len(r) > 4 and r[4].strip()]
    same = sum(1 for v in verdicts if v == "same")
    print(f"{len(verdicts)} pairs judged: {same} same story, {len(verdicts) - same} not; "
          f"precision {same / max(len(verdicts), 1):.1%}")
    for kind in ("copy", "translation"):
        judged = [r for r in rows if len(r) > 4 and r[4].strip() and r[2] == kind]
        if judged:
            print(f"  {kind}: {sum(1 for r in judged if r[4].strip() == 'same')} of {len(judged)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
