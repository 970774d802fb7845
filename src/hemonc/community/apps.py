from typing import Any

from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "hemonc.community"
    label = "community"
    verbose_name = "Community"
    nav_items = (
        # ---- spaces ----
        ("Community", "community:spaces"),
        # ---- end spaces ----
        # ---- opportunities (+ sponsorship) ----
        ("Opportunities", "community:opportunities"),
    )
    console_links = (
        # ---- spaces ----
        ("Spaces", "community:space_admin", "Spaces, who sees each, invitations."),
        (
            "Verified stages",
            "community:stage_verify",
            "A member's checked stage, for trainee spaces.",
        ),
        # ---- end spaces ----
        # ---- opportunities (+ sponsorship) ----
        (
            "Suggested opportunities",
            "community:opportunity_review",
            "Approve members' suggestions for the board, or turn them down with a reason.",
        ),
        (
            "Nominations",
            "community:opportunity_nominations_overview",
            "Who sponsors put forward, per opportunity: recorded, never published.",
        ),
    )

    def create_demo(self, *, stdout: Any) -> None:
        # Imported when the demo runs: the app's modules need the app registry ready.
        from hemonc.community import demo

        # ---- spaces ----
        demo.demo_spaces_create(stdout=stdout)
        # ---- end spaces ----
        # ---- opportunities (+ sponsorship) ----
        demo.demo_opportunities_create(stdout=stdout)

    def member_data_rows(self, *, model: Any, rows: Any, user: Any) -> Any:
        """A member's data download: notifications they received, not those their actions
        sent to others (who got them is the others' business)."""
        from hemonc.community.models import Notification

        # ---- spaces ----
        if model is Notification:
            return rows.filter(recipient=user)
        # ---- end spaces ----
        return rows

    def ready(self) -> None:
        # Imported once the models are ready (Django's way), to declare the permissions.
        from hemonc.community import rules  # noqa: F401
