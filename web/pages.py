"""HTML pages: the search page and the document page."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from markupsafe import Markup, escape

from index.schema import UNKNOWN_YEAR
from search.engine import BadRequest, IndexUnavailable, SearchRequest
from search.facets import DEFAULT_TOP

from . import engine_of
from .params import request_from_args

pages = Blueprint("pages", __name__)

FACET_ORDER = ("region", "official", "sector", "year", "lang")
TIMELINE_HEIGHT = 60
# The page shows DEFAULT_TOP values per facet and the rest behind "show more".
FACET_PAGE_TOP = 100


def render_error(status: int, key: str, detail: str | None = None):
    return render_template("error.html", key=key, detail=detail, status=status), status


def marked(segments) -> Markup:
    """Segments -> escaped HTML with only <mark> inserted."""
    return Markup("".join(f"<mark>{escape(t)}</mark>" if hit else str(escape(t)) for t, hit in segments))


def timeline(year_values: list[dict]) -> list[dict]:
    """Bars for the years with known dates, oldest first, each with its
    height and the URL that filters to that year."""
    years = sorted((v for v in year_values if v["value"] != UNKNOWN_YEAR), key=lambda v: v["value"])
    top = max((v["count"] for v in years), default=0)
    bars = []
    for i, v in enumerate(years):
        height = round(TIMELINE_HEIGHT * v["count"] / top) if top else 0
        bars.append(dict(v, x=i * 28, height=max(height, 2 if v["count"] else 0), y=TIMELINE_HEIGHT - height))
    return bars


def chips(req: SearchRequest) -> list[dict]:
    return [{"name": name, "value": value, "url": "?" + req.toggled(name, value).query_string()}
            for name, values in req.filters.items() for value in values]


@pages.get("/")
def search_page():
    engine = engine_of(current_app)
    try:
        req = request_from_args(request.args)
    except BadRequest as exc:
        return render_error(400, "filters", str(exc))
    try:
        record = engine.search(req, facet_top=FACET_PAGE_TOP)
    except IndexUnavailable as exc:
        return render_error(503, "index_unavailable", str(exc))

    def page_url(page: int) -> str:
        return "?" + SearchRequest(req.q, req.filters, req.sort, page, req.per_page, req.translate).query_string()

    def sort_url(sort: str) -> str:
        return "?" + SearchRequest(req.q, req.filters, sort, 1, req.per_page, req.translate).query_string()

    suggestion_url = None
    if record["suggestion"]:
        suggestion_url = "?" + SearchRequest(record["suggestion"], req.filters, req.sort, 1, req.per_page, req.translate).query_string()
    return render_template(
        "search.html",
        req=req,
        record=record,
        facet_order=FACET_ORDER,
        top=DEFAULT_TOP,
        chips=chips(req),
        clear_url="?" + SearchRequest(req.q, {}, req.sort, 1, req.per_page, req.translate).query_string(),
        page_url=page_url,
        sort_url=sort_url,
        suggestion_url=suggestion_url,
        state=req.query_string(),
        bars=timeline(record["facets"]["year"]),
        timeline_height=TIMELINE_HEIGHT,
        marked=marked,
        Markup=Markup,
    )


@pages.get("/doc/<path:doc_id>")
def document_page(doc_id: str):
    engine = engine_of(current_app)
    try:
        doc = engine.document(doc_id)
    except IndexUnavailable as exc:
        return render_error(503, "index_unavailable", str(exc))
    if doc is None:
        return render_error(404, "not_found", doc_id)
    q = request.args.get("q", "")[:1000]
    highlighted = engine.highlight_document(doc, q, request.args.get("translate", "1") != "0")
    paragraphs = _split_paragraphs(highlighted["body"])
    back = request.args.get("back", "")
    return render_template(
        "doc.html",
        doc=doc,
        q=q,
        title=marked(highlighted["title"]),
        paragraphs=[marked(p) for p in paragraphs],
        back_url="/?" + back if back and not back.startswith(("/", "http", "\\")) else "/",
        facet_url=lambda name, value: "/?" + SearchRequest("", {name: [value]}).query_string(),
    )


def _split_paragraphs(segments):
    """Body segments -> one segment list per paragraph (blank-line separated)."""
    out, current = [], []
    for text, hit in segments:
        parts = text.split("\n\n")
        for i, part in enumerate(parts):
            if i:
                out.append(current)
                current = []
            if part:
                current.append((part, hit))
    out.append(current)
    return [p for p in out if p]
