"""HTML pages: the search page and the document page."""
from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, current_app, render_template, request
from markupsafe import Markup, escape

from index.store.schema import UNKNOWN_YEAR
from search.engine import BadRequest, IndexUnavailable, SearchRequest
from search.facets import DEFAULT_TOP

from . import engine_of
from .params import request_from_args, switch

pages = Blueprint("pages", __name__)

FACET_ORDER = ("region", "place", "official", "sector", "year", "lang")
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


def entity_offer(req: SearchRequest, record: dict) -> dict | None:
    """When the whole query is one name of an official or a place: that
    facet value, and the search filtered by it instead (its documents,
    whatever words they use)."""
    named = [e for e in record.get("entities") or [] if e["entity"]]
    if len(named) != 1 or _words(named[0]["words"]) != _words(req.q):
        return None
    entity = named[0]["entity"]
    if entity["value"] in req.filters.get(entity["facet"], []):
        return None
    filters = {**req.filters, entity["facet"]: [*req.filters.get(entity["facet"], []), entity["value"]]}
    return {**entity, "url": "?" + replace(req, q="", filters=filters, page=1).query_string()}


def _words(text: str) -> list[str]:
    return text.replace('"', " ").split()


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
    req = req.with_filters(record["filters"])  # each as the facet holds it ("Чечня": Чеченская Республика)

    def page_url(page: int) -> str:
        return "?" + replace(req, page=page).query_string()

    def sort_url(sort: str) -> str:
        return "?" + replace(req, sort=sort, page=1).query_string()

    def collapse_url(collapse: bool) -> str:
        return "?" + replace(req, collapse=collapse, page=1).query_string()

    def count_url(count: str) -> str:
        return "?" + replace(req, count=count).query_string()

    suggestion_url = None
    if record["suggestion"]:
        suggestion_url = "?" + replace(req, q=record["suggestion"], page=1).query_string()
    return render_template(
        "search.html",
        req=req,
        record=record,
        facet_order=FACET_ORDER,
        top=DEFAULT_TOP,
        chips=chips(req),
        entity_offer=entity_offer(req, record),
        clear_url="?" + replace(req, filters={}, page=1).query_string(),
        page_url=page_url,
        sort_url=sort_url,
        collapse_url=collapse_url,
        count_url=count_url,
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
    highlighted = engine.highlight_document(doc, q, *(switch(request.args, name) for name in ("translate", "transliterate", "entities")))
    paragraphs = annotated_paragraphs(doc["body"], highlighted["body_spans"], doc["entity_spans"])
    back = request.args.get("back", "")
    return render_template(
        "doc.html",
        doc=doc,
        q=q,
        req=SearchRequest(q),  # the search box keeps the query
        title=marked(highlighted["title"]),
        paragraphs=paragraphs,
        back_url=back_to_search(back),
        facet_url=lambda name, value: "/?" + SearchRequest("", {name: [value]}).query_string(),
    )


@pages.get("/story/<path:story_id>")
def story_page(story_id: str):
    """Every copy of a story (the "N similar" link of a hit)."""
    try:
        story = engine_of(current_app).story(story_id)
    except IndexUnavailable as exc:
        return render_error(503, "index_unavailable", str(exc))
    if story is None:
        return render_error(404, "not_found", story_id)
    back = request.args.get("back", "")
    return render_template("story.html", story=story, q=request.args.get("q", "")[:1000], req=SearchRequest(""),
                           back=back, back_url=back_to_search(back))


def back_to_search(back: str) -> str:
    """The search a page came from (its query string), never another site
    or path: a ``back`` that starts like a URL or a path goes to ``/``."""
    return "/?" + back if back and not back.startswith(("/", "http", "\\")) else "/"


ENTITY_FACET = {"official": "official", "region": "region", "district": "district"}


def annotated_paragraphs(body: str, query_spans, entity_spans) -> list[Markup]:
    """The body as paragraphs of escaped HTML: query matches in <mark>,
    recognised officials and regions as links to a search filtered by them,
    persons known only by a first name marked without a link."""
    cuts = {0, len(body)}
    for s, e in query_spans:
        cuts.update((s, e))
    entities = [(s, e, kind, value) for s, e, kind, value in entity_spans
                if (kind in ENTITY_FACET or kind == "person") and 0 <= s < e <= len(body)]
    for s, e, _, _ in entities:
        cuts.update((s, e))
    points = sorted(cuts)
    paragraphs, current = [], []
    for a, b in zip(points, points[1:]):
        text = body[a:b]
        marked_here = any(s <= a and b <= e for s, e in query_spans)
        entity = next(((k, v) for s, e, k, v in entities if s <= a and b <= e), None)
        pieces = text.split("\n\n")
        for n, piece in enumerate(pieces):
            if n:
                paragraphs.append(current)
                current = []
            if not piece:
                continue
            html = str(escape(piece))
            if marked_here:
                html = f"<mark>{html}</mark>"
            if entity and entity[0] == "person":  # a person no facet value stands for
                html = f'<span class="entity person" title="{escape(entity[1])}">{html}</span>'
            elif entity:
                kind, value = entity
                url = "/?" + SearchRequest("", {ENTITY_FACET[kind]: [value]}).query_string()
                html = f'<a class="entity {kind}" href="{escape(url)}" title="{escape(value)}">{html}</a>'
            current.append(html)
    paragraphs.append(current)
    return [Markup("".join(p)) for p in paragraphs if p]
