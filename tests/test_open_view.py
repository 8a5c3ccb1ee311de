"""Opening a view reads Whoosh's columns a segment at a time and a facet's
postings a field at a time (``search/columns.py``, ``FacetColumn.from_reader``):
the same dates, ids, deletions and facet pairs as asking Whoosh document by
document and the arrays value by value, on an index of several segments
with a deleted document and one without dates."""
from __future__ import annotations

import json

import numpy as np
import pytest
from whoosh import index as whoosh_index

from index.config import SEEDS_DIR
from index.entities.official_links import NOT_AN_OFFICIAL
from search.columns import live_documents, numeric_column, text_column
from search.engine import SearchEngine
from search.facets import FACETS


@pytest.fixture(scope="module")
def index_with_deletion(tmp_path_factory, build_index):
    index_dir = tmp_path_factory.mktemp("open-view")
    undated = tmp_path_factory.mktemp("undated") / "undated.jsonl"
    undated.write_text(json.dumps({"id": "undated-1", "title": "Губернатор Хабаровского края открыл завод",
                                   "text": "Губернатор Хабаровского края Михаил Дегтярёв открыл завод "
                                           "металлоконструкций в Комсомольске-на-Амуре. " * 3},
                                  ensure_ascii=False) + "\n", encoding="utf-8")
    build_index(index_dir, [SEEDS_DIR, undated], commit_every=2, merge_after=10**9)
    ix = whoosh_index.open_dir(str(index_dir))
    reader = ix.reader()
    victim = reader.stored_fields(1)["id"]
    writer = ix.writer()
    writer.delete_by_term("id", victim)
    writer.commit(merge=False)
    return index_dir, victim


def test_columns_read_by_segment_equal_whooshs_values_document_by_document(index_with_deletion):
    index_dir, victim = index_with_deletion
    reader = whoosh_index.open_dir(str(index_dir)).reader()
    count = reader.doc_count_all()
    assert len(list(reader.leaf_readers())) >= 3 and reader.has_deletions()
    dates = numeric_column(reader, "sortdate", count)
    assert dates.tolist() == [v or 0 for v in reader.column_reader("sortdate")]
    assert 0 in dates.tolist() and len(set(dates.tolist())) > 2  # the undated document, and real dates
    ids = text_column(reader, "id", count)
    assert ids == list(reader.column_reader("id")) and "undated-1" in ids
    live = live_documents(reader, count)
    assert live.tolist() == [not reader.is_deleted(d) for d in range(count)]
    assert not live[ids.index(victim)] and live.sum() == count - 1


def test_facet_pairs_read_a_field_at_a_time_equal_those_read_value_by_value(index_with_deletion, lemmatizer):
    index_dir, victim = index_with_deletion
    view = SearchEngine(index_dir, lemmatizer=lemmatizer)._view()
    assert view.docnum_of(victim) is None and view.docnum_of("undated-1") is not None
    for name in FACETS:
        column = view.facets.columns[name]
        expected = {}
        for value in view.postings.expand_prefix(name, ""):
            counted = view.links.get(value) or value if name == "official" else value
            ids, _ = view.postings.postings(name, value)
            expected.setdefault(counted, set()).update(d for d in ids.tolist() if view.live[d])
        expected.pop(NOT_AN_OFFICIAL, None)
        assert set(expected) == set(column.values)
        got = {}
        for doc, value in zip(column.doc_ids.tolist(), column.value_ids.tolist()):
            got.setdefault(column.values[value], []).append(doc)
        assert {v: sorted(d) for v, d in got.items()} == {v: sorted(d) for v, d in expected.items() if d}
        assert all(docs == sorted(set(docs)) for docs in got.values()), "each value's documents once, in order"
        for doc in np.flatnonzero(view.live)[::3].tolist():
            mine = column.values_by_doc[column.doc_starts[doc]:column.doc_starts[doc + 1]].tolist()
            assert sorted(mine) == sorted(v for v, docs in enumerate(column.values) if doc in got.get(docs, []))
