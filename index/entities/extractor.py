"""Entity extraction for the facets: officials, regions (with their federal
districts) and sectors.

Small pipeline objects in natasha's manner: each loads its knowledge or model
once and passes plain records on. Knowledge lives in ``index/data``:
``regions.tsv``, ``districts.tsv``, ``sectors.tsv``, ``officials.tsv``,
``roles.txt``, ``not_persons.txt``.
"""
from __future__ import annotations

import bisect
import functools
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from ..analysis.chain import WORD_PATTERN
from ..analysis.lemmatizer import Lemmatizer, fold_yo, oov_stem
from ..config import data_lines
from ..analysis.names import skeleton, transliterations
from ..records import Document
from ..analysis.word_ids import WordIds

# Words, and the punctuation that ends a name or joins a list.
_TOKEN = re.compile(WORD_PATTERN + r"|[,;.:!?()«»\"“”—–]")
_JOINERS = {"и", ",", "e", "ed", "and"}
MAX_KEY_TOKENS = 8


# -- tokens with lemmas ---------------------------------------------------------
class Token(NamedTuple):
    """A word (or a punctuation mark) with its lemma and offsets. A tuple,
    not a dataclass: a document makes a thousand of them, and a frozen
    dataclass's constructor cost more than lemmatizing (cached) does."""
    lemma: str
    surface: str  # lowercased, ё folded; punctuation as it stands
    capitalized: bool
    start: int
    end: int
    is_word: bool
    # the lemma's and the surface's ids in the tokenizer's ``WordIds``
    # (-1 without one, and for punctuation)
    lemma_id: int = -1
    surface_id: int = -1


WORD_CACHE_SIZE = 500_000


class LemmaTokens:
    """Text -> tokens with lemmas and offsets, punctuation kept (a name never
    spans a comma, and a comma joins a coordinated list)."""

    def __init__(self, lemmatizer: Lemmatizer) -> None:
        self.lemmatizer = lemmatizer
        # surface as written -> (lemma, lowercased, capitalized, is a word,
        # lemma id, surface id): one lookup for a word the corpus repeats
        self._words: dict[str, tuple[str, str, bool, bool, int, int]] = {}
        self.word_ids: WordIds | None = None

    def use_word_ids(self, word_ids: WordIds) -> None:
        """Gives each word's tokens its lemma's and surface's ids in
        ``word_ids`` (``analysis/word_ids.py``)."""
        self.word_ids = word_ids
        self._words.clear()  # made without them

    def _word(self, surface: str) -> tuple[str, str, bool, bool, int, int]:
        if surface[:1].isalnum():
            lower, capitalized = fold_yo(surface.lower()), surface[:1].isupper()
            lemma = self.lemmatizer.lemma(lower, capitalized)
            ids = self.word_ids
            known = (lemma, lower, capitalized, True, *((ids[lemma], ids[lower]) if ids is not None else (-1, -1)))
        else:
            known = (surface, surface, False, False, -1, -1)
        if len(self._words) >= WORD_CACHE_SIZE:
            self._words.clear()
        self._words[surface] = known
        return known

    def __call__(self, text: str, offset: int = 0) -> list[Token]:
        words, word = self._words, self._word
        out = []
        append, new = out.append, tuple.__new__  # a NamedTuple's own __new__ is a Python call
        for m in _TOKEN.finditer(text):
            surface = m.group()
            lemma, lower, capitalized, is_word, lemma_id, surface_id = words.get(surface) or word(surface)
            start, end = m.span()
            append(new(Token, (lemma, lower, capitalized, start + offset, end + offset, is_word, lemma_id, surface_id)))
        return out

    def key(self, phrase: str) -> tuple[str, ...]:
        return tuple(t.lemma for t in self(phrase) if t.is_word)


# -- phrase matching --------------------------------------------------------------
@dataclass(frozen=True)
class Match:
    value: str
    start: int  # token indexes
    end: int
    key: tuple[str, ...]


class PhraseMatcher:
    """Lemma sequences -> values. Longest match wins; a match whose first word
    is preceded by "X и" / "X," where X + the rest of the key is also a key
    counts for X as well ("Донецкой и Луганской Народных Республик")."""

    def __init__(self, need_capital: bool) -> None:
        self.keys: dict[tuple[str, ...], str] = {}
        self.need_capital = need_capital
        # first lemma -> the key lengths that start with it, longest first:
        # most words start no key and cost one dict lookup.
        self.lengths: dict[str, list[int]] = {}

    def add(self, key: tuple[str, ...], value: str) -> None:
        if key and len(key) <= MAX_KEY_TOKENS:
            self.keys.setdefault(key, value)
            lengths = self.lengths.setdefault(key[0], [])
            if len(key) not in lengths:
                lengths.append(len(key))
                lengths.sort(reverse=True)

    def find(self, tokens: list[Token]) -> list[Match]:
        out: list[Match] = []
        lengths = self.lengths
        # the words that start some key, found in one pass over the text
        starts = [i for i, token in enumerate(tokens) if token.lemma in lengths]
        free = 0  # where the last match ended: a key starts at or after it
        for i in starts:
            if i < free:
                continue
            found = None
            for length in lengths[tokens[i].lemma]:
                if i + length > len(tokens):
                    continue
                window = tokens[i:i + length]
                if not all(t.is_word for t in window):
                    continue
                key = tuple(t.lemma for t in window)
                if key in self.keys and (not self.need_capital or any(t.capitalized for t in window)):
                    found = Match(self.keys[key], i, i + length, key)
                    break
            if found is None:
                continue
            out.extend(self._coordinated(tokens, found))
            out.append(found)
            free = found.end
        return out

    def _coordinated(self, tokens: list[Token], match: Match) -> list[Match]:
        if len(match.key) < 2:
            return []
        extra = []
        j = match.start - 1
        while j >= 1 and tokens[j].lemma in _JOINERS and tokens[j - 1].is_word:
            key = (tokens[j - 1].lemma,) + match.key[1:]
            if key not in self.keys:
                break
            extra.append(Match(self.keys[key], j - 1, match.end, key))
            j -= 2
        return extra


