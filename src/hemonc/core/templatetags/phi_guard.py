"""`{{ field|phi_marked }}`: a guarded field's text with what may identify a patient marked."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def phi_marked(field: Any) -> SafeString | str:
    """The field's text as saved, each finding in <mark class="phi">, or "" when clean."""
    marked = getattr(field.form, "phi_marked", {}).get(field.name)
    if not marked:
        return ""
    return format_html(
        '<div class="phi-marked" id="{}_phi"><p class="phi-marked-title">Where, in your '
        'text:</p><div class="phi-text">{}</div></div>',
        field.auto_id or field.html_name,
        marked,
    )
