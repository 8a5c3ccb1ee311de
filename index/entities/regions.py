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


_OPEN_QUOTES = {"«", "\"", "“", "„"}
_CLOSE_QUOTES = {"»", "\"", "”", "“"}


class RegionGazetteer:
    """Russian federal subjects and federal districts named in a text, by
    their names in any case, aliases, cities, and Italian/English names. A
    name in quotes, or next to a venue, street or team word
    (``venue_words.txt``), names that thing, not the region: «Тула» the
    cinema, стадион «Калининград», ФК «Алания», Смоленский бульвар."""

    def __init__(self, tokens: LemmaTokens) -> None:
        self.venues = {tokens.key(line)[0] for line in data_lines("venue_words.txt") if tokens.key(line)}
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

    def one_word_places(self) -> set[str]:
        """The Cyrillic names of one word (lemmas): «харьков» is not, «тула» is."""
        return {key[0] for key in self.regions.keys if len(key) == 1 and not key[0].isascii()} | \
            {key[0] for key in self.districts.keys if len(key) == 1 and not key[0].isascii()}

    def extract(self, tokens: list[Token]) -> tuple[list[Match], list[Match]]:
        return ([m for m in self.regions.find(tokens) if not self.names_a_thing(tokens, m)],
                [m for m in self.districts.find(tokens) if not self.names_a_thing(tokens, m)])

    def names_a_thing(self, tokens: list[Token], match: Match) -> bool:
        """A match in quotes, right after a venue word (or after one and an
        opening quote), or right before one (an adjective: «Смоленском
        бульваре»)."""
        before = tokens[match.start - 1] if match.start > 0 else None
        after = tokens[match.end] if match.end < len(tokens) else None
        if before is not None and after is not None and before.lemma in _OPEN_QUOTES and after.lemma in _CLOSE_QUOTES:
            return True
        if before is not None and before.lemma in _OPEN_QUOTES and match.start > 1:
            before = tokens[match.start - 2]
        if before is not None and before.is_word and before.lemma in self.venues:
            return True
        return after is not None and after.is_word and after.lemma in self.venues and len(match.key) == 1
