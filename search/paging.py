"""A search's page: its hits, total and facet counts, from either kind of view.

A view that answers whole pages (a cluster's, ``backend.answer_page``)
is asked once; any other is asked the seam's questions over document
numbers (match, narrow, rank, a stored record a hit), as the embedded
index answers them from arrays in memory. So is a cluster when the
facets are counted without inferred regions (``inferred=0``). Also here:
how a hit matched (``Via``), asked of the page's documents only.
"""
from __future__ import annotations

import numpy as np

from .backend import IndexView, PageAnswer, PageRequest, answer_page, members
from .collapse import collapsed
from .compile import NO_EXPANSIONS, Expansions
from .expansion import Plan
from .query import ParsedQuery
from .request import SearchRequest


def page_of(view: IndexView, query, filters: dict[str, list[str]], request: SearchRequest,
            browse: bool, counted=None, stories=None, rescore=None) -> PageAnswer:
    """The request's page of results, its total and its facet counts.
    ``counted`` filters and counts the facets: the view, or its facets
    without inferred regions (``inferred=0``, ``inferred.py``); ``stories``
    (``collapse.py``) keeps one copy a story; ``rescore`` adjusts BM25F
    scores (``ranking.py``). Only the document-number path uses them: a
    cluster that answers whole pages ranks by its own BM25, and collapses
    stories only there (a request for every copy, counted by document, is
    one batch)."""
    counted = view if counted is None else counted
    start = (request.page - 1) * request.per_page
    by_story = stories and (request.collapse or request.count == "stories")
    if counted is view and not by_story:
        answer = answer_page(view, PageRequest(query, filters, "date" if browse else request.sort, start,
                                               request.per_page))
        if answer is not None:
            return answer
    matched, selected = selection(view, query, filters, request, browse, counted, stories)
    ranked = rank(view, query, selected, request.sort, browse, need=start + request.per_page, rescore=rescore)
    hits = [(docnum, score, view.stored(docnum)) for docnum, score in ranked[start:start + request.per_page]]
    counting = collapsed(stories, view, query, matched, _by_date(request, browse), request.count == "stories")
    return PageAnswer(hits, int(selected.sum()), counted.facet_counts(counting, filters), selected)


def selection(view: IndexView, query, filters: dict[str, list[str]], request: SearchRequest, browse: bool,
              counted, stories) -> tuple[np.ndarray, np.ndarray]:
    """(matched, selected) over docnums: every live match, and those the
    filters keep (as ``counted`` filters), one copy a story when the request
    collapses them. The page and the CSV export select alike."""
    matched = matched_mask(view, query)
    narrowed = counted.narrow(matched, filters)
    return matched, collapsed(stories, view, query, narrowed, _by_date(request, browse), request.collapse)


def _by_date(request: SearchRequest, browse: bool) -> bool:
    """Whether results are ordered newest first (also which copy of a story leads)."""
    return request.sort == "date" or browse


def matched_mask(view: IndexView, query) -> np.ndarray:
    """Every matching live document, as a boolean array over docnums."""
    return view.match(query)[0] & view.live


def rank(view: IndexView, query, selected: np.ndarray, sort: str, browse: bool, need: int | None, rescore=None):
    """The first ``need`` (all if None) results as (docnum, score), in
    display order: BM25F score, ties by newer date; or newest first."""
    docnums = np.flatnonzero(selected)
    if not len(docnums):
        return []
    if sort == "date" or browse:  # as _by_date
        order = docnums[np.lexsort((docnums, -view.sortdate[docnums]))]
        return [(int(d), None) for d in order[:need]]
    scores = view.match(query)[1][docnums]
    if rescore is not None:
        scores = rescore(docnums, scores)
    rounded = np.round(scores, 9)
    if need is not None and need < len(docnums) // 4:
        # only documents scoring at least the need-th best can be shown
        # (ties included), so only they are sorted by all three keys
        floor = np.partition(rounded, len(rounded) - need)[len(rounded) - need]
        contenders = np.flatnonzero(rounded >= floor)
        docnums, scores, rounded = docnums[contenders], scores[contenders], rounded[contenders]
    order = np.lexsort((docnums, -view.sortdate[docnums], -rounded))[:need]
    return [(int(docnums[i]), float(scores[i])) for i in order]


class Via:
    """How each hit of one search matched: by the words typed (None), or
    only through the glossary, the other script's spellings or an entity.
    The query compiled with fewer expansions tells, asked of the page's
    documents only; each such query is asked only when a hit needs it (a
    hit with the words typed needs one, the plainest)."""

    def __init__(self, engine, view: IndexView, parsed: ParsedQuery, expansions: Expansions, plan: Plan,
                 refs: list) -> None:
        self.engine, self.view, self.parsed, self.plan, self.expansions = engine, view, parsed, plan, expansions
        self.refs = refs
        self.glossary_used = expansions.translate and engine._used_glossary(parsed)
        self.other_script_used = expansions.transliterate and any(plan.other_script.values())
        self.entities = plan.entities() if expansions.entities else []
        self._members: dict[Expansions, set] = {}

    def _matches(self, fewer: Expansions, ref) -> bool:
        if fewer not in self._members:
            query = self.engine._query(self.parsed, fewer, self.view, plan=self.plan)
            self._members[fewer] = members(self.view, query, self.refs)
        return ref in self._members[fewer]

    def of(self, ref, stored: dict) -> str | None:
        textual = self.glossary_used or self.other_script_used
        if not (textual or self.entities) or self._matches(NO_EXPANSIONS, ref):
            return None
        words = Expansions(self.expansions.translate, self.expansions.transliterate, False)
        if self.entities and not (textual and self._matches(words, ref)):
            values = {(name, v) for name in ("official", "region", "district") for v in (stored.get(name) or "").split(",")}
            named = [e for e in self.entities if (e.facet, e.value) in values]
            return f"entity: {named[0].value}" if named else "entity"
        if self.glossary_used and (not self.other_script_used or self._matches(Expansions(True, False, False), ref)):
            return "glossary"
        return "transliteration"
