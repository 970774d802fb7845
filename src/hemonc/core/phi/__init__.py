"""The PHI guard: patient identifiers (HIPAA Safe Harbor) caught before text is published.

    from hemonc.core import phi

    findings = phi.scan(text)             # [Finding(kind="date", start=4, end=13, ...)]
    phi.highlight(text, findings)         # escaped HTML, each finding in <mark class="phi">
    phi.describe(findings)                # "1 date and 2 names"

`scan` knows medical and professional writing: "ASH 2021", "#ASH21", "NCCN v2.2023",
"R-CHOP x6", "375 mg/m2", "JAK2 V617F", "t(9;22)", "NCT04222595", a DOI, a journal, PubMed,
registry or society link, "Dr. Pemmaraju's tweetorial" and the accounts of societies and of
the network are never findings. Names and places are looked for only in a patient context
("Mrs. Alvarez", "pt J.D.", "her daughter Maria", "Maria presented with", "from Lubbock");
ages only over 89. Each finding carries its Safe Harbor letter, (A) to (R). Everything runs
in the process: no service, no model, nothing downloaded (lists: data/README.md).

Settings (docs/operations.md): `PHI_ALLOWED_DOMAINS` and `PHI_ALLOWED_HANDLES` extend the
defaults below; the site's own domain (SITE_URL) is always allowed.

How a surface uses it (the newsletter, sessions, questions and bios take this path; sketch):

    class PhiGuardFormMixin:                      # on a ModelForm
        phi_fields = ("body",)                    # the fields others will read
        # adds `phi_attest` (BooleanField, "No patient identifiers; consent obtained
        # where needed"), shown only once a save found something
        def clean(self):
            findings = {f: phi.scan(self.cleaned_data[f]) for f in self.phi_fields}
            if any(findings.values()) and not self.cleaned_data.get("phi_attest"):
                # the template shows phi.highlight(text, found) and phi.describe(found)
                raise ValidationError(...)
            self.phi_findings = findings          # handed to the service

    # the service records an attestation with core.audit.audit(actor, "phi.attested",
    # obj, findings=[f.as_dict() for f in ...]) in the same transaction as the publishing;
    # a live question with findings is held for the host instead of shown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import get_text_list
from django.utils.translation import ngettext

from hemonc.core.phi import _scanner
from hemonc.core.phi._words import DEFAULT_ALLOWED_DOMAINS, DEFAULT_ALLOWED_HANDLES

__all__ = [
    "DEFAULT_ALLOWED_DOMAINS",
    "DEFAULT_ALLOWED_HANDLES",
    "KINDS",
    "LETTERS",
    "Finding",
    "allowed_domains",
    "allowed_handles",
    "describe",
    "highlight",
    "scan",
]

# Kind -> the Safe Harbor identifier letter (45 CFR 164.514(b)(2)(i)).
LETTERS = {
    "name": "A",
    "location": "B",
    "address": "B",
    "zip": "B",
    "date": "C",
    "age": "C",
    "phone": "D",
    "fax": "E",
    "email": "F",
    "ssn": "G",
    "mrn": "H",
    "health_plan": "I",
    "account": "J",
    "license": "K",
    "vehicle": "L",
    "device": "M",
    "url": "N",
    "ip": "O",
    "other_id": "R",
}
KINDS = tuple(LETTERS)

# What a reader is told: (singular, plural).
LABELS = {
    "name": ("name", "names"),
    "date": ("date", "dates"),
    "age": ("age over 89", "ages over 89"),
    "phone": ("phone number", "phone numbers"),
    "fax": ("fax number", "fax numbers"),
    "email": ("email address", "email addresses"),
    "ssn": ("Social Security number", "Social Security numbers"),
    "mrn": ("medical record number", "medical record numbers"),
    "health_plan": ("health plan number", "health plan numbers"),
    "account": ("account number", "account numbers"),
    "license": ("licence or certificate number", "licence or certificate numbers"),
    "vehicle": ("vehicle identifier", "vehicle identifiers"),
    "device": ("device serial number", "device serial numbers"),
    "url": ("web link", "web links"),
    "ip": ("IP address", "IP addresses"),
    "zip": ("ZIP code", "ZIP codes"),
    "address": ("street address", "street addresses"),
    "location": ("town or place", "towns or places"),
    "other_id": ("identifying number or handle", "identifying numbers or handles"),
}


@dataclass(frozen=True, slots=True)
class Finding:
    """A stretch of text that may identify a patient: `text == source[start:end]`."""

    kind: str
    start: int
    end: int
    text: str
    letter: str

    def as_dict(self) -> dict[str, Any]:
        """kind, start, end and text: what the CLI's JSON lines and the audit log keep."""
        data = asdict(self)
        del data["letter"]
        return data


