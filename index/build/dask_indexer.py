"""``search-index --dask ADDRESS`` for the embedded index: the NLP on a Dask
cluster (``dask_nlp.py``), the writing here, as with one local process
(the worker pool's processes write segments themselves; Dask's workers may
be on machines without the index, so they send the fields back)."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ..records import RawDocument, Rejection
from .dask_nlp import process_on_dask
from .indexer import IndexBuilder
from .pipeline import Processed


class DaskIndexBuilder(IndexBuilder):
    def __init__(self, index_dir: Path, dask_address, **options) -> None:
        super().__init__(index_dir, workers=1, **options)
        self.dask_address = dask_address

    def _results(self, work: Iterator[tuple[RawDocument, str]]) -> Iterator[Processed | Rejection]:
        yield from process_on_dask(self.dask_address, work, str(self.index_dir), self.max_chars, self.ner)