# -- regions and districts ---------------------------------------------------------
_LATIN_FORMS = {
    "oblast": ["Regione di {}", "Oblast' di {}", "Oblast di {}", "Provincia di {}", "{} Oblast", "{} Region"],
    # Italian press often calls a krai an oblast: "Oblast' di Chabarovsk".
    "krai": ["Territorio di {}", "Krai di {}", "Kraj di {}", "Regione di {}", "Oblast' di {}", "Oblast di {}", "{} Krai", "{} Territory"],
    "republic": ["Repubblica di {}", "Repubblica del {}", "{} Republic", "Republic of {}", "{}"],
    "okrug": ["Circondario autonomo di {}", "{} Autonomous Okrug", "{}"],
    "city": ["{}"],
}


class RegionGazetteer:
    """Russian federal subjects and federal districts named in a text, by
    their names in any case, aliases, cities, and Italian/English names."""

    def __init__(self, tokens: LemmaTokens) -> None:
        self.regions = PhraseMatcher(need_capital=True)
        self.district_of: dict[str, str] = {}
        self.districts = PhraseMatcher(need_capital=True)
        for line in data_lines("districts.tsv"):
            name, aliases, latin = (line.split("\t") + ["", ""])[:3]
            for phrase in [name, *_split(aliases, ","), *_split(latin, "|")]:
                self.districts.add(tokens.key(phrase), name)
        for line in data_lines("regions.tsv"):
            name, district, kind, aliases, cities, latin = (line.split("\t") + [""] * 6)[:6]
            self.district_of[name] = district
            for phrase in [name, *_split(aliases, ","), *_split(cities, ",")]:
                self.regions.add(tokens.key(phrase), name)
            for stem in _split(latin, "|"):
                for form in _LATIN_FORMS.get(kind, ["{}"]):
                    self.regions.add(tokens.key(form.format(stem)), name)

    def extract(self, tokens: list[Token]) -> tuple[list[Match], list[Match]]:
        return self.regions.find(tokens), self.districts.find(tokens)


# -- sectors -----------------------------------------------------------------------
SECTOR_THRESHOLD = 2
_STRENGTH = {"strong": 2, "weak": 1}


class SectorTagger:
    """A controlled sector taxonomy with Russian and Italian terms; a sector is
    assigned when its evidence scores at least ``SECTOR_THRESHOLD``."""

    def __init__(self, tokens: LemmaTokens) -> None:
        self.matcher = PhraseMatcher(need_capital=False)
        self.points: dict[tuple[str, ...], int] = {}
        for line in data_lines("sectors.tsv"):
            sector, _lang, strength, terms = line.split("\t")
            for term in _split(terms, ","):
                key = tokens.key(term)
                if key and key not in self.matcher.keys:
                    self.matcher.add(key, sector)
                    self.points[key] = _STRENGTH[strength]

    def extract(self, tokens: list[Token]) -> dict[str, list[str]]:
        """sector -> evidence (the matched words), for sectors that pass."""
        score: Counter = Counter()
        evidence: dict[str, list[str]] = defaultdict(list)
        for match in self.matcher.find(tokens):
            score[match.value] += self.points[match.key]
            words = " ".join(t.surface for t in tokens[match.start:match.end] if t.is_word)
            if words not in evidence[match.value]:
                evidence[match.value].append(words)
        return {s: evidence[s] for s, points in score.most_common() if points >= SECTOR_THRESHOLD}


# -- officials ---------------------------------------------------------------------
_PARTICLES = frozenset(data_lines("name_particles.txt"))


def name_words(name: str) -> list[str]:
    """A name's words, each surname with its particles: "Урсула фон дер
    Ляйен" -> ["Урсула", "фон дер Ляйен"]; "Ван дер Беллен" is one word,
    "Ван И" two."""
    words = name.split()
    out, particles = [], []
    for k, word in enumerate(words):
        following = words[k + 1] if k + 1 < len(words) else ""
        if following and (word in _PARTICLES or (word.lower() in _PARTICLES and following in _PARTICLES)):
            particles.append(word)
            continue
        out.append(" ".join([*particles, word]))
        particles = []
    return out + particles


def is_full_name(name: str) -> bool:
    """A first name and a surname at least, not a surname alone."""
    return len(name_words(name)) > 1


_LATIN_LETTER = re.compile(r"[A-Za-z]")
_INITIAL_FIRST = re.compile(r"[А-ЯЁA-Z]\.")


def has_initial(name: str) -> bool:
    """A name whose first name is an initial: "С. Скрипаль"."""
    return bool(_INITIAL_FIRST.match(name))


def may_link_later(name: str, lang: str) -> bool:
    """An official's name that the names of the whole corpus may complete
    (``official_links``): a bare surname, an initial and a surname, or a full
    name in Latin script in a Latin-script text (a Russian official's, before
    the corpus has shown it in Russian; in a Russian text, Latin names are
    foreign ones)."""
    return not is_full_name(name) or has_initial(name) or (lang != "ru" and bool(_LATIN_LETTER.search(name)))


