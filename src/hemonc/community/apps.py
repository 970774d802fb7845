from typing import Any

from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "hemonc.community"
    label = "community"
    verbose_name = "Community"

    def ready(self) -> None:
        # Imported once the models are ready (Django's way), to declare the permissions.
        from hemonc.community import rules  # noqa: F401

    # ---- opportunities (+ sponsorship) ----
    nav_items = (("Opportunities", "community:opportunities"),)
    console_links = (
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
        from hemonc.community.demo import demo_opportunities_create

        demo_opportunities_create(stdout=stdout)
