"""Each facet's values over a whole cluster, with their documents: what a
view needs to open (the search's facet columns), counted by the build once
at the end of a run and kept in the meta index (``facets``), so opening a
view reads one row instead of grouping every document by every facet (the
officials alone: 30,000 values at 10,000 documents, hundreds of
milliseconds of the nodes' time and more of Python's to name them).

A value's name comes from a representative document's ``facets_json`` (the
``GROUP BY`` gives its id); the officials the corpus links to a full name
are counted under it, a document naming two of its forms once. ``batch``
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


def count_values(batch, name: str, links: dict[str, str]) -> dict:
    """{"facets": {facet: [[value, value id, documents], ...]}, "officials":
    {full name: documents}}: every value of every facet, and the full names
    the officials' links merge, counted by the cluster."""
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
    return {"facets": facets, "officials": _linked_totals(batch, name, links, facets["official"])}


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


def official_filter(full: str, links_from: dict[str, list[str]]) -> str:
    """The officials' filter for a full name and the names linked to it."""
    names = sorted({full, *links_from.get(full, [])})
    return f"official_ids IN ({', '.join(str(sx.facet_value_id('official', v)) for v in names)})"


def _linked_totals(batch, name: str, links: dict[str, str], officials: list[list]) -> dict[str, int]:
    """Documents of each full name some of the officials' values link to
    (one statement each, all in one round trip)."""
    links = {short: full for short, full in links.items() if full and full != NOT_AN_OFFICIAL}
    links_from = linked_from(links)
    merged = list(dict.fromkeys(full for value, _key, _count in officials
                                if (full := links.get(value) or value) in links_from))
    if not merged:
        return {}
    rows = batch([f"SELECT COUNT(*) FROM {name} WHERE {official_filter(full, links_from)}" for full in merged])
    return {full: int(found[0][0]) if found else 0 for full, found in zip(merged, rows)}


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
