"""Entity facets: extraction on the seeds (from a reading of each document),
linking across cases, spellings and languages, and faceting at query time."""
from __future__ import annotations

import json

from index.entities.persons import PersonRegistry, name_words, official_links
from index.entities.official_links import load_links
from index.build.indexer import IndexBuilder
from index.records import Document
from search.cli import main as cli_main
from search.engine import SearchEngine, SearchRequest

from conftest import SEED_IDS, write_docs

D000, D001, D002, D003, D004 = SEED_IDS

EXPECTED = {
    D000: dict(officials=["Александр Дрозденко"], regions=["Ленинградская область"],
               sectors={"Медицинская промышленность", "Логистика и транспорт"}),
    D001: dict(officials=["Алексей Дюмин", "Игорь Левитин", "Денис Мантуров"], regions=["Тульская область"],
               sectors={"Медицинская промышленность", "Электроника и электротехника", "Оборонная промышленность"}),
    D002: dict(officials=["Михаил Дегтярёв"], regions=["Хабаровский край"],
               sectors={"Лесная промышленность", "Логистика и транспорт"}),
    D003: dict(officials=["Алексей Беспрозванных"],
               regions=["Чеченская Республика", "Донецкая Народная Республика", "Луганская Народная Республика",
                        "Запорожская область", "Херсонская область"],
               sectors={"Авиастроение", "Судостроение", "Автомобилестроение", "Электроника и электротехника",
                        "Лёгкая промышленность", "Лесная промышленность", "Химическая промышленность", "Фармацевтика", "Туризм"}),
    D004: dict(officials=["Дмитрий Демешин"], regions=["Хабаровский край"], sectors={"ИТ и цифровизация"}),
}


def test_seed_entities_are_exactly_right(engine):
    for doc_id, expected in EXPECTED.items():
        doc = engine.document(doc_id)
        assert doc["officials"] == expected["officials"], doc_id
        assert doc["regions"] == expected["regions"], doc_id
        assert set(doc["sectors"]) == expected["sectors"], doc_id


def test_authors_and_misread_ministries_are_not_officials(engine):
    italian = engine.document(D002)
    assert italian["author"] == "Karina Kamalova" and "Karina Kamalova" not in italian["officials"]
    assert not any("Минпромторг" in name for name in engine.document(D001)["officials"])


def test_roles_are_kept_with_the_mention(engine):
    assert engine.document(D000)["roles"]["Александр Дрозденко"] == ["губернатора Ленинградской области"]
    assert engine.document(D003)["roles"]["Алексей Беспрозванных"][0].startswith("заместитель Министра промышленности и торговли")
    assert "governatore ad interim" in engine.document(D002)["roles"]["Михаил Дегтярёв"][0]
    assert "губернатора" in engine.document(D004)["roles"]["Дмитрий Демешин"][0]


def test_districts_are_the_parent_level(engine):
    assert engine.document(D003)["districts"] == ["Северо-Кавказский федеральный округ", "Южный федеральный округ"]
    assert engine.document(D004)["districts"] == ["Дальневосточный федеральный округ"]
    # inferred from Алексей Дюмин, governor of Tula at the document's date (issue 30)
    assert engine.document(D001)["districts"] == ["Центральный федеральный округ"]


def test_facet_counts_on_the_seeds(engine):
    facets = engine.search(SearchRequest(""))["facets"]
    tree = {d["value"]: (d["count"], {c["value"]: c["count"] for c in d["children"]}) for d in facets["region"]}
    assert tree["Дальневосточный федеральный округ"] == (2, {"Хабаровский край": 2})
    assert tree["Северо-Кавказский федеральный округ"] == (1, {"Чеченская Республика": 1})
    assert tree["Южный федеральный округ"][1] == {r: 1 for r in EXPECTED[D003]["regions"][1:]}
    assert tree["Северо-Западный федеральный округ"] == (1, {"Ленинградская область": 1})
    years = {v["value"]: v["count"] for v in facets["year"]}
    assert years == {"2019": 1, "2021": 1, "2024": 1, "unknown": 2}
    officials = {v["value"]: v["count"] for v in facets["official"]}
    assert officials["Михаил Дегтярёв"] == 1 and len(officials) == 7


