"""Persons' names, and who they stand for across a corpus.

A name's words (a surname with its particles), whether it is a full name,
and the registry of the full names the knowledge base (``officials.tsv``)
and the corpus have shown, to which a bare surname, an initial or a
Latin-script spelling is linked.
"""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..analysis.lemmatizer import fold_yo, oov_stem
from ..analysis.names import skeleton, transliterations
from ..config import data_lines, split_list
from .official_links import NOT_AN_OFFICIAL

NAME_PARTICLES = frozenset(data_lines("name_particles.txt"))
LATIN_PARTICLES = frozenset(p for p in data_lines("name_particles_latin.txt") if not p.endswith("-"))


def name_words(name: str) -> list[str]:
    """A name's words, each surname with its particles: "Урсула фон дер
    Ляйен" -> ["Урсула", "фон дер Ляйен"]; "Ван дер Беллен" is one word,
    "Ван И" two."""
    words = name.split()
    out, particles = [], []
    for k, word in enumerate(words):
        following = words[k + 1] if k + 1 < len(words) else ""
        if following and (word in NAME_PARTICLES or (word.lower() in NAME_PARTICLES and following in NAME_PARTICLES)):
            particles.append(word)
            continue
        out.append(" ".join([*particles, word]))
        particles = []
    return out + particles


def is_full_name(name: str) -> bool:
    """A first name and a surname at least, not a surname alone."""
    return len(name_words(name)) > 1


_LATIN_LETTER = re.compile(r"[A-Za-z]")
_CYRILLIC_LETTER = re.compile(r"[А-Яа-яЁё]")


def is_latin_name(name: str) -> bool:
    return bool(_LATIN_LETTER.search(name)) and not _CYRILLIC_LETTER.search(name)


def latin_surname(name: str) -> str:
    """A Latin-script full name's surname, with its particles: "Gian Carlo
    Muzzarelli" -> "Muzzarelli", "Marta De Manincor" -> "De Manincor"."""
    words = name.split()
    start = len(words) - 1
    while start > 1 and words[start - 1] in LATIN_PARTICLES:
        start -= 1
    return " ".join(words[start:])
_INITIAL_FIRST = re.compile(r"[А-ЯЁA-Z]\.")


def has_initial(name: str) -> bool:
    """A name whose first name is an initial: "С. Скрипаль"."""
    return bool(_INITIAL_FIRST.match(name))


def surname_stem(surname: str) -> str:
    """Case endings off, so 'Шапши' and 'Шапша' meet. Coarse (it merges male
    and female forms), so it is used only when the name grammar gave up."""
    return oov_stem(fold_yo(surname.lower()))


def may_link_later(name: str, lang: str) -> bool:
    """An official's name that the names of the whole corpus may complete
    (``official_links``): a bare surname, an initial and a surname, or a full
    name in Latin script in a Latin-script text (a Russian official's, before
    the corpus has shown it in Russian; in a Russian text, Latin names are
    foreign ones)."""
    return not is_full_name(name) or has_initial(name) or (lang != "ru" and bool(_LATIN_LETTER.search(name)))


def official_links(names: Iterable[str], registry: "PersonRegistry",
                   vouched: set[str] | None = None) -> dict[str, str]:
    """Each official's name that may link (``may_link_later``) -> the one
    full name the registry has for it now, or "" (``official_links.py``): a
    bare surname that exactly one person in it has, or one person far more
    often than the others (``DOMINANT_SHARE``; in any case, "Шапши": matched
    by its stem too, where only one person will do, as the stem merges
    surnames), an initial and a surname that one person's name has (or
    one far more often), a Latin-script name that spells one. With
    ``vouched`` (the one-word names a document gives a role word), a
    one-word name left without a full name that is neither vouched for nor
    a known person's maps to ``NOT_AN_OFFICIAL``."""
    links = {}
    for name in sorted(names):
        if has_initial(name):
            full = registry.by_initial(name)
        elif is_full_name(name):
            full = registry.by_latin(name)
        else:
            full = registry.by_surname(name, dominant=True) or registry.by_surname_stem(name)
        if not full and is_latin_name(name):
            full = registry.by_latin_lone(name)  # "Muzzarelli" -> "Gian Carlo Muzzarelli"
        links[name] = full if full and full != name else ""
        if not links[name] and vouched is not None and not is_full_name(name) and name not in vouched \
                and not registry.is_known(name):
            links[name] = NOT_AN_OFFICIAL
    # a lone surname linked to a Latin full name that links on, to a Russian one
    return {name: links[full] if links.get(full) not in (None, "", NOT_AN_OFFICIAL) else full
            for name, full in links.items()}


