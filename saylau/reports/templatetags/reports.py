from django import template

from ..documents import _number

register = template.Library()


@register.filter
def figure(value) -> str:
    """A figure as the documents print it: thousands separated, one decimal, "—" for none."""
    return _number(value)


@register.filter
def heat(value) -> str:
    from ..charts import heat_class

    return heat_class(value)
