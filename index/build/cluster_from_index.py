"""An embedded index's documents written to a cluster, without the NLP again.

``search-index --from-index DIR --backend URL``: moving a corpus that is
already indexed to a cluster (or loading a benchmark's) re-runs none of
the entity extraction, which is nine tenths of a build (NER above all).
Each document's record, facet values, officials' roles, entity spans,
date, content hash and raw text are read from the index as they are;
only its words are tokenized and lemmatized again from the stored title
and body (the index keeps their lemmas as postings, not in order, and
the cluster needs them in order for phrases), with the same chain the
build uses. The officials' links and the corpus's names go to the meta
index as a build's do. What is there already with the same content hash
is not written again.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from ..analysis.chain import load_stop_words
from ..analysis.lemmatizer import Lemmatizer
from ..analysis.tokens import LemmaTokens
from ..analysis.word_ids import FORMS_FIELD
from ..entities.official_links import load_links
from ..entities.persons import PersonRegistry
from ..store import sphinx as sx
from ..store.schema import FACET_FIELDS
from .cluster_indexer import STORED, ClusterWriter, cluster_row, vocabulary_rows
from .indexer import IndexReport, open_or_create
from .pipeline import index_tokens

BATCH = 500


class EmbeddedDocuments:
    """The live documents of an embedded index as the fields a build makes
    (``pipeline.DocumentProcessor``), their words analysed again."""

    def __init__(self, index_dir: Path, lemmatizer: Lemmatizer | None = None) -> None:
        self.index_dir = Path(index_dir)
        self.tokens = LemmaTokens(lemmatizer or Lemmatizer())
        self.stop_words = load_stop_words()

    def fields(self, stored: dict, content_hash: str, sortdate: int, source_text: bytes) -> dict:
        title, body = stored.get("title") or "", stored.get("body") or ""
        (title_kept, title_words), (body_kept, body_words) = (index_tokens(self.tokens(text), self.stop_words)
                                                              for text in (title, body))
        fields = {name: stored.get(name) for name in STORED if name != "id"}
        fields.update({
            "id": stored["id"], "lang": stored.get("lang") or "", "year": stored.get("year") or "",
            "title": [t.lemma for t in title_kept], "body": [t.lemma for t in body_kept],
            "_stored_title": title, "_stored_body": body,
            "exact": [t.surface for t in title_words] + [t.surface for t in body_words],
            FORMS_FIELD: [t.surface for t in title_kept] + [t.surface for t in body_kept],
            "content_hash": content_hash, "sortdate": int(sortdate or 0), "source_text": source_text,
        })
        for name in FACET_FIELDS:
            fields[name] = stored.get(name) or ""
        return fields

    def __iter__(self):
        """(id, content hash, a function making its fields): a document the
        cluster has as it is is not analysed again."""
        ix = open_or_create(self.index_dir)
        with ix.searcher() as searcher:
            reader = searcher.reader()
            ids, hashes = reader.column_reader("id"), reader.column_reader("content_hash")
            dates, texts = reader.column_reader("sortdate"), reader.column_reader("source_text")
            for docnum in range(reader.doc_count_all()):
                if not reader.is_deleted(docnum):
                    yield ids[docnum], hashes[docnum], lambda d=docnum: self.fields(
                        searcher.stored_fields(d), hashes[d], dates[d], texts[d])


def copy_to_cluster(index_dir: Path | str, url: str, on_item: Callable[[str], None] | None = None,
                    batch: int = BATCH) -> IndexReport:
    """Writes the embedded index's documents to the cluster at ``url``."""
    note = on_item or (lambda _outcome: None)
    report = IndexReport()
    writer = ClusterWriter(sx.parse_url(url))
    try:
        known = writer.known_hashes()
        rows, vocabulary = [], set()

        def flush() -> None:
            writer.write(rows)
            writer.write_vocabulary(vocabulary)
            writer.commit()
            rows.clear()
            vocabulary.clear()

        for doc_id, digest, make_fields in EmbeddedDocuments(Path(index_dir)):
            if known.get(doc_id) == digest:
                report.unchanged += 1
                note("unchanged")
                continue
            fields = make_fields()
            rows.append(cluster_row(fields))
            vocabulary |= vocabulary_rows(fields)
            outcome = "updated" if fields["id"] in known else "indexed"
            setattr(report, outcome, getattr(report, outcome) + 1)
            note(outcome)
            if len(rows) >= batch:
                flush()
        links = load_links(index_dir) or {}
        writer.set_meta("links", json.dumps(links, ensure_ascii=False))
        persons = Path(index_dir, PersonRegistry.FILE)
        if persons.exists():
            writer.set_meta("persons", persons.read_text(encoding="utf-8"))
        flush()
    finally:
        writer.close()
    return report


class IndexCopier:
    """``copy_to_cluster`` as ``search-index --from-index DIR --backend URL``
    runs it (the inputs are the index's documents, not files)."""

    def __init__(self, index_dir: Path | str, url: str) -> None:
        self.index_dir, self.url = Path(index_dir), sx.parse_url(url)

    def build(self, _paths, prune: bool = False, on_item=None, on_phase=None) -> IndexReport:
        if not Path(self.index_dir).is_dir():
            raise sx.ClusterUnavailable(f"no index at {self.index_dir} to copy from")
        return copy_to_cluster(self.index_dir, str(self.url), on_item)
