"""The segment writer. The posting arrays it files while it flushes a
segment are, term by term, the arrays read back through Whoosh from the
same segment written with every posting in Whoosh: in segments Whoosh merged
on commit, with deleted documents, and with a threshold that keeps only the
terms of several documents (the text fields, kept in the arrays only, are
kept whole). The Whoosh files it writes are Whoosh's own (with the same
codec), byte for byte, or (small blocks left uncompressed) read back the
same. Stored fields compressed by either codec read back. A segment is
committed before its posting pool spills to disk."""
from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from index.store.arrays import _SEP, FORMAT, SegmentArrays, _paths, write_segment_arrays

from index.config import SEEDS_DIR
from index.build.segment_writer import ArraySegmentWriter
from index.store.codec import ZstdStoredCodec
from index.store.forms import form_keys
from index.analysis.word_ids import FORMS_FIELD, WORD_IDS_FIELD, WordIds

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


def _build_twins(tmp_path, build_index, name, *runs, **options):
    """The same runs indexed twice: as the indexer writes (``name``), and
    with every posting in Whoosh too (``name``-whoosh), the reference the
    arrays are read back from."""
    import index.store.arrays

    index_dir, twin = tmp_path / name, tmp_path / f"{name}-whoosh"
    for paths in runs:
        build_index(index_dir, paths, **options)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index.store.arrays, "TEXT_FIELDS", ())
        patch.setattr(index.store.arrays, "VALUE_FIELDS", ())
        for paths in runs:
            build_index(twin, paths, **options)
    return index_dir, twin


def _assert_same_arrays(index_dir, twin, scratch, min_postings=1, values_in_whoosh=False):
    """Every segment's own arrays against the ones read back from its twin's
    Whoosh postings (the text fields' and the fields of values' with every
    term; ``values_in_whoosh``: segments written before the fields of
    values left Whoosh may hold those there too); returns the segments'
    document counts."""
    from index.store.arrays import TEXT_FIELDS, VALUE_FIELDS

    arrays_only = (*TEXT_FIELDS, *VALUE_FIELDS)

    counts = []
    scratch.mkdir()
    with whoosh_index.open_dir(str(index_dir)).reader() as reader, whoosh_index.open_dir(str(twin)).reader() as twin_reader:
        pairs = list(zip(reader.leaf_readers(), twin_reader.leaf_readers(), strict=True))
        for (leaf, _), (twin_leaf, _) in pairs:
            assert list(leaf.column_reader("id")) == list(twin_leaf.column_reader("id"))
            assert all(not list(leaf.lexicon(f)) and list(twin_leaf.lexicon(f)) for f in TEXT_FIELDS)
            assert values_in_whoosh or not any(list(leaf.lexicon(f)) for f in VALUE_FIELDS)
            segment_id, twin_id = leaf.segment().segment_id(), twin_leaf.segment().segment_id()
            filed = SegmentArrays.open(*_paths(index_dir, segment_id))
            assert filed is not None, segment_id
            read_back = {}
            for threshold in {1, min_postings}:
                (scratch / str(threshold)).mkdir(exist_ok=True)
                write_segment_arrays(scratch / str(threshold), twin_leaf, twin_id, threshold)
                read_back[threshold] = SegmentArrays.open(*_paths(scratch / str(threshold), twin_id))
            assert (filed.fields, filed.complete) == (read_back[min_postings].fields, read_back[min_postings].complete)
            assert all(filed.knows_all(f) for f in arrays_only)
            got = _live_postings(filed, leaf)
            want = {key: postings for key, postings in _live_postings(read_back[min_postings], twin_leaf).items()
                    if key.split(_SEP)[0] not in arrays_only}
            want.update((key, postings) for key, postings in _live_postings(read_back[1], twin_leaf).items()
                        if key.split(_SEP)[0] in arrays_only)
            assert got == want and len(want) > 20, segment_id
            assert all(positions for key, (_, _, positions) in want.items() if key.split(_SEP)[0] in TEXT_FIELDS)
            counts.append(leaf.doc_count_all())
    return counts


