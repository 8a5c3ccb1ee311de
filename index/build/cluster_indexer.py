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

Every shard must answer: a write that would miss one stops with a message.
"""
from __future__ import annotations

import base64
import json
import multiprocessing
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..analysis.word_ids import FORMS_FIELD
from ..entities.persons import PersonRegistry, load_known_officials, official_links
from ..ingest.reader import DEFAULT_MAX_CHARS
from ..records import Rejection
from ..store import sphinx as sx
from ..store.schema import FACET_FIELDS
from .indexer import IndexReport, inputs_to_process
from .pipeline import DocumentProcessor, Processed, init_worker, process_in_worker

BATCH = 200  # documents a commit: written, then the counter bumped
ROWS_A_STATEMENT = 50
STORED = ("id", "path", "lang", "date", "year", *FACET_FIELDS, "roles", "sector_evidence", "entity_spans",
          "author", "photo_credit", "url", "source")
META_IDS = {"generation": 1, "shards": 2, "links": 3, "persons": 4}


def cluster_row(fields: dict) -> dict:
    """A processed document's fields as one row of a shard."""
    facets = {name: [v for v in fields.get(name, "").split(",") if v] for name in FACET_FIELDS}
    facets["year"], facets["lang"] = fields["year"], fields["lang"]
    facet_words = [sx.facet_token(name, value) for name in FACET_FIELDS for value in facets[name]]
    facet_words += [sx.facet_token("year", fields["year"]), sx.facet_token("lang", fields["lang"])]
    stored = {name: fields.get(name) for name in STORED}
    stored["title"], stored["body"] = fields["_stored_title"], fields["_stored_body"]
    return {
        "id": sx.doc_key(fields["id"]),
        "title": " ".join(sx.token(w) for w in fields["title"]),
        "body": " ".join(sx.token(w) for w in fields["body"]),
        "exact": " ".join(sx.token(w) for w in fields["exact"]),
        "facets": " ".join(facet_words),
        "doc_id": fields["id"],
        "path": fields.get("path") or "",
        "content_hash": fields["content_hash"],
        "sortdate": int(fields["sortdate"] or 0),
        "title_len": len(fields["title"]),
        "body_len": len(fields["body"]),
        "exact_len": len(fields["exact"]),
        "facets_json": json.dumps(facets, ensure_ascii=False),
        **{f"{name}_ids": tuple(sx.facet_value_id(name, v) for v in ([values] if isinstance(values, str) else values))
           for name, values in facets.items()},
        "stored_json": json.dumps(stored, ensure_ascii=False, default=list),
        "source_text": base64.b64encode(fields["source_text"] or b"").decode("ascii"),
    }


def vocabulary_rows(fields: dict) -> set[tuple[str, str, str]]:
    """(kind, term, lemma): each exact form, and each lemma's forms."""
    rows = {("exact", form, "") for form in fields["exact"]}
    lemmas = list(fields["title"]) + list(fields["body"])
    rows |= {("form", form, lemma) for lemma, form in zip(lemmas, fields.get(FORMS_FIELD) or [])}
    return rows


def _value(value) -> str:
    if isinstance(value, tuple):  # a multi-valued attribute
        return "(" + ", ".join(map(str, value)) + ")"
    return str(value) if isinstance(value, int) else sx.quote(value)


def _values(row: dict) -> str:
    return "(" + ", ".join(map(_value, row.values())) + ")"


