"""The per-document NLP on a Dask cluster (``search-index --dask ADDRESS``).

The main process reads the inputs and decides what is new, as it does with
its own worker pool; batches of raw documents go to the Dask workers, each
of which loads the models once (a ``DocumentProcessor`` per worker
process) and sends back the processed fields, which the main process
writes to whichever backend it builds. Workers on other machines need
Promsearch installed (the same version); nothing of the index's is read
there: the corpus's names of earlier runs travel with each batch.
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Iterable, Iterator

from ..records import RawDocument, Rejection
from .pipeline import DocumentProcessor, Processed

DOCUMENTS_A_TASK = 16  # a task's scheduling costs ~1 ms; a document's NLP ~10-50
TASKS_A_WORKER_IN_FLIGHT = 4  # enough queued that no worker waits, few enough that memory stays flat

_processors: dict[tuple, DocumentProcessor] = {}


def _processor(names_json: str, max_chars: int, ner: bool) -> DocumentProcessor:
    """One processor a worker process and setting (the models load once)."""
    key = (hash(names_json), max_chars, ner)
    processor = _processors.get(key)
    if processor is None:
        with tempfile.TemporaryDirectory(prefix="promsearch-names-") as names_dir:
            Path(names_dir, "persons.json").write_text(names_json, encoding="utf-8")
            processor = DocumentProcessor(Path(names_dir), max_chars, ner=ner)
        _processors.clear()
        processor = _processors[key] = processor
    return processor


def process_batch(batch: list[tuple[RawDocument, str]], names_json: str, max_chars: int,
                  ner: bool) -> list[Processed | Rejection]:
    """Runs on a Dask worker."""
    processor = _processor(names_json, max_chars, ner)
    out = []
    for raw, digest in batch:
        try:
            out.append(processor.process(raw, digest))
        except Exception as exc:  # one bad document never stops the run
            out.append(Rejection(raw.path, f"failed to process: {type(exc).__name__}: {exc}"))
    return out


def _batches(work: Iterable[tuple[RawDocument, str]], size: int) -> Iterator[list]:
    batch = []
    for item in work:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class DaskUnavailable(RuntimeError):
    """The scheduler cannot be reached; the message is for the user."""


def process_on_dask(address, work: Iterable[tuple[RawDocument, str]], names_dir: str | None,
                    max_chars: int, ner: bool) -> Iterator[Processed | Rejection]:
    """Processed documents, as the workers finish them (not in input order).
    ``address``: a scheduler's address, or a ``distributed.Client``."""
    from distributed import Client, as_completed

    names_path = Path(names_dir, "persons.json") if names_dir else None
    names_json = names_path.read_text(encoding="utf-8") if names_path and names_path.exists() else "{}"
    own_client = not isinstance(address, Client)
    try:
        client = Client(address, timeout="10s") if own_client else address
    except (OSError, TimeoutError) as exc:
        raise DaskUnavailable(f"the Dask scheduler at {address} does not answer ({exc})") from exc
    try:
        in_flight = max(1, len(client.scheduler_info()["workers"])) * TASKS_A_WORKER_IN_FLIGHT
        batches = _batches(work, DOCUMENTS_A_TASK)
        pending = as_completed()
        for batch in batches:
            pending.add(client.submit(process_batch, batch, names_json, max_chars, ner, pure=False))
            if pending.count() >= in_flight:
                yield from next(pending).result()
        for future in pending:
            yield from future.result()
    finally:
        if own_client:
            client.close()
