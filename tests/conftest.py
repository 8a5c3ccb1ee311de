"""Shared fixtures: the seed corpus indexed once per test session."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.analysis.lemmatizer import Lemmatizer
from index.config import SEEDS_DIR
from index.entities.extractor import EntityExtractor
from index.store.arrays import MIN_POSTINGS
from index.build.indexer import COMMIT_EVERY, POOL_MB, IndexBuilder
from index.store.merged_arrays import MERGE_AFTER
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
              pool_mb: int = POOL_MB, stories: bool = True, **options):
        builder = IndexBuilder(index_dir, processor=processor, commit_every=commit_every,
                               array_min_postings=array_min_postings, merge_after=merge_after, pool_mb=pool_mb,
                               stories=stories)
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
