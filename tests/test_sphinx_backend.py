"""The cluster backend against the embedded one, on real ``searchd`` nodes.

Each fixture starts 2 nodes on free ports in a temporary folder
(``search-cluster up``) and stops exactly them. Where ``searchd`` cannot
be had, the tests say so and are skipped.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from index import cluster_cli
from index.build.cluster_indexer import ClusterIndexBuilder
from index.build.pipeline import DocumentProcessor
from index.config import SEEDS_DIR
from search.engine import SearchEngine, SearchRequest
from search import sphinx_backend
from search.sphinx_backend import SphinxBackend

from test_concurrency import _real_shaped

pytestmark = pytest.mark.skipif(cluster_cli.searchd_binary() is None, reason="skipped: searchd not installed")

QUERIES = [
    "", "импортозамещения", "завод OR промышленность", "промышлен*", '"технологического суверенитета"',
    "!импортозамещение", "завод -экспорт", "губернатор", "экспорт", "regione", "industria", "title:завод",
    "производство AND поддержка", "NOT экспорт", "губернатор*",
    # the vocabulary asked per search: a typo's correction, a name in the other script
    "импртозамещение", "Khabarovsk",
]
FILTERS = [{}, {"lang": ["ru"]}, {"year": ["2020", "2021"]}, {"lang": ["it"], "year": ["2019"]}]


@pytest.fixture(scope="session")
def processor(ingestor, extractor) -> DocumentProcessor:
    return DocumentProcessor(lemmatizer=extractor.tokens.lemmatizer, ingestor=ingestor, extractor=extractor)


def _cluster(tmp_path_factory, name: str):
    directory = tmp_path_factory.mktemp(name)
    url = cluster_cli.up(directory, 2)
    return directory, url


@pytest.fixture(scope="session")
def seed_cluster(tmp_path_factory, processor):
    directory, url = _cluster(tmp_path_factory, "sphinx-seeds")
    try:
        report = ClusterIndexBuilder(url, processor=processor).build([SEEDS_DIR])
        assert report.indexed == len(list(SEEDS_DIR.glob("*.txt"))), report.summary()
        yield url
    finally:
        cluster_cli.down(directory)


def _engines(embedded: SearchEngine, url: str, lemmatizer):
    return embedded, SearchEngine(embedded.index_dir, lemmatizer=lemmatizer, backend=SphinxBackend(url))


def _facet_counts(record: dict) -> dict:
    counts = {}
    for name, values in record["facets"].items():
        for item in values:
            counts[(name, item["value"])] = item["count"]
            for child in item.get("children", []):
                counts[(name, child["value"])] = child["count"]
    return counts


def _explained(record: dict) -> list:
    """What the words matched: each word's reading and the forms found
    (their counts may differ: docs/scale-out.md)."""
    return [(e["word"], e["lemma"], e["transliteration"], sorted(f["form"] for f in e["forms"]))
            for e in record["explain"]]


def _compare(embedded: SearchEngine, cluster: SearchEngine, queries, filters_list) -> dict:
    """Every query with every filter on both: the same totals and facet
    counts (all values: facet_top=None), and the top 10's overlap."""
    overlaps, compared = [], 0
    for text in queries:
        for filters in filters_list:
            # every copy: the cluster has no stories to collapse by (docs/stories.md)
            request = dict(q=text, filters=filters, per_page=10, collapse=False)
            a = embedded.search(SearchRequest(**request), facet_top=None)
            b = cluster.search(SearchRequest(**request), facet_top=None)
            assert "partial" not in b, (text, filters, b.get("missing_shards"))  # a node slow to answer
            assert a["total"] == b["total"], (text, filters)
            assert _facet_counts(a) == _facet_counts(b), (text, filters)
            assert a["suggestion"] == b["suggestion"], (text, filters)
            assert _explained(a) == _explained(b), (text, filters)
            top_a, top_b = {h["id"] for h in a["hits"]}, {h["id"] for h in b["hits"]}
            if top_a:
                overlaps.append(len(top_a & top_b) / len(top_a))
            compared += 1
    return {"compared": compared, "min_overlap": min(overlaps), "mean_overlap": sum(overlaps) / len(overlaps)}


