"""Morphology-aware search on the seeds and on documents written for the test."""
from __future__ import annotations

import json

import pytest

from search.cli import main as cli_main
from search.engine import BadRequest, SearchEngine, SearchRequest
from search.highlight import MatchSpec, match_spans

from conftest import SEED_IDS, write_docs

D000, D001, D002, D003, D004 = SEED_IDS


def ids(engine, q, **kw):
    return {h["id"] for h in engine.search(SearchRequest(q, per_page=100, **kw))["hits"]}


def test_every_form_of_a_word_matches(engine):
    assert ids(engine, "импортозамещение") == {D001, D004}
    assert ids(engine, "импортозамещения") == {D001, D004}
    assert ids(engine, "esportazione", translate=False) == {D002}
    assert ids(engine, "esportazioni", translate=False) == {D002}
    assert ids(engine, "губернатор", translate=False) == {D000, D004}


def test_precision_a_different_lemma_does_not_match(engine):
    # 003 only has "экспортного" (экспортный), never the noun экспорт.
    assert "экспортного" in engine.document(D003)["body"]
    assert ids(engine, "экспорт", translate=False) == {D000, D001}
    assert D003 in ids(engine, "экспортный", translate=False)


def test_all_words_must_match(engine):
    assert ids(engine, "импортозамещение хартия") == {D004}
    assert ids(engine, "импортозамещение Дюмин") == {D001}


def test_or_not_minus_and_parentheses(engine):
    assert ids(engine, "хартия OR стажировка") == {D003, D004}
    assert ids(engine, "импортозамещение NOT хартия") == {D001}
    assert ids(engine, "импортозамещение -хартия") == {D001}
    assert ids(engine, "(хартия OR стажировка) промышленность") == {D003, D004}
    assert ids(engine, "NOT импортозамещение") == {D000, D002, D003}


def test_phrase_in_any_inflection(engine):
    # the text has "поддержки экспорта", the query the nominative
    assert "поддержки экспорта" in engine.document(D000)["body"]
    assert ids(engine, '"поддержка экспорта"', translate=False) == {D000}
    assert ids(engine, '"экспорта поддержка"', translate=False) == set()


def test_exact_form_and_prefix(engine):
    assert ids(engine, "!импортозамещению") == {D004}
    assert ids(engine, "!импортозамещение") == {D001, D004}
    assert ids(engine, "!экспортного") == {D003}
    assert ids(engine, "импортозамещ*") == {D001, D004}
    assert ids(engine, "esport*") == {D002}


def test_title_field(engine):
    assert ids(engine, "title:хартия") == {D004}
    assert ids(engine, "title:импортозамещение") == set()


def test_empty_query_browses_newest_first(engine):
    record = engine.search(SearchRequest(""))
    assert record["total"] == 5
    assert [h["id"] for h in record["hits"]][:3] == [D004, D001, D000]


def test_a_documents_raw_text_is_its_file_in_every_segment(tmp_path, build_index, lemmatizer):
    """The raw text has a column of its own, read from the document's
    segment: an index of one segment per document gives each its own file."""
    from index.config import SEEDS_DIR

    index_dir = tmp_path / "index"
    build_index(index_dir, [SEEDS_DIR], commit_every=1)
    engine = SearchEngine(index_dir, lemmatizer=lemmatizer)
    assert len(list(engine._view().searcher.reader().leaf_readers())) > 1
    for doc_id in SEED_IDS:
        assert engine.document(doc_id)["source_text"] == (SEEDS_DIR / f"{doc_id}.txt").read_text(encoding="utf-8")
    # the date order comes from a column too
    assert [h["id"] for h in engine.search(SearchRequest(""))["hits"]][:3] == [D004, D001, D000]


def test_an_index_of_the_earlier_schema_is_read_and_updated(tmp_path, build_index, lemmatizer, monkeypatch):
    """Indexes written before the raw text, the content hash and the date
    order had columns of their own (the raw text stored, the others
    indexed) keep their schema: they are searched, shown and re-run alike."""
    from whoosh.fields import ID, NUMERIC, STORED

    import index.build.indexer
    from index.config import SEEDS_DIR
    from index.store.schema import build_schema

    def earlier_schema():
        schema = build_schema()
        for name, field in (("date", ID(stored=True)), ("sortdate", NUMERIC(int, stored=True, sortable=True)),
                            ("content_hash", ID(sortable=True)), ("source_text", STORED())):
            schema.remove(name)
            schema.add(name, field)
        return schema

    index_dir = tmp_path / "index"
    with monkeypatch.context() as patch:
        patch.setattr(index.build.indexer, "build_schema", earlier_schema)
        build_index(index_dir, [SEEDS_DIR], commit_every=2)
    engine = SearchEngine(index_dir, lemmatizer=lemmatizer)
    assert engine._view().searcher.schema["source_text"].column_type is None
    for doc_id in SEED_IDS:
        assert engine.document(doc_id)["source_text"] == (SEEDS_DIR / f"{doc_id}.txt").read_text(encoding="utf-8")
    assert [h["id"] for h in engine.search(SearchRequest(""))["hits"]][:3] == [D004, D001, D000]
    assert build_index(index_dir, [SEEDS_DIR]).unchanged == len(SEED_IDS)


