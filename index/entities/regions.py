"""The regions facet: Russian federal subjects and their federal districts,
from ``regions.tsv`` and ``districts.tsv``."""
from __future__ import annotations

from ..analysis.tokens import LemmaTokens, Token
from ..config import data_lines, split_list
from .phrases import Match, PhraseMatcher

_LATIN_FORMS = {
    "oblast": ["Regione di {}", "Oblast' di {}", "Oblast di {}", "Provincia di {}", "{} Oblast", "{} Region"],
    # Italian press often calls a krai an oblast: "Oblast' di Chabarovsk".
    "krai": ["Territorio di {}", "Krai di {}", "Kraj di {}", "Regione di {}", "Oblast' di {}", "Oblast di {}", "{} Krai", "{} Territory"],
    "republic": ["Repubblica di {}", "Repubblica del {}", "{} Republic", "Republic of {}", "{}"],
    "okrug": ["Circondario autonomo di {}", "{} Autonomous Okrug", "{}"],
    "city": ["{}"],
}


class RegionGazetteer:
    """Russian federal subjects and federal districts named in a text, by
    their names in any case, aliases, cities, and Italian/English names."""

    def __init__(self, tokens: LemmaTokens) -> None:
        self.regions = PhraseMatcher(need_capital=True)
        self.district_of: dict[str, str] = {}
        self.districts = PhraseMatcher(need_capital=True)
        for line in data_lines("districts.tsv"):
            name, aliases, latin = (line.split("\t") + ["", ""])[:3]
            for phrase in [name, *split_list(aliases, ","), *split_list(latin, "|")]:
                self.districts.add(tokens.key(phrase), name)
        for line in data_lines("regions.tsv"):
            name, district, kind, aliases, cities, latin = (line.split("\t") + [""] * 6)[:6]
            self.district_of[name] = district
            for phrase in [name, *split_list(aliases, ","), *split_list(cities, ",")]:
                self.regions.add(tokens.key(phrase), name)
            for stem in split_list(latin, "|"):
                for form in _LATIN_FORMS.get(kind, ["{}"]):
                    self.regions.add(tokens.key(form.format(stem)), name)

    def extract(self, tokens: list[Token]) -> tuple[list[Match], list[Match]]:
        return self.regions.find(tokens), self.districts.find(tokens)
