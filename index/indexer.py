"""Documents -> Whoosh index, incrementally and atomically.

Each input document ends as exactly one of: indexed (new id), updated (known
id, new content), unchanged (same content hash: skipped) or rejected (with a
reason). Whoosh commits a new index generation only at the end, so a crash or
kill mid-run leaves the previous index whole and searchable.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import LockError

from .entities import EntityExtractor
from .reader import Ingestor, read_raw
from .records import Document, RawDocument, Rejection
from .schema import FACET_FIELDS, SCHEMA_VERSION, UNKNOWN_YEAR, build_schema

# Bump when cleaning, analysis or extraction change what a document becomes:
# every document is then reprocessed on the next run.
PIPELINE_VERSION = f"1.{SCHEMA_VERSION}"
LOCK_TIMEOUT_S = 30.0
_EPOCH = Date(1970, 1, 1)


class IndexBusy(RuntimeError):
    """Another indexer holds the write lock."""


@dataclass
class IndexReport:
    read: int = 0
    indexed: int = 0
    updated: int = 0
    unchanged: int = 0
    pruned: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"read {self.read}: indexed {self.indexed}, updated {self.updated}, "
            f"unchanged {self.unchanged}, rejected {len(self.rejected)}"
            + (f"; pruned {self.pruned}" if self.pruned else "")
        )

    def to_dict(self) -> dict:
        return {
            "read": self.read,
            "indexed": self.indexed,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "pruned": self.pruned,
            "rejected": [{"path": r.path, "reason": r.reason} for r in self.rejected],
        }


def content_hash(raw: RawDocument) -> str:
    digest = hashlib.sha1(PIPELINE_VERSION.encode())
    for part in (raw.text, raw.title, raw.date, raw.lang, raw.url, raw.source):
        digest.update(b"\x00" + (part or "").encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def index_exists(index_dir: Path) -> bool:
    return Path(index_dir).is_dir() and whoosh_index.exists_in(str(index_dir))


def open_or_create(index_dir: Path):
    index_dir.mkdir(parents=True, exist_ok=True)
    if whoosh_index.exists_in(str(index_dir)):
        return whoosh_index.open_dir(str(index_dir))
    return whoosh_index.create_in(str(index_dir), build_schema())


def index_fields(doc: Document, digest: str) -> dict:
    """A Document as the keyword arguments of ``writer.update_document``."""
    fields = {
        "id": doc.id,
        "path": doc.path,
        "lang": doc.lang,
        "title": doc.title,
        "body": doc.body,
        "title_exact": doc.title,
        "body_exact": doc.body,
        "forms": doc.title + "\n" + doc.body,
        "date": doc.date or "",
        "sortdate": (Date.fromisoformat(doc.date) - _EPOCH).days if doc.date else 0,
        "roles": doc.roles,
        "sector_evidence": doc.sector_evidence,
        "entity_spans": doc.entity_spans,
        "content_hash": digest,
        "source_text": doc.source_text,
        "author": doc.author,
        "photo_credit": doc.photo_credit,
        "url": doc.url,
        "source": doc.source,
    }
    fields["year"] = str(doc.year) if doc.year is not None else UNKNOWN_YEAR
    for name in FACET_FIELDS:
        values = getattr(doc, name + "s")
        if values:
            fields[name] = ",".join(values)
    return fields


class IndexBuilder:
    """Reads inputs, runs each document through ingestion and enrichment, and
    writes what is new or changed in one commit."""

    def __init__(
        self,
        index_dir: Path,
        ingestor: Ingestor | None = None,
        extractor: EntityExtractor | None = None,
        lock_timeout: float = LOCK_TIMEOUT_S,
    ) -> None:
        self.index_dir = Path(index_dir)
        self.ingestor = ingestor or Ingestor()
        self.extractor = extractor or EntityExtractor()
        self.lock_timeout = lock_timeout

    def build(
        self,
        paths: Iterable[Path],
        prune: bool = False,
        on_item: Callable[[str], None] | None = None,
    ) -> IndexReport:
        report = IndexReport()
        ix = open_or_create(self.index_dir)
        self.extractor.use_registry(self.extractor.registry_for(self.index_dir))
        with ix.searcher() as searcher:
            known = {f["id"]: f.get("content_hash") for f in searcher.all_stored_fields()}
        try:
            writer = ix.writer(timeout=self.lock_timeout, limitmb=256)
        except LockError as exc:
            raise IndexBusy(
                f"another indexer is writing to {self.index_dir}; waited {self.lock_timeout:.0f} s for its lock"
            ) from exc
        seen: set[str] = set()
        try:
            for item in read_raw(paths):
                report.read += 1
                outcome = self._one(item, known, seen, writer, report)
                if on_item:
                    on_item(outcome)
            if prune:
                for doc_id in set(known) - seen:
                    writer.delete_by_term("id", doc_id)
                    report.pruned += 1
        except BaseException:
            writer.cancel()
            raise
        if report.indexed or report.updated or report.pruned:
            writer.commit()
            # Names seen in this corpus, for linking lone surnames and
            # transliterations in later runs.
            self.extractor.registry.save(self.index_dir)
        else:
            writer.cancel()
        return report

    def _one(self, item, known, seen, writer, report: IndexReport) -> str:
        if isinstance(item, Rejection):
            report.rejected.append(item)
            return "rejected"
        if item.id in seen:
            report.rejected.append(Rejection(item.path, f"duplicate id {item.id!r} in this run"))
            return "rejected"
        seen.add(item.id)
        digest = content_hash(item)
        if known.get(item.id) == digest:
            report.unchanged += 1
            return "unchanged"
        doc = self.ingestor.ingest(item)
        if isinstance(doc, Rejection):
            report.rejected.append(doc)
            return "rejected"
        doc = self.extractor.enrich(doc)
        writer.update_document(**index_fields(doc, digest))
        if item.id in known:
            report.updated += 1
            return "updated"
        report.indexed += 1
        return "indexed"
