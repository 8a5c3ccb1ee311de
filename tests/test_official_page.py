"""The official's page (issue 30, part 4): one record from the knowledge
base's terms and the index's documents, rendered by the page, the API and
the CLI; and the region facets' counts under ``inferred=0``."""
from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from search.engine import SearchEngine, SearchRequest

SEED_001 = "001_fe2789674e39d373"
DYUMIN = "Алексей Дюмин"


@pytest.fixture(scope="module")
def client(engine):
    from web import create_app
    return create_app({"ENGINE": engine, "TESTING": True}).test_client()


def test_dyumin_on_seed_001(engine):
    record = engine.official(DYUMIN)
    assert record["match"] == "one" and record["name"] == DYUMIN
    assert record["documents"] == 1 and record["undated"] == 0
    acting, elected = record["terms"]
    assert (acting["start"], acting["end"], acting["acting"]) == ("2016-02-02", "2016-09-22", True)
    assert (elected["start"], elected["end"], elected["acting"]) == ("2016-09-22", "2024-05-14", False)
    assert elected["office"] == "губернатор" and elected["region"] == "Тульская область"
    assert elected["district"] == "Центральный федеральный округ"
    assert all(term["sources"] and term["sources"][0].startswith("http") for term in record["terms"])
    assert [(y["value"], y["count"]) for y in record["years"]] == [("2021", 1)]
    # Tula only through him: the region is there, and says it is inferred
    assert [(r["value"], r["count"], r["inferred"]) for r in record["regions"]] == [("Тульская область", 1, 1)]
    assert record["sectors"] and all(s["count"] == 1 for s in record["sectors"])
    assert record["search"] == "/?" + SearchRequest("", {"official": [DYUMIN]}).query_string()


def test_counts_are_those_of_the_filtered_search(engine):
    record = engine.official(DYUMIN)
    for facet, items in (("region", record["regions"]), ("sector", record["sectors"]), ("year", record["years"])):
        for item in items:
            found = engine.search(SearchRequest("", {"official": [DYUMIN], facet: [item["value"]]}))
            assert found["total"] == item["count"], (facet, item)
            assert item["search"] == "/?" + SearchRequest("", {"official": [DYUMIN], facet: [item["value"]]}).query_string()
    assert SEED_001 in [h["id"] for h in engine.search(SearchRequest("", {"official": [DYUMIN]}))["hits"]]


@pytest.mark.parametrize("typed", ["Алексей Дюмин", "алексей  дюмин", "Дюмин", "Дюмина", "Dyumin", "Alexey Dyumin",
                                   "Aleksei Diumin", "Дюмин Алексей Геннадьевич", "Дюмин А.Г.", "А. Дюмин"])
def test_a_name_however_typed(engine, typed):
    record = engine.official(typed)
    assert (record["match"], record["name"]) == ("one", DYUMIN)


def test_yo_and_latin_for_another(engine):
    assert engine.official("Дегтярев")["name"] == "Михаил Дегтярёв"
    assert engine.official("Mikhail Degtyarev")["name"] == "Михаил Дегтярёв"


def test_several_persons_give_the_candidates(engine):
    record = engine.official("Алексей")
    assert record["match"] == "several" and record["name"] is None
    assert {c["name"] for c in record["candidates"]} == {"Алексей Беспрозванных", DYUMIN}
    dyumin = next(c for c in record["candidates"] if c["name"] == DYUMIN)
    assert dyumin["offices"] == ["губернатор, Тульская область, 2016–2024"]  # acting period and term as one
    assert dyumin["url"] == "/official/" + quote(DYUMIN, safe="")
    # a surname three governors of the knowledge base share, none in the seeds
    kuznetsov = engine.official("Кузнецов")
    assert kuznetsov["match"] == "several" and len(kuznetsov["candidates"]) >= 3
    assert engine.official("Михаил Кузнецов")["name"] == "Михаил Кузнецов"
    assert engine.official("Кузнецов Лев")["name"] == engine.official("Lev Kuznetsov")["name"] == "Лев Кузнецов"


def test_knowledge_base_only_and_corpus_only(engine):
    teksler = engine.official("Текслера")  # Chelyabinsk's governor: no seed names him
    assert teksler["match"] == "one" and teksler["name"] == "Алексей Текслер" and teksler["documents"] == 0
    assert teksler["terms"][-1]["end"] is None and teksler["terms"][0]["acting"]
    levitin = engine.official("Левитин")  # in the seeds, not in the knowledge base
    assert levitin["name"] == "Игорь Левитин" and levitin["terms"] == [] and levitin["documents"] == 1
    assert levitin["years"] and levitin["sectors"]


def test_unknown_names(engine):
    for typed in ("Зюзюкин", "", "   ", "x" * 5000, "<script>", "%00"):
        record = engine.official(typed)
        assert record["match"] == "none" and record["name"] is None
    assert DYUMIN in [s["name"] for s in engine.official("Дюмен")["suggestions"]]


def test_page(client):
    response = client.get("/official/" + quote(DYUMIN))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"<h1>{DYUMIN}</h1>" in page
    assert '<li class="term acting">' in page and "2016-02-02 — 2016-09-22" in page
    assert page.count('<figure class="timeline">') == 1 and 'aria-label="2021: 1"' in page
    region_link = SearchRequest("", {"official": [DYUMIN], "region": ["Тульская область"]}).query_string()
    assert f'href="/?{region_link}"'.replace("&", "&amp;") in page
    assert f'href="/?{SearchRequest("", {"official": [DYUMIN]}).query_string()}"' in page
    # by a Latin spelling, the same page
    assert f"<h1>{DYUMIN}</h1>" in client.get("/official/Dyumin").get_data(as_text=True)


