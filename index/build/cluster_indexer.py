"""``search-index --backend sphinx://…``: the build, written to a cluster.

The same pipeline as the embedded build (``pipeline.DocumentProcessor``, in
a pool of worker processes, or on a Dask cluster, ``dask_nlp.py``); what it
makes is written to the cluster's shards instead of Whoosh segments:

- a document goes to the shard a hash of its id picks (``sphinx.shard_of``),
  with ``REPLACE`` by its cluster id, so a changed document replaces its old
  version and a re-run writes nothing twice; an unchanged one (the same
  content hash) is not written at all;
- its lemmas and exact forms go in as the words Promsearch's analysis made
  (``sphinx.token``), its facet values as words of the ``facets`` field and
  as JSON, its stored record as JSON, its raw text compressed;
- the exact forms and each lemma's forms go to ``NAME_vocab``;
- the officials' links and the corpus's names to ``NAME_meta``, then the
  commit counter is bumped, so a search sees a batch's documents with them.

The rows are made by ``cluster_rows``, and written by ``cluster_writer``
(every shard must answer: a write that would miss one stops with a message).
"""
from __future__ import annotations

import json
import multiprocessing
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..entities.persons import PersonRegistry, load_known_officials, official_links
from ..ingest.reader import DEFAULT_MAX_CHARS
from ..records import Rejection
from ..store import sphinx as sx
from .cluster_rows import cluster_row, vocabulary_rows
from .cluster_writer import ClusterWriter
from .indexer import IndexReport, inputs_to_process
from .pipeline import DocumentProcessor, Processed, init_worker, process_in_worker

BATCH = 200  # documents a commit: written, then the counter bumped


class ClusterIndexBuilder:
    """Reads inputs, sends new or changed documents through the NLP (here,
    in worker processes, or on a Dask cluster), writes them to the cluster."""

    def __init__(self, url: str, workers: int = 1, max_chars: int = DEFAULT_MAX_CHARS, ner: bool = True,
                 dask_address: str | None = None, processor: DocumentProcessor | None = None,
                 batch: int = BATCH) -> None:
        self.url = sx.parse_url(url)
        self.workers = max(1, workers)
        self.max_chars = max_chars
        self.ner = ner
        self.dask_address = dask_address
        self._processor = processor
        self.batch = batch

    def build(self, paths: Iterable[Path], prune: bool = False,
              on_item: Callable[[str], None] | None = None, on_phase=None) -> IndexReport:
        note = on_item or (lambda _outcome: None)
        writer = ClusterWriter(self.url)
        try:
            return self._build(writer, paths, prune, note)
        finally:
            writer.close()

    def _build(self, writer: ClusterWriter, paths, prune: bool, note) -> IndexReport:
        report = IndexReport()
        known = writer.known_hashes()
        registry = PersonRegistry(load_known_officials())
        persons_json = writer.meta.get("persons") or "{}"
        may_link = set(json.loads(writer.meta.get("links") or "{}"))
        with tempfile.TemporaryDirectory(prefix="promsearch-names-") as names_dir:
            # the corpus's names of earlier runs, where the pipeline reads them
            Path(names_dir, PersonRegistry.FILE).write_text(persons_json, encoding="utf-8")
            registry.load(Path(names_dir))
            seen: set[str] = set()
            rows, vocabulary = [], set()

            def flush() -> None:
                writer.write(rows, after=writer.write_vocabulary(vocabulary))
                writer.set_meta("links", json.dumps(official_links(may_link, registry), ensure_ascii=False))
                writer.set_meta("persons", json.dumps(dict(registry.counts), ensure_ascii=False))
                writer.commit()
                rows.clear()
                vocabulary.clear()

            work = inputs_to_process(paths, known, seen, report, note)
            for result in self._results(work, names_dir):
                if isinstance(result, Rejection):
                    report.rejected.append(result)
                    note("rejected")
                    continue
                for name in result.names:
                    registry.add(name)
                may_link.update(result.unlinked)
                rows.append(cluster_row(result.fields))
                vocabulary |= vocabulary_rows(result.fields)
                outcome = "updated" if result.id in known else "indexed"
                setattr(report, outcome, getattr(report, outcome) + 1)
                note(outcome)
                if len(rows) >= self.batch:
                    flush()
            if prune:
                for doc_id in set(known) - seen:
                    writer.delete(doc_id)
                    report.pruned += 1
            if rows or report.pruned or report.indexed or report.updated:
                flush()
                writer.count_facet_values()
                writer.commit()
            writer.finish()
        return report


    def _results(self, work, names_dir: str) -> Iterator[Processed | Rejection]:
        if self.dask_address:
            from .dask_nlp import process_on_dask

            yield from process_on_dask(self.dask_address, work, names_dir, self.max_chars, self.ner)
        elif self.workers > 1:
            with self._pool(names_dir) as pool:
                yield from pool.imap(process_in_worker, work, chunksize=4)
        else:
            processor = self._processor or DocumentProcessor(Path(names_dir), self.max_chars, ner=self.ner)
            processor.extractor.use_registry(processor.extractor.registry_for(Path(names_dir)))
            for raw, digest in work:
                try:
                    yield processor.process(raw, digest)
                except Exception as exc:  # one bad document never stops the run
                    yield Rejection(raw.path, f"failed to process: {type(exc).__name__}: {exc}")

    @contextmanager
    def _pool(self, names_dir: str):
        context = multiprocessing.get_context("forkserver")
        pool = context.Pool(self.workers, initializer=init_worker, initargs=(names_dir, self.max_chars, self.ner))
        try:
            yield pool
        finally:
            pool.terminate()
            pool.join()
