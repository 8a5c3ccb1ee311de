"""The official's page: ``/official/<name>``, the record of
``search/official_info.py`` as HTML."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from search.engine import IndexUnavailable, SearchRequest

from . import engine_of
from .pages import TIMELINE_HEIGHT, render_error, timeline

official_page = Blueprint("official_page", __name__)

STATUS = {"one": 200, "several": 200, "none": 404}  # several: a page that lists them


@official_page.get("/official/<path:name>")
def official(name: str):
    try:
        record = engine_of(current_app).official(name)
    except IndexUnavailable as exc:
        return render_error(503, "index_unavailable", str(exc))
    bars = timeline([dict(year, url=year["search"]) for year in record.get("years", [])])
    return render_template(
        "official.html",
        record=record,
        req=SearchRequest(),
        bars=bars,
        timeline_height=TIMELINE_HEIGHT,
    ), STATUS[record["match"]]