def test_filed_arrays_equal_the_arrays_read_back(tmp_path, build_index, monkeypatch):
    import index.store.arrays

    read_back = []  # segments whose arrays were written by reading them back: none
    monkeypatch.setattr(index.store.arrays, "write_segment_arrays", lambda *args, **kw: read_back.append(args[2]))
    extra = write_docs(tmp_path / "extra", {
        f"extra{k}": f"Завод номер {k} в Калужской области наладил выпуск станков. Губернатор Владислав Шапша осмотрел цех."
        for k in range(4)})
    # a segment per document: Whoosh merges the small ones on commit as they pile up
    index_dir, twin = _build_twins(tmp_path, build_index, "index2", [SEEDS_DIR, extra], commit_every=1, merge_after=10**9)
    monkeypatch.undo()
    assert read_back == []
    counts = _assert_same_arrays(index_dir, twin, tmp_path / "scratch1")
    assert len(counts) >= 2 and max(counts) > 1  # a segment made by a merge
    # an updated document leaves a deleted one behind in its old segment,
    # and a segment merged with it holds only the live documents' postings
    seed = sorted(p for p in SEEDS_DIR.iterdir() if p.suffix == ".txt")[0]
    changed = write_docs(tmp_path / "changed", {seed.stem: seed.read_text(encoding="utf-8") + "\nИмпортозамещение продолжается."})
    later = write_docs(tmp_path / "later", {f"later{k}": f"Станкостроительный завод номер {k} открыл новый цех." for k in range(6)})
    index_dir, twin = _build_twins(tmp_path, build_index, "index3", [SEEDS_DIR, extra], [changed],
                                   commit_every=1, merge_after=10**9)
    with whoosh_index.open_dir(str(index_dir)).reader() as reader:
        assert reader.has_deletions()
    _assert_same_arrays(index_dir, twin, tmp_path / "scratch3")
    merged = []
    add_reader = ArraySegmentWriter.add_reader
    monkeypatch.setattr(ArraySegmentWriter, "add_reader",
                        lambda writer, reader: (merged.append(reader.has_deletions()), add_reader(writer, reader))[1])
    index_dir, twin = _build_twins(tmp_path, build_index, "index4", [SEEDS_DIR, extra], [changed], [later],
                                   commit_every=1, merge_after=10**9)
    assert True in merged
    _assert_same_arrays(index_dir, twin, tmp_path / "scratch4")


def test_segments_holding_the_values_in_whoosh_are_merged_into_the_arrays(tmp_path, build_index, monkeypatch):
    """Segments written while Whoosh held the fields of values (the facets,
    the year, the language): merged with new ones, their values' postings
    go to the merged segment's arrays, read from Whoosh."""
    import index.store.arrays

    extra = write_docs(tmp_path / "extra", {
        f"extra{k}": f"Завод номер {k} в Пермском крае наладил выпуск станков. Губернатор Дмитрий Махонин осмотрел цех."
        for k in range(6)})
    index_dir, twin = tmp_path / "index", tmp_path / "twin"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index.store.arrays, "VALUE_FIELDS", ())
        build_index(index_dir, [SEEDS_DIR], commit_every=1, merge_after=10**9)
        patch.setattr(index.store.arrays, "TEXT_FIELDS", ())
        build_index(twin, [SEEDS_DIR], commit_every=1, merge_after=10**9)
        build_index(twin, [extra], commit_every=1, merge_after=10**9)
    with whoosh_index.open_dir(str(index_dir)).reader() as reader:
        assert list(reader.lexicon("region"))  # as segments were written before
    merged_older = []
    add_reader = ArraySegmentWriter.add_reader
    monkeypatch.setattr(ArraySegmentWriter, "add_reader", lambda writer, reader: (
        merged_older.append(any(True for _ in reader.lexicon("region"))), add_reader(writer, reader))[1])
    build_index(index_dir, [extra], commit_every=1, merge_after=10**9)
    monkeypatch.undo()
    assert True in merged_older
    _assert_same_arrays(index_dir, twin, tmp_path / "scratch", values_in_whoosh=True)
    with whoosh_index.open_dir(str(index_dir)).reader() as reader:
        merged = [leaf for leaf, _ in reader.leaf_readers() if leaf.doc_count_all() > 1]
        assert merged and not any(list(leaf.lexicon("region")) for leaf in merged)


