from typing import Any

from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "hemonc.newsletter"
    label = "newsletter"
    verbose_name = "Newsletter"
    nav_items = (("Newsletter", "newsletter:home"),)
    console_links = (
        ("Issues", "newsletter:manage", "Write, test, schedule and send issues; follow a send."),
        ("Demographics", "newsletter:demographics", "Who reads, in groups of 5 or more."),
    )

    def ready(self) -> None:
        # Imported here: an app's configuration loads before the models and the other modules.
        from hemonc.newsletter import signals  # noqa: F401

    def profile_panel(self, request: Any) -> str:
        """The newsletter section of a member's profile page: subscribe in one click."""
        # Imported here: an app's configuration loads before the models and the other modules.
        from django.template.loader import render_to_string

        from hemonc.newsletter.selectors import consent_text_current, subscriber_for_member

        return render_to_string(
            "newsletter/_profile_panel.html",
            {
                "subscriber": subscriber_for_member(user_id=request.user.pk),
                "consent": consent_text_current(),
            },
            request=request,
        )

    def erase_member_data(self, user: Any) -> None:
        """A member who deletes their account leaves the list too: the address is personal."""
        # Imported here: an app's configuration loads before the models and the other modules.
        from hemonc.newsletter.models import Subscriber

        Subscriber.objects.filter(user=user).delete()

    def create_demo(self, *, stdout: Any) -> None:
        # Imported here: an app's configuration loads before the models and the other modules.
        from hemonc.newsletter.demo import demo_newsletter_create

        demo_newsletter_create(stdout=stdout)
