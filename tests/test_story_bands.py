"""The story step's arithmetic (issue 33): its MinHash signatures are
datasketch's, and its band index finds exactly the documents a brute-force
comparison of bands finds, across flushes, merges and removals."""
from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash

import index.stories.bands as bands_module
from index.build.pipeline import DocumentProcessor
from index.config import SEEDS_DIR
from index.ingest.reader import read_raw
from index.records import Rejection
from index.stories.bands import BandIndex, band_keys, band_split
from index.stories.traits import MINHASH_SCHEME, MINHASH_SEED, TraitMaker
from stories_corpus import DOCS, write_jsonl


def test_a_signature_is_datasketchs_minhash_of_the_documents_shingles(tmp_path, ingestor, extractor):
    processor = DocumentProcessor(lemmatizer=extractor.tokens.lemmatizer, ingestor=ingestor, extractor=extractor,
                                  stories=True)
    maker: TraitMaker = processor.story_traits
    texts = []  # the lemmas each document's traits are made of, as the index files them
    make_traits = maker.traits
    maker.traits = lambda doc, lemmas: texts.append(lemmas) or make_traits(doc, lemmas)
    for raw in read_raw([SEEDS_DIR, write_jsonl(tmp_path / "docs.jsonl", list(DOCS))]):
        if not isinstance(raw, Rejection):
            processor.process(raw, "")
    assert len(texts) == len(DOCS) + len(list(SEEDS_DIR.glob("*.txt")))
    for lemmas in texts:
        shingles = maker.shingles(maker.lemma_hashes(lemmas))
        expected = MinHash(num_perm=maker.settings.permutations, seed=MINHASH_SEED, scheme=MINHASH_SCHEME,
                           hashfunc=int)
        expected.update_batch(shingles.tolist())
        signature = maker.signature(maker.lemma_hashes(lemmas))
        assert len(shingles) >= maker.settings.min_shingles, "each of these documents is long enough to compare"
        assert signature.dtype == np.uint16  # the low 16 bits are kept
        assert np.array_equal(signature, expected.hashvalues.astype(np.uint32) & 0xFFFF)


def brute_force_candidates(signatures: dict[int, np.ndarray], signature: np.ndarray, bands: int, rows: int) -> set:
    mine = signature[:bands * rows].reshape(bands, rows)
    return {row for row, other in signatures.items()
            if (other[:bands * rows].reshape(bands, rows) == mine).all(axis=1).any()}


@pytest.mark.parametrize("run_rows", [3, 16, 10_000])
def test_band_candidates_equal_a_brute_force_comparison_of_bands(monkeypatch, run_rows):
    monkeypatch.setattr(bands_module, "RUN_ROWS", run_rows)
    bands, rows = band_split(0.35, 256)
    index = BandIndex(bands, rows)
    rng = np.random.default_rng(7)
    originals = rng.integers(0, 2**32, size=(40, 256), dtype=np.uint64).astype(np.uint32)
    filed: dict[int, np.ndarray] = {}
    for row in range(400):
        # a copy of one of 40 stories with a share of its values changed: many share a band, many do not
        signature = originals[rng.integers(40)].copy()
        changed = rng.random(256) < rng.choice([0.05, 0.3, 0.6, 1.0])
        signature[changed] = rng.integers(0, 2**32, size=int(changed.sum()), dtype=np.uint64).astype(np.uint32)
        expected = brute_force_candidates(filed, signature, bands, rows)
        assert index.file(row, index.keys(signature)) == expected, row
        filed[row] = signature
        if row % 7 == 3:  # a document removed (replaced, deleted) now and then, recent or long filed
            gone = int(rng.choice(list(filed)))
            index.remove(gone)
            del filed[gone]
    assert any(len(brute_force_candidates(filed, s, bands, rows)) > 1 for s in filed.values())


def test_band_keys_of_a_matrix_are_those_of_its_rows():
    bands, rows = band_split(0.35, 256)
    matrix = np.random.default_rng(3).integers(0, 2**32, size=(5, 256), dtype=np.uint64).astype(np.uint32)
    keys = band_keys(matrix, bands, rows)
    assert keys.shape == (5, bands)
    for row in range(5):
        assert np.array_equal(keys[row], band_keys(matrix[row], bands, rows))
    assert len(set(keys[0].tolist())) == bands  # the salt: equal values in two bands make two keys
