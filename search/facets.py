"""Facet counting over numpy arrays, and facets as plain records.

For every facet field the postings are turned once per searcher into two
parallel arrays (docnum, value id), grouped by value. Counting the values in
a matched set is then a gather from its boolean mask and a sum over each
value's run (``np.add.reduceat``), whatever the size of the set: no Python
work per matching document.

Several values of one facet are OR, different facets are AND, and each facet
is counted with every other facet's selection applied but not its own
(disjunctive faceting), so a user sees how many a second region would add.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from index.analysis.names import skeleton, transliterations
from index.entities.official_links import NOT_AN_OFFICIAL
from index.store.packed import runs
from index.store.sorting import unique

# district is the region facet's parent level, and a filter of its own;
# place is the dateline's city, shown under its region (its ``parent``).
FACETS = ("official", "region", "district", "sector", "place", "year", "lang")
DEFAULT_TOP = 10
# A facet is counted document by document (``FacetColumn.counts``) when the
# matched share of the documents is at most this much per value a document
# has on average, up to a limit. Measured at 100,000 documents, counting
# by document is as fast as one pass over all the pairs at about 20% for
# the officials (19 values a document), 5% for regions (1.9), 3% for years.
FEW_DOCUMENTS_PER_VALUE = 0.01
FEW_DOCUMENTS_AT_MOST = 0.15


@dataclass
class FacetColumn:
    """A facet's (document, value id) pairs, grouped by value, with where each
    value's run of pairs starts and how many documents each value has."""
    name: str
    values: list[str]
    doc_ids: np.ndarray
    value_ids: np.ndarray
    index_of: dict[str, int]
    run_starts: np.ndarray  # where each run of one value's pairs starts
    run_values: np.ndarray  # and whose run it is (a value without live documents has none)
    totals: np.ndarray  # documents of each value, over the whole index
    # the same pairs by document: their values, and where each document's start
    values_by_doc: np.ndarray
    doc_starts: np.ndarray  # one more than there are documents

    @classmethod
    def from_reader(cls, reader, name: str, live: np.ndarray, postings,
                    renamed: dict[str, str] | None = None) -> "FacetColumn":
        """``renamed``: value -> the value its documents count under (the
        officials' links, ``index/entities/official_links.py``); "" keeps a value,
        ``NOT_AN_OFFICIAL`` leaves it out."""
        parts = postings.field_postings(name) if name in reader.schema and reader.schema[name].indexed else []
        renamed = renamed or {}
        counted = {term: renamed.get(term) or term for term in sorted({t for terms, _, _ in parts for t in terms})}
        values = list(dict.fromkeys(v for v in counted.values() if v != NOT_AN_OFFICIAL))
        index_of = {v: i for i, v in enumerate(values)}
        doc_chunks, value_chunks = [], []
        for terms, lengths, ids in parts:
            term_values = np.array([index_of.get(counted[t], -1) for t in terms], dtype=np.int64)
            doc_chunks.append(ids)
            value_chunks.append(np.repeat(term_values, lengths))
        doc_ids = np.concatenate(doc_chunks) if doc_chunks else np.zeros(0, dtype=np.int64)
        value_ids = np.concatenate(value_chunks) if value_chunks else np.zeros(0, dtype=np.int64)
        # postings of deleted documents stay until a merge; a value left out has -1
        keep = (value_ids >= 0) & live[doc_ids] if len(doc_ids) else np.zeros(0, dtype=bool)
        # grouped by value, each document once a value (a document that names
        # both a surname and its full name counts once): one sort of a key
        key = unique(value_ids[keep] * len(live) + doc_ids[keep])
        value_ids, doc_ids = np.divmod(key, max(len(live), 1))
        return cls.from_pairs(name, values, doc_ids.astype(np.intp), value_ids.astype(np.int32), len(live))

    @classmethod
    def from_pairs(cls, name: str, values: list[str], doc_ids: np.ndarray, value_ids: np.ndarray,
                   doc_count: int) -> "FacetColumn":
        """From (document, value id) pairs grouped by value id, each pair once
        (what a backend without Whoosh's postings has)."""
        run_starts = np.flatnonzero(np.diff(value_ids, prepend=-1))
        doc_starts = np.zeros(doc_count + 1, dtype=np.intp)
        np.cumsum(np.bincount(doc_ids, minlength=doc_count), out=doc_starts[1:])
        # each document's values: a sort of one key (numpy's vectorized sort
        # of integers), not an argsort of the documents (ten times as long)
        width = max(len(values), 1)
        values_by_doc = np.sort(doc_ids.astype(np.int64) * width + value_ids) % width
        return cls(name, values, doc_ids, value_ids, {v: i for i, v in enumerate(values)},
                   run_starts=run_starts, run_values=value_ids[run_starts],
                   totals=np.bincount(value_ids, minlength=len(values)),
                   values_by_doc=values_by_doc.astype(np.intp), doc_starts=doc_starts)

    @property
    def name_rank(self) -> np.ndarray:
        """Each value's position in name order (for ties in count)."""
        if getattr(self, "_name_rank", None) is None:
            rank = np.empty(len(self.values), dtype=np.int64)
            rank[np.argsort(np.array(self.values, dtype=object))] = np.arange(len(self.values))
            self._name_rank = rank
        return self._name_rank

    def counts(self, mask: np.ndarray) -> np.ndarray:
        """Each value's count among the documents of ``mask``.

        Few documents (a phrase, a rare word): their values are read
        document by document. Many: each pair's bit is gathered from the
        mask and summed over its value's run, one pass in C over all the
        pairs, with no copy of the selected ones and no histogram."""
        values_per_document = len(self.doc_ids) / max(len(mask), 1)
        few = min(FEW_DOCUMENTS_AT_MOST, FEW_DOCUMENTS_PER_VALUE * values_per_document)
        if np.count_nonzero(mask) <= few * len(mask):
            return self._count_documents(np.flatnonzero(mask))
        counts = np.zeros(len(self.values), dtype=np.int64)
        if len(self.doc_ids):
            counts[self.run_values] = np.add.reduceat(mask[self.doc_ids], self.run_starts, dtype=np.int32)
        return counts

    def _count_documents(self, docs: np.ndarray) -> np.ndarray:
        starts = self.doc_starts[docs]
        rows = runs(starts, self.doc_starts[docs + 1] - starts)  # each document's values
        return np.bincount(self.values_by_doc[rows], minlength=len(self.values))

    def mask_for(self, values: list[str], doc_count: int) -> np.ndarray:
        ids = [self.index_of[v] for v in values if v in self.index_of]
        mask = np.zeros(doc_count, dtype=bool)
        if ids:
            mask[self.doc_ids[np.isin(self.value_ids, ids)]] = True
        return mask


