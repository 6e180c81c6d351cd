from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **changes) -> str:
    """The current query string with some parameters replaced (for paging links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def sort_link(context, field: str, label: str) -> str:
    """A column header that sorts by ``field`` and flips direction on a second click."""
    params = context["request"].GET.copy()
    current = params.get("sort", "name")
    descending = current == field
    params["sort"] = f"-{field}" if descending else field
    params.pop("page", None)
    if current == field:
        arrow, state = "▲", _("sorted ascending")
    elif current == f"-{field}":
        arrow, state = "▼", _("sorted descending")
    else:
        arrow, state = "", ""
    title = _("Sort by %(column)s") % {"column": label}
    return format_html(
        '<a href="?{}" title="{}">{} <span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}</span></a>',
        params.urlencode(),
        title,
        label,
        arrow,
        state,
    )
