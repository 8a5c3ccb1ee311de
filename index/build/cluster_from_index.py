"""An embedded index's documents written to a cluster, without the NLP again.

``search-index --from-index DIR --backend URL``: moving a corpus that is
already indexed to a cluster (or loading a benchmark's) re-runs none of
the entity extraction, which is nine tenths of a build (NER above all).
Each document's record, facet values, officials' roles, entity spans,
date, content hash and raw text are read from the index as they are. Its
words, in order (the cluster matches phrases by position), are read back
from the segment's posting arrays (``embedded_words``), and the lemmas'
forms from the index's forms table; a segment without such arrays, or an
index without a complete forms table, has its stored title and body
tokenized and lemmatized again, with the chain the build uses. The
officials' links, the corpus's names and the stories (``stories.json``, so
the cluster's results collapse as the index's do) go to the meta index. What is there already with the same content hash is not
written again.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Callable, Iterator

from ..analysis.word_ids import FORMS_FIELD
from ..entities.official_links import load_links
from ..entities.persons import PersonRegistry
from ..store import sphinx as sx
from ..store.forms import FormsTable
from ..store.schema import FACET_FIELDS
from ..stories.files import FILE as STORIES_FILE
from .cluster_rows import STORED, cluster_row, vocabulary_rows
from .cluster_writer import ClusterWriter
from .embedded_words import SegmentWords
from .indexer import IndexReport, open_or_create
from .pipeline import index_tokens

BATCH = 500


class Lemmatized:
    """A document's words made again from its stored title and body (for a
    segment whose arrays cannot say them)."""

    def __init__(self) -> None:
        from ..analysis.chain import load_stop_words
        from ..analysis.lemmatizer import Lemmatizer
        from ..analysis.tokens import LemmaTokens

        self.tokens = LemmaTokens(Lemmatizer())
        self.stop_words = load_stop_words()

    def words(self, title: str, body: str) -> dict:
        (title_kept, title_words), (body_kept, body_words) = (index_tokens(self.tokens(text), self.stop_words)
                                                              for text in (title, body))
        return {"title": [t.lemma for t in title_kept], "body": [t.lemma for t in body_kept],
                "exact": [t.surface for t in title_words] + [t.surface for t in body_words],
                FORMS_FIELD: [t.surface for t in title_kept] + [t.surface for t in body_kept]}


def record_fields(stored: dict, content_hash: str, sortdate: int, source_text: bytes) -> dict:
    """A stored record as the fields of a build (``pipeline.DocumentProcessor``), without the words."""
    fields = {name: stored.get(name) for name in STORED if name != "id"}
    fields.update({
        "id": stored["id"], "lang": stored.get("lang") or "", "year": stored.get("year") or "",
        "_stored_title": stored.get("title") or "", "_stored_body": stored.get("body") or "",
        "content_hash": content_hash, "sortdate": int(sortdate or 0), "source_text": source_text,
    })
    for name in FACET_FIELDS:
        fields[name] = stored.get(name) or ""
    return fields


class Batch:
    """The rows of the documents to write, and their vocabulary: words read
    from a segment's arrays are gathered a segment at a time, with numpy."""

    def __init__(self, forms: dict[str, list[str]]) -> None:
        self.forms = forms  # lemma -> its forms (the index's forms table)
        self.rows: list[dict] = []
        self.spelled: set[tuple[str, str, str]] = set()  # (kind, term, lemma) of lemmatized documents
        self.read: list[tuple[SegmentWords, list[int]]] = []  # documents whose words the arrays gave

    def add_lemmatized(self, fields: dict) -> None:
        self.rows.append(cluster_row(fields))
        self.spelled |= vocabulary_rows(fields)

    def add_read(self, fields: dict, words: SegmentWords, docnum: int) -> None:
        self.rows.append(cluster_row(fields, words.columns(docnum)))
        if not self.read or self.read[-1][0] is not words:
            self.read.append((words, []))
        self.read[-1][1].append(docnum)

    def vocabulary(self) -> set[tuple[str, str, str]]:
        rows = set(self.spelled)
        for words, docnums in self.read:
            exact = set(words.exact.words_of(docnums))
            rows.update(("exact", form, "") for form in exact)
            for lemma in {*words.title.words_of(docnums), *words.body.words_of(docnums)}:
                rows.update(("form", form, lemma) for form in self.forms.get(lemma, ()) if form in exact)
        return rows

    def clear(self) -> None:
        self.rows, self.spelled, self.read = [], set(), []


