"""Language detection, restricted to the corpus languages."""
from __future__ import annotations

from py3langid.langid import MODEL_FILE, LanguageIdentifier

LANGUAGES = ("ru", "it")
_SAMPLE_CHARS = 5000  # the opening of an article says what language it is in


class LanguageDetector:
    """py3langid's naive-Bayes model, limited to Russian and Italian so that a
    short or name-heavy text cannot come out as a third language."""

    def __init__(self, languages: tuple[str, ...] = LANGUAGES) -> None:
        self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
        self._identifier.set_languages(list(languages))
        self.languages = languages

    def detect(self, text: str) -> str:
        lang, _score = self._identifier.classify(text[:_SAMPLE_CHARS])
        return lang
