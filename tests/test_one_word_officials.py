"""One-word officials (issue 29): a name of one word is an official only with
a role word, as a known person, or linked by the corpus to a full name; a
lone Italian surname links to the one full name the corpus gives it, and to
none when two full names share it. Every document here is written for the test."""
from __future__ import annotations

from index.entities.official_links import NOT_AN_OFFICIAL, load_links, load_vouched, relink_fields
from index.entities.persons import PersonRegistry, latin_surname, load_known_officials, official_links
from search.engine import SearchEngine, SearchRequest

from conftest import write_docs

DOCS = {
    # one word, no role, never completed: the NER model's "person", not an official
    "ru_lexus": "Покупку оплатил Лексус, сообщил источник. Цех откроют в мае.",
    # one word with a role word: an official
    "ru_minister": "Об этом рассказал министр Гришанков. Завод откроют в мае.",
    "ru_alone": "Как пояснил Гришанков, сделка закрыта. Цех работает.",
    # a known official's surname alone links to him
    "ru_known": "Об открытии цеха сообщил Дюмин. Завод выпускает станки.",
    "it_full": "Gian Carlo Muzzarelli, sindaco di Modena, ha inaugurato il cantiere della ciclabile.",
    "it_lone": "Il cantiere è aperto. Il sindaco Muzzarelli ha firmato l'ordinanza ieri.",
    # two full names share a surname: the lone one stays as it is
    "it_two_a": "Mario Bertolazzi, presidente della Provincia, ha visitato la fabbrica di piastrelle.",
    "it_two_b": "Luca Bertolazzi, presidente del consorzio, ha parlato agli operai della fabbrica.",
    "it_two_lone": "La fabbrica riapre. Lo ha confermato l'assessore Bertolazzi ieri.",
}


def _registry() -> PersonRegistry:
    return PersonRegistry(load_known_officials())


def test_a_one_word_name_nothing_vouches_for_is_no_official():
    registry = _registry()
    links = official_links({"Лексус", "Гришанков", "Дюмин"}, registry, vouched={"Гришанков"})
    assert links["Лексус"] == NOT_AN_OFFICIAL
    assert links["Гришанков"] == ""  # a role word vouches for it
    assert links["Дюмин"] == "Алексей Дюмин"  # the knowledge base's
    # without the vouched names (a cluster's build), as before
    assert official_links({"Лексус"}, registry) == {"Лексус": ""}
    stored = {"official": "Лексус,Алексей Дюмин", "roles": {"Лексус": ["источник"]},
              "entity_spans": [(16, 22, "official", "Лексус")]}
    relinked = relink_fields(stored, {"Лексус": NOT_AN_OFFICIAL})
    assert relinked["official"] == "Алексей Дюмин" and relinked["roles"] == {}
    assert relinked["entity_spans"] == [(16, 22, "person", "Лексус")]  # marked, not linked


def test_a_lone_latin_surname_links_to_the_one_full_name():
    registry = _registry()
    for name in ("Gian Carlo Muzzarelli", "Gian Carlo Muzzarelli", "Giancarlo Muzzarelli", "Mario Bertolazzi",
                 "Luca Bertolazzi", "Marta De Manincor"):
        registry.add(name)  # two spellings of one person; two persons once each
    links = official_links({"Muzzarelli", "Bertolazzi", "De Manincor", "Gian Carlo Muzzarelli"}, registry,
                           vouched={"Muzzarelli", "Bertolazzi", "De Manincor"})
    assert links == {"Muzzarelli": "Gian Carlo Muzzarelli", "Bertolazzi": "", "De Manincor": "Marta De Manincor",
                     "Gian Carlo Muzzarelli": ""}
    assert latin_surname("Diego Della Valle") == "Della Valle" and latin_surname("Della Valle") == "Valle"
    # a Latin name never takes a Russian one's place in the Cyrillic tables
    assert registry.by_surname("Muzzarelli") is None


def test_the_facet_on_an_index(tmp_path, build_index, lemmatizer):
    index_dir = tmp_path / "ix"
    build_index(index_dir, [write_docs(tmp_path / "docs", DOCS)])
    links = load_links(index_dir)
    assert links["Лексус"] == NOT_AN_OFFICIAL and "Гришанков" in load_vouched(index_dir)
    engine = SearchEngine(index_dir, lemmatizer=lemmatizer)
    officials = {v["value"]: v["count"] for v in engine.search(SearchRequest(""), facet_top=None)["facets"]["official"]}
    assert "Лексус" not in officials
    assert officials["Гришанков"] == 2  # vouched for once: a value wherever it stands
    assert officials["Gian Carlo Muzzarelli"] == 2 and "Muzzarelli" not in officials
    assert officials["Mario Bertolazzi"] == officials["Luca Bertolazzi"] == officials["Bertolazzi"] == 1
    assert engine.document("ru_lexus")["officials"] == []
    assert engine.document("it_lone")["officials"] == ["Gian Carlo Muzzarelli"]
    hits = engine.search(SearchRequest("", {"official": ["Gian Carlo Muzzarelli"]}))["hits"]
    assert {h["id"] for h in hits} == {"it_full", "it_lone"}
