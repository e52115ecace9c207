"""The cascade page's tree, built in Python.

A national cascade holds thousands of events: one ``{% include %}`` per node (the template was recursive) took
over half a second to render 2,000 of them; the same markup built here takes a few tens of milliseconds.
"""

from html import escape  # what django.utils.html.escape does, without wrapping every piece in a SafeString

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from saylau.core.i18n import current_language, localized

from ..models import EventStatus, TrainingLevel

register = template.Library()

_SENTINEL = 987654321


@register.simple_tag
def cascade_tree(root) -> str:
    """``<li>`` for ``root`` (a ``selectors.CascadeNode``) and, nested in ``<ul class="cascade">``, its subtree."""
    # One reverse() for all the links: the event's URL with a placeholder id, split around it.
    url_prefix, url_suffix = reverse("training:event", args=[_SENTINEL]).split(str(_SENTINEL))
    enrolled, attended, reached, trainers = (
        escape(gettext(text)) for text in ("enrolled", "attended", "reached in this branch", "trainers"))
    labels = {value: escape(str(label)) for value, label in (*TrainingLevel.choices, *EventStatus.choices)}
    language = current_language()
    parts: list[str] = []

    def add(node) -> None:
        event = node.event
        dates = event.starts_on.isoformat()
        if event.ends_on != event.starts_on:
            dates += f"–{event.ends_on.isoformat()}"
        parts.append(
            f'<li>\n  <a href="{url_prefix}{event.pk}{url_suffix}">{escape(localized(event, "title", language))}</a>\n'
            f'  <span class="muted">{labels.get(event.level) or escape(event.level)} · {dates} · '
            f"{labels.get(event.status) or escape(event.status)}</span><br>\n"
            f"  <span>{enrolled}: {node.enrolled} · {attended}: {node.attended} · {reached}: "
            f"<strong>{node.reached}</strong>"
        )
        if node.trainers:
            parts.append(f" · {trainers}: {escape(', '.join(node.trainers))}")
        parts.append("</span>\n")
        if node.children:
            parts.append('  <ul class="cascade">')
            for child in node.children:
                add(child)
            parts.append("</ul>\n")
        parts.append("</li>")

    add(root)
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
