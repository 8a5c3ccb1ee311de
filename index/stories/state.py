"""What the story step keeps between runs, for the build alone: every
document's traits (signatures in ``stories-signatures.npy``, the rest in
``stories-state.json``) and the pairs found, so a later run files a new
document against the old ones without reading them again."""
from __future__ import annotations

import gc
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import zstandard

from .traits import StoryTraits, keep_low_bits

STATE_FILE, SIGNATURES_FILE = "stories-state.json", "stories-signatures.npy"  # the state: JSON, zstd-compressed
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"  # a state written before it was compressed has none
STATE_VERSION = 1


@dataclass
class StoryState:
    traits: list[StoryTraits]
    pairs: dict[tuple[str, str], str]


@contextmanager
def collector_paused():
    """Python's collector off while a whole state is turned into objects or
    back: it would walk the build's millions of live objects (the LSH
    tables above all) several times over for nothing, as these are not
    garbage (saving 100,000 documents' state: 3.7 s with it, 0.6 without)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _replace(path: Path, write) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as out:
        write(out)
    tmp.replace(path)


def save_state(index_dir: Path, state: StoryState, permutations: int) -> None:
    """The signatures first: a kill between the two leaves signatures the
    state does not name (ignored), never a state without its signatures."""
    with collector_paused():
        signed = [t for t in state.traits if t.signature is not None]
        matrix = np.stack([t.signature for t in signed]) if signed else np.zeros((0, permutations), dtype=np.uint16)
        _replace(index_dir / SIGNATURES_FILE, lambda out: np.save(out, matrix))
        row = {t.id: i for i, t in enumerate(signed)}
        docs = [[t.id, t.lang, t.date, t.length, row.get(t.id, -1), [sorted(k) for k in t.officials],
                 list(t.regions), sorted(t.terms)] for t in state.traits]
        data = {"version": STATE_VERSION, "permutations": permutations, "documents": docs,
                "pairs": [[a, b, kind] for (a, b), kind in sorted(state.pairs.items())]}
        # compressed: its ids and terms are a third of the story files otherwise
        encoded = zstandard.ZstdCompressor(level=3).compress(json.dumps(data, ensure_ascii=False).encode("utf-8"))
        del docs, data
    _replace(index_dir / STATE_FILE, lambda out: out.write(encoded))


def load_state(index_dir: Path, permutations: int) -> StoryState | None:
    """None when there is none, or it is damaged or of other settings (the
    build then starts the stories afresh from the documents it processes)."""
    with collector_paused():
        try:
            raw = (index_dir / STATE_FILE).read_bytes()
            if raw.startswith(_ZSTD_MAGIC):
                raw = zstandard.ZstdDecompressor().decompress(raw)
            data = json.loads(raw.decode("utf-8"))
            # a state written before signatures were cut to 16 bits: the same ones, cut
            matrix = keep_low_bits(np.load(index_dir / SIGNATURES_FILE))
        except (OSError, ValueError, zstandard.ZstdError):
            return None
        if data.get("version") != STATE_VERSION or data.get("permutations") != permutations:
            return None
        traits = []
        for doc_id, lang, date, length, row, officials, regions, terms in data["documents"]:
            signature = matrix[row] if 0 <= row < len(matrix) else None
            traits.append(StoryTraits(doc_id, lang, date, length, signature,
                                      tuple(frozenset(k) for k in officials), tuple(regions), frozenset(terms)))
        return StoryState(traits, {(a, b): kind for a, b, kind in data["pairs"]})


def remove_state(index_dir: Path) -> None:
    for name in (STATE_FILE, SIGNATURES_FILE):
        (index_dir / name).unlink(missing_ok=True)
