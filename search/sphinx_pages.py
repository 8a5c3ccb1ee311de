"""A whole search page asked of the cluster (``backend.answer_page``).

One multi-statement round trip a search: the page's hits (``ORDER BY``
weight, then newer date; or by date; their stored records in one more
statement, from the records index: ``sphinx.RECORDS_SCHEMA``), the
total (``SHOW META``'s ``total_found``), and one ``GROUP BY`` a facet,
each with every other facet's filter (disjunctive counts; Manticore's
``FACET`` would say them in one statement, Sphinx 2.2 has none). The officials
the corpus links to a full name count its forms' documents less the excess
of those naming it in several forms (one more GROUP BY of the batch,
``index.store.cluster_facets``). The query is one ``MATCH()`` (``sphinx_compile.weighted_match``).

What a view knows without numbering its documents comes from here too:
each facet's values and their documents (``read_values``: as the build
counted them at the end of its run, ``index.store.cluster_facets``), and a
page's documents are
referred to by their cluster id, negated (``ref``), so that no reference
is a document number of the dense path.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from index.entities.official_links import NOT_AN_OFFICIAL, relink_fields
from index.store import cluster_facets
from index.store import sphinx as sx

from . import backend as q
from .backend import PageAnswer, PageRequest
from .facets import FACETS, FacetCounts
from .sphinx_compile import simplify, searches_forms, weighted_match

SCORE_SCALE = 10_000  # the ranker's weights are integers: its formula multiplies by this
NO_RANKING = "ranker=none"
FIELD_WEIGHT = {"title": 5, "body": 2, "exact": 3}  # as sphinx.FIELD_WEIGHTS numbers the fields


def ref(key: int) -> int:
    """A document's reference on the page path: its cluster id, negated."""
    return -int(key)


class ValueColumn:
    """A facet's values and each one's documents over the whole cluster
    (what ``backend.FacetColumnView`` asks), without the documents."""

    def __init__(self, name: str, values: list[str], totals: list[int]) -> None:
        self.name, self.values = name, values
        self.index_of = {v: i for i, v in enumerate(values)}
        self.totals = np.array(totals, dtype=np.int64)
        rank = np.empty(len(values), dtype=np.int64)
        rank[np.argsort(np.array(values, dtype=object))] = np.arange(len(values))
        self.name_rank = rank  # each value's place in name order, for ties in count


@dataclass(frozen=True)
class ClusterSelection:
    """The documents a page's search selected, as the cluster says them:
    its ``MATCH()`` expression (None: every document) and the filters."""

    expression: str | None
    conditions: tuple[str, ...]
    searches_forms: bool  # the expression has exact forms of its own

    def where(self, match: str | None = None) -> str:
        expression = " ".join(e for e in (match, self.expression) if e)
        clauses = [f"MATCH({sx.quote(expression)})"] if expression else []
        clauses += self.conditions
        return f" WHERE {' AND '.join(clauses)}" if clauses else ""


# -- a view's facet values, read once a view ----------------------------------------------------
def read_values(view, counted: dict | None) -> tuple[int, dict[str, float], dict[str, ValueColumn], dict[str, dict[int, str]]]:
    """(documents, average field lengths, each facet's values, each facet's
    value ids -> values): the values as the build counted them at the end of
    its run (``counted``: the meta index's, ``cluster_facets``), or, where it
    did not (a cluster loaded by an earlier version), counted now."""
    (summary,) = view._batch([f"SELECT COUNT(*), SUM(title_len), SUM(body_len), SUM(exact_len) FROM {view.name}"])
    documents = int(summary[0][0]) if summary else 0
    averages = {field: int(summary[0][1 + i] or 0) / max(documents, 1) if summary else 1.0
                for i, field in enumerate(("title", "body", "exact"))}
    if counted is None:
        counted, _stale = cluster_facets.count_values(view._batch, view.name, view.links)
    value_of: dict[str, dict[int, str]] = {}
    columns: dict[str, ValueColumn] = {}
    for facet in FACETS:
        rows = counted["facets"].get(facet) or []
        value_of[facet] = {int(key): value for value, key, _count in rows}
        if facet != "official":
            columns[facet] = ValueColumn(facet, [value for value, _key, _count in rows],
                                         [count for _value, _key, count in rows])
    columns["official"] = _officials(view, counted["facets"].get("official") or [], counted["officials"])
    return documents, averages, columns, value_of