def test_seeds_give_the_same_answers_on_both_backends(engine, seed_cluster, lemmatizer):
    embedded, cluster = _engines(engine, seed_cluster, lemmatizer)
    result = _compare(embedded, cluster, QUERIES, FILTERS)
    print("seed parity:", result)
    assert result["min_overlap"] == 1.0  # five documents: the same ones shown
    # the same record, document and highlighting
    doc_a, doc_b = embedded.document("001_fe2789674e39d373"), cluster.document("001_fe2789674e39d373")
    assert doc_a == doc_b
    assert embedded.highlight_document(doc_a, "импортозамещение") == cluster.highlight_document(doc_b, "импортозамещение")


def test_a_rerun_writes_nothing_and_a_changed_document_replaces_the_old(tmp_path_factory, processor, seeds_copy):
    directory, url = _cluster(tmp_path_factory, "sphinx-rerun")
    try:
        builder = ClusterIndexBuilder(url, processor=processor)
        assert builder.build([seeds_copy]).indexed == 5
        again = builder.build([seeds_copy])
        assert (again.indexed, again.updated, again.unchanged) == (0, 0, 5)
        first = sorted(seeds_copy.glob("*.txt"))[0]
        first.write_text(first.read_text(encoding="utf-8") + "\nДобавлено: уникальноеслово.", encoding="utf-8")
        changed = builder.build([seeds_copy])
        assert (changed.updated, changed.unchanged) == (1, 4)
        cluster = SearchEngine(seeds_copy, backend=SphinxBackend(url))
        assert cluster.stats()["documents"] == 5
        assert cluster.search(SearchRequest(q="уникальноеслово"))["total"] == 1
        first.unlink()
        assert builder.build([seeds_copy], prune=True).pruned == 1
        assert cluster.stats()["documents"] == 4
    finally:
        cluster_cli.down(directory)


def test_a_node_killed_gives_a_partial_answer_naming_its_shard(tmp_path_factory, processor, monkeypatch):
    directory, url = _cluster(tmp_path_factory, "sphinx-kill")
    try:
        ClusterIndexBuilder(url, processor=processor).build([SEEDS_DIR])
        cluster = SearchEngine(SEEDS_DIR, backend=SphinxBackend(url))
        whole = cluster.search(SearchRequest(q=""))
        assert "partial" not in whole and whole["total"] == 5
        state = json.loads((directory / cluster_cli.STATE_FILE).read_text())
        os.kill(state["nodes"][1]["pid"], signal.SIGKILL)
        time.sleep(0.3)
        answer = cluster.search(SearchRequest(q=""))
        assert answer["partial"] is True
        assert answer["missing_shards"] == ["news_shard2"]
        assert 0 < answer["total"] < 5
        from web import create_app

        client = create_app({"ENGINE": cluster, "TESTING": True}).test_client()
        api = client.get("/api/search?q=").get_json()
        assert api["partial"] is True and api["missing_shards"] == ["news_shard2"]
        page = client.get("/?q=")
        assert page.status_code == 200 and "news_shard2" in page.get_data(as_text=True)

        # a view made while the shard is away, then the shard back: whole again
        monkeypatch.setattr(sphinx_backend, "INCOMPLETE_VIEW_RETRY_S", 0.0)
        made_without = SearchEngine(SEEDS_DIR, backend=SphinxBackend(url))
        assert made_without.search(SearchRequest(q=""))["partial"] is True
        assert cluster_cli.up(directory, 2) == url  # starts the stopped node only
        time.sleep(0.5)
        back = made_without.search(SearchRequest(q=""))
        assert "partial" not in back and back["total"] == 5
    finally:
        cluster_cli.down(directory)


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "import sys; from search.cli import main; sys.exit(main())", *args],
                          capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120)


def test_a_bad_url_or_an_unreachable_cluster_exits_2_with_one_line():
    bad = _cli("--backend", "mysql://nowhere", "завод")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1, bad.stderr
    port = cluster_cli.free_port()
    down = _cli("завод", env={"PROMSEARCH_BACKEND": f"sphinx://127.0.0.1:{port}/news"})
    assert down.returncode == 2 and len(down.stderr.strip().splitlines()) == 1, down.stderr
    assert "does not answer" in down.stderr


def test_an_unreachable_cluster_gives_a_503_page():
    from web import create_app

    engine = SearchEngine(SEEDS_DIR, backend=SphinxBackend(f"sphinx://127.0.0.1:{cluster_cli.free_port()}/news"))
    client = create_app({"ENGINE": engine, "TESTING": True}).test_client()
    assert client.get("/?q=завод").status_code == 503
    assert client.get("/api/search?q=завод").status_code == 503