def allowed_domains() -> tuple[str, ...]:
    """The defaults, the site's own domain and `settings.PHI_ALLOWED_DOMAINS`."""
    extra, site, _ = _settings()
    if site:
        extra = (*extra, urlsplit(site).hostname or "")
    return (*DEFAULT_ALLOWED_DOMAINS, *(d for d in extra if d))


def allowed_handles() -> tuple[str, ...]:
    """The defaults and `settings.PHI_ALLOWED_HANDLES` (with or without the @)."""
    return (*DEFAULT_ALLOWED_HANDLES, *_settings()[2])


@cache
def _settings() -> tuple[tuple[str, ...], str, tuple[str, ...]]:
    """The settings the guard reads, read once (and again when a test changes them)."""
    if not settings.configured:
        return (), "", ()
    return (
        tuple(getattr(settings, "PHI_ALLOWED_DOMAINS", ())),
        getattr(settings, "SITE_URL", ""),
        tuple(getattr(settings, "PHI_ALLOWED_HANDLES", ())),
    )


@receiver(setting_changed)
def _forget_settings(*, setting: str, **kwargs: Any) -> None:
    if setting in {"PHI_ALLOWED_DOMAINS", "PHI_ALLOWED_HANDLES", "SITE_URL"}:
        _settings.cache_clear()


@cache
def _configured(
    key: tuple[tuple[str, ...], str, tuple[str, ...]],
) -> tuple[frozenset[str], frozenset[str]]:
    return _scanner._allowed(allowed_domains()), _normalized_handles(allowed_handles())


@cache
def _normalized_handles(values: tuple[str, ...]) -> frozenset[str]:
    return frozenset(v.strip().lstrip("@").lower() for v in values if v.strip())


def scan(
    text: str,
    *,
    allowed_domains: Iterable[str] | None = None,
    allowed_handles: Iterable[str] | None = None,
) -> list[Finding]:
    """The patient identifiers in `text`, in order, never overlapping.

    `allowed_domains`/`allowed_handles` replace the configured lists (`allowed_domains()`,
    `allowed_handles()`) when given; a link to an allowed domain or a subdomain of it, and an
    allowed @handle, are never findings.
    """
    if not text:
        return []
    domains, handles = _configured(_settings())
    if allowed_domains is not None:
        domains = _scanner._allowed(tuple(allowed_domains))
    if allowed_handles is not None:
        handles = _normalized_handles(tuple(allowed_handles))
    found = _scanner.resolve(_scanner.candidates(text, domains, handles), len(text))
    return [Finding(kind, start, end, text[start:end], LETTERS[kind]) for start, end, kind in found]


def highlight(text: str, findings: Sequence[Finding]) -> SafeString:
    """`text` as escaped HTML with each finding in `<mark class="phi" data-kind=...>`.

    Findings that overlap an earlier one or fall outside the text are skipped, so hostile
    offsets cannot break the markup.
    """
    parts: list[str] = []
    position = 0
    for finding in sorted(findings, key=lambda f: (f.start, f.end)):
        start, end = finding.start, finding.end
        if start < position or end > len(text) or end <= start or finding.kind not in LETTERS:
            continue
        singular = LABELS[finding.kind][0]
        parts.append(escape(text[position:start]))
        parts.append(
            f'<mark class="phi" data-kind="{finding.kind}" title="Possible patient identifier: '
            f'{escape(singular)} (Safe Harbor {finding.letter})">{escape(text[start:end])}</mark>'
        )
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))


def describe(findings: Sequence[Finding]) -> str:
    """ "1 date and 2 names": what was found, kinds in the order they first appear."""
    counts = Counter(f.kind for f in findings)
    items = [
        f"{count} {ngettext(LABELS[kind][0], LABELS[kind][1], count)}"
        for kind, count in counts.items()
    ]
    return str(get_text_list(items, "and"))
