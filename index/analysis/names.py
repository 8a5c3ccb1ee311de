"""Spelling-insensitive keys for names in Latin script, shared by the
extractor (which links "Degtyarev" to "Дегтярёв") and the query side (which
finds an official however the user spells the name). A module of its own so
a command-line search imports these few lines, not the entity extractor."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import iuliia

from ..config import data_lines
from .lemmatizer import fold_yo


def skeleton(name: str) -> str:
    """A spelling-insensitive key for Latin names: 'Degtjarëv', 'Degtyarev' and
    'Degtiarev' all become 'degtiarev'."""
    text = unicodedata.normalize("NFKD", name.lower())
    text = "".join(ch for ch in text if ch.isalpha() or ch == " ")
    for a, b in (("shch", "sc"), ("sch", "sc"), ("kh", "h"), ("x", "h"), ("ch", "c"), ("tch", "c"),
                 ("ts", "c"), ("tz", "c"), ("zh", "z"), ("sh", "s"), ("yo", "e"), ("jo", "e"),
                 ("y", "i"), ("j", "i"), ("w", "v"), ("ii", "i")):
        text = text.replace(a, b)
    return re.sub(r"(\w)\1", r"\1", " ".join(text.split()))


# Schemes whose outputs differ after ``skeleton`` (the others collapse onto these).
SCHEMES = [getattr(iuliia, name) for name in ("WIKIPEDIA", "BGN_PCGN", "ICAO_DOC_9303", "SCIENTIFIC", "MOSMETRO", "TELEGRAM")]


def transliterations(name: str) -> set[str]:
    spellings = {skeleton(scheme.translate(name)) for scheme in SCHEMES}
    folded = fold_yo(name)
    if folded != name:  # "Дегтярёв" is also written "Дегтярев"; a name without ё would be spelled twice over
        spellings |= {skeleton(scheme.translate(folded)) for scheme in SCHEMES}
    return spellings


# gender-guesser's frequencies: one character per country, "1" (rare) to "D" (very common)
_COMMON_IN_A_COUNTRY = "123456789ABCD"
_SURE_IN_ITALY = "456789ABCD"


@lru_cache(maxsize=1)
def first_names() -> dict[str, bool]:
    """First names -> whether the name is sure: the project's own list, and
    gender-guesser's names common in Italy or Russia (4 of its 13 steps or
    more: "Pasquale", "Franco"), are; its other names ("Secondo", "Morta",
    "Saddam") are first names only where they are no common Italian word."""
    names = {word: True for line in data_lines("first_names_latin.txt") for word in line.split()}
    try:
        from gender_guesser.detector import Detector
    except ImportError:  # the project's own list still works
        return names
    countries = Detector.COUNTRIES
    sure = [countries.index("italy"), countries.index("russia")]
    for name, genders in Detector().names.items():
        if not name[:1].isupper() or name in names:
            continue
        values = [v for v in genders.values()]
        if any(ch in _COMMON_IN_A_COUNTRY for v in values for ch in v):
            names[name] = any(len(v) > k and v[k] in _SURE_IN_ITALY for v in values for k in sure)
    return names
