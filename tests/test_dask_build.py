"""``search-index --dask``: the NLP on a Dask cluster builds the same index
as the built-in pool."""
from __future__ import annotations

import pytest

from index.build.dask_indexer import DaskIndexBuilder
from index.build.indexer import IndexBuilder
from index.config import SEEDS_DIR
from search.engine import SearchEngine, SearchRequest

distributed = pytest.importorskip("distributed")


def _records(index_dir, lemmatizer) -> dict:
    engine = SearchEngine(index_dir, lemmatizer=lemmatizer)
    ids = [hit["id"] for hit in engine.search(SearchRequest(q="", per_page=100))["hits"]]
    return {doc_id: engine.document(doc_id) for doc_id in ids}


def test_a_dask_local_cluster_build_equals_a_worker_pool_build(tmp_path, lemmatizer):
    pool_dir, dask_dir = tmp_path / "pool", tmp_path / "dask"
    pool_report = IndexBuilder(pool_dir, workers=2).build([SEEDS_DIR])
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        dask_report = DaskIndexBuilder(dask_dir, client).build([SEEDS_DIR])
    assert dask_report.indexed == pool_report.indexed == len(list(SEEDS_DIR.glob("*.txt")))
    assert _records(dask_dir, lemmatizer) == _records(pool_dir, lemmatizer)
    for query in ("импортозамещение", "industria", "промышлен*"):
        a = SearchEngine(pool_dir, lemmatizer=lemmatizer).search(SearchRequest(q=query))
        b = SearchEngine(dask_dir, lemmatizer=lemmatizer).search(SearchRequest(q=query))
        assert a["total"] == b["total"] and a["facets"] == b["facets"]
        assert [h["id"] for h in a["hits"]] == [h["id"] for h in b["hits"]]
