"""From a parsed query to the algebra a backend matches (``backend.py``).

A word matches its lemma in the title or the body, and, as the request's
expansions allow, the glossary's translations, its spellings in the other
script and the documents of the official or place it names (ranked below
every document with the words typed); a prefix its words; a field its facet
value as the view spells it. The plan (``expansion.py``) has found, once
per query, what each word names and how it is spelled elsewhere.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .backend import EVERYTHING, NOTHING, AllOf, AnyOf, Fallback, IndexView, Term, Without, any_of
from .backend import Phrase as PhraseQuery
from .expansion import Plan
from .query import And, Exact, FieldQuery, Not, Or, Phrase, Prefix, Word

if TYPE_CHECKING:
    from .request import SearchRequest

MAX_PREFIX_TERMS = 512
# A match in the other language through the glossary counts half as much as
# the word itself: a Russian query shows Russian articles first.
GLOSSARY_WEIGHT = 0.5
# So does a spelling of a name in the other script ("Putin" for "путин").
TRANSLITERATION_WEIGHT = 0.5
# A document where only the entity a word names was found (not the word)
# ranks below every document with the word, at half the lowest such score.
ENTITY_WEIGHT = 0.5
# So does a document with only the reading of a word the corpus supports
# less ("пасе": the Assembly first, a football pass below).
READING_WEIGHT = 0.5


@dataclass(frozen=True)
class Expansions:
    """What a query's words may match besides their own forms: the
    glossary's translations, their spellings in the other script, and the
    documents of the officials and places they name."""

    translate: bool = True
    transliterate: bool = True
    entities: bool = True

    @classmethod
    def of(cls, request: SearchRequest) -> "Expansions":
        return cls(request.translate, request.transliterate, request.entities)


NO_EXPANSIONS = Expansions(False, False, False)


def lemma_query(lemmas: tuple[str, ...], weight: float = 1.0):
    if len(lemmas) == 1:
        return title_or_body(lemmas[0], weight)
    return AnyOf((PhraseQuery("title", tuple(lemmas), weight), PhraseQuery("body", tuple(lemmas), weight)))


def facet_query(name: str, value: str, view: IndexView):
    if name == "official" and value in view.linked_from:
        # the documents that name the official only as the corpus completes it too
        return AnyOf(tuple(Term(name, v) for v in (value, *view.linked_from[value])))
    return Term(name, value)


def title_or_body(lemma: str, weight: float = 1.0):
    """A lemma in the title (weighted higher by the schema) or the body."""
    return AnyOf((Term("title", lemma, weight), Term("body", lemma, weight)))


class QueryCompiler:
    """One query compiled: the parsed tree, with the plan's expansions that
    ``expansions`` allow."""

    def __init__(self, engine, expansions: Expansions, view: IndexView, notes: list[str], plan: Plan) -> None:
        self.engine, self.expansions, self.view, self.notes, self.plan = engine, expansions, view, notes, plan

    def compile(self, node):
        if node is None:
            return EVERYTHING
        if isinstance(node, And):
            positive, negative = [], []
            at = 0
            while at < len(node.items):
                if isinstance(node.items[at], Not):
                    negative.append(self.compile(node.items[at]))
                    at += 1
                    continue
                size, query = self._unit(node.items, at)
                positive.append(query)
                at += size
            base = AllOf(tuple(positive)) if positive else EVERYTHING
            return Without(base, AnyOf(tuple(negative))) if negative else base
        if isinstance(node, Or):
            return AnyOf(tuple(self.compile(i) for i in node.items))
        if isinstance(node, Not):
            # the caller subtracts it; what a word names or spells elsewhere is not excluded with it
            fewer = Expansions(self.expansions.translate, False, False)
            return QueryCompiler(self.engine, fewer, self.view, self.notes, self.plan.only_readings()).compile(node.item)
        if isinstance(node, Word):
            return self._with_entity(self._word(node), self.plan.words.get(node))
        if isinstance(node, Exact):
            return Term("exact", node.surface)
        if isinstance(node, Prefix):
            return self._prefix(node)
        if isinstance(node, Phrase):
            if node.exact:
                return PhraseQuery("exact", node.surfaces)
            alternatives = [lemma_query(lemmas) for lemmas in self.plan.phrase_lemmas(node)]
            if self.expansions.translate:
                alternatives += [lemma_query(t, GLOSSARY_WEIGHT) for t in self.engine.glossary.translations(node.lemmas)]
            return self._with_entity(any_of(alternatives), self.plan.phrases.get(node))
        if isinstance(node, FieldQuery):
            return self._field(node)
        return NOTHING

    def _unit(self, items: tuple, at: int) -> tuple[int, object]:
        """The words from ``at`` that go together: a run naming an entity,
        two words the index also holds hyphenated, or one item."""
        for size in range(self.plan.longest_run, 1, -1):
            run = tuple(items[at:at + size])
            naming = self.plan.runs.get(run) if len(run) == size else None
            if naming is not None:
                main = AllOf(tuple(self._word(w) for w in run))
                if run in self.plan.joined:
                    main = AnyOf((main, title_or_body(self.plan.joined[run])))
                return size, self._with_entity(main, naming)
        pair = tuple(items[at:at + 2])
        if pair in self.plan.joined:
            words = AllOf(tuple(self._with_entity(self._word(w), self.plan.words.get(w)) for w in pair))
            return 2, AnyOf((words, title_or_body(self.plan.joined[pair])))
        return 1, self.compile(items[at])

    def _word(self, node: Word):
        """A word in any form, its hyphenated parts as a phrase, its
        translations and its spellings in the other script."""
        alternatives = [self._reading(node)]
        parts = self.plan.hyphen_parts.get(node)
        if parts:
            alternatives.append(lemma_query(parts))  # "Emilia-Romagna" as "Emilia Romagna"
        if self.expansions.translate:
            alternatives += [lemma_query(t, GLOSSARY_WEIGHT) for t in self.engine.glossary.translations((node.lemma,))]
        other = self.plan.other_script.get(node)
        if self.expansions.transliterate and other:
            alternatives += [title_or_body(lemma, TRANSLITERATION_WEIGHT) for lemma in other.lemmas]
            alternatives += [Term("exact", form, TRANSLITERATION_WEIGHT) for form in other.forms]
        return any_of(alternatives)

    def _reading(self, node: Word, field: str | None = None):
        """A word's lemma, or, for a word with several readings in this index
        (``readings.py``), the one it is searched by with the others below
        it; in the title and the body, or in ``field``."""
        first, *others = self.plan.lemmas(node)
        term = title_or_body if field is None else (lambda lemma: Term(field, lemma))
        main = term(first)
        return Fallback(main, any_of([term(o) for o in others]), READING_WEIGHT) if others else main

    def _with_entity(self, main, naming):
        if not self.expansions.entities or naming is None or naming.entity is None:
            return main
        entity = naming.entity
        return Fallback(main, facet_query(entity.facet, entity.value, self.view), ENTITY_WEIGHT)

    def _prefix(self, node: Prefix):
        view, notes = self.view, self.notes
        terms = view.expand_prefix("exact", node.prefix, MAX_PREFIX_TERMS + 1)
        if len(terms) > MAX_PREFIX_TERMS:
            notes.append(f"{node.raw} matches more than {MAX_PREFIX_TERMS} words; only the first {MAX_PREFIX_TERMS} are searched")
            terms = terms[:MAX_PREFIX_TERMS]
        return AnyOf(tuple(Term("exact", t) for t in terms)) if terms else NOTHING

    def _field(self, node: FieldQuery):
        view, notes = self.view, self.notes
        if node.name == "title":
            inner = node.inner
            if isinstance(inner, Word):
                return self._reading(inner, "title")
            if isinstance(inner, Phrase):
                return any_of([PhraseQuery("title", lemmas) for lemmas in self.plan.phrase_lemmas(inner)])
            return NOTHING
        if view.facet_column(node.name) is None:
            notes.append(f"no {node.name} called {node.value!r}")
            return NOTHING
        value, note = self.engine.facet_values_of(view).resolve(node.name, node.value)
        if note:
            notes.append(note)
        return facet_query(node.name, value, view) if value is not None else NOTHING
