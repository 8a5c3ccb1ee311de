"""A small Russian <-> Italian glossary for cross-language query expansion."""
from __future__ import annotations

from pathlib import Path

from index.config import DATA_DIR

GLOSSARY_FILE = DATA_DIR / "glossary.tsv"  # beside the build's knowledge: stories match across languages by it too


class Glossary:
    """Term (as a tuple of lemmas) -> the other language's terms. Both sides
    are lemmatized with the index's chain, so "sostituzione delle importazioni"
    becomes the phrase the index holds."""

    def __init__(self, parser, path: Path = GLOSSARY_FILE) -> None:
        self._pairs: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        for left, right in self.entries(path):
            # Russian through the chain (cheap); Italian as written, already
            # in lemma form, minus stop words (loading the Italian dictionary
            # costs most of a cold start).
            ru = tuple(lemma for lemma, _ in parser.analyze(left))
            it = tuple(word for word in parser.surfaces(right) if word not in parser.stop_words)
            if ru and it:
                self._pairs.setdefault(ru, []).append(it)
                self._pairs.setdefault(it, []).append(ru)

    @staticmethod
    def entries(path: Path = GLOSSARY_FILE) -> list[tuple[str, str]]:
        out = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#") and "\t" in line:
                left, right = line.split("\t", 1)
                out.append((left.strip(), right.strip()))
        return out

    def translations(self, lemmas: tuple[str, ...]) -> list[tuple[str, ...]]:
        return self._pairs.get(tuple(lemmas), [])
