"""Merge the judges' files (``judged-*.tsv`` in the judging folder) into
``judgments.tsv``: query id, doc id, grade, reason (for a 2). Only pooled
pairs are kept, grades must be 0-2, a pair judged twice keeps its first
judge's grade, and a reason that repeats four or more words of the article
in a row is dropped: nothing from the corpora goes into the repository.

    .venv/bin/python bench/relevance/merge.py --pool ../relevance-pool
"""
from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORD = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    words = [w.lower() for w in WORD.findall(text)]
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool", default="../relevance-pool")
    parser.add_argument("--out", default=str(HERE / "judgments.tsv"))
    args = parser.parse_args(argv)
    pool = Path(args.pool)
    texts: dict[tuple[str, str], str] = {}
    for part in sorted(pool.glob("part-*.jsonl")) + sorted(pool.glob("extra.jsonl")):
        for line in part.read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            texts[(d["query_id"], d["doc_id"])] = d["title"] + " " + d["text"]
    merged: dict[tuple[str, str], tuple[int, str]] = {}
    dropped = bad = 0
    for path in sorted(pool.glob("judged-*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            cells = [c.strip() for c in line.split("\t")]
            if len(cells) < 3 or line.startswith("#") or (cells[0], cells[1]) not in texts:
                bad += bool(line.strip()) and not line.startswith("#")
                continue
            try:
                grade = int(cells[2])
            except ValueError:
                bad += 1
                continue
            if grade not in (0, 1, 2) or (cells[0], cells[1]) in merged:
                bad += grade not in (0, 1, 2)
                continue
            reason = cells[3] if len(cells) > 3 and grade == 2 else ""
            if reason and shingles(reason) & shingles(texts[(cells[0], cells[1])]):
                reason, dropped = "", dropped + 1
            merged[(cells[0], cells[1])] = (grade, reason.replace("\t", " "))
    lines = ["# query id\tdoc id\tgrade (0-2)\treason for a 2 (the judge's own words)"]
    lines += [f"{q}\t{d}\t{g}\t{r}".rstrip("\t") for (q, d), (g, r) in sorted(merged.items())]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(merged)} judgments of {len(texts)} pooled documents; {len(texts) - len(merged)} unjudged, "
          f"{bad} lines not usable, {dropped} reasons dropped for quoting the article")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
