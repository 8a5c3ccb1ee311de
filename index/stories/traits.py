"""What the story step needs of a document, made where its lemmas are (a
worker process): a MinHash signature of its shingles, and for pairing
articles across languages its date, officials, regions and the glossary's
concepts it mentions. The officials' spelling-insensitive surname keys are
made where the traits are filed (``grouping.py``): one cache for a whole
build rather than one a worker, and none for an undated document."""
from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from datasketch import MinHash

from ..analysis.names import skeleton, transliterations
from ..analysis.tokens import LemmaTokens
from ..config import data_lines
from ..store.sorting import unique
from .settings import StorySettings, story_settings

MINHASH_SEED = 1  # fixed: signatures made in any process, in any run, compare
MINHASH_SCHEME = "affine32"  # datasketch 2's: uint32 values, a collision-free permutation
# A shingle's hash from its words' CRC-32s, mixed by these odd multipliers (mod 2**32, so in
# uint32, which wraps): the scheme mixes it again, and SHA-1 a shingle (datasketch's default)
# cost 8 times as much
_MIX = np.array([0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F, 0x165667B1], dtype=np.uint32)
LEMMA_CACHE_SIZE = 200_000


def lemma_hash(lemma: str) -> int:
    return zlib.crc32(lemma.encode("utf-8"))


class _LemmaHashes(dict):
    """lemma -> its CRC-32, computed on first use (a lookup without a Python
    call per word: a document has some 600 lemmas)."""

    def __missing__(self, lemma: str) -> int:
        value = self[lemma] = lemma_hash(lemma)
        return value


MIN_HASH_ROWS = 64  # shingles a step: 64 x 256 products (64 KB) stay in the cache the NLP needs


def min_hashes(values: np.ndarray, a: np.ndarray, b: np.ndarray, scratch: np.ndarray | None = None) -> np.ndarray:
    """datasketch's "affine32" MinHash of uint32 ``values``: each premixed by
    MurmurHash3's finalizer, then ``a * v + b`` (mod 2**32) for each
    permutation, the least kept. The same numbers as ``MinHash.update_batch``
    (a test holds them equal), without its list round trip, and a few rows at
    a time into ``scratch`` (``MIN_HASH_ROWS`` x permutations): all 600 x 256
    at once were 600 KB allocated, written and freed a document, which
    pushed the worker's dictionaries out of the cache."""
    v = values ^ (values >> np.uint32(16))
    v = v * np.uint32(0x85EBCA6B)
    v ^= v >> np.uint32(13)
    v *= np.uint32(0xC2B2AE35)
    v ^= v >> np.uint32(16)
    if scratch is None:
        scratch = np.empty((MIN_HASH_ROWS, len(a)), dtype=np.uint32)
    least = np.full(len(a), np.iinfo(np.uint32).max, dtype=np.uint32)
    for start in range(0, len(v), len(scratch)):
        part = v[start:start + len(scratch)]
        products = np.multiply.outer(part, a, out=scratch[:len(part)])
        products += b
        np.minimum(least, products.min(axis=0), out=least)
    return least


def keep_low_bits(signature: np.ndarray) -> np.ndarray:
    """A MinHash signature's low 16 bits, as what is kept of it: two unrelated
    values agree by chance once in 65,536, which moves a similarity estimate
    by less than 0.0001 and a band's collisions by less still, and halves the
    signatures a build keeps (with the postings packed, the full 32 bits made
    the story files 7% of a 100,000-document index)."""
    return (np.asarray(signature) & 0xFFFF).astype(np.uint16)


@dataclass
class StoryTraits:
    id: str
    lang: str
    date: str | None
    length: int  # characters of the body: the longest undated copy represents a story
    signature: np.ndarray | None  # uint16 (``keep_low_bits``), ``permutations`` long; None: too short to compare
    officials: tuple[frozenset, ...] = ()  # each official's surname keys (Cyrillic and Latin spellings meet), once filed
    official_names: tuple[str, ...] = ()  # the officials as the document names them, until filed
    regions: tuple[str, ...] = ()
    terms: frozenset = field(default_factory=frozenset)  # glossary concepts and sectors


def surname_keys(name: str) -> frozenset:
    """An official's surname, spelled so that "Дегтярёв" and "Degtyarev" share a key."""
    words = name.split()
    return _surname_spellings(words[-1] if words else name)


