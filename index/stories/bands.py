"""Which filed documents a new one may be a copy of: LSH banding of MinHash
signatures, kept in sorted arrays rather than in Python objects.

A signature is cut into ``bands`` bands of ``rows`` values (the split
datasketch's ``MinHashLSH`` chooses for the threshold), and two documents are
candidates when one band is equal in both. Each band becomes a 64-bit key
(its values mixed, salted by the band's number, so all bands share one
table), and the keys live in a few sorted runs (as in a log-structured
merge): recent documents in a small dict, turned into a sorted run every
``RUN_ROWS`` documents, runs of like size merged. A lookup is two binary
searches a run. datasketch's own tables hold a set and a bytes object per
band and document, and made them in Python: at 100,000 documents some six
million objects, and three quarters of the main process's time filing a
document went to them.

A key collision only adds a candidate: the caller compares signatures.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from datasketch import MinHashLSH

RUN_ROWS = 4_096  # documents in the recent dict before it becomes a sorted run
# odd 64-bit multipliers (mod 2**64) for a band's values, and a salt per band number
_MIX = np.random.default_rng(20261205).integers(1, 2**63, size=64, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_SALT = np.uint64(0x9E3779B97F4A7C15)


@lru_cache(maxsize=8)
def band_split(threshold: float, permutations: int) -> tuple[int, int]:
    """(bands, rows) that datasketch tunes for finding pairs from ``threshold``."""
    lsh = MinHashLSH(threshold=threshold, num_perm=permutations)
    return lsh.b, lsh.r


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """uint64 keys, one a band, of one signature (shape (bands,)) or of a
    matrix of them (shape (n, bands))."""
    values = np.asarray(signatures, dtype=np.uint64)[..., :bands * rows]
    values = values.reshape(values.shape[:-1] + (bands, rows))
    with np.errstate(over="ignore"):  # multiplication mod 2**64 is the point
        keys = (values * _MIX[:rows]).sum(axis=-1, dtype=np.uint64)
        keys ^= np.arange(1, bands + 1, dtype=np.uint64) * _SALT
    return keys


class BandIndex:
    """Rows (the caller's numbers for its documents) by band key."""

    def __init__(self, bands: int, rows: int) -> None:
        self.bands, self.rows = bands, rows
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []  # (sorted keys, their rows)
        self._recent: dict[int, int | tuple[int, ...]] = {}  # key -> its row (a tuple when several share it)
        self._recent_rows: dict[int, list[int]] = {}  # row -> its keys, while in the dict
        self._dead: set[int] = set()  # removed rows still in a run (dropped when it is merged)

    def keys(self, signatures: np.ndarray) -> np.ndarray:
        """``band_keys`` of one signature or a matrix of them."""
        return band_keys(signatures, self.bands, self.rows)

    def file(self, row: int, keys: np.ndarray) -> set[int]:
        """Adds a row, and returns the live rows filed before it that share a band key."""
        found = self._in_runs(keys)
        recent, listed = self._recent, keys.tolist()
        shared = {key: recent[key] for key in listed if key in recent}
        recent.update(dict.fromkeys(listed, row))  # in C: the bands of a row are mostly new keys
        for key, rows in shared.items():
            if isinstance(rows, tuple):
                found.update(rows)
                recent[key] = rows + (row,)
            else:
                found.add(rows)
                recent[key] = (rows, row)
        self._recent_rows[row] = listed
        if len(self._recent_rows) >= RUN_ROWS:
            self._flush()
        return found - self._dead if self._dead else found

    def _in_runs(self, keys: np.ndarray) -> set[int]:
        found: set[int] = set()
        wanted = np.sort(keys)  # ascending needles: each search starts where the last ended
        for run_keys, run_rows in self._runs:
            at = run_keys.searchsorted(wanted)
            hit = run_keys[np.minimum(at, len(run_keys) - 1)] == wanted
            for start in at[hit].tolist():
                end = start + 1
                while end < len(run_keys) and run_keys[end] == run_keys[start]:
                    end += 1
                found.update(run_rows[start:end].tolist())
        return found

    def insert_many(self, rows: np.ndarray, keys: np.ndarray) -> None:
        """Many rows at once (a state loaded): ``keys`` of shape (len(rows), bands)."""
        if len(rows):
            self._add_run(keys.reshape(-1), np.repeat(np.asarray(rows, dtype=np.int64), self.bands))

    def remove(self, row: int) -> None:
        keys = self._recent_rows.pop(row, None)
        if keys is None:
            self._dead.add(row)
            return
        recent = self._recent
        for key in keys:
            rows = recent.get(key)
            if rows == row:
                del recent[key]
            elif isinstance(rows, tuple) and row in rows:
                left = tuple(r for r in rows if r != row)
                recent[key] = left if len(left) > 1 else left[0]

    def _flush(self) -> None:
        rows = np.fromiter(self._recent_rows, dtype=np.int64, count=len(self._recent_rows))
        keys = np.array(list(self._recent_rows.values()), dtype=np.uint64)
        self._recent.clear()
        self._recent_rows.clear()
        self._add_run(keys.reshape(-1), np.repeat(rows, self.bands))

    def _add_run(self, keys: np.ndarray, rows: np.ndarray) -> None:
        self._runs.append(self._sorted(keys, rows))
        # runs of like size merged: a few runs (logarithmically many), each entry re-sorted a few times
        while len(self._runs) > 1 and len(self._runs[-1][0]) * 2 >= len(self._runs[-2][0]):
            (keys_b, rows_b), (keys_a, rows_a) = self._runs.pop(), self._runs.pop()
            self._runs.append(self._sorted(np.concatenate((keys_a, keys_b)), np.concatenate((rows_a, rows_b))))

    def _sorted(self, keys: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self._dead:
            alive = ~np.isin(rows, np.fromiter(self._dead, dtype=np.int64, count=len(self._dead)))
            keys, rows = keys[alive], rows[alive]
        order = np.argsort(keys, kind="stable")
        return keys[order], rows[order]