def test_disjunctive_counts_within_a_facet_and_and_across(engine):
    record = engine.search(SearchRequest("", filters={"region": ["Хабаровский край"]}))
    assert {h["id"] for h in record["hits"]} == {D002, D004}
    regions = {c["value"]: (c["count"], c["selected"]) for d in record["facets"]["region"] for c in d["children"]}
    # the region facet ignores its own selection: adding Ленинградская область would add one
    assert regions["Ленинградская область"] == (1, False)
    assert regions["Хабаровский край"] == (2, True)
    # other facets are counted within the selection
    assert {v["value"]: v["count"] for v in record["facets"]["lang"]} == {"ru": 1, "it": 1}
    both = engine.search(SearchRequest("", filters={"region": ["Хабаровский край", "Ленинградская область"]}))
    assert both["total"] == 3
    narrowed = engine.search(SearchRequest("", filters={"region": ["Хабаровский край"], "lang": ["it"]}))
    assert [h["id"] for h in narrowed["hits"]] == [D002]
    district = engine.search(SearchRequest("", filters={"district": ["Южный федеральный округ"]}))
    assert [h["id"] for h in district["hits"]] == [D003]


def test_hits_carry_their_entities(engine):
    hit = engine.search(SearchRequest("хартия"))["hits"][0]
    assert hit["officials"] == ["Дмитрий Демешин"] and hit["regions"] == ["Хабаровский край"]
    assert hit["sectors"] == ["ИТ и цифровизация"]


def test_facet_value_search_is_case_yo_and_script_insensitive(engine):
    for prefix in ("degt", "дегт", "ДЕГТЯРЕВ", "Дегтярёв", "mikh"):
        assert [v["value"] for v in engine.facet_values("official", prefix)] == ["Михаил Дегтярёв"], prefix
    assert [v["value"] for v in engine.facet_values("region", "хаб")] == ["Хабаровский край"]
    assert [v["value"] for v in engine.facet_values("region", "khab")] == ["Хабаровский край"]
    assert engine.facet_values("official", "zzz") == []


