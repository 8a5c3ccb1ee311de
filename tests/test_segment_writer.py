"""The posting arrays the writer files while it flushes a segment are, term
by term, the arrays read back from the written segment through Whoosh: in
segments Whoosh merged on commit, with deleted documents, and with a
threshold that keeps only the terms of several documents."""
from __future__ import annotations

import pytest
from whoosh import index as whoosh_index

from index.arrays import _SEP, SegmentArrays, _paths, write_segment_arrays
from index.config import SEEDS_DIR

from conftest import write_docs


def _live_postings(arrays, leaf) -> dict:
    """key -> (ids, weights, positions) of the documents not deleted: Whoosh
    cannot read deleted documents' postings back, and searches mask them out."""
    out = {}
    for key in arrays.terms.keys():
        if key.startswith(_SEP):
            continue
        fieldname, text = key.split(_SEP)
        ids, weights = arrays.postings(fieldname, text)
        live = [k for k, d in enumerate(ids.tolist()) if not leaf.is_deleted(d)]
        if not live:
            continue
        positions = arrays.positions(fieldname, text)
        if positions is not None:
            positions = [(d, p) for d, p in zip(positions[0].tolist(), positions[1].tolist()) if not leaf.is_deleted(d)]
        out[key] = ([ids.tolist()[k] for k in live], [weights.tolist()[k] for k in live], positions)
    return out


def _assert_same_arrays(index_dir, scratch, min_postings=1):
    """Every segment's own arrays against the ones read back from it; returns
    the segments' document counts."""
    counts = []
    scratch.mkdir()
    with whoosh_index.open_dir(str(index_dir)).reader() as reader:
        for leaf, _offset in reader.leaf_readers():
            segment_id = leaf.segment().segment_id()
            filed = SegmentArrays.open(*_paths(index_dir, segment_id))
            assert filed is not None, segment_id
            write_segment_arrays(scratch, leaf, segment_id, min_postings)
            read_back = SegmentArrays.open(*_paths(scratch, segment_id))
            assert (filed.fields, filed.complete) == (read_back.fields, read_back.complete)
            want = _live_postings(read_back, leaf)
            assert _live_postings(filed, leaf) == want and len(want) > 20, segment_id
            assert any(positions for _, _, positions in want.values())
            counts.append(leaf.doc_count_all())
    return counts


def test_filed_arrays_equal_the_arrays_read_back(tmp_path, build_index, monkeypatch):
    import index.arrays

    read_back = []  # segments whose arrays were written by reading them back: none
    monkeypatch.setattr(index.arrays, "write_segment_arrays", lambda *args, **kw: read_back.append(args[2]))
    index_dir = tmp_path / "index"
    extra = write_docs(tmp_path / "extra", {
        f"extra{k}": f"Завод номер {k} в Калужской области наладил выпуск станков. Губернатор Владислав Шапша осмотрел цех."
        for k in range(4)})
    # a segment per document: Whoosh merges the small ones on commit as they pile up
    build_index(index_dir, [SEEDS_DIR, extra], commit_every=1, merge_after=10**9)
    monkeypatch.undo()
    assert read_back == []
    counts = _assert_same_arrays(index_dir, tmp_path / "scratch1")
    assert len(counts) >= 2 and max(counts) > 1  # a segment made by a merge
    # an updated document leaves a deleted one behind in its old segment
    seed = sorted(p for p in SEEDS_DIR.iterdir() if p.suffix == ".txt")[0]
    changed = write_docs(tmp_path / "changed", {seed.stem: seed.read_text(encoding="utf-8") + "\nИмпортозамещение продолжается."})
    build_index(index_dir, [changed], commit_every=1, merge_after=10**9)
    with whoosh_index.open_dir(str(index_dir)).reader() as reader:
        assert reader.has_deletions()
    _assert_same_arrays(index_dir, tmp_path / "scratch2")


def test_filed_arrays_keep_the_threshold(tmp_path, build_index):
    index_dir = tmp_path / "index"
    build_index(index_dir, [SEEDS_DIR], array_min_postings=2, merge_after=10**9)
    _assert_same_arrays(index_dir, tmp_path / "scratch", min_postings=2)
    arrays = [SegmentArrays.open(*_paths(index_dir, leaf.segment().segment_id()))
              for leaf, _ in whoosh_index.open_dir(str(index_dir)).reader().leaf_readers()]
    assert all(not a.complete for a in arrays)
    assert all(a.postings(f, t)[0].size >= 2 for a in arrays
               for f, t in (k.split(_SEP) for k in a.terms.keys() if not k.startswith(_SEP)))


@pytest.mark.parametrize("commit_every", [1, 3])
def test_searches_read_the_filed_arrays(tmp_path, build_index, lemmatizer, commit_every):
    from search.engine import SearchEngine, SearchRequest

    index_dir = tmp_path / "index"
    build_index(index_dir, [SEEDS_DIR], commit_every=commit_every, merge_after=10**9)
    fresh = tmp_path / "fresh"
    build_index(fresh, [SEEDS_DIR], merge_after=10**9)
    for q in ("импортозамещение", '"поддержка экспорта"', "esportazione"):
        got = SearchEngine(index_dir, lemmatizer=lemmatizer).search(SearchRequest(q))
        want = SearchEngine(fresh, lemmatizer=lemmatizer).search(SearchRequest(q))
        assert got["total"] == want["total"] > 0, q
        assert got["facets"] == want["facets"], q