def _officials(view, rows: list, linked_totals: dict[str, int]) -> ValueColumn:
    """The officials under the names the corpus completes them to (as the
    embedded index counts them): a full name's documents are those that
    name it in any of its forms, counted by the cluster once each."""
    totals: dict[str, int] = {}
    for value, _key, count in rows:
        full = view.links.get(value) or value
        if full == NOT_AN_OFFICIAL:
            continue
        totals[full] = linked_totals.get(full, 0) if full in view.linked_from else count
    return ValueColumn("official", list(totals), list(totals.values()))


# -- a page ---------------------------------------------------------------------------------------
def answer(view, request: PageRequest) -> PageAnswer:
    query = simplify(request.query)
    every = view.every_expression()
    expression = None if isinstance(query, q.Everything) else weighted_match(query, every)
    conditions = tuple(view._filter_clause(name, values) for name, values in request.filters.items()
                       if values and name in FACETS)
    selection = ClusterSelection(expression, conditions, searches_forms(query))
    if isinstance(query, q.Nothing) or (expression is None and not isinstance(query, q.Everything)) \
            or (expression is not None and every is None):
        return _nothing(view, selection)
    ranked = expression is not None and request.sort != "date"
    top = request.start + request.count
    order = "w DESC, sortdate DESC, id ASC" if ranked else "sortdate DESC, id ASC"
    ranking = f"ranker={view.page_ranker}" if ranked else NO_RANKING
    options = f"max_matches={max(top, 1)}" + (f", {ranking}" if expression is not None else "")
    statements = [f"SELECT id, WEIGHT() AS w FROM {view.name}{selection.where()} ORDER BY {order} "
                  f"LIMIT {request.start},{request.count} OPTION {options}", "SHOW META"]
    statements += _facet_statements(view, expression, request.filters)
    fallback = query if ranked and isinstance(query, q.Fallback) else None
    main = weighted_match(fallback.main, every) if fallback is not None else None
    if main is not None:  # the lowest score of the main part: where the fallback's documents rank
        statements.append(f"SELECT id, WEIGHT() AS w FROM {view.name} WHERE MATCH({sx.quote(main)}) "
                          f"ORDER BY w ASC LIMIT 0,1 OPTION ranker={view.page_ranker}")
    results = view._batch(statements)
    rows, meta, groups = results[0], dict(results[1]), results[2:3 + len(FACETS)]
    view._note_missing([value for key, value in results[1] if key == "warning"])
    floor = None
    if fallback is not None:
        lowest = results[-1] if main is not None else []
        floor = lowest[0][1] / SCORE_SCALE if lowest else 1.0
    records = view.records([key for key, _weight in rows])
    hits = []
    for key, weight in rows:
        score = None
        if ranked:
            score = weight / SCORE_SCALE if weight or floor is None else fallback.weight * floor
        hits.append((ref(key), score, relink_fields(records[key], view.links)))
    counts = _facet_counts(view, groups)
    return PageAnswer(hits, int(meta.get("total_found", 0)), counts, selection)


def _nothing(view, selection: ClusterSelection) -> PageAnswer:
    counts = {name: FacetCounts(view.columns[name], np.zeros(len(view.columns[name].values), dtype=np.int64))
              for name in FACETS}
    return PageAnswer([], 0, counts, selection)