def test_field_queries_and_cli_filters(engine, seed_index, capsys):
    assert {h["id"] for h in engine.search(SearchRequest('region:"хабаровский край"'))["hits"]} == {D002, D004}
    assert {h["id"] for h in engine.search(SearchRequest("year:2021"))["hits"]} == {D001}
    assert {h["id"] for h in engine.search(SearchRequest("промышленность lang:it"))["hits"]} <= {D002}
    assert cli_main(["--index", str(seed_index), "--format", "json", "--region", "Хабаровский край", "--lang", "ru"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert [h["id"] for h in record["hits"]] == [D004]


def test_linking_across_cases_spellings_and_languages(tmp_path, build_index, lemmatizer):
    docs = write_docs(tmp_path / "docs", {
        "a_full": "Совещание в Калуге\n\nГубернатор Владислав Шапша провёл совещание с промышленниками Калужской области. Шапша отметил рост.",
        "b_lone": "Заводы растут\n\nПо словам Шапши, заводы региона наращивают выпуск станков.",
        "c_kb": "Совещание в Ленобласти\n\nГубернатор Дрозденко провёл совещание в Ленобласти о станкостроении.",
        "d_female": "Новое назначение\n\nМинистром назначена Анна Иванова. Ивановой предстоит курировать промышленность.",
        "e_regions": "Кооперация регионов\n\nВ Чечне и в Грозном обсудили кооперацию. Участвовали представители Запорожской и Херсонской областей, а также Китая и Индии.",
        "f_italian": "Incontro\n\nIl governatore Vladislav Shapsha ha incontrato le imprese della Regione di Kaluga. Anche il ministro Anton Alikhanov era presente nell'Oblast' di Chabarovsk.",
    })
    build_index(tmp_path / "ix", [docs])
    search = SearchEngine(tmp_path / "ix", lemmatizer=lemmatizer)
    officials = {d: search.document(d)["officials"] for d in ("a_full", "b_lone", "c_kb", "d_female", "f_italian")}
    assert officials["a_full"] == ["Владислав Шапша"]
    assert officials["b_lone"] == ["Владислав Шапша"]  # corpus-wide full name
    assert officials["c_kb"] == ["Александр Дрозденко"]  # knowledge base
    assert officials["d_female"] == ["Анна Иванова"]
    assert officials["f_italian"] == ["Владислав Шапша", "Антон Алиханов"]
    assert search.document("c_kb")["regions"] == ["Ленинградская область"]
    assert search.document("e_regions")["regions"] == ["Чеченская Республика", "Запорожская область", "Херсонская область"]
    assert search.document("f_italian")["regions"] == ["Калужская область", "Хабаровский край"]


def test_a_bare_surname_and_a_latin_spelling_link_to_the_runs_full_name_read_before_or_after(
        tmp_path, build_index, lemmatizer):
    """A bare surname or a Latin-script name links to the run's one full name
    for it whether that came before it (linked as it is read) or after
    (linked by the map the commits write), in one process or two."""
    docs = [
        {"id": "full_shapsha", "title": "Совещание в Калуге",
         "text": "Губернатор Владислав Шапша провёл совещание с промышленниками Калужской области."},
        {"id": "lone_shapsha", "title": "Станки",
         "text": "По словам Шапши, выпуск станков в регионе вырос."},
        {"id": "italian", "title": "Incontro", "lang": "it",
         "text": "Il governatore Vladislav Shapsha ha incontrato le imprese della Regione di Kaluga."},
    ]
    officials = {}
    for order, listed in (("read first to last", docs), ("read last to first", docs[::-1])):
        corpus = tmp_path / f"{order}.jsonl"
        corpus.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in listed), encoding="utf-8")
        build_index(tmp_path / order, [corpus])
        search = SearchEngine(tmp_path / order, lemmatizer=lemmatizer)
        officials[order] = {d["id"]: search.document(d["id"])["officials"] for d in docs}
    IndexBuilder(tmp_path / "workers", workers=2).build([tmp_path / "read first to last.jsonl"])
    search = SearchEngine(tmp_path / "workers", lemmatizer=lemmatizer)
    officials["two workers"] = {d["id"]: search.document(d["id"])["officials"] for d in docs}
    assert officials["read first to last"] == officials["read last to first"] == officials["two workers"]
    assert officials["read first to last"] == {
        "full_shapsha": ["Владислав Шапша"], "lone_shapsha": ["Владислав Шапша"], "italian": ["Владислав Шапша"]}
    # the document page's mentions link to the facet's values, in a
    # document completed at the end too
    for order in ("read last to first", "two workers"):
        spans = SearchEngine(tmp_path / order.replace("two workers", "workers"), lemmatizer=lemmatizer).document(
            "lone_shapsha")["entity_spans"]
        assert [value for _s, _e, kind, value in spans if kind == "official"] == ["Владислав Шапша"]