@dataclass
class KnownOfficial:
    name: str
    aliases: list[str]
    roles: list[str]


def load_known_officials() -> list[KnownOfficial]:
    out = []
    for line in data_lines("officials.tsv"):
        name, aliases, roles = (line.split("\t") + ["", ""])[:3]
        out.append(KnownOfficial(name, split_list(aliases, ","), split_list(roles, ";")))
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

    def __init__(self, known: list[KnownOfficial], holders: Iterable[str] = ()) -> None:
        self.counts: Counter = Counter()
        self.known = {fold_yo(k.name.lower()): k.name for k in known}
        self._aliases: dict[str, str] = {}  # the knowledge base's Latin spellings
        self._latin: dict[str, set[str]] = defaultdict(set)  # transliterations
        self._latin_pending: list[str] = []  # transliterated on first Latin lookup
        self._surnames: dict[str, set[str]] = defaultdict(set)
        # Latin-script full names of Italian texts, by surname: only a lone
        # surname in Latin script is linked to them, and only at the end of a
        # build (``official_links``), never a transliteration
        self._latin_names: dict[str, set[str]] = defaultdict(set)
        for k in known:
            self._index(k.name)
            for alias in k.aliases:
                self._aliases[skeleton(alias)] = k.name
        # The office holders (``office_terms.tsv``): their spelling and their
        # full names' Latin spellings are known; a bare surname links to one
        # of them only after a role word, at the document's date
        # (``OfficialExtractor.office_holders``), as hundreds of surnames
        # would otherwise take every «Иванов» for a governor.
        self._latin_full_pending: list[str] = []
        for name in holders:
            key = fold_yo(name.lower())
            if key not in self.known:
                self.known[key] = name
                self._latin_full_pending.append(name)

    def _index(self, name: str) -> None:
        parts = name_words(name)
        if len(parts) < 2 or has_initial(name):
            return  # an initial tells too little to link another name to it
        if is_latin_name(name):
            self._latin_names[fold_yo(latin_surname(name).lower())].add(name)
            return
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
        for name in self._latin_full_pending:
            for variant in transliterations(name):
                self._latin[variant].add(name)
        self._latin_full_pending.clear()

    def is_known(self, name: str) -> bool:
        """A name of the knowledge base or of an office holder, as it is."""
        return fold_yo(name.lower()) in self.known

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

    def by_latin_lone(self, surname: str) -> str | None:
        """The one Latin-script full name of the corpus with this surname, as
        a Russian surname links (``DOMINANT_SHARE``): spellings of one name
        count as one ("Gian Carlo" and "Giancarlo Muzzarelli", under the more
        frequent); none when two persons share it more evenly ("Francesco"
        and "Gian Francesco Menani", 22 and 19 mentions)."""
        persons: dict[str, list[str]] = defaultdict(list)
        for name in self._latin_names.get(fold_yo(surname.lower()), set()) - {surname}:
            persons[re.sub(r"[\s'’-]", "", name.lower())].append(name)
        if not persons:
            return None
        mentions = {max(spellings, key=lambda n: (self.counts[n], n)): sum(self.counts[n] for n in spellings)
                    for spellings in persons.values()}
        top = max(mentions, key=lambda n: (mentions[n], n))
        if len(mentions) == 1 or mentions[top] >= DOMINANT_SHARE * sum(mentions.values()):
            return top
        return None

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

