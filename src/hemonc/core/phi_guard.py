"""Text others will read is checked for patient identifiers before it is published.

One path for every surface (newsletter issues, session descriptions and notes, member bios,
and later posts and discussions):

- the form mixes in `PhiGuardMixin` and names its `phi_fields`; on save a text with
  findings makes the form invalid, its field says what was found (`describe`) and shows the
  text with each finding marked (`highlight`), and the form offers the attestation
  checkbox (`ATTEST_LABEL`), which lets the text through unchanged;
- the view hands `form.phi_attested` to the service; the service calls `phi_check` on the
  texts it is about to store (those that changed): without the attestation findings stop it
  (`DomainError`), with it the attestation is recorded in the audit log (`phi.attest`, the
  findings it overrode in `changes`).

Questions in a live session take the other road: one with a finding is held for the host
(events.services.questions).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms
from django.db import models
from django.utils.safestring import SafeString

from hemonc.core import phi
from hemonc.core.audit import audit
from hemonc.core.errors import DomainError
from hemonc.core.models import AuditEntry

ATTEST_LABEL = "No patient identifiers; consent obtained where needed"
ATTEST_ACTION = "phi.attest"
HOLD_ACTION = "phi.hold"  # a text held for a host or moderator instead of shown
ACTIONS = (ATTEST_ACTION, HOLD_ACTION)

Findings = dict[str, list[phi.Finding]]


def scan_texts(texts: Mapping[str, str]) -> Findings:
    """The findings of each text that has some, by name."""
    found = {name: phi.scan(text or "") for name, text in texts.items()}
    return {name: findings for name, findings in found.items() if findings}


def found_message(findings: list[phi.Finding]) -> str:
    """What a field says when its text may identify a patient."""
    return (
        f"This text may identify a patient: {phi.describe(findings)}, marked here. "
        f"Edit it, or tick “{ATTEST_LABEL}” to publish it as it is."
    )


def changed_texts(
    instance: models.Model | None, values: Mapping[str, Any], names: tuple[str, ...]
) -> dict[str, str]:
    """Of the guarded `names` in `values`, those whose text differs from what `instance`'s row
    stores (read from the database: a ModelForm has already changed the instance in memory).
    All of them for a row not yet stored."""
    given = {name: str(values[name] or "") for name in names if name in values}
    if instance is None or instance.pk is None or not given:
        return given
    stored = type(instance)._default_manager.filter(pk=instance.pk).values(*given).first() or {}
    return {name: text for name, text in given.items() if text != (stored.get(name) or "")}


def phi_check(
    *, actor: Any, target: models.Model | None, texts: Mapping[str, str], attested: bool
) -> Findings:
    """For services, before they store `texts` (those that changed): findings without the
    attestation raise DomainError; with it, the attestation is audited on `target` (give it
    once the row exists: call again with the same texts, or use `phi_record`)."""
    found = scan_texts(texts)
    if found and not attested:
        every = [finding for findings in found.values() for finding in findings]
        raise DomainError(
            f"The text may identify a patient ({phi.describe(every)}): edit it, or attest "
            f"“{ATTEST_LABEL}”."
        )
    if found and target is not None:
        phi_record(actor=actor, target=target, found=found)
    return found


def phi_record(
    *, actor: Any, target: models.Model, found: Findings, action: str = ATTEST_ACTION
) -> AuditEntry:
    """The audit entry of an attestation (or, with HOLD_ACTION, of a text held): who
    (actor), when (the entry's time), what (target), and the findings, each with the field
    it was in. Each finding is kept as its kind and place, never its text: the log must not
    become a second copy of what may identify a patient (the record itself holds that)."""
    return audit(
        actor=actor,
        action=action,
        target=target,
        changes={
            "findings": [
                {"kind": finding.kind, "start": finding.start, "end": finding.end, "field": name}
                for name, findings in found.items()
                for finding in findings
            ]
        },
    )


class PhiGuardMixin:
    """A form whose `phi_fields` others will read. Mix in before forms.Form/ModelForm.

    After `is_valid()`: `phi_findings` (by field), `phi_attested` (findings let through by
    the author's tick, for the service), and each field's marked text for the template
    (`phi_marked`; core/_field.html shows it under the field's error)."""

    phi_fields: ClassVar[tuple[str, ...]] = ()
    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phi_attest"] = forms.BooleanField(required=False, label=ATTEST_LABEL)
        self.phi_findings: Findings = {}
        self.phi_marked: dict[str, SafeString] = {}

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}  # type: ignore[misc]
        # A text left as it was (attested before, or never flagged) is not asked about again.
        changed = self.changed_data  # type: ignore[attr-defined]
        texts = {name: str(cleaned.get(name) or "") for name in self.phi_fields if name in changed}
        self.phi_findings = scan_texts(texts)
        self.phi_marked = {
            name: phi.highlight(texts[name], findings)
            for name, findings in self.phi_findings.items()
        }
        if self.phi_findings and not cleaned.get("phi_attest"):
            for name, findings in self.phi_findings.items():
                self.add_error(name, found_message(findings))  # type: ignore[attr-defined]
        return cleaned

    def phi_show(self, found: Findings, texts: Mapping[str, str]) -> None:
        """Mark what was found in stored texts (an unbound form: nothing is refused yet)."""
        self.phi_findings = {name: found[name] for name in self.phi_fields if name in found}
        self.phi_marked = {
            name: phi.highlight(texts[name], findings)
            for name, findings in self.phi_findings.items()
        }

    @property
    def phi_found(self) -> bool:
        """Something was found: the page offers the attestation."""
        return bool(self.phi_findings)

    @property
    def phi_attested(self) -> bool:
        """The author ticked the attestation over findings (what the service is told)."""
        return bool(self.phi_findings) and bool(self.cleaned_data.get("phi_attest"))