def test_a_name_links_to_the_full_name_a_later_run_brings_until_another_makes_it_ambiguous(
        tmp_path, build_index, lemmatizer):
    """Documents are written once, as their text names officials; the links
    are the whole corpus's, so a later run completes an earlier run's bare
    surname without processing that document again, and unlinks it when a
    second person with that surname arrives."""
    docs, index_dir = tmp_path / "docs", tmp_path / "ix"
    write_docs(docs, {"b_lone": "Заводы растут\n\nПо словам Шапши, заводы региона наращивают выпуск станков."})
    build_index(index_dir, [docs])
    search = SearchEngine(index_dir, lemmatizer=lemmatizer)
    alone = [name for name in load_links(index_dir) if "Шапш" in name]
    assert len(alone) == 1 and len(alone[0].split()) == 1
    # a bare surname nothing vouches for (a role word, a known name, a full name) is no official
    assert search.document("b_lone")["officials"] == []

    def officials_facet(q: str = "") -> list[tuple[str, int]]:
        return [(v["value"], v["count"]) for v in search.search(SearchRequest(q))["facets"]["official"]]

    def found(q: str) -> set[str]:
        return {hit["id"] for hit in search.search(SearchRequest(q))["hits"]}

    write_docs(docs, {"a_full": "Совещание в Калуге\n\nГубернатор Владислав Шапша провёл совещание "
                                "с промышленниками Калужской области."})
    report = build_index(index_dir, [docs])
    assert (report.indexed, report.unchanged) == (1, 1)
    assert search.document("b_lone")["officials"] == ["Владислав Шапша"]
    spans = search.document("b_lone")["entity_spans"]
    assert [value for _s, _e, kind, value in spans if kind == "official"] == ["Владислав Шапша"]
    assert officials_facet() == [("Владислав Шапша", 2)]
    assert search.search(SearchRequest("", filters={"official": ["Владислав Шапша"]}))["total"] == 2
    # typed in a query, the official is found by the names the corpus completes too
    assert found('official:"Владислав Шапша"') == found(f"official:{alone[0]}") == {"a_full", "b_lone"}

    write_docs(docs, {"c_other": "Назначение\n\nМинистром назначен Иван Шапша, брат губернатора."})
    build_index(index_dir, [docs])
    assert search.document("b_lone")["officials"] == []
    assert sorted(officials_facet()) == sorted([("Владислав Шапша", 1), ("Иван Шапша", 1)])
    assert found('official:"Владислав Шапша"') == {"a_full"}


def test_a_bare_surname_links_across_the_corpus_to_the_person_it_names_far_more_often(
        tmp_path, build_index, lemmatizer):
    """Nine documents name Иван Петров, one Пётр Петров: a document saying
    only "Петров" (read last, so as it was read both were known) is counted
    under Иван Петров. A second Пётр Петров makes the surname too shared to
    tell, and the same document is counted under the bare surname again."""
    docs, index_dir = tmp_path / "docs", tmp_path / "ix"
    write_docs(docs, {f"ivan_{k}": f"Совещание {k}\n\nГубернатор Иван Петров провёл совещание с промышленниками "
                                   f"о выпуске станков номер {k}." for k in range(9)})
    write_docs(docs, {"petr_0": "Назначение\n\nМинистром назначен Пётр Петров.",
                      "z_lone": "Заводы растут\n\nПо словам директора завода Петрова, заводы региона наращивают выпуск станков."})
    build_index(index_dir, [docs])
    search = SearchEngine(index_dir, lemmatizer=lemmatizer)
    stored = {k: v for k, v in load_links(index_dir).items()}
    bare = [name for name in stored if name.startswith("Петров")]
    assert len(bare) == 1 and stored[bare[0]] == "Иван Петров"
    assert search.document("z_lone")["officials"] == ["Иван Петров"]
    counts = {v["value"]: v["count"] for v in search.search(SearchRequest(""))["facets"]["official"]}
    assert counts == {"Иван Петров": 10, "Петр Петров": 1}

    write_docs(docs, {"petr_1": "Назначение\n\nЗаместителем министра назначен Пётр Петров."})
    report = build_index(index_dir, [docs])
    assert (report.indexed, report.unchanged) == (1, 11)
    assert search.document("z_lone")["officials"] == bare
    counts = {v["value"]: v["count"] for v in search.search(SearchRequest(""))["facets"]["official"]}
    assert counts == {"Иван Петров": 9, "Петр Петров": 2, bare[0]: 1}


