"""The officials facet: persons named in a text, with the roles it gives them.

Russian text goes through natasha's NER model (read only around words
that could be names, ``ner.py``) and its names to the nominative
(``declension.py``); Latin-script text is matched against the known and
the corpus's names in every common transliteration. Each name is then
linked to a full name where the document or the registry
(``persons.py``) has one.
"""
from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass

from ..analysis.lemmatizer import fold_yo
from ..analysis.names import skeleton
from ..analysis.tokens import LemmaTokens
from ..config import data_lines
from .declension import NameNormalizer, PersonSpan
from .persons import PersonRegistry, is_full_name, name_words, surname_stem
from .latin_persons import LatinPersonFinder
from .office_terms import OfficeWords, office_terms
from .phrases import PhraseMatcher

STEM_MARK = "\x00stem:"  # a mention known only by an unparsed surname form
FIRST_MARK = "\x00first:"  # a mention known only by a first name


@dataclass
class OfficialMention:
    name: str
    start: int
    end: int
    role: str | None = None
    normal: str | None = None  # the mention's own nominative form, before linking
    # False: a person named only by a first name no full name in the document
    # explains ("Саша сказал"): marked in the text as a person, but not a value
    # of the officials facet (nobody could tell which Саша it is)
    official: bool = True


_NAME_PART = re.compile(r"[^()\s](?:[^()]*[^()\s])?")  # a span's text between brackets
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_PERSON_GRAMMEMES = frozenset({"Name", "Surn", "Patr"})
_ONE_NAME = re.compile(r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?")
# A sentence, roughly: enough to choose what the NER model reads; an initial
# ("Н. Н. Вертинской", "М.В. Маргелов") does not end one, nor does a full stop
# inside a word or number ("Lenta.ru Галина Тимченко", "2.5").
_SENTENCE = re.compile(r"(?:(?<![^\W\d_])[А-ЯЁA-Z]\.|[.!?…](?=[^\W_])|[^.!?…\n])+(?:[.!?…]+[»\"”)]*|\n|$)")
NER_MARGIN = 5  # words the NER model reads each side of a possible name (it sees 3)
_NER_TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*|\S")  # near enough to razdel's words to count them
_CAPITALIZED = re.compile(r"\b[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?\b")
_LATIN_NAME = re.compile(r"\b([A-Z][a-zà-ÿ'’]+(?:-[A-Z][a-zà-ÿ'’]+)?)\s+([A-Z][a-zà-ÿ'’]+(?:-[A-Z][a-zà-ÿ'’]+)?)\b")
_LATIN_WORD = re.compile(r"\b[A-Z][a-zà-ÿ'’]+\b")


class OfficialExtractor:
    """Persons named in a text, as «Имя Фамилия». Russian text goes through
    natasha (NER, then name normalization to the nominative); Latin-script
    text is matched against the known and corpus names in every common
    transliteration, and names next to a role word are kept."""

    def __init__(self, tokens: LemmaTokens, registry: PersonRegistry, load_model: bool = True) -> None:
        # the names the NER model finds, to the nominative
        self.normalizer = NameNormalizer(tokens.lemmatizer)
        if load_model:
            from natasha import Doc, MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter
            from razdel import tokenize

            self._Doc = Doc  # the evaluation script uses natasha's own pipeline too
            self.segmenter = Segmenter()
            self._tokenize = tokenize
            self.morph_vocab = MorphVocab()
            embedding = NewsEmbedding()
            self.morph_tagger = NewsMorphTagger(embedding)
            self.ner_tagger = NewsNERTagger(embedding)
            from .ner import ViterbiNERInfer, WindowMorphTagger

            self.ner_tagger.infer = ViterbiNERInfer.of(self.ner_tagger.infer)
            self.morph_windows = WindowMorphTagger(self.morph_tagger)
            self.normalizer.use_morphology(self.morph_windows, self.morph_vocab)
        self.tokens = tokens
        self.registry = registry
        self.margin = NER_MARGIN
        self.not_person = [re.compile(rf"(?:{p})", re.IGNORECASE if p.isupper() else 0) for p in data_lines("not_persons.txt")]
        self._latin_names: LatinPersonFinder | None = None
        self.places: set[str] = set()  # the gazetteer's one-word places, lowercased (``EntityExtractor`` fills it)
        self.venue_lemmas = {key[0] for key in (tokens.key(line) for line in data_lines("venue_words.txt")) if key}
        self.office_words = OfficeWords(tokens.key)  # a role's office, for ``office_holders``
        self.role_keys = PhraseMatcher(need_capital=False)
        # The opening letters of every role word: a window without any of them
        # is not worth lemmatizing.
        self.role_hints = set()
        for line in data_lines("roles.txt"):
            self.role_keys.add(tokens.key(line), line)
            self.role_hints.update(word[:4] for word in line.split())

    # roles -------------------------------------------------------------------
    def role_before(self, text: str, start: int) -> str | None:
        """'губернатора Ленинградской области' in '… под руководством губернатора
        Ленинградской области Александра Дрозденко'."""
        sentence_start = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start), start - 120) + 1
        window = text[sentence_start:start]
        lowered = window.lower()
        if not any(hint in lowered for hint in self.role_hints):
            return None
        toks = self.tokens(window, offset=sentence_start)
        # The earliest role word from which only words lead to the name:
        # "секретарь Госсовета РФ", not "Помощник Президента России, секретарь …".
        matches = self.role_keys.find(toks)
        if matches and not _CYRILLIC.search(window):
            # Italian: the last role word, as a verb may lie between two ("il
            # sindaco Muzzarelli ha incontrato l'assessore Carletti")
            matches = matches[::-1]
        for match in matches:
            between = text[toks[match.start].start:start]
            if not re.search(r"[,;:()«»\"—–]", between):
                return " ".join(between.split()) or None
        return None

    def role_after(self, text: str, end: int) -> str | None:
        """'governatore ad interim del Territorio di Khabarovsk' in
        'Mikhail Degtyarev, governatore ad interim del Territorio di Khabarovsk, ha …'."""
        m = re.match(r"\s*,\s*([^,.;:()]{3,120})", text[end:])
        if not m:
            return None
        toks = self.tokens(m.group(1))
        matches = self.role_keys.find(toks)
        if matches and matches[0].start == 0:
            return " ".join(m.group(1).split())
        return None

    # Russian -----------------------------------------------------------------
    def _ner_windows(self, text: str) -> list[tuple[int, int]]:
        """The stretches of a text the NER model reads: around each
        capitalized word that could be a name (a first name, surname or
        patronymic to pymorphy, or a word it does not know), NER_MARGIN words
        each side, within its sentence; windows that meet are merged. The
        model sees three words each side of a word (three convolutions of
        width 3), so a name and its neighbours are tagged as in the whole
        sentence, and most of the text, which names nobody, is never read."""
        windows = []
        for sentence in _SENTENCE.finditer(text):
            body = sentence.group(0)
            hits = [m.start() for m in _CAPITALIZED.finditer(body) if self.normalizer.name_like(m.group(0))]
            if not hits:
                continue
            bounds = [(m.start(), m.end()) for m in _NER_TOKEN.finditer(body)]
            token_starts = [b[0] for b in bounds]
            last = -1
            for hit in hits:
                at = bisect.bisect_left(token_starts, hit)
                lo, hi = max(0, at - self.margin), min(len(bounds) - 1, at + self.margin)
                if last >= 0 and lo <= last + self.margin:  # close to the previous window: one window
                    windows[-1] = (windows[-1][0], sentence.start() + bounds[hi][1])
                else:
                    windows.append((sentence.start() + bounds[lo][0], sentence.start() + bounds[hi][1]))
                last = hi
            # a window that reaches its sentence's end takes the line break with it
            if windows[-1][1] == sentence.start() + bounds[-1][1]:
                windows[-1] = (windows[-1][0], sentence.end())
        return windows

    def russian(self, text: str) -> list[OfficialMention]:
        chosen = self._ner_windows(text)
        if not chosen:
            return []
        # NER over the chosen windows only; offsets are mapped back to the
        # text. Windows that follow each other in the text stay on one line
        # (a sentence can end at an initial: "Н. Вертинской"); a gap or a line
        # break of the text starts a new line, which no person span crosses.
        # The model reads the lines as one text and ignores line breaks, so a
        # full stop between them keeps two words from different places from
        # reading as one phrase ("Панихида" after a cut-off window was a name;
        # measured on factRuEval: PER F1 0.932 without it, 0.943 with it).
        pieces, starts = [], []
        position = 0
        for k, (start, end) in enumerate(chosen):
            starts.append((position, start))
            piece = text[start:end]
            follows = k + 1 < len(chosen) and chosen[k + 1][0] == end and not piece.endswith("\n")
            pieces.append(piece.replace("\n", " ") + (" " if follows else "\n.\n"))
            position += len(pieces[-1])
        joined = "".join(pieces)
        tokens = list(self._tokenize(joined))  # one tokenization for the NER and the morphology
        persons = []
        for s in self.ner_tagger.infer.spans(tokens):
            if s.type != "PER":
                continue
            # The tagger reads the lines as one text: a span can run into the
            # next sentence ("Асию Биби\nПакистанская"); it ends at its line.
            stop = joined.find("\n", s.start, s.stop)
            stop = s.stop if stop == -1 else len(joined[s.start:stop].rstrip()) + s.start
            # "Джошуа Вольфа (Joshua Wolf)" is two names of one person
            for part in _NAME_PART.finditer(joined, s.start, stop):
                persons.append(PersonSpan(part.start(), part.end(), part.group(0)))
        if not persons:
            return []
        self.normalizer.normalize(joined, persons, tokens)

        positions = [p for p, _ in starts]

        def original(offset: int) -> int:
            base_joined, base_text = starts[bisect.bisect_right(positions, offset) - 1]
            return offset - base_joined + base_text

        for span in persons:
            span.start, span.stop = original(span.start), original(span.stop)
        out = []
        for span in persons:
            if any(p.fullmatch(word) for word in span.text.split() for p in self.not_person):
                continue
            if " " not in span.text.strip() and self._after_thing_word(text, span.start):
                continue  # "болезни Альцгеймера": a thing named after a person
            fact = self.normalizer.name_parts(span.normal)
            first, last = fact.get("first"), fact.get("last")
            if not fact and " " not in span.text.strip() and span.text[:1].isupper():
                # A surname the name grammar does not know ("Шапши"): kept
                # only if its stem links to a full name (see link()).
                out.append(OfficialMention(STEM_MARK + span.text, span.start, span.stop,
                                           self.role_before(text, span.start), span.normal))
                continue
            if not last:
                if first and first[:1].isupper() and " " not in span.text.strip():
                    # A first name alone ("Дмитрий сказал"): kept only if it
                    # is the first name of one full name in the document.
                    out.append(OfficialMention(FIRST_MARK + first, span.start, span.stop,
                                               self.role_before(text, span.start), span.normal))
                continue  # a word the name grammar rejects
            if not last.split()[-1][:1].isupper() or (first and not first[:1].isupper()) or len(last.rstrip(".")) < 2:
                continue  # "А. В": initials are not a surname
            name = f"{first} {last}" if first else last
            out.append(OfficialMention(name, span.start, span.stop, self.role_before(text, span.start), span.normal))
        return out

    # Latin script ------------------------------------------------------------
    @property
    def latin_names(self) -> LatinPersonFinder:
        if self._latin_names is None:  # loaded on the first Latin-script text
            self._latin_names = LatinPersonFinder(self.tokens.lemmatizer.italian_common, self.role_before)
        return self._latin_names

    def latin(self, text: str) -> list[OfficialMention]:
        """Persons in Latin-script text (``latin_persons.py``): a name
        starting with a first name, or a known official's in any common
        transliteration, is a person; a surname alone is one after a title or
        a role word, or when the text names that person in full too (then it
        takes the full name); else it is left out: a bare capitalized word is
        too often something else."""
        finder = self.latin_names
        out: list[OfficialMention] = []
        singles = []
        taken: list[tuple[int, int]] = []
        for found in finder.find(text):
            if finder.rejected(found.text):
                continue
            if found.single:
                singles.append(found)
                continue
            canonical = self.registry.by_latin(found.text)
            role = found.role or self.role_before(text, found.start) or self.role_after(text, found.end)
            out.append(OfficialMention(canonical or found.text, found.start, found.end, role))
            taken.append((found.start, found.end))
        # a known official's name without a first name the lists know ("Shapsha Vladislav")
        for m in _LATIN_NAME.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            canonical = self.registry.by_latin(f"{m.group(1)} {m.group(2)}")
            if canonical:
                out.append(OfficialMention(canonical, m.start(), m.end(),
                                           self.role_before(text, m.start()) or self.role_after(text, m.end())))
                taken.append((m.start(), m.end()))
        by_surname: dict[str, set[str]] = defaultdict(set)
        for m in out:
            by_surname[name_words(text[m.start:m.end])[-1]].add(m.name)
        for found in singles:
            if any(a < found.end and found.start < b for a, b in taken):
                continue
            here = by_surname.get(found.text, set())
            canonical = next(iter(here)) if len(here) == 1 else None
            if found.by_role:
                canonical = canonical or self.registry.by_latin_surname(found.text)
                out.append(OfficialMention(canonical or found.text, found.start, found.end, found.role))
            elif canonical:
                out.append(OfficialMention(canonical, found.start, found.end, self.role_before(text, found.start)))
            elif finder.first_alone(found.text):
                # "Luciano era contento": a person, but nobody could tell which
                out.append(OfficialMention(found.text, found.start, found.end, official=False))
        out.sort(key=lambda m: m.start)
        return out

    def extract(self, text: str, lang: str, exclude: list[str], ner: bool = True,
                date: str | None = None) -> list[OfficialMention]:
        """Russian text goes to the NER model; Latin-script text (Italian) to
        the transliteration and role rules. Latin names inside Russian text
        are foreign names and brands far more often than Russian officials,
        and matching them cost a tenth of a document's time."""
        if lang == "ru":
            mentions = self.russian(text) if ner else []
            if ner:
                mentions = sorted(mentions + self.role_surnames(text, mentions, date), key=lambda m: m.start)
        else:
            mentions = self.latin(text)
        excluded = {skeleton(e) for e in exclude if e} | {fold_yo(e.lower()) for e in exclude if e}
        mentions = [m for m in mentions if skeleton(m.name) not in excluded and fold_yo(m.name.lower()) not in excluded]
        return self.link(mentions, date)

    def link(self, mentions: list[OfficialMention], date: str | None = None) -> list[OfficialMention]:
        """Full names take the knowledge base's spelling; a lone surname takes
        the full name used elsewhere in the document, else the registry's
        when it is unambiguous; a lone first name only the document's (first
        names are too common to link across a corpus). The registry holds
        the knowledge base, the names of the index's earlier runs and those
        this process has seen so far; what is left unlinked, the whole
        corpus's names complete when the index is read (``official_links``)."""
        full_by_surname: dict[str, set[str]] = defaultdict(set)
        full_by_first: dict[str, set[str]] = defaultdict(set)
        for m in mentions:
            if is_full_name(m.name):
                m.name = self.registry.canonical(m.name)
                words = name_words(m.name)
                full_by_surname[fold_yo(words[-1].lower())].add(m.name)
                full_by_first[fold_yo(words[0].lower())].add(m.name)
        for m in mentions:
            if m.name.startswith(FIRST_MARK):
                first = m.name[len(FIRST_MARK):]
                here = full_by_first.get(fold_yo(first.lower()), set())
                m.name, m.official = (next(iter(here)), True) if len(here) == 1 else (first, False)
            elif m.name.startswith(STEM_MARK):
                surname = m.name[len(STEM_MARK):]
                stem = surname_stem(surname)
                here = {n for key, names in full_by_surname.items() if surname_stem(key) == stem for n in names}
                held = self.office_holders(surname, m.role, date)
                m.name = next(iter(here)) if len(here) == 1 else (
                    next(iter(held)) if len(held) == 1 else "" if held else self.registry.by_surname_stem(surname) or "")
                if not m.name and m.normal and _ONE_NAME.fullmatch(m.normal):
                    m.name = m.normal  # the NER model's person, as natasha and the endings normalize it
            elif not is_full_name(m.name):
                here = full_by_surname.get(fold_yo(m.name.lower()), set())
                if len(here) == 1:
                    m.name = next(iter(here))
                else:
                    held = self.office_holders(m.name, m.role, date)
                    # two holders of that office with the surname: nobody can tell which
                    m.name = (next(iter(held)) if len(held) == 1 else m.name if held
                              else self.registry.by_surname(m.name) or m.name)
        return [m for m in mentions if m.name and not self.not_a_name(m.name)]

    def role_surnames(self, text: str, mentions: list[OfficialMention], date: str | None) -> list[OfficialMention]:
        """Surnames of office holders right after a role word that names
        their office, where the NER model found no person: «Губернатор
        Богомаз» (a common noun to the dictionary), at the document's date."""
        terms = office_terms()
        out = []
        for m in _CAPITALIZED.finditer(text):
            if any(o.start < m.end() and m.start() < o.end for o in mentions):
                continue
            if not terms.with_surname(m.group(0)):
                continue
            role = self.role_before(text, m.start())
            held = self.office_holders(m.group(0), role, date)
            if len(held) == 1 and role and not role.endswith(m.group(0)):
                out.append(OfficialMention(next(iter(held)), m.start(), m.end(), role))
        return out

    def office_holders(self, surname: str, role: str | None, date: str | None) -> set[str]:
        """A surname after a role word that names an office ("губернатор
        Дюмин", "il governatore Dyumin"): the persons with that surname in
        that office on the document's date, or, undated, ever
        (``office_terms.py``); one links it, two leave it unlinked."""
        if not role or self.office_words is None:
            return set()
        kind = self.office_words.kind(role)
        return office_terms().holders(surname, kind, date) if kind else set()

    def _after_thing_word(self, text: str, start: int) -> bool:
        """Whether the word right before ``start`` is a venue or thing word
        (``venue_words.txt``: «стадион», «болезнь»)."""
        previous = re.findall(r"[^\W\d_]+", text[max(0, start - 30):start])[-1:]
        return bool(previous) and bool(self.venue_lemmas) and self.tokens(previous[0])[0].lemma in self.venue_lemmas

    def not_a_name(self, name: str) -> bool:
        """A single Cyrillic word that is no person's name: the dictionary
        knows it only as something else (a place, «Харьков»; an
        organization, «Роскомнадзор»; a common noun, «Википедия»), or it is
        one of the gazetteer's places. A word it does not know («Шмыгаль»)
        may be a surname, and stays."""
        if " " in name or not _ONE_NAME.fullmatch(name):
            return False
        word = fold_yo(name.lower())
        if word in self.places:
            return True
        parses = self.tokens.lemmatizer.known_parses(word)
        return bool(parses) and not any(_PERSON_GRAMMEMES & p.tag.grammemes for p in parses)
