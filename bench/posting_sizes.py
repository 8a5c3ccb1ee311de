"""The posting arrays of an index, part by part: bytes on disk, values held,
bits a value, and what the four-byte layout before packing (issue 34) would
take for the same postings. Nothing is written.

    python bench/posting_sizes.py INDEX_DIR

The segments' arrays and the merged ones (a copy of the segments' they
cover) are counted apart.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.store.arrays import FORMAT  # noqa: E402
from index.store.merged_arrays import PREFIX  # noqa: E402

STREAMS = ("ids", "freqs", "pos")


def sizes(index_dir: Path, merged: bool) -> dict[str, list[int]]:
    """part -> [bytes on disk, values] over the sets of arrays."""
    out: dict[str, list[int]] = {}
    for table in index_dir.glob(f"*.{FORMAT}_terms.marisa"):
        prefix = table.name[:-len(f"_terms.marisa")]
        if table.name.startswith(PREFIX) != merged:
            continue
        for part in (*STREAMS, "skips", "weights", "spans"):
            data = index_dir / f"{prefix}_{part}.npy"
            size = data.stat().st_size
            if part in STREAMS:
                blocks = index_dir / f"{prefix}_{part}_blocks.npy"
                size += blocks.stat().st_size
                count = int(np.load(blocks, mmap_mode="r")[0])
            else:
                count = len(np.load(data, mmap_mode="r"))
            entry = out.setdefault(part, [0, 0])
            entry[0] += size
            entry[1] += count
        entry = out.setdefault("terms", [0, 0])
        entry[0] += table.stat().st_size
    return out


def plain_bytes(parts: dict[str, list[int]]) -> int:
    """The layout before: four bytes a document number, weight, position and
    position offset (one a posting, plus one a positional term), 24 a row
    of the table."""
    postings, positions, rows = parts["ids"][1], parts["pos"][1], parts["spans"][1] // 3
    return 4 * (2 * postings + positions + postings) + 24 * rows + parts["terms"][0]


def main() -> None:
    index_dir = Path(sys.argv[1])
    for merged in (False, True):
        parts = sizes(index_dir, merged)
        if not parts:
            continue
        print("merged arrays" if merged else "segment arrays")
        total = 0
        for part, (size, count) in parts.items():
            total += size
            bits = f"{8 * size / count:5.1f} bits a value" if count else ""
            print(f"  {part:8s} {size / 1e6:9.1f} MB  {count:>12,} values  {bits}")
        print(f"  {'all':8s} {total / 1e6:9.1f} MB  (four-byte layout: about {plain_bytes(parts) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
