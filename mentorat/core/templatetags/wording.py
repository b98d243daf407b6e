"""How the pages write what sits around words: a label's colon, a time's zone. ``{% load wording %}``."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import pgettext

from mentorat.core import outbox

register = template.Library()


@register.filter(is_safe=True)
def labelled(value) -> str:
    """A label with its colon, as the active language writes it: "Theme:" in English, "Thème :"
    (a non-breaking space before the colon) in French. Works on a ``{% filter labelled %}`` block too."""
    return mark_safe(pgettext("a label before its value", "%(label)s:") % {"label": conditional_escape(value)})


@register.simple_tag
def time_zone_name() -> str:
    """The active time zone's name ("New York time", "heure de New York") when it is not the
    site's, for a page that shows times; "" in the site's zone, where times need no name."""
    return outbox.zone_label()
