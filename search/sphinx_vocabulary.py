"""The cluster's vocabulary, asked per search, never read whole.

``NAME_vocab`` on the head node (``index.store.sphinx.VOCAB_SCHEMA``) holds a
row for each exact form and one for each form of each lemma. A view asks it
for what a query needs, each a small SphinxQL statement both Sphinx 2.2 and
Manticore speak, so opening a view costs the same at any corpus size:

- a prefix's words: ``MATCH('@term_text pre*')`` (the engine expands the
  prefix over its dictionary, ``min_prefix_len``), ``ORDER BY term`` (the
  nodes compare strings byte by byte, so the order is Python's), the first
  ``limit``;
- whether any word starts so, asked letter by letter while a name is spelled
  in the other script: a short prefix's words are read at once (a block of
  at most ``BLOCK_WORDS``) and the longer prefixes answered from them, so a
  name is a few statements, not one a letter;
- a lemma's forms (``@lemma_text``), a form's lemmas (``@form_text``);
- spelling candidates: the words that have all but six of a word's letter
  trigrams (``@grams "…"/N``, the quorum operator; an edit changes at most
  three), of a length within two, then Levenshtein here, as the embedded
  index does; a short word (six trigrams or fewer) takes the
  ``SPELLING_CANDIDATES`` words sharing most of its trigrams.

Answers are kept for the view's life (its commit) in bounded memos.
"""
from __future__ import annotations

from bisect import bisect_left

from index.store import sphinx as sx

BLOCK_AT = 3  # letters of the shortest prefix whose words are read as a block
BLOCK_WORDS = 1000  # a block with more words is not kept: a longer prefix's is read
SPELLING_CANDIDATES = 5000
MEMO_SIZE = 20_000
ALL_WORDS = 1 << 31


class _Memo(dict):
    """A dict that forgets everything when it is full (a view's answers)."""

    def keep(self, key, value):
        if len(self) >= MEMO_SIZE:
            self.clear()
        self[key] = value
        return value


class ClusterVocabulary:
    """One view's questions to ``NAME_vocab``, on the head node (``cluster``:
    the backend's connections; not the view, which a memo of the engine's
    must not keep alive)."""

    def __init__(self, name: str, cluster) -> None:
        self.table = f"{name}_vocab"
        self.cluster = cluster
        self._prefixes, self._blocks, self._forms, self._lemmas = _Memo(), _Memo(), _Memo(), _Memo()

    def _rows(self, sql: str) -> list[tuple]:
        return self.cluster.query(sql)[0]  # a local index of the head: no agent to miss

    def _terms(self, match: str, limit: int, extra: str = "") -> list[str]:
        return [row[0] for row in self._rows(
            f"SELECT term FROM {self.table} WHERE MATCH({sx.quote(match)}){extra} ORDER BY term ASC "
            f"LIMIT 0,{limit} OPTION max_matches={limit}, ranker=none")]

    # -- prefixes -----------------------------------------------------------------------------
    def expand_prefix(self, prefix: str, limit: int | None = None) -> list[str]:
        """The exact forms starting with ``prefix``, sorted: the first ``limit``, or all."""
        if not prefix:
            return self._terms_all(limit)
        asked = limit or BLOCK_WORDS
        while True:
            words = self._terms(f"@term_text {sx.token(prefix)}*", asked)
            if limit is not None or len(words) < asked:
                return [w for w in words if w.startswith(prefix)]
            asked *= 8

    def _terms_all(self, limit: int | None) -> list[str]:
        total = int(self._rows(f"SELECT COUNT(*) FROM {self.table}")[0][0]) + 1
        rows = self._rows(f"SELECT term, kind FROM {self.table} ORDER BY term ASC LIMIT 0,{total} "
                          f"OPTION max_matches={total}")
        words = [term for term, kind in rows if kind == "exact"]
        return words[:limit] if limit is not None else words

    def has_prefix(self, prefix: str) -> bool:
        known = self._prefixes.get(prefix)
        if known is not None:
            return known
        for size in range(BLOCK_AT, len(prefix) + 1):
            block = self._block(prefix[:size])
            if block is not None:
                at = bisect_left(block, prefix)
                return self._prefixes.keep(prefix, at < len(block) and block[at].startswith(prefix))
        return self._prefixes.keep(prefix, bool(self.expand_prefix(prefix, 1)))

    def _block(self, prefix: str) -> list[str] | None:
        """Every word starting with ``prefix``, or None if there are more than ``BLOCK_WORDS``."""
        if prefix not in self._blocks:
            words = self.expand_prefix(prefix, BLOCK_WORDS + 1)
            self._blocks.keep(prefix, words if len(words) <= BLOCK_WORDS else None)
        return self._blocks[prefix]

    # -- forms ---------------------------------------------------------------------------------
    def forms(self, lemma: str) -> list[str]:
        """The lemma's forms the index holds, sorted."""
        if lemma not in self._forms:
            found = self._pairs("lemma_text", lemma) if lemma else []
            self._forms.keep(lemma, sorted({term for term, of in found if of == lemma}))
        return self._forms[lemma]

    def lemmas_of(self, form: str) -> list[str]:
        """The lemmas the form is a form of."""
        if form not in self._lemmas:
            found = self._pairs("form_text", form) if form else []
            self._lemmas.keep(form, sorted({of for term, of in found if term == form}))
        return self._lemmas[form]

    def _pairs(self, field: str, word: str) -> list[tuple[str, str]]:
        limit = BLOCK_WORDS
        while True:
            rows = self._rows(f"SELECT term, lemma FROM {self.table} WHERE MATCH({sx.quote(f'@{field} {sx.token(word)}')}) "
                              f"LIMIT 0,{limit} OPTION max_matches={limit}, ranker=none")
            if len(rows) < limit:
                return [(term, lemma) for term, lemma in rows]
            limit *= 8

    # -- spelling ------------------------------------------------------------------------------
    def near(self, word: str, distance: int = 2) -> list[tuple[str, int]]:
        """(form, edit distance) of the forms within ``distance`` edits
        (``spelling.SpellingIndex.near``'s answer, from the cluster)."""
        grams = sx.grams(word)
        quorum = max(1, len(grams) - 3 * distance)
        low, high = max(len(word) - distance, 1), len(word) + distance
        match = f'@grams "{" ".join(grams)}"/{quorum}'
        rows = self._rows(f"SELECT term FROM {self.table} WHERE MATCH({sx.quote(match)}) "
                          f"AND term_len BETWEEN {low} AND {high} ORDER BY WEIGHT() DESC, term ASC "
                          f"LIMIT 0,{SPELLING_CANDIDATES} OPTION max_matches={SPELLING_CANDIDATES}, "
                          f"ranker=expr('sum(word_count)')")
        # Imported here: most searches never get this far
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        candidates = [row[0] for row in rows]
        return [(form, d) for form, d, _ in process.extract(word, candidates, scorer=Levenshtein.distance,
                                                            score_cutoff=distance, limit=None)]