def official_links(names: Iterable[str], registry: "PersonRegistry") -> dict[str, str]:
    """Each official's name that may link (``may_link_later``) -> the one
    full name the registry has for it now, or "" (``official_links.py``): a
    bare surname that exactly one person in it has, or one person far more
    often than the others (``DOMINANT_SHARE``; in any case, "Шапши": matched
    by its stem too, where only one person will do, as the stem merges
    surnames), an initial and a surname that one person's name has (or
    one far more often), a Latin-script name that spells one."""
    links = {}
    for name in sorted(names):
        if has_initial(name):
            full = registry.by_initial(name)
        elif is_full_name(name):
            full = registry.by_latin(name)
        else:
            full = registry.by_surname(name, dominant=True) or registry.by_surname_stem(name)
        links[name] = full if full and full != name else ""
    return links


@dataclass
class KnownOfficial:
    name: str
    aliases: list[str]
    roles: list[str]


def load_known_officials() -> list[KnownOfficial]:
    out = []
    for line in data_lines("officials.tsv"):
        name, aliases, roles = (line.split("\t") + ["", ""])[:3]
        out.append(KnownOfficial(name, _split(aliases, ","), _split(roles, ";")))
    return out


# A bare surname links, across the corpus, to the full name with this share of
# the mentions of every full name with that surname: "Трамп" to Дональд Трамп
# (96% at 100,000 documents, against Иванка and Меланья Трамп), not "Клинтон"
# (Хиллари 87%, Билл 12%) or "Медведев" (Дмитрий 57%).
DOMINANT_SHARE = 0.9


class PersonRegistry:
    """Full names seen across the corpus (and the knowledge base), so a lone
    surname or a transliterated name can be linked to one person."""

    FILE = "persons.json"

    def __init__(self, known: list[KnownOfficial]) -> None:
        self.counts: Counter = Counter()
        self.known = {fold_yo(k.name.lower()): k.name for k in known}
        self._aliases: dict[str, str] = {}  # the knowledge base's Latin spellings
        self._latin: dict[str, set[str]] = defaultdict(set)  # transliterations
        self._latin_pending: list[str] = []  # transliterated on first Latin lookup
        self._surnames: dict[str, set[str]] = defaultdict(set)
        for k in known:
            self._index(k.name)
            for alias in k.aliases:
                self._aliases[skeleton(alias)] = k.name

    def _index(self, name: str) -> None:
        parts = name_words(name)
        if len(parts) < 2 or has_initial(name):
            return  # an initial tells too little to link another name to it
        self._surnames[fold_yo(parts[-1].lower())].add(name)
        self._surnames["stem:" + surname_stem(parts[-1])].add(name)
        self._latin_pending.append(name)

    def _transliterate_pending(self) -> None:
        # Transliterating every name costs more than the rest of its
        # extraction: done only once a Latin-script text asks.
        for name in self._latin_pending:
            for variant in transliterations(name):
                self._latin[variant].add(name)
            for variant in transliterations(name_words(name)[-1]):
                self._surnames["latin:" + variant].add(name)
        self._latin_pending.clear()

    def canonical(self, name: str) -> str:
        """The knowledge base's spelling (with ё) of a full name, if known."""
        return self.known.get(fold_yo(name.lower()), name)

    def add(self, name: str) -> None:
        if name not in self.counts:
            self._index(name)
        self.counts[name] += 1

    def by_surname(self, surname: str, dominant: bool = False) -> str | None:
        """The one full name with this surname; with ``dominant``, also the
        one that has ``DOMINANT_SHARE`` of the mentions of all of them."""
        return self._one_of(self._surnames.get(fold_yo(surname.lower()), set()), dominant)

    def by_initial(self, name: str) -> str | None:
        """The full name an initial and a surname stand for ("С. Скрипаль"
        -> Сергей Скрипаль): of the full names with that surname and first
        letter, the one, or the one far more often than the others."""
        words = name_words(name)
        letter = fold_yo(words[0][:1].lower())
        names = {full for full in self._surnames.get(fold_yo(words[-1].lower()), ())
                 if fold_yo(full[:1].lower()) == letter}
        return self._one_of(names, dominant=True)

    def _one_of(self, names: set[str], dominant: bool = False) -> str | None:
        """The one name of ``names``; with ``dominant``, also the one with
        ``DOMINANT_SHARE`` of their mentions."""
        if len(names) == 1:
            return next(iter(names))
        if dominant and names:
            count, top = max((self.counts[name], name) for name in names)
            if count and count >= DOMINANT_SHARE * sum(self.counts[name] for name in names):
                return top
        return None

    def by_surname_stem(self, surname: str) -> str | None:
        return self._one_of(self._surnames.get("stem:" + surname_stem(surname), set()))

    def by_latin(self, name: str) -> str | None:
        """The person a Latin-script name spells: the knowledge base's
        alias, else the one name it transliterates (whichever came first
        would depend on the order documents were read)."""
        self._transliterate_pending()
        key = skeleton(name)
        return self._aliases.get(key) or self._one_of(self._latin.get(key, set()))

    def by_latin_surname(self, surname: str) -> str | None:
        self._transliterate_pending()
        return self._one_of(self._surnames.get("latin:" + skeleton(surname), set()))

    def load(self, directory: Path) -> None:
        path = Path(directory) / self.FILE
        if path.exists():
            for name, count in json.loads(path.read_text(encoding="utf-8")).items():
                self._index(name)
                self.counts[name] += count

    def save(self, directory: Path) -> None:
        path = Path(directory) / self.FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(dict(self.counts), ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)