def test_filed_arrays_keep_the_threshold(tmp_path, build_index):
    from index.store.arrays import TEXT_FIELDS, VALUE_FIELDS

    index_dir, twin = _build_twins(tmp_path, build_index, "index", [SEEDS_DIR], array_min_postings=2, merge_after=10**9)
    _assert_same_arrays(index_dir, twin, tmp_path / "scratch", min_postings=2)
    arrays = [SegmentArrays.open(*_paths(index_dir, leaf.segment().segment_id()))
              for leaf, _ in whoosh_index.open_dir(str(index_dir)).reader().leaf_readers()]
    assert all(not a.complete for a in arrays)
    keys = [k.split(_SEP) for a in arrays for k in a.terms.keys() if not k.startswith(_SEP)]
    assert all(a.postings(f, t)[0].size >= 2 for a in arrays for f, t in keys if f not in (*TEXT_FIELDS, *VALUE_FIELDS))
    assert any(a.postings(f, t)[0].size == 1 for a in arrays for f, t in keys if f in TEXT_FIELDS)
    assert any(a.postings(f, t)[0].size == 1 for a in arrays for f, t in keys if f in VALUE_FIELDS)


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


def _written_files(index_dir) -> dict[str, bytes]:
    """The one segment's files, named without the segment's random id
    ("MAIN_<id>.pst" -> "pst"), less the posting arrays beside them."""
    return {path.name.split(".", 1)[1]: path.read_bytes() for path in index_dir.iterdir()
            if path.name.startswith("MAIN_") and not path.name.endswith("WRITELOCK") and f".{FORMAT}_" not in path.name}


def _write_both(tmp_path, text_in_whoosh: bool = True) -> dict[str, Path]:
    """The same 400 documents written by Whoosh's writer and by ours: terms of
    one posting and of several blocks (over 128 documents), repeated words
    (weights over 1), empty fields (length 0), facet values, numbers. With
    ``text_in_whoosh`` ours files the text fields' postings in Whoosh's
    blocks too, so its block writing is checked on many terms."""
    import random

    import index.store.arrays

    from whoosh.writing import SegmentWriter

    from index.store.schema import build_schema
    from index.build.segment_writer import ArraySegmentWriter

    rng = random.Random(7)
    words = [f"слово{k}" for k in range(600)]

    def doc(k: int) -> dict:
        body = [words[min(int(rng.paretovariate(0.8)), 599)] for _ in range(rng.randrange(0, 120))]
        return {"id": f"d{k}", "lang": "ru", "title": body[:rng.randrange(0, 6)], "body": body,
                "exact": [w.upper().lower() for w in body], "year": str(2020 + k % 5), "sortdate": k,
                "region": ",".join(rng.sample(["Калужская область", "Татарстан", "Пермский край"], k % 3)),
                "content_hash": f"h{k}", "_stored_body": " ".join(body)}

    docs = [doc(k) for k in range(400)]
    dirs = {}
    # Whoosh's writer with the codec ours uses (its stored fields are ``store/codec.py``'s)
    for name, make in (("whoosh", lambda ix, d: SegmentWriter(ix, compound=False, codec=ZstdStoredCodec())),
                       ("ours", lambda ix, d: ArraySegmentWriter(ix, d, compound=False))):
        index_dir = dirs[name] = tmp_path / name
        index_dir.mkdir()
        ix = whoosh_index.create_in(str(index_dir), build_schema())
        with pytest.MonkeyPatch.context() as patch:
            if text_in_whoosh:
                patch.setattr(index.store.arrays, "TEXT_FIELDS", ())
                patch.setattr(index.store.arrays, "VALUE_FIELDS", ())
            writer = make(ix, index_dir)
            for fields in docs:
                writer.add_document(**dict(fields))
            writer.commit()
    with whoosh_index.open_dir(str(dirs["whoosh"])).reader() as reader:
        frequencies = [reader.doc_frequency("body", w) for w in words]
        assert max(frequencies) > 256 and 1 in frequencies  # three blocks or more; one posting
    return dirs


