"""Merged posting arrays hold, term by term, exactly what the segments' own
arrays hold; a merge that did not finish, or no longer matches the index's
segments, is never read."""
from __future__ import annotations

import json
import shutil

from whoosh import index as whoosh_index

from conftest import index_segments
from index.store.arrays import _SEP, ARRAY_FIELDS, FORMAT, SegmentArrays, _paths
from index.config import SEEDS_DIR
from index.store.merged_arrays import MANIFEST, PREFIX, read_manifest, write_merged_arrays
from search.engine import SearchEngine, SearchRequest




def test_merged_arrays_hold_each_segments_postings_in_order(segmented_index, tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(segmented_index, index_dir)
    segments = index_segments(index_dir)
    assert len(segments) >= 3 and not read_manifest(index_dir)
    assert write_merged_arrays(index_dir, segments)
    manifest = read_manifest(index_dir)
    assert manifest["segments"] == [(sid, count) for sid, count, *_ in segments]
    merged = SegmentArrays.open(*_paths(index_dir, PREFIX + manifest["name"]))
    own = [(SegmentArrays.load(index_dir, leaf), offset) for _sid, _count, leaf, offset in segments]
    keys = {key for arrays, _ in own for key in arrays.terms.keys() if not key.startswith(_SEP)}
    assert {key for key in merged.terms.keys() if not key.startswith(_SEP)} == keys
    assert merged.fields == set(ARRAY_FIELDS) and all(arrays.fields == merged.fields for arrays, _ in own)
    assert {key.split(_SEP)[0] for key in keys} >= {"official", "region", "sector", "year", "lang"}
    positional_terms = 0
    for key in keys:
        fieldname, text = key.split(_SEP)
        ids, weights = merged.postings(fieldname, text)
        want = [(arrays.postings(fieldname, text), offset) for arrays, offset in own if arrays.postings(fieldname, text)]
        assert ids.tolist() == [int(d) + offset for (seg_ids, _), offset in want for d in seg_ids]
        assert weights.tolist() == [float(w) for (_, seg_weights), _ in want for w in seg_weights]
        positions = merged.positions(fieldname, text)
        if positions is not None:
            positional_terms += 1
            seg_positions = [(arrays.positions(fieldname, text), offset) for arrays, offset in own]
            seg_positions = [(p, offset) for p, offset in seg_positions if p is not None]
            assert positions[0].tolist() == [int(d) + offset for (docs, _), offset in seg_positions for d in docs]
            assert positions[1].tolist() == [int(p) for (_, pos), _ in seg_positions for p in pos]
    assert positional_terms > 100


def test_searches_agree_with_and_without_merged_arrays(segmented_index, tmp_path, lemmatizer):
    index_dir = tmp_path / "index"
    shutil.copytree(segmented_index, index_dir)
    before = SearchEngine(index_dir, lemmatizer=lemmatizer)
    queries = ["импортозамещение", "экспорт*", '"поддержка экспорта"', "промышленность -экспорт", "esportazione"]
    expected = [before.search(SearchRequest(q)) for q in queries]
    assert write_merged_arrays(index_dir, index_segments(index_dir))
    after = SearchEngine(index_dir, lemmatizer=lemmatizer)
    assert len(after._view().postings.parts) == 1
    for q, want in zip(queries, expected):
        got = after.search(SearchRequest(q))
        assert got["total"] == want["total"] > 0, q
        assert [h["id"] for h in got["hits"]] == [h["id"] for h in want["hits"]], q
        assert got["facets"] == want["facets"] and got["explain"] == want["explain"], q
    assert after.suggest_terms("экспо") == before.suggest_terms("экспо")


def test_an_unfinished_merge_is_ignored_and_cleaned_up(segmented_index, tmp_path, lemmatizer):
    index_dir = tmp_path / "index"
    shutil.copytree(segmented_index, index_dir)
    assert write_merged_arrays(index_dir, index_segments(index_dir))
    # a killed merge: arrays written, manifest never replaced
    (index_dir / MANIFEST).unlink()
    leftovers = sorted(p.name for p in index_dir.glob(f"{PREFIX}*"))
    assert leftovers
    engine = SearchEngine(index_dir, lemmatizer=lemmatizer)
    assert len(engine._view().postings.parts) == len(index_segments(index_dir))
    assert engine.search(SearchRequest("импортозамещение"))["total"] > 0
    assert write_merged_arrays(index_dir, index_segments(index_dir))
    name = read_manifest(index_dir)["name"]
    assert all(p.name.startswith(f"{PREFIX}{name}.") for p in index_dir.glob(f"{PREFIX}*"))
    assert not set(leftovers) & {p.name for p in index_dir.glob(f"{PREFIX}*")}


def test_merged_arrays_of_other_segments_are_not_read(segmented_index, tmp_path, lemmatizer):
    """The manifest names segments the index no longer has in that order
    (Whoosh merged them away, or the index was rebuilt): each segment is
    read from its own arrays."""
    index_dir = tmp_path / "index"
    shutil.copytree(segmented_index, index_dir)
    segments = index_segments(index_dir)
    assert write_merged_arrays(index_dir, segments[1:])
    engine = SearchEngine(index_dir, lemmatizer=lemmatizer)
    parts = engine._view().postings.parts
    assert [len(leaves) for _, _, leaves in parts] == [1, len(segments) - 1]  # the run after the first still counts
    manifest = read_manifest(index_dir)
    manifest["segments"] = [[sid, count + 1] for sid, count in manifest["segments"]]
    (index_dir / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    engine = SearchEngine(index_dir, lemmatizer=lemmatizer)
    assert [len(leaves) for _, _, leaves in engine._view().postings.parts] == [1] * len(segments)
    assert engine.search(SearchRequest("импортозамещение"))["total"] > 0


def test_indexer_merges_when_too_many_segments_are_unmerged(tmp_path, build_index, lemmatizer):
    index_dir = tmp_path / "index"
    report = build_index(index_dir, [SEEDS_DIR], commit_every=2, merge_after=1)
    assert report.merged_arrays and "posting arrays merged" in report.summary()
    engine = SearchEngine(index_dir, lemmatizer=lemmatizer)
    assert len(engine._view().postings.parts) == 1
    # nothing changed: nothing to merge again
    assert not build_index(index_dir, [SEEDS_DIR], commit_every=2, merge_after=1).merged_arrays
    assert engine.search(SearchRequest("импортозамещение"))["total"] > 0


def test_a_segment_with_deleted_documents_is_read_without_them(segmented_index, tmp_path, lemmatizer):
    """Whoosh keeps a deleted document in its segment until a merge (a
    commit that merges nothing keeps it there) and filters it out of that
    segment's postings with a wrapper. Facet values, read from Whoosh's own
    postings, and terms, read from the arrays, both leave it out, and the
    segment's other documents keep theirs."""
    index_dir = tmp_path / "index"
    shutil.copytree(segmented_index, index_dir)
    before = SearchEngine(index_dir, lemmatizer=lemmatizer).search(SearchRequest(""))
    ix = whoosh_index.open_dir(str(index_dir))
    reader = ix.reader()
    # a segment of two documents, the one kept having a region
    victim = kept = None
    for leaf, offset in reader.leaf_readers():
        stored = [reader.stored_fields(offset + i) for i in range(leaf.doc_count_all())]
        if len(stored) == 2 and any(s.get("region") for s in stored):
            kept, victim = sorted(stored, key=lambda s: not s.get("region"))
            break
    assert kept is not None
    writer = ix.writer()
    writer.delete_by_term("id", victim["id"])
    writer.commit(merge=False)
    region = kept["region"].split(",")[0]
    after = SearchEngine(index_dir, lemmatizer=lemmatizer).search(SearchRequest(""))
    assert after["total"] == before["total"] - 1
    assert victim["id"] not in {h["id"] for h in after["hits"]}
    lost = set(victim.get("region", "").split(",")) - {""}
    counts_before = {r["value"]: r["count"] for r in _flat(before["facets"]["region"])}
    counts_after = {r["value"]: r["count"] for r in _flat(after["facets"]["region"])}
    assert counts_after[region] == counts_before[region] - (region in lost)


def _flat(records):
    for record in records:
        yield record
        yield from _flat(record.get("children", []))


def test_arrays_of_fewer_fields_are_rewritten_and_merged_again(tmp_path, build_index, lemmatizer, monkeypatch):
    """An index whose arrays an older version wrote (without the facet
    fields) gets them on the next run, even with nothing to index, and its
    old merge is replaced."""
    import index.store.arrays

    index_dir = tmp_path / "index"
    with monkeypatch.context() as patch:
        patch.setattr(index.store.arrays, "ARRAY_FIELDS", {"title": True, "body": True, "exact": False})
        assert build_index(index_dir, [SEEDS_DIR], commit_every=2, merge_after=1).merged_arrays
    old_name = read_manifest(index_dir)["name"]
    assert SearchEngine(index_dir, lemmatizer=lemmatizer)._view().postings.parts[0][0].fields == {"title", "body", "exact"}
    report = build_index(index_dir, [SEEDS_DIR], commit_every=2, merge_after=1)
    assert report.indexed == 0 and report.merged_arrays
    assert read_manifest(index_dir)["name"] != old_name
    assert not list(index_dir.glob(f"{PREFIX}{old_name}.*"))
    parts = SearchEngine(index_dir, lemmatizer=lemmatizer)._view().postings.parts
    assert len(parts) == 1 and parts[0][0].fields == set(ARRAY_FIELDS)


def test_array_files_of_an_earlier_format_are_removed(tmp_path, build_index, lemmatizer):
    """An index an earlier version wrote keeps its arrays in files of that
    format; once every segment has arrays of this one, the next run deletes
    them (they can be as large as the arrays themselves)."""
    index_dir = tmp_path / "index"
    build_index(index_dir, [SEEDS_DIR])
    current = sorted(p.name for p in index_dir.iterdir() if f".{FORMAT}" in p.name)
    assert current
    earlier = []
    for name in current:
        old = index_dir / name.replace(f".{FORMAT}", ".pa3")
        shutil.copy(index_dir / name, old)
        earlier.append(old)
    (index_dir / "merged.pa3.json").write_text("{}", encoding="utf-8")
    report = build_index(index_dir, [SEEDS_DIR])
    assert report.unchanged == 5
    assert not [p for p in earlier if p.exists()] and not (index_dir / "merged.pa3.json").exists()
    assert sorted(p.name for p in index_dir.iterdir() if f".{FORMAT}" in p.name) == current
    assert SearchEngine(index_dir, lemmatizer=lemmatizer).search(SearchRequest("импортозамещение"))["total"] > 0
