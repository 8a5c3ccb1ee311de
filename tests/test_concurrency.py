"""Many threads reading one index at once get exactly the answers a serial
run gets: searches, result pages, documents, facet values, suggestions and
CSV exports, through the engine and through the Flask app; and an index
that changes under them is picked up without a failed or mixed answer.

The index is a few thousand documents written by the test from the seeds'
sentences, long enough that a document's stored fields take more than one
read, in several segments (each with files of its own)."""
from __future__ import annotations

import json
import random
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest

from index.config import SEEDS_DIR
from search.engine import SearchEngine, SearchRequest
from search.export import csv_lines
from web import create_app

THREADS = 16
ROUNDS = 6  # each request is asked this many times, in a shuffled order
N_DOCS = 2000

QUERIES = ["импортозамещение", "экспорт", "губернатор", '"поддержка экспорта"', "промышлен*", "esportazione",
           "экспорт OR хартия", "промышленность -экспорт", "", "Хабаровск", "регион AND предприятие"]
# (name, values) pairs, hashable: a request is a key of the serial answers
FILTERS = [(), (("year", ("2019",)),), (("lang", ("ru",)),), (("year", ("2017", "2022")), ("lang", ("it",)))]


def _real_shaped(path: Path, n: int, first: int = 0, seed: int = 3) -> Path:
    """n documents recombined from the seeds' sentences: Russian and Italian,
    a few hundred characters to twenty thousand, dated over ten years."""
    rng = random.Random(seed)
    by_lang: dict[str, list[str]] = {"ru": [], "it": []}
    for p in sorted(SEEDS_DIR.glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        lang = "it" if " della " in text or " il " in text else "ru"
        by_lang[lang] += [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s) > 40]
    with path.open("w", encoding="utf-8") as out:
        for i in range(first, first + n):
            lang = "it" if rng.random() < 0.25 else "ru"
            sentences = by_lang[lang]
            body = " ".join(rng.choice(sentences) for _ in range(rng.choice([2, 5, 12, 40, 120])))
            title = rng.choice(sentences)[:90]
            date = f"{rng.randint(2015, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            out.write(json.dumps({"id": f"c{i:05d}", "title": title, "text": body, "date": date, "lang": lang},
                                 ensure_ascii=False) + "\n")
    return path


@pytest.fixture(scope="module")
def busy_index(tmp_path_factory, build_index) -> Path:
    work = tmp_path_factory.mktemp("concurrency")
    index_dir = work / "index"
    report = build_index(index_dir, [_real_shaped(work / "docs.jsonl", N_DOCS)], commit_every=500)
    assert report.indexed == N_DOCS, report.summary()
    return index_dir


def _requests(engine: SearchEngine) -> list[tuple[str, tuple]]:
    """The mixed work: (kind, arguments), every kind the read path serves."""
    rng = random.Random(5)
    work: list[tuple[str, tuple]] = []
    for q in QUERIES:
        for filters in FILTERS:
            work.append(("search", (q, filters, "relevance", 1, 10)))
        work.append(("search", (q, (), "date", 2, 50)))
    ids = [f"c{i:05d}" for i in rng.sample(range(N_DOCS), 24)]
    work += [("document", (doc_id,)) for doc_id in ids]
    work += [("highlight", (doc_id, "экспорт")) for doc_id in ids[:6]]
    work += [("facet_values", (name, prefix)) for name in ("official", "region", "sector") for prefix in ("", "х", "д")]
    work += [("suggest", (prefix,)) for prefix in ("экс", "пром", "es")]
    work += [("export", (q, filters)) for q, filters in [("экспорт", ()), ("губернатор", (("lang", ("ru",)),)), ("", (("year", ("2020",)),))]]
    return work


def _filters(pairs: tuple) -> dict[str, list[str]]:
    return {name: list(values) for name, values in pairs}


def _answer(engine: SearchEngine, kind: str, args: tuple):
    if kind == "search":
        q, filters, sort, page, per_page = args
        return engine.search(SearchRequest(q, _filters(filters), sort, page, per_page))
    if kind == "document":
        return engine.document(*args)
    if kind == "highlight":
        doc_id, q = args
        return engine.highlight_document(engine.document(doc_id), q)
    if kind == "facet_values":
        return engine.facet_values(*args)
    if kind == "suggest":
        return engine.suggest_terms(*args)
    if kind == "export":
        q, filters = args
        return "".join(csv_lines(engine, SearchRequest(q, _filters(filters))))
    raise ValueError(kind)


def _run_parallel(work: list, call, rounds: int = ROUNDS) -> list[tuple]:
    """Each item of ``work`` ``rounds`` times over, shuffled, on THREADS
    threads that start together; returns (item, answer or the exception)."""
    jobs = [item for item in work for _ in range(rounds)]
    random.Random(11).shuffle(jobs)
    start = threading.Barrier(THREADS)

    def worker(share):
        start.wait()
        out = []
        for item in share:
            try:
                out.append((item, call(item)))
            except Exception as exc:  # collected: a failure is what this looks for
                out.append((item, exc))
        return out

    with ThreadPoolExecutor(THREADS) as pool:
        shares = [jobs[i::THREADS] for i in range(THREADS)]
        return [result for part in pool.map(worker, shares) for result in part]


