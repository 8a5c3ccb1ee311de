"""The kept Zstandard contexts (index/store/zstd.py) write the bytes the
module's own functions write, and serve many threads at once."""
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import zstandard

from index.config import SEEDS_DIR
from index.store import zstd


def seed_texts() -> list[bytes]:
    return [p.read_text(encoding="utf-8").encode("utf-8") for p in sorted(Path(SEEDS_DIR).glob("*.txt"))]


def test_the_same_frames_as_the_module_functions():
    for text in seed_texts():
        assert zstd.compress(text, 3) == zstandard.compress(text, 3)
        assert zstd.decompress(zstandard.compress(text, 3)) == text
        assert zstd.compress(text, 1) == zstandard.compress(text, 1)  # a context per level


def test_threads_at_once_each_get_their_own_text_back():
    texts = [t[i:] + str(i).encode() for t in seed_texts() for i in range(0, 400, 40)]

    def round_trip(text: bytes) -> bool:
        return all(zstd.decompress(zstd.compress(text)) == text for _ in range(20))

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(round_trip, texts))