@pytest.mark.parametrize("q", ['"unclosed', "AND AND", "((", "-", "OR", ")", "NOT", "*", "!", "title:", "x" * 2000,
                               "<script>alert(1)</script>", "' OR 1=1 --", "\x00\x07", "🙂🙂", "((импортозамещение"])
def test_malformed_input_never_raises(engine, q):
    record = engine.search(SearchRequest(q))
    assert isinstance(record["total"], int)
    assert isinstance(record["ignored"], list)


def test_malformed_input_is_searched_as_words_and_reported(engine):
    record = engine.search(SearchRequest('"импортозамещение'))
    assert {h["id"] for h in record["hits"]} == {D001, D004}
    assert any("quote" in note for note in record["ignored"])
    record = engine.search(SearchRequest("((импортозамещение"))
    assert record["total"] == 2 and any("(" in note for note in record["ignored"])
    assert engine.search(SearchRequest("AND AND"))["ignored"]


def test_every_inflected_form_is_highlighted(engine):
    record = engine.search(SearchRequest("импортозамещение", per_page=10))
    marked = " ".join(s for h in record["hits"] for s in h["snippets"])
    for form in ("импортозамещения", "импортозамещение", "импортозамещению"):
        assert f"<mark>{form}</mark>" in marked
    hit = next(h for h in record["hits"] if h["id"] == D004)
    assert 1 <= len(hit["snippets"]) <= 3


def test_only_whole_words_of_a_chain_are_marked_in_any_case():
    spec = MatchSpec(surfaces={"промышленности", "западный", "емкость"}, prefixes=("экспорт",))  # as the index folds them
    text = ("ПРОМЫШЛЕННОСТИ и нефтепромышленности; Северо-Западный и западный-1; "
            "Ёмкость, емкости; экспортёры, реэкспорт, экспорт-импорт.")
    marked = [text[s:e] for s, e, _ in match_spans(text, spec)]
    assert marked == ["ПРОМЫШЛЕННОСТИ", "Ёмкость", "экспортёры", "экспорт-импорт"]
    # a character that lowercasing lengthens (İ) leaves every offset right
    text = "İstanbul: Промышленности"
    assert [text[s:e] for s, e, _ in match_spans(text, spec)] == ["Промышленности"]


def test_explanation_counts_forms_in_the_result_set(engine):
    explain = engine.search(SearchRequest("импортозамещение"))["explain"]
    assert explain[0]["lemma"] == "импортозамещение"
    forms = {f["form"]: f["count"] for f in explain[0]["forms"]}
    assert forms == {"импортозамещения": 4, "импортозамещение": 2, "импортозамещению": 1}
    # restricted to the result set: one document only
    narrowed = engine.search(SearchRequest("импортозамещение хартия"))["explain"][0]
    assert {f["form"]: f["count"] for f in narrowed["forms"]} == {"импортозамещения": 2, "импортозамещение": 1, "импортозамещению": 1}


def test_did_you_mean_typos_and_keyboard_layout(engine):
    for typo in ("импортозамешение", "bvgjhnjpfvtotybt"):
        record = engine.search(SearchRequest(typo))
        assert record["total"] == 0
        assert record["suggestion"] == "импортозамещение"
        assert engine.search(SearchRequest(record["suggestion"]))["total"] == 2
    fixed = engine.search(SearchRequest("губрнатор"))["suggestion"]
    assert fixed is not None and engine.search(SearchRequest(fixed))["total"] > 0
    assert engine.search(SearchRequest("импортозамещение"))["suggestion"] is None


def test_glossary_expansion_on_and_off(engine):
    with_glossary = engine.search(SearchRequest("экспорт", per_page=100))
    by_id = {h["id"]: h for h in with_glossary["hits"]}
    assert set(by_id) == {D000, D001, D002}
    assert by_id[D002]["matched_via"] == "glossary"
    assert by_id[D000]["matched_via"] == "lemma"
    assert any("<mark>esportazione</mark>" in s or "<mark>esportazioni</mark>" in s for s in by_id[D002]["snippets"])
    assert D002 not in ids(engine, "экспорт", translate=False)
    assert {D000, D001} <= ids(engine, "esportazione")


def test_ranking_title_above_body(tmp_path, ingestor, lemmatizer, build_index):
    docs = write_docs(tmp_path / "docs", {
        "body_only": "Новости дня\n\nВ регионе обсуждали многое. Среди прочего говорили про станкостроение и заводы области.",
        "in_title": "Станкостроение в регионе растёт\n\nВ регионе обсуждали многое. Среди прочего говорили про заводы области.",
    })
    build_index(tmp_path / "ix", [docs])
    hits = SearchEngine(tmp_path / "ix", lemmatizer=lemmatizer).search(SearchRequest("станкостроение"))["hits"]
    assert [h["id"] for h in hits] == ["in_title", "body_only"]


