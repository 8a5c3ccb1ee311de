"""The fast query paths return exactly what the straightforward ones do:
array-based matching vs Whoosh's matcher, top-k ranking vs ranking every hit,
numpy facet counts vs counting stored fields one document at a time."""
from __future__ import annotations

import random
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index

import index.store.arrays
from index.config import SEEDS_DIR
from index.store.merged_arrays import PREFIX, segments_of
from search.arrays_backend import to_whoosh
from search.backend import EVERYTHING, AllOf, AnyOf, Term, Without
from search.backend import Phrase as PhraseQuery
from search.engine import SearchEngine, SearchRequest
from search.paging import matched_mask, rank
from search.query import Not
from search.ranking import DEFAULT

QUERIES = ["импортозамещение", "экспорт", "промышленность регион", "экспорт OR хартия", "промышленность -экспорт",
           "NOT губернатор", "импортозамещ*", "пром*", '"поддержка экспорта"', "!экспорта", "esportazione",
           "(хартия OR стажировка) промышленность", "title:хартия", "region:\"Хабаровский край\"", "",
           '"центров поддержки экспорта"', '!"поддержки экспорта"', '"экспорт промышленность"', '"поддержка экспорта" -хартия']


LAYOUTS = {
    # one segment, every posting list read from Whoosh's blocks
    "Whoosh blocks": {"array_min_postings": 10**9},
    # segments of 20 documents, posting arrays for terms in two or more
    # documents and Whoosh's blocks for the rest
    "arrays and blocks": {"commit_every": 20, "array_min_postings": 2},
    # segments of 20 documents, every term in each segment's arrays
    "arrays only": {"commit_every": 20, "merge_after": 10**9},
    # the same segments' arrays merged into one set (the default at scale)
    "merged arrays": {"commit_every": 20, "merge_after": 0},
    # merged arrays for the first run's segments, then segments of a second
    # run read from their own arrays
    "merged and later segments": {"commit_every": 20, "merge_after": 0, "second_run_merge_after": 10**9},
}


@pytest.fixture(scope="module", params=list(LAYOUTS))
def mixed_engine(request, tmp_path_factory, build_index, lemmatizer):
    """Seeds plus 60 documents recombined from their sentences, so results
    have ties, many facet values and more than one page; built in each of
    the layouts an index can have. The index keeps its text fields'
    postings in the arrays only, so Whoosh's matcher, the reference, runs on
    a twin built the same way with every posting in Whoosh too
    (``engine.twin_searcher``: the same documents, in the same order)."""
    rng = random.Random(3)
    sentences = []
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        sentences += [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s) > 40]
    docs = tmp_path_factory.mktemp("mixed")
    for i in range(60):
        body = " ".join(rng.sample(sentences, 4))
        (docs / f"mix_{i:02d}.txt").write_text(f"Новость номер {i}\n\n{rng.randint(1, 28)} марта {rng.choice([2019, 2021, 2024])}\n\n{body}", encoding="utf-8")
    for path in SEEDS_DIR.glob("*.txt"):
        (docs / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("mixed-index")
    layout = dict(LAYOUTS[request.param])
    second_run = layout.pop("second_run_merge_after", None)

    def build(index_dir):
        if second_run is None:
            build_index(index_dir, [docs], **layout)
        else:
            first_half = sorted(docs.glob("*.txt"))[::2]
            assert build_index(index_dir, first_half, **layout).merged_arrays
            assert not build_index(index_dir, [docs], **{**layout, "merge_after": second_run}).merged_arrays

    build(index_dir)
    twin_dir = tmp_path_factory.mktemp("mixed-twin")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index.store.arrays, "TEXT_FIELDS", ())
        patch.setattr(index.store.arrays, "VALUE_FIELDS", ())
        build(twin_dir)
    segments = segments_of(whoosh_index.open_dir(str(index_dir)).reader())
    assert len([p for p in index_dir.glob("*_terms.marisa") if not p.name.startswith(PREFIX)]) == len(segments)
    assert len(segments) >= (3 if "commit_every" in layout else 1)
    engine = SearchEngine(index_dir, lemmatizer=lemmatizer)
    parts = engine._view().postings.parts
    covered = [len(leaves) for arrays, _, leaves in parts if len(leaves) > 1]
    if layout.get("merge_after") == 0:
        # the merged arrays stand for the first run's segments, the rest are read one by one
        assert covered and (len(parts) > 1) == (second_run is not None)
    else:
        assert not covered
    twin = whoosh_index.open_dir(str(twin_dir)).searcher(weighting=DEFAULT.weighting())  # the engine's BM25F
    assert twin.reader().doc_count_all() == engine._view().doc_count
    assert list(twin.reader().column_reader("id")) == list(engine._view().searcher.reader().column_reader("id"))
    assert list(twin.reader().lexicon("body")) and not list(engine._view().searcher.reader().lexicon("body"))
    engine.twin_searcher = twin
    return engine


