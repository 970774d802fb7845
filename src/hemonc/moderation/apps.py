from typing import Any

from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "hemonc.moderation"
    label = "moderation"
    verbose_name = "Moderation"
    console_links = (
        (
            "Reports",
            "moderation:queue",
            "Open cases, patient data first, appeals, and new accounts' posts waiting for review.",
        ),
        (
            "Code of conduct",
            "moderation:conduct_versions",
            "Versions in Markdown; publishing one asks every member to accept it.",
        ),
        (
            "Audit log",
            "moderation:audit",
            "Every action, role change, data export and erasure: filter and download.",
        ),
    )

    def create_demo(self, *, stdout: Any) -> None:
        # Models are not ready when the app config is imported: read them when called.
        from hemonc.moderation.demo import (
            demo_cases_create,
            demo_moderation_create,
            demo_new_account_create,
        )

        demo_moderation_create(stdout=stdout)
        demo_cases_create(stdout=stdout)
        demo_new_account_create(stdout=stdout)

    def vouched_for(self, user: Any) -> bool:
        """Has an organizer vouched for `user`? Then what they write never waits for review
        (the community asks here: it sits below this app)."""
        from hemonc.moderation.models import Vouch

        return bool(getattr(user, "pk", None)) and Vouch.objects.filter(user_id=user.pk).exists()

    def member_panel(self, request: Any, member: Any) -> str:
        """On a member's profile, for organizers: vouch for them, or take it back."""
        if not request.user.has_perm("moderation.vouch"):
            return ""
        from django.template.loader import render_to_string

        from hemonc.community.review import posts_counted, review_count
        from hemonc.moderation.selectors import vouch_for

        needed = review_count()
        return render_to_string(
            "moderation/_vouch_panel.html",
            {
                "member": member,
                "vouch": vouch_for(member),
                "needed": needed,
                "counted": posts_counted(member, enough=needed) if needed else 0,
                "exempt": member.is_organizer or member.is_moderator,
            },
            request=request,
        )
