"""OpenAPI description of the JSON API."""
from __future__ import annotations

_FILTER_PARAMS = [
    {"name": name, "in": "query", "required": False, "schema": {"type": "array", "items": {"type": "string"}},
     "style": "form", "explode": True, "description": f"{name} filter; repeat for OR"}
    for name in ("official", "region", "district", "sector", "place", "year", "lang")
]
_ERROR = {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}

OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "Promsearch API", "version": "1", "description": "Faceted full-text search over Russian and Italian industrial-policy news. Read-only."},
    "paths": {
        "/api/search": {"get": {
            "summary": "Search with facets",
            "parameters": [
                {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "query; empty browses everything"},
                {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["relevance", "date"]}},
                {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                {"name": "translate", "in": "query", "schema": {"type": "string", "enum": ["0", "1"]}, "description": "Russian<->Italian glossary expansion"},
                {"name": "inferred", "in": "query", "schema": {"type": "string", "enum": ["0", "1"]},
                 "description": "0: documents count under a region (and its district) only if they name it, not when it is only inferred from an official they name: in the filter and in the facet counts"},
                {"name": "transliterate", "in": "query", "schema": {"type": "string", "enum": ["0", "1"]},
                 "description": "names also in the other script (Putin <-> Путин)"},
                {"name": "entities", "in": "query", "schema": {"type": "string", "enum": ["0", "1"]},
                 "description": "the documents of the officials and places the words name"},
                *_FILTER_PARAMS,
            ],
            "responses": {"200": {"description": "results", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SearchResult"}}}},
                          "400": _ERROR, "503": _ERROR},
        }},
        "/api/official/{name}": {"get": {
            "summary": "An official: terms of office with dates and sources, documents a year, regions and sectors with counts",
            "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"},
                            "description": "a name as the facet filter takes it: any case, ё or е, a case form, Latin spelling, a surname alone"}],
            "responses": {"200": {"description": "match: one (the record) or several (candidates)",
                                  "content": {"application/json": {"schema": {"type": "object"}}}},
                          "404": {"description": "no such official: match none, with suggestions",
                                  "content": {"application/json": {"schema": {"type": "object"}}}},
                          "503": _ERROR},
        }},
        "/api/facets/{name}": {"get": {
            "summary": "Facet values by prefix (case-, ё-insensitive)",
            "parameters": [
                {"name": "name", "in": "path", "required": True, "schema": {"type": "string", "enum": ["official", "region", "district", "sector", "place", "year", "lang"]}},
                {"name": "prefix", "in": "query", "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
            ],
            "responses": {"200": {"description": "values"}, "400": _ERROR, "404": _ERROR},
        }},
        "/api/suggest": {"get": {
            "summary": "Autocomplete: officials, regions and sectors first (label: \"Михаил Дегтярёв — official, 3 documents\"), then index words",
            "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "suggestions"}},
        }},
        "/api/doc/{id}": {"get": {
            "summary": "One document",
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "the document"}, "404": _ERROR},
        }},
        "/export.csv": {"get": {"summary": "All results of a search as CSV", "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}, *_FILTER_PARAMS],
                                "responses": {"200": {"description": "CSV", "content": {"text/csv": {}}}, "400": _ERROR}}},
        "/healthz": {"get": {"summary": "Liveness and document count", "responses": {"200": {"description": "ok"}, "503": _ERROR}}},
    },
    "components": {"schemas": {
        "Error": {"type": "object", "properties": {"error": {"type": "string"}, "status": {"type": "integer"}}, "required": ["error", "status"]},
        "FacetValue": {"type": "object", "properties": {
            "value": {"type": "string"}, "label": {"type": "string"}, "count": {"type": "integer"},
            "selected": {"type": "boolean"}, "url": {"type": "string", "nullable": True},
            "parent": {"type": "string", "description": "a place's region (place facet only)"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}}},
        "Hit": {"type": "object", "properties": {
            "id": {"type": "string"}, "title": {"type": "string"}, "title_html": {"type": "string"},
            "date": {"type": "string", "nullable": True}, "year": {"type": "integer", "nullable": True},
            "lang": {"type": "string"}, "score": {"type": "number", "nullable": True},
            "snippets": {"type": "array", "items": {"type": "string"}},
            "matched_via": {"type": "string", "description": "lemma, exact, glossary, transliteration, or \"entity: <value>\" "
                            "(the document names the official or place the words name, not the words)"},
            "officials": {"type": "array", "items": {"type": "string"}}, "regions": {"type": "array", "items": {"type": "string"}},
            "districts": {"type": "array", "items": {"type": "string"}}, "sectors": {"type": "array", "items": {"type": "string"}},
            "place": {"type": "string", "nullable": True, "description": "the dateline's city"}}},
        "SearchResult": {"type": "object", "properties": {
            "query": {"type": "string"}, "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"},
            "pages": {"type": "integer"}, "sort": {"type": "string"},
            "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
            "explain": {"type": "array", "items": {"type": "object"}}, "ignored": {"type": "array", "items": {"type": "string"}},
            "entities": {"type": "array", "items": {"type": "object"},
                         "description": "what the words name: {words, entity: {facet, value, documents} or null when "
                                        "the name may be several, candidates, candidates_total}"},
            "suggestion": {"type": "string", "nullable": True},
            "facets": {"type": "object", "additionalProperties": {"type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}},
            "facet_totals": {"type": "object", "additionalProperties": {"type": "integer"}}}},
    }},
}
