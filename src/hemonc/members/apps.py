from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "hemonc.members"
    label = "members"
    verbose_name = "Members"
    nav_items = (("Directory", "members:directory"),)

    def ready(self) -> None:
        from hemonc.members import signals  # noqa: F401
