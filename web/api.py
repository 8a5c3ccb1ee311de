"""JSON API: the same records the pages and ``search-cli --format json`` render."""
from __future__ import annotations

from itertools import chain

from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context

from search.engine import BadRequest, IndexUnavailable, public_record
from search.export import csv_lines
from search.facets import FACETS

from . import engine_of
from .openapi import OPENAPI
from .params import request_from_args

api = Blueprint("api", __name__)


def error(status: int, message: str):
    response = jsonify({"error": message, "status": status})
    response.status_code = status
    return response


@api.errorhandler(BadRequest)
def bad_request(exc):
    return error(400, str(exc))


@api.errorhandler(IndexUnavailable)
def index_unavailable(exc):
    return error(503, str(exc))


@api.get("/api/search")
def search():
    record = engine_of(current_app).search(request_from_args(request.args))
    return jsonify(public_record(record))


@api.get("/api/facets/<name>")
def facet_values(name: str):
    if name not in FACETS:
        return error(404, f"unknown facet {name!r}; facets are {', '.join(FACETS)}")
    limit = request.args.get("limit", "20")
    if not limit.isdigit() or not 1 <= int(limit) <= 200:
        return error(400, "limit must be a whole number from 1 to 200")
    values = engine_of(current_app).facet_values(name, request.args.get("prefix", "")[:100], int(limit))
    return jsonify({"facet": name, "prefix": request.args.get("prefix", ""), "values": values})


@api.get("/api/suggest")
def suggest():
    q = request.args.get("q", "")[:100]
    return jsonify({"q": q, "suggestions": engine_of(current_app).suggest_terms(q)})


@api.get("/api/doc/<path:doc_id>")
def document(doc_id: str):
    doc = engine_of(current_app).document(doc_id)
    if doc is None:
        return error(404, f"no document with id {doc_id[:100]!r}")
    return jsonify(doc)


@api.get("/api/official/<path:name>")
def official(name: str):
    """An official's record; 404, with names spelled alike, for a name that names nobody."""
    record = engine_of(current_app).official(name)
    if record["match"] == "none":
        response = jsonify({**record, "error": f"no official called {record['query']!r}", "status": 404})
        response.status_code = 404
        return response
    return jsonify(record)


@api.get("/api/story/<path:story_id>")
def story(story_id: str):
    found = engine_of(current_app).story(story_id)
    if found is None:
        return error(404, f"no story with id {story_id[:100]!r}")
    return jsonify(found)


@api.get("/export.csv")
def export_csv():
    req = request_from_args(request.args)
    engine = engine_of(current_app)
    lines = csv_lines(engine, req)
    first = next(lines)  # the ranking (and any error in it) before the response starts
    return Response(
        stream_with_context(chain([first], lines)),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="promsearch.csv"'},
    )


@api.get("/healthz")
def healthz():
    try:
        stats = engine_of(current_app).stats()
    except IndexUnavailable as exc:
        return error(503, str(exc))
    return jsonify({"status": "ok", **stats})


@api.get("/api/openapi.json")
def openapi():
    return jsonify(OPENAPI)


@api.app_errorhandler(404)
def not_found(exc):
    if request.path.startswith("/api/"):
        return error(404, "no such endpoint")
    from .pages import render_error

    return render_error(404, "not_found")


@api.app_errorhandler(405)
def method_not_allowed(exc):
    return error(405, "method not allowed: this API is read-only")


@api.app_errorhandler(500)
def internal_error(exc):
    if request.path.startswith("/api/"):
        return error(500, "internal error")
    from .pages import render_error

    return render_error(500, "index_unavailable")
