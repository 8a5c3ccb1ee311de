"""The sectors facet: a controlled taxonomy with Russian and Italian terms,
from ``sectors.tsv``."""
from __future__ import annotations

from collections import Counter, defaultdict

from ..analysis.tokens import LemmaTokens, Token
from ..config import data_lines, split_list
from .phrases import PhraseMatcher

SECTOR_THRESHOLD = 2
_STRENGTH = {"strong": 2, "weak": 1}


class SectorTagger:
    """A controlled sector taxonomy with Russian and Italian terms; a sector is
    assigned when its evidence scores at least ``SECTOR_THRESHOLD``."""

    def __init__(self, tokens: LemmaTokens) -> None:
        self.matcher = PhraseMatcher(need_capital=False)
        self.points: dict[tuple[str, ...], int] = {}
        for line in data_lines("sectors.tsv"):
            sector, _lang, strength, terms = line.split("\t")
            for term in split_list(terms, ","):
                key = tokens.key(term)
                if key and key not in self.matcher.keys:
                    self.matcher.add(key, sector)
                    self.points[key] = _STRENGTH[strength]

    def extract(self, tokens: list[Token]) -> dict[str, list[str]]:
        """sector -> evidence (the matched words), for sectors that pass."""
        score: Counter = Counter()
        evidence: dict[str, list[str]] = defaultdict(list)
        for match in self.matcher.find(tokens):
            score[match.value] += self.points[match.key]
            words = " ".join(t.surface for t in tokens[match.start:match.end] if t.is_word)
            if words not in evidence[match.value]:
                evidence[match.value].append(words)
        return {s: evidence[s] for s, points in score.most_common() if points >= SECTOR_THRESHOLD}