@lru_cache(maxsize=100_000)  # twelve transliterations (0.1 ms): once a surname
def _surname_spellings(surname: str) -> frozenset:
    if any("а" <= ch.lower() <= "я" or ch in "ёЁ" for ch in surname):
        return frozenset(transliterations(surname))
    return frozenset({skeleton(surname)})


class Concepts:
    """The glossary's terms (``index/data/glossary.tsv``) as concepts: a
    Russian term and its Italian renderings are one concept, found in a
    text's lemmas in either language."""

    def __init__(self, tokens: LemmaTokens) -> None:
        concept_of: dict[tuple[str, ...], int] = {}
        for line in data_lines("glossary.tsv"):
            if "\t" not in line:
                continue
            ru, it = (part.strip() for part in line.split("\t", 1))
            ru_key = tokens.key(ru)
            it_key = tuple(it.lower().split())  # written as lemmas (the glossary's rule)
            concept = concept_of.get(ru_key, concept_of.get(it_key, len(concept_of)))
            concept_of.setdefault(ru_key, concept)
            concept_of.setdefault(it_key, concept)
        self.concept_of = concept_of
        self.longest = max((len(k) for k in concept_of), default=0)
        # the hashes of the terms' first words, sorted: a text's words are
        # looked up among them in one numpy call (a collision costs a lookup)
        self.first_hashes = np.unique(np.array([lemma_hash(k[0]) for k in concept_of if k], dtype=np.uint32))

    def found(self, lemmas: list[str], hashes: np.ndarray) -> set[str]:
        """``hashes``: the lemmas' ``lemma_hash``, in order."""
        out = set()
        if not len(self.first_hashes) or not len(hashes):
            return out
        at = np.searchsorted(self.first_hashes, hashes)
        starts = np.flatnonzero(self.first_hashes[np.minimum(at, len(self.first_hashes) - 1)] == hashes)
        for i in starts.tolist():
            for n in range(1, self.longest + 1):
                concept = self.concept_of.get(tuple(lemmas[i:i + n]))
                if concept is not None:
                    out.add(f"g{concept}")
        return out


class TraitMaker:
    """A document's ``StoryTraits`` from the tokens the index files."""

    def __init__(self, tokens: LemmaTokens, settings: StorySettings | None = None) -> None:
        self.settings = settings or story_settings()
        self.concepts = Concepts(tokens)
        self._lemma_hash = _LemmaHashes()
        a, b = MinHash(num_perm=self.settings.permutations, seed=MINHASH_SEED, scheme=MINHASH_SCHEME).permutations
        self._permutations = (np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32))
        self._scratch = np.empty((MIN_HASH_ROWS, len(a)), dtype=np.uint32)

    def lemma_hashes(self, lemmas: list[str]) -> np.ndarray:
        """Each lemma's ``lemma_hash`` (uint32), in order."""
        if len(self._lemma_hash) >= LEMMA_CACHE_SIZE:
            self._lemma_hash.clear()
        return np.fromiter(map(self._lemma_hash.__getitem__, lemmas), dtype=np.uint32, count=len(lemmas))

    def shingles(self, words: np.ndarray) -> np.ndarray:
        """The distinct hashes (uint32) of a text's runs of ``shingle_words``
        lemmas, from the lemmas' ``lemma_hashes``."""
        n = self.settings.shingle_words
        if len(words) < n:
            return np.zeros(0, dtype=np.uint32)
        count = len(words) - n + 1
        mixed = words[:count] * _MIX[0]
        for i in range(1, n):
            mixed += words[i:i + count] * _MIX[i % len(_MIX)]
        return unique(mixed)

    def signature(self, words: np.ndarray) -> np.ndarray | None:
        """The MinHash of a text from its lemmas' ``lemma_hashes``; None when too short."""
        shingles = self.shingles(words)
        if len(shingles) < self.settings.min_shingles:
            return None
        return keep_low_bits(min_hashes(shingles, *self._permutations, scratch=self._scratch))

    def traits(self, doc, lemmas: list[str]) -> StoryTraits:
        """``lemmas``: the title's and body's indexed lemmas (stop words out),
        as the document's fields hold them."""
        words = self.lemma_hashes(lemmas)
        return StoryTraits(
            id=doc.id, lang=doc.lang, date=doc.date, length=len(doc.body),
            signature=self.signature(words),
            official_names=tuple(doc.officials),
            regions=tuple(doc.regions),
            terms=frozenset(self.concepts.found(lemmas, words)) | {f"s:{s}" for s in doc.sectors},
        )
