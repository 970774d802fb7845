"""The community's models, one module per area; each is imported here so Django finds it."""

# ---- messages (+ digest) ----
from hemonc.community.models.digest import DigestRun, DigestSubscription
from hemonc.community.models.messages import (
    Conversation,
    Message,
    MessageReport,
    MessageSettings,
    Participant,
)

__all__ = [
    "Conversation",
    "DigestRun",
    "DigestSubscription",
    "Message",
    "MessageReport",
    "MessageSettings",
    "Participant",
]
