"""Who held which office when: the terms of ``office_terms.tsv``.

Two questions, for the officials extractor: who, with this surname, held an
office of this kind (``office_words.tsv``: a region's head, an envoy, a
minister, a deputy prime minister) on a date (or ever, for an undated
document); and which region a person headed on a date (or the one region a
person ever headed), for the regions a document gets from the officials it
names, marked as inferred.

A date known only to the month or the year stands for its widest reading
(the month's or year's first day as a start, its last as an end); where that
makes two holders with one surname possible, nobody is chosen.
"""
from __future__ import annotations

import calendar
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from ..analysis.lemmatizer import fold_yo
from ..analysis.names import skeleton, transliterations
from ..config import data_lines
from .persons import name_words, surname_stem

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
KINDS = ("head", "envoy", "minister", "deputy_pm")


@dataclass(frozen=True)
class Term:
    person: str
    office: str
    region: str  # a region of regions.tsv; for полпред a district; "" for federal offices
    start: str  # as the file has it (YYYY, YYYY-MM or YYYY-MM-DD)
    end: str  # "" while in office
    acting: bool
    first: str  # the earliest day ``start`` stands for, YYYY-MM-DD
    last: str  # the latest day ``end`` stands for, YYYY-MM-DD ("9999-12-31" while in office)
    source: str = ""  # the pages the dates were read from, and notes (the file's last column)

    @property
    def kind(self) -> str:
        if self.office == "полпред":
            return "envoy"
        if self.region:
            return "head"
        if "заместитель председателя правительства" in self.office:
            return "deputy_pm"
        if self.office.startswith("министр"):
            return "minister"
        return ""

    def holds(self, date: str | None) -> bool:
        """In office on ``date`` (an ISO date or its prefix); any date when None."""
        if not date:
            return True
        day = date[:10]
        return self.first <= day <= self.last

    def years(self) -> str:
        """"2016–2024", "2016–" while in office."""
        return f"{self.start[:4]}–{self.end[:4]}"


def _widest(value: str, end: bool) -> str:
    m = _DATE.match(value or "")
    if not m:
        return "9999-12-31" if end else "0000-01-01"
    year, month, day = m.group(1), m.group(2), m.group(3)
    if day:
        return f"{year}-{month}-{day}"
    if month:
        return f"{year}-{month}-{calendar.monthrange(int(year), int(month))[1]:02d}" if end else f"{year}-{month}-01"
    return f"{year}-12-31" if end else f"{year}-01-01"


def _surname_key(surname: str) -> str:
    return fold_yo(surname.lower())


class OfficeTerms:
    """The terms of office, loaded once (``office_terms()``)."""

    def __init__(self, lines: list[str] | None = None) -> None:
        self.terms: list[Term] = []
        for line in data_lines("office_terms.tsv") if lines is None else lines:
            cols = (line.split("\t") + [""] * 7)[:7]
            person, office, region, start, end, acting, source = (c.strip() for c in cols)
            if not person or not office:
                continue
            self.terms.append(Term(person, office, region, start, end, acting == "1",
                                   _widest(start, False), _widest(end, True), source))
        self.by_person: dict[str, list[Term]] = defaultdict(list)
        self.by_surname: dict[str, set[str]] = defaultdict(set)
        self.by_stem: dict[str, set[str]] = defaultdict(set)
        for term in self.terms:
            self.by_person[term.person].append(term)
        for person in self.by_person:
            surname = name_words(person)[-1]
            self.by_surname[_surname_key(surname)].add(person)
            self.by_stem[surname_stem(surname)].add(person)
        self._latin: dict[str, set[str]] | None = None

    def persons(self) -> list[str]:
        return list(self.by_person)

    def _latin_surnames(self) -> dict[str, set[str]]:
        if self._latin is None:  # transliterating is slow: only once a Latin-script text asks
            self._latin = defaultdict(set)
            for person in self.by_person:
                for variant in transliterations(name_words(person)[-1]):
                    self._latin[variant].add(person)
        return self._latin

    def with_surname(self, surname: str) -> set[str]:
        """The persons with this surname: Cyrillic (nominative, else by its
        stem) or any common Latin spelling."""
        if re.search(r"[A-Za-z]", surname):
            return set(self._latin_surnames().get(skeleton(surname), ()))
        found = self.by_surname.get(_surname_key(surname))
        if found:
            return set(found)
        return set(self.by_stem.get(surname_stem(surname), ()))

    def holders(self, surname: str, kind: str, date: str | None) -> set[str]:
        """The persons with this surname who held an office of this kind on
        ``date`` (undated: ever)."""
        return {person for person in self.with_surname(surname)
                if any(t.kind == kind and t.holds(date) for t in self.by_person[person])}

    def holder(self, surname: str, kind: str, date: str | None) -> str | None:
        """The one person of ``holders``; None when nobody or several."""
        found = self.holders(surname, kind, date)
        return next(iter(found)) if len(found) == 1 else None

    def regional_term(self, person: str, date: str | None) -> Term | None:
        """The region ``person`` headed on ``date``; undated, the region when
        the person headed only one ever (the last of its terms)."""
        terms = [t for t in self.by_person.get(person, ()) if t.kind == "head"]
        if date:
            held = [t for t in terms if t.holds(date)]
            return held[-1] if len({t.region for t in held}) == 1 else None
        return terms[-1] if terms and len({t.region for t in terms}) == 1 else None

    def span(self, person: str, region: str) -> tuple[str, str]:
        """The first start and the last end of the person's terms as the
        head of a region, with the acting period joined to what follows."""
        terms = [t for t in self.by_person.get(person, ()) if t.kind == "head" and t.region == region]
        ends = [t.end for t in terms]
        return min(t.start for t in terms), ("" if "" in ends else max(ends))


@lru_cache(maxsize=1)
def office_terms() -> OfficeTerms:
    return OfficeTerms()


class OfficeWords:
    """The kind of office a role the text states stands for
    (``office_words.tsv``), by the role's first words' lemmas."""

    def __init__(self, key) -> None:
        self.phrases: list[tuple[tuple[str, ...], str]] = []
        for line in data_lines("office_words.tsv"):
            phrase, kind = (line.split("\t") + [""])[:2]
            k = key(phrase.strip())
            if k:
                self.phrases.append((k, kind.strip()))
        # a word of these anywhere: a town's office, or the head of no region at all
        self.local = {k[0] for k, kind in self.phrases if kind in ("local", "body") and len(k) == 1}
        self.phrases = [(k, kind) for k, kind in self.phrases if kind not in ("local", "body")]
        self.phrases.sort(key=lambda p: -len(p[0]))
        self.key = key

    def kind(self, role: str | None) -> str | None:
        if not role:
            return None
        words = list(self.key(role.lower()))
        if self.local.intersection(words):
            return None  # a town's or a district's head, or a ministry's, a company's
        while words:
            for phrase, kind in self.phrases:
                if tuple(words[:len(phrase)]) == phrase:
                    if kind != "skip":
                        return kind
                    words = words[len(phrase):]
                    break
            else:
                return None
        return None