def _differences(results: list[tuple], serial: dict) -> list[str]:
    wrong = []
    for item, answer in results:
        if isinstance(answer, Exception):
            wrong.append(f"{item}: {type(answer).__name__}: {answer}")
        elif answer != serial[item]:
            wrong.append(f"{item}: an answer unlike the serial one")
    return wrong


def test_parallel_engine_answers_equal_serial_ones(busy_index, lemmatizer):
    engine = SearchEngine(busy_index, lemmatizer=lemmatizer)
    work = _requests(engine)
    serial = {item: _answer(engine, *item) for item in work}
    assert sum(1 for kind, _ in work if kind == "document" and serial[(kind, _)] is not None) == 24
    # a fresh engine: its first answers are computed while the others run too
    engine = SearchEngine(busy_index, lemmatizer=lemmatizer)
    wrong = _differences(_run_parallel(work, lambda item: _answer(engine, *item)), serial)
    assert not wrong, f"{len(wrong)} of {len(work) * ROUNDS} answers differ, e.g. {wrong[:3]}"


def _urls() -> list[str]:
    rng = random.Random(8)
    urls = []
    for q in QUERIES:
        for filters in FILTERS[:3]:
            params = [("q", q)] + [(name, v) for name, values in filters for v in values]
            urls += ["/api/search?" + urlencode(params), "/?" + urlencode(params)]
    urls += [f"/doc/c{i:05d}?" + urlencode({"q": "экспорт"}) for i in rng.sample(range(N_DOCS), 12)]
    urls += [f"/api/doc/c{i:05d}" for i in rng.sample(range(N_DOCS), 12)]
    urls += ["/api/facets/official?prefix=д", "/api/facets/region", "/api/suggest?q=экс",
             "/export.csv?" + urlencode({"q": "экспорт"}), "/export.csv?" + urlencode({"q": "", "lang": "it"})]
    return urls


def test_parallel_web_answers_equal_serial_ones(busy_index, lemmatizer):
    app = create_app({"ENGINE": SearchEngine(busy_index, lemmatizer=lemmatizer), "TESTING": True})
    clients = threading.local()

    def get(url: str) -> tuple[int, bytes]:
        if not hasattr(clients, "client"):
            clients.client = app.test_client()  # one client per thread
        response = clients.client.get(url)
        return response.status_code, response.get_data()

    urls = _urls()
    serial = {url: get(url) for url in urls}
    assert all(status == 200 for status, _ in serial.values()), [u for u, (s, _) in serial.items() if s != 200]
    wrong = _differences(_run_parallel(urls, get), serial)
    assert not wrong, f"{len(wrong)} of {len(urls) * ROUNDS} answers differ, e.g. {wrong[:3]}"


def test_answers_stay_whole_while_the_index_changes(tmp_path, build_index, lemmatizer):
    """An indexer commits new documents while threads search and read:
    no answer fails, every document read is the one asked for, and the
    engine ends on the new index."""
    index_dir = tmp_path / "index"
    build_index(index_dir, [_real_shaped(tmp_path / "first.jsonl", 600)], commit_every=200)
    engine = SearchEngine(index_dir, lemmatizer=lemmatizer)
    ids = [f"c{i:05d}" for i in range(0, 600, 7)]
    bodies = {doc_id: engine.document(doc_id)["body"] for doc_id in ids}
    more = _real_shaped(tmp_path / "more.jsonl", 400, first=600, seed=4)
    done = threading.Event()
    failures: list[str] = []

    def reader(k: int) -> None:
        rng = random.Random(k)
        while not done.is_set():
            doc_id = rng.choice(ids)
            try:
                record = engine.search(SearchRequest(rng.choice(QUERIES), _filters(rng.choice(FILTERS))))
                doc = engine.document(doc_id)
                if doc is None or doc["id"] != doc_id or doc["body"] != bodies[doc_id]:
                    failures.append(f"{doc_id}: another document's text")
                if any(hit["id"] is None for hit in record["hits"]):
                    failures.append("a hit without an id")
            except Exception as exc:  # collected: a failure is what this looks for
                failures.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=reader, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    try:
        build_index(index_dir, [more], commit_every=100)
    finally:
        done.set()
        for t in threads:
            t.join()
    assert not failures, f"{len(failures)} failures, e.g. {failures[:3]}"
    assert engine.stats()["documents"] == 1000


def test_each_answer_comes_from_one_commit(engine, monkeypatch):
    """Every public read asks the backend for a view once and answers from
    it alone: asked twice, an answer spanning a commit mixes two (the load
    test caught suggestions whose words and names came from different
    commits)."""
    asked = []
    original = engine.backend.view

    def counted():
        asked.append(1)
        return original()

    monkeypatch.setattr(engine.backend, "view", counted)
    doc = engine.document("004_3725173b4d77fa6c")
    calls = {
        "search": lambda: engine.search(SearchRequest("экспорт", {"lang": ["ru"]})),
        "document": lambda: engine.document("004_3725173b4d77fa6c"),
        "highlight": lambda: engine.highlight_document(doc, "экспорт"),
        "facet values": lambda: engine.facet_values("official", "д"),
        "suggest": lambda: engine.suggest_terms("хаб"),
        "export": lambda: list(engine.export_rows(SearchRequest("экспорт"))),
        "stats": lambda: engine.stats(),
    }
    for name, call in calls.items():
        asked.clear()
        assert call(), name
        assert len(asked) == 1, f"{name} asked for a view {len(asked)} times"
