"""Worker processes that write their own segments (``index/build/parallel.py``):
the index equals one process's, replaced versions go in the same commit as
the new ones, officials are linked across the whole run, and a worker that
dies stops the run with a clear error and leaves the last commit whole."""
from __future__ import annotations

import gc
import multiprocessing
import os
import re
import shutil
import signal
import time
import weakref
from multiprocessing import active_children
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from index.store.arrays import FORMAT as ARRAYS_FORMAT
from index.store.arrays import write_missing_arrays
from index.config import SEEDS_DIR
from index.build import indexer
from index.build import parallel as parallel_module
from index.store.forms import load_forms
from index.build.indexer import POOL_MB, IndexBuilder, content_hash, open_or_create
from index.entities.official_links import load_links
from index.build.parallel import WorkerFailed, WorkerSegment, WorkerSettings
from index.build.pipeline import DocumentProcessor
from index.ingest.reader import DEFAULT_MAX_CHARS, read_raw
from search.engine import SearchEngine, SearchRequest
from tests.test_index_paths import postings
from tests.test_reliability import live_count, recombined_corpus


def stored_by_id(index_dir: Path) -> dict:
    with whoosh_index.open_dir(str(index_dir)).searcher() as searcher:
        docs = list(searcher.all_stored_fields())
    by_id = {d["id"]: (d.get("official"), d.get("region"), d.get("sector"), d["title"], d["body"]) for d in docs}
    assert len(by_id) == len(docs), "an id is in the index twice"
    return by_id


def test_worker_segments_give_one_process_index(tmp_path, seed_index):
    index_dir = tmp_path / "parallel"
    report = IndexBuilder(index_dir, workers=2, commit_every=1).build([SEEDS_DIR])
    assert report.indexed == 5 and not report.rejected
    assert postings(index_dir) == postings(seed_index)
    assert stored_by_id(index_dir) == stored_by_id(seed_index)
    # the lemma-form pairs come with each worker's segments
    assert sorted(load_forms(index_dir).keys()) == sorted(load_forms(seed_index).keys())


def test_a_build_says_where_its_workers_time_went(tmp_path):
    """The writing's share of a build is measured inside it: each worker
    times its parts and sends the totals with its segments."""
    started = time.perf_counter()
    report = IndexBuilder(tmp_path / "parallel", workers=2).build([SEEDS_DIR])
    wall = time.perf_counter() - started
    times = report.worker_times
    assert times is not None and times.starting > 0 and times.nlp > 0 and times.writing > 0
    # two workers' parts, summed, within the two workers' wall time
    assert times.starting + times.nlp + times.writing + times.waiting <= 2 * wall
    assert IndexBuilder(tmp_path / "one", workers=1).build([SEEDS_DIR]).worker_times is None


@pytest.mark.parametrize("workers", [1, 2])
def test_the_nlp_alone_processes_every_document_and_writes_nothing(tmp_path, workers):
    """What a build's rate is compared with (the benchmark)."""
    index_dir = tmp_path / "index"
    assert IndexBuilder(index_dir, workers=workers).nlp_alone([SEEDS_DIR]) == 5
    assert not index_dir.exists() or not whoosh_index.exists_in(str(index_dir))


def test_a_closed_segments_writer_is_freed_without_a_garbage_collection(tmp_path, ingestor, extractor):
    """Workers run no cyclic garbage collection after their models load, so
    a segment's writer, with its posting pool and the segment's tokens, must
    be freed as soon as the segment is closed."""
    processor = DocumentProcessor(lemmatizer=extractor.tokens.lemmatizer, ingestor=ingestor, extractor=extractor)
    index_dir = tmp_path / "index"
    open_or_create(index_dir)
    settings = WorkerSettings(str(index_dir), DEFAULT_MAX_CHARS, ner=True, write=True, pool_mb=POOL_MB,
                              pool_full_bytes=POOL_MB * 2**20, min_postings=1)
    segment = WorkerSegment(settings)
    raws = list(read_raw([SEEDS_DIR]))
    gc.collect()
    gc.disable()
    try:
        for batch in (raws[:3], raws[3:]):  # two segments, one after the other
            for raw in batch:
                processed = processor.process(raw, content_hash(raw))
                segment.add(processed.fields)
            writer = weakref.ref(segment.writer)
            done = segment.close()
            assert done.segment.doc_count_all() == len(batch)
            assert writer() is None, "the closed segment's writer is only freed by a garbage collection"
    finally:
        gc.enable()


