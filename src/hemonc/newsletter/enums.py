"""The newsletter's fixed vocabularies."""

from django.db import models


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", "Pending confirmation"
    SUBSCRIBED = "subscribed", "Subscribed"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
    BOUNCED = "bounced", "Bounced"
    COMPLAINED = "complained", "Complained"


# People who left or cannot be reached: never mailed again unless they sign up anew.
GONE_STATUSES = frozenset(
    {SubscriberStatus.UNSUBSCRIBED, SubscriberStatus.BOUNCED, SubscriberStatus.COMPLAINED}
)


class ConsentSource(models.TextChoices):
    SIGNUP = "signup", "Sign-up form"
    PROFILE = "profile", "Member profile"
    IMPORT = "import", "Import"
    MAILCHIMP = "mailchimp", "Mailchimp import"
    SUBSTACK = "substack", "Substack import"


class ImportSource(models.TextChoices):
    MAILCHIMP = "mailchimp", "Mailchimp"
    SUBSTACK = "substack", "Substack"
    LISTMONK = "listmonk", "listmonk"
    CSV = "csv", "CSV"


class ImportStatus(models.TextChoices):
    WAITING = "waiting", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Stopped, nothing imported"


class IssueStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    SENT = "sent", "Sent"
    BOUNCED = "bounced", "Refused permanently"
    FAILED = "failed", "Failed after retries"
    SKIPPED = "skipped", "Skipped (left before sending)"


FINAL_DELIVERY_STATUSES = frozenset(
    {DeliveryStatus.SENT, DeliveryStatus.BOUNCED, DeliveryStatus.FAILED, DeliveryStatus.SKIPPED}
)
FAILED_DELIVERY_STATUSES = frozenset({DeliveryStatus.BOUNCED, DeliveryStatus.FAILED})
