"""Bounces and complaints that the mail provider reports later, through anymail's webhooks."""

from __future__ import annotations

from typing import Any

from anymail.signals import AnymailTrackingEvent, EventType, tracking
from django.dispatch import receiver

from hemonc.newsletter.services import subscriber_record_provider_event

_EVENTS = {
    EventType.BOUNCED: "bounced",
    EventType.COMPLAINED: "complained",
    EventType.UNSUBSCRIBED: "unsubscribed",
}


@receiver(tracking, dispatch_uid="newsletter_provider_tracking")
def record_provider_event(
    sender: Any, event: AnymailTrackingEvent, esp_name: str, **kwargs: Any
) -> None:
    kind = _EVENTS.get(event.event_type)
    if kind is None or not event.recipient:
        return
    subscriber_record_provider_event(
        email=event.recipient,
        event_type=kind,
        description=f"{esp_name}: {event.description or event.reject_reason or kind}",
    )