def test_text_fields_go_to_the_arrays_and_the_rest_is_whooshs_own(tmp_path):
    """Kept in the arrays only, the text fields' postings are the ones
    Whoosh's writer makes of them (read back from its segment); every other
    file (stored values, field lengths, columns) is Whoosh's own, byte for
    byte, and its term and posting files hold the other fields' terms."""
    from index.store.arrays import TEXT_FIELDS, VALUE_FIELDS

    dirs = _write_both(tmp_path, text_in_whoosh=False)
    ours, whooshs = _written_files(dirs["ours"]), _written_files(dirs["whoosh"])
    assert {"_body_len.col", "_exact_len.col", "_title_len.col"} <= set(ours)
    assert {k: v for k, v in ours.items() if k not in ("trm", "pst")} == \
        {k: v for k, v in whooshs.items() if k not in ("trm", "pst")}
    with whoosh_index.open_dir(str(dirs["ours"])).reader() as reader, \
            whoosh_index.open_dir(str(dirs["whoosh"])).reader() as whoosh_reader:
        assert {f for f, _ in reader.all_terms()} == {f for f, _ in whoosh_reader.all_terms()} - {*TEXT_FIELDS, *VALUE_FIELDS}
        assert {f for f, _ in reader.all_terms()} == {"id"}
        assert reader.field_length("body") == whoosh_reader.field_length("body") > 0
        (leaf, _), = reader.leaf_readers()
        (whoosh_leaf, _), = whoosh_reader.leaf_readers()
        filed = SegmentArrays.open(*_paths(dirs["ours"], leaf.segment().segment_id()))
        whoosh_id = whoosh_leaf.segment().segment_id()
        write_segment_arrays(dirs["whoosh"], whoosh_leaf, whoosh_id)
        read_back = SegmentArrays.open(*_paths(dirs["whoosh"], whoosh_id))
        got, want = _live_postings(filed, leaf), _live_postings(read_back, whoosh_leaf)
        assert got == want and sum(k.startswith("exact" + _SEP) for k in want) > 300


def test_segment_files_are_the_ones_whooshs_own_writer_makes(tmp_path, monkeypatch):
    """With every block compressed, as Whoosh does, the files do not differ
    by a byte."""
    import index.build.segment_writer

    monkeypatch.setattr(index.build.segment_writer, "COMPRESS_FROM", 0)
    dirs = _write_both(tmp_path, text_in_whoosh=True)
    ours, whooshs = _written_files(dirs["ours"]), _written_files(dirs["whoosh"])
    assert set(ours) >= {"trm", "pst", "_body_len.col"}
    assert ours == whooshs


def test_small_blocks_are_left_uncompressed_and_read_the_same(tmp_path):
    """Blocks of a few postings are written uncompressed: Whoosh reads every
    term's postings and statistics back as from its own files."""
    dirs = _write_both(tmp_path, text_in_whoosh=True)
    assert _written_files(dirs["ours"])["pst"] != _written_files(dirs["whoosh"])["pst"]
    readers = [whoosh_index.open_dir(str(dirs[name])).reader() for name in ("ours", "whoosh")]

    def read_all(reader) -> dict:
        out = {}
        for fieldname, text in reader.all_terms():
            info = reader.term_info(fieldname, text)
            matcher = reader.postings(fieldname, text)
            postings = []
            while matcher.is_active():
                postings.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            out[fieldname, text] = (postings, info.weight(), info.doc_frequency(), info.min_length(),
                                    info.max_length(), info.max_weight(), info.min_id(), info.max_id())
        return out

    ours, whooshs = (read_all(r) for r in readers)
    assert len(ours) > 1000 and ours == whooshs
    for reader in readers:
        reader.close()


