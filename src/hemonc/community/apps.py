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
        from hemonc.community.review import established_members

        # The demo's members are an established network: nothing of theirs waits for review.
        with established_members():
            # ---- spaces ----
            demo.demo_spaces_create(stdout=stdout)
            # ---- end spaces ----
            # ---- opportunities (+ sponsorship) ----
            demo.demo_opportunities_create(stdout=stdout)
            # ---- messages (+ digest) ----
            demo.demo_conversations_create(stdout=stdout)

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
        from hemonc.community import rules, signals  # noqa: F401

    # ---- messages (+ digest) ----
    def conversation_url(self, *, user: Any, other: Any) -> str | None:
        """The address of the direct conversation between two members (a mentorship's page
        links to it), or None when they have none."""
        from hemonc.community.selectors_messages import conversation_direct_with

        conversation = conversation_direct_with(user=user, other=other)
        return conversation.get_absolute_url() if conversation is not None else None

    def profile_panel(self, request: Any) -> str:
        """The profile page's section for messages and the weekly digest settings."""
        from django.template.loader import render_to_string

        from hemonc.community.selectors_digest import digest_subscribed
        from hemonc.community.services.messages import mail_when_unread

        return render_to_string(
            "community/messages/_profile_panel.html",
            {
                "mail_when_unread": mail_when_unread(request.user.pk),
                "digest_weekly": digest_subscribed(user_id=request.user.pk),
            },
            request=request,
        )
