"""Packed posting arrays (issue 34) read back exactly what was written: the
bit-packed streams value by value, a segment's postings, weights and
positions term by term and field by field, and an index written in the
four-byte layout before, converted on the next run with its merge."""
from __future__ import annotations

import numpy as np
import pytest
from whoosh import index as whoosh_index

from index.config import SEEDS_DIR
from index.store.arrays import _SEP, FORMAT, PLAIN_FORMAT, ArrayBuilder, SegmentArrays, _paths
from index.store.merged_arrays import MANIFEST, PREFIX, read_manifest, segments_of
from index.store import posting_format
from index.store.packed import ArrayFile, PackedStream, PackedWriter
from search.engine import SearchEngine, SearchRequest
from tests.test_segment_writer import _live_postings


def _stream(tmp_path, chunks) -> PackedStream:
    writer = PackedWriter(tmp_path / "s.npy", tmp_path / "s_blocks.npy")
    for chunk in chunks:
        writer.add(chunk)
    writer.close()
    return PackedStream(ArrayFile(tmp_path / "s.npy"), ArrayFile(tmp_path / "s_blocks.npy"))


def test_a_stream_gives_back_every_value_at_any_width(tmp_path):
    rng = np.random.default_rng(7)
    # blocks of zeros, of one bit, of 32 bits, of mixed widths, in chunks
    # that end inside a block
    values = np.concatenate([np.zeros(300, np.int64), np.ones(129, np.int64),
                             rng.integers(0, 2**32, 200, dtype=np.int64),
                             rng.integers(0, 2 ** rng.integers(1, 20, 1000), dtype=np.int64)])
    cuts = [0, 5, 130, 131, 700, 1200, len(values)]
    stream = _stream(tmp_path, [values[a:b] for a, b in zip(cuts[:-1], cuts[1:])])
    assert len(stream) == len(values)
    assert stream.range(0, len(values)).tolist() == values.tolist()
    picked = np.sort(rng.choice(len(values), 77, replace=False))
    assert stream.take(picked).tolist() == values[picked].tolist()
    assert stream.range(400, 401).tolist() == [values[400]]
    # small values take few bytes: 128 ones are 16 bytes, 300 zeros none
    assert (tmp_path / "s.npy").stat().st_size < values.nbytes / 3


def test_a_stream_refuses_values_it_cannot_hold(tmp_path):
    writer = PackedWriter(tmp_path / "s.npy", tmp_path / "s_blocks.npy")
    with pytest.raises(ValueError):
        writer.add(np.array([1, -1]))
    with pytest.raises(ValueError):
        writer.add(np.array([2**32]))
    writer.abort()
    assert not list(tmp_path.iterdir())


