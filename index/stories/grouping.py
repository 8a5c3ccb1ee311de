"""Documents -> stories, incrementally: a document joins every story whose
documents it is like, and a story is a connected group of such pairs.

Two documents are alike when the MinHash estimate of the Jaccard similarity
of their shingles (``traits.py``) reaches ``same_story`` (candidates from
LSH banding, ``bands.py``, so a new document is compared with a few, not all), or,
in different languages, when they are dated close together and name the
same officials, regions and glossary concepts (a translation). The pairs are
kept, not the groups: removing a document (deleted, replaced, pruned)
splits its story where it held it together, and the next earliest document
becomes the representative.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date as Date

import numpy as np

from .bands import BandIndex, band_split
from .files import story_record
from .state import StoryState, collector_paused
from .settings import StorySettings, story_settings
from .traits import StoryTraits, surname_keys

COPY, TRANSLATION = "copy", "translation"


def _day(iso_date: str) -> int:
    return Date.fromisoformat(iso_date).toordinal()


class StoryIndex:
    def __init__(self, settings: StorySettings | None = None) -> None:
        self.settings = settings or story_settings()
        s = self.settings
        self.bands = BandIndex(*band_split(s.candidate_similarity, s.permutations))
        self._row_of: dict[str, int] = {}  # a signed document's row in ``bands``, and back
        self._id_of: list[str] = []
        self.traits: dict[str, StoryTraits] = {}
        self.pairs: dict[str, dict[str, str]] = defaultdict(dict)  # id -> {alike id: COPY or TRANSLATION}
        # surname key -> language -> day -> the ids of the documents of that day naming it: a
        # new document looks only at the few days around its own in the other language (an
        # official named in a fifth of the corpus made a set of all of them for each document)
        self._by_official: dict[str, dict[str, dict[int, set[str]]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(set)))
        self.changed = False

    # -- filing -------------------------------------------------------------------------
    def add(self, traits: StoryTraits) -> None:
        """Files a document (a new version replaces the old one's pairs)."""
        self.remove(traits.id)
        traits = self._with_official_keys(traits)
        self.traits[traits.id] = traits
        self.changed = True
        if traits.signature is not None:
            row = self._new_row(traits.id)
            for other_row in self.bands.file(row, self.bands.keys(traits.signature)):
                other = self._id_of[other_row]
                if self.similarity(traits.signature, self.traits[other].signature) >= self.settings.same_story:
                    self._pair(traits.id, other, COPY)
        for other in self._translation_candidates(traits):
            if self.is_translation(traits, self.traits[other]):
                self._pair(traits.id, other, TRANSLATION)
        for key in self._official_keys(traits):
            self._by_official[key][traits.lang][_day(traits.date)].add(traits.id)

    def remove(self, doc_id: str) -> None:
        traits = self.traits.pop(doc_id, None)
        if traits is None:
            return
        self.changed = True
        if traits.signature is not None:
            self.bands.remove(self._row_of.pop(doc_id))
        for other in self.pairs.pop(doc_id, {}):
            self.pairs[other].pop(doc_id, None)
            if not self.pairs[other]:
                del self.pairs[other]
        for key in self._official_keys(traits):
            self._by_official[key][traits.lang][_day(traits.date)].discard(doc_id)

    def _pair(self, a: str, b: str, kind: str) -> None:
        self.pairs[a][b] = kind
        self.pairs[b][a] = kind

    def _new_row(self, doc_id: str) -> int:
        row = self._row_of[doc_id] = len(self._id_of)
        self._id_of.append(doc_id)
        return row

    @staticmethod
    def similarity(a: np.ndarray, b: np.ndarray) -> float:
        """The MinHash estimate of two documents' Jaccard similarity."""
        return float(np.count_nonzero(a == b)) / len(a)

    # -- across languages ---------------------------------------------------------------
    @staticmethod
    def _with_official_keys(traits: StoryTraits) -> StoryTraits:
        """The officials' surname keys (twelve transliterations a new surname)
        made for a dated document only: an undated one never pairs across
        languages."""
        if not traits.official_names:
            return traits
        officials = tuple(surname_keys(name) for name in traits.official_names) if traits.date else ()
        return replace(traits, officials=officials, official_names=())

    @staticmethod
    def _official_keys(traits: StoryTraits) -> set[str]:
        return {key for keys in traits.officials for key in keys} if traits.date else set()

    def _translation_candidates(self, traits: StoryTraits) -> set[str]:
        """The documents in another language dated close enough that name
        one of its officials."""
        found: set[str] = set()
        keys = self._official_keys(traits)
        if not keys:
            return found
        day, reach = _day(traits.date), self.settings.max_days_apart
        for key in keys:
            for lang, days in self._by_official.get(key, {}).items():
                if lang != traits.lang:
                    for near in range(day - reach, day + reach + 1):
                        found |= days.get(near, set())
        return found

    def is_translation(self, a: StoryTraits, b: StoryTraits) -> bool:
        """The same event in two languages: dated close together, the same
        officials (by surname, in either script) and regions, and the same
        glossary concepts and sectors."""
        s = self.settings
        if a.lang == b.lang or not (a.date and b.date):
            return False
        if abs((Date.fromisoformat(a.date) - Date.fromisoformat(b.date)).days) > s.max_days_apart:
            return False
        shared_officials = sum(1 for keys in a.officials if any(keys & other for other in b.officials))
        fewer_officials = min(len(a.officials), len(b.officials))
        if shared_officials < s.min_shared_officials or shared_officials < s.min_official_overlap * fewer_officials:
            return False
        if len(set(a.regions) & set(b.regions)) < s.min_shared_regions:
            return False
        shared_terms = len(a.terms & b.terms)
        return shared_terms >= s.min_shared_terms and shared_terms >= s.min_term_similarity * len(a.terms | b.terms)

    # -- stories ------------------------------------------------------------------------
    def groups(self) -> list[list[str]]:
        """Every story of two or more documents, its representative first
        (the earliest dated; without dates, the longest), then by date."""
        seen: set[str] = set()
        out = []
        for start in sorted(self.pairs):
            if start in seen:
                continue
            group, todo = [], [start]
            seen.add(start)
            while todo:
                doc = todo.pop()
                group.append(doc)
                for other in self.pairs.get(doc, {}):
                    if other not in seen:
                        seen.add(other)
                        todo.append(other)
            out.append(sorted(group, key=self._precedence))
        return out

    def _precedence(self, doc_id: str):
        t = self.traits[doc_id]
        return (t.date is None, t.date or "", -t.length, doc_id)

    def stories(self) -> dict[str, dict]:
        """story id (its representative's id) -> its record (``files.story_record``)."""
        out = {}
        for group in self.groups():
            kinds = {kind for doc in group for kind in self.pairs[doc].values()}
            langs = {self.traits[doc].lang for doc in group}
            out[group[0]] = story_record(group, translation=TRANSLATION in kinds and len(langs) > 1)
        return out

    # -- kept between runs --------------------------------------------------------------
    def state(self) -> StoryState:
        return StoryState(list(self.traits.values()), {(a, b): kind for a, others in self.pairs.items()
                                                       for b, kind in others.items() if a < b})

    @classmethod
    def from_state(cls, state: StoryState, settings: StorySettings | None = None) -> "StoryIndex":
        index = cls(settings)
        with collector_paused():
            signed = []
            for traits in state.traits:
                index.traits[traits.id] = traits
                if traits.signature is not None:
                    signed.append(traits.signature)
                    index._new_row(traits.id)
                for key in index._official_keys(traits):
                    index._by_official[key][traits.lang][_day(traits.date)].add(traits.id)
            if signed:  # the bands of all at once: one sorted run (rows 0.. in the order numbered above)
                index.bands.insert_many(np.arange(len(signed)), index.bands.keys(np.stack(signed)))
        for (a, b), kind in state.pairs.items():
            if a in index.traits and b in index.traits:
                index._pair(a, b, kind)
        return index
