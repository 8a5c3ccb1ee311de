"""Facets on real news layouts (issue 29): Italian bylines and datelines,
Italian persons, things that are not persons, place words that are not
places. Every sentence here is written for the test."""
from __future__ import annotations

import pytest

from index.records import Document, RawDocument


def _ingest(ingestor, text: str, title: str | None = None):
    return ingestor.ingest(RawDocument(id="t", path="-", text=text, title=title, lang="it"))


def _italian(body: str, author: str | None = None) -> Document:
    return Document(id="it", path="-", lang="it", title="", date=None, year=None, body=body, source_text=body,
                    author=author)


# 1. bylines, datelines and titles ------------------------------------------------------------
@pytest.mark.parametrize("text, author, body_start", [
    ("di Tiziana Bellucci Un furgone è stato rubato ieri sera in via Emilia. I carabinieri indagano.",
     "Tiziana Bellucci", "Un furgone"),
    ("Ottavio Marchesini MODENA. Un furgone è stato rubato ieri sera. I carabinieri indagano.",
     "Ottavio Marchesini", "MODENA. Un furgone"),
    ("Ottavio Marchesini Legato e imbavagliato, il custode ha dato l'allarme. I carabinieri indagano.",
     "Ottavio Marchesini", "Legato e imbavagliato"),
    ("Ottavio Marchesini / CARPI Un furgone è stato rubato. I carabinieri indagano.",
     "Ottavio Marchesini", "CARPI Un furgone"),
])
def test_a_leading_byline_goes_to_the_author_and_out_of_the_body(ingestor, text, author, body_start):
    doc = _ingest(ingestor, text)
    assert doc.author == author
    assert doc.body.startswith(body_start) and author not in doc.body


@pytest.mark.parametrize("ending, author", [
    ("I carabinieri indagano. — Tiziana Bellucci", "Tiziana Bellucci"),
    ("I carabinieri indagano». — T. B. BY NC ND ALCUNI DIRITTI RISERVATI", "T. B."),
    ("I carabinieri indagano. — Tiziana Bellucci © RIPRODUZIONE RISERVATA", "Tiziana Bellucci"),
    ("I carabinieri indagano. Tiziana Bellucci", "Tiziana Bellucci"),
    ("I carabinieri indagano. (t. b.)", "t. b."),
    ("I carabinieri indagano. © RIPRODUZIONE RISERVATA di Tiziana Bellucci", "Tiziana Bellucci"),
])
def test_a_trailing_signature_and_licence_line_leave_the_body(ingestor, ending, author):
    doc = _ingest(ingestor, "Un furgone è stato rubato ieri sera in via Emilia. " + ending)
    assert doc.author == author
    assert doc.body.endswith("I carabinieri indagano.") or doc.body.endswith("indagano»."), doc.body
    assert "RISERVAT" not in doc.body


def test_a_subject_at_the_start_or_a_name_ending_the_last_sentence_is_no_byline(ingestor):
    doc = _ingest(ingestor, "Ottavio Marchesini ha rubato un furgone in via Emilia. I carabinieri lo hanno fermato.")
    assert doc.author is None and doc.body.startswith("Ottavio Marchesini ha rubato")
    doc = _ingest(ingestor, "Il ladro è fuggito. Lo hanno visto i vicini di Ottavio Marchesini")
    assert doc.author is None and doc.body.endswith("i vicini di Ottavio Marchesini")
    doc = _ingest(ingestor, "Il ladro è fuggito. Il fermo è stato chiesto dal pm dott. Ottavio Marchesini.")
    assert doc.author is None and doc.body.endswith("dott. Ottavio Marchesini.")


def test_a_byline_before_a_dateline_in_lowercase(ingestor):
    doc = _ingest(ingestor, "Ottavio Marchesini concordia. Un furgone è stato rubato. I carabinieri indagano.")
    assert doc.author == "Ottavio Marchesini" and doc.place == "Concordia"
    assert doc.title == "Un furgone è stato rubato"


@pytest.mark.parametrize("text, place, title", [
    ("MODENA. Un furgone è stato rubato ieri sera. I carabinieri indagano.", "Modena",
     "Un furgone è stato rubato ieri sera"),
    ("SAN FELICE Un furgone è stato rubato ieri sera. I carabinieri indagano.", "San Felice",
     "Un furgone è stato rubato ieri sera"),
    ("Castelfranco. Un furgone è stato rubato ieri sera. I carabinieri indagano.", "Castelfranco",
     "Un furgone è stato rubato ieri sera"),
    ("MOSCA. La fabbrica ha aperto ieri. Lavorano in cento.", "Mosca", "La fabbrica ha aperto ieri"),
])
def test_the_dateline_is_the_place_and_not_the_title(ingestor, text, place, title):
    doc = _ingest(ingestor, text)
    assert doc.place == place and doc.title == title
    assert doc.body == text  # the dateline stays in the text