def whoosh_docs(engine, gen, query) -> np.ndarray:
    """Whoosh's own matcher, one document at a time, on the twin: the reference."""
    mask = np.zeros(gen.doc_count, dtype=bool)
    docnums = np.fromiter(engine.twin_searcher.docs_for_query(to_whoosh(query)), dtype=np.int64)
    mask[docnums] = True
    return mask


def whoosh_mask(engine, gen, query):
    """What Whoosh matches, with A AND NOT B taken as Whoosh's matches of A
    minus its matches of B: its own AND-NOT matcher lets excluded documents
    through (see the test below)."""
    if isinstance(query, Without):
        return whoosh_mask(engine, gen, query.base) & ~whoosh_mask(engine, gen, query.excluded)
    return whoosh_docs(engine, gen, query)


@pytest.mark.parametrize("q", QUERIES)
def test_array_matching_equals_whoosh_matching(mixed_engine, q):
    gen = mixed_engine._view()
    parsed = mixed_engine.parse(q)
    query = mixed_engine.compile(parsed.root, True, gen, [])
    if isinstance(parsed.root, Not):
        query = Without(EVERYTHING, query)
    expected = whoosh_mask(mixed_engine, gen, query) & gen.live
    assert np.array_equal(matched_mask(gen, query), expected), q


def _parts(query) -> tuple:
    return (query.base, query.excluded) if isinstance(query, Without) else getattr(query, "items", ())


def has_phrase(query) -> bool:
    return isinstance(query, PhraseQuery) or any(has_phrase(sub) for sub in _parts(query))


def phrases_in(query) -> list:
    if isinstance(query, PhraseQuery):
        return [query]
    return [p for sub in _parts(query) for p in phrases_in(sub)]


def phrases_as_words(query):
    if isinstance(query, PhraseQuery):
        return AllOf(tuple(Term(query.field, word) for word in query.words), boost=query.boost)
    if isinstance(query, Without):
        return Without(phrases_as_words(query.base), phrases_as_words(query.excluded))
    if isinstance(query, (AllOf, AnyOf)):
        return type(query)(tuple(phrases_as_words(sub) for sub in query.items), boost=query.boost)
    return query


def test_whoosh_and_not_matcher_lets_an_excluded_document_through(mixed_engine, request):
    """Why exclusions are computed on arrays: on this corpus Whoosh's own
    AND-NOT matcher returns a document that contains the excluded word
    (when indexed in one run: the second run's order of documents does not
    trip it, and there only the arrays' answer is checked)."""
    gen = mixed_engine._view()
    query = mixed_engine.compile(mixed_engine.parse("промышленность -экспорт").root, True, gen, [])
    def lemmas(docnum):
        return {lemma for lemma, _ in mixed_engine.parser.analyze(gen.searcher.stored_fields(int(docnum))["body"])}

    leaked = np.flatnonzero(whoosh_docs(mixed_engine, gen, query) & ~matched_mask(gen, query))
    if "second_run_merge_after" not in LAYOUTS[request.node.callspec.params["mixed_engine"]]:
        assert len(leaked) >= 1
    for docnum in leaked:
        assert "экспорт" in lemmas(docnum)
    hits = mixed_engine.search(SearchRequest("промышленность -экспорт", per_page=100))["hits"]
    assert hits
    for hit in hits:
        assert "экспорт" not in lemmas(gen.id_to_docnum[hit["id"]])


