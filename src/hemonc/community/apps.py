from typing import Any

from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "hemonc.community"
    label = "community"
    verbose_name = "Community"
    # ---- spaces ----
    nav_items = (("Community", "community:spaces"),)
    console_links = (
        ("Spaces", "community:space_admin", "Spaces, who sees each, invitations."),
        (
            "Verified stages",
            "community:stage_verify",
            "A member's checked stage, for trainee spaces.",
        ),
    )
    # ---- end spaces ----

    def create_demo(self, *, stdout: Any) -> None:
        # Imported when the demo runs: the app's modules need the app registry ready.
        from hemonc.community import demo

        # ---- spaces ----
        demo.demo_spaces_create(stdout=stdout)
        # ---- end spaces ----

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