def test_the_dominant_share_is_of_the_mentions_of_one_surname():
    registry = PersonRegistry([])
    for name, documents in (("Дональд Трамп", 96), ("Иванка Трамп", 3), ("Меланья Трамп", 1),
                            ("Хиллари Клинтон", 87), ("Билл Клинтон", 13)):
        for _ in range(documents):
            registry.add(name)
    assert official_links({"Трамп", "Клинтон", "Трампа"}, registry) == {
        "Трамп": "Дональд Трамп", "Клинтон": "", "Трампа": ""}
    # as a document is read, a surname shared by two people stays as it is
    assert registry.by_surname("Трамп") is None


def test_an_initial_and_a_surname_link_to_the_full_name_with_that_first_letter(tmp_path, build_index, lemmatizer):
    registry = PersonRegistry([])
    for name, documents in (("Сергей Скрипаль", 17), ("Юлия Скрипаль", 2), ("Людмила Скрипаль", 1),
                            ("С. Скрипаль", 5)):
        for _ in range(documents):
            registry.add(name)
    assert official_links({"С. Скрипаль", "Ю. Скрипаль", "А. Скрипаль", "Скрипаль"}, registry) == {
        "С. Скрипаль": "Сергей Скрипаль", "Ю. Скрипаль": "Юлия Скрипаль", "А. Скрипаль": "",
        # 17 of 20: too shared to tell; a name with an initial is no full name to link to
        "Скрипаль": ""}
    docs = write_docs(tmp_path / "docs", {
        "a_initial": "Суд\n\nДело об отравлении С. Скрипаля рассмотрит суд.",
        "b_full": "Показания\n\nБывший офицер Сергей Скрипаль дал показания."})
    build_index(tmp_path / "ix", [docs])
    search = SearchEngine(tmp_path / "ix", lemmatizer=lemmatizer)
    assert search.document("a_initial")["officials"] == ["Сергей Скрипаль"]
    counts = {v["value"]: v["count"] for v in search.search(SearchRequest(""))["facets"]["official"]}
    assert counts == {"Сергей Скрипаль": 2}


def test_italian_person_rules(extractor):
    from index.records import Document

    doc = Document(id="it1", path="-", lang="it", title="Incontro in Comune", date=None, year=None, source_text="",
                   body="Mario Rossi ha incontrato i residenti. Il governatore Mikhail Degtyarev ha parlato, poi Degtyarev "
                        "ha lasciato la sala. La Nuova Zelanda esporta legname. Autore: Karina Kamalova",
                   author="Karina Kamalova")
    officials = extractor.extract(doc).officials
    assert officials == ["Mario Rossi", "Михаил Дегтярёв"]  # a known first name; a transliterated official


def test_a_name_ending_a_headline_does_not_run_into_the_next_line(extractor):
    # From SlavicNER: the tagger, reading sentence lines as one text, took
    # "Асию Биби\n\nПакистанская" as one person ("Асию Пакистанская").
    text = ("В Пакистане в ближайшее время могут освободить Асию Биби\n\nПакистанская христианка Асия Биби, "
            "обвиненная в «богохульстве», обратилась к христианам во всем мире.")
    mentions = extractor.officials.russian(text)
    assert [text[m.start:m.end] for m in mentions] == ["Асию Биби", "Асия Биби"]
    assert all("Пакистанская" not in m.name for m in mentions)


