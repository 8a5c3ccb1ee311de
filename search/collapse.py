"""One hit per story: near-duplicate documents collapsed (issue 33).

The build files each document's story (``index/stories``) and writes the
stories of two or more documents in ``stories.json``; a view that has them
holds them as ``view.stories`` (the embedded backend does; a cluster's view
does when it was loaded from an embedded index, ``cluster_from_index``;
without them nothing is collapsed). Above the backend seam, from
document ids alone: ``Stories`` numbers one view's stories over its
document numbers, and ``collapse`` keeps of each story in a selection only
the copy the engine would rank first (score, then newer date, then number),
so paging, totals and facet counts by story are all of the collapsed
selection. Documents in no story are stories of their own.
"""
from __future__ import annotations

import numpy as np

from .records import summary_of

COUNTS = ("documents", "stories")  # what the facets count (``count=``)


def docnums_of(view, doc_ids: list[str]) -> list[int | None]:
    """Documents' numbers in the view: a cluster's view numbers many at
    once, densely (its ``docnum_of`` asks the cluster for one, and answers
    with a reference that is not a number of the arrays here)."""
    many = getattr(view, "docnums_of", None)
    return many(doc_ids) if many is not None else [view.docnum_of(doc_id) for doc_id in doc_ids]


class Stories:
    """One view's stories of two or more of its live documents."""

    def __init__(self, view) -> None:
        records = getattr(view, "stories", None) or {}
        self.ids: list[str] = []
        self.number_of: dict[str, int] = {}  # story id -> its index in ``ids``
        self.members: list[list[int]] = []  # docnums, the representative (or the earliest left) first
        self.translation: list[bool] = []
        self.index_of_id: dict[str, int] = {}  # a live copy's id -> its story's index in ``ids``
        if not records:  # no stories: nothing to number
            return
        self.story_of = np.arange(view.doc_count)  # a document alone is its own story
        self.in_story = np.zeros(view.doc_count, dtype=bool)
        for story_id, record in records.items():
            numbered = docnums_of(view, record["members"])
            docnums = [d for d in numbered if d is not None and view.live[d]]
            if len(docnums) < 2:
                continue
            number = view.doc_count + len(self.ids)
            self.story_of[docnums] = number
            self.in_story[docnums] = True
            self.number_of[story_id] = len(self.ids)
            self.index_of_id.update((doc_id, len(self.ids)) for doc_id, d in zip(record["members"], numbered) if d in docnums)
            self.ids.append(story_id)
            self.members.append(docnums)
            self.translation.append(bool(record.get("translation")))

    def __bool__(self) -> bool:
        return bool(self.ids)

    def collapse(self, selected: np.ndarray, scores: np.ndarray | None, sortdate: np.ndarray) -> np.ndarray:
        """``selected`` with only the first-ranked copy of each story kept:
        by ``scores`` (None: by date, newest first), as ``engine._rank``
        orders, so the copy kept is the one the page would show first."""
        copies = np.flatnonzero(selected & self.in_story)
        if not len(copies):
            return selected
        keys = (copies, -sortdate[copies]) + ((-np.round(scores[copies], 9),) if scores is not None else ())
        ranked = copies[np.lexsort(keys)]
        _, first = np.unique(self.story_of[ranked], return_index=True)
        out = selected.copy()
        out[copies] = False
        out[ranked[first]] = True
        return out

    def about(self, doc_id: str) -> dict:
        """A hit's story: its id, how many other copies it has, whether
        they are in the other language too (by id: a cluster's page refers
        to its hits by cluster id, not by the numbers here)."""
        i = self.index_of_id.get(doc_id)
        if i is None:
            return {"story": doc_id, "similar": 0, "translation": False}
        return {"story": self.ids[i], "similar": len(self.members[i]) - 1, "translation": self.translation[i]}

    def listing(self, view, story_id: str) -> dict | None:
        """A story's copies, the representative first, as plain records;
        None when the view has no such story (a document alone is one)."""
        if story_id not in self.number_of:
            docnum = docnums_of(view, [story_id])[0] if self else view.docnum_of(story_id)
            if docnum is None or (self and self.in_story[docnum]):
                return None
            docnums, translation = [docnum], False
        else:
            i = self.number_of[story_id]
            docnums, translation = self.members[i], self.translation[i]
        documents = []
        for docnum in docnums:
            record = summary_of(view.stored(docnum), None)
            del record["score"]
            documents.append(record)
        return {"story": story_id, "translation": translation, "documents": documents}


def collapsed(stories: Stories, view, query, selected: np.ndarray, by_date: bool, wanted: bool) -> np.ndarray:
    """A selection with one copy a story if ``wanted`` (a request's
    ``collapse``, or its facets counted by story), the copy the ranking
    (by date, or by ``query``'s scores) puts first."""
    if not (wanted and stories):
        return selected
    return stories.collapse(selected, None if by_date else view.match(query)[1], view.sortdate)