def _forms_by_lemma(index_dir: Path) -> dict[str, list[str]] | None:
    """The index's forms table as lemma -> forms, or None if it is not complete."""
    table = FormsTable.load(index_dir)
    if not table.complete:
        return None
    forms: dict[str, list[str]] = {}
    for key in table.trie.keys():
        lemma, sep, form = key.partition("\x1f")
        if sep and lemma:
            forms.setdefault(lemma, []).append(form)
    return forms


class _Segment:
    """One segment's documents, added to a batch; its words are read from
    its arrays when a document of it is first written."""

    def __init__(self, documents: "EmbeddedDocuments", leaf) -> None:
        self.documents, self.leaf = documents, leaf
        self.hashes, self.dates = leaf.column_reader("content_hash"), leaf.column_reader("sortdate")
        self.texts = leaf.column_reader("source_text")
        self._words: SegmentWords | None | bool = False  # not read yet

    @property
    def words(self) -> SegmentWords | None:
        if self._words is False:
            usable = self.documents.forms is not None
            self._words = SegmentWords.load(self.documents.index_dir, self.leaf) if usable else None
        return self._words

    def add(self, batch: Batch, docnum: int) -> None:
        fields = record_fields(self.leaf.stored_fields(docnum), self.hashes[docnum], self.dates[docnum],
                               self.texts[docnum])
        words = self.words
        if words is None:
            fields.update(self.documents.lemmatized.words(fields["_stored_title"], fields["_stored_body"]))
            batch.add_lemmatized(fields)
        else:
            batch.add_read(fields, words, docnum)


class EmbeddedDocuments:
    """The live documents of an embedded index, segment by segment."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self.forms = _forms_by_lemma(self.index_dir)
        self._lemmatized: Lemmatized | None = None

    @property
    def lemmatized(self) -> Lemmatized:
        if self._lemmatized is None:
            self._lemmatized = Lemmatized()
        return self._lemmatized

    def __iter__(self) -> Iterator[tuple[str, str, Callable[[Batch], None]]]:
        """(id, content hash, a function adding the document to a batch): a
        document the cluster has as it is is neither read nor analysed."""
        ix = open_or_create(self.index_dir)
        with ix.searcher() as searcher:
            for leaf, _offset in searcher.reader().leaf_readers():
                segment, ids = _Segment(self, leaf), leaf.column_reader("id")
                for docnum in range(leaf.doc_count_all()):
                    if not leaf.is_deleted(docnum):
                        yield ids[docnum], segment.hashes[docnum], functools.partial(segment.add, docnum=docnum)


def copy_to_cluster(index_dir: Path | str, url: str, on_item: Callable[[str], None] | None = None,
                    batch: int = BATCH) -> IndexReport:
    """Writes the embedded index's documents to the cluster at ``url``."""
    note = on_item or (lambda _outcome: None)
    report = IndexReport()
    writer = ClusterWriter(sx.parse_url(url))
    try:
        known = writer.known_hashes()
        documents = EmbeddedDocuments(Path(index_dir))
        pending = Batch(documents.forms or {})

        def flush() -> None:
            writer.write(pending.rows, after=writer.write_vocabulary(pending.vocabulary()))
            writer.commit()
            pending.clear()

        for doc_id, digest, add in documents:
            if known.get(doc_id) == digest:
                report.unchanged += 1
                note("unchanged")
                continue
            add(pending)
            outcome = "updated" if doc_id in known else "indexed"
            setattr(report, outcome, getattr(report, outcome) + 1)
            note(outcome)
            if len(pending.rows) >= batch:
                flush()
        links = load_links(index_dir) or {}
        writer.set_meta("links", json.dumps(links, ensure_ascii=False))
        persons = Path(index_dir, PersonRegistry.FILE)
        if persons.exists():
            writer.set_meta("persons", persons.read_text(encoding="utf-8"))
        stories = Path(index_dir, STORIES_FILE)  # the index's stories, as it collapses them (none: none)
        writer.set_meta("stories", stories.read_text(encoding="utf-8") if stories.exists() else "")
        flush()
        if report.indexed or report.updated:
            writer.count_facet_values()
            writer.commit()
        writer.finish()
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
