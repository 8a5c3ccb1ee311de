"""Spelling-insensitive keys for names in Latin script, shared by the
extractor (which links "Degtyarev" to "Дегтярёв") and the query side (which
finds an official however the user spells the name). A module of its own so
a command-line search imports these few lines, not the entity extractor."""
from __future__ import annotations

import re
import unicodedata

import iuliia

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
    return {skeleton(scheme.translate(name)) for scheme in SCHEMES} | {skeleton(scheme.translate(fold_yo(name))) for scheme in SCHEMES}
