"""Raw files -> clean document records, on the real seeds and on files written here."""
from __future__ import annotations

import gzip
import json

import pytest

from index.cli import main as index_main
from index.config import SEEDS_DIR
from index.ingest.reader import read_raw, read_text_file
from index.records import Document, Rejection

SEEDS = {
    "000_2818d748c6cb9382": dict(
        lang="ru", date="2019-12-25", year=2019,
        title_start="Под руководством губернатора Ленинградской области Александра Дрозденко состоялось заседание",
        photo_credit="Правительство Ленобласти", author=None,
    ),
    "001_fe2789674e39d373": dict(
        lang="ru", date="2021-10-27", year=2021,
        title="Алексей Дюмин провел заседание комиссии Госсовета РФ по промышленности",
        photo_credit=None, author=None,
    ),
    "002_eca118279bbc844e": dict(
        lang="it", date=None, year=None,
        title="Ai residenti delle ASEZ del territorio di Khabarovsk è stato chiesto di sviluppare misure per entrare nei mercati esteri",
        photo_credit=None, author="Karina Kamalova",
    ),
    "003_bf76a2937b14fcaf": dict(
        lang="ru", date=None, year=None,
        title_start="В Чеченской Республике стартовала выездная стажировка Минпромторга России",
        photo_credit=None, author=None,
    ),
    "004_3725173b4d77fa6c": dict(
        lang="ru", date="2024-07-01", year=2024,
        title="По инициативе Демешина подписана хартия технологического суверенитета",
        photo_credit="Пресс-служба губернатора и правительства Хабаровского края", author=None,
    ),
}

FURNITURE = [
    "FATTO IN RUSSIA", "Tutte le regioni", "\nITA\n", "Notizie principali", "Made in Russia // Made in Russia",
    "Ссылки по теме", "Комментарии 0", "Зарегистрируйтесь или войдите", "Autore", "Фото:",
]


def seed_doc(ingestor, doc_id: str) -> Document:
    doc = ingestor.ingest(read_text_file(SEEDS_DIR / f"{doc_id}.txt"))
    assert isinstance(doc, Document), doc
    return doc


