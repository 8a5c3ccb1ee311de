"""The highlighting pattern: the query's forms as one tree of shared openings
finds exactly what a plain list of them finds, on any words and text."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from search.highlight import MatchSpec, _yo_insensitive, match_spans, word_pattern

LETTERS = "абеёжк"
words = st.text(alphabet=LETTERS + "-", min_size=1, max_size=6).filter(lambda w: w.strip("-") == w and "--" not in w)
texts = st.text(alphabet=LETTERS + "АЕЁ- .,", max_size=120)


def listed(surfaces, prefixes) -> re.Pattern:
    """The pattern as it was: every form an alternative, longest first."""
    alternatives = [_yo_insensitive(s) for s in sorted(surfaces, key=len, reverse=True)]
    alternatives += [_yo_insensitive(p) + r"[^\W_]*(?:-[^\W_]+)*" for p in prefixes]
    return re.compile("(?:" + "|".join(alternatives) + r")(?![^\W_])(?!-[^\W_])")


@settings(max_examples=400, deadline=None)
@given(surfaces=st.sets(words.map(lambda w: w.replace("ё", "е")), min_size=1, max_size=12),
       prefixes=st.lists(words, max_size=2), text=texts)
def test_the_tree_finds_what_the_list_finds(surfaces, prefixes, text):
    tree = word_pattern(tuple(sorted(surfaces)), tuple(prefixes), False)
    lowered = text.lower()
    assert [m.span() for m in tree.finditer(lowered)] == [m.span() for m in listed(surfaces, prefixes).finditer(lowered)]


def test_forms_share_their_openings():
    pattern = word_pattern(("экспорт", "экспорта", "экспорту", "шел", "шла"), (), False).pattern
    assert "(?:ш(?:[её]л|ла)|экспорт[ау]?)" in pattern
    spec = MatchSpec(surfaces={"экспорт", "экспорта", "шел"})
    text = "Экспорта нет, экспортёр шёл, а экспорт-импорт не в счёт."
    assert [text[s:e] for s, e, _ in match_spans(text, spec)] == ["Экспорта", "шёл"]
