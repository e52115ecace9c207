"""``{% item_statistics item %}``: the statistics section of a bank item's page (pooled figures, distractors,
flags and the "send back to review" buttons), so that the bank's view need not know about statistics."""

from django import template

register = template.Library()


@register.inclusion_tag("psychometrics/_item_statistics.html", takes_context=True)
def item_statistics(context, item):
    from ..views import item_statistics as statistics_of

    return {"item": item, "statistics": statistics_of(item, context["user"]), "user": context["user"],
            "csrf_token": context.get("csrf_token"), "request": context.get("request")}