class FacetIndex:
    """All facet columns of one searcher generation."""

    def __init__(self, reader, live: np.ndarray, postings, renamed: dict[str, dict[str, str]] | None = None) -> None:
        """``renamed``: per facet, value -> the value it counts under."""
        self.doc_count = reader.doc_count_all()
        self.columns = {name: FacetColumn.from_reader(reader, name, live, postings, (renamed or {}).get(name))
                        for name in FACETS}
        self._mask_cache: dict[tuple, np.ndarray] = {}

    @classmethod
    def of_columns(cls, columns: dict[str, FacetColumn], doc_count: int) -> "FacetIndex":
        """Columns a backend built itself (``FacetColumn.from_pairs``)."""
        index = cls.__new__(cls)
        index.doc_count, index.columns, index._mask_cache = doc_count, columns, {}
        return index

    def selection_mask(self, name: str, values: list[str]) -> np.ndarray:
        key = (name, tuple(sorted(values)))
        mask = self._mask_cache.get(key)
        if mask is None:
            mask = self.columns[name].mask_for(values, self.doc_count)
            if len(self._mask_cache) > 256:
                self._mask_cache.clear()
            self._mask_cache[key] = mask
        return mask

    def apply(self, matched: np.ndarray, filters: dict[str, list[str]], skip: str | None = None) -> np.ndarray:
        mask = matched
        for name, values in filters.items():
            if values and name != skip and name in self.columns:
                mask = mask & self.selection_mask(name, values)
        return mask

    def counts(self, matched: np.ndarray, filters: dict[str, list[str]]) -> dict[str, "FacetCounts"]:
        """Disjunctive counts, per facet."""
        return {name: FacetCounts(column, column.counts(self.apply(matched, filters, skip=name)))
                for name, column in self.columns.items()}


