"""What a search asks for: the request a URL, the command line or a test
makes, checked before anything is read."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from .collapse import COUNTS
from .facets import FACETS

MAX_PER_PAGE = 100
MAX_PAGE = 1000
MAX_FILTER_VALUES = 50
SORTS = ("relevance", "date")


class BadRequest(ValueError):
    """A parameter out of range; the message is meant for the user."""


@dataclass
class SearchRequest:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    translate: bool = True
    transliterate: bool = True  # a name also in the other script: "Putin" finds "Путин"
    entities: bool = True  # the documents of the officials and places the words name
    # False: a region filter leaves out documents that have the region only
    # inferred from an official they name (``inferred=0``; issue 30)
    inferred: bool = True
    collapse: bool = True  # one hit per story of near-duplicates (``collapse=0``: every copy; issue 33)
    count: str = "documents"  # what the facet counts count: "documents" or "stories" (``count=stories``)

    def validate(self) -> "SearchRequest":
        if self.sort not in SORTS:
            raise BadRequest(f"sort must be one of {', '.join(SORTS)}")
        if not 1 <= self.page <= MAX_PAGE:
            raise BadRequest(f"page must be between 1 and {MAX_PAGE}")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise BadRequest(f"per_page must be between 1 and {MAX_PER_PAGE}")
        if self.count not in COUNTS:
            raise BadRequest(f"count must be one of {', '.join(COUNTS)}")
        unknown = [name for name in self.filters if name not in FACETS]
        if unknown:
            raise BadRequest(f"unknown filter {unknown[0]!r}; filters are {', '.join(FACETS)}")
        if sum(len(v) for v in self.filters.values()) > MAX_FILTER_VALUES:
            raise BadRequest(f"at most {MAX_FILTER_VALUES} filter values")
        return self

    def params(self) -> list[tuple[str, str]]:
        """The request as URL parameters: the URL is the whole state."""
        out = [("q", self.q)] if self.q else []
        for name in FACETS:
            out += [(name, v) for v in self.filters.get(name, [])]
        if self.sort != "relevance":
            out.append(("sort", self.sort))
        if self.page != 1:
            out.append(("page", str(self.page)))
        if self.per_page != 10:
            out.append(("per_page", str(self.per_page)))
        if not self.translate:
            out.append(("translate", "0"))
        if not self.transliterate:
            out.append(("transliterate", "0"))
        if not self.entities:
            out.append(("entities", "0"))
        if not self.inferred:
            out.append(("inferred", "0"))
        if not self.collapse:
            out.append(("collapse", "0"))
        if self.count != "documents":
            out.append(("count", self.count))
        return out

    def with_filters(self, filters: dict[str, list[str]]) -> "SearchRequest":
        """The same request with other filters (the facets' own values for
        those typed)."""
        return replace(self, filters=filters)

    def toggled(self, name: str, value: str) -> "SearchRequest":
        """The same request with one facet value switched on or off (page 1)."""
        filters = {k: list(v) for k, v in self.filters.items()}
        values = filters.setdefault(name, [])
        if value in values:
            values.remove(value)
        else:
            values.append(value)
        return replace(self, filters={k: v for k, v in filters.items() if v}, page=1)

    def query_string(self) -> str:
        return urlencode(self.params())

    def toggle_urls(self):
        """(name, value) -> the query string of ``toggled(name, value)``, with
        this request's own parameters encoded once: a page links every facet
        value it shows (measured: a third of a search's time when each link
        encoded the whole request again)."""
        chosen = {name: [(v, _param(name, v)) for v in self.filters.get(name, [])] for name in FACETS}
        head = [urlencode([("q", self.q)])] if self.q else []
        tail = [urlencode([(k, v)]) for k, v in self.params()
                if k in ("sort", "per_page", "translate", "transliterate", "entities", "inferred", "collapse", "count")]

        def url(name: str, value: str) -> str:
            parts = list(head)
            for facet in FACETS:
                kept = [encoded for v, encoded in chosen[facet] if not (facet == name and v == value)]
                parts += kept
                if facet == name and len(kept) == len(chosen[facet]):
                    parts.append(_param(name, value))
            return "?" + "&".join(parts + tail)

        # A value not chosen goes after its facet's chosen ones: what comes
        # before and after it is the same for every such value of a facet,
        # joined once (a page links a hundred values, the regions all).
        around = {}
        for at, facet in enumerate(FACETS):
            before = head + [encoded for f in FACETS[:at + 1] for _v, encoded in chosen[f]]
            after = [encoded for f in FACETS[at + 1:] for _v, encoded in chosen[f]] + tail
            around[facet] = ("?" + "&".join(before) + "&" if before else "?", "&" + "&".join(after) if after else "")
        picked = {(facet, v) for facet in FACETS for v, _encoded in chosen[facet]}

        def toggle(name: str, value: str) -> str:
            if name not in around or (name, value) in picked:
                return url(name, value)
            opening, closing = around[name]
            return opening + _param(name, value) + closing

        return toggle


@functools.lru_cache(maxsize=100_000)
def _param(name: str, value: str) -> str:
    """``name=value`` URL-encoded (cached: the same facet values are linked
    on every page)."""
    return urlencode([(name, value)])
