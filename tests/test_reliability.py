"""Bad input, crashes, concurrent indexers and broken indexes lose nothing
and never end in a traceback."""
from __future__ import annotations

import gzip
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from index.cli import main as index_main
from index.config import SEEDS_DIR
from index.build.indexer import IndexBuilder, IndexBusy
from search.cli import main as cli_main
from search.engine import IndexUnavailable, SearchEngine, SearchRequest
from web import create_app

from conftest import write_docs

BIN = Path(sys.executable).parent


def recombined_corpus(path: Path, n: int, seed: int = 5) -> Path:
    """n documents made of the seeds' sentences, as JSON Lines."""
    rng = random.Random(seed)
    sentences = [s for p in sorted(SEEDS_DIR.glob("*.txt"))
                 for s in re.split(r"(?<=[.!?])\s+", p.read_text(encoding="utf-8")) if len(s) > 40]
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            out.write(json.dumps({"id": f"gen_{i:04d}", "text": " ".join(rng.sample(sentences, 6)),
                                  "title": f"Документ {i}", "date": "2023-03-01"}, ensure_ascii=False) + "\n")
    return path


def live_count(index_dir: Path) -> int:
    ix = whoosh_index.open_dir(str(index_dir))
    with ix.searcher() as s:
        return s.doc_count()


def test_every_input_is_accounted_for(tmp_path, build_index):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "ok.txt").write_text("Губернатор открыл завод станков в Калужской области.", encoding="utf-8")
    (inputs / "binary.txt").write_bytes(os.urandom(2000) + b"\x00")
    (inputs / "huge.txt").write_text("Завод " * 2_000_000, encoding="utf-8")
    (inputs / "undecodable.txt").write_bytes(b"\xff\xfe\xfd" * 10 + "Завод".encode("utf-8") + b"\x81\x8d\x8f\x90\x9d" * 40)
    lines = [json.dumps({"id": "j1", "text": "Экспорт станков вырос."}, ensure_ascii=False), "{broken", json.dumps({"text": "без id"}),
             json.dumps({"id": "j2", "text": ""}), json.dumps({"id": "ok.txt-dup", "text": "Дубликат: экспорт зерна."}, ensure_ascii=False),
             json.dumps({"id": "j1", "text": "Тот же id ещё раз."}, ensure_ascii=False)]
    (inputs / "batch.jsonl").write_text("\n".join(lines), encoding="utf-8")
    report = build_index(tmp_path / "ix", [inputs])
    assert report.read == report.indexed + report.updated + report.unchanged + len(report.rejected)
    reasons = " | ".join(r.reason for r in report.rejected)
    assert "malformed JSON line 2" in reasons and "missing id" in reasons and "missing text" in reasons
    assert "duplicate id 'j1'" in reasons and "binary file" in reasons
    assert "over the size limit" in reasons
    assert "undecodable bytes" in reasons
    assert report.indexed == 3  # ok.txt, j1, ok.txt-dup
    again = build_index(tmp_path / "ix", [inputs])
    assert again.indexed == 0 and again.updated == 0 and again.unchanged == 3


