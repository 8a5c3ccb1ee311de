"""The dateline's place as a facet of its own (issue 29): a Russian city under
its federal subject (which the region facet gets too), an Italian
municipality under its Italian region (which the region facet does not),
searchable as ``place:`` and a filter everywhere; an index written before the
field gets it on its next run. Every document here is written for the test."""
from __future__ import annotations

import io
import json
from contextlib import redirect_stdout

from whoosh.fields import Schema

from index.build import indexer
from index.build.segment_writer import IndexStorage
from index.entities.places import PlaceGazetteer
from index.store.schema import build_schema
from search.cli import main as cli_main
from search.engine import SearchEngine, SearchRequest
from web import create_app

from conftest import write_docs

DOCS = {
    "it_modena": "MODENA. Il Comune ha aperto un nuovo cantiere per la ciclabile di via Emilia. "
                 "I lavori dureranno tre mesi e costeranno duecentomila euro.",
    "it_sanfelice": "SAN FELICE Un capannone della zona industriale è stato venduto all'asta. "
                    "L'acquirente è una ditta di ceramiche.",
    "it_mosca": "MOSCA. La fabbrica di trattori ha aperto un nuovo reparto. Lavorano in cento.",
    "ru_khabarovsk": "ХАБАРОВСК, 5 мая – На судостроительном заводе спустили на воду новый буксир. "
                     "Рабочие завода получили премии.",
    "ru_plain": "Завод по выпуску тракторов увеличил выпуск на треть. Рабочие получили премии.",
}


def test_the_gazetteer_gives_a_place_its_name_and_parent():
    places = PlaceGazetteer(comuni=[("Modena", "Emilia-Romagna"), ("San Felice sul Panaro", "Emilia-Romagna"),
                                    ("San Felice Circeo", "Lazio"), ("Pavullo nel Frignano", "Emilia-Romagna")])
    assert places.find("MODENA").parent == "Emilia-Romagna"
    assert places.find("PAVULLO").name == "Pavullo nel Frignano"  # one municipality starts so
    assert places.find("SAN FELICE").name == "San Felice sul Panaro"  # two do: place_names.tsv says which
    assert places.find("Комсомольск-на-Амуре").parent == "Хабаровский край"
    assert places.find("KHABAROVSK").name == "Хабаровск"
    assert places.find("Mosca").parent == "Москва"
    assert places.find("Rabat") is None and places.find("") is None
    assert places.parent_of("Modena") == "Emilia-Romagna" and places.parent_of("MODENA") == ""


def test_russian_datelines_and_their_titles(ingestor):
    from index.records import RawDocument

    doc = ingestor.ingest(RawDocument(id="r", path="-", text=DOCS["ru_khabarovsk"]))
    assert doc.place == "Хабаровск" and doc.title.startswith("На судостроительном заводе")
    doc = ingestor.ingest(RawDocument(id="r", path="-", text="США. Санкции продлили на год. Это всё."))
    assert doc.place is None  # capitals that are no Russian city


def test_place_facet_filter_query_and_region(tmp_path, build_index, lemmatizer):
    index_dir = tmp_path / "ix"
    build_index(index_dir, [write_docs(tmp_path / "docs", DOCS)])
    engine = SearchEngine(index_dir, lemmatizer=lemmatizer)

    record = engine.search(SearchRequest(""))
    places = {v["value"]: v for v in record["facets"]["place"]}
    assert places["Modena"]["parent"] == "Emilia-Romagna" and places["Modena"]["count"] == 1
    assert places["San Felice sul Panaro"]["parent"] == "Emilia-Romagna"
    assert places["Хабаровск"]["parent"] == "Хабаровский край"
    assert places["Москва"]["parent"] == "Москва"
    # a Russian city's region is a region of the document; an Italian region is not one
    assert engine.document("ru_khabarovsk")["regions"] == ["Хабаровский край"]
    assert "Emilia-Romagna" not in {v["value"] for d in record["facets"]["region"] for v in d["children"]}
    assert engine.document("it_mosca")["regions"] == ["Москва"]

    # a filter, typed in any case; and a field of the query
    hits = engine.search(SearchRequest("", {"place": ["modena"]}))["hits"]
    assert [h["id"] for h in hits] == ["it_modena"] and hits[0]["place"] == "Modena"
    assert [h["id"] for h in engine.search(SearchRequest("place:Хабаровск"))["hits"]] == ["ru_khabarovsk"]
    assert engine.search(SearchRequest("", {"place": ["Atlantide"]}))["total"] == 0
    doc = engine.document("it_sanfelice")
    assert doc["place"] == "San Felice sul Panaro" and doc["place_parent"] == "Emilia-Romagna"
    assert engine.document("ru_plain")["place"] is None

    out = io.StringIO()
    with redirect_stdout(out):
        cli_main(["--index", str(index_dir), "--place", "Хабаровск", "--format", "json", ""])
    assert [h["id"] for h in json.loads(out.getvalue())["hits"]] == ["ru_khabarovsk"]

    client = create_app({"ENGINE": engine}).test_client()
    api = client.get("/api/search?place=San+Felice+sul+Panaro").get_json()
    assert [h["id"] for h in api["hits"]] == ["it_sanfelice"]
    page = client.get("/doc/it_sanfelice").get_data(as_text=True)
    assert "Emilia-Romagna › San Felice sul Panaro" in page
    assert "Emilia-Romagna ›" in client.get("/").get_data(as_text=True)


def test_an_index_written_before_the_place_field_gets_it(tmp_path, build_index, lemmatizer, monkeypatch):
    index_dir = tmp_path / "ix"
    without_place = Schema(**{name: field for name, field in build_schema().items() if name != "place"})
    with monkeypatch.context() as patch:  # the schema, and a build, of before
        patch.setattr(indexer, "build_schema", lambda: without_place)
        build_index(index_dir, [write_docs(tmp_path / "old", {"ru_plain": DOCS["ru_plain"]})])
    assert "place" not in IndexStorage(str(index_dir)).open_index().schema
    engine = SearchEngine(index_dir, lemmatizer=lemmatizer)
    before = engine.search(SearchRequest("", {"place": ["Modena"]}))
    assert before["total"] == 0 and engine.search(SearchRequest("place:Modena"))["total"] == 0

    report = build_index(index_dir, [write_docs(tmp_path / "new", DOCS)])
    assert "place" in IndexStorage(str(index_dir)).open_index().schema
    assert report.indexed == len(DOCS) - 1 and not report.rejected
    record = engine.search(SearchRequest("", {"place": ["Modena"]}))
    assert [h["id"] for h in record["hits"]] == ["it_modena"]
    assert engine.search(SearchRequest(""))["total"] == len(DOCS)
    assert engine.search(SearchRequest("завод"))["total"] == 2
