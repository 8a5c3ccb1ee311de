"""Shared fixtures: the seed corpus indexed once per test session."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from index.analysis.lemmatizer import Lemmatizer
from index.config import SEEDS_DIR
from index.entities.extractor import EntityExtractor
from index.store.arrays import MIN_POSTINGS
from index.build.indexer import COMMIT_EVERY, POOL_MB, IndexBuilder
from index.build.segment_writer import SMALL_SEGMENT
from index.store.merged_arrays import MERGE_AFTER, segments_of
from index.build.pipeline import DocumentProcessor
from index.ingest.reader import Ingestor
from search.engine import SearchEngine

SEED_IDS = sorted(p.stem for p in SEEDS_DIR.glob("*.txt"))


@pytest.fixture(scope="session")
def ingestor() -> Ingestor:
    return Ingestor()


@pytest.fixture(scope="session")
def lemmatizer() -> Lemmatizer:
    return Lemmatizer()


@pytest.fixture(scope="session")
def extractor(lemmatizer) -> EntityExtractor:
    return EntityExtractor(lemmatizer)


@pytest.fixture(scope="session")
def build_index(ingestor, extractor):
    """Index ``paths`` into ``index_dir`` with the session's loaded models."""

    processor = DocumentProcessor(lemmatizer=extractor.tokens.lemmatizer, ingestor=ingestor, extractor=extractor)

    def build(index_dir: Path, paths: list[Path], commit_every: int = COMMIT_EVERY,
              array_min_postings: int = MIN_POSTINGS, merge_after: int = MERGE_AFTER,
              pool_mb: int = POOL_MB, stories: bool = True, own_arrays_below: int | None = SMALL_SEGMENT, **options):
        builder = IndexBuilder(index_dir, processor=processor, commit_every=commit_every,
                               array_min_postings=array_min_postings, merge_after=merge_after, pool_mb=pool_mb,
                               stories=stories, own_arrays_below=own_arrays_below)
        return builder.build(paths, **options)

    return build


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory, build_index) -> Path:
    index_dir = tmp_path_factory.mktemp("seed-index")
    report = build_index(index_dir, [SEEDS_DIR])
    assert report.indexed == len(SEED_IDS), report.summary()
    return index_dir


@pytest.fixture(scope="session")
def engine(seed_index, lemmatizer) -> SearchEngine:
    return SearchEngine(seed_index, lemmatizer=lemmatizer)


@pytest.fixture(scope="module")
def segmented_index(tmp_path_factory, build_index):
    """The seeds in segments of two documents, not merged."""
    index_dir = tmp_path_factory.mktemp("segmented")
    build_index(index_dir, [SEEDS_DIR], commit_every=2, merge_after=10**9)
    return index_dir


def index_segments(index_dir):
    """(segment id, documents, leaf, docnum offset) of an index's segments."""
    return segments_of(whoosh_index.open_dir(str(index_dir)).reader())


@pytest.fixture
def seeds_copy(tmp_path) -> Path:
    """A private copy of the seeds a test may change."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, target)
    return target


def write_docs(directory: Path, docs: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in docs.items():
        (directory / f"{name}.txt").write_text(text, encoding="utf-8")
    return directory
