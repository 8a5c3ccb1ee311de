"""Measure person and location extraction against third-party gold sets.

    python bench/eval_entities.py [--shared ../shared] [--limit N]

factRuEval-2016 (development and test sets, as natasha's own evaluation
reads them): person and location mentions, precision/recall/F1 with exact
span match and per token, counted as natasha's evaluation counts them
(its published scores are per token). SlavicNER (Russian): how often a
person mention's normalized form equals the gold lemma. KIND (Italian
Wikinews, test split): person mentions found by the Latin-script rules.
The gold sets are read from ``../shared/eval`` and never copied; without them
the script says so and exits 0.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.analysis.lemmatizer import Lemmatizer, fold_yo  # noqa: E402
from index.entities.extractor import EntityExtractor  # noqa: E402
from razdel import tokenize  # noqa: E402

# natasha's own published news-NER F1 on factRuEval-2016 (natasha/slovnet README, naeval)
NATASHA_PUBLISHED = {"PER": 0.959, "LOC": 0.915}


def prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
            "predicted": n_pred, "gold": n_gold}


def token_f1(pred: list[tuple[int, int]], gold: list[tuple[int, int]], tokens: list[tuple[int, int]]) -> tuple[int, int, int]:
    """Token-level counts as natasha's evaluation (naeval, ner/score.py)
    makes them, so the scores compare with its published ones: the text's
    razdel tokens, spans whose bounds are not token bounds dropped, and a
    token inside a span counts as that span's (IO tags)."""
    def tags(spans):
        starts, stops = {s for s, _ in tokens}, {e for _, e in tokens}
        spans = sorted((a, b) for a, b in spans if a in starts and b in stops)
        inside, k = set(), 0
        for i, (start, stop) in enumerate(tokens):
            if k < len(spans):
                if start >= spans[k][0]:
                    inside.add(i)
                if stop >= spans[k][1]:
                    k += 1
        return inside
    p, g = tags(pred), tags(gold)
    return len(p & g), len(p), len(g)


def _without_overlaps(spans: list[tuple]) -> list[tuple]:
    """Spans that start inside an earlier (or longer) one are dropped."""
    kept, previous = [], None
    for span in sorted(spans, key=lambda s: (s[0], -s[1])):
        if previous and previous[1] > span[0]:
            continue
        kept.append(span)
        previous = span
    return kept


def factru_gold(base: Path) -> dict[str, list[tuple[int, int]]]:
    """Gold persons and locations of one factRuEval text, built the way
    natasha's own evaluation (naeval, ner/adapt.py) builds them, so the
    scores compare with its published ones: a person is its whole mention,
    a location only its name spans (not "город", "республика"), an
    organization its name spans, and a span inside another is dropped
    (the location in "МИД Грузии" belongs to the organization)."""
    spans = {}
    for line in Path(str(base) + ".spans").read_text(encoding="utf-8").splitlines():
        f = line.split()
        spans[f[0]] = (f[1], int(f[2]), int(f[2]) + int(f[3]))
    selected = []
    for line in Path(str(base) + ".objects").read_text(encoding="utf-8").splitlines():
        f = line.split("#")[0].split()
        parts = [spans[s] for s in f[2:] if s in spans]
        if not parts:
            continue
        if f[1] == "Person":
            selected.append((min(a for _, a, _ in parts), max(b for _, _, b in parts), "PER"))
        elif f[1] in ("Org", "Location", "LocOrg"):
            kind, wanted = ("ORG", "org_name") if f[1] == "Org" else ("LOC", "loc_name")
            selected += _without_overlaps([(a, b, kind) for t, a, b in parts if t == wanted])
    gold = defaultdict(list)
    for start, stop, kind in _without_overlaps(selected):
        gold[kind].append((start, stop))
    # every location name, inside an organization's name too: a region named
    # in "Правительство Ленинградской области" is a region for the facet
    gold["LOC_any"] = [(a, b) for a, b, kind in selected if kind == "LOC"]
    return gold


def factrueval(extractor: EntityExtractor, roots: list[Path], limit: int | None) -> dict:
    docs = [txt for root in roots for txt in sorted(root.glob("book_*.txt"))[:limit]]
    exact = defaultdict(lambda: [0, 0, 0])
    tokens_acc = defaultdict(lambda: [0, 0, 0])
    ner = extractor.officials
    for txt in docs:
        base = txt.with_suffix("")
        text = txt.read_text(encoding="utf-8")
        gold = factru_gold(base)
        toks = [(t.start, t.stop) for t in tokenize(text)]
        # persons as the pipeline marks them (NER + the not-a-person filters),
        # and those of them that are officials facet values (not lone first names)
        kept = ner.link(ner.russian(text))
        pred = {"PER": [(m.start, m.end) for m in kept], "PER_officials": [(m.start, m.end) for m in kept if m.official]}
        gold["PER_officials"] = gold["PER"]
        # locations as natasha tags them (the pipeline's regions are a gazetteer, measured below)
        doc = ner._Doc(text)
        doc.segment(ner.segmenter)
        doc.tag_ner(ner.ner_tagger)
        pred["LOC"] = [(s.start, s.stop) for s in doc.spans if s.type == "LOC"]
        # natasha's own person spans on the whole text, for comparison with its published score
        pred["PER_natasha"] = [(s.start, s.stop) for s in doc.spans if s.type == "PER"]
        gold["PER_natasha"] = gold["PER"]
        for kind in ("PER", "PER_officials", "LOC", "PER_natasha"):
            g, p = set(gold[kind]), set(pred[kind])
            exact[kind][0] += len(g & p)
            exact[kind][1] += len(p)
            exact[kind][2] += len(g)
            tp, npred, ngold = token_f1(pred[kind], gold[kind], toks)
            tokens_acc[kind][0] += tp
            tokens_acc[kind][1] += npred
            tokens_acc[kind][2] += ngold
        # region gazetteer: are its matches gold locations?
        body_tokens = extractor.tokens(text)
        regions, _ = extractor.gazetteer.extract(body_tokens)
        for m in regions:
            span = (body_tokens[m.start].start, body_tokens[m.end - 1].end)
            hit = any(a < span[1] and span[0] < b for a, b in gold["LOC_any"])  # overlaps a location name
            exact["REGION"][0] += hit
            exact["REGION"][1] += 1
    out = {"documents": len(docs)}
    for kind in ("PER", "PER_officials", "LOC", "PER_natasha"):
        out[kind] = {"exact_span": prf(*exact[kind]), "token": prf(*tokens_acc[kind]),
                     "natasha_published_f1": NATASHA_PUBLISHED[kind.split("_")[0]]}
    tp, n, _ = exact["REGION"]
    out["REGION_gazetteer_precision"] = round(tp / n, 3) if n else None
    out["REGION_matches"] = n
    return out


