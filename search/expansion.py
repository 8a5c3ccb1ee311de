"""What a query's words stand for beyond their own forms, worked out once a
search: the lemmas they are read as in this index (``readings.py``), the
entities they name (``entities.py``), their spellings in the other script
(``transliteration.py``) and the parts of hyphenated words.
The engine compiles a parsed query with this plan; compiling it again with
an expansion switched off tells which hits came through which one.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from index.analysis.lemmatizer import script_of

from .entities import EntityLexicon, Naming, QueryWord, looks_like_name
from .query import And, FieldQuery, Not, Or, ParsedQuery, Phrase, Word
from .readings import phrase_readings, word_readings
from .transliteration import CASE_ENDINGS, IndexWords, Transliterator


@dataclass(frozen=True)
class OtherScript:
    """A word's spellings in the other script that the index holds: Russian
    ones as lemmas where the spelling is a case form of one (any case of
    "путин" for "Putin"), Latin ones and any other as the forms written
    (Italian does not inflect names, and a Russian query need not load the
    Italian dictionary to lemmatize them)."""

    lemmas: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.lemmas or self.forms)


@dataclass
class Plan:
    """The expansions of one parsed query."""

    runs: dict[tuple, Naming] = field(default_factory=dict)  # adjacent Word items of an And -> what they name
    words: dict[Word, Naming] = field(default_factory=dict)  # a word alone
    phrases: dict[Phrase, Naming] = field(default_factory=dict)  # a quoted phrase
    other_script: dict[Word, OtherScript] = field(default_factory=dict)
    hyphen_parts: dict[Word, tuple[str, ...]] = field(default_factory=dict)  # "Emilia-Romagna" -> (emilia, romagna)
    joined: dict[tuple[Word, Word], str] = field(default_factory=dict)  # "Ханты Мансийский" -> ханты-мансийский
    longest_run: int = 1
    # every word's and phrase's readings, negated ones too (``readings.py``)
    readings: dict[Word, tuple[str, ...]] = field(default_factory=dict)
    phrase_readings: dict[Phrase, tuple[tuple[str, ...], ...]] = field(default_factory=dict)

    def lemmas(self, word: Word) -> tuple[str, ...]:
        """The lemmas a word is searched by, the first ranked above the others."""
        return self.readings.get(word) or (word.lemma,)

    def phrase_lemmas(self, phrase: Phrase) -> tuple[tuple[str, ...], ...]:
        """The lemma sequences a (not exact) phrase is searched as."""
        return self.phrase_readings.get(phrase) or (phrase.lemmas,)

    def only_readings(self) -> "Plan":
        """This plan's readings, without its expansions."""
        return Plan(readings=self.readings, phrase_readings=self.phrase_readings)

    def namings(self) -> list[Naming]:
        return [*self.runs.values(), *self.words.values(), *self.phrases.values()]

    def entities(self) -> list:
        return [n.entity for n in self.namings() if n.entity is not None]