def _random_segment(rng, n_docs=500):
    """Terms of a positional field (weights: counts times 2.5), a field of
    values (weights 1) and a field whose weights are not counts (kept as
    they are), as the writer gets them."""
    terms = {}
    for field, positional, n_terms in (("body", True, 120), ("region", False, 30), ("odd", False, 20)):
        for t in range(n_terms):
            docs = np.sort(rng.choice(n_docs, int(rng.integers(1, n_docs // (1 + t % 7))), replace=False))
            if positional:
                positions = [np.sort(rng.choice(3000, int(rng.integers(1, 6)), replace=False)) for _ in docs]
                weights = [np.float32(len(p) * 2.5) for p in positions]
            else:
                positions = None
                weights = ([np.float32(1.0)] * len(docs) if field == "region"
                           else list(rng.random(len(docs)).astype(np.float32)))
            terms[(field, f"w{t}")] = (docs, weights, positions)
    return terms


@pytest.mark.parametrize("chunk", [None, 384])
def test_a_segment_reads_back_what_was_filed(tmp_path, monkeypatch, chunk):
    """Also written a few blocks at a time (as a merge of 100,000 documents
    is), so terms and postings straddle the chunks."""
    if chunk:
        monkeypatch.setattr(posting_format, "_CHUNK", chunk)
    rng = np.random.default_rng(3)
    terms = _random_segment(rng)
    builder = ArrayBuilder(["body", "region", "odd"])
    for (field, text), (docs, weights, positions) in terms.items():
        builder.add_term(field, text, docs.tolist(), weights, positions and [p.tolist() for p in positions])
    builder.write(tmp_path, "seg")
    arrays = SegmentArrays.open(*_paths(tmp_path, "seg"))
    assert arrays is not None and arrays.scales == {"body": 2.5, "region": 1.0}  # "odd" keeps its weights
    within = np.zeros(500, dtype=bool)
    within[::3] = True
    for (field, text), (docs, weights, positions) in terms.items():
        ids, got_weights = arrays.postings(field, text)
        assert ids.tolist() == docs.tolist()
        assert got_weights.tolist() == [float(w) for w in weights]
        if positions is None:
            assert arrays.positions(field, text) is None
            continue
        want_docs = np.repeat(docs, [len(p) for p in positions])
        want_pos = np.concatenate(positions)
        got_docs, got_pos = arrays.positions(field, text)
        assert got_docs.tolist() == want_docs.tolist() and got_pos.tolist() == want_pos.tolist()
        got_docs, got_pos = arrays.positions(field, text, within)
        keep = within[want_docs]
        assert got_docs.tolist() == want_docs[keep].tolist() and got_pos.tolist() == want_pos[keep].tolist()
    # a whole field at once, as a facet or a Whoosh merge reads it
    for field in ("body", "region", "odd"):
        words, entries, docs, weights = arrays.field_entries(field)
        for k, word in enumerate(words):
            mine = entries == k
            assert docs[mine].tolist() == terms[(field, word)][0].tolist()
            assert weights[mine].tolist() == [float(w) for w in terms[(field, word)][1]]
    words, entries, docs, positions = arrays.field_positions("body")
    for k, word in enumerate(words):
        want = terms[("body", word)]
        assert docs[entries == k].tolist() == np.repeat(want[0], [len(p) for p in want[2]]).tolist()
        assert positions[entries == k].tolist() == np.concatenate(want[2]).tolist()


def _write_plain_layout(index_dir, segment_id):
    """The arrays of ``segment_id`` written again in the layout before
    (four bytes a number), and this layout's files deleted."""
    arrays = SegmentArrays.open(*_paths(index_dir, segment_id))
    plain = arrays.plain()
    old_files, old_table = _paths(index_dir, segment_id, PLAIN_FORMAT)
    for part in ("ids", "weights", "posoff", "pos"):
        np.save(old_files[part], getattr(plain, part))
    np.save(old_files["spans"], plain.spans.astype(np.int64))
    arrays.terms.save(str(old_table))
    files, table = _paths(index_dir, segment_id)
    for path in (*files.values(), table):
        path.unlink()
    return arrays


class _NothingDeleted:
    """A leaf for ``_live_postings`` over arrays alone (a merge has no leaf)."""

    @staticmethod
    def is_deleted(_docnum) -> bool:
        return False


def _all_postings(arrays) -> dict:
    return _live_postings(arrays, _NothingDeleted())


def test_an_index_in_the_layout_before_is_converted_with_its_merge(tmp_path, build_index, lemmatizer):
    index_dir = tmp_path / "index"
    build_index(index_dir, [SEEDS_DIR], commit_every=2, merge_after=1)
    manifest = read_manifest(index_dir)
    assert manifest is not None
    engine = SearchEngine(index_dir, lemmatizer=lemmatizer)
    request = SearchRequest("импортозамещение")
    before = engine.search(request)
    segment_ids = [sid for sid, *_ in segments_of(whoosh_index.open_dir(str(index_dir)).reader())]
    want = {sid: _all_postings(SegmentArrays.open(*_paths(index_dir, sid))) for sid in segment_ids}
    want_merged = _all_postings(SegmentArrays.open(*_paths(index_dir, PREFIX + manifest["name"])))
    for sid in [*segment_ids, PREFIX + manifest["name"]]:
        _write_plain_layout(index_dir, sid)
    (index_dir / MANIFEST).rename(index_dir / f"merged.{PLAIN_FORMAT}.json")
    assert not list(index_dir.glob(f"*.{FORMAT}_*"))

    # the next run converts them: the same postings, the merge standing
    report = build_index(index_dir, [SEEDS_DIR], merge_after=1)
    assert report.unchanged == 5
    assert read_manifest(index_dir)["name"] == manifest["name"]
    assert _all_postings(SegmentArrays.open(*_paths(index_dir, PREFIX + manifest["name"]))) == want_merged
    for sid in segment_ids:
        assert _all_postings(SegmentArrays.open(*_paths(index_dir, sid))) == want[sid]
    assert not list(index_dir.glob(f"*.{PLAIN_FORMAT}*"))
    after = SearchEngine(index_dir, lemmatizer=lemmatizer).search(request)
    assert after["total"] == before["total"] > 0
    assert [hit["id"] for hit in after["hits"]] == [hit["id"] for hit in before["hits"]]


def test_a_long_list_counted_over_a_few_documents_unpacks_only_their_blocks(tmp_path):
    """``occurrences`` over a selection of a few documents reads only the
    blocks that can hold them (``skips``), and sums what a full read sums."""
    rng = np.random.default_rng(5)
    n_docs = 20_000
    builder = ArrayBuilder(["exact"])
    filed, filed_positions = {}, {}
    for text, size in (("a", 30), ("long", 6000), ("b", 900), ("longer", 15000), ("longest", 19000)):
        docs = np.sort(rng.choice(n_docs, size, replace=False))
        positions = [np.sort(rng.choice(500, int(rng.integers(1, 4)), replace=False)).tolist() for _ in docs]
        builder.add_term("exact", text, docs.tolist(), [float(len(p)) for p in positions], positions)
        filed[text] = dict(zip(docs.tolist(), (len(p) for p in positions)))
        filed_positions[text] = dict(zip(docs.tolist(), positions))
    builder.write(tmp_path, "seg")
    arrays = SegmentArrays.open(*_paths(tmp_path, "seg"))
    unpacked = []
    take = arrays.ids.take
    arrays.ids.take = lambda indices: unpacked.append(len(indices)) or take(indices)
    for selected_count in (1, 7, 40, 3000):
        selection = np.zeros(n_docs, dtype=bool)
        selection[rng.choice(n_docs, selected_count, replace=False)] = True
        for text, counts in filed.items():
            want = sum(c for d, c in counts.items() if selection[d])
            unpacked.clear()
            assert arrays.occurrences("exact", text, selection) == want
            # a phrase's positions within the selection, the same way
            docs, positions = arrays.positions("exact", text, selection)
            assert docs.tolist() == [d for d in sorted(counts) if selection[d] for _ in range(counts[d])]
            assert positions.tolist() == [p for d in sorted(counts) if selection[d] for p in filed_positions[text][d]]
            if text == "longer" and selected_count <= 7:  # at most 8 of its 118 blocks, twice
                assert sum(unpacked) <= 2 * 8 * 128
