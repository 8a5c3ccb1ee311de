"""Entities in the search box (issue 28): a name or a place typed in any
script, language or form finds its documents. Each row of the issue's
table on the seeds, then on documents written for the test; the
expansions' labels, switches and ranking; facet values however typed;
suggestions; and properties: an expansion never loses a document the
words alone find, and the other script's spellings come back."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.analysis.names import SCHEMES
from index.entities.persons import load_known_officials
from search.cli import main as cli_main
from search.engine import SearchEngine, SearchRequest
from search.spelling import SpellingIndex
from search.transliteration import Transliterator, WordSet
from web import create_app

from conftest import SEED_IDS, write_docs

D000, D001, D002, D003, D004 = SEED_IDS


def hits(engine, q, **kw) -> dict[str, str]:
    """id -> how it matched."""
    return {h["id"]: h["matched_via"] for h in engine.search(SearchRequest(q, per_page=100, **kw))["hits"]}


def ids(engine, q, **kw) -> set[str]:
    return set(hits(engine, q, **kw))


# -- the table, on the seeds ----------------------------------------------------------
def test_a_surname_in_any_case_and_with_or_without_yo_finds_the_official_in_every_language(engine):
    # only the Italian seed names him, as "Mikhail Degtyarev"; its officials facet says Михаил Дегтярёв
    for typed in ("Дегтярёв", "Дегтярев", "Дегтярева", "дегтярёву", "Degtyarev", "Degtiarev"):
        assert ids(engine, typed) == {D002}, typed
    record = engine.search(SearchRequest("Дегтярева"))
    assert record["entities"][0]["entity"] == {"facet": "official", "value": "Михаил Дегтярёв", "documents": 1}
    # the text says "Degtyarev": that is the other script, not the entity alone
    assert record["hits"][0]["matched_via"] == "transliteration"
    assert hits(engine, "Дегтярёв", transliterate=False) == {D002: "entity: Михаил Дегтярёв"}
    assert ids(engine, "Дегтярёв", transliterate=False, entities=False) == set()


def test_a_city_in_either_script_finds_every_document_about_its_region(engine):
    # 004 writes Хабаровского края, 002 Territorio di Khabarovsk: both are Хабаровский край
    assert ids(engine, "Хабаровск") == ids(engine, "Khabarovsk") == {D002, D004}
    assert ids(engine, "Хабаровск", entities=False, transliterate=False) == {D004}
    assert ids(engine, "Khabarovsk", entities=False, transliterate=False) == {D002}
    assert hits(engine, "Khabarovsk", transliterate=False)[D004] == "entity: Хабаровский край"


def test_an_alias_finds_the_region(engine):
    # 003: Грозный, Чеченской Республике; regions.tsv has Чечня as an alias
    assert hits(engine, "Чечня") == {D003: "entity: Чеченская Республика"}
    assert hits(engine, "Чечни") == {D003: "entity: Чеченская Республика"}
    assert ids(engine, "Чечня", entities=False) == set()
    assert engine.search(SearchRequest("Чечня"))["suggestion"] is None


def test_field_values_resolve_as_the_facet_value_search_does(engine):
    for q in ("official:Дегтярёв", "official:дегтярева", "official:Degtyarev", 'official:"михаил дегтярев"', "official:дегт"):
        record = engine.search(SearchRequest(q))
        assert {h["id"] for h in record["hits"]} == {D002}, q
        assert record["ignored"] == [], q
    for q in ("region:Хабаровский", "region:хабаровского", "region:Khabarovsk", "region:Хабаровск", "region:хабар"):
        assert ids(engine, q) == {D002, D004}, q
    assert ids(engine, "region:Чечня") == {D003}
    assert ids(engine, "district:ДФО") == {D002, D004}
    record = engine.search(SearchRequest("official:Шойгу"))
    assert record["total"] == 0 and record["ignored"] == ["no official called 'Шойгу'"]


def test_filters_accept_any_spelling_and_report_the_facets_own_value(engine):
    record = engine.search(SearchRequest("", filters={"region": ["Чечня"]}))
    assert {h["id"] for h in record["hits"]} == {D003}
    assert record["filters"] == {"region": ["Чеченская Республика"]}
    selected = [r for d in record["facets"]["region"] for r in d["children"] if r["selected"]]
    assert [r["value"] for r in selected] == ["Чеченская Республика"]
    assert ids(engine, "", filters={"official": ["degtyarev"]}) == {D002}


def test_cli_filter_takes_an_alias(seed_index, capsys):
    assert cli_main(["", "--region", "Чечня", "--index", str(seed_index), "--format", "json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert [h["id"] for h in record["hits"]] == [D003]


def test_words_apart_match_them_hyphenated(engine):
    # the seeds write "Северо-Кавказского" (003), one word to the index
    assert ids(engine, "Северо-Кавказский") == ids(engine, "Северо Кавказский") == {D003}


def test_no_correction_to_a_stop_word_or_of_a_known_place(engine):
    for q in ("Тула", "Tula", "тула"):
        record = engine.search(SearchRequest(q))
        # no seed writes the word; seed 001 is about Тульская область only
        # through its governor (a region inferred from him), and is found so
        assert [(h["id"], h["matched_via"]) for h in record["hits"]] == [(D001, "entity: Тульская область")], q
        assert record["suggestion"] is None, q
        assert record["entities"][0]["entity"]["value"] == "Тульская область"


def test_a_known_official_no_document_names_is_still_a_name(engine):
    for q in ("Mishustin", "Мишустина"):
        record = engine.search(SearchRequest(q))
        assert record["total"] == 0 and record["suggestion"] is None, q
        assert record["entities"][0]["entity"] == {"facet": "official", "value": "Михаил Мишустин", "documents": 0}
    # as a facet value it is none of the facet's
    assert engine.search(SearchRequest("official:Мишустин"))["ignored"] == ["no official called 'Мишустин'"]


def test_search_cli_exits_quietly_when_its_reader_goes_away(seed_index):
    for fmt in ("json", "text", "csv"):
        proc = subprocess.run(
            f"{sys.executable} -m search.cli '' --index {seed_index} --format {fmt} --limit 100 | head -c 1",
            shell=True, capture_output=True, text=True, timeout=120)
        assert proc.stdout and "Traceback" not in proc.stderr and "Error" not in proc.stderr, proc.stderr
    # and its own status is 0
    proc = subprocess.Popen([sys.executable, "-m", "search.cli", "", "--index", str(seed_index), "--format", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(1)
    proc.stdout.close()
    assert proc.wait(timeout=120) == 0
    assert b"Traceback" not in proc.stderr.read()


# -- documents written for the test ------------------------------------------------------------
DOCS = {
    "putin_ru": "Совещание о промышленности\n\nПрезидент Владимир Путин провёл совещание о поддержке промышленности. "
                "Путин поручил правительству расширить льготные займы.",
    "putin_it": "Il Cremlino e l'industria\n\nIl presidente russo Vladimir Putin ha incontrato gli industriali a Mosca.",
    "bonaccini": "La regione e le imprese\n\nIl presidente Stefano Bonaccini ha presentato il piano per le imprese "
                 "della Regione Emilia Romagna.",
    "emilia_dash": "Export\n\nLe imprese dell'Emilia - Romagna esportano macchine in Russia.",
    "emilia_joined": "Fiera\n\nLa fiera di Bologna in Emilia-Romagna apre domani.",
    "english": "Steel\n\nThe metallurgical plant opened a new line, the company said.",
    "hmao_apart": "Нефть\n\nВ Ханты Мансийском автономном округе открыли новый завод.",
    "kbr_apart": "Туризм\n\nВ Кабардино Балкарии открыли курорт.",
    "petrov_a": "Совещание\n\nГубернатор Иван Петров провёл совещание с промышленниками региона.",
    "petrov_b": "Открытие завода\n\nМинистр промышленности Сергей Петров открыл новый завод.",
    "chechnya_text": "Чечня\n\nЧечня наращивает выпуск стройматериалов, сообщили в правительстве республики.",
}


@pytest.fixture(scope="module")
def written(tmp_path_factory, build_index, lemmatizer) -> SearchEngine:
    """The seeds and the documents above, in one index."""
    from index.config import SEEDS_DIR

    docs = write_docs(tmp_path_factory.mktemp("entity-docs"), DOCS)
    index_dir = tmp_path_factory.mktemp("entity-index")
    build_index(index_dir, [SEEDS_DIR, docs])
    return SearchEngine(index_dir, lemmatizer=lemmatizer)


def test_putin_in_either_script_finds_the_same_documents(written):
    assert ids(written, "Putin") == ids(written, "Путин") == ids(written, "Путина") == {"putin_ru", "putin_it"}
    assert hits(written, "Putin", entities=False)["putin_ru"] == "transliteration"
    assert ids(written, "Putin", entities=False, transliterate=False) == {"putin_it"}


def test_an_italian_name_in_cyrillic_finds_it(written):
    assert ids(written, "Бонаккини") == ids(written, "Bonaccini") == {"bonaccini"}
    record = written.search(SearchRequest("Бонаккини"))
    assert record["hits"][0]["matched_via"] == "transliteration"
    assert "Bonaccini</mark>" in record["hits"][0]["snippets"][0]
    assert {"word": "Бонаккини", "lemma": "bonaccini", "glossary": False, "transliteration": True,
            "forms": [{"form": "bonaccini", "count": 1}]} in record["explain"]
    assert ids(written, "Бонаккини", transliterate=False, entities=False) == set()


def test_a_hyphenated_compound_matches_it_written_apart_or_joined(written):
    emilia = {"bonaccini", "emilia_dash", "emilia_joined"}
    assert ids(written, "Emilia-Romagna") == emilia
    assert ids(written, "Emilia Romagna") == emilia  # the words apart, or the one hyphenated word
    assert "emiliaromagna" != written.search(SearchRequest("Emilia-Romagna"))["suggestion"]
    assert ids(written, "Ханты-Мансийский") == ids(written, "Ханты Мансийский") == {"hmao_apart"}
    assert ids(written, "Кабардино-Балкария") == {"kbr_apart"}


def test_a_word_of_another_language_is_not_offered(written):
    record = written.search(SearchRequest("metallurgico"))
    assert record["total"] == 0 and record["suggestion"] is None  # not "metallurgical"
    assert written.search(SearchRequest("metallurgicall"))["suggestion"] is None
    # a typo still gets its correction
    assert written.search(SearchRequest("промышленость"))["suggestion"] == "промышленности"


def test_a_surname_two_officials_share_expands_to_neither_and_says_so(written):
    record = written.search(SearchRequest("Петров", per_page=100))
    assert {h["id"] for h in record["hits"]} == {"petrov_a", "petrov_b"}  # the word itself
    assert all(h["matched_via"] == "lemma" for h in record["hits"])
    (named,) = record["entities"]
    assert named["entity"] is None
    assert {c["value"] for c in named["candidates"]} == {"Иван Петров", "Сергей Петров"}
    # a first name says which
    assert written.search(SearchRequest("Иван Петров"))["entities"][0]["entity"]["value"] == "Иван Петров"
    # as a facet value it is a question back
    record = written.search(SearchRequest("official:Петров"))
    assert record["total"] == 0
    assert "Иван Петров (1)" in record["ignored"][0] and "Сергей Петров (1)" in record["ignored"][0]


def test_text_matches_rank_above_entity_only_matches(written):
    record = written.search(SearchRequest("Чечня", per_page=100))
    assert [h["id"] for h in record["hits"]] == ["chechnya_text", D003]
    assert [h["matched_via"] for h in record["hits"]] == ["lemma", "entity: Чеченская Республика"]
    assert record["hits"][0]["score"] > record["hits"][1]["score"]


def test_an_entity_hit_marks_where_the_document_names_it(written):
    hit = written.search(SearchRequest("Чечня", per_page=100))["hits"][1]
    assert "<mark>Чеченской Республике</mark>" in " ".join(hit["snippets"])


def test_the_cli_says_what_the_words_name(written, capsys):
    assert cli_main(["Петров", "--index", str(written.index_dir), "--color", "never"]) == 0
    out = capsys.readouterr().out
    assert "Names: Петров: may be any of" in out and "Иван Петров (1)" in out
    assert cli_main(["Чечня", "--index", str(written.index_dir), "--color", "never"]) == 0
    out = capsys.readouterr().out
    assert "Names: Чечня -> region Чеченская Республика (2 documents)" in out
    assert "[via entity: Чеченская Республика]" in out
    assert cli_main(["Чечня", "--no-entities", "--index", str(written.index_dir), "--format", "json"]) == 0
    assert [h["id"] for h in json.loads(capsys.readouterr().out)["hits"]] == ["chechnya_text"]


# -- the web -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client(engine):
    return create_app({"ENGINE": engine, "TESTING": True}).test_client()


def test_suggestions_offer_entities_first(client):
    suggestions = client.get("/api/suggest?q=Дегт").get_json()["suggestions"]
    assert suggestions[0] == {"value": "Михаил Дегтярёв", "kind": "official", "count": 1,
                              "label": "Михаил Дегтярёв — official, 1 document"}
    # a case form, another script, an alias
    assert client.get("/api/suggest?q=Дегтярева").get_json()["suggestions"][0]["value"] == "Михаил Дегтярёв"
    assert client.get("/api/suggest?q=degtyarev").get_json()["suggestions"][0]["value"] == "Михаил Дегтярёв"
    assert client.get("/api/suggest?q=Чечн").get_json()["suggestions"][0]["value"] == "Чеченская Республика"
    assert client.get("/api/facets/region?prefix=чечн").get_json()["values"][0]["value"] == "Чеченская Республика"


def test_the_search_page_offers_the_entitys_filter(client):
    page = client.get("/?q=Дегтярёв").get_data(as_text=True)
    assert 'class="entity-offer"' in page and "?official=%D0%9C%D0%B8%D1%85%D0%B0%D0%B8%D0%BB" in page
    assert 'class="names"' in page
    assert 'class="entity-offer"' not in client.get("/?q=Дегтярёв экспорт").get_data(as_text=True)
    page = client.get("/?q=Чечня").get_data(as_text=True)
    assert "?region=%D0%A7%D0%B5%D1%87%D0%B5%D0%BD%D1%81%D0%BA%D0%B0%D1%8F" in page


def test_the_web_switches_and_filters(client):
    assert client.get("/api/search?q=Чечня&entities=0").get_json()["total"] == 0
    assert client.get("/api/search?q=Дегтярёв&entities=0&transliterate=0").get_json()["total"] == 0
    data = client.get("/api/search?region=Чечня").get_json()
    assert data["filters"] == {"region": ["Чеченская Республика"]} and data["total"] == 1
    page = client.get("/?region=Чечня").get_data(as_text=True)
    assert 'class="chip"' in page and "Чеченская Республика" in page
    # the search box keeps a switch that is off
    assert 'name="entities" value="0"' in client.get("/?q=Чечня&entities=0").get_data(as_text=True)


# -- properties ------------------------------------------------------------------------------------
WORDS = ["Дегтярёв", "Дегтярева", "Degtyarev", "Хабаровск", "Khabarovsk", "Чечня", "Putin", "Путин", "Бонаккини",
         "Bonaccini", "Emilia-Romagna", "Ханты", "Мансийский", "Петров", "Иван", "Михаил", "экспорт", "esportazione",
         "импортозамещение", "губернатор", "промышленность", "Тула", "Tula", "хартия", "края", "Territorio"]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(words=st.lists(st.sampled_from(WORDS + ["OR", "-экспорт", "NOT", '"Михаил Дегтярёв"']), min_size=1, max_size=5),
       translate=st.booleans())
def test_expansion_never_loses_a_document_the_words_alone_find(written, words, translate):
    q = " ".join(words)
    plain = ids(written, q, translate=translate, transliterate=False, entities=False)
    assert plain <= ids(written, q, translate=translate)
    assert plain <= ids(written, q, translate=translate, entities=False)
    assert plain <= ids(written, q, translate=translate, transliterate=False)


KNOWN_SURNAMES = sorted({k.name.split()[-1] for k in load_known_officials()})


@pytest.mark.parametrize("surname", KNOWN_SURNAMES)
def test_every_scheme_spelling_of_a_known_surname_comes_back_to_it(surname):
    folded = surname.lower().replace("ё", "е")
    transliterator = Transliterator()
    for scheme in SCHEMES:
        latin = scheme.translate(surname).lower()
        if latin.isalpha() and latin.isascii():
            assert folded in transliterator.spellings(latin, WordSet([folded])), (surname, scheme.name, latin)
            assert latin in transliterator.spellings(folded, WordSet([latin])), (surname, scheme.name, latin)


@settings(max_examples=200, deadline=None)
@given(vocabulary=st.lists(st.text("абвгдежзиклмнопрabcdeilmnorstu", min_size=1, max_size=9), min_size=1, max_size=60,
                           unique=True),
       word=st.text("абвгдежзиклмнопрabcdeilmnorstu", min_size=1, max_size=9))
def test_the_spelling_filter_keeps_every_form_within_two_edits(vocabulary, word):
    from rapidfuzz.distance import Levenshtein

    expected = {w for w in vocabulary if Levenshtein.distance(word, w) <= 2}
    assert {w for w, _ in SpellingIndex(sorted(vocabulary)).near(word)} == expected
