"""Raw document -> index-ready fields, in worker processes.

All the NLP (cleaning, language detection, entity extraction and the
analysis chain itself) runs here, once per document: the fields it makes
are what Whoosh is given, as token lists it files as they are (in the same
worker process, ``parallel.py``, or in the only one).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path

from ..analysis.chain import load_stop_words
from ..analysis.lemmatizer import Lemmatizer
from ..analysis.tokens import Token
from ..analysis.word_ids import FORMS_FIELD, WORD_IDS_FIELD, WordIds
from ..entities.extractor import EntityExtractor
from ..entities.persons import is_full_name, is_latin_name, may_link_later
from ..ingest.reader import DEFAULT_MAX_CHARS, Ingestor
from ..records import Document, RawDocument, Rejection
from ..store.schema import FACET_FIELDS, INFERRED_REGIONS_KEY, UNKNOWN_YEAR, pack_text
from ..stories.traits import StoryTraits, TraitMaker

_EPOCH = Date(1970, 1, 1)


@dataclass
class Processed:
    """A document ready for the writer, and what the main process needs to know."""

    id: str
    fields: dict
    names: list[str] = field(default_factory=list)  # full names, for the corpus registry
    unlinked: list[str] = field(default_factory=list)  # officials the corpus's names may complete (``entities/official_links.py``)
    vouched: list[str] = field(default_factory=list)  # the one-word ones of them the document gives a role word
    story: StoryTraits | None = None  # what the story step files it by (``index/stories``), when it runs


class DocumentProcessor:
    """Loads the models once per process; ``process`` is pure per document."""

    def __init__(self, index_dir: Path | None = None, max_chars: int = DEFAULT_MAX_CHARS,
                 lemmatizer: Lemmatizer | None = None, ingestor: Ingestor | None = None,
                 extractor: EntityExtractor | None = None, ner: bool = True,
                 word_ids: WordIds | None = None, stories: bool = False) -> None:
        self.lemmatizer = lemmatizer or Lemmatizer()
        self.ingestor = ingestor or Ingestor(max_chars=max_chars, lemmatizer=self.lemmatizer)
        self.extractor = extractor or EntityExtractor(self.lemmatizer, ner=ner)
        if index_dir is not None:
            self.extractor.use_registry(self.extractor.registry_for(index_dir))
        self.stop_words = load_stop_words()
        # With word ids, a document's fields carry its tokens' ids too, for
        # a segment writer that files them under the same ``WordIds``.
        self.word_ids = word_ids
        if word_ids is not None:
            self.extractor.tokens.use_word_ids(word_ids)
        self.story_traits: TraitMaker | None = None
        if stories:
            self.use_stories()

    def use_stories(self) -> None:
        """Each document processed from now on carries its story traits."""
        if self.story_traits is None:
            self.story_traits = TraitMaker(self.extractor.tokens)

    def process(self, raw: RawDocument, digest: str) -> Processed | Rejection:
        doc = self.ingestor.ingest(raw)
        if isinstance(doc, Rejection):
            return doc
        # One tokenization and lemmatization serves the entities and the index.
        title_tokens, body_tokens = self.extractor.tokens(doc.title), self.extractor.tokens(doc.body)
        doc = self.extractor.enrich(doc, title_tokens, body_tokens)
        title, body = self.index_tokens(title_tokens), self.index_tokens(body_tokens)
        fields = self._fields(doc, digest, title, body)
        return Processed(
            id=doc.id,
            fields=fields,
            # Russian full names, and the Latin-script ones of other texts
            # (a lone Italian surname links to them, ``persons.official_links``)
            names=[n for n in doc.officials if is_full_name(n) and (doc.lang == "ru" or is_latin_name(n))],
            unlinked=[n for n in doc.officials if may_link_later(n, doc.lang)],
            vouched=[n for n in doc.officials if not is_full_name(n) and doc.roles.get(n)],
            story=self.story_traits.traits(doc, fields["title"] + fields["body"]) if self.story_traits else None,
        )

    def index_tokens(self, tokens: list[Token]) -> tuple[list[Token], list[Token]]:
        """The entity step's tokens the index keeps, in order: the words
        whose lemmas are indexed (stop words left out), and every word (its
        surface form is indexed). The same words and lemmas as the schema's
        analyzers give (a test checks it). Whoosh indexes a list as ready
        tokens at positions 0, 1, 2, …, which is how the chain numbers them
        (stop words are renumbered over)."""
        return index_tokens(tokens, self.stop_words)

    def index_fields(self, doc: Document, digest: str, title_tokens: list[Token] | None = None,
                     body_tokens: list[Token] | None = None) -> dict:
        """A Document as the keyword arguments of ``writer.update_document``."""
        tokens = self.extractor.tokens
        return self._fields(doc, digest,
                            self.index_tokens(title_tokens if title_tokens is not None else tokens(doc.title)),
                            self.index_tokens(body_tokens if body_tokens is not None else tokens(doc.body)))

    def _fields(self, doc: Document, digest: str, title: tuple[list[Token], list[Token]],
                body: tuple[list[Token], list[Token]]) -> dict:
        """``index_fields`` from the title's and body's ``index_tokens``."""
        (title_kept, title_words), (body_kept, body_words) = title, body
        fields = {
            "id": doc.id,
            "path": doc.path,
            "lang": doc.lang,
            "title": [t.lemma for t in title_kept],
            "_stored_title": doc.title,
            "body": [t.lemma for t in body_kept],
            "_stored_body": doc.body,
            "exact": [t.surface for t in title_words] + [t.surface for t in body_words],
            "date": doc.date or "",
            "year": str(doc.year) if doc.year is not None else UNKNOWN_YEAR,
            "sortdate": (Date.fromisoformat(doc.date) - _EPOCH).days if doc.date else 0,
            "roles": {**doc.roles, INFERRED_REGIONS_KEY: doc.inferred_regions} if doc.inferred_regions else doc.roles,
            "sector_evidence": doc.sector_evidence,
            "entity_spans": doc.entity_spans,
            "content_hash": digest,
            "source_text": pack_text(doc.source_text),
            "author": doc.author,
            "photo_credit": doc.photo_credit,
            "url": doc.url,
            "source": doc.source,
            # the forms of the words whose lemmas are indexed, for the forms
            # table (Whoosh passes over fields whose names start with "_")
            FORMS_FIELD: [t.surface for t in title_kept] + [t.surface for t in body_kept],
        }
        for name in FACET_FIELDS:
            values = [doc.place] if name == "place" and doc.place else getattr(doc, name + "s", [])
            if values:
                fields[name] = ",".join(v.replace(",", " ") for v in values)
        if self.word_ids is not None and self.extractor.tokens.word_ids is self.word_ids:
            # the same tokens' ids
            fields[WORD_IDS_FIELD] = (self.word_ids.key, {
                "title": [t.lemma_id for t in title_kept],
                "body": [t.lemma_id for t in body_kept],
                "exact": [t.surface_id for t in title_words] + [t.surface_id for t in body_words],
                FORMS_FIELD: [t.surface_id for t in title_kept] + [t.surface_id for t in body_kept]})
        return fields


def index_tokens(tokens: list[Token], stop_words) -> tuple[list[Token], list[Token]]:
    """``DocumentProcessor.index_tokens`` with the stop words given."""
    words = [t for t in tokens if t.is_word]
    return [t for t in words if t.lemma not in stop_words], words


# -- worker processes ----------------------------------------------------------------
_worker: DocumentProcessor | None = None


def init_worker(index_dir: str | None, max_chars: int, ner: bool = True,
                word_ids: WordIds | None = None, stories: bool = False) -> None:
    """Pool initializer: each worker loads natasha and the dictionaries once."""
    global _worker
    _worker = DocumentProcessor(Path(index_dir) if index_dir else None, max_chars, ner=ner, word_ids=word_ids,
                                stories=stories)


def process_in_worker(item: tuple[RawDocument, str]) -> Processed | Rejection:
    raw, digest = item
    try:
        return _worker.process(raw, digest)
    except Exception as exc:  # one bad document never stops the run
        return Rejection(raw.path, f"failed to process: {type(exc).__name__}: {exc}")
