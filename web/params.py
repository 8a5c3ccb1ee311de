"""URL parameters <-> SearchRequest: the URL is the whole state."""
from __future__ import annotations

from search.engine import BadRequest, SearchRequest
from search.facets import FACETS


def _int(args, name: str, default: int) -> int:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, not {raw[:40]!r}") from None


def request_from_args(args) -> SearchRequest:
    filters = {}
    for name in FACETS:
        values = [v for v in args.getlist(name) if v.strip()]
        if values:
            filters[name] = list(dict.fromkeys(values))
    return SearchRequest(
        q=args.get("q", ""),
        filters=filters,
        sort=args.get("sort", "relevance") or "relevance",
        page=_int(args, "page", 1),
        per_page=_int(args, "per_page", 10),
        translate=switch(args, "translate"),
        transliterate=switch(args, "transliterate"),
        entities=switch(args, "entities"),
        inferred=switch(args, "inferred"),
        collapse=switch(args, "collapse"),
        count=args.get("count", "documents") or "documents",
    ).validate()


def switch(args, name: str) -> bool:
    """An expansion's switch: on unless ``0`` (``false``, ``no``, ``off``)."""
    return args.get(name, "1") not in ("0", "false", "no", "off")