@dataclass
class FacetCounts:
    """One facet's count per value, as an array; Python objects are made only
    for the values a page shows."""

    column: FacetColumn
    counts: np.ndarray

    def top(self, limit: int | None) -> tuple[list[tuple[str, int]], int]:
        """(value, count) by count then name, at most ``limit``; and how many
        values have a count at all."""
        nonzero = np.flatnonzero(self.counts)
        candidates = nonzero
        if limit is not None and 0 < limit < len(nonzero):
            # only values counted at least as often as the limit-th can be
            # shown: sorting tens of thousands of officials for ten is waste
            counted = self.counts[nonzero]
            kth = np.partition(counted, len(counted) - limit)[len(counted) - limit]
            candidates = nonzero[counted >= kth]
        order = candidates[np.lexsort((self.column.name_rank[candidates], -self.counts[candidates]))]
        shown = order if limit is None else order[:limit]
        return [(self.column.values[i], int(self.counts[i])) for i in shown], len(nonzero)

    def count_of(self, value: str) -> int:
        i = self.column.index_of.get(value)
        return int(self.counts[i]) if i is not None else 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.top(None)[0])


def facet_records(
    counts: dict[str, FacetCounts],
    filters: dict[str, list[str]],
    toggle_url,
    district_of: dict[str, str],
    top: int | None = DEFAULT_TOP,
    parent_of=lambda place: "",
) -> dict:
    """Facets as plain records: ``{"value", "label", "count", "selected", "url"}``
    sorted by count then name, selected values always included (at count 0
    too). ``region`` lists districts, each with its regions in ``children``;
    each ``place`` has its region in ``parent`` ("Emilia-Romagna" for Modena,
    "" for a place the gazetteer does not know).
    Returns (facets, number of distinct values per facet)."""

    def values_of(name: str, limit: int | None) -> tuple[list[dict], int]:
        chosen = filters.get(name, [])
        items, total = counts[name].top(limit)
        shown = {v for v, _ in items}
        # every selected value is returned, even past the top or at count 0
        items += [(v, counts[name].count_of(v)) for v in chosen if v not in shown]
        return [record(name, v, c, v in chosen) for v, c in items], total

    def record(name: str, value: str, count: int, selected: bool) -> dict:
        return {"value": value, "label": value, "count": count, "selected": selected,
                "url": toggle_url(name, value)}

    result, totals = {}, {}
    for name in ("official", "sector", "year", "lang"):
        result[name], totals[name] = values_of(name, top)
    if "place" in counts:  # a backend that counts it
        result["place"], totals["place"] = values_of("place", top)
        for place in result["place"]:
            place["parent"] = parent_of(place["value"])
    # region: district -> regions
    regions, _ = values_of("region", None)
    districts, _ = values_of("district", None)
    by_district: dict[str, list[dict]] = {}
    for reg in regions:
        by_district.setdefault(district_of.get(reg["value"], ""), []).append(reg)
    tree = []
    for dist in districts:
        dist = dict(dist, children=by_district.pop(dist["value"], []))
        tree.append(dist)
    for orphan_district, children in by_district.items():
        # Regions whose district is unknown (or absent from the counts).
        tree.append({"value": orphan_district, "label": orphan_district or "—", "count": sum(c["count"] for c in children),
                     "selected": False, "url": None, "children": children})
    result["region"] = tree
    totals["region"] = len(regions)
    return result, totals


def value_matches(value: str, prefix: str) -> bool:
    """Does any word of a facet value start with ``prefix``, ignoring case, ё
    and the script ('degt' and 'дегт' both find 'Михаил Дегтярёв')?"""
    folded = fold(prefix)
    if not folded:
        return True
    words = fold(value).split()
    if fold(value).startswith(folded) or any(w.startswith(folded) for w in words):
        return True
    if folded.isascii():
        key = skeleton(folded)
        return bool(key) and any(variant.startswith(key) for variant in latin_variants(value))
    return False


@functools.lru_cache(maxsize=100_000)
def latin_variants(value: str) -> frozenset[str]:
    """Every word of a value in every transliteration (cached: a facet has
    thousands of values and a filter box asks on each key press)."""
    return frozenset(variant for word in value.split() for variant in transliterations(word))


def fold(text: str) -> str:
    """Case and ё folded, as facet values are compared."""
    return text.lower().replace("ё", "е").strip()