def test_two_thousand_documents_give_the_same_answers_on_both_backends(tmp_path_factory, build_index, processor,
                                                                      lemmatizer):
    work = tmp_path_factory.mktemp("sphinx-parity")
    docs = _real_shaped(work / "docs.jsonl", 2000)
    build_index(work / "index", [docs], commit_every=500)
    directory, url = _cluster(tmp_path_factory, "sphinx-2000")
    try:
        report = ClusterIndexBuilder(url, processor=processor, batch=500).build([docs])
        assert report.indexed == 2000, report.summary()
        embedded, cluster = _engines(SearchEngine(work / "index", lemmatizer=lemmatizer), url, lemmatizer)
        result = _compare(embedded, cluster, QUERIES, FILTERS)
        print("2,000-document parity:", result)
        assert result["mean_overlap"] >= 0.7
    finally:
        cluster_cli.down(directory)


def test_a_cluster_fed_from_the_embedded_index_answers_like_it(tmp_path_factory, seed_index, engine, lemmatizer,
                                                               monkeypatch):
    """``copy_to_cluster``: the index's records and entities, the words
    lemmatized again, no NLP; a re-run writes nothing."""
    from index.build.cluster_from_index import copy_to_cluster

    directory, url = _cluster(tmp_path_factory, "sphinx-copied")
    try:
        from index.cli import main as search_index

        assert search_index(["--from-index", str(seed_index), "--backend", url, "--quiet"]) == 0
        assert copy_to_cluster(seed_index, url).unchanged == 5
        monkeypatch.delenv("PROMSEARCH_BACKEND", raising=False)
        with pytest.raises(SystemExit) as no_cluster:
            search_index(["--from-index", str(seed_index), "--quiet"])
        assert no_cluster.value.code == 2
        embedded, cluster = _engines(engine, url, lemmatizer)
        assert _compare(embedded, cluster, QUERIES, FILTERS)["min_overlap"] == 1.0
        assert embedded.document("001_fe2789674e39d373") == cluster.document("001_fe2789674e39d373")
    finally:
        cluster_cli.down(directory)


def test_a_view_opens_without_reading_the_vocabulary_or_grouping_the_documents(seed_cluster, lemmatizer,
                                                                              monkeypatch):
    """Opening a view reads the facet values the build counted at the end of
    its run (the same a count now gives) and nothing of the vocabulary."""
    from search import sphinx_backend as sb, sphinx_pages

    asked = []
    real_batch, real_query = sb.Cluster.query_batch, sb.Cluster.query
    monkeypatch.setattr(sb.Cluster, "query_batch", lambda self, s: asked.extend(s) or real_batch(self, s))
    monkeypatch.setattr(sb.Cluster, "query", lambda self, sql, args=None: asked.append(sql) or real_query(self, sql, args))
    view = SphinxBackend(seed_cluster).view()
    assert asked and not any("GROUP BY" in sql or "_vocab" in sql for sql in asked), asked
    _documents, _averages, counted_now, _value_of = sphinx_pages.read_values(view, None)
    for name, column in view.columns.items():
        assert dict(zip(column.values, column.totals.tolist())) == \
            dict(zip(counted_now[name].values, counted_now[name].totals.tolist())), name
    assert view.columns["lang"].values and view.columns["year"].values


def test_a_page_is_one_round_trip_and_the_view_reads_no_document_list(seed_cluster, lemmatizer, monkeypatch):
    """The page path: a search's hits, total and facet counts in one batch,
    and the view never numbers the documents (no full scan of ids)."""
    from search import sphinx_backend as sb

    cluster = SearchEngine(SEEDS_DIR, lemmatizer=lemmatizer, backend=SphinxBackend(seed_cluster))
    cluster.search(SearchRequest(q=""))  # the view made
    batches, singles = [], []
    real_batch, real_query = sb.Cluster.query_batch, sb.Cluster.query
    monkeypatch.setattr(sb.Cluster, "query_batch", lambda self, s: batches.append(s) or real_batch(self, s))
    monkeypatch.setattr(sb.Cluster, "query", lambda self, sql, args=None: singles.append(sql) or real_query(self, sql, args))
    record = cluster.search(SearchRequest(q="промышленность", filters={"lang": ["ru"]}))
    assert record["total"] > 0 and record["facets"]["year"]
    page_batches = [b for b in batches if any("ORDER BY" in s for s in b)]
    assert len(page_batches) == 1 and len(page_batches[0]) >= 8  # page, meta, six facets
    assert not any("ORDER BY id ASC" in sql for sql in singles + [s for b in batches for s in b])
    assert "_numbering" not in vars(cluster.backend.view())


