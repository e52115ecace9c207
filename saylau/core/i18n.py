"""Content in several languages lives in sibling fields (``name_kk``, ``name_ru``, ``name_en``)."""

from django.conf import settings
from django.utils.translation import get_language

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def current_language() -> str:
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in LANGUAGE_CODES else settings.LANGUAGE_CODE


def localized(obj, base: str, language: str | None = None) -> str:
    """The field in the page's language, falling back to Kazakh, then Russian, then English."""
    language = language or current_language()
    for code in (language, "kk", "ru", "en"):
        value = getattr(obj, f"{base}_{code}", "")
        if value:
            return value
    return ""