def test_a_segment_is_committed_before_its_pool_spills(tmp_path, build_index, monkeypatch):
    """Whoosh sorts a pool that outgrows its limit through run files on disk
    (a third of a commit at 5,000 articles); the writer commits the segment
    first, so nothing spills and every document is still indexed."""
    from whoosh.writing import PostingPool

    spilled = []
    save = PostingPool.save
    monkeypatch.setattr(PostingPool, "save", lambda pool: (spilled.append(len(pool.current)), save(pool)))
    long_docs = write_docs(tmp_path / "long", {
        f"long{k}": " ".join(f"Завод номер {k * 1000 + j} в Калужской области выпустил станок модели {j}." for j in range(25))
        for k in range(60)})  # ~25 KB of postings each by Whoosh's estimate: ~37 fill 90% of 1 MB
    index_dir = tmp_path / "index"
    report = build_index(index_dir, [long_docs], pool_mb=1, merge_after=10**9)
    assert report.indexed == 60
    assert spilled == []
    ix = whoosh_index.open_dir(str(index_dir))
    assert ix.latest_generation() >= 2  # committed by pool size, not by count (generation 0: created)
    assert ix.doc_count() == 60


def test_only_small_segments_are_merged_at_a_commit(tmp_path, monkeypatch):
    """Eight commits of one document each: Whoosh's policy merges such small
    segments; with every segment counted as large, none is merged (at
    100,000 documents Whoosh's own policy merged 22 segments of ~4,000)."""
    from whoosh import index as whoosh_index

    import index.build.segment_writer as segment_writer
    from index.build.indexer import IndexBuilder

    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(8):
        (docs / f"d{n}.txt").write_text(f"Заметка {n}\n\nЗавод номер {n} наращивает выпуск станков.", encoding="utf-8")

    def segment_count(index_dir):
        return len(whoosh_index.open_dir(str(index_dir))._segments())

    IndexBuilder(tmp_path / "small", workers=1, commit_every=1).build([docs])
    monkeypatch.setattr(segment_writer, "SMALL_SEGMENT", 1)
    IndexBuilder(tmp_path / "large", workers=1, commit_every=1).build([docs])
    assert segment_count(tmp_path / "large") == 8
    assert segment_count(tmp_path / "small") < 8
    for index_dir in (tmp_path / "small", tmp_path / "large"):
        with whoosh_index.open_dir(str(index_dir)).searcher() as searcher:
            assert searcher.doc_count() == 8


class _CountedWordIds(WordIds):
    """Word ids that count the lookups a writer makes in them."""

    lookups = 0

    def __getitem__(self, word):
        self.lookups += 1
        return super().__getitem__(word)


@pytest.mark.parametrize("ids_from", ["the writer's word ids", "other word ids"])
def test_a_documents_word_ids_are_filed_as_they_are(tmp_path, lemmatizer, ingestor, ids_from):
    """In a worker the tokenizer gives each word its ids, and the writer files
    a document's tokens under them without looking one up; ids from other
    word ids are not taken (the words are looked up). Either way the arrays
    are the ones a writer makes of the words alone, and so are the
    lemma-form pairs for the forms table."""
    from index.entities.extractor import EntityExtractor
    from index.build.indexer import content_hash
    from index.build.pipeline import DocumentProcessor
    from index.ingest.reader import read_raw
    from index.store.schema import build_schema

    word_ids = _CountedWordIds()
    processor = DocumentProcessor(lemmatizer=lemmatizer, ingestor=ingestor, ner=False,
                                  extractor=EntityExtractor(lemmatizer, ner=False), word_ids=word_ids)
    docs = [processor.process(raw, content_hash(raw)).fields for raw in read_raw([SEEDS_DIR])]
    assert all(WORD_IDS_FIELD in fields for fields in docs)
    tokens = sum(len(fields[name]) for fields in docs for name in ("title", "body", "exact"))
    writer_ids = word_ids if ids_from == "the writer's word ids" else _CountedWordIds()
    if writer_ids is word_ids:
        # words the writer has not seen from the tokenizer get ids of their own
        writer_ids["слово-которого-нет-в-документах"]
    arrays, forms = {}, {}
    for name, ids in (("with ids", writer_ids), ("words alone", None)):
        index_dir = tmp_path / name
        index_dir.mkdir()
        ix = whoosh_index.create_in(str(index_dir), build_schema())
        writer = ArraySegmentWriter(ix, index_dir, word_ids=ids, compound=False)
        writer_ids.lookups = 0
        for fields in docs:
            writer.add_document(**dict(fields))
        if ids is not None:
            assert writer_ids.lookups == (0 if writer_ids is word_ids else tokens)
        # the pairs kept as ids only where the ids are the writer's
        assert bool(writer.form_pairs.lemma_ids) == (ids is word_ids)
        forms[name] = writer.form_keys()
        writer.commit()
        with whoosh_index.open_dir(str(index_dir)).reader() as reader:
            (leaf, _), = reader.leaf_readers()
            arrays[name] = _live_postings(SegmentArrays.open(*_paths(index_dir, leaf.segment().segment_id())), leaf)
    assert arrays["with ids"] == arrays["words alone"]
    assert sum(key.startswith("body" + _SEP) for key in arrays["with ids"]) > 500
    # each indexed lemma with the form its token had
    expected = set().union(*(form_keys(zip(f["title"] + f["body"], f[FORMS_FIELD])) for f in docs))
    assert forms["with ids"] == forms["words alone"] == expected
    assert form_keys([("импортозамещение", "импортозамещения")]) <= expected


