"""Each facet's values over a whole cluster, with their documents: what a
view needs to open (the search's facet columns), counted by the build once
at the end of a run and kept in the meta index (``facets``), so opening a
view reads one row instead of grouping every document by every facet (the
officials alone: 30,000 values at 10,000 documents, hundreds of
milliseconds of the nodes' time and more of Python's to name them).

A value's name comes from a representative document's ``facets_json`` (the
``GROUP BY`` gives its id); the officials the corpus links to a full name
are counted under it, a document naming two of its forms once; and each
document naming two or more of them gets a value for each form past the
first in ``official_excess_ids``, so a page counts a merged name's
documents as its forms' counts less the excess (two GROUP BYs of the page's
one batch, instead of reading every document that names one). ``batch``
runs statements on the head in one round trip (a list of rows each).
"""
from __future__ import annotations

import json

from ..entities.official_links import NOT_AN_OFFICIAL
from . import sphinx as sx
from .schema import FACET_FIELDS

FACETS = (*FACET_FIELDS, "year", "lang")
FIRST_GROUPS = 50_000  # values a facet's GROUP BY asks for first; more when it is full
META_KIND = "facets"


def count_values(batch, name: str, links: dict[str, str]) -> tuple[dict, dict]:
    """({"facets": {facet: [[value, value id, documents], ...]}, "officials":
    {full name: documents}}: every value of every facet, and the full names
    the officials' links merge, counted by the cluster; and the documents
    whose ``official_excess_ids`` must change, ``merged_officials``)."""
    limit = FIRST_GROUPS
    while True:
        groups = batch([f"SELECT groupby(), COUNT(*), facets_json FROM {name} GROUP BY {facet}_ids "
                        f"LIMIT 0,{limit} OPTION max_matches={limit}" for facet in FACETS])
        if all(len(rows) < limit for rows in groups):
            break
        limit *= 8  # a facet with more values than were asked for: again, with room for all
    facets: dict[str, list[list]] = {}
    for facet, rows in zip(FACETS, groups):
        facets[facet] = []
        for key, count, facets_json in rows:
            value = _value_named(facet, int(key), json.loads(facets_json or "{}"))
            if value is not None:
                facets[facet].append([value, int(key), int(count)])
    totals, updates = merged_officials(batch, name, links, facets["official"])
    return {"facets": facets, "officials": totals}, updates


def _value_named(facet: str, key: int, facets: dict) -> str | None:
    values = facets.get(facet) or []
    for value in [values] if isinstance(values, str) else values:
        if sx.facet_value_id(facet, value) == key:
            return value
    return None


def linked_from(links: dict[str, str]) -> dict[str, list[str]]:
    """A full name -> the names the corpus completes to it."""
    out: dict[str, list[str]] = {}
    for short, full in links.items():
        if full and full != NOT_AN_OFFICIAL:  # a name nothing vouches for is left out, not merged
            out.setdefault(full, []).append(short)
    return out


def merged_officials(batch, name: str, links: dict[str, str], officials: list[list]) -> tuple[dict, dict]:
    """(documents of each full name the links merge some officials' values
    under, each document once; the documents whose ``official_excess_ids``
    must change -> the values they must have), from one scan of every
    document's officials."""
    links = {short: full for short, full in links.items() if full and full != NOT_AN_OFFICIAL}
    links_from = linked_from(links)
    full_of = {key: full for value, key, _count in officials if (full := links.get(value) or value) in links_from}
    if not full_of:
        return {}, {}
    documents = int(batch([f"SELECT COUNT(*) FROM {name}"])[0][0][0]) + 1
    (rows,) = batch([f"SELECT id, official_ids, official_excess_ids FROM {name} "
                     f"LIMIT 0,{documents} OPTION max_matches={documents}"])
    totals: dict[str, int] = dict.fromkeys(dict.fromkeys(full_of.values()), 0)
    updates: dict[int, tuple[int, ...]] = {}
    for key, ids, excess in rows:
        forms: dict[str, int] = {}
        for value in (ids or "").split(","):
            full = full_of.get(int(value)) if value else None
            if full is not None:
                forms[full] = forms.get(full, 0) + 1
        for full in forms:
            totals[full] += 1
        wanted = tuple(sorted(sx.excess_id(full, extra) for full, many in forms.items() for extra in range(1, many)))
        if wanted != tuple(sorted(int(v) for v in (excess or "").split(",") if v)):
            updates[int(key)] = wanted
    return totals, updates


def encode(counted: dict) -> str:
    return json.dumps(counted, ensure_ascii=False, separators=(",", ":"))


def decode(text: str | None) -> dict | None:
    """The counted values, or None if there are none (a cluster loaded by an
    earlier version, or a run that died before its end)."""
    try:
        counted = json.loads(text) if text else None
    except ValueError:
        return None
    return counted if isinstance(counted, dict) and set(counted) == {"facets", "officials"} else None
