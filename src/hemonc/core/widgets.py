"""Form widgets shared by the apps."""

from html import escape
from typing import Any

from django import forms
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from hemonc.core.forms import parse_id


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


# Where each source's matches come from: a URL name answering `?q=` with JSON
# ({"results": [{"id", "label", "detail"}]}); the apps that own the data serve them.
PICKER_SOURCES = {
    "members": "members:pick",
    "sessions": "events:pick",
    "guests": "events:guest_pick",
}


class SearchSelect(forms.Widget):
    """A picker for one or more records of a large table, found by typing part of a name.

    It renders the chosen records as chips, each carrying its id in a hidden input under the
    field's name, and a search box (the field's label points to it) that js/picker.js turns
    into an accessible combobox asking the source for matches as one types. Only the chosen
    records are read from the database: the choices are never listed whole.
    """

    def __init__(
        self, *, source: str, multiple: bool = False, attrs: dict[str, Any] | None = None
    ) -> None:
        if source not in PICKER_SOURCES:
            raise ValueError(f"Unknown picker source {source!r}: one of {sorted(PICKER_SOURCES)}.")
        super().__init__(attrs)
        self.source = source
        self.allow_multiple_selected = multiple
        self.choices: Any = ()

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if self.allow_multiple_selected:
            values = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
            return [value for value in values if value]
        return data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False  # an empty picker means "nobody", not "unchanged"

    def format_value(self, value: Any) -> list[str]:
        if value is None or value == "":
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return [str(getattr(v, "pk", v)) for v in values if v not in (None, "")]

    def chosen(self, values: list[str]) -> list[tuple[str, str]]:
        """(id, label) of the chosen records, in the order given; unknown ids are dropped."""
        queryset = getattr(self.choices, "queryset", None)
        if queryset is None or not values:
            return []
        # Only possible ids reach the database: "²³" passes isdigit() and fails int(), and a
        # number past 64 bits cannot be bound (core.forms.parse_id).
        ids = [str(pk) for pk in map(parse_id, values) if pk is not None]
        found = {str(obj.pk): obj for obj in queryset.filter(pk__in=ids)}
        label = getattr(self.choices.field, "label_from_instance", str)
        return [(pk, str(label(found[pk]))) for pk in ids if pk in found]

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        attrs = self.build_attrs(self.attrs, attrs)
        input_id = attrs.pop("id", f"id_{name}")
        described = attrs.pop("aria-describedby", None)
        invalid = attrs.pop("aria-invalid", None)
        attrs.pop("required", None)  # the hidden inputs carry the value, not the search box
        listbox = f"{input_id}_listbox"
        chips = "".join(
            f'<li class="chip"><span>{escape(label)}</span>'
            f"<input{_attributes({'type': 'hidden', 'name': name, 'value': pk})}>"
            f'<button type="button" class="chip-remove" data-picker-remove'
            f"{_attributes({'aria-label': f'Remove {label}'})}>&times;</button></li>"
            for pk, label in self.chosen(self.format_value(value))
        )
        search = {
            "type": "search",
            "id": input_id,
            "role": "combobox",
            "autocomplete": "off",
            "aria-autocomplete": "list",
            "aria-expanded": "false",
            "aria-controls": listbox,
            "aria-describedby": described,
            "aria-invalid": invalid,
            "placeholder": attrs.pop("placeholder", "Type a name"),
            **attrs,
        }
        box = {
            "class": "picker",
            "data-picker": True,
            "data-url": reverse(PICKER_SOURCES[self.source]),
            "data-name": name,
            "data-multiple": self.allow_multiple_selected,
        }
        return mark_safe(  # every value is escaped by _attributes or escape()
            f"<div{_attributes(box)}>"
            f'<ul class="picker-chosen" aria-live="polite">{chips}</ul>'
            f"<input{_attributes(search)}>"
            f'<ul role="listbox" class="picker-options"{_attributes({"id": listbox})} hidden></ul>'
            "</div>"
        )
