"""Copying an embedded index to a cluster reads each document's words back
from the posting arrays: they must be what lemmatizing its stored text again
gives, word for word and in order, and so must the vocabulary they make.
(No ``searchd`` needed: this is the rows, not their writing.)"""
from __future__ import annotations

import json

import pytest

from index.build.cluster_from_index import Batch, EmbeddedDocuments, Lemmatized, record_fields
from index.build.cluster_rows import word_columns
from index.build.embedded_words import SegmentWords
from index.build.indexer import open_or_create

from test_concurrency import _real_shaped


@pytest.fixture(scope="module")
def changed_index(tmp_path_factory, build_index):
    """Real-shaped documents in several segments, one changed after (its
    old version deleted in an earlier segment), one with a hyphen, an
    apostrophe and a stop-word-only title."""
    work = tmp_path_factory.mktemp("copy-words")
    docs = _real_shaped(work / "docs.jsonl", 120)
    extra = work / "extra.jsonl"
    extra.write_text(json.dumps({"id": "odd", "title": "И в на", "lang": "it", "date": "2021-03-04",
                                 "text": "L'Emilia-Romagna e l'export: Ханты-Мансийский округ, «Северсталь»-2."},
                                ensure_ascii=False) + "\n", encoding="utf-8")
    index_dir = work / "index"
    build_index(index_dir, [docs, extra], commit_every=50)
    lines = docs.read_text(encoding="utf-8").splitlines()
    changed = json.loads(lines[3])
    changed["text"] += " Добавлено: металлургический комбинат и его новые печи."
    lines[3] = json.dumps(changed, ensure_ascii=False)
    docs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = build_index(index_dir, [docs, extra], commit_every=50)
    assert report.updated == 1, report.summary()
    return index_dir


def _live(index_dir):
    ix = open_or_create(index_dir)
    with ix.searcher() as searcher:
        for leaf, _offset in searcher.reader().leaf_readers():
            hashes, dates, texts = (leaf.column_reader(c) for c in ("content_hash", "sortdate", "source_text"))
            docs = [d for d in range(leaf.doc_count_all()) if not leaf.is_deleted(d)]
            fields = {d: record_fields(leaf.stored_fields(d), hashes[d], dates[d], texts[d]) for d in docs}
            yield SegmentWords.load(index_dir, leaf), fields


def test_the_words_read_from_the_arrays_are_the_lemmatized_words(changed_index):
    lemmatized = Lemmatized()
    segments = list(_live(changed_index))
    assert len(segments) > 1 and sum(len(f) for _w, f in segments) == 121
    for words, fields in segments:
        assert words is not None  # every segment of a fresh index can be read back
        for docnum, record in fields.items():
            again = lemmatized.words(record["_stored_title"], record["_stored_body"])
            assert words.columns(docnum) == word_columns(again), record["id"]
    odd = next(words.columns(d) for words, fields in segments for d, r in fields.items() if r["id"] == "odd")
    assert odd["title_len"] == 0 and "_2d_" in odd["exact"]  # the stop words left out; a hyphen spelled


def test_the_vocabulary_read_from_the_arrays_is_the_lemmatized_one(changed_index):
    documents = EmbeddedDocuments(changed_index)
    assert documents.forms is not None
    lemmatized = Lemmatized()
    read, spelled = Batch(documents.forms), Batch(documents.forms)
    for words, fields in _live(changed_index):
        for docnum, record in fields.items():
            read.add_read(record, words, docnum)
            spelled.add_lemmatized({**record, **lemmatized.words(record["_stored_title"], record["_stored_body"])})
    by_arrays, by_lemmas = read.vocabulary(), spelled.vocabulary()
    assert {r for r in by_arrays if r[0] == "exact"} == {r for r in by_lemmas if r[0] == "exact"}
    # every (lemma, form) a document has; the forms table may pair a form a
    # document has with a lemma another document gave it: never one not in the index
    assert {r for r in by_lemmas if r[0] == "form"} <= {r for r in by_arrays if r[0] == "form"}
    exact = {term for kind, term, _ in by_arrays if kind == "exact"}
    assert all(term in exact for kind, term, _ in by_arrays if kind == "form")
    assert [row["id"] for row in read.rows] == [row["id"] for row in spelled.rows]
    assert read.rows == spelled.rows


def test_a_meta_value_longer_than_a_row_holds_is_split_and_joined_again():
    """Sphinx 2.2 cuts a string attribute at 4 MB without a word: a long
    value of the meta index (the facet values, the names) is kept in parts."""
    from index.store import sphinx as sx

    long = "Дегтярёв " * 200_000  # 1.8 M characters, 3.4 MB of UTF-8
    rows = sx.meta_rows("facets", long)
    assert len(rows) > 2 and all(len(text) <= sx.META_PART for _id, _kind, text in rows)
    assert len({number for number, _kind, _text in rows}) == len(rows)
    joined = sx.meta_values([(kind, text) for _id, kind, text in reversed(rows)] + [("links", "{}")])
    assert joined == {"facets": long, "links": "{}"}
    assert sx.meta_rows("links", "{}") == [(sx.META_IDS["links"], "links", "{}")]