@pytest.mark.parametrize("q", [q for q in QUERIES if q])
def test_array_scores_equal_whoosh_scores(mixed_engine, q):
    """Every matched document's BM25F score from the arrays equals the score
    Whoosh computes for it, posting by posting (no top-k shortcut)."""
    gen = mixed_engine._view()
    query = mixed_engine.compile(mixed_engine.parse(q).root, True, gen, [])
    mask, scores = gen.scorer.evaluate(query)
    if has_phrase(query):
        # Whoosh scores a phrase by its own frequency; here it ranks as the
        # AND of its words, among the documents where the phrase stands
        for phrase in phrases_in(query):
            found, phrase_scores = gen.scorer.evaluate(phrase)
            words = gen.scorer.evaluate(phrases_as_words(phrase))[1]
            assert np.array_equal(phrase_scores[found], words[found]) and not phrase_scores[~found].any(), q
        return
    whoosh = {hit.docnum: hit.score for hit in mixed_engine.twin_searcher.search(to_whoosh(query), limit=None, optimize=False)}
    positives = {d for d in whoosh if mask[d]}
    assert positives == set(np.flatnonzero(mask & gen.live).tolist()), q
    for docnum in positives:
        assert scores[docnum] == pytest.approx(whoosh[docnum], rel=1e-9), (q, docnum)


@pytest.mark.parametrize("q", [q for q in QUERIES if q])
def test_ranking_pages_are_prefixes_of_the_full_ranking(mixed_engine, q):
    gen = mixed_engine._view()
    parsed = mixed_engine.parse(q)
    query = mixed_engine.compile(parsed.root, True, gen, [])
    selected = matched_mask(gen, query)
    everything = rank(gen, query, selected, "relevance", False, need=None,
                      rescore=mixed_engine._rescorer(gen, parsed))
    assert len(everything) == int(selected.sum())
    scores = [s for _, s in everything]
    assert scores == sorted(scores, reverse=True)
    for k in (1, 5, 10):
        assert rank(gen, query, selected, "relevance", False, need=k,
                    rescore=mixed_engine._rescorer(gen, parsed)) == everything[:k], (q, k)


def naive_counts(engine, mask, filters):
    """Disjunctive counts the slow way: stored fields, document by document."""
    gen = engine._view()
    stored = {d: gen.searcher.stored_fields(d) for d in np.flatnonzero(mask)}

    def values(fields, name):
        raw = fields.get(name) or ""
        return [v for v in raw.split(",") if v] if name not in ("year", "lang") else [raw]

    out = {}
    for name in ("official", "region", "district", "sector", "place", "year", "lang"):
        counts = {}
        for fields in stored.values():
            if all(set(values(fields, other)) & set(chosen) for other, chosen in filters.items() if other != name and chosen):
                for v in values(fields, name):
                    counts[v] = counts.get(v, 0) + 1
        out[name] = counts
    return out


@pytest.mark.parametrize("filters", [{}, {"year": ["2024"]}, {"region": ["Хабаровский край", "Чеченская Республика"]},
                                     {"lang": ["ru"], "sector": ["Медицинская промышленность"]}])
def test_numpy_facet_counts_equal_counting_documents(mixed_engine, filters):
    gen = mixed_engine._view()
    for q in ("", "промышленность", "экспорт OR хартия"):
        query = mixed_engine.compile(mixed_engine.parse(q).root, True, gen, [])
        matched = matched_mask(gen, query)
        fast = {name: counted.as_dict() for name, counted in gen.facets.counts(matched, filters).items()}
        assert fast == naive_counts(mixed_engine, matched, filters), (q, filters)
        record = mixed_engine.search(SearchRequest(q, filters, collapse=False))  # documents, not stories
        assert record["total"] == int(gen.facets.apply(matched, filters).sum())


