""""Did you mean": typos and the wrong keyboard layout, corrected from the
index's own vocabulary."""
from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein

from index.config import data_lines

from .query import ParsedQuery, Word

MAX_EDIT_DISTANCE = 2
CANDIDATES = 10


def _layout_tables() -> tuple[dict[int, str], dict[int, str]]:
    rows = dict(line.split("\t", 1) for line in data_lines("keyboard_layout.txt"))
    latin, russian = rows["latin"], rows["russian"]
    return str.maketrans(latin, russian), str.maketrans(russian, latin)


LATIN_TO_RUSSIAN, RUSSIAN_TO_LATIN = _layout_tables()


def switch_layout(word: str) -> str:
    """The word as it would have been typed with the other keyboard layout."""
    lower = word.lower()
    if re.search(r"[a-z]", lower):
        return lower.translate(LATIN_TO_RUSSIAN)
    return lower.translate(RUSSIAN_TO_LATIN)


class Speller:
    def __init__(self, searcher, parser) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.parser = parser

    def known_lemma(self, lemma: str) -> bool:
        return bool(self.reader.doc_frequency("body", lemma) or self.reader.doc_frequency("title", lemma))

    def known_surface(self, surface: str) -> bool:
        return bool(self.reader.doc_frequency("exact", surface))

    def correct_word(self, word: Word) -> str | None:
        if self.known_lemma(word.lemma):
            return None
        switched = switch_layout(word.raw)
        if switched != word.raw.lower():
            analyzed = self.parser.analyze(switched)
            if analyzed and all(self.known_lemma(lemma) for lemma, _ in analyzed):
                return switched
        # Whoosh finds the candidates within the edit distance; the nearest
        # wins, then the most frequent (Whoosh ranks by frequency alone).
        candidates = set(self.searcher.suggest("exact", word.surface, limit=CANDIDATES, maxdist=MAX_EDIT_DISTANCE))
        if not candidates:
            return None
        return min(
            candidates,
            key=lambda c: (Levenshtein.distance(word.surface, c), -self.reader.doc_frequency("exact", c), c),
        )

    def correct_query(self, parsed: ParsedQuery) -> str | None:
        text = parsed.text
        changed = False
        for term in parsed.positive_terms():
            if isinstance(term, Word):
                fixed = self.correct_word(term)
                if fixed:
                    text = re.sub(rf"(?<![\w!-]){re.escape(term.raw)}(?!\w)", fixed, text, count=1)
                    changed = True
        return text if changed else None
