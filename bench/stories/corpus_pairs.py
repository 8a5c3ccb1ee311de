"""The story step's copy detection over the raw corpora, without a build:
each document cleaned as the build cleans it and its title and body
lemmatized with the index's chain (stop words out; no entities), signed as the build signs it
(``index/stories/traits.py``), and every pair the LSH finds with its
estimated similarity. For the hand check and the group counts when a full
build of ../shared/corpora is out of reach (the cross-language pairs need
the entities, so a build).

    python bench/stories/corpus_pairs.py --out pairs.json
    python bench/stories/corpus_pairs.py --out pairs.json --groups   # counts from a written file
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from datasketch import MinHash, MinHashLSH  # noqa: E402

from index.analysis.chain import load_stop_words  # noqa: E402
from index.analysis.lemmatizer import Lemmatizer  # noqa: E402
from index.analysis.tokens import LemmaTokens  # noqa: E402
from index.ingest.reader import Ingestor, read_raw  # noqa: E402
from index.records import Rejection  # noqa: E402
from index.stories.traits import MINHASH_SCHEME, TraitMaker  # noqa: E402

LOWEST = 0.3  # pairs from here on are listed, to see what lies below the threshold too


def signatures(corpora: Path) -> dict[str, tuple[str, np.ndarray]]:
    """Each document as the build reads it (``Ingestor``: decoded, site
    furniture and bylines out), its title's and body's lemmas signed."""
    lemmatizer = Lemmatizer()
    tokens, stop, ingestor = LemmaTokens(lemmatizer), load_stop_words(), Ingestor(lemmatizer=lemmatizer)
    maker = TraitMaker(tokens)
    out = {}
    for path in sorted(corpora.glob("*.jsonl.gz")):
        for raw in read_raw([path]):
            doc = ingestor.ingest(raw) if not isinstance(raw, Rejection) else raw
            if isinstance(doc, Rejection):
                continue
            lemmas = [t.lemma for text in (doc.title, doc.body) for t in tokens(text) if t.is_word and t.lemma not in stop]
            signature = maker.signature(maker.lemma_hashes(lemmas))
            if signature is not None:
                out[doc.id] = (path.name, signature)
    return out


def pairs(signed: dict[str, tuple[str, np.ndarray]], permutations: int) -> list[tuple[str, str, float]]:
    def minhash(signature):
        return MinHash(hashvalues=signature.astype(np.uint64), scheme=MINHASH_SCHEME)

    lsh = MinHashLSH(threshold=LOWEST, num_perm=permutations)
    with lsh.insertion_session() as session:
        for doc_id, (_, signature) in signed.items():
            session.insert(doc_id, minhash(signature))
    out = []
    for doc_id, (_, signature) in signed.items():
        for other in lsh.query(minhash(signature)):
            if other > doc_id:
                out.append((doc_id, other, float(np.count_nonzero(signature == signed[other][1])) / len(signature)))
    return out


def groups(found: list, threshold: float) -> list[set[str]]:
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for a, b, similarity in found:
        if similarity >= threshold:
            parent[root(a)] = root(b)
    by_root: dict[str, set[str]] = {}
    for x in parent:
        by_root.setdefault(root(x), set()).add(x)
    return [g for g in by_root.values() if len(g) > 1]


def main() -> int:
    from index.stories.settings import story_settings

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--groups", action="store_true", help="read --out instead of computing it")
    args = parser.parse_args()
    settings = story_settings()
    if not args.groups:
        signed = signatures(args.corpora)
        found = pairs(signed, settings.permutations)
        corpus_of = {doc_id: name for doc_id, (name, _) in signed.items()}
        args.out.write_text(json.dumps({"corpus_of": corpus_of, "pairs": found}), encoding="utf-8")
    data = json.loads(args.out.read_text(encoding="utf-8"))
    found, corpus_of = data["pairs"], data["corpus_of"]
    bands = Counter(min(int(s * 10) / 10, 0.9) for _, _, s in found)
    print("pairs by similarity: " + ", ".join(f"{b:.1f}+: {c}" for b, c in sorted(bands.items())))
    for name in sorted(set(corpus_of.values())):
        mine = groups([p for p in found if corpus_of[p[0]] == name], settings.same_story)
        group_of = {doc: i for i, g in enumerate(mine) for doc in g}
        by_prefix: dict[str, list[str]] = {}
        with gzip.open(args.corpora / name, "rt", encoding="utf-8") as handle:
            for doc in map(json.loads, handle):
                if doc.get("text"):
                    by_prefix.setdefault(doc["text"][:400], []).append(doc["id"])
        same_start = [ids for ids in by_prefix.values() if len(ids) > 1]
        whole = sum(1 for ids in same_start if len({group_of.get(d, d) for d in ids}) == 1)
        print(f"{name}: {sum(len(g) for g in mine)} documents in {len(mine)} groups at similarity >= "
              f"{settings.same_story}; of the {len(same_start)} groups of documents with the same first 400 "
              f"characters, {whole} wholly in one group")
    return 0


if __name__ == "__main__":
    sys.exit(main())
