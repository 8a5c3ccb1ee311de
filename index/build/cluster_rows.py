"""A processed document as a row of a shard, and the vocabulary's rows, as
SphinxQL values.

Both the build (``cluster_indexer``) and the copy of an embedded index
(``cluster_from_index``) make these: the build from the pipeline's fields
(word lists), the copy from words read back from the posting arrays
(``embedded_words``), already joined.
"""
from __future__ import annotations

import base64
import json

from ..analysis.word_ids import FORMS_FIELD
from ..store import sphinx as sx
from ..store.schema import FACET_FIELDS

STORED = ("id", "path", "lang", "date", "year", *FACET_FIELDS, "roles", "sector_evidence", "entity_spans",
          "author", "photo_credit", "url", "source")
VOCAB_COLUMNS = ("id", *sx.VOCAB_FIELDS, "kind", "term", "lemma", "term_len")


def word_columns(fields: dict) -> dict:
    """The title's and body's lemmas and the exact forms as a shard's text
    fields (the words spelled for the cluster), with their lengths."""
    return {
        "title": sx.spell_words(" ".join(fields["title"])),
        "body": sx.spell_words(" ".join(fields["body"])),
        "exact": sx.spell_words(" ".join(fields["exact"])),
        "title_len": len(fields["title"]),
        "body_len": len(fields["body"]),
        "exact_len": len(fields["exact"]),
    }


def cluster_row(fields: dict, words: dict | None = None) -> dict:
    """A processed document's fields as one row of a shard; ``words``: its
    ``word_columns`` if they are made already."""
    words = words or word_columns(fields)
    facets = {name: [v for v in (fields.get(name) or "").split(",") if v] for name in FACET_FIELDS}
    facets["year"], facets["lang"] = fields["year"], fields["lang"]
    facet_words = [sx.facet_token(name, value) for name in FACET_FIELDS for value in facets[name]]
    facet_words += [sx.facet_token("year", fields["year"]), sx.facet_token("lang", fields["lang"])]
    stored = {name: fields.get(name) for name in STORED}
    stored["title"], stored["body"] = fields["_stored_title"], fields["_stored_body"]
    return {
        "id": sx.doc_key(fields["id"]),
        "title": words["title"],
        "body": words["body"],
        "exact": words["exact"],
        "facets": " ".join(facet_words),
        "doc_id": fields["id"],
        "path": fields.get("path") or "",
        "content_hash": fields["content_hash"],
        "sortdate": int(fields["sortdate"] or 0),
        "title_len": words["title_len"],
        "body_len": words["body_len"],
        "exact_len": words["exact_len"],
        "facets_json": json.dumps(facets, ensure_ascii=False),
        **{f"{name}_ids": tuple(sx.facet_value_id(name, v) for v in ([values] if isinstance(values, str) else values))
           for name, values in facets.items()},
        "stored_json": json.dumps(stored, ensure_ascii=False, default=list),
        "source_text": base64.b64encode(fields["source_text"] or b"").decode("ascii"),
    }


def vocabulary_rows(fields: dict) -> set[tuple[str, str, str]]:
    """(kind, term, lemma): each exact form, and each lemma's forms."""
    rows = {("exact", form, "") for form in fields["exact"]}
    lemmas = list(fields["title"]) + list(fields["body"])
    rows |= {("form", form, lemma) for lemma, form in zip(lemmas, fields.get(FORMS_FIELD) or [])}
    return rows


def vocabulary_key(kind: str, term: str, lemma: str) -> int:
    return sx.doc_key(kind + chr(0) + lemma + chr(0) + term)


def vocabulary_values(kind: str, term: str, lemma: str) -> str:
    """A vocabulary row as SphinxQL values, in ``VOCAB_COLUMNS`` order."""
    if kind == "exact":
        texts = (sx.token(term), " ".join(sx.grams(term)), "", "")
    else:
        texts = ("", "", sx.token(lemma), sx.token(term))
    return (f"({vocabulary_key(kind, term, lemma)}, " + ", ".join(map(sx.quote, (*texts, kind, term, lemma)))
            + f", {len(term)})")


def _value(value) -> str:
    if isinstance(value, tuple):  # a multi-valued attribute
        return "(" + ", ".join(map(str, value)) + ")"
    return str(value) if isinstance(value, int) else sx.quote(value)


def row_values(row: dict) -> str:
    return "(" + ", ".join(map(_value, row.values())) + ")"
