from typing import Any

from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "hemonc.moderation"
    label = "moderation"
    verbose_name = "Moderation"
    console_links = (
        ("Reports", "moderation:queue", "Open cases, patient data first, and appeals."),
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
        from hemonc.moderation.demo import demo_cases_create, demo_moderation_create

        demo_moderation_create(stdout=stdout)
        demo_cases_create(stdout=stdout)
