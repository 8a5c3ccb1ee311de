"""Raw news page text -> title, date, clean body and metadata.

Scraped pages carry navigation, bylines, view counters and "related news"
lists of timestamps. Each of these is recognised by a small, separate rule so
the rules can be read, tested and extended one at a time; the patterns that
are knowledge rather than logic live in ``index/data``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as Date

import dateparser

from ..config import data_lines
from .signatures import Signatures

# "22:29, 27 октября 2021 154" / "09:04 | 1 июля, 2024": time, date, optional counter.
_TIMESTAMP = re.compile(
    r"^(?P<time>\d{1,2}:\d{2})\s*[,|]?\s*(?P<date>\d{1,2}\s+[^\W\d_]+\.?,?\s+\d{4})(?:\s*[,|]?\s*\d{1,7})?$"
)
# "27 октября 2021" / "1 luglio 2024" alone on a line, optionally with a time after it.
_DATE_LINE = re.compile(r"^(?P<date>\d{1,2}\s+[^\W\d_]+\.?,?\s+\d{4})(?:\s*[,|]?\s*\d{1,2}:\d{2})?$")
# "date 2019-12-25 ..." or "2019-12-25 ..." at the start of the text.
_ISO_PREFIX = re.compile(r"^(?:date\s*[:=]?\s*)?(?P<date>\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2})?)?\b\s*")
# "Грозный, 2 марта. – " : an agency dateline with no year. It names no year, so
# it gives no date, but it is not part of the headline either.
_CITY_DATELINE = re.compile(
    r"^(?P<city>[A-ZА-ЯЁ][\w-]+(?:[ -][A-ZА-ЯЁ][\w-]+)?),\s+(?P<date>\d{1,2}\s+[^\W\d_]+)\.?\s*[–—-]\s+"
)
# not after an initial: "Collezionava computer rubati, M. F., il modenese …"
_SENTENCE_END = re.compile(r"(?<![\s(][A-ZА-ЯЁ]\.)(?<=[.!?…])[»\"”]?\s+(?=[«\"“A-ZА-ЯЁ0-9])")
_BARE = re.compile(r"[^\Wa-zа-яё]{1,2}|[^a-zа-яё]{1,40}")  # no lowercase letter at all
_HEADER_LINES = 6  # datelines are looked for only at the top of a page
TITLE_MAX = 140
_LEAD_CANDIDATES = 5  # leads sit at the top of a page
_LEAD_MIN_CHARS = 40  # shorter openings repeat by chance ("Он сказал:")


@dataclass
class CleanText:
    title: str
    body: str
    date: str | None
    year: int | None
    author: str | None
    photo_credit: str | None
    place: str | None = None  # the dateline's place ("Modena")


LABELLED = ("author", "photo_credit")  # bylines.txt's kinds that are "Label: value" lines


class Cleaner:
    """Applies the furniture, byline, related-news, dateline and duplicate rules."""

    def __init__(self, lemmatizer=None) -> None:
        self._furniture = [re.compile(rf"(?:{p})", re.IGNORECASE) for p in data_lines("furniture.txt")]
        bylines = []
        for line in data_lines("bylines.txt"):
            kind, label = line.split("\t", 1)
            if kind in LABELLED:
                bylines.append((kind, re.compile(rf"^(?:{label})\s*:\s*(?P<value>.+)$", re.IGNORECASE)))
        self._bylines = bylines
        self._lemmatizer = lemmatizer
        self.signatures = Signatures(self._is_common)

    def _is_common(self, word: str) -> bool:
        if self._lemmatizer is None:  # made on the first unlabelled byline's check
            from ..analysis.lemmatizer import Lemmatizer

            self._lemmatizer = Lemmatizer()
        return self._lemmatizer.italian_common(word)

    # -- single-line rules -------------------------------------------------
    def is_furniture(self, line: str) -> bool:
        return any(p.fullmatch(line) for p in self._furniture)

    def byline(self, line: str) -> tuple[str, str] | None:
        for kind, pattern in self._bylines:
            m = pattern.match(line)
            if m:
                value = m.group("value").strip()
                # "Фото: X Фото: X" — the credit repeated on one line.
                label_split = re.split(rf"\s+{re.escape(line[: line.index(':')].strip())}\s*:\s*", value)
                return kind, label_split[0].strip()
        return None

    @staticmethod
    def parse_date(text: str) -> Date | None:
        """A full day-month-year date in Russian, Italian or English, else None."""
        parsed = dateparser.parse(
            text.replace(",", " "),
            languages=["ru", "it", "en"],
            settings={"REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DATES_FROM": "past"},
        )
        return parsed.date() if parsed else None

    # -- the whole page ----------------------------------------------------
    def clean(self, text: str, title: str | None = None, date: str | None = None) -> CleanText:
        lines = [ln.strip() for ln in text.split("\n")]
        lines = self._drop_related_news(lines)

        found_date: Date | None = None
        if date:
            found_date = self._iso_or_parse(date)
        meta: dict[str, str] = {}
        kept: list[str] = []
        for line in lines:
            if not line:
                kept.append("")
                continue
            if sum(1 for k in kept if k) < _HEADER_LINES:
                line, line_date, is_dateline = self._take_dateline(line)
                if line_date and found_date is None:
                    found_date = line_date
                if is_dateline and not line:
                    continue
            byline = self.byline(line)
            if byline:
                meta.setdefault(byline[0], byline[1])
                continue
            if self.is_furniture(line):
                continue
            kept.append(line)

        paragraphs = self._dedupe(self._paragraphs(kept))
        # unlabelled bylines at the text's two ends (Italian local papers)
        if paragraphs:
            signed = self.signatures.lead(paragraphs[0])
            if signed.author:
                meta.setdefault("author", signed.author)
                paragraphs[0] = signed.text
            signed = self.signatures.tail(paragraphs[-1])
            if signed.author:
                meta.setdefault("author", signed.author)
            paragraphs[-1] = signed.text
            paragraphs = [p for p in paragraphs if p]
        place, after_place = self.signatures.dateline(paragraphs[0]) if paragraphs else (None, 0)
        headline = title.strip() if title else None
        if headline:
            paragraphs = [p for p in paragraphs if p != headline]
        elif paragraphs and len(paragraphs) > 1 and self._is_headline(paragraphs[0]):
            headline = paragraphs.pop(0)
        body = "\n\n".join(paragraphs)
        if not headline:
            # the first sentence after the dateline, not the dateline ("MODENA.")
            rest = _CITY_DATELINE.sub("", body[after_place:] if place else body, count=1)
            headline = self._first_sentence(rest)
            if _BARE.fullmatch(headline) and len(rest) > len(headline) + 2:
                # capitals only, or a letter: a place or an initial, not a title
                # ("PAVULLO E POLINAGO.", "M. F. ha …")
                headline = self._first_sentence(rest[len(headline):].lstrip(" .,:;—–-")) or headline
        return CleanText(
            title=headline,
            body=body,
            date=found_date.isoformat() if found_date else None,
            year=found_date.year if found_date else None,
            author=meta.get("author"),
            photo_credit=meta.get("photo_credit"),
            place=place,
        )

    def _iso_or_parse(self, value: str) -> Date | None:
        m = _ISO_PREFIX.match(value.strip())
        if m:
            try:
                return Date.fromisoformat(m.group("date"))
            except ValueError:
                return None
        return self.parse_date(value)

    def _take_dateline(self, line: str) -> tuple[str, Date | None, bool]:
        """Strip a dateline from a header line: (rest of line, date, was it one)."""
        m = _ISO_PREFIX.match(line)
        if m:
            try:
                return line[m.end():].strip(), Date.fromisoformat(m.group("date")), True
            except ValueError:
                return line, None, False
        for pattern in (_TIMESTAMP, _DATE_LINE):
            m = pattern.match(line)
            if m:
                parsed = self.parse_date(m.group("date"))
                if parsed:
                    return "", parsed, True
        return line, None, False

    @staticmethod
    def _drop_related_news(lines: list[str]) -> list[str]:
        """Two or more consecutive timestamp lines are a related-news list
        (headline links reduced to time, date and a counter): never text, never
        the document's date. A single timestamp line is left as a dateline."""
        out: list[str] = []
        i = 0
        while i < len(lines):
            j = i
            while j < len(lines) and _TIMESTAMP.match(lines[j]):
                j += 1
            if j - i >= 2:
                i = j
                continue
            out.append(lines[i])
            i += 1
        return out

    @staticmethod
    def _paragraphs(lines: list[str]) -> list[str]:
        # Each non-empty line is a paragraph: scraped pages use single and
        # double newlines interchangeably.
        return [ln for ln in lines if ln]

    @staticmethod
    def _dedupe(paragraphs: list[str]) -> list[str]:
        """A paragraph repeated verbatim is kept once, at its last place. A lead
        shown above the article and repeated as the opening of a later
        paragraph is dropped from the top. Either way the body keeps the
        article's own order."""
        last = {p: i for i, p in enumerate(paragraphs)}
        unique = [p for i, p in enumerate(paragraphs) if last[p] == i]
        leads = set()
        for i, lead in enumerate(unique[:_LEAD_CANDIDATES]):
            if len(lead) >= _LEAD_MIN_CHARS and any(
                later.startswith(lead) for later in unique[i + 1:]
            ):
                leads.add(i)
        return [p for i, p in enumerate(unique) if i not in leads]

    @staticmethod
    def _is_headline(paragraph: str) -> bool:
        words = paragraph.split()
        return 3 <= len(words) <= 35 and not paragraph.rstrip().endswith((".", ":", ";", ","))

    @staticmethod
    def _first_sentence(body: str) -> str:
        first = _SENTENCE_END.split(body.strip(), maxsplit=1)[0].split("\n", 1)[0].strip()
        if len(first) <= TITLE_MAX:
            return first.rstrip(".")
        cut = first[:TITLE_MAX].rsplit(" ", 1)[0].rstrip(",;:–— ")
        return cut + "…"
