"""Once merged, a segment keeps no second copy of its postings: it is read
from its slice of the merged arrays, which holds exactly what its own
arrays held; a merge that no longer stands for its segments is merged
again from those slices, and searches find the same as before."""
from __future__ import annotations

import json
import shutil

from conftest import index_segments, write_docs
from index.config import SEEDS_DIR
from index.store.arrays import _SEP, SegmentArrays, _paths, write_arrays
from index.store.merged_arrays import (MANIFEST, PREFIX, covered_slices, needs_merge, read_manifest,
                                       write_merged_arrays)
from search.engine import SearchEngine, SearchRequest

QUERIES = ["импортозамещение", "экспорт*", '"поддержка экспорта"', "промышленность -экспорт", "esportazione",
           "губернатор", "Хабаровский край"]




def _everything(arrays) -> dict:
    """Every term's postings, weights and positions, by key."""
    out = {}
    for key in arrays.terms.keys():
        if key.startswith(_SEP):
            continue
        fieldname, text = key.split(_SEP)
        found = arrays.postings(fieldname, text)
        if found is None or not len(found[0]):
            continue
        positions = arrays.positions(fieldname, text)
        out[key] = (found[0].tolist(), found[1].tolist(),
                    None if positions is None else (positions[0].tolist(), positions[1].tolist()))
    return out


def _results(engine) -> list:
    return [(r["total"], [h["id"] for h in r["hits"]], r["facets"], r["explain"])
            for r in (engine.search(SearchRequest(q)) for q in QUERIES)]


