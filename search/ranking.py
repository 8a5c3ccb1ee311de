"""What a ranking weighs besides BM25F, and how much (``data/ranking.tsv``).

BM25F scores each word on its own. A reader also expects:

- **acronyms read as acronyms**: a search box is typed in lower case, and
  ``пасе`` is the lemma ``пас`` (a football pass) while ``ПАСЕ`` in the text
  is the Assembly. A lower-case word whose capitalized reading is another
  lemma of the index is searched in both readings; the reading under which
  more documents hold the very form typed ranks first, the other below it
  (``readings.py``).
- **the words near each other**: of the documents with every word, those
  where the words stand close (in the title or the body) first;
- **the words in the lead** (the title and the body's first words): an
  article about a subject names it there, one that mentions it in passing
  does not.

Both are multipliers of the BM25F score, worked out for the best
``RERANK_DEPTH`` documents only (a page is never deeper), from the
position arrays of those documents. Ties keep the engine's order (newer
first). ``CURRENT`` is the ranking before any of this, ``DEFAULT`` what the
data file switches on; ``VARIANTS`` are what ``make relevance`` compares.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from whoosh.scoring import BM25F

from .backend import IndexView

RANKING_FILE = Path(__file__).resolve().parent / "data" / "ranking.tsv"
RERANK_DEPTH = 200


@dataclass(frozen=True)
class RankingOptions:
    acronyms: bool = False  # a lower-case word also in its capitalized reading
    proximity: float = 0.0  # score x (1 + proximity x nearness of the words, 1 when side by side)
    window: int = 8  # words further apart than this are not near
    lead: float = 0.0  # score x (1 + lead x share of the words in the lead)
    lead_words: int = 40  # the lead: the body's first words (stop words not counted)
    k1: float = 1.2  # BM25F's term-frequency saturation (Whoosh's default)
    title_b: float = 0.75  # BM25F's length normalization per field (Whoosh's default)
    body_b: float = 0.75

    def weighting(self) -> BM25F:
        """The BM25F a searcher scores with (``scoring.py`` reads it)."""
        return BM25F(K1=self.k1, B=0.75, title_B=self.title_b, body_B=self.body_b)

    @property
    def reranks(self) -> bool:
        return self.proximity > 0 or self.lead > 0


def load_options(path: Path = RANKING_FILE) -> RankingOptions:
    """The options the data file sets (name, value; '#' comments)."""
    values: dict[str, object] = {}
    kinds = {name: type(value) for name, value in vars(RankingOptions()).items()}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, value = line.split(None, 1)
        kind = kinds[name]
        values[name] = value.strip().lower() in ("1", "true", "yes", "on") if kind is bool else kind(value)
    return RankingOptions(**values)


CURRENT = RankingOptions()
DEFAULT = load_options()
VARIANTS = {
    "engine (before)": CURRENT,
    "+acronyms": replace(CURRENT, acronyms=True),
    "+proximity": replace(CURRENT, proximity=DEFAULT.proximity or 0.5),
    "+lead": replace(CURRENT, lead=DEFAULT.lead or 0.5),
    "all three": replace(CURRENT, acronyms=True, proximity=DEFAULT.proximity or 0.5, lead=DEFAULT.lead or 0.5),
    "engine (now)": DEFAULT,
}


def query_lemmas(parsed, plan) -> list[str]:
    """The lemmas of a query's positive words and phrases, in order, each
    word in the reading it is searched by (``readings.py``, as the plan
    has it): what the multipliers look for."""
    lemmas: list[str] = []
    for term in parsed.positive_terms():
        if hasattr(term, "lemmas"):
            lemmas.extend(term.lemmas)
        elif hasattr(term, "lemma") and term.lemma:
            lemmas.append(plan.lemmas(term)[0])
    return [w for i, w in enumerate(lemmas) if w not in lemmas[:i]]


# -- proximity and lead -----------------------------------------------------------------------
def _nearest(view: IndexView, field: str, a: str, b: str, within: np.ndarray) -> np.ndarray:
    """Each document's least distance in words between ``a`` and ``b`` in a
    field (a large number where one is missing), over the documents
    ``within`` marks."""
    nearest = np.full(len(within), 1 << 30, dtype=np.int64)
    docs_a, pos_a = view.postings.positions(field, a, within=within)
    docs_b, pos_b = view.postings.positions(field, b, within=within)
    if not len(docs_a) or not len(docs_b):
        return nearest
    keys = np.concatenate([(docs_a << 32) | pos_a, (docs_b << 32) | pos_b])
    which = np.concatenate([np.zeros(len(docs_a), dtype=np.int8), np.ones(len(docs_b), dtype=np.int8)])
    order = np.argsort(keys, kind="stable")
    keys, which = keys[order], which[order]
    docs, pos = keys >> 32, keys & 0xFFFFFFFF
    # neighbours in a document's sorted positions that are one of each word
    pair = (docs[1:] == docs[:-1]) & (which[1:] != which[:-1])
    np.minimum.at(nearest, docs[1:][pair], (pos[1:] - pos[:-1])[pair])
    return nearest


def _in_lead(view: IndexView, lemma: str, within: np.ndarray, lead_words: int) -> np.ndarray:
    """The documents ``within`` with the word in the title or among the
    body's first ``lead_words``: the headline is the lead's first line."""
    found = np.zeros(len(within), dtype=bool)
    docs, pos = view.postings.positions("body", lemma, within=within)
    found[docs[pos < lead_words]] = True
    found[view.postings.positions("title", lemma, within=within)[0]] = True
    return found


class Reranker:
    """The multipliers of ``RankingOptions`` applied to the best documents
    of a search."""

    def __init__(self, options: RankingOptions) -> None:
        self.options = options

    def adjust(self, view: IndexView, lemmas: list[str], docnums: np.ndarray, scores: np.ndarray) -> np.ndarray:
        """``scores`` of ``docnums`` with the best ``RERANK_DEPTH`` of them
        multiplied by their nearness and lead factors."""
        options = self.options
        if not options.reranks or not lemmas or not hasattr(view, "postings") or not len(docnums):
            return scores
        top = np.argpartition(-scores, RERANK_DEPTH)[:RERANK_DEPTH] if len(scores) > RERANK_DEPTH else np.arange(len(scores))
        within = np.zeros(view.doc_count, dtype=bool)
        within[docnums[top]] = True
        factor = np.ones(view.doc_count)
        if options.proximity > 0 and len(lemmas) > 1:
            nearness = np.zeros(view.doc_count)
            for a, b in zip(lemmas, lemmas[1:]):
                gap = np.minimum(_nearest(view, "title", a, b, within), _nearest(view, "body", a, b, within))
                nearness += np.where(gap <= options.window, 1.0 / np.maximum(gap, 1), 0.0)
            factor += options.proximity * nearness / (len(lemmas) - 1)
        if options.lead > 0:
            share = sum(_in_lead(view, lemma, within, options.lead_words).astype(float) for lemma in lemmas) / len(lemmas)
            factor += options.lead * share
        adjusted = scores.copy()
        adjusted[top] = scores[top] * factor[docnums[top]]
        return adjusted