def test_commit_rounds_while_workers_write(tmp_path, monkeypatch):
    corpus = recombined_corpus(tmp_path / "more.jsonl", 100)
    one, parallel = tmp_path / "one", tmp_path / "parallel"
    IndexBuilder(one, workers=1).build([corpus])
    # A round every four documents: several commits while the workers write.
    # A round's flush waits behind the documents already handed out, so few
    # are handed out at a time here. (A round takes longer than these short
    # documents: the next starts when it is in, so a round every ten gave as
    # few as two.) And the workers start together: a round waits for both,
    # and while the second loaded its models the first could write all the
    # documents in one round.
    monkeypatch.setattr(indexer, "IN_FLIGHT_PER_WORKER", 2)
    both_loaded = multiprocessing.get_context("fork").Barrier(2)
    load = parallel_module.init_worker
    monkeypatch.setattr(parallel_module, "init_worker", lambda *args: (load(*args), both_loaded.wait(60)))
    report = IndexBuilder(parallel, workers=2, commit_every=2).build([corpus])
    assert report.indexed == 100 and not report.rejected
    ix = whoosh_index.open_dir(str(parallel))
    assert ix.latest_generation() >= 4
    # Officials aside (a process links a name to the full names it has
    # seen so far in the run, so they depend on which process saw what),
    # the index is the one a single process writes.
    assert postings(parallel) == postings(one)  # title, body, exact
    assert {i: d[1:] for i, d in stored_by_id(parallel).items()} == {i: d[1:] for i, d in stored_by_id(one).items()}
    with ix.reader() as reader:
        segment_ids = {leaf.segment().segment_id() for leaf, _ in reader.leaf_readers()}
    assert write_missing_arrays(ix, parallel) == []  # every worker filed its segment's arrays
    # The last commit removed the segments that Whoosh merged away; only the
    # empty files of a cancelled writer may stay (as with one process).
    with_arrays = {m.group(1) for f in os.listdir(parallel) if (m := re.match(rf"(MAIN_\w+)\.{ARRAYS_FORMAT}_terms", f))}
    assert with_arrays == segment_ids


def test_a_large_segment_closes_early_when_the_input_runs_out(tmp_path, monkeypatch):
    corpus = recombined_corpus(tmp_path / "more.jsonl", 80)
    one, parallel = tmp_path / "one", tmp_path / "parallel"
    IndexBuilder(one, workers=1).build([corpus])
    # Scaled down: twenty documents handed to each worker, a segment of five
    # "large", five documents queued enough. The workers start together (as
    # in the test above), so when the input runs out each has answered about
    # twenty documents and has twenty queued.
    monkeypatch.setattr(indexer, "IN_FLIGHT_PER_WORKER", 20)
    monkeypatch.setattr(parallel_module, "SMALL_SEGMENT", 5)
    monkeypatch.setattr(parallel_module, "CLOSE_EARLY_QUEUED", 5)
    both_loaded = multiprocessing.get_context("fork").Barrier(2)
    load = parallel_module.init_worker
    monkeypatch.setattr(parallel_module, "init_worker", lambda *args: (load(*args), both_loaded.wait(60)))
    report = IndexBuilder(parallel, workers=2).build([corpus])
    assert report.indexed == 80 and not report.rejected
    ix = whoosh_index.open_dir(str(parallel))
    with ix.reader() as reader:
        sizes = sorted(leaf.doc_count_all() for leaf, _ in reader.leaf_readers())
        assert not reader.has_deletions()
    # two segments a worker, committed together: the one closed early, and
    # the documents queued when the input ran out
    assert len(sizes) == 4 and sum(sizes) == 80, sizes
    assert postings(parallel) == postings(one)
    assert {i: d[1:] for i, d in stored_by_id(parallel).items()} == {i: d[1:] for i, d in stored_by_id(one).items()}