def test_a_slice_holds_what_the_segments_own_arrays_held(segmented_index, tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(segmented_index, index_dir)
    segments = index_segments(index_dir)
    own = {sid: SegmentArrays.load(index_dir, leaf) for sid, _count, leaf, _offset in segments}
    assert len(own) >= 3
    assert write_merged_arrays(index_dir, segments, own_arrays_below=None)
    slices = covered_slices(index_dir)
    assert set(slices) == set(own)
    for sid, arrays in own.items():
        piece = slices[sid]
        assert _everything(piece) == _everything(arrays), sid
        for fieldname in ("official", "region", "year"):
            want_terms, want_lengths, want_ids = arrays.field_postings(fieldname)
            terms, lengths, ids = piece.field_postings(fieldname)
            assert dict(zip(terms, lengths.tolist())) == dict(zip(want_terms, want_lengths.tolist()))
            assert sorted(ids.tolist()) == sorted(want_ids.tolist())
        words, entries, docs, pos = piece.field_positions("body")
        want_words, want_entries, want_docs, want_pos = arrays.field_positions("body")
        assert sorted(zip([words[e] for e in entries], docs.tolist(), pos.tolist())) == \
            sorted(zip([want_words[e] for e in want_entries], want_docs.tolist(), want_pos.tolist()))
        # written out again as arrays of its own: the same postings
        trie, plain = piece.restricted()
        files, table = _paths(tmp_path / "again", sid)
        (tmp_path / "again").mkdir(exist_ok=True)
        write_arrays(trie, plain, files, table)
        assert _everything(SegmentArrays.open(files, table)) == _everything(arrays), sid
        assert sum(1 for k in trie.keys() if not k.startswith(_SEP)) == len(_everything(arrays))


def test_merged_segments_lose_their_own_arrays_and_searches_agree(segmented_index, tmp_path, lemmatizer):
    index_dir = tmp_path / "index"
    shutil.copytree(segmented_index, index_dir)
    expected = _results(SearchEngine(index_dir, lemmatizer=lemmatizer))
    segments = index_segments(index_dir)
    arrays_bytes = sum(p.stat().st_size for p in index_dir.glob("MAIN_*.pa5_*"))
    assert write_merged_arrays(index_dir, segments, own_arrays_below=0)
    assert not list(index_dir.glob("MAIN_*.pa5_*")), "a second copy of the postings was kept"
    merged_bytes = sum(p.stat().st_size for p in index_dir.glob(f"{PREFIX}*"))
    assert merged_bytes < 1.5 * arrays_bytes
    assert _results(SearchEngine(index_dir, lemmatizer=lemmatizer)) == expected
    # a merge that no longer stands for a run of the segments (here: it
    # names one more, as if Whoosh had merged one away): each segment is
    # read from its slice, the indexer merges again, and nothing is lost
    manifest = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
    manifest["segments"].append(["MAIN_gone", 0])
    (index_dir / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    engine = SearchEngine(index_dir, lemmatizer=lemmatizer)
    assert [len(leaves) for _, _, leaves in engine._view().postings.parts] == [1] * len(segments)
    assert _results(engine) == expected
    assert needs_merge(index_dir, segments, merge_after=10**9)


def test_a_merge_of_slices_that_no_longer_lie_together(segmented_index, tmp_path):
    """The segment between two others was merged away by Whoosh: the merge
    after reads the others' slices of the merge before, each cut down to
    its own documents."""
    index_dir = tmp_path / "index"
    shutil.copytree(segmented_index, index_dir)
    segments = index_segments(index_dir)
    own = [(SegmentArrays.load(index_dir, leaf), count) for _sid, count, leaf, _offset in segments]
    assert write_merged_arrays(index_dir, segments, own_arrays_below=0)
    old_name = read_manifest(index_dir)["name"]
    kept = [segments[0], segments[2]]
    assert write_merged_arrays(index_dir, kept, own_arrays_below=0)
    manifest = read_manifest(index_dir)
    assert manifest["name"] != old_name and not list(index_dir.glob(f"{PREFIX}{old_name}.*"))
    merged = SegmentArrays.open(*_paths(index_dir, PREFIX + manifest["name"]))
    first, third = (_everything(own[i][0]) for i in (0, 2))
    shift = own[0][1]
    want: dict = {}
    for postings, offset in ((first, 0), (third, shift)):
        for key, (ids, weights, positions) in postings.items():
            entry = want.setdefault(key, ([], [], None if positions is None else ([], [])))
            entry[0].extend(d + offset for d in ids)
            entry[1].extend(weights)
            if positions is not None:
                entry[2][0].extend(d + offset for d in positions[0])
                entry[2][1].extend(positions[1])
    assert _everything(merged) == want


def test_incremental_runs_over_merged_segments_find_what_a_full_copy_finds(tmp_path, build_index, lemmatizer):
    """Whoosh merges segments whose postings only the merged arrays hold:
    their words are read from their slices, and the next search finds what
    an index that kept every copy finds."""
    extra = write_docs(tmp_path / "extra", {
        f"extra{i}": f"Губернатор Хабаровского края обсудил импортозамещение и поддержку экспорта с заводом {i}. "
                     f"L'esportazione di macchinari {i} cresce."
        for i in range(5)})
    engines = {}
    for label, below in (("kept", None), ("dropped", 0)):
        index_dir = tmp_path / label
        build_index(index_dir, [SEEDS_DIR], commit_every=2, merge_after=1, own_arrays_below=below)
        if below == 0:
            assert not list(index_dir.glob("MAIN_*_terms.marisa"))
        build_index(index_dir, [SEEDS_DIR, extra], commit_every=2, merge_after=1, own_arrays_below=below)
        segments = index_segments(index_dir)
        manifest = read_manifest(index_dir)
        # a merge that stands for no run of segments and is nobody's only copy is gone
        assert manifest is None or [s for s, *_ in segments] == [s for s, _ in manifest["segments"]]
        engines[label] = SearchEngine(index_dir, lemmatizer=lemmatizer)
    assert _results(engines["dropped"]) == _results(engines["kept"])
    assert engines["dropped"].search(SearchRequest("esportazione"))["total"] >= 5


def test_a_merge_copied_a_few_postings_at_a_time_is_the_same(segmented_index, tmp_path, monkeypatch):
    """A part is copied in batches of postings (a whole merge before at
    once took gigabytes); batches of a few postings make the same merge."""
    from index.store import merged_arrays

    made = {}
    for label, batch in (("whole", merged_arrays.BATCH), ("batches", 7)):
        index_dir = tmp_path / label
        shutil.copytree(segmented_index, index_dir)
        monkeypatch.setattr(merged_arrays, "BATCH", batch)
        assert write_merged_arrays(index_dir, index_segments(index_dir), own_arrays_below=None)
        made[label] = _everything(SegmentArrays.open(*_paths(index_dir, PREFIX + read_manifest(index_dir)["name"])))
    assert made["batches"] == made["whole"] and len(made["whole"]) > 1000


def test_a_slices_words_read_a_few_postings_at_a_time_are_the_same(segmented_index, tmp_path, monkeypatch):
    from index.store import merged_slice

    index_dir = tmp_path / "index"
    shutil.copytree(segmented_index, index_dir)
    assert write_merged_arrays(index_dir, index_segments(index_dir), own_arrays_below=None)
    whole = {sid: piece.field_positions("body") for sid, piece in covered_slices(index_dir).items()}
    monkeypatch.setattr(merged_slice, "BATCH", 5)
    for sid, piece in covered_slices(index_dir).items():
        words, entries, docs, pos = piece.field_positions("body")
        want_words, want_entries, want_docs, want_pos = whole[sid]
        assert [words[e] for e in entries] == [want_words[e] for e in want_entries] and len(entries) > 100
        assert docs.tolist() == want_docs.tolist() and pos.tolist() == want_pos.tolist()
