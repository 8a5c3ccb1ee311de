"""A word's spellings in the other script: "Putin" -> "путин", "Бонаккини"
-> "bonaccini", found in a vocabulary (the index's words, or a list of names).

Each Cyrillic letter (or pair) has Latin spellings: the rules of the
transliteration schemes the extractor uses (``index.analysis.names.SCHEMES``,
read from iuliia's own definitions, context rules included) and the press's
conventions the schemes lack (``data/transliteration.tsv``: Italian "c" for
к, "gi" for дж, ...). A word is spelled in the other script letter by letter
along a trie: a branch is followed only while the vocabulary has a word that
starts so (``has_prefix``), so the many combinations are never listed, and
only words the vocabulary holds come out.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from index.analysis.lemmatizer import fold_yo
from index.analysis.names import SCHEMES

CONVENTIONS_FILE = Path(__file__).resolve().parent / "data" / "transliteration.tsv"
# The most states one spelling may visit: a long word with many ambiguous
# letters stops there rather than costing a search more than it is worth.
MAX_STATES = 4000
# Case endings a Cyrillic spelling may end with: an Italian text writes a
# name in the nominative, a Russian one may have it only in other cases
# ("Demeshin" -> "демешина"). The lemmatizer's own list for unknown words.
CASE_ENDINGS = ("", "а", "я", "у", "ю", "е", "ы", "и", "ом", "ем", "ой", "ей", "ым", "им", "ого", "его", "ому", "ему")
_LETTERS = re.compile(r"^[^\W\d_]*$")
_LATIN = re.compile(r"^[a-zà-ÿā-ž]*$")  # what a Latin spelling of a Cyrillic letter may hold


class Vocabulary(Protocol):
    """What a spelling is checked against: the index's words of one field,
    or a list of names (``WordSet``)."""

    def has_prefix(self, prefix: str) -> bool: ...

    def has(self, word: str) -> bool: ...


class WordSet:
    """A small fixed vocabulary (the names of the knowledge files)."""

    def __init__(self, words) -> None:
        self.words = frozenset(words)
        self.prefixes = frozenset(w[:i] for w in self.words for i in range(len(w) + 1))

    def has_prefix(self, prefix: str) -> bool:
        return prefix in self.prefixes

    def has(self, word: str) -> bool:
        return word in self.words


class TrieWords:
    """Words in a MARISA trie (an official's names, one view's)."""

    def __init__(self, trie) -> None:
        self.trie = trie

    def has_prefix(self, prefix: str) -> bool:
        return next(self.trie.iterkeys(prefix), None) is not None

    def has(self, word: str) -> bool:
        return word in self.trie


class IndexWords:
    """The index's words of one field, as one view holds them."""

    def __init__(self, view, field: str = "exact") -> None:
        self.view, self.field = view, field

    def has_prefix(self, prefix: str) -> bool:
        return self.view.has_prefix(self.field, prefix)

    def has(self, word: str) -> bool:
        return bool(self.view.doc_frequency(self.field, word))


@dataclass(frozen=True)
class Spelling:
    """A spelling of a chunk, and the letters that must (``only``) or must not
    (``never``) follow the chunk in its own script for it to hold."""

    text: str
    only: frozenset[str] | None = None
    never: frozenset[str] = frozenset()

    def holds_before(self, following: str) -> bool:
        return (self.only is None or following in self.only) and following not in self.never


@dataclass(frozen=True)
class _Table:
    """Source chunk -> its spellings; ``free``: spellings of chunks that
    stand for nothing in the source (ь, ъ in Cyrillic)."""

    spellings: dict[str, tuple[Spelling, ...]]
    longest: int
    free: tuple[str, ...] = ()


def _scheme_rules() -> dict[str, set[Spelling]]:
    """Cyrillic chunk -> Latin spellings, from the schemes' definitions: a
    letter's own, and what a context rule (after or before a letter, at
    the end of a word) makes of it, taken to hold anywhere."""
    rules: dict[str, set[Spelling]] = defaultdict(set)
    for scheme in SCHEMES:
        definition = json.loads(Path(scheme.path).read_text(encoding="utf-8"))
        for letter, latin in definition.get("mapping", {}).items():
            rules[letter].add(Spelling(latin))
        for pair, latin in (definition.get("prev_mapping") or {}).items():
            rules[pair[-1]].add(Spelling(latin))  # the letter after the one that sets the context
        for pair, latin in (definition.get("next_mapping") or {}).items():
            rules[pair[0]].add(Spelling(latin))
        for ending, latin in (definition.get("ending_mapping") or {}).items():
            rules[ending].add(Spelling(latin))
    return rules


_CONVENTION = re.compile(r"^\s*(?P<text>[^\s(]+)\s*(?:\((?P<not>not\s+)?(?P<letters>[^)]*)\))?\s*$")


