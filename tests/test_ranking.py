"""The ranking rules of ``search/ranking.py``, each on documents written for
it: an acronym in capitals found by its lower-case spelling, and its
reading ranked first where the documents support it; a near pair above a
far pair; the words in the lead above the words in passing."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from conftest import write_docs
from search.engine import SearchEngine
from search.ranking import CURRENT, RankingOptions, _nearest, load_options
from search.request import SearchRequest

FILLER = ("Собрание прошло в областном центре. Участники обсудили планы на будущий год. "
          "Вопросы задавали представители общественных организаций. ")

DOCS = {
    # the Assembly, in capitals, as the press writes it
    "pace_1": "date 2018-01-20 Делегация в Страсбурге\n\nРоссийская делегация не поедет на сессию ПАСЕ в январе. "
              "В ПАСЕ так и не изменили регламент. " + FILLER,
    "pace_2": "date 2018-02-11 Сессия в Страсбурге\n\nПредседатель Госдумы назвал решения ПАСЕ ошибкой. " + FILLER,
    # a football pass: the lemma of the lower-case word
    "pass_1": "date 2018-03-01 Матч в Казани\n\nГол забит после точного паса с фланга. В этом пасе была вся игра команды. "
              + FILLER,
    "pass_2": "date 2018-03-05 Обзор тура\n\nПас защитника нашёл нападающего, и тот пробил в угол. " + FILLER,
    # two words side by side, and the same words far apart (mentioned more, and newer)
    "near": "date 2018-04-01 Новости промышленности\n\n" + FILLER + "В области построят завод литиевых аккумуляторов. " + FILLER,
    "far": "date 2018-05-01 Новости промышленности\n\nЛитиевые месторождения разведаны давно. " + FILLER * 2
           + "Аккумулятор и ещё один аккумулятор показали на выставке.",
    # the subject in the first sentence, and the same word in passing at the end (newer)
    "lead": "date 2018-06-01 Итоги недели\n\nТитановый сплав начали выпускать в Томске. " + FILLER * 3,
    "passing": "date 2018-07-01 Итоги недели\n\n" + FILLER * 3 + "Упомянули и титановый сплав.",
}


@pytest.fixture(scope="module")
def written(tmp_path_factory, build_index, lemmatizer) -> SearchEngine:
    docs = write_docs(tmp_path_factory.mktemp("ranking-docs"), DOCS)
    index_dir = tmp_path_factory.mktemp("ranking-index")
    build_index(index_dir, [docs])
    return SearchEngine(index_dir, lemmatizer=lemmatizer)


def order(engine: SearchEngine, q: str, options: RankingOptions) -> list[str]:
    saved, engine.ranking = engine.ranking, options
    try:
        record = engine.search(SearchRequest(q, per_page=50, entities=False, translate=False, collapse=False))
    finally:
        engine.ranking = saved
    return [hit["id"] for hit in record["hits"]]


def test_an_acronym_in_capitals_is_found_by_its_lower_case_spelling(written):
    assert set(order(written, "пасе", CURRENT)) == {"pass_1", "pass_2"}  # before: the football pass only
    found = order(written, "пасе", replace(CURRENT, acronyms=True))
    # the form typed stands for the Assembly in two documents and a pass in one: the Assembly first
    assert set(found[:2]) == {"pace_1", "pace_2"}
    assert set(found[2:]) == {"pass_1", "pass_2"}


def test_a_word_typed_in_capitals_keeps_its_one_reading(written):
    assert set(order(written, "ПАСЕ", replace(CURRENT, acronyms=True))) == {"pace_1", "pace_2"}


def test_the_reading_the_documents_support_ranks_first(written):
    # "паса" is only ever the pass in these documents: it stays first
    found = order(written, "паса", replace(CURRENT, acronyms=True))
    assert set(found[:2]) == {"pass_1", "pass_2"}


def test_a_near_pair_beats_a_far_pair(written):
    assert order(written, "литиевый аккумулятор", CURRENT) == ["far", "near"]  # more mentions, newer
    assert order(written, "литиевый аккумулятор", replace(CURRENT, proximity=0.5)) == ["near", "far"]


def test_the_distance_is_the_nearest_occurrence(written):
    view = written._view()
    within = view.live.copy()
    gaps = _nearest(view, "body", "литиевый", "аккумулятор", within)
    near, far = view.docnum_of("near"), view.docnum_of("far")
    assert gaps[near] == 1
    assert gaps[far] > 20


def test_the_words_in_the_lead_beat_the_words_in_passing(written):
    assert order(written, "титановый сплав", CURRENT) == ["passing", "lead"]  # a tie: newer first
    assert order(written, "титановый сплав", replace(CURRENT, lead=0.5)) == ["lead", "passing"]


def test_the_rules_change_the_order_not_what_is_found(written):
    options = RankingOptions(proximity=0.5, lead=0.5)
    for q in ("литиевый аккумулятор", "титановый сплав", "собрание"):
        assert sorted(order(written, q, options)) == sorted(order(written, q, CURRENT))


def test_the_data_file_names_only_known_options(tmp_path):
    path = tmp_path / "ranking.tsv"
    path.write_text("# comment\nproximity\t0.25\nacronyms\ttrue\n", encoding="utf-8")
    assert load_options(path) == RankingOptions(proximity=0.25, acronyms=True)
    assert np.isclose(load_options(path).proximity, 0.25)
