"""`{{ field|phi_marked }}`: a guarded field's text with what may identify a patient marked."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from hemonc.core.phi_guard import found_message

register = template.Library()


@register.filter
def phi_marked(field: Any) -> SafeString | str:
    """Above the field: what was found, and the text as saved with each finding in
    <mark class="phi">; "" when the text is clean."""
    form = field.form
    marked = getattr(form, "phi_marked", {}).get(field.name)
    if not marked:
        return ""
    message = found_message(form.phi_findings[field.name])
    # The message takes the id Django's widget names in aria-describedby for its errors.
    return format_html(
        '<div class="phi-marked"><p class="error-text" id="{}_error">{}</p>'
        '<div class="phi-text">{}</div></div>',
        field.auto_id or field.html_name,
        message,
        marked,
    )


@register.filter
def other_errors(field: Any) -> list[str]:
    """The field's errors but the one `phi_marked` shows above it."""
    shown = getattr(field.form, "phi_marked", {}).get(field.name)
    if not shown:
        return list(field.errors)
    message = found_message(field.form.phi_findings[field.name])
    return [error for error in field.errors if error != message]