def test_stored_fields_and_raw_text_read_back_from_segments_of_either_codec(tmp_path):
    """Segments written before the Zstandard codec (Whoosh's zlib, and the
    raw text packed with zlib) and after it read back in one index, and a
    merge writes them all anew with it."""
    import zlib

    from whoosh import columns
    from whoosh.codec.whoosh3 import W3Codec
    from whoosh.writing import SegmentWriter

    from index.store.schema import build_schema, pack_text, unpack_text

    def tokens(k: int) -> list[str]:
        return [f"завод{k % 7}", "импортозамещение", f"слово{k}"]

    def stored(k: int) -> tuple[str, str, str, str]:
        """title, body, url and raw text, as stored"""
        return (f"Заголовок {k}", " ".join(tokens(k)) * (k % 5 + 1), f"https://example.org/{k}",
                f"<p>Текст {k}</p> " * 40)

    def doc(k: int, packed_by) -> dict:
        title, body, url, raw = stored(k)
        return {"id": f"d{k}", "lang": "ru", "title": tokens(k)[:1], "body": tokens(k), "content_hash": f"h{k}",
                "_stored_title": title, "_stored_body": body, "url": url, "source_text": packed_by(raw)}

    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    old = SegmentWriter(ix)  # Whoosh's own codec, as an index written before this one
    for k in range(30):
        old.add_document(**doc(k, lambda text: zlib.compress(text.encode("utf-8"), 6)))
    old.commit()
    new = ArraySegmentWriter(ix, tmp_path)
    for k in range(30, 60):
        new.add_document(**doc(k, pack_text))
    new.commit(merge=False)

    def read_back(ix) -> tuple[set, dict]:
        with ix.reader() as reader:
            codecs = {type(leaf.segment().codec()) for leaf, _ in reader.leaf_readers()}
            found = {}
            for leaf, _ in reader.leaf_readers():
                texts = leaf.column_reader("source_text")
                for docnum in range(leaf.doc_count_all()):
                    fields = leaf.stored_fields(docnum)
                    found[fields["id"]] = (fields["title"], fields["body"], fields["url"], unpack_text(texts[docnum]))
            return codecs, found

    want = {f"d{k}": stored(k) for k in range(60)}
    codecs, found = read_back(ix)
    assert codecs == {W3Codec, ZstdStoredCodec} and found == want
    with ix.reader() as reader:
        leaf = next(leaf for leaf, _ in reader.leaf_readers() if type(leaf.segment().codec()) is ZstdStoredCodec)
        raw = leaf._perdoc.column_reader("_stored", columns.VarBytesColumn())
        assert all(raw[docnum].startswith(b"\x28\xb5\x2f\xfd") for docnum in range(leaf.doc_count_all()))

    ArraySegmentWriter(ix, tmp_path).commit(optimize=True)
    codecs, found = read_back(ix)
    assert codecs == {ZstdStoredCodec} and found == want
