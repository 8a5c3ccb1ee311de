"""An official's record: who they are, when they held which office, and
what the index has about them.

One plain record that ``/official/<name>``, ``/api/official/<name>`` and
``search-cli --official-info NAME`` render: the terms of office of the
knowledge base (``index/data/office_terms.tsv``: dates, acting periods,
sources), the documents a year, the regions (how many of them inferred from
the official) and sectors the documents have, and the searches filtered by
them. A name is found as the facet-value search finds it (``resolve.py``:
ё, case forms, a Latin spelling, a surname alone when it names one person);
a person of the knowledge base no document names is found by the
knowledge base's names. Several persons give the candidates; none, a few
names spelled alike.
"""
from __future__ import annotations

import difflib
import re
from urllib.parse import quote

from index.analysis.names import skeleton, transliterations
from index.entities.office_terms import Term, office_terms
from index.store.schema import UNKNOWN_YEAR

from .facets import fold
from .request import SearchRequest

MAX_NAME = 200
MAX_SUGGESTIONS = 8
_URL = re.compile(r"https?://[^\s;,()]+")
UNVERIFIED = "unverified"  # the knowledge base's mark of a line no page confirmed


def search_path(filters: dict[str, list[str]]) -> str:
    """The search page filtered so."""
    return "/?" + SearchRequest("", filters).query_string()


def official_path(name: str) -> str:
    """The official's page."""
    return "/official/" + quote(name, safe="")


def _years(terms: list[Term]) -> str:
    """"2016–2024" over terms in date order; "2019–" while in office."""
    last = "" if any(not t.end for t in terms) else max(t.end for t in terms)
    return f"{terms[0].start[:4]}–{last[:4]}"


def term_record(term: Term, district_of: dict[str, str]) -> dict:
    return {
        "office": term.office,
        "region": term.region or None,
        "district": (term.region if term.office == "полпред" else district_of.get(term.region)) or None,
        "start": term.start,
        "end": term.end or None,
        "acting": term.acting,
        "sources": _URL.findall(term.source),
        "note": term.source,
        "verified": UNVERIFIED not in term.source,
    }


