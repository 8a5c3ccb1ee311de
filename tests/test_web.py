"""Every route of the web app through Flask's test client."""
from __future__ import annotations

import csv
import io

import pytest

from web import create_app

from conftest import SEED_IDS, write_docs

D000, D001, D002, D003, D004 = SEED_IDS


@pytest.fixture(scope="module")
def client(engine):
    return create_app({"ENGINE": engine, "TESTING": True}).test_client()


def test_search_page_shows_hits_highlights_and_facets(client):
    page = client.get("/?q=импортозамещение").get_data(as_text=True)
    assert 'value="импортозамещение"' in page  # the box keeps the query
    assert page.count('class="hit"') == 2
    assert "<mark>импортозамещения</mark>" in page
    assert 'id="total">2<' in page
    assert 'data-facet="year"' in page and 'data-facet="lang"' in page
    assert "<svg" in page  # the timeline
    assert "/api/search?q=" in page and "/export.csv?q=" in page


def test_facet_links_toggle_filters_and_chips(client):
    page = client.get("/?q=&year=2024").get_data(as_text=True)
    assert page.count('class="hit"') == 1 and D004 in page
    assert 'aria-checked="true"' in page
    assert 'class="chip"' in page and "clear" in page
    # the selected year's link removes it again
    assert 'href="?"' in page or 'href="?q="' in page or "href=\"?\"" in page


def test_sort_and_pagination(client):
    page = client.get("/?per_page=2&sort=date").get_data(as_text=True)
    assert page.count('class="hit"') == 2 and 'rel="next"' in page
    page2 = client.get("/?per_page=2&sort=date&page=3").get_data(as_text=True)
    assert page2.count('class="hit"') == 1 and 'rel="prev"' in page2


def test_suggestion_link_and_zero_results(client):
    page = client.get("/?q=bvgjhnjpfvtotybt").get_data(as_text=True)
    assert 'class="empty"' in page
    assert 'class="suggestion"' in page and "?q=%D0%B8%D0%BC%D0%BF" in page


def test_interface_languages(client):
    assert "Найти" in client.get("/?ui=ru").get_data(as_text=True)
    assert "Cerca" in client.get("/?ui=it").get_data(as_text=True)
    assert ">Search<" in client.get("/?ui=en").get_data(as_text=True)


def test_document_page(client):
    page = client.get(f"/doc/{D004}?q=импортозамещение").get_data(as_text=True)
    assert "По инициативе Демешина подписана хартия" in page
    assert "<mark>импортозамещению</mark>" in page
    assert "<details" in page and "Ссылки по теме" in page  # raw text behind a toggle
    # recognised entities link to a search filtered by them; roles are shown
    assert 'class="entity official" href="/?official=%D0%94%D0%BC%D0%B8%D1%82%D1%80%D0%B8%D0%B9' in page
    assert 'class="entity region"' in page and "временно исполняющего обязанности губернатора" in page
    assert client.get("/doc/no_such_doc").status_code == 404
    for evil in ("../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%2e%2e/%2e%2e/etc/passwd"):
        response = client.get("/doc/" + evil)
        assert response.status_code == 404
        assert "root:" not in response.get_data(as_text=True)


def test_api_search_matches_the_cli_record(client, engine):
    data = client.get("/api/search?q=экспорт&translate=0").get_json()
    assert data["total"] == 2 and {h["id"] for h in data["hits"]} == {D000, D001}
    assert set(data["facets"]) == {"official", "region", "sector", "place", "year", "lang"}
    filtered = client.get("/api/search?year=2019&year=2021").get_json()
    assert filtered["total"] == 2
    assert client.get("/api/search?q=&lang=it").get_json()["hits"][0]["id"] == D002


@pytest.mark.parametrize("query", ["page=0", "page=x", "per_page=101", "per_page=0", "sort=random", "per_page=-1"])
def test_api_bad_parameters_are_400_json(client, query):
    response = client.get("/api/search?" + query)
    assert response.status_code == 400
    assert response.is_json and "error" in response.get_json()


def test_api_facets_suggest_doc_health_openapi(client):
    years = client.get("/api/facets/year").get_json()["values"]
    assert {v["value"]: v["count"] for v in years} == {"2019": 1, "2021": 1, "2024": 1, "unknown": 2}
    assert client.get("/api/facets/colour").status_code == 404
    assert client.get("/api/facets/year?limit=0").status_code == 400
    suggestions = client.get("/api/suggest?q=импорт").get_json()["suggestions"]
    assert "импортозамещения" in [s["value"] for s in suggestions]
    doc = client.get(f"/api/doc/{D002}").get_json()
    assert doc["author"] == "Karina Kamalova" and doc["lang"] == "it"
    missing = client.get("/api/doc/nope")
    assert missing.status_code == 404 and missing.is_json
    assert client.get("/healthz").get_json() == {"status": "ok", "documents": 5}
    spec = client.get("/api/openapi.json").get_json()
    assert "/api/search" in spec["paths"] and spec["openapi"].startswith("3.")
    assert client.get("/api/nothing").status_code == 404 and client.get("/api/nothing").is_json


def test_csv_export_has_all_results_not_one_page(client):
    body = client.get("/export.csv?per_page=1").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "id" and len(rows) == 1 + 5


def test_read_only_and_security_headers(client):
    assert client.post("/api/search").status_code == 405
    assert client.delete(f"/api/doc/{D001}").status_code == 405
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_hostile_text_is_escaped(tmp_path, ingestor, lemmatizer, build_index):
    from search.engine import SearchEngine

    docs = write_docs(tmp_path / "docs", {
        "evil": 'Завод <script>alert(1)</script> открыт\n\nГубернатор "><img src=x onerror=alert(2)> и {{ 7*7 }} на заводе.',
    })
    build_index(tmp_path / "ix", [docs])
    client = create_app({"ENGINE": SearchEngine(tmp_path / "ix", lemmatizer=lemmatizer)}).test_client()
    for url in ("/?q=завод", "/?q=<script>alert(3)</script>", '/?q="><img src=x onerror=alert(4)>', "/doc/evil?q=завод",
                "/?q={{ 7*7 }}"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "49" not in page
    page = client.get("/?q=завод").get_data(as_text=True)
    assert "&lt;script&gt;" in page and "<mark>Завод</mark>" in page


def test_missing_index_gives_a_clear_message(tmp_path):
    client = create_app({"INDEX_DIR": str(tmp_path / "none")}).test_client()
    page = client.get("/?q=x")
    assert page.status_code == 503 and "search-index" in page.get_data(as_text=True)
    api = client.get("/api/search?q=x")
    assert api.status_code == 503 and "search-index" in api.get_json()["error"]
    assert client.get("/healthz").status_code == 503


def test_csv_export_streams_and_rejects_bad_parameters_before_starting(client):
    response = client.get("/export.csv?q=импортозамещение&sort=date")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert [r[0] for r in rows[1:]] == [D004, D001]
    bad = client.get("/export.csv?per_page=0")
    assert bad.status_code == 400 and bad.is_json


def test_a_person_known_only_by_a_first_name_is_marked_without_a_facet_link():
    from web.pages import annotated_paragraphs

    body = "Марк пришел на встречу с Дмитрием Демешиным."
    spans = [(0, 4, "person", "Марк"), (25, 43, "official", "Дмитрий Демешин")]
    (html,) = annotated_paragraphs(body, [(0, 4)], spans)
    assert '<span class="entity person" title="Марк"><mark>Марк</mark></span>' in html
    assert html.count("<a ") == 1 and 'class="entity official"' in html