def test_foreign_names_in_oblique_cases_come_back_to_the_nominative(extractor):
    # natasha leaves names the dictionary cannot inflect as they stand
    # (SlavicNER: "Асии Биби", "Доминика Рааба"); their endings decide.
    text = ("Суд в Лахоре рассмотрел дело Асии Биби. Заявление Доминика Рааба прозвучало в Лондоне. "
            "Губернатор Александр Дрозденко встретился с Домиником Раабом.")
    names = [m.name for m in extractor.officials.russian(text)]
    assert names == ["Асия Биби", "Доминик Рааб", "Александр Дрозденко", "Доминик Рааб"]
    # a name the dictionary knows, left by natasha in the dative, and a
    # surname in the instrumental that only the ending rules know
    text = "Министр рассказал Обаме о заводе. Премию вручили Андреем Ромашковым подписанным письмом."
    assert [m.name for m in extractor.officials.russian(text)] == ["Обама", "Андрей Ромашков"]
    # an initial is a word of its own to the normalizer, and two tokens to
    # the tokenizer (at 100,000 documents «С. Скрипаля» was an official)
    text = "Дело об отравлении С. Скрипаля рассмотрит суд. Об этом сообщил С.Скрипаль."
    assert [m.name for m in extractor.officials.russian(text)] == ["С. Скрипаль", "С. Скрипаль"]
    decliner = extractor.officials.normalizer.decliner
    assert decliner.nominative("Асию", "Acc") == "Асия" and decliner.nominative("Тафте", "Loc") == "Тафт"
    assert decliner.nominative("Камалы", "Gen") == "Камала" and decliner.nominative("Скрипаля", "Gen") == "Скрипаль"
    assert decliner.nominative("Рааба", "Nom") == "Рааба" and decliner.nominative("Бушу-младшему", "Dat") == "Бушу-младшему"


def test_hyphenated_names_tagger_slips_and_common_words_at_a_names_edge(extractor):
    # SlavicNER: each part of a hyphenated name is declined on its own
    # (an adjective as an adjective); an ending no nominative has is undone
    # though the tagger calls the word nominative ("Адвокат Асии Биби");
    # a capitalized common word the model took into the name is not part of it.
    text = ("Он хвалил Джорджа Буша-младшего. Встреча с Эвой-Марией Лийметс прошла в Таллине. "
            "Адвокат Асии Биби заявил, что она покинула страну.")
    assert [m.name for m in extractor.officials.russian(text)] == ["Джордж Буш-младший", "Эва-Мария Лийметс", "Асия Биби"]
    # the tagger calls "Асию" locative and "Асии" accusative here
    text = ("Они требуют казнить обвиненную в богохульстве христианку Асию Биби. "
            "Несколько дней спустя о «преступлении» Асии Биби доложили властям.")
    assert [m.name for m in extractor.officials.russian(text)] == ["Асия Биби", "Асия Биби"]
    text = "Христианка Азия Биби была освобождена из тюрьмы."
    mentions = extractor.officials.russian(text)
    assert [(m.name, text[m.start:m.end]) for m in mentions] == [("Азия Биби", "Азия Биби")]
    # an adjective at the edge is a surname, not a common word
    text = "Губернатор встретился с Виктором Курильским в Томске."
    assert [m.name for m in extractor.officials.russian(text)] == ["Виктор Курильский"]


def test_a_name_with_its_original_in_brackets_is_two_mentions_of_names(extractor):
    # factRuEval: the model tags "Джошуа Вольфа (Joshua Wolf)" as one span,
    # which no name grammar reads.
    text = ("Список включает американского видео-блоггера Джошуа Вольфа (Joshua Wolf), "
            "который отказался передать материалы.")
    mentions = extractor.officials.russian(text)
    assert [(m.name, text[m.start:m.end]) for m in mentions] == [("Джошуа Вольф", "Джошуа Вольфа"), ("Joshua Wolf", "Joshua Wolf")]


def test_a_lone_first_name_links_to_the_one_full_name_with_it_or_is_a_person_but_no_official(extractor):
    ner = extractor.officials
    text = "Губернатор Дмитрий Демешин открыл завод. Позже Дмитрий осмотрел цеха. Марк пришел на встречу."
    linked = ner.link(ner.russian(text))
    assert [(m.name, text[m.start:m.end], m.official) for m in linked] == [
        ("Дмитрий Демешин", "Дмитрий Демешин", True), ("Дмитрий Демешин", "Дмитрий", True), ("Марк", "Марк", False)]
    # "Марк" is marked in the text as a person, and is no value of the officials facet
    doc = Document(id="t", path="t.txt", lang="ru", title="Завод открыт", date=None, year=None, body=text, source_text=text)
    ents = extractor.extract(doc)
    assert ents.officials == ["Дмитрий Демешин"]
    assert [text[s:e] for s, e, kind, _ in ents.spans if kind == "person"] == ["Марк"]