class Planner:
    """Works out a query's plan against one view of the index."""

    def __init__(self, parser, lemmatizer, transliterator: Transliterator) -> None:
        self.parser = parser
        self.lemmatizer = lemmatizer
        self.transliterator = transliterator

    def readings(self, root, view, acronyms: bool) -> Plan:
        """A plan with the readings of every word and phrase under ``root``
        (a parsed query's node) alone; ``acronyms``: a lower-case word is
        read capitalized too."""
        plan = Plan()

        def visit(node) -> None:
            if isinstance(node, (And, Or)):
                for item in node.items:
                    visit(item)
            elif isinstance(node, Not):
                visit(node.item)
            elif isinstance(node, FieldQuery):
                visit(node.inner)
            elif isinstance(node, Word):
                plan.readings[node] = word_readings(view, self.lemmatizer, node, acronyms)
            elif isinstance(node, Phrase) and not node.exact:
                plan.phrase_readings[node] = phrase_readings(view, node.lemmas, node.surfaces)

        visit(root)
        return plan

    def plan(self, parsed: ParsedQuery, view, lexicon_of: Callable[[], EntityLexicon] | None,
             acronyms: bool = True) -> Plan:
        """``lexicon_of`` gives the view's lexicon, asked for only if a word
        may be a name (a query of common words does not build it); None: no
        entities (the other script's spellings are still worked out: they
        are switched off at compiling)."""
        plan = self.readings(parsed.root, view, acronyms)
        index_words = IndexWords(view)
        asked: dict[Word, QueryWord] = {}
        held: list[EntityLexicon] = []

        def lexicon() -> EntityLexicon:
            if not held:
                held.append(lexicon_of())
            return held[0]

        ask = lexicon if lexicon_of is not None else None  # built once a search, if at all

        def query_word(word: Word) -> QueryWord:
            if word not in asked:
                asked[word] = found = self.query_word(word, view, ask)
                if "-" in word.surface:
                    parts = tuple(lemma for lemma, _ in self.parser.analyze(word.surface.replace("-", " ")))
                    if len(parts) > 1:
                        plan.hyphen_parts[word] = parts
                if found.other_script:
                    plan.other_script[word] = self._other_script(found, index_words)
            return asked[word]

        def visit(node, negated: bool) -> None:
            if isinstance(node, And):
                runs: list[list[Word]] = [[]]
                for item in node.items:
                    if isinstance(item, Word) and not negated:
                        runs[-1].append(item)
                    else:
                        runs.append([])
                        visit(item, negated)
                for run in runs:
                    if run:
                        self._run(run, [query_word(w) for w in run], ask, plan, view)
            elif isinstance(node, Or):
                for item in node.items:
                    visit(item, negated)
            elif isinstance(node, Not):
                visit(node.item, not negated)
            elif isinstance(node, Word) and not negated:
                self._run([node], [query_word(node)], ask, plan, view)
            elif isinstance(node, Phrase) and not negated and not node.exact and lexicon_of is not None:
                words = [QueryWord(s, s, lemma) for lemma, s in zip(node.lemmas, node.surfaces)]
                whole = [n for n in lexicon().name_runs(words) if n.start == 0 and n.end == len(words)]
                if whole:
                    plan.phrases[node] = Naming(node.raw, 0, len(words), whole[0].entity, whole[0].candidates)
            elif isinstance(node, FieldQuery):
                pass  # title:word is the title's word; a facet value is resolved, not expanded

        visit(parsed.root, False)
        return plan

    def query_word(self, word: Word, view, lexicon_of: Callable[[], EntityLexicon] | None) -> QueryWord:
        """A query word with its spellings in the other script, if it looks
        like a name: those the index holds, and those of the places'
        names (a place no document names yet is still a place)."""
        plain = QueryWord(word.raw, word.surface, word.lemma)
        if not looks_like_name(plain, self.lemmatizer):
            return plain
        index_words = IndexWords(view)
        found = set()
        for spelling in {word.surface, word.lemma}:
            found |= self.transliterator.spellings(spelling, index_words, CASE_ENDINGS)
        if lexicon_of is not None:
            lexicon = lexicon_of()
            names = lexicon.places.latin if script_of(word.surface) == "cyrillic" else lexicon.places.cyrillic
            found |= self.transliterator.spellings(word.surface, names, CASE_ENDINGS)
        return QueryWord(word.raw, word.surface, word.lemma, tuple(sorted(found)))

    def _other_script(self, word: QueryWord, index_words: IndexWords) -> OtherScript:
        """The spellings worth matching as text: names, not a word of the
        other language that happens to spell the same ("Рома" is not "roma")."""
        held = [s for s in word.other_script if index_words.has(s)]
        if script_of(word.surface) == "latin":
            lemmas, forms = set(), set()
            for spelling in (s for s in held if looks_like_name(QueryWord(s, s, s), self.lemmatizer)):
                # a case form of the name: all its forms; another word ("кадиров",
                # a plural of Кадир, for Kadyrov): that form alone
                lemma = self.lemmatizer.lemma(spelling, True)
                if spelling.startswith(lemma) and spelling[len(lemma):] in CASE_ENDINGS:
                    lemmas.add(lemma)
                else:
                    forms.add(spelling)
            return OtherScript(lemmas=tuple(sorted(lemmas)), forms=tuple(sorted(forms)))
        return OtherScript(forms=tuple(sorted(s for s in held if not self.lemmatizer.knows_italian(s))))

    def _run(self, run: list[Word], words: list[QueryWord], lexicon_of, plan: Plan, view) -> None:
        for a, b in zip(run, run[1:]):
            # two words the index may hold as one, hyphenated ("Ханты Мансийский")
            analyzed = self.parser.analyze(f"{a.raw}-{b.raw}")
            if len(analyzed) == 1:
                lemma = analyzed[0][0]
                if view.doc_frequency("body", lemma) or view.doc_frequency("title", lemma):
                    plan.joined[(a, b)] = lemma
        if lexicon_of is None or (len(words) == 1 and not looks_like_name(words[0], self.lemmatizer)):
            return
        for naming in lexicon_of().name_runs(words):
            if naming.end - naming.start > 1:
                plan.runs[tuple(run[naming.start:naming.end])] = naming
                plan.longest_run = max(plan.longest_run, naming.end - naming.start)
            else:
                plan.words[run[naming.start]] = naming
