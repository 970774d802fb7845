"""Form widgets shared by the apps."""

from django import forms


class Select(forms.Select):
    """A select that renders long option lists quickly (no template include per option)."""

    template_name = "core/widgets/select.html"