def test_the_words_of_a_name_agree_in_case_and_a_womans_name_stays_feminine(extractor):
    # SlavicNER: the tagger gives the words of one name different cases, or
    # takes a woman's first name for a man's in the genitive; the name as a
    # whole decides.
    def names(text):
        ner = extractor.officials
        return [m.name for m in ner.link(ner.russian(text))]

    # a surname left undeclined on a consonant is a woman's: "Рашида", not "Рашид"
    assert names("Рашида Тлаиб и Ильхан Омар были избраны в конгресс.")[0] == "Рашида Тлаиб"
    assert names("Письмо вручили вице-президенту Камале Харрис.") == ["Камала Харрис"]
    assert names("Канцлеру Ангеле Меркель показали завод.") == ["Ангела Меркель"]
    # ... but only where the tagger's case has that ending: "Маргрете" after
    # "еврокомиссаром" is no dative
    assert names("Еврокомиссаром Маргрете Вестагер недовольны.") == ["Маргрете Вестагер"]
    # one word declined shows the case of the other
    assert names("Выборы шли несколько месяцев, а Ратерфорда Хейза объявили победителем.") == ["Ратерфорд Хейз"]
    # ... but a name that does not decline stays as it is
    assert names("Об этом сообщили Сергею Шойгу.") == ["Сергей Шойгу"]
    # a woman's surname in -и is no noun in -ь; a surname gets no fleeting vowel it never had
    assert names("Визит Нэнси Пелоси вызвал протест.") == ["Нэнси Пелоси"]
    assert names("Встреча с Себастьяном Курцем прошла в Вене.") == ["Себастьян Курц"]
    assert names("Предложение передали Асие Биби через адвоката.") == ["Асия Биби"]
    # the endings no nominative has, in each part of a hyphenated name; a family in the plural
    mentions = extractor.officials.russian("Пакистан не выпускает Азию-Биби из страны. Дело Скрипалей обсуждали в Лондоне.")
    assert [m.normal for m in mentions] == ["Азия-Биби", "Скрипали"]


def test_a_common_word_before_a_name_is_dropped_and_a_surnames_particles_are_kept(extractor):
    ner = extractor.officials
    text = "Христианку Асию Биби оправдали в среду."
    assert [(m.name, text[m.start:m.end]) for m in ner.russian(text)] == [("Асия Биби", "Асию Биби")]
    # a surname that is a common word stays at the end of a name
    assert [m.name for m in ner.russian("Губернатор Александр Лебедь открыл завод.")] == ["Александр Лебедь"]
    # "фон дер Ляйен" is one surname, and alone it links to the full name
    text = "Урсула фон дер Ляйен приехала на завод. Позже фон дер Ляйен уехала."
    assert [(m.name, m.normal) for m in ner.link(ner.russian(text))] == [
        ("Урсула фон дер Ляйен", "Урсула фон дер Ляйен"), ("Урсула фон дер Ляйен", "фон дер Ляйен")]
    assert name_words("Урсула фон дер Ляйен") == ["Урсула", "фон дер Ляйен"]
    assert name_words("Ван дер Беллен") == ["Ван дер Беллен"] and name_words("Ван И") == ["Ван", "И"]
    registry = PersonRegistry([])
    registry.add("Урсула фон дер Ляйен")
    assert registry.by_surname("фон дер Ляйен") == "Урсула фон дер Ляйен"
    # an editor's bracket inside a name is not part of it
    assert [m.name for m in ner.russian("Об этом сообщил Майкл] Пенс.")] == ["Майкл Пенс"]
