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
