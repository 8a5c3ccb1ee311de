"""The stories' thresholds, read from ``index/data/stories.tsv``."""
from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache

from ..config import data_lines


@dataclass(frozen=True)
class StorySettings:
    shingle_words: int
    permutations: int
    candidate_similarity: float
    same_story: float
    min_shingles: int
    max_days_apart: int
    min_shared_officials: int
    min_shared_regions: int
    min_official_overlap: float
    min_shared_terms: int
    min_term_similarity: float


@lru_cache(maxsize=1)
def story_settings() -> StorySettings:
    values = {}
    for line in data_lines("stories.tsv"):
        name, value = line.split("\t")[:2]
        values[name] = value
    kinds = {f.name: f.type for f in fields(StorySettings)}
    missing = set(kinds) - set(values)
    if missing:
        raise ValueError(f"stories.tsv lacks {', '.join(sorted(missing))}")
    return StorySettings(**{name: (int if kinds[name] == "int" else float)(values[name]) for name in kinds})