@pytest.mark.parametrize("share", [0.0, 0.2, 0.5, 0.8, 1.0])
def test_facet_counts_of_any_share_of_the_documents_equal_counting_them(mixed_engine, share):
    """Facet counts, summed over each value's run of documents or read
    document by document, equal counting the documents from their stored
    fields, from none to all of them; and the shortcut to the top values
    gives the top values."""
    gen = mixed_engine._view()
    rng = np.random.default_rng(int(share * 10))
    matched = gen.live & (rng.random(len(gen.live)) < share)
    expected = naive_counts(mixed_engine, matched, {})
    for name, counted in gen.facets.counts(matched, {}).items():
        assert counted.as_dict() == expected[name], (name, share)
        # whichever way the share chose, the other way counts the same
        column = gen.facets.columns[name]
        assert (column._count_documents(np.flatnonzero(matched)) == counted.counts).all(), (name, share)
        for limit in (1, 3):
            by_count = sorted(expected[name].items(), key=lambda item: (-item[1], item[0]))
            assert counted.top(limit) == (by_count[:limit], len(by_count)), (name, share, limit)


@pytest.mark.parametrize("share", [0.0, 0.02, 0.3, 1.0])
def test_occurrences_in_a_selection_equal_whoosh_postings(mixed_engine, share):
    """How often each form occurs in a selection of documents (the forms
    found), from the arrays reading weights only where a selected document
    holds the form, equals the sum of Whoosh's own postings, one by one."""
    gen = mixed_engine._view()
    selection = np.random.default_rng(5).random(gen.doc_count) < share
    reader = mixed_engine.twin_searcher.reader()
    forms = [t.decode("utf-8") if isinstance(t, bytes) else t for t in reader.lexicon("exact")]
    assert len(forms) > 300
    for form in forms[::3]:
        matcher = reader.postings("exact", form)
        expected = 0
        while matcher.is_active():
            expected += matcher.weight() if selection[matcher.id()] else 0
            matcher.next()
        assert gen.occurrences("exact", form, selection) == int(expected), form


def test_pages_concatenate_to_the_full_ranking(mixed_engine):
    everything = [h["id"] for h in mixed_engine.search(SearchRequest("промышленность", per_page=100))["hits"]]
    paged = []
    for page in range(1, 20):
        hits = mixed_engine.search(SearchRequest("промышленность", page=page, per_page=7))["hits"]
        if not hits:
            break
        paged += [h["id"] for h in hits]
    assert paged == everything and len(everything) > 14


@given(st.lists(st.integers(min_value=0, max_value=2**64 - 1), max_size=300),
       st.sampled_from([np.uint64, np.int64, np.uint32]))
@settings(max_examples=200, deadline=None)
def test_unique_by_a_sort_is_numpys_unique(values, dtype):
    """Word-id pairs (up to 64 bits), document numbers: the same distinct
    values, sorted, of the same type, as ``np.unique`` gives."""
    from index.store.sorting import unique

    info = np.iinfo(dtype)
    array = np.array([v % (int(info.max) + 1) + int(info.min) for v in values], dtype=dtype)
    got, want = unique(array), np.unique(array)
    assert got.dtype == want.dtype and np.array_equal(got, want)


@given(st.lists(st.integers(min_value=0, max_value=2**32 - 1), max_size=300), st.sampled_from([np.uint32, np.uint16]),
       st.integers(min_value=1, max_value=2**32))
@settings(max_examples=200, deadline=None)
def test_a_stable_argsort_of_packed_keys_is_numpys(values, dtype, spread):
    """Word ids, many repeated (``spread`` narrows them): the order NumPy's
    stable sort gives, equal ids in their first order."""
    from index.store.sorting import stable_argsort

    array = np.array([v % spread % (int(np.iinfo(dtype).max) + 1) for v in values], dtype=dtype)
    assert np.array_equal(stable_argsort(array), np.argsort(array, kind="stable"))