def _conventions(path: Path = CONVENTIONS_FILE) -> dict[str, set[Spelling]]:
    rules: dict[str, set[Spelling]] = defaultdict(set)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#") and "\t" in line:
            cyrillic, spellings = line.split("\t", 1)
            for item in spellings.split(","):
                m = _CONVENTION.match(item)
                if not m:
                    raise ValueError(f"{path.name}: cannot read {item.strip()!r} for {cyrillic.strip()!r}")
                text = "" if m["text"] == "-" else m["text"]
                letters = frozenset(fold_yo(m["letters"]).split()) if m["letters"] is not None else None
                if letters is None:
                    rules[cyrillic.strip()].add(Spelling(text))
                elif m["not"]:
                    rules[cyrillic.strip()].add(Spelling(text, never=letters))
                else:
                    rules[cyrillic.strip()].add(Spelling(text, only=letters))
    return rules


class Transliterator:
    """Spellings of a word in the other script, found in a vocabulary."""

    def __init__(self, conventions: Path = CONVENTIONS_FILE) -> None:
        rules = _scheme_rules()
        for chunk, spellings in _conventions(conventions).items():
            rules[chunk] |= spellings
        to_latin: dict[str, set[Spelling]] = defaultdict(set)
        for chunk, spellings in rules.items():
            for spelling in spellings:
                text = spelling.text.lower().replace("·", "").replace("\u0361", "")
                if not _LATIN.match(text):
                    continue  # the index has no apostrophes or marks in its words
                if "ё" in chunk and text == "o":
                    continue  # ё after a hushing letter; as е (the index's ё) it would make every е an o
                to_latin[fold_yo(chunk.lower())].add(Spelling(text, spelling.only, spelling.never))
        to_cyrillic: dict[str, set[Spelling]] = defaultdict(set)
        for chunk, spellings in to_latin.items():
            for spelling in spellings:
                if spelling.text:
                    to_cyrillic[spelling.text].add(Spelling(chunk))  # the context is checked going back
        self.to_latin = _Table({c: tuple(sorted(s, key=repr)) for c, s in to_latin.items()}, max(map(len, to_latin)))
        self.to_cyrillic = _Table({c: tuple(sorted(s, key=repr)) for c, s in to_cyrillic.items()}, max(map(len, to_cyrillic)),
                                  free=tuple(sorted(c for c, s in to_latin.items()
                                                    if len(c) == 1 and any(not x.text for x in s))))

    def spellings(self, word: str, vocabulary: Vocabulary, endings: tuple[str, ...] = ("",)) -> set[str]:
        """The words of ``vocabulary`` that spell ``word`` (lowercase, ё as е)
        in the other script; a Cyrillic spelling may add one of ``endings``."""
        word = fold_yo(word.lower())
        if not word or not _LETTERS.match(word):
            return set()
        if re.search(r"[а-я]", word):
            if re.search(r"[a-z]", word):
                return set()  # a word in both scripts is spelled in neither
            return {full for _, full in _walk(word, self.to_latin, vocabulary, ("",))}
        # Latin to Cyrillic: the table read backwards, without the letters'
        # contexts; each spelling found is checked forwards, with them
        back = WordSet([word])
        return {full for base, full in _walk(word, self.to_cyrillic, vocabulary, endings)
                if _walk(base, self.to_latin, back, ("",))}


    def prefixes(self, typed: str, vocabulary: Vocabulary) -> set[str]:
        """The other script's spellings of the opening letters ``typed``
        that words of ``vocabulary`` start with: "degt" -> "дегт", for a
        search box that completes names as they are typed."""
        typed = fold_yo(typed.lower())
        if not typed or not _LETTERS.match(typed) or (re.search(r"[а-я]", typed) and re.search(r"[a-z]", typed)):
            return set()
        table = self.to_latin if re.search(r"[а-я]", typed) else self.to_cyrillic
        return {spelled for spelled, _ in _walk(typed, table, vocabulary, ("",), whole=False)}


def _walk(word: str, table: _Table, vocabulary: Vocabulary, endings: tuple[str, ...],
          whole: bool = True) -> set[tuple[str, str]]:
    """(spelling, spelling with an ending) for every spelling of ``word``
    chunk by chunk whose every prefix the vocabulary has, kept where the
    vocabulary has it whole (with one of ``endings``); or, if not ``whole``,
    where some word of it starts so."""
    found: set[tuple[str, str]] = set()
    seen: set[tuple[int, str]] = set()
    stack = [(0, "", False)]
    while stack and len(seen) < MAX_STATES:
        at, spelled, after_free = stack.pop()
        if (at, spelled) in seen:
            continue
        seen.add((at, spelled))
        if at == len(word):
            if not whole:
                found.add((spelled, spelled))  # every prefix on the way was checked
                continue
            found.update((spelled, spelled + e) for e in endings if spelled + e and vocabulary.has(spelled + e))
        for size in range(1, min(table.longest, len(word) - at) + 1):
            following = word[at + size:at + size + 1]
            for spelling in table.spellings.get(word[at:at + size], ()):
                if not spelling.holds_before(following):
                    continue
                longer = spelled + spelling.text
                if longer == spelled or vocabulary.has_prefix(longer):
                    stack.append((at + size, longer, False))
        if not after_free and at > 0:
            for spelling in table.free:  # a soft or hard sign the other script does not write
                if vocabulary.has_prefix(spelled + spelling):
                    stack.append((at, spelled + spelling, True))
    return found
