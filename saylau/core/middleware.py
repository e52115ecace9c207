from django.conf import settings
from django.utils import translation

from .i18n import LANGUAGE_CODES


class LanguageMiddleware:
    """Kazakh unless the visitor chose otherwise; the choice lives in the language cookie.

    Django's LocaleMiddleware would follow the browser's Accept-Language; the platform's
    default is the state language, so only an explicit choice switches it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in LANGUAGE_CODES:
            language = settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        with translation.override(language):  # and afterwards the thread's language as it was
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        vary = response.headers.get("Vary", "")
        if "Cookie" not in vary:
            response.headers["Vary"] = f"{vary}, Cookie" if vary else "Cookie"
        return response