def test_page_for_several_and_for_none(client):
    several = client.get("/official/" + quote("Алексей"))
    assert several.status_code == 200
    assert several.get_data(as_text=True).count('class="official-link"') == 2
    for typed in ("Зюзюкин", "Дюмен", "%3Cscript%3E", "a/b"):
        response = client.get("/official/" + typed)
        assert response.status_code == 404
        assert "Traceback" not in response.get_data(as_text=True)
    assert f'href="/official/{quote(DYUMIN, safe="")}"' in client.get("/official/Дюмен").get_data(as_text=True)
    assert "<script>" not in client.get("/official/%3Cscript%3E").get_data(as_text=True)


def test_api_is_the_record(client, engine):
    response = client.get("/api/official/Dyumin")
    assert response.status_code == 200
    assert response.get_json() == engine.official("Dyumin")
    missing = client.get("/api/official/" + quote("Зюзюкин"))
    assert missing.status_code == 404 and missing.get_json()["status"] == 404 and missing.get_json()["match"] == "none"


def test_officials_link_to_their_page(client):
    link = f'href="/official/{quote(DYUMIN)}"'
    search = client.get("/?q=" + quote("медтехника")).get_data(as_text=True)
    assert SEED_001 in search
    assert search.count(link) >= 2  # in the facet list and on the hit
    assert link in client.get(f"/doc/{SEED_001}").get_data(as_text=True)


def test_cli(seed_index, capsys):
    from search.cli import main

    assert main(["--index", str(seed_index), "--official-info", "Dyumin"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{DYUMIN}: 1 document\n")
    assert "2016-02-02 – 2016-09-22  acting губернатор, Тульская область" in out
    assert "Regions: Тульская область (1, 1 inferred)" in out and "Documents a year: 2021: 1" in out
    assert main(["--index", str(seed_index), "--official-info", "Алексей Дюмин", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["terms"][1]["end"] == "2024-05-14"
    assert main(["--index", str(seed_index), "--official-info", "Алексей"]) == 0
    assert "may be any of 2" in capsys.readouterr().out
    assert main(["--index", str(seed_index), "--official-info", "Зюзюкин"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and "Зюзюкин" in captured.err


# -- inferred=0: the counts, the filter and the page agree ------------------------------------------
def test_seed_counts_without_inferred_regions(engine):
    def regions(**options):
        record = engine.search(SearchRequest(**options))
        return {r["value"]: r["count"] for d in record["facets"]["region"] for r in d["children"]}, \
            {d["value"]: d["count"] for d in record["facets"]["region"]}

    with_inferred, districts = regions()
    assert with_inferred["Тульская область"] == 1 and districts["Центральный федеральный округ"] == 1
    named, named_districts = regions(inferred=False)
    assert "Тульская область" not in named and "Центральный федеральный округ" not in named_districts
    assert {k: v for k, v in with_inferred.items() if k != "Тульская область"} == named


@pytest.fixture(scope="module")
def inferred_index(tmp_path_factory, build_index, lemmatizer):
    docs = tmp_path_factory.mktemp("inferred-docs")
    (docs / "news.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "tula_named", "date": "2020-02-01", "title": "Завод в Туле",
         "text": "Губернатор Дюмин открыл завод в Тульской области."},
        {"id": "tula_kaluga", "date": "2020-02-01", "title": "Завод в Калуге",
         "text": "Губернатор Дюмин открыл завод в Калужской области."},
        {"id": "tula_khabarovsk", "date": "2020-03-01", "title": "Завод в Хабаровске",
         "text": "Губернатор Дюмин посетил завод в Хабаровском крае."},
        {"id": "khabarovsk", "date": "2020-03-01", "title": "Порт",
         "text": "В Хабаровском крае открыли новый порт."},
    ]) + "\n", encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("inferred-index")
    build_index(index_dir, [docs])
    return SearchEngine(index_dir, lemmatizer=lemmatizer)


def test_counts_filter_and_page_agree(inferred_index):
    search = inferred_index

    def facets(inferred: bool, filters=None) -> tuple[dict, dict]:
        record = search.search(SearchRequest("", filters or {}, inferred=inferred))
        return ({r["value"]: r["count"] for d in record["facets"]["region"] for r in d["children"]},
                {d["value"]: d["count"] for d in record["facets"]["region"]})

    regions, districts = facets(True)
    assert regions == {"Тульская область": 3, "Калужская область": 1, "Хабаровский край": 2}
    assert districts == {"Центральный федеральный округ": 3, "Дальневосточный федеральный округ": 2}
    regions, districts = facets(False)
    assert regions == {"Тульская область": 1, "Калужская область": 1, "Хабаровский край": 2}
    # ЦФО of tula_khabarovsk came only with Tula; tula_kaluga names Калужская область, in it
    assert districts == {"Центральный федеральный округ": 2, "Дальневосточный федеральный округ": 2}
    for inferred in (True, False):
        regions, districts = facets(inferred)
        for name, counts in (("region", regions), ("district", districts)):
            for value, count in counts.items():
                total = search.search(SearchRequest("", {name: [value]}, inferred=inferred))["total"]
                assert total == count, (name, value, inferred)
    # a region selected: the others' counts (disjunctive) follow the same rule
    regions, _ = facets(False, {"region": ["Хабаровский край"]})
    assert regions["Тульская область"] == 1 and regions["Хабаровский край"] == 2
    # the page: Dyumin's documents, Tula among them three times, twice inferred
    record = search.official(DYUMIN)
    tula = next(r for r in record["regions"] if r["value"] == "Тульская область")
    assert (record["documents"], tula["count"], tula["inferred"]) == (3, 3, 2)
    assert tula["count"] - tula["inferred"] == search.search(
        SearchRequest("", {"official": [DYUMIN], "region": ["Тульская область"]}, inferred=False))["total"]
