"""What compressed postings would save: the posting arrays of an index as
they are, and as blocks of 128 bit-packed values (each block as wide as its
widest value, plus a byte for the width) after delta-encoding, the layout
issue 34 asks for. Prints MB per part; nothing is written.

    python bench/posting_sizes.py INDEX_DIR

Document numbers are delta-encoded within each term (the first absolute);
positions within each posting; the positional terms' weights and position
offsets become one count per posting (the weights equal the counts for most
postings: printed); the term table's spans become document frequencies.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

BLOCK = 128


def packed_bytes(values: np.ndarray) -> int:
    if not len(values):
        return 0
    v = np.concatenate([values, np.zeros((-len(values)) % BLOCK, dtype=np.int64)]).reshape(-1, BLOCK)
    bits = np.ceil(np.log2(v.max(axis=1) + 1)).astype(np.int64)
    return int(bits.sum() * BLOCK // 8 + len(bits))


def runs(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    return np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(lengths.sum())


def estimate(prefix: Path) -> dict[str, tuple[float, float]]:
    """part -> (bytes now, bytes packed) for one set of arrays."""
    parts = {p: np.load(f"{prefix}_{p}.npy", mmap_mode="r") for p in ("ids", "weights", "posoff", "pos", "spans")}
    spans = np.asarray(parts["spans"]).reshape(-1, 3).astype(np.int64)
    spans = spans[spans[:, 1] > spans[:, 0]]
    ids = np.asarray(parts["ids"], dtype=np.int64)
    starts, counts = spans[:, 0], spans[:, 1] - spans[:, 0]
    deltas = np.diff(ids, prepend=0)
    deltas[starts] = ids[starts]
    positional = spans[spans[:, 2] >= 0]
    n = positional[:, 1] - positional[:, 0]
    offsets = np.asarray(parts["posoff"], dtype=np.int64)
    at = runs(positional[:, 2], n)
    per_posting = offsets[at + 1] - offsets[at]
    same = int((np.asarray(parts["weights"])[runs(positional[:, 0], n)] == per_posting).sum())
    pos = np.asarray(parts["pos"], dtype=np.int64)
    pos_deltas = np.diff(pos, prepend=0)
    firsts = offsets[at][per_posting > 0]
    pos_deltas[firsts] = pos[firsts]
    size = {p: a.nbytes for p, a in parts.items()}
    return {"document numbers": (size["ids"], packed_bytes(deltas)),
            "weights and position offsets -> counts": (size["weights"] + size["posoff"], packed_bytes(per_posting)),
            "positions": (size["pos"], packed_bytes(pos_deltas)),
            "term spans -> document frequencies": (size["spans"], packed_bytes(counts)),
            "_weights equal to counts": (same, len(per_posting))}


def main() -> int:
    index_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    if index_dir is None or not index_dir.is_dir():
        print(__doc__)
        return 2
    totals: dict[str, list[float]] = {}
    for spans in sorted(index_dir.glob("*_spans.npy")):
        for part, (now, packed) in estimate(Path(str(spans)[:-len("_spans.npy")])).items():
            total = totals.setdefault(part, [0, 0])
            total[0] += now
            total[1] += packed
    same, of = totals.pop("_weights equal to counts", (0, 0))
    for part, (now, packed) in totals.items():
        print(f"{part:<42} {now / 2**20:8.1f} MB -> {packed / 2**20:7.1f} MB")
    now, packed = sum(t[0] for t in totals.values()), sum(t[1] for t in totals.values())
    print(f"{'all':<42} {now / 2**20:8.1f} MB -> {packed / 2**20:7.1f} MB ({now / max(packed, 1):.1f}x)")
    print(f"positional postings whose weight equals their count of positions: {same:,} of {of:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
