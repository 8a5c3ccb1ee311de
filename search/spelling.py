""""Did you mean": typos and the wrong keyboard layout, corrected from the
index's own vocabulary.

A correction is offered only for a word that is none of: a word of the
index, a name or place the search knows (the caller says which), a word the
dictionary of its script knows (``metallurgico`` is Italian, even if no
document has it). It is never a stop word, nor a word of the other script
or, for a Latin-script word, one the Italian dictionary lacks unless it is a
name ("la" for "Tula", "metallurgical" for "metallurgico" are not offered).
"""
from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from index.analysis.lemmatizer import script_of
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


# Each letter's bit in a word's set of letters: 33 Cyrillic, 26 Latin, the
# rest share the last bit (sharing only lets more words through the filter).
_ALPHABET = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяabcdefghijklmnopqrstuvwxyz"
_BIT = np.full(0x500, 63, dtype=np.uint64)
_BIT[0] = 0  # padding of short words: no letter
for _i, _ch in enumerate(_ALPHABET):
    _BIT[ord(_ch)] = _i
_BIT_MASK = np.left_shift(np.uint64(1), _BIT)
_BIT_MASK[0] = 0
_LETTERS_READ = 24  # a word's letters past these do not count in its set (it only widens the filter)
_CHUNK = 100_000


def letter_sets(words: list[str]) -> np.ndarray:
    """Each word's set of letters as a 64-bit mask, computed in numpy a
    chunk of words at a time."""
    out = np.zeros(len(words), dtype=np.uint64)
    for start in range(0, len(words), _CHUNK):
        chunk = np.array([w[:_LETTERS_READ] for w in words[start:start + _CHUNK]], dtype=f"U{_LETTERS_READ}")
        codes = chunk.view(np.uint32).reshape(len(chunk), -1)
        codes = np.minimum(codes, len(_BIT_MASK) - 1)
        out[start:start + len(chunk)] = np.bitwise_or.reduce(_BIT_MASK[codes], axis=1)
    return out


class SpellingIndex:
    """The index's word forms, each with its length and set of letters: a
    form within two edits of a word has at most four letters in one of the
    two sets and not the other, and a length within two, which rules out
    all but a few thousand of a million forms in one pass of numpy before
    they are compared edit by edit. Built for a view on its first unknown
    word (a second at 100,000 documents, as reading its vocabulary was),
    then shared."""

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.lengths = np.fromiter(map(len, words), dtype=np.int32, count=len(words))
        self.letters = letter_sets(words)

    def near(self, word: str, distance: int = MAX_EDIT_DISTANCE) -> list[tuple[str, int]]:
        """(form, edit distance) of every form within ``distance`` edits."""
        if not self.words:
            return []
        (letters,) = letter_sets([word])
        close = np.flatnonzero((np.abs(self.lengths - len(word)) <= distance)
                               & (np.bitwise_count(self.letters ^ letters) <= 2 * distance))
        # Imported here: most searches never get this far, and a
        # command-line search starts faster without it.
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        candidates = [self.words[i] for i in close.tolist()]
        return [(form, d) for form, d, _ in process.extract(word, candidates, scorer=Levenshtein.distance,
                                                            score_cutoff=distance, limit=None)]


def spelling_index(view):
    """What finds a view's spelling candidates (``near``): its own, if it
    has one (a cluster asks its vocabulary per word), else a
    ``SpellingIndex`` of its every word form."""
    own = getattr(view, "spelling_index", None)
    return own() if own is not None else SpellingIndex(view.vocabulary())


class Speller:
    """``terms`` answers how many documents hold a term (the search's view);
    ``index`` gives the view's ``SpellingIndex``, asked for only when a
    word is unknown; ``is_name`` tells the query words that name a known
    person or place, ``is_name_form`` the index's forms that are names."""

    def __init__(self, terms, parser, index: Callable[[], SpellingIndex], lemmatizer,
                 is_name: Callable[[Word], bool] = lambda word: False,
                 is_name_form: Callable[[str], bool] = lambda form: False) -> None:
        self.terms = terms
        self.parser = parser
        self.index = index
        self.lemmatizer = lemmatizer
        self.is_name = is_name
        self.is_name_form = is_name_form

    def known_lemma(self, lemma: str) -> bool:
        return bool(self.terms.doc_frequency("body", lemma) or self.terms.doc_frequency("title", lemma))

    def known_surface(self, surface: str) -> bool:
        return bool(self.terms.doc_frequency("exact", surface))

    def in_dictionary(self, surface: str) -> bool:
        """Does the dictionary of the word's script know it (not guess it)?"""
        script = script_of(surface)
        if script == "cyrillic":
            return bool(self.lemmatizer.known_parses(surface))
        return script == "latin" and self.lemmatizer.knows_italian(surface)

    def offered(self, form: str, script: str) -> bool:
        """May a form of the index be offered for a word of ``script``?"""
        if script_of(form) != script or form in self.parser.stop_words:
            return False
        if not self.parser.analyze(form):  # a stop word by its lemma ("была": быть)
            return False
        return script != "latin" or self.lemmatizer.knows_italian(form) or self.is_name_form(form)

    def correct_word(self, word: Word) -> str | None:
        if self.known_lemma(word.lemma) or self.is_name(word) or self.known_surface(word.surface):
            return None  # a form the index holds finds it, whatever its lemma alone (``readings.py``)
        switched = switch_layout(word.raw)
        if switched != word.raw.lower():
            analyzed = self.parser.analyze(switched)
            if analyzed and all(self.known_lemma(lemma) for lemma, _ in analyzed):
                return switched
        if self.in_dictionary(word.surface):
            return None  # a word of its language the index lacks: nothing to correct
        script = script_of(word.surface)
        offered = [(distance, form) for form, distance in self.index().near(word.surface) if self.offered(form, script)]
        if not offered:
            return None
        # the nearest forms, the one in most documents (then the first in order)
        nearest = min(distance for distance, _form in offered)
        return min((-self.terms.doc_frequency("exact", form), form) for distance, form in offered
                   if distance == nearest)[1]

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