class OfficialInfo:
    """Builds the record over one view of the index (``SearchEngine.official``)."""

    def __init__(self, engine, view) -> None:
        self.engine = engine
        self.view = view
        self.terms = office_terms()
        self.column = view.facet_column("official")
        self.folded = {fold(person): person for person in self.terms.persons()}

    def terms_of(self, name: str) -> list[Term]:
        """The person's terms, in date order; the facet may spell the name
        without the knowledge base's ё."""
        person = name if name in self.terms.by_person else self.folded.get(fold(name), "")
        return sorted(self.terms.by_person.get(person, []), key=lambda t: (t.first, t.last))

    def record(self, typed: str) -> dict:
        typed = " ".join(typed.split())[:MAX_NAME]
        name, candidates = self.find(typed)
        if name is not None:
            return {"query": typed, "match": "one", **self.official(name)}
        return {"query": typed, "match": "several" if candidates else "none", "name": None,
                "candidates": [self.summary(c) for c in candidates],
                "suggestions": [] if candidates else [self.summary(s) for s in self.suggestions(typed)]}

    # -- a typed name -> the person -------------------------------------------------------
    def find(self, typed: str) -> tuple[str | None, list[str]]:
        """(the person ``typed`` names or None, the persons it may name);
        the name as typed, then in the order of Russian lists ("Дюмин
        Алексей Геннадьевич", "Дюмин А. Г.": the surname first)."""
        found: list[str] = []
        for name in _orders(typed):
            person, persons = self._find(name)
            if person is not None:
                return person, []
            found += [p for p in persons if p not in found]
        return (found[0], []) if len(found) == 1 else (None, found)

    def _find(self, typed: str) -> tuple[str | None, list[str]]:
        values = self.engine.facet_values_of(self.view)
        named, _note = values.resolve("official", typed)
        if named is not None:
            return named, []
        _, found = values.candidates("official", typed)
        found += [p for p in self.in_knowledge_base(typed) if p not in found]
        return (found[0], []) if len(found) == 1 else (None, found)

    def in_knowledge_base(self, typed: str) -> list[str]:
        """The knowledge base's persons named so: the full name but for case
        and ё, else the surname (any case form, a Latin spelling) with the
        first name, if typed, agreeing."""
        if fold(typed) in self.folded:
            return [self.folded[fold(typed)]]
        words = typed.split()
        persons = sorted(self.terms.with_surname(words[-1].strip(".,")))
        if len(words) > 1 and len(persons) > 1:
            first = words[0].strip(".,")
            persons = [p for p in persons if _first_name_agrees(p.split()[0], first)] or persons
        return persons

    def suggestions(self, typed: str) -> list[str]:
        """Names spelled like ``typed``: the officials a word of which
        starts as its surname does, and the knowledge base's surnames
        spelled alike."""
        surname = typed.split()[-1] if typed.split() else ""
        values = self.engine.facet_values_of(self.view)
        found = [v for v, _ in values.matching("official", surname[:3])][:MAX_SUGGESTIONS] if len(surname) >= 3 else []
        by_surname = {fold(p.split()[-1]): p for p in self.terms.persons()}
        key = fold(surname)
        found += [by_surname[s] for s in difflib.get_close_matches(key, list(by_surname), n=MAX_SUGGESTIONS, cutoff=0.75)]
        return list(dict.fromkeys(found))[:MAX_SUGGESTIONS]

    # -- what the record says ---------------------------------------------------------------
    def documents(self, name: str) -> int:
        i = self.column.index_of.get(name) if self.column is not None else None
        return int(self.column.totals[i]) if i is not None else 0

    def summary(self, name: str) -> dict:
        """A candidate: name, documents, offices ("губернатор, Тульская область, 2016–2024")."""
        spans: dict[tuple[str, str], list[Term]] = {}
        for term in self.terms_of(name):
            spans.setdefault((term.office, term.region), []).append(term)  # an acting period with what follows
        offices = [", ".join(x for x in (office, region, _years(terms)) if x) for (office, region), terms in spans.items()]
        return {"name": name, "documents": self.documents(name), "offices": offices, "url": official_path(name)}

    def official(self, name: str) -> dict:
        view = self.view
        filters = {"official": [name]}
        mask = view.narrow(view.live, filters)
        counts = view.facet_counts(view.live, filters)
        inferred = self.engine.named_regions(view).inferred_counts("region", mask)
        district_of = self.engine.district_of

        def values(facet: str) -> list[dict]:
            return [{"value": value, "count": count, "search": search_path({**filters, facet: [value]})}
                    for value, count in counts[facet].top(None)[0]]

        years = sorted(values("year"), key=lambda v: v["value"])
        regions = [dict(r, inferred=inferred.get(r["value"], 0), district=district_of.get(r["value"]))
                   for r in values("region")]
        terms = self.terms_of(name)
        return {
            "name": name,
            "documents": int(mask.sum()),
            "terms": [term_record(t, district_of) for t in terms],
            "years": [y for y in years if y["value"] != UNKNOWN_YEAR],
            "undated": next((y["count"] for y in years if y["value"] == UNKNOWN_YEAR), 0),
            "regions": regions,
            "sectors": values("sector"),
            "search": search_path(filters),
        }


def _orders(typed: str) -> list[str]:
    """``typed``, and, when it has two or three words, the first (a
    surname, in a Russian list) last with the next one before it: its first
    name or initials ("А.Г." -> "А."); a patronymic is left out."""
    words = typed.replace(".", ". ").split()
    if not words:
        return []
    if not 2 <= len(words) <= 3 or not re.match(r"\w{2,}", words[0]):
        return [typed]
    return [typed, f"{words[1]} {words[0]}"]


def _first_name_agrees(first: str, typed: str) -> bool:
    """"Алексей" and "Алексея", "Alexey", "Aleksei", "А." all agree with Алексей."""
    typed_folded = fold(typed).rstrip(".")
    if not typed_folded:
        return True
    if re.search(r"[a-z]", typed_folded):
        key = skeleton(typed_folded)
        return any(v.startswith(key) or key.startswith(v) for v in transliterations(first))
    first_folded = fold(first)
    return first_folded.startswith(typed_folded) or typed_folded.startswith(first_folded[:max(3, len(first_folded) - 2)])
