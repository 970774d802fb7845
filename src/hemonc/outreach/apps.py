from typing import Any

from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "hemonc.outreach"
    label = "outreach"
    verbose_name = "Outreach"

    def ready(self) -> None:
        from hemonc.outreach import rules  # noqa: F401

    def create_demo(self, *, stdout: Any) -> None:
        from hemonc.outreach.demo import demo_outreach_create

        demo_outreach_create(stdout=stdout)
