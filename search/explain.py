"""The forms found: each query word, the lemma it was searched by, and the
forms of it in the results with how often they occur there, most frequent
first; then its other readings' forms (``readings.py``) not listed yet, its
translations' and its spellings' in the other script, where any is found.

Every form is counted once a search, however many words or readings it
belongs to, by one read of its postings that touches the weights only where
a result holds it (``IndexView.occurrences``).
"""
from __future__ import annotations

from .backend import IndexView
from .query import ParsedQuery, Phrase, Word


class FormCounts:
    """How often forms occur in one search's results, each counted once."""

    def __init__(self, view: IndexView, selected) -> None:
        self.view, self.selected = view, selected
        self._counts: dict[str, int] = {}

    def of(self, form: str) -> int:
        count = self._counts.get(form)
        if count is None:
            count = self._counts[form] = self.view.occurrences("exact", form, self.selected)
        return count

    def of_lemma(self, lemma: str, listed: set[str] = frozenset()) -> list[tuple[str, int]]:
        """The forms of ``lemma`` found, but those ``listed``, with their counts."""
        found = [(form, self.of(form)) for form in self.view.forms(lemma) if form not in listed]
        return sorted(((f, c) for f, c in found if c), key=lambda fc: (-fc[1], fc[0]))


def explain(view: IndexView, parsed: ParsedQuery, selected, expansions, plan, glossary) -> list[dict]:
    """The forms found of each positive word and phrase of ``parsed`` (a
    record's "explain"), as ``expansions`` allow."""
    counts = FormCounts(view, selected)
    out = []
    seen = set()
    for term in parsed.positive_terms():
        # (lemma, via the glossary, via the other script, forms or None, listed even without a form found)
        forms_of: list[tuple[str, bool, bool, list[tuple[str, int]] | None, bool]] = []
        if isinstance(term, Word):
            first, *others = plan.lemmas(term)
            forms_of += [(lemma, False, False, None, lemma == first) for lemma in (first, *others)]
            if expansions.translate:
                forms_of += [(alt[0], True, False, None, False) for alt in glossary.translations((term.lemma,))
                             if len(alt) == 1]
            other = plan.other_script.get(term)
            if expansions.transliterate and other:
                forms_of += [(lemma, False, True, None, False) for lemma in other.lemmas]
                forms_of += [(form, False, True, [(form, counts.of(form))], False) for form in other.forms]
        elif isinstance(term, Phrase) and not term.exact:
            forms_of = [(lemma, False, False, None, lemma in term.lemmas)
                        for lemmas in plan.phrase_lemmas(term) for lemma in lemmas]
        listed: set[str] = set()  # the word's forms listed so far: another reading's are not listed again
        for lemma, via_glossary, other_script, forms, always in forms_of:
            if (term.raw, lemma) in seen:
                continue
            seen.add((term.raw, lemma))
            reading = not (via_glossary or other_script)
            if forms is None:
                forms = counts.of_lemma(lemma, listed if reading and not always else frozenset())
            forms = [(f, c) for f, c in forms if c]
            if not (forms or always):
                continue
            if reading:
                listed.update(f for f, _c in forms)
            out.append({"word": term.raw, "lemma": lemma, "glossary": via_glossary, "transliteration": other_script,
                        "forms": [{"form": f, "count": c} for f, c in forms]})
    return out