def test_a_cluster_fed_from_an_index_with_stories_collapses_them_as_it_does(tmp_path_factory, build_index,
                                                                            lemmatizer):
    """The index's stories go to the cluster's meta index with its
    documents: one hit a story, its copies counted, facets by story, the
    story's page (documents written for the story tests)."""
    from index.build.cluster_from_index import copy_to_cluster
    from stories_corpus import DOCS, write_jsonl

    work = tmp_path_factory.mktemp("sphinx-stories")
    build_index(work / "index", [write_jsonl(work / "docs.jsonl", list(DOCS))])
    directory, url = _cluster(tmp_path_factory, "sphinx-stories-cluster")
    try:
        copy_to_cluster(work / "index", url)
        embedded, cluster = _engines(SearchEngine(work / "index", lemmatizer=lemmatizer), url, lemmatizer)
        for request in (SearchRequest("завод металлоконструкций", per_page=20), SearchRequest(""),
                        SearchRequest("церемонии запуска пресс-служба")):
            a, b = embedded.search(request, facet_top=None), cluster.search(request, facet_top=None)
            assert b["collapsed"] is True and "partial" not in b
            assert a["total"] == b["total"] and _facet_counts(a) == _facet_counts(b), request
            # the same stories, each once; which copy shows may differ where the cluster's scores
            # do (its idf is per shard, and exact copies tie on the embedded index)
            assert sorted((h["story"], h["similar"], h["translation"]) for h in a["hits"]) == \
                sorted((h["story"], h["similar"], h["translation"]) for h in b["hits"]), request
            assert len({h["story"] for h in b["hits"]}) == len(b["hits"])
        # by story, a story counts once (under its first copy: which, where two share a date, may differ)
        by_story = _facet_counts(cluster.search(SearchRequest("", count="stories"), facet_top=None))
        assert by_story[("region", "Хабаровский край")] == 4
        plant = next(h for h in cluster.search(SearchRequest("завод металлоконструкций"))["hits"] if h["story"] == "plant")
        assert plant["similar"] == 3 and plant["translation"] is True
        # every copy: the cluster's one-batch page, each hit still saying its story
        every = cluster.search(SearchRequest("завод металлоконструкций", per_page=20, collapse=False))
        assert every["total"] == embedded.search(SearchRequest("завод металлоконструкций", collapse=False))["total"]
        assert every["collapsed"] is False
        assert {h["id"]: h["story"] for h in every["hits"] if h["id"].startswith("plant")} == \
            {"plant": "plant", "plant-copy": "plant", "plant-new-lead": "plant",
             "plant-retold": "plant-retold"}
        assert cluster.story("plant") == embedded.story("plant")
        assert cluster.story("plant-copy") is None and cluster.story("roads")["documents"][0]["id"] == "roads"
    finally:
        cluster_cli.down(directory)


def test_one_word_names_nothing_vouches_for_are_left_out_on_a_cluster_too(tmp_path_factory, build_index,
                                                                         lemmatizer):
    """A name the officials' links mark as no official is no facet value on
    either backend, and a lone surname counts under its full name once."""
    from index.build.cluster_from_index import copy_to_cluster
    from conftest import write_docs
    from test_one_word_officials import DOCS

    work = tmp_path_factory.mktemp("sphinx-one-word")
    build_index(work / "index", [write_docs(work / "docs", DOCS)])
    directory, url = _cluster(tmp_path_factory, "sphinx-one-word-cluster")
    try:
        copy_to_cluster(work / "index", url)
        embedded, cluster = _engines(SearchEngine(work / "index", lemmatizer=lemmatizer), url, lemmatizer)
        officials = {v["value"]: v["count"] for v in cluster.search(SearchRequest(""), facet_top=None)["facets"]["official"]}
        assert "Лексус" not in officials and "\x00" not in officials
        assert officials["Gian Carlo Muzzarelli"] == 2 and "Muzzarelli" not in officials
        assert "Лексус" not in cluster.backend.view().columns["official"].index_of
        _compare(embedded, cluster, ["", "цех", "sindaco"], [{}, {"lang": ["it"]}])
    finally:
        cluster_cli.down(directory)
