"""A query word read as the index read the form typed (``search/readings.py``),
on documents written for it: the surname "Балабанов", which a text has
capitalized (lemma ``балабанов``) and a search box gets in lower case (alone,
the plural of ``балабан``)."""
from __future__ import annotations

import marisa_trie
import pytest

from conftest import write_docs
from index.store.forms import FormsTable, load_forms
from search.compile import Expansions
from search.engine import SearchEngine
from search.postings import FormFinder
from search.ranking import CURRENT
from search.request import SearchRequest

FILLER = "Совещание прошло в администрации района. Участники обсудили планы на будущий год. "

DOCS = {
    "said": "date 2021-03-01 Дороги района\n\nГлава района Андрей Балабанов заявил о ремонте дорог. " + FILLER,
    "met": "date 2021-03-02 Встреча в районе\n\nЖители встретились с Андреем Балабановым. " + FILLER,
    "asked": "date 2021-03-03 Письмо Балабанову\n\nВопросы жителей передали главе района и его заместителям. " + FILLER,
    "other": "date 2021-03-04 Новости района\n\nВ районе открыли новую школу. " + FILLER,
    # a form the index reads one way capitalized (a surname), another way not
    "queen": "date 2021-03-05 Визит\n\nКоролева приехала на открытие. Гостей встречала королева бала.",
}


@pytest.fixture(scope="module")
def written(tmp_path_factory, build_index, lemmatizer):
    docs = write_docs(tmp_path_factory.mktemp("readings-docs"), DOCS)
    index_dir = tmp_path_factory.mktemp("readings-index")
    build_index(index_dir, [docs])
    return index_dir, SearchEngine(index_dir, lemmatizer=lemmatizer)


def search(engine: SearchEngine, q: str, **options) -> dict:
    return engine.search(SearchRequest(q, per_page=50, collapse=False, entities=False, **options))


def ids(record: dict) -> set[str]:
    return {hit["id"] for hit in record["hits"]}


def test_the_two_sides_read_the_surname_differently(written, lemmatizer):
    """The case the fix is for: what the index holds and what the query
    side makes of the same form alone."""
    _index_dir, engine = written
    assert lemmatizer.lemma("балабанов", True) == "балабанов"
    assert lemmatizer.lemma("балабанов", False) == "балабан"
    assert engine.parse("балабанов").root.lemma == "балабан"
    assert engine._view().lemmas_of("балабанов") == ["балабанов"]


def test_the_lower_case_surname_finds_the_documents_and_their_forms(written):
    _index_dir, engine = written
    record = search(engine, "балабанов")
    assert ids(record) == {"said", "met", "asked"}
    (explained,) = record["explain"]
    assert explained["lemma"] == "балабанов"
    # "балабанову": the title, and the body that opens with it
    assert {f["form"]: f["count"] for f in explained["forms"]} == {"балабанов": 1, "балабановым": 1, "балабанову": 2}
    assert record["suggestion"] is None
    marked = {hit["id"]: hit["title_html"] + " ".join(hit["snippets"]) for hit in record["hits"]}
    assert "<mark>Балабанов</mark>" in marked["said"]
    assert "<mark>Балабановым</mark>" in marked["met"]


def test_without_the_capitalized_reading_the_index_reading_still_counts(written):
    """The acronym rule (a lower-case word also in its capitalized reading)
    switched off: the form typed is still read as the index read it."""
    _index_dir, engine = written
    saved, engine.ranking = engine.ranking, CURRENT
    try:
        assert not CURRENT.acronyms
        assert ids(search(engine, "балабанов")) == {"said", "met", "asked"}
    finally:
        engine.ranking = saved


def test_the_query_language_keeps_its_meaning(written):
    _index_dir, engine = written
    # a phrase, in any inflection of the index's reading
    assert ids(search(engine, '"балабанов заявил"')) == {"said"}
    assert ids(search(engine, '"андреем балабановым"')) == {"said", "met"}  # "Андрей Балабанов" too
    # AND, OR, NOT
    assert ids(search(engine, "балабанов дорог")) == {"said"}
    assert ids(search(engine, "балабанов OR школу")) == {"said", "met", "asked", "other"}
    assert ids(search(engine, "района -балабанов")) == {"other"}
    # an exact form is that form only; a prefix the forms it starts
    assert ids(search(engine, "!балабанову")) == {"asked"}
    assert ids(search(engine, "балабанов*")) == {"said", "met", "asked"}
    # a title word
    assert ids(search(engine, "title:балабанов")) == {"asked"}


def test_a_capitalized_word_keeps_its_own_reading(written):
    _index_dir, engine = written
    record = search(engine, "Балабанов")
    assert ids(record) == {"said", "met", "asked"}
    assert [e["lemma"] for e in record["explain"]] == ["балабанов"]


def lemmas_both_ways(index_dir, view, lemmatizer) -> tuple[int, int, int]:
    """Asserts that the forms table's reversed pairs and, for a table written
    before it kept them, the lemmatizer's two readings of a form give every
    form of the index the same lemmas; (forms, forms with lemmas, forms
    with several)."""
    table = FormsTable.load(index_dir)
    assert table.reversed
    forward = [key for key in load_forms(index_dir).keys() if not key.startswith(("\x1e", "\x1f"))]
    older = FormsTable(marisa_trie.Trie([*forward, "\x1fcomplete"]))
    assert older.complete and not older.reversed
    by_lemmatizer = FormFinder(view.postings, lemmatizer, older)
    forms = view.postings.expand_prefix("exact", "")
    read, several = 0, 0
    for form in forms:
        filed = sorted(table.lemmas(form))
        assert filed == sorted(by_lemmatizer.lemmas(form)), form
        read += bool(filed)  # a stop word's forms have no lemma indexed
        several += len(filed) > 1
    return len(forms), read, several


def test_the_table_and_the_lemmatizer_give_each_form_the_same_lemmas(written, lemmatizer):
    index_dir, engine = written
    view = engine._view()
    assert lemmas_both_ways(index_dir, view, lemmatizer)[2] == 1
    assert sorted(view.lemmas_of("королева")) == ["королев", "королева"]
    assert view.lemmas_of("балабанов") == ["балабанов"]


def test_so_do_they_on_the_seeds(seed_index, engine, lemmatizer):
    forms, read, _several = lemmas_both_ways(seed_index, engine._view(), lemmatizer)
    assert forms > 500 and read > 0.8 * forms


def test_a_query_of_common_words_has_one_reading_a_word(written):
    _index_dir, engine = written
    view = engine._view()
    for q in ("района", "школу", "планы обсудили", '"новую школу"'):
        plan = engine.plan(engine.parse(q), view, Expansions())
        assert plan.readings or plan.phrase_readings, q
        assert all(len(lemmas) == 1 for lemmas in plan.readings.values()), q
        assert all(len(sequences) == 1 for sequences in plan.phrase_readings.values()), q
