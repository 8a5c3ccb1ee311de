"""A hit as the plain record every front end renders."""
from __future__ import annotations

from index.store.schema import UNKNOWN_YEAR


def summary_of(stored: dict, score: float | None) -> dict:
    """A document's stored fields as the plain record every result shares."""
    year = stored.get("year")
    return {
        "id": stored["id"],
        "title": stored.get("title", ""),
        "date": stored.get("date") or None,
        "year": int(year) if year and year != UNKNOWN_YEAR else None,
        "lang": stored.get("lang"),
        "score": round(score, 4) if score is not None else None,
        "officials": _split(stored.get("official")),
        "regions": _split(stored.get("region")),
        "districts": _split(stored.get("district")),
        "sectors": _split(stored.get("sector")),
        "place": stored.get("place") or None,  # the dateline's city
    }


def public_record(record: dict) -> dict:
    """The search record without render-only internals: what ``search-cli
    --format json`` prints and ``/api/search`` serves."""
    out = dict(record)
    out["hits"] = [{k: v for k, v in hit.items() if k != "snippet_segments"} for hit in record["hits"]]
    return out


def _split(value) -> list[str]:
    return [v for v in (value or "").split(",") if v]