@pytest.mark.parametrize("doc_id", sorted(SEEDS))
def test_seed_metadata(ingestor, doc_id):
    expected = SEEDS[doc_id]
    doc = seed_doc(ingestor, doc_id)
    assert doc.id == doc_id
    assert doc.lang == expected["lang"]
    assert doc.date == expected["date"]
    assert doc.year == expected["year"]
    if "title" in expected:
        assert doc.title == expected["title"]
    else:
        assert doc.title.startswith(expected["title_start"])
        assert len(doc.title) <= 141
    assert doc.author == expected["author"]
    assert doc.photo_credit == expected["photo_credit"]
    assert doc.source_text == (SEEDS_DIR / f"{doc_id}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("doc_id", sorted(SEEDS))
def test_seed_body_has_no_furniture(ingestor, doc_id):
    body = seed_doc(ingestor, doc_id).body
    for junk in FURNITURE:
        assert junk not in body, junk
    # no lone counters left over
    assert not any(line.strip().isdigit() for line in body.split("\n"))
    assert "Karina Kamalova" not in body


def test_related_news_list_is_removed_and_never_dates_the_document(ingestor):
    doc = seed_doc(ingestor, "001_fe2789674e39d373")
    assert "2025" not in doc.body
    assert "июня" not in doc.body and "июля" not in doc.body
    assert doc.year == 2021
    assert doc.body.rstrip().endswith("информированию экспортеров о мерах поддержки.")
    assert "22:29" not in doc.body


def test_repeated_lead_appears_once(ingestor):
    body = seed_doc(ingestor, "000_2818d748c6cb9382").body
    assert body.count("Особое внимание уделено роли региональных центров поддержки экспорта") == 1
    assert "date 2019-12-25" not in body
    # the article starts with its first real paragraph, in order
    assert body.startswith("Под руководством губернатора")
    italian = seed_doc(ingestor, "002_eca118279bbc844e")
    assert "Ai residenti delle ASEZ" not in italian.body  # the headline, shown twice on the page
    assert italian.body.startswith("Mikhail Degtyarev, governatore ad interim")


def test_city_dateline_without_year_gives_no_date(ingestor):
    doc = seed_doc(ingestor, "003_bf76a2937b14fcaf")
    assert doc.date is None and doc.year is None
    assert not doc.title.startswith("Грозный")
    assert "Грозный, 2 марта" in doc.body  # the article text itself is kept


def test_italian_seed_year_stays_unknown_despite_years_in_text(ingestor):
    doc = seed_doc(ingestor, "002_eca118279bbc844e")
    assert "2015" in doc.body and "2020" in doc.body
    assert doc.year is None


@pytest.mark.parametrize("encoding", ["cp1251", "utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_legacy_encodings_decode_to_the_same_document(tmp_path, ingestor, encoding):
    original = (SEEDS_DIR / "004_3725173b4d77fa6c.txt").read_text(encoding="utf-8")
    path = tmp_path / "004_3725173b4d77fa6c.txt"
    path.write_bytes(original.encode(encoding))
    raw = read_text_file(path)
    assert raw.text == original
    doc = ingestor.ingest(raw)
    assert doc.title == SEEDS["004_3725173b4d77fa6c"]["title"]
    assert doc.date == "2024-07-01"


def test_short_cp1251_and_italian_cp1252_files(tmp_path):
    (tmp_path / "ru.txt").write_bytes("Губернатор открыл новый завод по выпуску станков.".encode("cp1251"))
    (tmp_path / "it.txt").write_bytes("Il governatore ha inaugurato più fabbriche, è così.".encode("cp1252"))
    assert read_text_file(tmp_path / "ru.txt").text.startswith("Губернатор открыл")
    assert read_text_file(tmp_path / "it.txt").text.startswith("Il governatore ha inaugurato più")


def test_bad_files_are_reported_with_path_and_reason(tmp_path, build_index):
    (tmp_path / "good.txt").write_text("Губернатор открыл новый завод по выпуску станков в области.", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"  \n\n ")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "furniture_only.txt").write_text("FATTO IN RUSSIA\nTutte le regioni\nITA\n15\n", encoding="utf-8")
    report = build_index(tmp_path / "index", [tmp_path])
    reasons = {r.path.rsplit("/", 1)[-1]: r.reason for r in report.rejected}
    assert report.read == 5 and report.indexed == 1
    assert reasons["empty.txt"] == "empty file"
    assert reasons["blank.txt"] == "empty file"
    assert reasons["binary.txt"].startswith("binary file")
    assert reasons["furniture_only.txt"] == "empty after cleaning"


def test_jsonl_and_gzipped_jsonl(tmp_path, ingestor):
    lines = [
        json.dumps({"id": "a1", "text": "Губернатор обсудил импортозамещение на заводе.", "title": "Заседание", "date": "2023-05-04", "source": "test"}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "a2"}),
        json.dumps({"id": "a3", "text": "Le esportazioni della regione sono cresciute nel 2020.", "lang": "it"}),
        "",
    ]
    plain = tmp_path / "corpus.jsonl"
    plain.write_text("\n".join(lines), encoding="utf-8")
    zipped = tmp_path / "corpus2.jsonl.gz"
    with gzip.open(zipped, "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "z1", "text": "Новый цех выпускает медицинскую технику."}, ensure_ascii=False) + "\n")
    items = list(read_raw([plain, zipped]))
    rejections = [i for i in items if isinstance(i, Rejection)]
    docs = [ingestor.ingest(i) for i in items if not isinstance(i, Rejection)]
    assert [d.id for d in docs] == ["a1", "a3", "z1"]
    assert docs[0].title == "Заседание" and docs[0].date == "2023-05-04" and docs[0].year == 2023 and docs[0].source == "test"
    assert docs[1].lang == "it" and docs[1].year is None
    assert docs[2].lang == "ru"
    assert rejections[0].path.endswith("corpus.jsonl:2") and "malformed JSON line 2" in rejections[0].reason
    assert rejections[1].path.endswith("corpus.jsonl:3") and "missing text" in rejections[1].reason


def test_language_is_detected_not_taken_from_the_name(tmp_path, ingestor):
    path = tmp_path / "ru_named.txt"
    path.write_text("Il Centro russo di esportazione ha firmato un accordo con le imprese della regione.", encoding="utf-8")
    assert ingestor.ingest(read_text_file(path)).lang == "it"


def test_reindexing_is_incremental_and_prune_removes_deleted(seeds_copy, tmp_path, ingestor, build_index):
    index_dir = tmp_path / "index"
    first = build_index(index_dir, [seeds_copy])
    assert (first.indexed, first.updated, first.unchanged) == (5, 0, 0)
    again = build_index(index_dir, [seeds_copy])
    assert (again.indexed, again.updated, again.unchanged) == (0, 0, 5)
    changed = seeds_copy / "003_bf76a2937b14fcaf.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nДобавлен новый абзац о станкостроении.", encoding="utf-8")
    (seeds_copy / "new_doc.txt").write_text("Новый завод в Калужской области выпускает станки.", encoding="utf-8")
    third = build_index(index_dir, [seeds_copy])
    assert (third.indexed, third.updated, third.unchanged) == (1, 1, 4)
    (seeds_copy / "new_doc.txt").unlink()
    fourth = build_index(index_dir, [seeds_copy], prune=True)
    assert fourth.pruned == 1 and fourth.unchanged == 5


def test_search_index_command_prints_summary_and_report(tmp_path, capsys):
    bad = tmp_path / "inputs"
    bad.mkdir()
    (bad / "binary.txt").write_bytes(b"\x00\x01\x02" * 50)
    report_file = tmp_path / "report.json"
    code = index_main([str(SEEDS_DIR), str(bad), "--index", str(tmp_path / "ix"), "--quiet", "--report", str(report_file)])
    out, err = capsys.readouterr()
    assert code == 0
    assert "read 6: indexed 5, updated 0, unchanged 0, rejected 1" in out
    assert "binary.txt" in err
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert report["indexed"] == 5 and report["rejected"][0]["reason"].startswith("binary file")
    assert index_main(["--index", str(tmp_path / "ix"), "--if-missing", "--quiet"]) == 0
    assert "index exists" in capsys.readouterr().out


def test_the_progress_bar_says_what_follows_the_last_document(tmp_path, capsys):
    """After the last document the bar is full, but the workers' last
    segments are still to be written and the run to be committed: the bar
    says so rather than sit at 100% in silence."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a_plain.txt").write_text("Совещание в Калуге\n\nПромышленники Калужской области обсудили "
                                      "выпуск станков.", encoding="utf-8")
    (docs / "b_lone.txt").write_text("Заводы растут\n\nПо словам Шапши, заводы региона наращивают выпуск станков.",
                                     encoding="utf-8")
    assert index_main([str(docs), "--index", str(tmp_path / "ix"), "--workers", "2"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("\rindexing:")
    last_segments, committing = err.find("writing the last segments: 100%"), err.find("committing")
    assert 0 < last_segments < committing
    assert "committing: 100%|██████████| 2/2" in err
