""""Did you mean": typos and the wrong keyboard layout, corrected from the
index's own vocabulary."""
from __future__ import annotations

import re
from collections.abc import Callable

from index.config import data_lines

from .query import ParsedQuery, Word

MAX_EDIT_DISTANCE = 2


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
    """``terms`` answers how many documents hold a term (the search's
    posting reader); ``vocabulary`` is every word form of the index, a
    sorted list, asked for only when a word is unknown."""

    def __init__(self, terms, parser, vocabulary: Callable[[], list[str]]) -> None:
        self.terms = terms
        self.parser = parser
        self.vocabulary = vocabulary

    def known_lemma(self, lemma: str) -> bool:
        return bool(self.terms.doc_frequency("body", lemma) or self.terms.doc_frequency("title", lemma))

    def known_surface(self, surface: str) -> bool:
        return bool(self.terms.doc_frequency("exact", surface))

    def correct_word(self, word: Word) -> str | None:
        if self.known_lemma(word.lemma):
            return None
        switched = switch_layout(word.raw)
        if switched != word.raw.lower():
            analyzed = self.parser.analyze(switched)
            if analyzed and all(self.known_lemma(lemma) for lemma, _ in analyzed):
                return switched
        # Every word form within the edit distance, compared in C (Whoosh's
        # own suggester walked 300,000 forms in Python for 20 s); the
        # nearest wins, then the most frequent. Imported here: most searches
        # never get this far, and a command-line search starts faster without it.
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        candidates = process.extract(word.surface, self.vocabulary(), scorer=Levenshtein.distance,
                                     score_cutoff=MAX_EDIT_DISTANCE, limit=None)
        if not candidates:
            return None
        return min(
            ((distance, -self.terms.doc_frequency("exact", form), form) for form, distance, _ in candidates),
        )[2]

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
