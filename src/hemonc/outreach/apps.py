from typing import Any

from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "hemonc.outreach"
    label = "outreach"
    verbose_name = "Outreach"
    console_links = (
        (
            "Publishing desk",
            "outreach:desk",
            "Posts and threads for Bluesky, Mastodon and X: write, approve, schedule, retry.",
        ),
        ("Queues", "outreach:desk_queues", "Each account's weekly slots and what goes out next."),
        ("Followers and accounts", "outreach:followers", "Follower growth of each account."),
        (
            "Import files",
            "outreach:imports",
            "Upload X analytics, follower counts or a Mastodon archive.",
        ),
    )

    def ready(self) -> None:
        # Imported here: an app's configuration loads before the models and the other modules.
        from hemonc.outreach import rules  # noqa: F401

    def create_demo(self, *, stdout: Any) -> None:
        # Imported here: an app's configuration loads before the models and the other modules.
        from hemonc.outreach.demo import demo_outreach_create

        demo_outreach_create(stdout=stdout)
