"""Persons' names in Latin-script (Italian) text, by rules over runs of
capitalized words.

A run of capitalized words (with a surname's particles, "De Manincor",
"van der Bellen", a middle initial and a regnal number inside) is a name
when it starts with a known first name ("Marta De Manincor"), or follows
a title ("avv.", "dott.") or a role word ("il sindaco Muzzarelli"); a
word alone is one when the text named that person in full before. Words
in front of the first name that are not part of it are left out
("Ministri Silvio Berlusconi", "Ber Paolo Lelli"), and a run right after a
venue or street word ("via Aldo Moro", "liceo Carlo Sigonio") is no person.

The first names are the project's own list (``first_names_latin.txt``) and
the first-name dictionary that ``gender-guesser`` ships (Jörg Michael's
``nam_dict``, with how common each name is in fifty countries, Italy and
Russia among them): a name that is also a common Italian word ("Marina",
"Rosa") starts a name only before a word that is not one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..analysis.names import first_names
from ..config import data_lines
from ..ingest.signatures import is_place

# A word: letters, with apostrophes and hyphens inside ("D'Alema", "Koch-Instituts").
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*(?:['’](?![^\W\d_]))?")  # "D' Amato": a particle
_ROMAN = re.compile(r"(?:X{0,3})(?:IX|IV|V?I{0,3})")
_SPACE = re.compile(r"[ \t\u00a0]+")
_COORDINATED = re.compile(r"\s*(?:,|e|ed|and)\s*|\s*,\s*(?:e|ed)\s+")


@dataclass
class LatinName:
    start: int
    end: int
    text: str
    role: str | None = None
    by_role: bool = False  # found only because a role word or a title stands before it
    single: bool = False  # one word: a surname alone


class LatinPersonFinder:
    """Runs of capitalized words -> persons' names, with the role the text
    gives them. ``is_common`` says whether a lowercased word is a common
    Italian word (the lemmatizer's dictionary); ``role_before(text, start)``
    is the role word's phrase right before ``start``, if any."""

    def __init__(self, is_common, role_before) -> None:
        self.is_common = is_common
        self.role_before = role_before
        self.first_names = first_names()
        self.not_first = {w for line in data_lines("not_first_names_latin.txt") for w in line.split()}
        particles = data_lines("name_particles_latin.txt")
        self.particles = {p for p in particles if not p.endswith("-")}
        self.prefixes = tuple(p for p in particles if p.endswith("-"))
        self.titles = [re.sub(r"\.$", "", line.lower()) for line in data_lines("titles_latin.txt")]
        titles = "|".join(sorted((re.escape(t) for t in self.titles), key=len, reverse=True))
        self._title_before = re.compile(rf"(?:^|[^\w])(?:{titles})\.?\s*$", re.IGNORECASE)
        self.venues = {line.lower() for line in data_lines("venue_words.txt")}
        self.stop = {w for line in data_lines("stopwords_it.txt") for w in line.split()}
        self.not_person = [re.compile(rf"(?:{p})", re.IGNORECASE if p.isupper() else 0)
                           for p in data_lines("not_persons.txt")]

    # word classes ----------------------------------------------------------
    def _capitalized(self, word: str) -> bool:
        # "MODENA", "USA": all capitals is a place, an acronym or a shout, not a name
        if word.startswith(self.prefixes):  # "al-Bandar"
            word = word.split("-", 1)[1]
        return word[:1].isupper() and not (len(word) > 1 and word.isupper())

    def is_first_name(self, word: str) -> bool:
        # "Lo", "Le" are first names somewhere, and Italian articles here
        return word in self.first_names and word not in self.not_first and word.lower() not in self.stop

    def first_alone(self, word: str) -> bool:
        """A word alone that is surely a first name ("Luciano"), not a common word too."""
        return self.first_names.get(word, False) and self.is_first_name(word) and not self._common(word)

    def _common(self, word: str) -> bool:
        return self.is_common(word.lower())

    # runs --------------------------------------------------------------------
    def runs(self, text: str) -> list[list[tuple[int, int, str]]]:
        """Runs of capitalized words (their start, end and text) on one
        line with only spaces between them; a particle, a middle initial
        ("George W. Bush") or a regnal number ("Giovanni Paolo II") inside a
        run does not end it."""
        words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
        out, run = [], []
        for k, (start, end, word) in enumerate(words):
            nxt = words[k + 1] if k + 1 < len(words) else None
            gap_after = text[end:nxt[0]] if nxt else ""
            joined = bool(run) and _SPACE.fullmatch(text[run[-1][1]:start] or "x") is not None
            if run and not joined:
                # an initial's full stop: "W. Bush"
                prev_start, prev_end, prev = run[-1]
                joined = len(prev) == 1 and prev.isupper() and re.fullmatch(r"\.\s", text[prev_end:start]) is not None
            if not joined and run:
                out.append(run)
                run = []
            if self._capitalized(word) or (word.isupper() and len(word) == 1 and gap_after.startswith(".")):
                run.append((start, end, word))
            elif run and _ROMAN.fullmatch(word) and word:
                run.append((start, end, word))
            elif run and word in self.particles and self._particle_joins(text, words, k):
                run.append((start, end, word))
            else:
                if run:
                    out.append(run)
                run = []
        if run:
            out.append(run)
        return out

    def _particle_joins(self, text: str, words: list, k: int) -> bool:
        """A particle inside a run: more particles, then a capitalized word,
        with only spaces between ("von der Leyen")."""
        for j in range(k + 1, len(words)):
            if not _SPACE.fullmatch(text[words[j - 1][1]:words[j][0]] or "x"):
                return False
            if words[j][2] not in self.particles:
                return self._capitalized(words[j][2])
        return False

    def find(self, text: str) -> list[LatinName]:
        out: list[LatinName] = []
        after_venue = None  # where the last run a venue word named ended
        for run in self.runs(text):
            if after_venue is not None and _COORDINATED.fullmatch(text[after_venue:run[0][0]]):
                after_venue = run[-1][1]  # "i santi Giovanni Evangelista e Gregorio Taumaturgo"
                continue
            after_venue = run[-1][1] if self._after_venue(text, run) else None
            name = self._name(text, run)
            if name is not None:
                out.append(name)
        return out

    def _after_venue(self, text: str, run: list[tuple[int, int, str]]) -> bool:
        previous = _WORD.findall(text[max(0, run[0][0] - 40):run[0][0]])[-1:] or [""]
        return previous[0].lower().rstrip("'’") in self.venues

    def _name(self, text: str, run: list[tuple[int, int, str]]) -> LatinName | None:
        words = [w for _, _, w in run]
        before = text[max(0, run[0][0] - 40):run[0][0]]
        previous = _WORD.findall(before)[-1:] or [""]
        if previous[0].lower().rstrip("'’") in self.venues:
            return None  # "via Aldo Moro", "liceo Carlo Sigonio", "San Pietro"
        # the name starts at its first name, if a first name is followed by more of the run
        first = next((k for k, w in enumerate(words[:-1])
                      if self.is_first_name(w) and self._surname_follows(words, k)), None)
        if first is not None and (self._common(words[first]) or not self.first_names[words[first]]) \
                and self.is_first_name(words[first + 1]) and self._surname_follows(words, first + 1):
            # "Morta Terri Schiavo", "Secondo Martial Jorel", "Torino Giorgio
            # Mazzini": a common word or a weak first name before a first name
            first += 1
        if first is not None and not self.first_names[words[first]] and self._common(words[first]) \
                and re.search(r"(?:^|[.!?:;»\"]\s*)$", text[max(0, run[first][0] - 3):run[first][0]]):
            first = None  # "Secondo Carletti i lavori …": a sentence's first word
        if first is not None and not self.first_names[words[first]] and any(
                not self._common(w) and w.lower() not in self.stop for w in words[:first]):
            first = None  # "New York Post": a weak first name inside a longer proper name
        if first is not None:
            skipped = words[:first]
            if any(w.lower() in self.venues for w in skipped[-1:]):
                return None  # "Via Vittorio Veneto", "Stadio Alberto Braglia"
            keep = self._trim(run[first:])
            if len(keep) < 2:
                return None
            return self._made(text, keep)
        # No first name. A title or a role word right before makes the run's
        # last words a name ("il sindaco Scaturro", "il re Bhumibol
        # Adulyadej", "l'avv. Rossi"), without common words in front of them
        # ("il presidente Usa Obama"); a word alone may still be a surname
        # the text names in full elsewhere, or a first name alone.
        keep = self._trim(run)
        if not keep:
            return None
        at = len(keep)
        while at > 0 and (keep[at - 1][2] in self.particles or not self._common(keep[at - 1][2])):
            at -= 1
        while at < len(keep) and keep[at][2] in self.particles:
            at += 1
        tail = keep[at:]
        # two words at most: "(il presidente dell') Iraq Saddam Hussein"
        while len([w for _, _, w in tail if w not in self.particles]) > 2:
            tail = tail[1:]
        while tail and tail[0][2] in self.particles and len(tail) > 1 and tail[1][2] in self.particles:
            tail = tail[1:]
        if not tail or len(tail[-1][2]) < 2 or _ROMAN.fullmatch(tail[-1][2]):
            tail = keep[-1:]  # a common word: a surname only after a role word ("il presidente Grasso")
            if len(keep) > 1 or len(tail[0][2]) < 2 or _ROMAN.fullmatch(tail[0][2]):
                return None
        prefix = keep[:len(keep) - len(tail)]
        role = None
        previous = _WORD.findall(text[max(0, keep[0][0] - 30):keep[0][0]])[-1:] or [""]
        if previous[0].lower().rstrip("'’") in self.stop:
            pass  # "il sindaco di Ascoli", "presidente della Consob": a place or a body, not a name
        elif all(self._common(w) or w.isupper() for _, _, w in prefix):
            role = self.role_before(text, keep[0][0])
            if role is None and not prefix and self._title_before.search(text[max(0, keep[0][0] - 20):keep[0][0]]):
                role = ""
        name = self._made(text, tail)
        if role is not None:
            name.role, name.by_role, name.single = role or None, True, len(tail) == 1
            return name
        if len(tail) != 1 or (len(keep) > 1 and self.first_alone(tail[0][2])):
            return None  # "Porta San Paolo"
        name.single = True  # a surname the text may name in full elsewhere, or a first name alone
        return name

    def _surname_follows(self, words: list[str], k: int) -> bool:
        """After the first name ``words[k]``, a surname: a word that is not a
        common Italian word, or any capitalized word when the first name is
        not one either ("Marina Militare" is not a person)."""
        rest = [w for w in words[k + 1:] if w not in self.particles and not _ROMAN.fullmatch(w)]
        if not rest:
            # "Benedetto XVI", "Elisabetta II": a first name and a regnal number
            return any(_ROMAN.fullmatch(w) for w in words[k + 1:])
        if not self.first_names[words[k]] and self._common(words[k]):
            return any(not self._common(w) for w in rest)
        return True

    def _trim(self, run: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        """A run without the stop words that start or end it ("Secondo",
        "Intanto") and without particles left at its ends."""
        keep = list(run)
        while keep and (keep[-1][2].lower() in self.stop or keep[-1][2] in self.particles
                        or keep[-1][2].lower() in self.venues):
            keep.pop()
        while keep and (keep[0][2].lower() in self.stop and keep[0][2] not in self.particles):
            keep.pop(0)
        return keep

    def _made(self, text: str, items: list[tuple[int, int, str]]) -> LatinName:
        start, end = items[0][0], items[-1][1]
        return LatinName(start, end, " ".join(text[start:end].split()))

    def rejected(self, name: str) -> bool:
        """A word the not-a-person patterns match, or a place's whole name ("Lama Mocogno")."""
        return any(p.fullmatch(word) for word in name.split() for p in self.not_person) or is_place(name)
