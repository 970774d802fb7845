from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "hemonc.members"
    label = "members"
    verbose_name = "Members"
    nav_items = (("Directory", "members:directory"),)
    console_links = (
        ("Roles", "members:roles", "Who organizes and moderates; give or take a role."),
        ("Directory", "members:directory", "Every listed member, as members see them."),
    )

    def ready(self) -> None:
        # Imported once the models are ready, to connect the receivers (Django's way).
        from hemonc.members import signals  # noqa: F401
