"""The community's models, one module per area; each is imported here so Django finds it."""

# ---- spaces (+ notifications) ----
# ---- messages (+ digest) ----
from hemonc.community.models.digest import DigestRun, DigestSubscription  # noqa: F401
from hemonc.community.models.messages import (  # noqa: F401
    Conversation,
    Message,
    MessageSettings,
    Participant,
)
from hemonc.community.models.notifications import Notification, NotificationSetting  # noqa: F401

# ---- end spaces ----
# ---- opportunities (+ sponsorship) ----
from hemonc.community.models.opportunities import (  # noqa: F401
    Nomination,
    Opportunity,
    OpportunityReminder,
    SavedOpportunity,
)
from hemonc.community.models.spaces import (  # noqa: F401
    Discussion,
    Follow,
    Reaction,
    Reply,
    Revision,
    Space,
    SpaceMember,
    StageVerification,
)
