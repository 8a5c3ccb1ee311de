"""The region facets without the regions inferred from officials
(``inferred=0``; issue 30).

A document that names a region's head in office at its date has that
region in its region facet, and its district in the district facet,
though its text never names them; its stored ``roles`` list those regions
(``INFERRED_REGIONS_KEY``). With ``inferred=0`` the filter, the facet
counts and the official's page count only the regions a text names:
``NamedRegions`` holds, for one view, the region and district columns
without the inferred (document, value) pairs, and the inferred pairs as
columns of their own (how many of a count are inferred). It is built once
a view, the first time a request asks for it, from the stored records of
the documents with a region that name someone the knowledge base has as a
region's head (only they can have a region inferred).

A district counts as inferred when it is an inferred region's district, no
region the text names lies in it, and the body does not name it (a
district named in the title alone is taken for inferred: the title's
mentions are not stored).
"""
from __future__ import annotations

import numpy as np

from index.entities.office_terms import office_terms
from index.store.schema import INFERRED_REGIONS_KEY

from .facets import FACETS, FacetColumn, FacetIndex, fold

REGION_FACETS = ("region", "district")


def inferred_of(stored: dict, district_of: dict[str, str]) -> tuple[set[str], set[str]]:
    """(regions, districts) a document has only through the officials it names."""
    regions = {item.get("region") for item in (stored.get("roles") or {}).get(INFERRED_REGIONS_KEY) or ()}
    regions.discard(None)
    if not regions:
        return set(), set()
    named = [r for r in (stored.get("region") or "").split(",") if r and r not in regions]
    named_districts = {district_of.get(r) for r in named}
    named_districts |= {span[3] for span in stored.get("entity_spans") or () if len(span) > 3 and span[2] == "district"}
    return regions, {district_of.get(r) for r in regions if district_of.get(r)} - named_districts


class NamedRegions:
    """One view's facets as ``inferred=0`` counts them: the view's own
    columns, but for region and district, which keep only the values the
    texts name. Answers ``narrow`` and ``facet_counts`` as a view does."""

    def __init__(self, view, district_of: dict[str, str]) -> None:
        columns = {name: view.facet_column(name) for name in FACETS}
        pairs: dict[str, list[tuple[int, int]]] = {name: [] for name in REGION_FACETS}
        region = columns["region"]
        for docnum in self._may_have_inferred(columns) if region is not None else ():
            regions, districts = inferred_of(view.stored(int(docnum)), district_of)
            for name, values in zip(REGION_FACETS, (regions, districts)):
                index_of = columns[name].index_of
                pairs[name] += [(int(docnum), index_of[v]) for v in values if v in index_of]
        doc_count = len(view.live)
        self.inferred: dict[str, FacetColumn] = {}
        for name in REGION_FACETS:
            column = columns[name]
            docs = np.array([d for d, _ in pairs[name]], dtype=np.intp)
            ids = np.array([v for _, v in pairs[name]], dtype=np.int64)
            keys = docs * len(column.values) + ids
            inferred = np.isin(column.doc_ids.astype(np.int64) * len(column.values) + column.value_ids, keys)
            # the subsets keep the column's grouping by value, as from_pairs wants it
            columns[name] = FacetColumn.from_pairs(name, column.values, column.doc_ids[~inferred],
                                                   column.value_ids[~inferred], doc_count)
            self.inferred[name] = FacetColumn.from_pairs(name, column.values, column.doc_ids[inferred],
                                                         column.value_ids[inferred], doc_count)
        self.facets = FacetIndex.of_columns(columns, doc_count)

    @staticmethod
    def _may_have_inferred(columns: dict) -> np.ndarray:
        """The documents with a region that name someone the knowledge base
        has as a region's head (only they can have one inferred): a few
        thousand stored records to read, not every document's."""
        officials, region = columns["official"], columns["region"]
        heads = {fold(t.person) for t in office_terms().terms if t.kind == "head"}
        ids = [i for i, value in enumerate(officials.values) if fold(value) in heads]
        named = np.unique(officials.doc_ids[np.isin(officials.value_ids, ids)])
        return np.intersect1d(named, region.doc_ids)

    def narrow(self, selection: np.ndarray, filters: dict[str, list[str]], skip: str | None = None) -> np.ndarray:
        return self.facets.apply(selection, filters, skip)

    def facet_counts(self, selection: np.ndarray, filters: dict[str, list[str]]) -> dict:
        return self.facets.counts(selection, filters)

    def inferred_counts(self, name: str, selection: np.ndarray) -> dict[str, int]:
        """Per value of ``region`` or ``district``: how many documents of the
        selection have it only inferred."""
        column = self.inferred[name]
        counts = column.counts(selection)
        return {column.values[i]: int(counts[i]) for i in np.flatnonzero(counts)}
