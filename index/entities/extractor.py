"""The entity step: a document's officials, regions (with their federal
districts) and sectors, as the facets' canonical values, with the spans of
their mentions in the body and the roles the text gives the officials.

Small pipeline objects in natasha's manner: each loads its knowledge or
model once and passes plain records on.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..analysis.lemmatizer import Lemmatizer
from ..analysis.tokens import LemmaTokens, Token
from ..records import Document
from .office_terms import office_terms
from .officials import OfficialExtractor
from .persons import PersonRegistry, is_full_name, load_known_officials
from .places import RUSSIA, place_gazetteer
from .regions import RegionGazetteer
from .sectors import SectorTagger


@dataclass
class Entities:
    officials: list[str] = field(default_factory=list)
    roles: dict[str, list[str]] = field(default_factory=dict)
    regions: list[str] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    sector_evidence: dict[str, list[str]] = field(default_factory=dict)
    spans: list[tuple[int, int, str, str]] = field(default_factory=list)  # body offsets
    # regions the text does not name but an official it names headed at its
    # date: {"region", "from", "office", "start", "end"} (``office_terms.py``)
    inferred_regions: list[dict] = field(default_factory=list)


class EntityExtractor:
    """Document -> the same document with officials, regions, districts and
    sectors filled in (canonical values), plus mention spans and roles."""

    def __init__(self, lemmatizer: Lemmatizer | None = None, registry: PersonRegistry | None = None,
                 ner: bool = True) -> None:
        self.ner = ner  # False: no person extraction from Russian text (the NER model is most of the cost)
        self.tokens = LemmaTokens(lemmatizer or Lemmatizer())
        self.known = load_known_officials()
        self.holders = office_terms().persons()
        self.registry = registry or PersonRegistry(self.known, self.holders)
        self.gazetteer = RegionGazetteer(self.tokens)
        self.sectors = SectorTagger(self.tokens)
        self.officials = OfficialExtractor(self.tokens, self.registry, load_model=ner)
        self.officials.places = self.gazetteer.one_word_places()
        self.places = place_gazetteer()

    def use_registry(self, registry: PersonRegistry) -> None:
        self.registry = registry
        self.officials.registry = registry

    def registry_for(self, index_dir: Path) -> PersonRegistry:
        """The knowledge base plus the names an index's corpus has shown."""
        registry = PersonRegistry(self.known, self.holders)
        registry.load(index_dir)
        return registry

    def extract(self, doc: Document, title_tokens: list[Token] | None = None,
                body_tokens: list[Token] | None = None) -> Entities:
        """Entities of a document; pass its tokens if you already have them."""
        ents = Entities()
        title_tokens = self.tokens(doc.title) if title_tokens is None else title_tokens
        body_tokens = self.tokens(doc.body) if body_tokens is None else body_tokens
        # regions and districts
        region_order: list[str] = []
        district_order: list[str] = []
        for toks, is_body in ((title_tokens, False), (body_tokens, True)):
            regions, districts = self.gazetteer.extract(toks)
            for m in regions:
                _append(region_order, m.value)
                if is_body:
                    ents.spans.append((toks[m.start].start, toks[m.end - 1].end, "region", m.value))
            for m in districts:
                _append(district_order, m.value)
                if is_body:
                    ents.spans.append((toks[m.start].start, toks[m.end - 1].end, "district", m.value))
        ents.regions = region_order
        for region in region_order:
            _append(district_order, self.gazetteer.district_of.get(region, ""))
        ents.districts = [d for d in district_order if d]
        # sectors: the title's words count twice
        evidence = self.sectors.extract(title_tokens + title_tokens + body_tokens)
        ents.sectors = list(evidence)
        ents.sector_evidence = evidence
        # officials
        for part, offset in ((doc.title, None), (doc.body, 0)):
            for mention in self.officials.extract(part, doc.lang, [doc.author, doc.photo_credit], ner=self.ner,
                                                  date=doc.date):
                if not mention.official:
                    if offset is not None:
                        ents.spans.append((mention.start, mention.end, "person", mention.name))
                    continue
                _append(ents.officials, mention.name)
                if mention.role:
                    roles = ents.roles.setdefault(mention.name, [])
                    _append(roles, mention.role)
                if offset is not None:
                    ents.spans.append((mention.start, mention.end, "official", mention.name))
        ents.spans.sort()
        self.infer_regions(ents, doc.date)
        return ents

    def infer_regions(self, ents: Entities, date: str | None) -> None:
        """The regions of the officials a document names that headed one at
        its date (undated: that headed only one region ever), with a role
        word of a region's head, or as a known official the text gives no
        other role, beyond the
        regions it names: added to its regions and districts, and listed in
        ``inferred_regions`` with the reason."""
        terms = office_terms()
        known = {k.name for k in self.known}
        words = self.officials.office_words
        for name in ents.officials:
            term = terms.regional_term(name, date)
            if term is None or term.region in ents.regions:
                continue
            # A full name alone may be a namesake («Дмитрий Овсянников» among
            # poets, «Александр Козлов» of Moscow's Public Chamber): only a
            # curated official (officials.tsv) or one the text calls a
            # region's head («губернатора Зеленина») gives the region.
            # A role the text states that is no region's head («заместитель
            # министра Беспрозванных», «il ministro Alikhanov»: an undated text
            # about another office) gives none either.
            # Undated, only a role the text states as a region's head gives
            # one: a known official with no role is as often someone who
            # held their region once and another office since (Шойгу,
            # Ткачёв, Дегтярёв as a deputy), or a namesake (a hockey player
            # Воробьёв): 28 of 29 such undated regions were wrong
            # (bench/inferred_regions.py).
            stated = ents.roles.get(name, ())
            as_head = any(words.kind(role) == "head" for role in stated)
            if not as_head and (stated or name not in known or not date):
                continue
            if term.region not in self.gazetteer.district_of:
                continue  # not a region of regions.tsv
            start, end = terms.span(name, term.region)
            ents.inferred_regions.append({"region": term.region, "from": name, "office": term.office,
                                          "start": start, "end": end})
            ents.regions.append(term.region)
            district = self.gazetteer.district_of.get(term.region, "")
            if district:
                _append(ents.districts, district)

    def enrich(self, doc: Document, title_tokens: list[Token] | None = None,
               body_tokens: list[Token] | None = None) -> Document:
        ents = self.extract(doc, title_tokens, body_tokens)
        doc.officials, doc.regions, doc.districts, doc.sectors = ents.officials, ents.regions, ents.districts, ents.sectors
        doc.roles = ents.roles
        doc.sector_evidence = ents.sector_evidence
        doc.entity_spans = ents.spans
        doc.inferred_regions = ents.inferred_regions
        self.place_dateline(doc)
        # Linking to the names seen so far in the run depends on the order
        # documents come in (and on which worker read which). Leaving every
        # name to the corpus's links (``official_links.py``) would not: but a
        # mention known only by a stem, or an Italian surname after a role
        # word, is dropped when no name resolves it as it is read, so those
        # would have to become links to be made later first.
        for name in ents.officials:
            if is_full_name(name) and doc.lang == "ru":
                self.registry.add(name)
        return doc

    def place_dateline(self, doc: Document) -> None:
        """The dateline's place under the gazetteer's name for it; a Russian
        city's region is a region the text names (an Italian region is the
        place's parent only: the region facet is Russia's)."""
        place = self.places.find(doc.place)
        if place is None:
            return
        doc.place = place.name
        if place.country == RUSSIA and place.parent in self.gazetteer.district_of:
            _append(doc.regions, place.parent)
            district = self.gazetteer.district_of[place.parent]
            if district:
                _append(doc.districts, district)


def _append(items: list[str], value: str) -> None:
    if value not in items:
        items.append(value)
