"""The query algebra (``backend.py``) as Sphinx's extended ``MATCH()`` syntax.

``compile_match`` says a query as one expression, scoring each part the
same (the dense path combines differently weighted parts itself);
``weighted_match`` says it whole for the page path (``sphinx_pages.py``):
a part's weight as the keyword's IDF boost (``word^0.5``, the only weight
Sphinx 2.2's syntax has: it scales the idf part of the ranker's BM25),
"everything" as the words every document has (its language's facet
value), and a ``Fallback`` as main OR extra, the extra's facet words
weighing nothing in the page ranker, so its documents rank below.
"""
from __future__ import annotations

from index.store import sphinx as sx

from . import backend as q

LEMMA_FIELDS = sx.TEXT_FIELDS[:3]  # title, body (lemmas) and exact (forms): the rest is the facets field


def compile_match(query) -> str | None:
    """The algebra as a ``MATCH()`` expression in Sphinx's extended syntax, or
    None if a part cannot be said in it (everything, nothing inside)."""
    if isinstance(query, (q.Term, q.Phrase)):
        return _keywords(query)
    if isinstance(query, (q.AnyOf, q.AllOf)):
        parts = [compile_match(item) for item in query.items]
        if not parts or any(p is None for p in parts):
            return None
        return "(" + (" | " if isinstance(query, q.AnyOf) else " ").join(parts) + ")"
    if isinstance(query, q.Without):
        base, excluded = compile_match(query.base), compile_match(query.excluded)
        if base is None or excluded is None:
            return None
        return f"({base} -{excluded})"
    return None


def _keywords(query, boost: str = "") -> str | None:
    """A term or a phrase as a field's keywords, each with ``boost`` (None:
    a phrase in the facets field, which has no word order)."""
    if isinstance(query, q.Term):
        if query.field in LEMMA_FIELDS:
            return f"(@{query.field} {sx.token(query.text)}{boost})"
        return f"(@facets {sx.facet_token(query.field, query.text)}{boost})"
    if query.field not in LEMMA_FIELDS:
        return None
    return f'(@{query.field} "{" ".join(sx.token(w) + boost for w in query.words)}")'


def _boosted(query) -> bool:
    """Does a part of the query weigh other than 1?"""
    if getattr(query, "boost", 1.0) != 1.0:
        return True
    if isinstance(query, (q.AnyOf, q.AllOf)):
        return any(_boosted(item) for item in query.items)
    if isinstance(query, q.Without):
        return _boosted(query.base)
    return False


def _common_boost(query) -> float | None:
    """The one weight every term of a query has (the query's own included),
    or None if they differ."""
    weights = set()

    def walk(node, outer: float) -> None:
        weight = outer * getattr(node, "boost", 1.0)
        if isinstance(node, (q.AnyOf, q.AllOf)):
            for item in node.items:
                walk(item, weight)
        elif isinstance(node, q.Without):
            walk(node.base, outer)
        else:
            weights.add(weight)

    walk(query, 1.0)
    return weights.pop() if len(weights) == 1 else None


def simplify(query):
    """Nothing taken out of the algebra where it changes nothing, so more of
    a query compiles to one expression."""
    if isinstance(query, q.AnyOf):
        items = [i for i in (simplify(i) for i in query.items) if not isinstance(i, q.Nothing)]
        return q.AnyOf(tuple(items), query.boost) if items else q.NOTHING
    if isinstance(query, q.AllOf):
        items = [simplify(i) for i in query.items]
        if any(isinstance(i, q.Nothing) for i in items) or not items:
            return q.NOTHING
        positive = [i for i in items if not isinstance(i, q.Everything)]
        return q.AllOf(tuple(positive), query.boost) if positive else q.EVERYTHING
    if isinstance(query, q.Without):
        base, excluded = simplify(query.base), simplify(query.excluded)
        if isinstance(base, q.Nothing) or isinstance(excluded, q.Everything):
            return q.NOTHING
        return base if isinstance(excluded, q.Nothing) else q.Without(base, excluded)
    if isinstance(query, q.Fallback):
        main, extra = simplify(query.main), simplify(query.extra)
        return main if isinstance(extra, q.Nothing) else q.Fallback(main, extra, query.weight)
    return query



def weighted_match(query, every: str, outer: float = 1.0) -> str | None:
    """The whole algebra as one expression (None: it matches nothing):
    weights as IDF boosts, ``every`` for everything, a fallback as either
    of its parts."""
    if isinstance(query, q.Nothing):
        return None
    if isinstance(query, q.Everything):
        return every
    if isinstance(query, (q.Term, q.Phrase)):
        return _keywords(query, _boost(outer * query.boost))
    if isinstance(query, (q.AnyOf, q.AllOf)):
        parts = [weighted_match(item, every, outer * query.boost) for item in query.items]
        if isinstance(query, q.AnyOf):
            parts = [p for p in parts if p is not None]
        elif any(p is None for p in parts):
            return None
        return "(" + (" | " if isinstance(query, q.AnyOf) else " ").join(parts) + ")" if parts else None
    if isinstance(query, q.Without):
        base = weighted_match(query.base, every, outer)
        excluded = weighted_match(query.excluded, every)
        if base is None or excluded is None:
            return base
        return f"({base} -{excluded})"
    if isinstance(query, q.Fallback):
        main, extra = weighted_match(query.main, every, outer), weighted_match(query.extra, every, outer)
        return extra if main is None else main if extra is None else f"({main} | {extra})"
    raise TypeError(f"no cluster query for {type(query).__name__}")


def _boost(weight: float) -> str:
    return "" if abs(weight - 1.0) < 1e-9 else f"^{weight:.4g}"


def searches_forms(query) -> bool:
    """Does the query search exact forms itself (so a count of a form's
    hits among its documents would count its own too)?"""
    if isinstance(query, (q.Term, q.Phrase)):
        return query.field == "exact"
    if isinstance(query, (q.AnyOf, q.AllOf)):
        return any(searches_forms(item) for item in query.items)
    if isinstance(query, q.Without):
        return searches_forms(query.base)
    if isinstance(query, q.Fallback):
        return searches_forms(query.main) or searches_forms(query.extra)
    return False
