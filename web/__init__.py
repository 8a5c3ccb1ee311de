"""Promsearch web front end: Flask app factory, pages and JSON API."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, g, request

from index.config import default_index_dir
from search.engine import SearchEngine

UI_LANGUAGES = ("ru", "it", "en")
_HERE = Path(__file__).resolve().parent
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(INDEX_DIR=str(default_index_dir()), JSON_AS_ASCII=False)
    app.config.update(config or {})
    app.json.ensure_ascii = False
    app.extensions["promsearch_engine"] = app.config.get("ENGINE") or SearchEngine(app.config["INDEX_DIR"])
    app.extensions["promsearch_i18n"] = json.loads((_HERE / "i18n.json").read_text(encoding="utf-8"))

    from .api import api
    from .official import official_page
    from .pages import pages

    app.register_blueprint(pages)
    app.register_blueprint(official_page)
    app.register_blueprint(api)

    @app.before_request
    def forget_last_generation():
        app.extensions["promsearch_engine"].take_answered_generation()

    @app.before_request
    def choose_ui_language():
        # Russian unless the user chose otherwise (?ui=, remembered in a cookie).
        wanted = request.args.get("ui") or request.cookies.get("ui")
        g.ui = wanted if wanted in UI_LANGUAGES else "ru"

    @app.after_request
    def security_headers(response):
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        generation = app.extensions["promsearch_engine"].take_answered_generation()
        if generation is not None:
            response.headers["X-Index-Generation"] = str(generation)  # which commit answered
        if request.args.get("ui") in UI_LANGUAGES:
            response.set_cookie("ui", request.args["ui"], max_age=365 * 86400, samesite="Lax")
        return response

    @app.context_processor
    def translations():
        strings = app.extensions["promsearch_i18n"]

        def t(key: str) -> str:
            entry = strings.get(key, {})
            return entry.get(g.get("ui", "ru")) or entry.get("en") or key

        def ui_url(code: str) -> str:
            args = [(k, v) for k, values in request.args.lists() if k != "ui" for v in values]
            return request.path + "?" + urlencode(args + [("ui", code)])

        return {"t": t, "ui": g.get("ui", "ru"), "ui_languages": UI_LANGUAGES, "ui_url": ui_url}

    return app


def engine_of(app: Flask) -> SearchEngine:
    return app.extensions["promsearch_engine"]
