from typing import Any

from django.apps import AppConfig


class MentorshipConfig(AppConfig):
    name = "hemonc.mentorship"
    label = "mentorship"
    verbose_name = "Mentorship"
    nav_items = (("Mentorship", "mentorship:home"),)
    console_links = (
        ("Programs", "mentorship:programs", "Applications, matching and proposals."),
        ("Speed mentoring", "mentorship:speed_list", "Rounds, seating and the projector view."),
    )

    def create_demo(self, *, stdout: Any) -> None:
        # Models are not ready when the app config is imported: read them when called.
        from hemonc.mentorship.demo import demo_mentorship_create

        demo_mentorship_create(stdout=stdout)

    def member_data_rows(self, *, model: Any, rows: Any, user: Any) -> Any:
        """A member's data download holds a program's proposals only once it is published."""
        # Models are not ready when the app config is imported: read them when called.
        from hemonc.mentorship.enums import ProgramStatus
        from hemonc.mentorship.models import Proposal

        if model is Proposal:
            return rows.filter(program__status=ProgramStatus.PUBLISHED)
        return rows
