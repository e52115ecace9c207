"""What both sets of pages need: the language an article is shown in, and a domain error put on its form field."""

from __future__ import annotations

from saylau.core.errors import DomainError
from saylau.core.i18n import current_language


def article_language(request, material) -> str:
    """The language asked for (``?lang=``), else the page's, if the material has it; else its first language."""
    wanted = request.GET.get("lang") or current_language()
    return wanted if wanted in material.languages else (material.languages or ["kk"])[0]


def form_error(form, error: DomainError) -> None:
    """The error on the field the service named, or on the whole form."""
    field = error.params.get("field")
    form.add_error(field if field in form.fields else None, error.message)