def test_kill_mid_index_leaves_the_previous_index_whole(tmp_path):
    index_dir = tmp_path / "ix"
    assert index_main([str(SEEDS_DIR), "--index", str(index_dir), "--quiet"]) == 0
    corpus = recombined_corpus(tmp_path / "more.jsonl", 1200)  # enough work to be caught in the middle
    proc = subprocess.Popen([str(BIN / "search-index"), str(corpus), "--index", str(index_dir), "--quiet", "--workers", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # wait until it holds the write lock and has worked a while, then kill it hard
    deadline = time.time() + 60
    while time.time() < deadline and not list(index_dir.glob("*.lock")) and not list(index_dir.glob("*WRITELOCK*")):
        time.sleep(0.05)
    time.sleep(3)
    assert proc.poll() is None, "the indexer finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    # the previous generation is intact and searchable
    assert live_count(index_dir) == 5
    engine = SearchEngine(index_dir)
    assert engine.search(SearchRequest("импортозамещение"))["total"] == 2
    # the next run completes the work (the killed run's lock died with it)
    report = IndexBuilder(index_dir, workers=1).build([SEEDS_DIR, corpus])
    assert report.unchanged == 5 and report.indexed == 1200
    assert live_count(index_dir) == 1205


def test_a_run_killed_after_some_commits_keeps_them_and_the_next_run_finishes(tmp_path):
    """A long build commits a segment every --commit-every documents: a kill
    loses only the batch in progress, never the whole run."""
    index_dir = tmp_path / "ix"
    assert index_main([str(SEEDS_DIR), "--index", str(index_dir), "--quiet"]) == 0
    corpus = recombined_corpus(tmp_path / "more.jsonl", 1200)
    proc = subprocess.Popen([str(BIN / "search-index"), str(corpus), "--index", str(index_dir), "--quiet",
                             "--workers", "1", "--commit-every", "100"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and live_count(index_dir) < 205:
        time.sleep(0.2)
    assert proc.poll() is None, "the indexer finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    kept = live_count(index_dir)
    assert kept >= 205 and (kept - 5) % 100 == 0  # whole batches, nothing half-written
    assert SearchEngine(index_dir).search(SearchRequest("импортозамещение"))["total"] >= 2
    report = IndexBuilder(index_dir, workers=1).build([SEEDS_DIR, corpus])
    assert report.unchanged == kept and report.indexed == 1205 - kept
    assert live_count(index_dir) == 1205


def test_commits_in_batches_give_the_same_index_as_one_commit(tmp_path):
    # Documents with a bare surname wait for the end of the run (for the
    # corpus-wide full name) and go into the last batches.
    def facets(index_dir):
        engine = SearchEngine(index_dir)
        hits = engine.search(SearchRequest("", per_page=50))["hits"]
        return {h["id"]: (h["officials"], h["regions"], h["sectors"]) for h in hits}

    one = IndexBuilder(tmp_path / "one").build([SEEDS_DIR])
    batched = IndexBuilder(tmp_path / "batched", commit_every=2).build([SEEDS_DIR])
    assert one.indexed == batched.indexed == 5
    segments = whoosh_index.open_dir(str(tmp_path / "batched")).reader().leaf_readers()
    assert len(segments) == 3
    assert facets(tmp_path / "batched") == facets(tmp_path / "one")
    assert any("Дмитрий Демешин" in officials for officials, _r, _s in facets(tmp_path / "batched").values())


def test_a_second_indexer_waits_for_the_lock_then_says_so(tmp_path, capsys):
    index_dir = tmp_path / "ix"
    assert index_main([str(SEEDS_DIR), "--index", str(index_dir), "--quiet"]) == 0
    ix = whoosh_index.open_dir(str(index_dir))
    holder = ix.writer()  # another indexer is writing
    try:
        (tmp_path / "new.txt").write_text("Новый завод открылся в Тульской области.", encoding="utf-8")
        started = time.time()
        with pytest.raises(IndexBusy) as exc:
            IndexBuilder(index_dir, lock_timeout=1.0).build([tmp_path / "new.txt"])
        assert time.time() - started >= 1.0
        assert "another indexer" in str(exc.value)
    finally:
        holder.cancel()
    assert live_count(index_dir) == 5
    assert IndexBuilder(index_dir).build([tmp_path / "new.txt"]).indexed == 1


def test_broken_and_missing_index_give_a_clear_message(tmp_path, capsys):
    index_dir = tmp_path / "ix"
    assert index_main([str(SEEDS_DIR), "--index", str(index_dir), "--quiet"]) == 0
    for toc in index_dir.glob("_MAIN_*.toc"):
        toc.write_bytes(b"garbage" * 10)
    with pytest.raises(IndexUnavailable):
        SearchEngine(index_dir).search(SearchRequest("x"))
    assert cli_main(["x", "--index", str(index_dir)]) == 1
    err = capsys.readouterr().err
    assert "cannot be read" in err and "Traceback" not in err
    client = create_app({"INDEX_DIR": str(index_dir)}).test_client()
    page = client.get("/?q=x")
    assert page.status_code == 503 and "search-index" in page.get_data(as_text=True)
    assert client.get("/api/search?q=x").status_code == 503
    missing = create_app({"INDEX_DIR": str(tmp_path / "nothing")}).test_client()
    assert missing.get("/healthz").status_code == 503
    # the indexer refuses to write over it, with a message
    assert index_main([str(SEEDS_DIR), "--index", str(index_dir), "--quiet"]) == 1
    assert "cannot be read" in capsys.readouterr().err


def test_a_damaged_links_file_costs_only_the_links_until_the_next_commit(tmp_path, build_index, lemmatizer):
    # read first, the bare surname is linked by the map, not as it is read
    docs = write_docs(tmp_path / "docs", {
        "a_lone": "Заводы растут\n\nПо словам Шапши, заводы региона наращивают выпуск станков.",
        "b_full": "Совещание в Калуге\n\nГубернатор Владислав Шапша провёл совещание с промышленниками."})
    index_dir = tmp_path / "ix"
    build_index(index_dir, [docs])
    links = index_dir / "official-links.json"
    assert json.loads(links.read_text(encoding="utf-8")) == {"Шапши": "Владислав Шапша"}
    links.write_bytes(b"\xff{ not json")
    search = SearchEngine(index_dir, lemmatizer=lemmatizer)
    assert search.document("a_lone")["officials"] == ["Шапши"]  # as the document has it
    assert search.search(SearchRequest("станков"))["total"] == 1
    # the next run finds the names in the index again, not only its own
    write_docs(docs, {"c_more": "Станки\n\nВыпуск станков в Калужской области вырос."})
    assert build_index(index_dir, [docs]).indexed == 1
    assert json.loads(links.read_text(encoding="utf-8")) == {"Шапши": "Владислав Шапша"}
    assert SearchEngine(index_dir, lemmatizer=lemmatizer).document("a_lone")["officials"] == ["Владислав Шапша"]


def test_lost_posting_arrays_give_a_clear_message(tmp_path, capsys):
    """The text fields' postings are kept only in the posting arrays: a
    segment whose arrays are gone cannot be searched or indexed into, and
    both say so rather than quietly miss its documents."""
    index_dir = tmp_path / "ix"
    assert index_main([str(SEEDS_DIR), "--index", str(index_dir), "--quiet"]) == 0
    assert cli_main(["импортозамещение", "--index", str(index_dir)]) == 0
    capsys.readouterr()
    tables = [p for p in index_dir.glob("MAIN_*_terms.marisa")]
    assert tables
    for table in tables:
        table.unlink()
    with pytest.raises(IndexUnavailable, match="posting arrays of segment .* are missing"):
        SearchEngine(index_dir).search(SearchRequest("импортозамещение"))
    assert cli_main(["импортозамещение", "--index", str(index_dir)]) == 1
    err = capsys.readouterr().err
    assert "rebuild the index" in err and "Traceback" not in err
    assert index_main([str(SEEDS_DIR), "--index", str(index_dir), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "posting arrays of segment" in err and "Traceback" not in err


def test_cut_short_posting_arrays_give_a_clear_message(tmp_path, capsys):
    """A packed stream or table cut short (a full disk, a bad copy) is
    found when the index opens, and said, rather than misread."""
    index_dir = tmp_path / "ix"
    assert index_main([str(SEEDS_DIR), "--index", str(index_dir), "--quiet"]) == 0
    for part in ("pos", "spans"):
        for path in index_dir.glob(f"MAIN_*.pa5_{part}.npy"):
            path.write_bytes(path.read_bytes()[:-40])
    capsys.readouterr()
    assert cli_main(["импортозамещение", "--index", str(index_dir)]) == 1
    err = capsys.readouterr().err
    assert "rebuild the index" in err and "Traceback" not in err


def test_gzip_corpus_cut_short_is_reported_not_fatal(tmp_path, build_index):
    good = recombined_corpus(tmp_path / "c.jsonl", 5)
    data = gzip.compress(good.read_bytes())
    (tmp_path / "cut.jsonl.gz").write_bytes(data[: len(data) // 2])
    report = build_index(tmp_path / "ix", [tmp_path / "cut.jsonl.gz"])
    assert any("cannot read" in r.reason for r in report.rejected)