STEM_MARK = "\x00stem:"  # a mention known only by an unparsed surname form
FIRST_MARK = "\x00first:"  # a mention known only by a first name


def surname_stem(surname: str) -> str:
    """Case endings off, so 'Шапши' and 'Шапша' meet. Coarse (it merges male
    and female forms), so it is used only when the name grammar gave up."""
    return oov_stem(fold_yo(surname.lower()))


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
_ONE_NAME = re.compile(r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?")
_PYMORPHY_CASE = {"Gen": "gent", "Dat": "datv", "Acc": "accs", "Ins": "ablt", "Loc": "loct"}
_TAGGER_CASE = {v: k for k, v in _PYMORPHY_CASE.items()}
_FEMININE_SURNAME = re.compile(r"(?:ова|ева|ёва|ина|ына|ая)$")
_INITIALED_WORD = re.compile(r"[^\s.]+\.?")  # a name's word, an initial with its full stop
_BARE_INITIALS = re.compile(r"(?<![^\W\d_])[А-ЯЁA-Z]\.\s?[А-ЯЁA-Z]$")
# A sentence, roughly: enough to choose what the NER model reads; an initial
# ("Н. Н. Вертинской", "М.В. Маргелов") does not end one, nor does a full stop
# inside a word or number ("Lenta.ru Галина Тимченко", "2.5").
_SENTENCE = re.compile(r"(?:(?<![^\W\d_])[А-ЯЁA-Z]\.|[.!?…](?=[^\W_])|[^.!?…\n])+(?:[.!?…]+[»\"”)]*|\n|$)")


@dataclass
class _Span:
    """A person span from the NER model, in the text the model read."""

    start: int
    stop: int
    text: str
    normal: str = ""


NER_MARGIN = 5  # words the NER model reads each side of a possible name (it sees 3)
MORPH_CONTEXT = 3  # words the morphology tagger sees each side of a word
NORMAL_CACHE_SIZE = 100_000  # distinct names (words, tags and spacing) whose normal form is kept
_NER_TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*|\S")  # near enough to razdel's words to count them
_CAPITALIZED = re.compile(r"\b[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?\b")
_NAME_GRAMMEMES = frozenset({"Name", "Surn", "Patr"})
_LATIN_NAME = re.compile(r"\b([A-Z][a-zà-ÿ'’]+(?:-[A-Z][a-zà-ÿ'’]+)?)\s+([A-Z][a-zà-ÿ'’]+(?:-[A-Z][a-zà-ÿ'’]+)?)\b")
_LATIN_WORD = re.compile(r"\b[A-Z][a-zà-ÿ'’]+\b")


class NameDecliner:
    """A foreign name word back to the nominative by its case ending, for the
    words the dictionary cannot inflect (rules in ``data/name_endings.tsv``)."""

    VOWELS = frozenset("аеёиоуыэюя")

    def __init__(self, lines: list[str]) -> None:
        self.rules: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)
        for line in lines:
            cols = line.split("\t")
            case, ending, nominative = cols[0], cols[1], cols[2]
            self.rules[case].append((ending, "" if nominative == "-" else nominative, "consonant" in cols[3:]))
        for rules in self.rules.values():
            rules.sort(key=lambda rule: -len(rule[0]))

    def cases_of(self, word: str, nominative: str) -> list[str]:
        """The cases whose rule turns ``word`` into ``nominative``."""
        return [case for case in self.rules
                if case in _TAGGER_CASE.values() and self.nominative(word, case) == nominative != word]

    def nominative(self, word: str, case: str | None) -> str:
        if case == "Any" and "-" in word:  # endings no nominative has, in each part: "Азию-Биби"
            return "-".join(self.nominative(part, case) for part in word.split("-"))
        if not case or "-" in word:
            return word
        lower = word.lower()
        for ending, nominative, after_consonant in self.rules.get(case, ()):
            if lower.endswith(ending) and len(word) > len(ending) + 1:
                stem = word[: len(word) - len(ending)]
                if after_consonant and stem[-1].lower() in self.VOWELS:
                    continue
                return stem + nominative
        return word


