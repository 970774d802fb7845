from html.parser import HTMLParser

from django import forms

from hemonc.core.widgets import Select


class _Form(forms.Form):
    stage = forms.ChoiceField(
        choices=[("", "Any stage"), ("fellow", "Fellow"), ("res", 'Resident <"R&D">')],
        required=False,
        help_text="Pick one.",
        widget=Select,
    )
    grouped = forms.ChoiceField(
        choices=[("Heme", [("mmsm", "#mmsm"), ("leusm", "#leusm")]), ("other", "Other")],
        widget=Select(attrs={"class": "wide", "data-x": True, "data-off": False}),
    )


def _stock(form: forms.Form, name: str) -> str:
    """What Django's own Select writes for the same bound field."""
    field = form[name]
    return forms.Select(attrs=field.field.widget.attrs, choices=field.field.choices).render(
        field.html_name, field.value(), attrs=field.build_widget_attrs({"id": field.auto_id})
    )


class _Elements(HTMLParser):
    """Tags with their attributes (in any order) and text: markup as a browser reads it."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.seen: list[tuple[str, ...]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.seen.append((tag, *sorted(f"{k}={v}" for k, v in attrs)))

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        self.seen.append(("/" + tag,))

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if data.strip():
            self.seen.append(("text", data))


def test_select_writes_what_djangos_select_writes():
    form = _Form({"stage": "res", "grouped": "leusm"})
    for name in ("stage", "grouped"):
        assert _Elements(str(form[name])).seen == _Elements(_stock(form, name)).seen


def test_select_marks_the_chosen_option_and_escapes_labels():
    html = str(_Form({"stage": "res"})["stage"])
    assert '<option value="res" selected>Resident &lt;&quot;R&amp;D&quot;&gt;</option>' in html
    assert 'aria-describedby="id_stage_helptext"' in html
    assert '<optgroup label="Heme"><option value="mmsm">#mmsm</option>' in str(_Form()["grouped"])
