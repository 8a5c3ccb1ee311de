"""Property-based tests: whatever a user pastes into the search box, the
parser, the engine, search-cli and /api/search answer without an exception,
with a valid response, and say what they ignored."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.cli import main as cli_main
from search.engine import SearchRequest
from web import create_app

HOSTILE = [
    '"unclosed', "((((", "))))", "(()", "AND", "OR OR OR", "NOT", "- - -", "AND AND NOT OR", "*", "**", "!", "!!", "title:",
    ":", "region:", 'region:"', "x" * 10_000, "слово " * 3000, "\x00\x01\x02\x1b[31m", "\u202e\u200b\ufeff",
    "импорт import импортозамещение 🏭🚀", "'; DROP TABLE docs; --", "' OR '1'='1", "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>', "{{ 7*7 }}", "${jndi:ldap://x}", "%00%2e%2e%2f", "\\", "*импорт", "год*" * 200,
    "a:b:c:d", "year:abc", "lang:zz", "title:\"", "(\"a OR b)\" NOT", "ё" * 500,
]

queries = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=300),
    st.lists(st.sampled_from(["импортозамещение", "экспорт", "OR", "AND", "NOT", "-", "(", ")", '"', "*", "!", "title:",
                              "region:", "esportazione", "губернатор", "year:2024", "🙂", "\x00"]), max_size=40).map(" ".join),
)
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def assert_valid(record: dict) -> None:
    assert isinstance(record["total"], int) and record["total"] >= 0
    assert isinstance(record["hits"], list) and len(record["hits"]) <= record["per_page"]
    assert all(isinstance(note, str) for note in record["ignored"])
    assert set(record["facets"]) == {"official", "region", "sector", "place", "year", "lang"}
    json.dumps(record, ensure_ascii=False)


@SETTINGS
@given(q=queries)
def test_parser_never_raises(engine, q):
    parsed = engine.parse(q)
    assert isinstance(parsed.ignored, list)


@SETTINGS
@given(q=queries)
def test_engine_answers_every_query(engine, q):
    from search.cli import public_record

    assert_valid(public_record(engine.search(SearchRequest(q))))


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_are_reported_not_fatal(engine, q):
    record = engine.search(SearchRequest(q))
    assert_valid({**record, "hits": [{k: v for k, v in h.items() if k != "snippet_segments"} for h in record["hits"]]})
    if q.strip(' "()*!:-') == "" or q in ("AND", "OR OR OR", "NOT"):
        assert record["ignored"], q


def test_long_queries_and_many_terms_are_cut_with_a_note(engine):
    record = engine.search(SearchRequest("x" * 10_000))
    assert any("characters" in note for note in record["ignored"])
    record = engine.search(SearchRequest(" ".join(f"слово{i}" for i in range(500))))
    assert any("terms" in note for note in record["ignored"])


@pytest.fixture(scope="module")
def client(engine):
    return create_app({"ENGINE": engine, "TESTING": True}).test_client()


@SETTINGS
@given(q=queries)
def test_api_search_answers_every_query(client, q):
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code == 200
    assert_valid(response.get_json())


@SETTINGS
@given(q=queries)
def test_search_page_escapes_every_query(client, q):
    response = client.get("/", query_string={"q": q})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # the query comes back only escaped: no tag from it reaches the page
    assert "<script>alert" not in page and "<img" not in page


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=queries)
def test_search_cli_answers_every_query(seed_index, capsys, q):
    code = cli_main([q, "--index", str(seed_index), "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert_valid(json.loads(out))
    assert "Traceback" not in err


@pytest.mark.parametrize("params", ["page=99999", "per_page=1000", "page=-1", "per_page=abc", "sort=;drop",
                                     "year=" + "&year=".join(str(y) for y in range(60)), "colour=red&q=x"])
def test_api_limits_give_400_with_a_message(client, params):
    response = client.get("/api/search?" + params)
    if "colour" in params:
        assert response.status_code == 200  # unknown parameters are ignored, like any web form
        return
    assert response.status_code == 400 and response.get_json()["error"]


facet_values = st.sampled_from(["Ленинградская область", "2024", "ru", "a&b=c", "Михаил Дегтярёв", "x y", "%20"])


@given(q=st.sampled_from(["", "импорт", "a&b"]), sort=st.sampled_from(["relevance", "date"]),
       page=st.integers(1, 3), per_page=st.sampled_from([10, 20]), translate=st.booleans(),
       filters=st.dictionaries(st.sampled_from(["official", "region", "year", "lang"]),
                               st.lists(facet_values, min_size=1, max_size=3, unique=True), max_size=3),
       name=st.sampled_from(["official", "region", "district", "sector", "year", "lang"]), value=facet_values)
def test_the_fast_facet_links_are_the_toggled_requests(q, sort, page, per_page, translate, filters, name, value):
    request = SearchRequest(q, filters, sort, page, per_page, translate)
    assert request.toggle_urls()(name, value) == "?" + request.toggled(name, value).query_string()