class OfficialExtractor:
    """Persons named in a text, as «Имя Фамилия». Russian text goes through
    natasha (NER, then name normalization to the nominative); Latin-script
    text is matched against the known and corpus names in every common
    transliteration, and names next to a role word are kept."""

    def __init__(self, tokens: LemmaTokens, registry: PersonRegistry, load_model: bool = True) -> None:
        if load_model:
            from natasha import Doc, MorphVocab, NewsEmbedding, NewsMorphTagger, NewsNERTagger, Segmenter
            from natasha.doc import DocToken
            from natasha.norm import normalize
            from razdel import tokenize

            self._Doc = Doc  # the evaluation script uses natasha's own pipeline too
            self.segmenter = Segmenter()
            self._Token = DocToken
            self._normalize = normalize
            self._tokenize = tokenize
            self.morph_vocab = MorphVocab()
            embedding = NewsEmbedding()
            self.morph_tagger = NewsMorphTagger(embedding)
            self.ner_tagger = NewsNERTagger(embedding)
            from .ner import ViterbiNERInfer, WindowMorphTagger

            self.ner_tagger.infer = ViterbiNERInfer.of(self.ner_tagger.infer)
            self.morph_windows = WindowMorphTagger(self.morph_tagger)
        self.tokens = tokens
        self.registry = registry
        self.margin = NER_MARGIN
        self._normal_names: dict[tuple, tuple[int, int, str]] = {}
        self.morph_context = MORPH_CONTEXT
        self.decliner = NameDecliner(data_lines("name_endings.tsv"))
        self.not_person = [re.compile(rf"(?:{p})", re.IGNORECASE if p.isupper() else 0) for p in data_lines("not_persons.txt")]
        self.first_names = {word for line in data_lines("first_names_latin.txt") for word in line.split()}
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
        for match in self.role_keys.find(toks):
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
    @functools.lru_cache(maxsize=100_000)
    def _name_parts(self, normal: str) -> dict:
        """first/middle/last of a name natasha has normalized, from the
        dictionary's tags of each word. natasha's own name grammar (yargy)
        did this at a fifth of a document's time; this agrees with it on
        Russian names and does better on foreign ones ("Реджеп Тайип Эрдоган"
        -> Реджеп Эрдоган), initials included ("С.Феттель")."""
        words = name_words(normal.replace(".", ". "))
        if not words or not all(w.split()[-1][:1].isupper() for w in words):
            return {}
        if " " in words[-1]:  # a surname with its particles: "фон дер Ляйен"
            return {"first": words[0], "last": words[-1]} if len(words) > 1 else {"last": words[0]}
        if len(words) == 2 and words[0].endswith("."):  # an initial
            return {"first": words[0], "last": words[1]}
        if len(words) >= 2 and not words[0].endswith(".") and all(w.endswith(".") and len(w) == 2 for w in words[1:]):
            return {"first": words[1], "last": words[0]}  # "Гаврилова А. В."
        tags = [self._name_tags(w) for w in words]
        if len(words) == 1:
            # A surname the dictionary does not know may still be inflected
            # ("Шапши"): no parts, so it is kept only if it links to a full name.
            first_name, _patronymic, surname, _unknown = tags[0]
            if surname:
                return {"last": words[0]}
            return {"first": words[0]} if first_name else {}
        if len(words) == 2:
            if tags[1][0] and not tags[0][0]:  # "Зудин Алексей"
                return {"first": words[1], "last": words[0]}
            return {"first": words[0], "last": words[1]}
        if tags[1][1]:  # Имя Отчество Фамилия
            return {"first": words[0], "middle": words[1], "last": words[-1]}
        if tags[-1][1]:  # Фамилия Имя Отчество
            return {"first": words[1], "middle": words[2], "last": words[0]}
        return {"first": words[0], "last": words[-1]}

    @functools.lru_cache(maxsize=200_000)
    def _name_tags(self, word: str) -> tuple[bool, bool, bool, bool]:
        """(first name, patronymic, surname, unknown word) to the dictionary."""
        parses = self.tokens.lemmatizer.known_parses(word)
        grammemes = set().union(*(p.tag.grammemes for p in parses)) if parses else set()
        return "Name" in grammemes, "Patr" in grammemes, "Surn" in grammemes, not parses

    def _normalize_names(self, text: str, persons: list["_Span"], tokens: list) -> None:
        """Each name to the nominative with natasha's normalizer, which needs
        the morphology of its words. The tagger, like the NER model, sees
        three words each side of a word (three convolutions of width 3), so
        it is given each name with three words each side, within the name's
        line, and its tags for the name's words are those it gives in the
        whole text; overlapping windows are tagged as one."""
        starts = [t.start for t in tokens]
        breaks = [m.start() for m in re.finditer("\n", text)]
        line = [bisect.bisect(breaks, start) for start in starts]
        reach = self.morph_context
        windows, inside = [], []
        for span in persons:
            first = bisect.bisect_left(starts, span.start)
            last = max(first, bisect.bisect_left(starts, span.stop) - 1)
            lo, hi = first, last + 1
            while lo > 0 and first - lo < reach and line[lo - 1] == line[first]:
                lo -= 1
            while hi < len(tokens) and hi - last - 1 < reach and line[hi] == line[first]:
                hi += 1
            windows.append((lo, hi))
            inside.append(range(first, last + 1))
        merged: list[list[int]] = []
        for lo, hi in sorted(windows):
            if merged and lo <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        wanted = {index for indexes in inside for index in indexes}
        tagged = {}
        for (lo, hi), tags in zip(merged, self.morph_windows([[t.text for t in tokens[lo:hi]] for lo, hi in merged])):
            for index, (pos, feats) in zip(range(lo, hi), tags):
                if index in wanted:  # the context words' tags are not needed
                    token = self._Token(tokens[index].start, tokens[index].stop, tokens[index].text)
                    token.pos, token.feats = pos, feats
                    tagged[index] = token
        # a square bracket inside a name is an editor's mark ("Владимира] Путина")
        inside = [[tagged[i] for i in indexes if tagged[i].text not in ("[", "]")
                   and span.start <= tagged[i].start and tagged[i].stop <= span.stop]
                  for span, indexes in zip(persons, inside)]
        for span, tokens in zip(persons, inside):
            if tokens:
                first, last, normal = self._normal_name(tokens)
                tokens = tokens[first:last]
            if tokens and (tokens[0].start, tokens[-1].stop) != (span.start, span.stop):
                span.start, span.stop = tokens[0].start, tokens[-1].stop
                span.text = text[span.start:span.stop]
            span.normal = normal if tokens else span.text

    def _normal_name(self, tokens: list) -> tuple[int, int, str]:
        """(first, end) of the name's words once common words are dropped at
        its edges, and its normal form. Both depend only on the words, their
        tags and the spaces between them, and news names the same people in
        the same words over and over: each distinct name is worked out once."""
        key = tuple((t.text, t.pos, tuple(sorted(t.feats.items())), t.start - tokens[0].start) for t in tokens)
        known = self._normal_names.get(key)
        if known is None:
            kept = self._without_common_words(tokens)
            first = next(i for i, t in enumerate(tokens) if t is kept[0])
            known = (first, first + len(kept), self._declined(self._normalize(self.morph_vocab, kept), kept))
            if len(self._normal_names) >= NORMAL_CACHE_SIZE:
                self._normal_names.clear()
            self._normal_names[key] = known
        return known

    def _without_common_words(self, tokens: list) -> list:
        """A name without the capitalized common words the model took in at
        its edges ("Христианка Азия Биби", "За Трампа", "Мэй Почему"): words
        the tagger does not call proper nouns and the dictionary knows, but
        not as a name. The tagger calls some of them proper nouns too: such
        a word is dropped before a name of two words ("Христианку Асию Биби",
        "Республиканец Митт Ромни"), if it is not short ("Мин Аун Хлаин"). At
        the end it stays, because surnames are common words too ("Александр
        Лебедь"), and so are place names ("Хайко Маас", "Джордж Вашингтон").
        Adjectives stay: they are surnames ("Курильским") and epithets
        ("Густава Шведского")."""
        known_parses = self.tokens.lemmatizer.known_parses

        def adjective(word: str) -> bool:
            return any("ADJF" in p.tag.grammemes for p in known_parses(word))

        def plain(token) -> bool:  # known to the dictionary, not as a name (nor a surname's particle)
            return token.text[:1].isalpha() and not self._name_like(token.text) and token.text.lower() not in _PARTICLES

        def common(token) -> bool:
            return token.pos != "PROPN" and plain(token) and not (token.pos == "ADJ" and adjective(token.text))

        def common_word(token) -> bool:  # whatever the tagger calls it
            return len(token.text) > 3 and plain(token) and not adjective(token.text)

        while len(tokens) > 1 and (common(tokens[0]) or (len(tokens) > 2 and common_word(tokens[0]))):
            tokens = tokens[1:]
        while len(tokens) > 1 and common(tokens[-1]):
            tokens = tokens[:-1]
        return tokens

    def _declined(self, normal: str, tokens) -> str:
        """natasha's normal form, word by word, then as one name: each word
        it left in an oblique case ("Асии Биби", "Доминик Рааба") put in the
        nominative by its ending, a word declined in the case another word
        of the name shows ("Ратерфорд Хейза"), and a woman's first name kept
        feminine ("Рашида Тлаиб")."""
        joined = self._initials_joined(tokens)
        # "С. Скрипаля", "С.Скрипаля": the words are "С." and "Скрипаля", and
        # the spacing between them is kept
        pieces = list(_INITIALED_WORD.finditer(normal)) if len(joined) < len(tokens) else None
        words, tokens = ([p.group(0) for p in pieces], joined) if pieces else (normal.split(), tokens)
        if len(words) == len(tokens):
            surfaces = [token.text for token in tokens]
            feats = [token.feats or {} for token in tokens]
            words = [self._without_invented_vowel(word, surface) for word, surface in zip(words, surfaces)]
            if len(words) > 1:
                words[-1] = self._feminine_surname_kept(words[-1], surfaces[-1])
            words = [self._declined_word(word, f.get("Case"), f.get("Number"))
                     if word == surface and word.lower() not in _PARTICLES else word
                     for word, surface, f in zip(words, surfaces, feats)]
            # a first name and a surname (not an initial); longer names are left as they are
            if len(words) == 2 and not pieces:
                words = self._in_agreement(words, surfaces)
                words = self._feminine_first_name(words, surfaces, feats)
        if pieces:
            ends = [0] + [p.end() for p in pieces]
            normal = "".join(normal[end:p.start()] + word for end, p, word in zip(ends, pieces, words)) + normal[ends[-1]:]
        else:
            normal = " ".join(words)
        if _BARE_INITIALS.search(normal):
            normal += "."  # "Гаврилова А.В" (the sentence's full stop took the initial's)
        return normal

    def _initials_joined(self, tokens) -> list:
        """A name's tokens with each initial's letter and full stop as one
        ("С", "." -> "С."), as the words of its normal form have them."""
        out = []
        for token in tokens:
            if token.text == "." and out and len(out[-1].text) == 1 and out[-1].text.isupper():
                initial = self._Token(out[-1].start, token.stop, out[-1].text + ".")
                initial.pos, initial.feats = out[-1].pos, out[-1].feats
                out[-1] = initial
            else:
                out.append(token)
        return out

    def _without_invented_vowel(self, word: str, surface: str) -> str:
        """A surname the dictionary does not know, given a fleeting vowel it
        never had: "Курцем" -> "Курц", not "Курец"; "Вайца" -> "Вайц", not
        "Ваец". (Known words keep theirs: "Кузнеца" -> "Кузнец".)"""
        if word == surface or len(word) < 4 or word[-2] not in "еоё" or not self._name_tags(surface)[3]:
            return word
        for inner in ("", "й", "ь"):
            stem = word[:-2] + inner + word[-1]
            if surface.startswith(stem) and len(surface) > len(stem):
                return stem
        return word

    @staticmethod
    def _feminine_surname_kept(word: str, surface: str) -> str:
        """A surname in -и that the normalizer took for a feminine noun in -ь
        ("Нэнси Пелоси" -> "Пелось"): a woman's surname in -ь does not
        decline, and a man's genitive does not end in -и, so it stays."""
        if surface.endswith("и") and word == surface[:-1] + "ь":
            return surface
        return word

    def _cases_shown(self, surface: str, normal: str) -> list[str]:
        """The cases a word's change to the nominative shows: the rules that
        make it, or the dictionary's parse of the word as that name."""
        cases = self.decliner.cases_of(surface, normal)
        lowered = normal.lower()
        for parse in self.tokens.lemmatizer.known_parses(surface):
            if parse.normal_form == lowered and _NAME_GRAMMEMES & parse.tag.grammemes:
                case = _TAGGER_CASE.get(parse.tag.case or "")
                if case and case not in cases:
                    cases.append(case)
        return cases

    def _in_agreement(self, words: list[str], surfaces: list[str]) -> list[str]:
        """The words of a name stand in one case: a word left as it stands
        is declined in the case another word's change shows ("Ратерфорда
        Хейза" -> "Ратерфорд Хейз", "Марку Цукербергу" -> "Марк Цукерберг")."""
        cases = [case for word, surface in zip(words, surfaces) if word != surface
                 for case in self._cases_shown(surface, word)]
        if not cases:
            return words
        out = []
        for word, surface in zip(words, surfaces):
            # an unknown word on a vowel other than -а/-я is a foreign name
            # that does not decline ("Нетаньяху", "Шойгу")
            if word == surface and (word[-1:] in ("а", "я") or word[-1:] not in NameDecliner.VOWELS
                                    or not self._name_tags(word)[3]):
                word = next((d for d in (self._nominative(word, case) for case in cases) if d != word), word)
            out.append(word)
        return out

    def _feminine_first_name(self, words: list[str], surfaces: list[str], feats: list[dict]) -> list[str]:
        """A woman's first name in an oblique case, where the surname shows
        she is a woman: it stands undeclined on a consonant ("Рашида Тлаиб",
        "Камале Харрис", "Ангеле Меркель"; a man's would decline with his
        first name) or has a feminine ending ("Иване Зельничковой"). The
        normalizer made a man of some ("Рашида" -> "Рашид")."""
        first, surface = words[0], surfaces[0]
        case = next((f.get("Case") for f in feats if f.get("Case") not in (None, "Nom")), None)
        if (first == surface and case is None) or not self._surname_of_a_woman(words[-1], surfaces[-1]):
            return words
        if surface[-1:] in ("а", "я"):
            if first != surface and self._may_be_feminine_nominative(surface):
                return [surface, *words[1:]]
            return words
        # by the tagger's case: "Маргрете" after "еврокомиссаром" is not a dative
        feminine = self.decliner.nominative(surface, f"Fem.{case}") if case else surface
        return [feminine, *words[1:]] if feminine != surface else words

    @staticmethod
    def _surname_of_a_woman(word: str, surface: str) -> bool:
        lower = word.lower()
        if _FEMININE_SURNAME.search(lower):
            return True
        undeclined = word == surface and (lower[-1:] == "ь" or lower[-1:] not in NameDecliner.VOWELS)
        return undeclined and lower[-1:] not in ("й", "") and not lower.endswith(("ых", "их"))

    def _may_be_feminine_nominative(self, word: str) -> bool:
        """"Рашида", "Яна": a feminine noun in the nominative to the
        dictionary; not "Сергея", nor a word it does not know ("Байдена")."""
        parses = self.tokens.lemmatizer.known_parses(word)
        return any({"femn", "nomn", "sing"} <= p.tag.grammemes for p in parses)

    def _declined_word(self, word: str, case: str | None, number: str | None = None) -> str:
        """One word by the tagger's case; where that leaves it as it is (the
        tagger calls «Асии» nominative or accusative, «Асию» locative), by the
        endings no nominative has. A family in the plural is named in the
        plural ("семьи Скрипалей" -> "Скрипали")."""
        if number == "Plur" and case not in (None, "Nom"):
            plural = self.decliner.nominative(word, case + ".Plur")
            if plural != word:
                return plural
        declined = self._nominative(word, case) if case != "Nom" else word
        return declined if declined != word else self.decliner.nominative(word, "Any")

    def _nominative(self, word: str, case: str | None) -> str:
        """A surname or first name the dictionary knows in this case (natasha
        gave up on it: "Обаме"), inflected by the dictionary; otherwise by
        its ending."""
        grammeme = _PYMORPHY_CASE.get(case or "")
        if grammeme and "-" in word:
            # each part on its own: "Буша-младшего", "Эвой-Марией", "Рис-Могга"
            return "-".join(self._adjective_nominative(part, grammeme) or self._nominative(part, case)
                            for part in word.split("-"))
        if grammeme:
            for parse in self.tokens.lemmatizer.known_parses(word):
                if {grammeme, "sing"} <= parse.tag.grammemes and _NAME_GRAMMEMES & parse.tag.grammemes:
                    nominative = parse.inflect({"nomn"})
                    if nominative is not None:
                        return nominative.word[:1].upper() + nominative.word[1:]
        return self.decliner.nominative(word, case)

    def _adjective_nominative(self, word: str, grammeme: str) -> str | None:
        """A known adjective in a name ("младшего") in the masculine or
        feminine nominative, as it stands."""
        for parse in self.tokens.lemmatizer.known_parses(word.lower()):
            if "ADJF" in parse.tag.grammemes and {grammeme, "sing"} <= parse.tag.grammemes:
                nominative = parse.inflect({"nomn"})
                if nominative is not None:
                    return nominative.word
        return None

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
            hits = [m.start() for m in _CAPITALIZED.finditer(body) if self._name_like(m.group(0))]
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

    @functools.lru_cache(maxsize=200_000)
    def _name_like(self, word: str) -> bool:
        # a word the dictionary knows has only dictionary parses
        parses = self.tokens.lemmatizer.known_parses(word)
        return not parses or any(_NAME_GRAMMEMES & p.tag.grammemes for p in parses)

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
                persons.append(_Span(part.start(), part.end(), part.group(0)))
        if not persons:
            return []
        self._normalize_names(joined, persons, tokens)

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
            fact = self._name_parts(span.normal)
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
    def latin(self, text: str) -> list[OfficialMention]:
        out = []
        taken: list[tuple[int, int]] = []
        for m in _LATIN_NAME.finditer(text):
            full = f"{m.group(1)} {m.group(2)}"
            canonical = self.registry.by_latin(full)
            role = self.role_before(text, m.start()) or self.role_after(text, m.end())
            if canonical or role or m.group(1) in self.first_names:
                out.append(OfficialMention(canonical or full, m.start(), m.end(), role))
                taken.append((m.start(), m.end()))
        # A surname alone: a known person named in full earlier in this text
        # ("Mikhail Degtyarev … Degtyarev ha detto"), or, right after a role
        # word, a known person ("il governatore Degtyarev"). Not done for
        # other names: a bare capitalized word is too often something else
        # (measured on KIND: precision 0.74 -> 0.40).
        by_surname = {text[m.start:m.end].split()[-1]: m.name for m in out if m.name != text[m.start:m.end]}
        for m in _LATIN_WORD.finditer(text):
            if any(a <= m.start() < b for a, b in taken):
                continue
            word = m.group(0)
            role = self.role_before(text, m.start())
            canonical = by_surname.get(word) or (self.registry.by_latin_surname(word) if role else None)
            if canonical:
                out.append(OfficialMention(canonical, m.start(), m.end(), role))
        return out

    def extract(self, text: str, lang: str, exclude: list[str], ner: bool = True) -> list[OfficialMention]:
        """Russian text goes to the NER model; Latin-script text (Italian) to
        the transliteration and role rules. Latin names inside Russian text
        are foreign names and brands far more often than Russian officials,
        and matching them cost a tenth of a document's time."""
        if lang == "ru":
            mentions = self.russian(text) if ner else []
        else:
            mentions = self.latin(text)
        excluded = {skeleton(e) for e in exclude if e} | {fold_yo(e.lower()) for e in exclude if e}
        mentions = [m for m in mentions if skeleton(m.name) not in excluded and fold_yo(m.name.lower()) not in excluded]
        return self.link(mentions)

    def link(self, mentions: list[OfficialMention]) -> list[OfficialMention]:
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
                m.name = next(iter(here)) if len(here) == 1 else (self.registry.by_surname_stem(surname) or "")
                if not m.name and m.normal and _ONE_NAME.fullmatch(m.normal):
                    m.name = m.normal  # the NER model's person, as natasha and the endings normalize it
            elif not is_full_name(m.name):
                here = full_by_surname.get(fold_yo(m.name.lower()), set())
                if len(here) == 1:
                    m.name = next(iter(here))
                else:
                    m.name = self.registry.by_surname(m.name) or m.name
        return [m for m in mentions if m.name]


