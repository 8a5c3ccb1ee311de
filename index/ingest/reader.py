"""Input files -> raw document records (or rejections with a reason).

Accepts directories (recursively, ``*.txt``), single ``.txt`` files and JSON
Lines corpora (``.jsonl``, ``.jsonl.gz``). Everything is streamed: a corpus is
never loaded whole.
"""
from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from .cleaner import Cleaner
from .decode import decode_bytes
from .language import LANGUAGES, LanguageDetector
from ..records import Document, RawDocument, Rejection

DEFAULT_MAX_CHARS = 5_000_000
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")


def _is_jsonl(path: Path) -> bool:
    return path.name.endswith(JSONL_SUFFIXES)


def iter_input_files(paths: Iterable[Path]) -> Iterator[Path | Rejection]:
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and (child.suffix == ".txt" or _is_jsonl(child)):
                    yield child
        elif path.is_file():
            yield path
        else:
            yield Rejection(str(path), "no such file or directory")


def read_raw(paths: Iterable[Path]) -> Iterator[RawDocument | Rejection]:
    """Every input document, or a rejection naming the file and the reason."""
    for item in iter_input_files(paths):
        if isinstance(item, Rejection):
            yield item
        elif _is_jsonl(item):
            yield from read_jsonl(item)
        else:
            yield read_text_file(item)


def read_text_file(path: Path) -> RawDocument | Rejection:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Rejection(str(path), f"cannot read: {exc.strerror or exc}")
    decoded = decode_bytes(data)
    if decoded.text is None:
        return Rejection(str(path), decoded.error or "undecodable bytes")
    return RawDocument(id=path.stem, path=str(path), text=decoded.text)


def read_jsonl(path: Path) -> Iterator[RawDocument | Rejection]:
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            for number, raw_line in enumerate(handle, start=1):
                where = f"{path}:{number}"
                if not raw_line.strip():
                    continue
                try:
                    record = json.loads(raw_line.decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                    yield Rejection(where, f"malformed JSON line {number}: {exc}")
                    continue
                if not isinstance(record, dict):
                    yield Rejection(where, f"malformed JSON line {number}: not an object")
                    continue
                doc_id, text = record.get("id"), record.get("text")
                missing = [name for name, value in (("id", doc_id), ("text", text)) if not value]
                if missing:
                    yield Rejection(where, f"line {number}: missing {' and '.join(missing)}")
                    continue
                if not isinstance(text, str):
                    yield Rejection(where, f"line {number}: text is not a string")
                    continue
                yield RawDocument(
                    id=str(doc_id),
                    path=where,
                    text=text.replace("\r\n", "\n"),
                    title=_opt_str(record.get("title")),
                    date=_opt_str(record.get("date")),
                    url=_opt_str(record.get("url")),
                    source=_opt_str(record.get("source")),
                    lang=_opt_str(record.get("lang")),
                )
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        yield Rejection(str(path), f"cannot read: {exc}")


def _opt_str(value) -> str | None:
    return str(value) if value not in (None, "") else None


class Ingestor:
    """Raw document -> clean Document, or a Rejection. Loads its models once."""

    def __init__(self, max_chars: int = DEFAULT_MAX_CHARS, lemmatizer=None) -> None:
        self.cleaner = Cleaner(lemmatizer)
        self.detector = LanguageDetector()
        self.max_chars = max_chars

    def ingest(self, raw: RawDocument) -> Document | Rejection:
        if len(raw.text) > self.max_chars:
            return Rejection(raw.path, f"over the size limit ({len(raw.text):,} > {self.max_chars:,} characters)")
        clean = self.cleaner.clean(raw.text, title=raw.title, date=raw.date)
        if not clean.body.strip():
            return Rejection(raw.path, "empty after cleaning")
        lang = raw.lang if raw.lang in LANGUAGES else self.detector.detect(clean.title + "\n" + clean.body)
        return Document(
            id=raw.id,
            path=raw.path,
            lang=lang,
            title=clean.title,
            date=clean.date,
            year=clean.year,
            body=clean.body,
            source_text=raw.text,
            author=clean.author,
            photo_credit=clean.photo_credit,
            place=clean.place,
            url=raw.url,
            source=raw.source,
        )
