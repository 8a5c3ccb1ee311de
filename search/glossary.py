"""A small Russian <-> Italian glossary for cross-language query expansion."""
from __future__ import annotations

from pathlib import Path

GLOSSARY_FILE = Path(__file__).resolve().parent / "data" / "glossary.tsv"


class Glossary:
    """Term (as a tuple of lemmas) -> the other language's terms. Both sides
    are lemmatized with the index's chain, so "sostituzione delle importazioni"
    becomes the phrase the index holds."""

    def __init__(self, parser, path: Path = GLOSSARY_FILE) -> None:
        self._pairs: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#") or "\t" not in line:
                continue
            left, right = (tuple(lemma for lemma, _ in parser.analyze(side)) for side in line.split("\t", 1))
            if left and right:
                self._pairs.setdefault(left, []).append(right)
                self._pairs.setdefault(right, []).append(left)

    def translations(self, lemmas: tuple[str, ...]) -> list[tuple[str, ...]]:
        return self._pairs.get(tuple(lemmas), [])
