"""Marking matched words in original text, whatever their inflection.

The query's lemmas are turned into the surface forms the index holds for
them (its ``forms`` field), and every word of the text in one of those forms
(or an exact or prefix term) is marked: any inflection, and no second
lemmatization of the text. Snippets are the windows of text with
the most distinct matched words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape

from index.analysis.lemmatizer import fold_yo

SNIPPET_CHARS = 240
MAX_SNIPPETS = 3


@dataclass
class MatchSpec:
    """What counts as a match: lemmas, exact surface forms, surface prefixes."""

    lemmas: set[str] = field(default_factory=set)
    surfaces: set[str] = field(default_factory=set)
    prefixes: tuple[str, ...] = ()
    lemma_of: dict[str, str] = field(default_factory=dict)  # surface -> the query lemma it came from
    _patterns: dict[bool, re.Pattern] = field(default_factory=dict, repr=False)  # by ignore_case

    def __bool__(self) -> bool:
        return bool(self.surfaces or self.prefixes)

    def matches(self, surface: str) -> bool:
        return surface in self.surfaces or surface.startswith(self.prefixes or ("\x00",))

    def pattern(self, ignore_case: bool = False) -> re.Pattern:
        """The query's words, each ending where its chain of words does
        (``word_pattern``). Matched on lowercased text, unless ``ignore_case``."""
        if ignore_case not in self._patterns:
            self._patterns[ignore_case] = word_pattern(tuple(sorted(self.surfaces)), self.prefixes, ignore_case)
        return self._patterns[ignore_case]


@lru_cache(maxsize=256)
def word_pattern(surfaces: tuple[str, ...], prefixes: tuple[str, ...], ignore_case: bool) -> re.Pattern:
    """Any of ``surfaces``, or a word chain starting with one of
    ``prefixes``, ending where its chain of words does: not followed by a
    letter, a digit or a joining hyphen (so of the words that match at a
    place, only the one that runs to the chain's end can). The surfaces are
    one tree of shared openings (``_tree``): a word's forms share most of
    their letters, and the tree compiles in a third of the time of a list of
    them and is matched faster. Where a word begins is checked after a match
    (``_JOINED_BEFORE``): a pattern that opens with a look-behind is tried at
    every character of the text, three times slower. Kept for the next
    search with the same words (a page of results, another page)."""
    words = [_tree(surfaces)] if surfaces else []
    words += [_yo_insensitive(p) + r"[^\W_]*(?:-[^\W_]+)*" for p in prefixes]
    return re.compile("(?:" + "|".join(words) + r")(?![^\W_])(?!-[^\W_])", re.IGNORECASE if ignore_case else 0)


def _tree(words: tuple[str, ...]) -> str:
    """A pattern matching exactly ``words``, as a tree of their shared
    openings: "экспорт(?:а|у)?" for экспорт, экспорта, экспорту."""
    root: dict = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def branch(node: dict) -> str:
        ends_here = "" in node
        children = [(ch, branch(child)) for ch, child in sorted(node.items()) if ch]
        if not children:
            return ""
        if len(children) > 1 and not any(rest for _ch, rest in children):  # last letters: one class
            group = "[" + "".join("её" if ch == "е" else re.escape(ch) for ch, _rest in children) + "]"
        else:
            alternatives = [_yo_insensitive(ch) + rest for ch, rest in children]
            if len(alternatives) == 1 and not ends_here:
                return alternatives[0]
            group = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
            if ends_here and len(alternatives) == 1 and len(children[0][0] + children[0][1]) > 1:
                group = "(?:" + group + ")"
        return group + "?" if ends_here else group

    return branch(root)


# A word of the chain begins where no letter or digit, nor one and a joining
# hyphen, comes before it.
_JOINED_BEFORE = re.compile(r"[^\W_]-?\Z")


# A piece of text and whether it is a match: renderers (HTML, terminal) turn
# these into <mark> or bold.
Segments = list[tuple[str, bool]]


def match_spans(text: str, spec: MatchSpec) -> list[tuple[int, int, str]]:
    """(start, end, query word) of every matched word in ``text``: whole words
    as the analysis chain cuts them, any case, ё or е. One regular expression
    per query finds them (this runs for every displayed hit)."""
    if not spec or not text:
        return []
    lowered = text.lower()
    # Lowercasing keeps every offset unless a character grows (the Turkish
    # İ): such a text is searched as it is, ignoring case.
    if len(lowered) == len(text):
        searched, pattern = lowered, spec.pattern()
    else:
        searched, pattern = text, spec.pattern(ignore_case=True)
    spans = []
    for m in pattern.finditer(searched):
        start = m.start()
        if _JOINED_BEFORE.search(searched, max(0, start - 2), start):
            continue  # inside a word: it runs to that word's end, before any word that may match
        surface = fold_yo(m.group(0).lower())
        if spec.matches(surface):  # the pattern is a prefilter; the chain's word decides
            spans.append((start, m.end(), spec.lemma_of.get(surface, surface)))
    return spans


def with_mentions(spans: list[tuple[int, int, str]], entity_spans, entities) -> list[tuple[int, int, str]]:
    """The spans with the text's mentions of ``entities`` (the officials and
    places a query names, as the document's ``entity_spans`` mark them:
    "Mikhail Degtyarev" for Дегтярёв) added where no span is."""
    if not entities:
        return spans
    wanted = {(e.facet, e.value) for e in entities}
    mentions = [(s, e, value) for s, e, kind, value in entity_spans or () if (kind, value) in wanted]
    if not mentions:
        return spans
    out: list[tuple[int, int, str]] = []
    for span in sorted(spans + mentions):
        if not out or span[0] >= out[-1][1]:
            out.append(span)
    return out


def _yo_insensitive(word: str) -> str:
    return "".join("[её]" if ch == "е" else re.escape(ch) for ch in word)


def segments(text: str, spans: list[tuple[int, int, str]], start: int = 0, end: int | None = None) -> Segments:
    end = len(text) if end is None else end
    out: Segments = []
    pos = start
    for s, e, _ in spans:
        if e <= start or s >= end:
            continue
        if s > pos:
            out.append((text[pos:s], False))
        out.append((text[s:e], True))
        pos = e
    if pos < end:
        out.append((text[pos:end], False))
    return out


def snippets(text: str, spans: list[tuple[int, int, str]], width: int = SNIPPET_CHARS,
             limit: int = MAX_SNIPPETS) -> list[Segments]:
    """Up to ``limit`` non-overlapping windows, shown in text order; the
    opening of the text if nothing matched. Windows are chosen greedily: each
    next one adds the most query words not yet shown, then the most word forms
    not yet shown, then the most matches."""
    if not spans:
        return [segments(text, [], 0, _word_end(text, min(len(text), width)))] if text else []
    windows = []
    for i, (s, _e, _l) in enumerate(spans):
        lo = _word_start(text, max(0, s - width // 3))
        hi = _word_end(text, min(len(text), lo + width))
        inside = [sp for sp in spans[i:] if sp[1] <= hi]
        windows.append((lo, hi, {sp[2] for sp in inside}, {text[sp[0]:sp[1]].lower() for sp in inside}, len(inside)))
    chosen: list[tuple[int, int]] = []
    shown_lemmas: set[str] = set()
    shown_forms: set[str] = set()
    while len(chosen) < limit:
        free = [w for w in windows if all(w[1] <= a or w[0] >= b for a, b in chosen)]
        if not free:
            break
        lo, hi, lemmas, forms, _n = max(
            free, key=lambda w: (len(w[2] - shown_lemmas), len(w[3] - shown_forms), w[4], -w[0]))
        chosen.append((lo, hi))
        shown_lemmas |= lemmas
        shown_forms |= forms
    chosen.sort()
    out = []
    for lo, hi in chosen:
        seg = segments(text, spans, lo, hi)
        if lo > 0:
            seg.insert(0, ("…", False))
        if hi < len(text):
            seg.append(("…", False))
        out.append(seg)
    return out


def _word_start(text: str, pos: int) -> int:
    if pos <= 0:
        return 0
    space = text.rfind(" ", 0, pos)
    newline = text.rfind("\n", 0, pos)
    cut = max(space, newline)
    return cut + 1 if cut >= 0 and pos - cut < 30 else pos


def _word_end(text: str, pos: int) -> int:
    if pos >= len(text):
        return len(text)
    space = text.find(" ", pos)
    return space if 0 <= space and space - pos < 30 else pos


def to_html(segs: Segments) -> str:
    """Escaped text with only <mark> inserted."""
    return "".join(f"<mark>{escape(t)}</mark>" if hit else escape(t) for t, hit in segs).replace("\n", " ")


BOLD, RESET = "\x1b[1m", "\x1b[0m"


def to_terminal(segs: Segments, color: bool = True) -> str:
    text = "".join((f"{BOLD}{t}{RESET}" if color else f"*{t}*") if hit else t for t, hit in segs)
    return " ".join(text.split())