@pytest.mark.parametrize("options", [
    {},
    {"pool_mb": 0},  # a segment closed each document (its pool "full")
    {"commit_every": 1},  # a round after the two documents commits them
])
def test_a_bare_surname_links_to_the_runs_full_name_when_workers_write(tmp_path, options):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a_full.txt").write_text("Совещание в Калуге\n\nГубернатор Владислав Шапша провёл совещание "
                                     "с промышленниками Калужской области.", encoding="utf-8")
    (docs / "b_lone.txt").write_text("Заводы растут\n\nПо словам Шапши, заводы региона наращивают выпуск станков.",
                                     encoding="utf-8")
    phases = []
    IndexBuilder(tmp_path / "ix", workers=2, **options).build([docs], on_phase=phases.append)
    engine = SearchEngine(tmp_path / "ix")
    assert engine.document("b_lone")["officials"] == ["Владислав Шапша"]
    assert engine.document("a_full")["officials"] == ["Владислав Шапша"]
    # each worker took one document, and each was written once: the bare
    # surname as its text has it, linked by the map the commit wrote
    assert phases[0] == "writing the last segments"
    with whoosh_index.open_dir(str(tmp_path / "ix")).reader() as reader:
        assert reader.doc_count_all() == 2 and not reader.has_deletions()
    assert {i: d[0] for i, d in stored_by_id(tmp_path / "ix").items()} == {"a_full": "Владислав Шапша", "b_lone": "Шапши"}
    assert load_links(tmp_path / "ix") == {"Шапши": "Владислав Шапша"}
    officials = engine.search(SearchRequest(""))["facets"]["official"]
    assert [(v["value"], v["count"]) for v in officials] == [("Владислав Шапша", 2)]


def test_an_updated_document_replaces_its_old_version_in_one_commit(tmp_path):
    corpus = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, corpus)
    index_dir = tmp_path / "ix"
    IndexBuilder(index_dir, workers=2, commit_every=1).build([corpus])
    changed = sorted(corpus.glob("*.txt"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\nКомбайностроение получит субсидии.",
                       encoding="utf-8")
    report = IndexBuilder(index_dir, workers=2, commit_every=1).build([corpus])
    assert (report.updated, report.unchanged, report.indexed) == (1, 4, 0)
    assert live_count(index_dir) == 5
    assert len(stored_by_id(index_dir)) == 5
    hits = SearchEngine(index_dir).search(SearchRequest("комбайностроение"))["hits"]
    assert [h["id"] for h in hits] == [changed.stem]


def test_a_killed_worker_stops_the_run_and_the_last_commit_stays_whole(tmp_path):
    index_dir = tmp_path / "ix"
    IndexBuilder(index_dir, workers=1).build([SEEDS_DIR])
    corpus = recombined_corpus(tmp_path / "more.jsonl", 300)
    killed = []

    def kill_a_worker(_outcome):
        if not killed:
            worker = active_children()[0]
            os.kill(worker.pid, signal.SIGKILL)
            killed.append(worker.pid)

    with pytest.raises(WorkerFailed, match="exited unexpectedly"):
        IndexBuilder(index_dir, workers=2).build([corpus], on_item=kill_a_worker)
    assert killed and not active_children()  # the other worker was stopped too
    assert live_count(index_dir) == 5
    assert SearchEngine(index_dir).search(SearchRequest("импортозамещение"))["total"] == 2
    report = IndexBuilder(index_dir, workers=2).build([SEEDS_DIR, corpus])
    assert report.unchanged == 5 and report.indexed == 300
    assert live_count(index_dir) == 305 and len(stored_by_id(index_dir)) == 305
