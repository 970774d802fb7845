from typing import Any

from django.apps import AppConfig


class MentorshipConfig(AppConfig):
    name = "hemonc.mentorship"
    label = "mentorship"
    verbose_name = "Mentorship"
    nav_items = (("Mentorship", "mentorship:home"),)

    def create_demo(self, *, stdout: Any) -> None:
        from hemonc.mentorship.demo import demo_mentorship_create

        demo_mentorship_create(stdout=stdout)