def slavicner(extractor: EntityExtractor, root: Path, limit: int | None) -> dict:
    """Normalization of person mentions: the pipeline's kept mentions, and
    every span natasha tags as a person (its normal form)."""
    ner_files = sorted((root / "ner").rglob("*.tsv"))[:limit]
    ner = extractor.officials
    counts = defaultdict(int)
    for tsv in ner_files:
        raw = root / "raw" / tsv.relative_to(root / "ner").with_suffix(".txt")
        if not raw.exists():
            continue
        text = raw.read_text(encoding="utf-8")
        gold = []
        for line in tsv.read_text(encoding="utf-8").splitlines():
            f = line.split("\t")
            if len(f) >= 5 and f[4] == "PER" and f[0].isdigit():
                gold.append((int(f[0]), int(f[1]), fold_yo(f[3].strip().lower())))
        if not gold:
            continue
        kept = ner.link(ner.russian(text))
        doc = ner._Doc(text)
        doc.segment(ner.segmenter)
        doc.tag_ner(ner.ner_tagger)
        doc.tag_morph(ner.morph_tagger)
        tagged = [sp for sp in doc.spans if sp.type == "PER"]
        for sp in tagged:
            sp.normalize(ner.morph_vocab)
        for start, end, lemma in gold:
            counts["gold"] += 1
            mention = next((m for m in kept if m.start < end and start < m.end), None)
            if mention is not None:
                counts["kept"] += 1
                counts["kept_exact"] += fold_yo((mention.normal or "").lower()) == lemma
            span = next((sp for sp in tagged if sp.start < end and start < sp.stop), None)
            if span is not None:
                counts["tagged"] += 1
                counts["tagged_exact"] += fold_yo(span.normal.lower()) == lemma

    def share(a: str, b: str):
        return round(counts[a] / counts[b], 3) if counts[b] else None

    return {"files": len(ner_files), "gold_person_mentions": counts["gold"],
            "pipeline_mentions_found": counts["kept"], "pipeline_normalized_exactly": share("kept_exact", "kept"),
            "pipeline_normalized_count": counts["kept_exact"],
            "ner_spans_found": counts["tagged"], "ner_normalized_exactly": share("tagged_exact", "tagged")}


def kind(extractor: EntityExtractor, path: Path, limit: int | None) -> dict:
    """Sentences rebuilt from the token/tag file; persons found by the
    Latin-script rules (known and corpus names, names next to a role)."""
    text_parts, gold, pos = [], [], 0
    current = None
    sentences = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            text_parts.append("\n")
            pos += 1
            sentences += 1
            current = None  # a sentence's end ends its last person (the tags are IO)
            if limit and sentences >= limit:
                break
            continue
        token, tag = line.split("\t")[:2]
        start = pos
        text_parts.append(token + " ")
        pos += len(token) + 1
        # IO tags ("PER", "O"); B-/I- prefixes are accepted too
        kind_tag = tag.split("-")[-1]
        if kind_tag == "PER" and current is not None and not tag.startswith("B-"):
            current[1] = start + len(token)
        elif kind_tag == "PER":
            current = [start, start + len(token)]
            gold.append(current)
        else:
            current = None
    text = "".join(text_parts)
    pred = [(m.start, m.end) for m in extractor.officials.latin(text)]
    g = {tuple(x) for x in gold}
    overlap = sum(1 for p in pred if any(a < p[1] and p[0] < b for a, b in g))
    return {"sentences": sentences, "exact_span": prf(len(g & set(pred)), len(pred), len(g)),
            "overlap_precision": round(overlap / len(pred), 3) if pred else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--limit", type=int, help="documents (or sentences for KIND) per set, for a quick run")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args()
    eval_dir = args.shared / "eval"
    if not eval_dir.is_dir():
        print(f"no gold sets at {eval_dir}: nothing to measure (they are not shipped with the project)")
        return 0
    started = time.time()
    extractor = EntityExtractor(Lemmatizer())
    results = {}
    if (eval_dir / "factrueval2016" / "testset").is_dir():
        results["factrueval2016"] = factrueval(extractor, [eval_dir / "factrueval2016" / part for part in ("devset", "testset")], args.limit)
    if (eval_dir / "slavicner_ru").is_dir():
        results["slavicner_ru"] = slavicner(extractor, eval_dir / "slavicner_ru", args.limit)
    kind_test = eval_dir / "kind" / "dataset" / "wikinews_test.tsv"
    if kind_test.exists():
        results["kind_wikinews"] = kind(extractor, kind_test, args.limit)
    results["seconds"] = round(time.time() - started, 1)
    print(json.dumps(results, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