class ClusterWriter:
    """Connections to every shard's node, from the meta index's list."""

    def __init__(self, url: sx.ClusterUrl) -> None:
        self.url = url
        self.head = sx.connect(url.host, url.port)
        self.meta = self._meta()
        if "shards" not in self.meta:
            raise sx.ClusterUnavailable(f"{url} is not a Promsearch cluster (no shards in {url.meta}); "
                                        "start one with: search-cluster up --nodes N --dir DIR")
        self.shards = json.loads(self.meta["shards"])
        self.nodes = [sx.connect(s["host"], s["sql_port"]) for s in self.shards]
        self._vocabulary_written: set[int] = set()  # the vocabulary rows' ids this writer wrote

    def _meta(self) -> dict[str, str]:
        try:
            return dict(self.execute(self.head, f"SELECT kind, value FROM {self.url.meta} LIMIT 0,1000"))
        except sx.ClusterUnavailable as exc:
            raise sx.ClusterUnavailable(f"{self.url} is not a Promsearch cluster ({exc})") from exc

    @staticmethod
    def execute(conn, sql: str) -> list[tuple]:
        import pymysql

        try:
            with conn.cursor() as cur:
                cur.execute(sql)
                rows = list(cur.fetchall())
                cur.execute("SHOW META")
                warnings = [value for key, value in cur.fetchall() if key == "warning"]
        except pymysql.err.MySQLError as exc:
            raise sx.ClusterUnavailable(f"the search cluster failed a write or read: {exc.args[-1]}") from exc
        if warnings:
            raise sx.ClusterUnavailable("not every shard answers, and a build needs all: " + "; ".join(warnings))
        return rows

    def known_hashes(self) -> dict[str, str]:
        """Every indexed document's id -> content hash."""
        total = self.execute(self.head, f"SELECT COUNT(*) FROM {self.url.name}")[0][0]
        limit = int(total) + 1
        return dict(self.execute(self.head, f"SELECT doc_id, content_hash FROM {self.url.name} "
                                            f"LIMIT 0,{limit} OPTION max_matches={limit}"))

    def write(self, rows: list[dict]) -> None:
        by_shard: dict[int, list[dict]] = {}
        for row in rows:
            by_shard.setdefault(row["id"] % len(self.shards), []).append(row)
        for number, shard_rows in by_shard.items():
            for start in range(0, len(shard_rows), ROWS_A_STATEMENT):
                chunk = shard_rows[start:start + ROWS_A_STATEMENT]
                self.execute(self.nodes[number], f"REPLACE INTO {self.shards[number]['name']} "
                                                 f"({', '.join(chunk[0])}) VALUES " + ", ".join(map(_values, chunk)))

    def write_vocabulary(self, rows: set[tuple[str, str, str]]) -> None:
        """The rows this writer has not written yet: a batch repeats most of
        the words of the batches before it (300 real news articles have
        ~100,000 rows; a run rewrote most of them with every batch)."""
        keyed = {sx.doc_key(kind + chr(0) + lemma + chr(0) + term): (kind, term, lemma) for kind, term, lemma in rows}
        fresh = sorted((key, row) for key, row in keyed.items() if key not in self._vocabulary_written)
        for start in range(0, len(fresh), 500):
            values = ", ".join(f"({key}, '', {sx.quote(kind)}, {sx.quote(term)}, {sx.quote(lemma)})"
                               for key, (kind, term, lemma) in fresh[start:start + 500])
            self.execute(self.head, f"REPLACE INTO {self.url.name}_vocab (id, vocab_text, kind, term, lemma) VALUES {values}")
        self._vocabulary_written.update(key for key, _row in fresh)

    def delete(self, doc_id: str) -> None:
        number = sx.shard_of(doc_id, len(self.shards))
        self.execute(self.nodes[number], f"DELETE FROM {self.shards[number]['name']} WHERE id = {sx.doc_key(doc_id)}")

    def set_meta(self, kind: str, value: str) -> None:
        self.execute(self.head, f"REPLACE INTO {self.url.meta} (id, kind_text, kind, value) "
                                f"VALUES ({META_IDS[kind]}, {sx.quote(kind)}, {sx.quote(kind)}, {sx.quote(value)})")
        self.meta[kind] = value

    def commit(self) -> None:
        """Bumps the counter: searches make a new view and see the writes."""
        self.set_meta("generation", str(int(self.meta.get("generation") or 0) + 1))

    def close(self) -> None:
        for conn in (self.head, *self.nodes):
            try:
                conn.close()
            except Exception:
                pass


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
                writer.write(rows)
                writer.write_vocabulary(vocabulary)
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