def test_capitals_that_name_no_place_are_no_dateline(ingestor):
    doc = _ingest(ingestor, "IL RACCONTO Un furgone è stato rubato ieri sera. I carabinieri indagano.")
    assert doc.place is None


def test_a_long_first_sentence_becomes_a_title_cut_at_a_word(ingestor):
    words = " ".join(["furgone"] * 40)
    doc = _ingest(ingestor, f"MODENA. Un {words} rubato. Poi altro.")
    assert doc.title.endswith("…") and len(doc.title) <= 141 and doc.title[:-1].split()[-1] == "furgone"


# 2. Italian persons ----------------------------------------------------------------------------
def _latin(extractor, text: str) -> list[tuple[str, str, str | None]]:
    return [(text[m.start:m.end], m.name, m.role) for m in extractor.officials.latin(text)]


def test_italian_names_with_particles_and_titles(extractor):
    text = ("La donna, assistita dall'avv. Marta De Manincor, ha parlato con Diego Della Valle "
            "e con Luigi Di Maio.")
    names = [n for _, n, _ in _latin(extractor, text)]
    assert names == ["Marta De Manincor", "Diego Della Valle", "Luigi Di Maio"]


def test_a_role_word_before_a_name(extractor):
    text = ("Il sindaco Gian Carlo Muzzarelli ha incontrato l'assessore Ludovica Carletti e il presidente "
            "della Regione Stefano Bonaccini. Più tardi il questore Cannizzaro ha parlato.")
    found = _latin(extractor, text)
    assert [(n, r) for _, n, r in found] == [
        ("Gian Carlo Muzzarelli", "sindaco"), ("Ludovica Carletti", "assessore"),
        ("Stefano Bonaccini", "presidente della Regione"), ("Cannizzaro", "questore")]


def test_words_before_the_first_name_are_not_the_name(extractor):
    text = "Indagato l'ex direttore generale di Ber Paolo Lelli. La soprano Mirella Freni è stata sentita."
    assert [n for _, n, _ in _latin(extractor, text)] == ["Paolo Lelli", "Mirella Freni"]


def test_transliterated_russian_first_names(extractor):
    text = "A Mosca Sergej Ivanchenko e Vladislav Kornilov hanno firmato l'accordo."
    assert [n for _, n, _ in _latin(extractor, text)] == ["Sergej Ivanchenko", "Vladislav Kornilov"]


def test_streets_venues_saints_and_places_are_not_persons(extractor):
    text = ("L'incidente in via Aldo Moro, davanti al liceo Carlo Sigonio; la messa nella chiesa di San Pietro. "
            "I ladri sono fuggiti verso Lama Mocogno. La tela ritrae i santi Giovanni Evangelista e "
            "Gregorio Taumaturgo.")
    assert _latin(extractor, text) == []


def test_a_surname_alone_takes_the_full_name_of_the_text(extractor):
    text = "Ludovica Carletti ha presentato il piano. Secondo Carletti i lavori partiranno a marzo."
    assert [n for _, n, _ in _latin(extractor, text)] == ["Ludovica Carletti", "Ludovica Carletti"]


def test_a_byline_is_no_official(extractor, ingestor):
    doc = _ingest(ingestor, "di Tiziana Bellucci Il sindaco Gian Carlo Muzzarelli ha parlato. — Tiziana Bellucci")
    officials = extractor.extract(doc).officials
    assert officials == ["Gian Carlo Muzzarelli"]


# 3. not a person -----------------------------------------------------------------------------
def test_single_words_that_name_things_are_not_officials(extractor):
    text = ("Как сообщает Википедия, Роскомнадзор заблокировал сайт. Харьков и Ухань закрыли школы. "
            "Глифосат опасен, считает Дед Мороз. Шмыгаль заявил, что губернатор Александр Дрозденко прав. "
            "Лекарство от болезни Альцгеймера ищут давно, а подарки от Деда Мороза ждут дети.")
    names = [m.name for m in extractor.officials.link(extractor.officials.russian(text))]
    assert names == ["Шмыгаль", "Александр Дрозденко"]


# 4. not a place ------------------------------------------------------------------------------
@pytest.mark.parametrize("text, regions", [
    ("Премьера фильма прошла в кинотеатре «Тула».", []),
    ("Матч на стадионе «Калининград» закончился вничью.", []),
    ("ФК «Алания» обыграл «Рязань» со счетом 2:0.", []),
    ("Офис компании открыли на Смоленском бульваре.", []),
    ("Завод открыли в Туле, филиал в Рязани.", ["Тульская область", "Рязанская область"]),
    ("Губернатор Калининградской области приехал на стадион.", ["Калининградская область"]),
])
def test_a_region_word_in_a_name_of_a_thing_is_no_region(extractor, text, regions):
    doc = Document(id="ru", path="-", lang="ru", title="", date=None, year=None, body=text, source_text=text)
    assert extractor.extract(doc).regions == regions
