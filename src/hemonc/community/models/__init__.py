"""The community's models, one module per area; each is imported here so Django finds it."""

# ---- opportunities (+ sponsorship) ----
from hemonc.community.models.opportunities import (  # noqa: E402, F401
    Nomination,
    Opportunity,
    OpportunityReminder,
    SavedOpportunity,
)
