"""The community's fixed vocabularies."""

from django.db import models

from hemonc.taxonomy.enums import Stage


class SpaceVisibility(models.TextChoices):
    MEMBERS = "members", "Everyone signed in"
    TRAINEES = "trainees", "Trainees only"
    ORGANIZERS = "organizers", "Organizers only"
    PROGRAM = "program", "Members of a mentorship program"
    INVITED = "invited", "Invited members"


# The stages a trainee-only space admits (the member's stage, or the one organizers verified).
TRAINEE_STAGES = frozenset(
    {
        Stage.MEDICAL_STUDENT,
        Stage.RESIDENT,
        Stage.FELLOW,
        Stage.ADVANCED_FELLOW,
        Stage.PHD_TRAINEE,
    }
)


class DiscussionKind(models.TextChoices):
    DISCUSSION = "discussion", "Discussion"
    JOURNAL_CLUB = "journal_club", "Journal club"
    CHAT = "chat", "Chat"


class ReviewState(models.TextChoices):
    """A new account's discussion, reply or message waiting for a moderator, and what they
    decided (no state: published without review)."""

    WAITING = "waiting", "Waiting for review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Not approved"


class ReactionKind(models.TextChoices):
    """A small fixed set: each shows as a word with its symbol, never a symbol alone."""

    THANKS = "thanks", "Thanks"
    AGREE = "agree", "Agree"
    INSIGHTFUL = "insightful", "Insightful"
    SUPPORT = "support", "Support"


REACTION_SYMBOLS = {
    ReactionKind.THANKS: "🙏",
    ReactionKind.AGREE: "👍",
    ReactionKind.INSIGHTFUL: "💡",
    ReactionKind.SUPPORT: "💙",
}


class NotificationKind(models.TextChoices):
    MENTION = "mention", "Someone mentions you"
    REPLY = "reply", "Replies to what you wrote or follow"
    MESSAGE = "message", "Direct messages"
    REQUEST_ACCEPTED = "request_accepted", "Your requests accepted"
    NOMINATION = "nomination", "Nominations"
    OPPORTUNITY_APPROVED = "opportunity_approved", "Opportunities you suggested, approved"
    MODERATION = "moderation", "Moderation outcomes"