def test_names_are_not_mangled_into_common_words(tmp_path, ingestor, lemmatizer, build_index):
    docs = write_docs(tmp_path / "docs", {
        "mechel": "Компания Мечел отчиталась\n\nАкционеры Мечела одобрили сделку. Руководство Мечелом довольно.",
        "mosque": "В городе открылась мечеть\n\nНовая мечеть приняла первых прихожан.",
        "demeshin": "Совещание в крае\n\nДмитрий Демешин провёл совещание. По словам Демешина, заводы работают.",
    })
    build_index(tmp_path / "ix", [docs])
    search = SearchEngine(tmp_path / "ix", lemmatizer=lemmatizer)
    assert ids(search, "Мечел") == {"mechel"}
    assert ids(search, "мечела") == {"mechel"}
    assert ids(search, "мечеть") == {"mosque"}
    assert ids(search, "Демешин") == {"demeshin"}
    assert ids(search, "демешина") == {"demeshin"}


def test_facets_are_returned_for_the_whole_result_set(engine):
    record = engine.search(SearchRequest("", per_page=1))
    years = {v["value"]: v["count"] for v in record["facets"]["year"]}
    assert years == {"2019": 1, "2021": 1, "2024": 1, "unknown": 2}
    langs = {v["value"]: v["count"] for v in record["facets"]["lang"]}
    assert langs == {"ru": 4, "it": 1}
    assert len(record["hits"]) == 1


def test_filters_and_disjunctive_counts(engine):
    record = engine.search(SearchRequest("", filters={"year": ["2019", "2024"], "lang": ["ru"]}))
    assert {h["id"] for h in record["hits"]} == {D000, D004}
    years = {v["value"]: (v["count"], v["selected"]) for v in record["facets"]["year"]}
    # year counted without its own selection (but with lang=ru)
    assert years == {"2019": (1, True), "2021": (1, False), "2024": (1, True), "unknown": (1, False)}
    langs = {v["value"]: v["count"] for v in record["facets"]["lang"]}
    assert langs == {"ru": 2}  # lang counted with the year selection applied
    empty = engine.search(SearchRequest("", filters={"year": ["1999"]}))
    assert empty["total"] == 0
    assert {"value": "1999", "count": 0, "selected": True} .items() <= next(v for v in empty["facets"]["year"] if v["value"] == "1999").items()


def test_bad_parameters_are_rejected_with_a_message(engine):
    for request in (SearchRequest(per_page=0), SearchRequest(per_page=101), SearchRequest(page=0),
                    SearchRequest(sort="random"), SearchRequest(filters={"colour": ["red"]})):
        with pytest.raises(BadRequest):
            engine.search(request)


def test_cli_text_json_csv_and_exit_codes(seed_index, capsys):
    assert cli_main(["импортозамещение", "--index", str(seed_index), "--color", "always"]) == 0
    out = capsys.readouterr().out
    assert "2 results" in out and D001 in out and D004 in out
    assert "\x1b[1mимпортозамещения\x1b[0m" in out
    assert "импортозамещения (4)" in out

    assert cli_main(["экспорт", "--index", str(seed_index), "--format", "json", "--no-translate"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["total"] == 2 and {h["id"] for h in record["hits"]} == {D000, D001}
    assert set(record["hits"][0]) >= {"id", "title", "date", "year", "lang", "score", "snippets", "matched_via"}
    assert set(record["facets"]) == {"official", "region", "sector", "place", "year", "lang"}

    assert cli_main(["--index", str(seed_index), "--format", "csv", "--year", "unknown"]) == 0
    rows = capsys.readouterr().out.strip().splitlines()
    assert rows[0].startswith("id,title,date") and len(rows) == 3

    assert cli_main(["zzzzqqq", "--index", str(seed_index)]) == 0
    assert "0 results" in capsys.readouterr().out

    # a word to exclude is a query word, not an unknown option
    assert cli_main(["экспорт", "-импортозамещение", "--index", str(seed_index), "--format", "json", "--no-translate"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert {h["id"] for h in record["hits"]} == {D000}
    with pytest.raises(SystemExit) as exc:
        cli_main(["экспорт", "--colour", "red"])
    assert exc.value.code == 2

    assert cli_main(["x", "--index", str(seed_index / "missing")]) == 1
    assert "search-index" in capsys.readouterr().err

    with pytest.raises(SystemExit) as exc:
        cli_main(["--limit", "many"])
    assert exc.value.code == 2
    assert cli_main(["x", "--index", str(seed_index), "--limit", "1000"]) == 2


def test_glossary_terms_are_written_as_index_lemmas(engine):
    """The glossary's Italian side is read without lemmatizing; each word must
    already be the lemma the index holds (stop words aside)."""
    from search.glossary import Glossary

    stop = engine.parser.stop_words
    for _russian, italian in Glossary.entries():
        for lemma, surface in engine.parser.analyze(italian):
            assert lemma == surface or lemma in stop, (italian, surface, lemma)
