"""Phrases of the knowledge files found in a text, by their lemmas."""
from __future__ import annotations

from dataclasses import dataclass

from ..analysis.tokens import Token

_JOINERS = {"и", ",", "e", "ed", "and"}
MAX_KEY_TOKENS = 8


@dataclass(frozen=True)
class Match:
    value: str
    start: int  # token indexes
    end: int
    key: tuple[str, ...]


class PhraseMatcher:
    """Lemma sequences -> values. Longest match wins; a match whose first word
    is preceded by "X и" / "X," where X + the rest of the key is also a key
    counts for X as well ("Донецкой и Луганской Народных Республик")."""

    def __init__(self, need_capital: bool) -> None:
        self.keys: dict[tuple[str, ...], str] = {}
        self.need_capital = need_capital
        # first lemma -> the key lengths that start with it, longest first:
        # most words start no key and cost one dict lookup.
        self.lengths: dict[str, list[int]] = {}

    def add(self, key: tuple[str, ...], value: str) -> None:
        if key and len(key) <= MAX_KEY_TOKENS:
            self.keys.setdefault(key, value)
            lengths = self.lengths.setdefault(key[0], [])
            if len(key) not in lengths:
                lengths.append(len(key))
                lengths.sort(reverse=True)

    def find(self, tokens: list[Token]) -> list[Match]:
        out: list[Match] = []
        lengths = self.lengths
        # the words that start some key, found in one pass over the text
        starts = [i for i, token in enumerate(tokens) if token.lemma in lengths]
        free = 0  # where the last match ended: a key starts at or after it
        for i in starts:
            if i < free:
                continue
            found = None
            for length in lengths[tokens[i].lemma]:
                if i + length > len(tokens):
                    continue
                window = tokens[i:i + length]
                if not all(t.is_word for t in window):
                    continue
                key = tuple(t.lemma for t in window)
                if key in self.keys and (not self.need_capital or any(t.capitalized for t in window)):
                    found = Match(self.keys[key], i, i + length, key)
                    break
            if found is None:
                continue
            out.extend(self._coordinated(tokens, found))
            out.append(found)
            free = found.end
        return out

    def _coordinated(self, tokens: list[Token], match: Match) -> list[Match]:
        if len(match.key) < 2:
            return []
        extra = []
        j = match.start - 1
        while j >= 1 and tokens[j].lemma in _JOINERS and tokens[j - 1].is_word:
            key = (tokens[j - 1].lemma,) + match.key[1:]
            if key not in self.keys:
                break
            extra.append(Match(self.keys[key], j - 1, match.end, key))
            j -= 2
        return extra