# -- the whole step ------------------------------------------------------------------
@dataclass
class Entities:
    officials: list[str] = field(default_factory=list)
    roles: dict[str, list[str]] = field(default_factory=dict)
    regions: list[str] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    sector_evidence: dict[str, list[str]] = field(default_factory=dict)
    spans: list[tuple[int, int, str, str]] = field(default_factory=list)  # body offsets


class EntityExtractor:
    """Document -> the same document with officials, regions, districts and
    sectors filled in (canonical values), plus mention spans and roles."""

    def __init__(self, lemmatizer: Lemmatizer | None = None, registry: PersonRegistry | None = None,
                 ner: bool = True) -> None:
        self.ner = ner  # False: no person extraction from Russian text (the NER model is most of the cost)
        self.tokens = LemmaTokens(lemmatizer or Lemmatizer())
        self.known = load_known_officials()
        self.registry = registry or PersonRegistry(self.known)
        self.gazetteer = RegionGazetteer(self.tokens)
        self.sectors = SectorTagger(self.tokens)
        self.officials = OfficialExtractor(self.tokens, self.registry, load_model=ner)

    def use_registry(self, registry: PersonRegistry) -> None:
        self.registry = registry
        self.officials.registry = registry

    def registry_for(self, index_dir: Path) -> PersonRegistry:
        """The knowledge base plus the names an index's corpus has shown."""
        registry = PersonRegistry(self.known)
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
            for mention in self.officials.extract(part, doc.lang, [doc.author, doc.photo_credit], ner=self.ner):
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
        return ents

    def enrich(self, doc: Document, title_tokens: list[Token] | None = None,
               body_tokens: list[Token] | None = None) -> Document:
        ents = self.extract(doc, title_tokens, body_tokens)
        doc.officials, doc.regions, doc.districts, doc.sectors = ents.officials, ents.regions, ents.districts, ents.sectors
        doc.roles = ents.roles
        doc.sector_evidence = ents.sector_evidence
        doc.entity_spans = ents.spans
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


def _split(value: str, sep: str) -> list[str]:
    return [v.strip() for v in (value or "").split(sep) if v.strip()]


def _append(items: list[str], value: str) -> None:
    if value not in items:
        items.append(value)

