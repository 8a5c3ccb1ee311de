"""Plain data records passed between the steps of the write path."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class RawDocument:
    """One input document as read, before cleaning."""

    id: str
    path: str
    text: str
    title: str | None = None
    date: str | None = None
    url: str | None = None
    source: str | None = None
    lang: str | None = None


@dataclass
class Rejection:
    """An input that could not become a document, and why."""

    path: str
    reason: str


@dataclass
class Document:
    """A cleaned document, ready for entity extraction and indexing."""

    id: str
    path: str
    lang: str
    title: str
    date: str | None
    year: int | None
    body: str
    source_text: str
    author: str | None = None
    photo_credit: str | None = None
    place: str | None = None  # the dateline's place, for Italian local news ("Modena")
    url: str | None = None
    source: str | None = None
    officials: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    roles: dict[str, list[str]] = field(default_factory=dict)  # official -> roles stated in the text
    sector_evidence: dict[str, list[str]] = field(default_factory=dict)
    entity_spans: list[tuple[int, int, str, str]] = field(default_factory=list)  # body offsets
    # regions an official it names headed at its date (``entities/office_terms.py``)
    inferred_regions: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)
