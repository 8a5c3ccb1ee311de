"""A person's name as the text gives it, in any case, back to the nominative.

natasha's normalizer does most of it from the morphology tagger's tags;
the rest is what it leaves undone or does wrong for foreign names: endings
no nominative has (``NameDecliner``, rules in ``name_endings.tsv``), words
of one name standing in one case, a woman's first name kept feminine, and
common words the NER model took in at a name's edges.
"""
from __future__ import annotations

import bisect
import functools
import re
from collections import defaultdict
from dataclasses import dataclass

from ..analysis.lemmatizer import Lemmatizer
from ..config import data_lines
from .persons import NAME_PARTICLES, name_words

MORPH_CONTEXT = 3  # words the morphology tagger sees each side of a word
NORMAL_CACHE_SIZE = 100_000  # distinct names (words, tags and spacing) whose normal form is kept
_NAME_GRAMMEMES = frozenset({"Name", "Surn", "Patr"})
_PYMORPHY_CASE = {"Gen": "gent", "Dat": "datv", "Acc": "accs", "Ins": "ablt", "Loc": "loct"}
_TAGGER_CASE = {v: k for k, v in _PYMORPHY_CASE.items()}
_FEMININE_SURNAME = re.compile(r"(?:ова|ева|ёва|ина|ына|ая)$")
_INITIALED_WORD = re.compile(r"[^\s.]+\.?")  # a name's word, an initial with its full stop
_BARE_INITIALS = re.compile(r"(?<![^\W\d_])[А-ЯЁA-Z]\.\s?[А-ЯЁA-Z]$")


@dataclass
class PersonSpan:
    """A person span from the NER model, in the text the model read."""

    start: int
    stop: int
    text: str
    normal: str = ""


class NameDecliner:
    """A foreign name word back to the nominative by its case ending, for the
    words the dictionary cannot inflect (rules in ``index/data/name_endings.tsv``)."""

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


class NameNormalizer:
    """Person spans -> their names in the nominative, and what the
    dictionary says of a name's words."""

    def __init__(self, lemmatizer: Lemmatizer) -> None:
        self.lemmatizer = lemmatizer
        self.decliner = NameDecliner(data_lines("name_endings.tsv"))
        self.morph_context = MORPH_CONTEXT
        self._normal_names: dict[tuple, tuple[int, int, str]] = {}

    def use_morphology(self, morph_windows, morph_vocab) -> None:
        """natasha's morphology tagger (over windows: ``ner.WindowMorphTagger``)
        and vocabulary, which ``normalize`` needs."""
        from natasha.doc import DocToken
        from natasha.norm import normalize

        self.morph_windows, self.morph_vocab = morph_windows, morph_vocab
        self._Token = DocToken
        self._normalize = normalize

    @functools.lru_cache(maxsize=100_000)
    def name_parts(self, normal: str) -> dict:
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
        parses = self.lemmatizer.known_parses(word)
        grammemes = set().union(*(p.tag.grammemes for p in parses)) if parses else set()
        return "Name" in grammemes, "Patr" in grammemes, "Surn" in grammemes, not parses

    def normalize(self, text: str, persons: list[PersonSpan], tokens: list) -> None:
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
        known_parses = self.lemmatizer.known_parses

        def adjective(word: str) -> bool:
            return any("ADJF" in p.tag.grammemes for p in known_parses(word))

        def plain(token) -> bool:  # known to the dictionary, not as a name (nor a surname's particle)
            return token.text[:1].isalpha() and not self.name_like(token.text) and token.text.lower() not in NAME_PARTICLES

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
                     if word == surface and word.lower() not in NAME_PARTICLES else word
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
        for parse in self.lemmatizer.known_parses(surface):
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
        parses = self.lemmatizer.known_parses(word)
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
            for parse in self.lemmatizer.known_parses(word):
                if {grammeme, "sing"} <= parse.tag.grammemes and _NAME_GRAMMEMES & parse.tag.grammemes:
                    nominative = parse.inflect({"nomn"})
                    if nominative is not None:
                        return nominative.word[:1].upper() + nominative.word[1:]
        return self.decliner.nominative(word, case)

    def _adjective_nominative(self, word: str, grammeme: str) -> str | None:
        """A known adjective in a name ("младшего") in the masculine or
        feminine nominative, as it stands."""
        for parse in self.lemmatizer.known_parses(word.lower()):
            if "ADJF" in parse.tag.grammemes and {grammeme, "sing"} <= parse.tag.grammemes:
                nominative = parse.inflect({"nomn"})
                if nominative is not None:
                    return nominative.word
        return None

    @functools.lru_cache(maxsize=200_000)
    def name_like(self, word: str) -> bool:
        """A word that may be part of a name: one the dictionary does not
        know, or knows as a first name, surname or patronymic."""
        # a word the dictionary knows has only dictionary parses
        parses = self.lemmatizer.known_parses(word)
        return not parses or any(_NAME_GRAMMEMES & p.tag.grammemes for p in parses)
