"""Bytes -> text, or a specific reason why a file is not text.

Scraped corpora arrive in UTF-8, Windows-1251 and UTF-16 (with or without a
byte-order mark). UTF-8 is tried strictly first because it is by far the most
common and never decodes legacy bytes by accident; the legacy guesses are left
to charset-normalizer, which weighs the candidates by language coherence.
"""
from __future__ import annotations

import codecs
from dataclasses import dataclass

from charset_normalizer import from_bytes

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Encodings a Russian or Italian news file can plausibly be in.
MIN_READABLE = 0.8  # share of Latin/Cyrillic/punctuation characters a decoded text must have
MAX_CHAOS = 0.3  # charset-normalizer's share of "mess" above which a guess is not text
_LEGACY = ["cp1251", "koi8_r", "utf_16_le", "utf_16_be", "cp1252", "latin_1", "iso8859_5"]


@dataclass(frozen=True)
class Decoded:
    text: str | None
    encoding: str | None
    error: str | None  # a reason for the report when text is None


def _control_share(text: str) -> float:
    """Share of C0/C1 control characters (tabs and newlines aside)."""
    sample = text[:20000]
    if not sample:
        return 0.0
    controls = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or 0x7F <= ord(ch) <= 0x9F)
    return controls / len(sample)


def _looks_binary(text: str) -> bool:
    """Text with NULs or many control characters is not a news article."""
    if "\x00" in text:
        return True
    sample = text[:20000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    return controls > max(2, len(sample) // 100)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM has a NUL in every other byte for ASCII and
    Cyrillic alike (Cyrillic is 0x04xx)."""
    sample = data[:4000]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > half * 0.3 and even_nuls == 0:
        encoding = "utf-16-le"
    elif even_nuls > half * 0.3 and odd_nuls == 0:
        encoding = "utf-16-be"
    else:
        # Cyrillic UTF-16-LE: high bytes are all 0x04
        if sample[1::2].count(4) > half * 0.5:
            encoding = "utf-16-le"
        elif sample[0::2].count(4) > half * 0.5:
            encoding = "utf-16-be"
        else:
            return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def decode_bytes(data: bytes) -> Decoded:
    if not data.strip():
        return Decoded(None, None, "empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                return Decoded(None, None, f"undecodable bytes (declared {encoding} by its byte-order mark)")
            return _checked(text, encoding)
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return _checked(utf16, "utf-16")
    if b"\x00" in data:
        return Decoded(None, None, "binary file (contains NUL bytes)")
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=_LEGACY).best()
    if best is None or best.chaos > MAX_CHAOS or _control_share(str(best)) > 0.01:
        # Latin-1 decodes any bytes; what it makes of these is not text.
        return Decoded(None, None, "undecodable bytes (not UTF-8, UTF-16 or a known Cyrillic/Latin code page)")
    return _checked(str(best), best.encoding)


def _readable_share(text: str) -> float:
    """Share of characters a Russian or Italian text is made of: Latin,
    Cyrillic, digits, punctuation and spaces. Bytes decoded with the wrong
    encoding come out as CJK, private-use or replacement characters."""
    sample = text[:20000]
    if not sample:
        return 1.0
    ok = sum(1 for ch in sample if ord(ch) < 0x250 or 0x400 <= ord(ch) <= 0x52F or 0x2000 <= ord(ch) <= 0x206F
             or ch in "№€₽")
    return ok / len(sample)


def _checked(text: str, encoding: str) -> Decoded:
    if _looks_binary(text):
        return Decoded(None, encoding, "binary file (control characters)")
    if _readable_share(text) < MIN_READABLE:
        return Decoded(None, encoding, f"undecodable bytes (as {encoding} they are not Russian or Italian text)")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return Decoded(None, encoding, "empty file")
    return Decoded(text, encoding, None)
