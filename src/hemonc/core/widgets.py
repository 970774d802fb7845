"""Form widgets shared by the apps."""

from html import escape
from typing import Any

from django import forms
from django.utils.safestring import SafeString, mark_safe


class Select(forms.Select):
    """Django's select, written in Python: a template per option made long lists slow.

    The markup is the one Django's own templates write (options in their groups, every
    attribute, `selected`), so labels, help text and errors link to it as usual.
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f"<select{_attributes({'name': widget['name'], **widget['attrs']})}>"]
        for group_name, options, _ in widget["optgroups"]:
            if group_name is not None:
                parts.append(f"<optgroup{_attributes({'label': group_name})}>")
            parts += [
                f"<option{_attributes({'value': option['value'], **option['attrs']})}>"
                f"{escape(str(option['label']))}</option>"
                for option in options
            ]
            if group_name is not None:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # every value above is escaped


def _attributes(attrs: dict[str, Any]) -> str:
    """As Django's attrs.html writes them: True as a bare name, False and None left out."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False and value is not None
    )