def _facet_statements(view, expression: str | None, filters: dict[str, list[str]]) -> list[str]:
    """One GROUP BY a facet, each with the other facets' filters; then the
    officials' excess (``cluster_facets``), with the officials' conditions."""
    statements = []
    for name in (*FACETS, "official_excess"):
        facet = "official" if name == "official_excess" else name
        conditions = [f"MATCH({sx.quote(expression)})"] if expression else []
        conditions += [view._filter_clause(other, values) for other, values in filters.items()
                       if values and other != facet and other in FACETS]
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        limit = 2 * len(view.columns[facet].values) + 1000  # values written since the view was made
        statements.append(f"SELECT groupby(), COUNT(*) FROM {view.name}{where} GROUP BY {name}_ids "
                          f"LIMIT 0,{limit} OPTION max_matches={limit}" + (f", {NO_RANKING}" if expression else ""))
    return statements


def _facet_counts(view, groups) -> dict[str, FacetCounts]:
    """Each facet's counts from its GROUP BY; a full name the officials'
    links merge counts its forms' documents less the excess of those that
    name it in more than one form (the last group)."""
    counts, merged = {}, {}
    for name, rows in zip(FACETS, groups):
        column, value_of = view.columns[name], view._value_of[name]
        found = np.zeros(len(column.values), dtype=np.int64)
        for key, count in rows:
            value = value_of.get(int(key))
            if name == "official" and value is not None:
                value = view.links.get(value) or value
                if value == NOT_AN_OFFICIAL:  # a name nothing vouches for: not counted, as on the embedded index
                    continue
                if value in view.linked_from:
                    merged[value] = merged.get(value, 0) + int(count)  # less the excess, below
                    continue
            index = column.index_of.get(value)
            if index is not None:  # a value written since this view was made is left out
                found[index] = int(count)
        counts[name] = FacetCounts(column, found)
    for key, count in groups[len(FACETS)]:
        full = view.excess_of.get(int(key))
        if full in merged:
            merged[full] -= int(count)
    official = counts["official"]
    for full, count in merged.items():
        index = official.column.index_of.get(full)
        if index is not None:
            official.counts[index] = count
    return counts


# -- what else a search asks of its page and its selection -----------------------------------
def members(view, query, refs: list) -> set:
    """The page's documents (``refs``) that ``query`` matches: one statement."""
    if not refs:
        return set()
    query = simplify(query)
    if isinstance(query, q.Everything):
        return set(refs)
    expression = weighted_match(query, view.every_expression() or "")
    if expression is None:
        return set()
    keys = {view._key_of(r): r for r in refs}
    rows = view._rows(f"SELECT id FROM {view.name} WHERE MATCH({sx.quote(expression)}) "
                      f"AND id IN ({', '.join(map(str, keys))}) LIMIT 0,{len(keys)} OPTION {NO_RANKING}")
    return {keys[int(row[0])] for row in rows if int(row[0]) in keys}


def count_matches(view, query, filters: dict[str, list[str]]) -> int:
    query = simplify(query)
    if isinstance(query, q.Nothing):
        return 0
    expression = None if isinstance(query, q.Everything) else weighted_match(query, view.every_expression() or "")
    if expression is None and not isinstance(query, q.Everything):
        return 0
    conditions = tuple(view._filter_clause(n, v) for n, v in filters.items() if v and n in FACETS)
    where = ClusterSelection(expression, conditions, False).where()
    rows = view._rows(f"SELECT COUNT(*) FROM {view.name}{where}" + (f" OPTION {NO_RANKING}" if expression else ""))
    return int(rows[0][0]) if rows else 0


def occurrences(view, field: str, forms: list[str], selection: ClusterSelection) -> dict[str, int]:
    """Each form's hits in the selected documents, in one round trip: the
    ranker counts the hits in the form's field of the documents that have
    the form and the selection's words. (Where the selection's own query
    searches exact forms, their hits in a document with the form count too:
    Sphinx 2.2's ranker has no count per keyword.)"""
    ranker = (f"ranker=expr('sum(if(user_weight={FIELD_WEIGHT.get(field, 1)},hit_count,0))'), "
              f"{sx.FIELD_WEIGHTS}")
    statements = [f"SELECT SUM(WEIGHT()) FROM {view.name}"
                  f"{selection.where(f'(@{field} {sx.token(form)})')} OPTION {ranker}" for form in forms]
    return {form: int(rows[0][0] or 0) if rows else 0 for form, rows in zip(forms, view._batch(statements))}
