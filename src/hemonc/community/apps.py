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
        from hemonc.community import rules  # noqa: F401
