"""The forms table: each lemma's forms as the indexer saw them, so a search
finds them without lemmatizing index words (or loading the Italian
lemmatizer) at query time."""
from __future__ import annotations

import shutil

from index.config import SEEDS_DIR
from index.store.forms import FORMS_FILE, FormsTable
from search.engine import SearchEngine, SearchRequest
from search.postings import FormFinder


def test_the_table_gives_the_forms_the_index_holds(engine, seed_index, lemmatizer):
    table = FormsTable.load(seed_index)
    assert table.complete
    gen = engine._view()
    assert gen.form_finder.table is not None
    assert {"импортозамещение", "импортозамещения"} <= set(gen.forms("импортозамещение"))
    assert {"esportazione", "esportazioni"} <= set(gen.forms("esportazione"))
    # every lemma has forms, each a word of the index
    lemmas = gen.postings.expand_prefix("body", "")
    assert len(lemmas) > 500
    without_table = FormFinder(gen.postings, lemmatizer, None)
    same = 0
    for lemma in lemmas:
        forms = gen.forms(lemma)
        assert forms and all(gen.postings.doc_frequency("exact", f) for f in forms), lemma
        same += forms == without_table.forms(lemma)
    # finding them at query time agrees on nearly every word (it misses
    # some: "siti" for "sito", a short word's forms beyond its prefix)
    assert same >= 0.98 * len(lemmas)
    assert "siti" in gen.forms("sito") and "siti" not in without_table.forms("sito")


def test_an_index_from_before_the_table_finds_forms_the_old_way(seed_index, tmp_path, build_index, lemmatizer):
    index_dir = tmp_path / "index"
    shutil.copytree(seed_index, index_dir)
    (index_dir / FORMS_FILE).unlink()
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "new.txt").write_text("Экспорт зерна\n\n3 марта 2024\n\nЭкспортёры зерна нарастили поставки.", encoding="utf-8")
    assert build_index(index_dir, [SEEDS_DIR, extra]).indexed == 1
    assert (index_dir / FORMS_FILE).exists() and not FormsTable.load(index_dir).complete
    engine = SearchEngine(index_dir, lemmatizer=lemmatizer)
    assert engine._view().form_finder.table is None
    explain = engine.search(SearchRequest("импортозамещение"))["explain"]
    assert "импортозамещения" in {f["form"] for e in explain for f in e["forms"]}
