"""`hemonc demo`: fill the database with a synthetic demo network; a second run changes nothing."""

from __future__ import annotations

import time
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hemonc.members.demo import (
    DEMO_DOMAIN,
    DemoSummary,
    demo_network_create,
    demo_network_exists,
    demo_network_summary,
)


class Command(BaseCommand):
    help = (
        f"Create a synthetic demo network: about 300 invented members (@{DEMO_DOMAIN}) and "
        "organizer, moderator and member sign-ins. Does nothing when the demo already exists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--public-demo",
            action="store_true",
            help="Create the demo even with DEBUG off, e.g. on a public demo server. "
            "Its organizer password is published: never use this on a real network.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_network_exists():
            summary = demo_network_summary()
            self.stdout.write(
                f"The demo members are already here ({summary.members} members @{DEMO_DOMAIN})."
            )
            self._extend_demo()
            self._write_sign_ins(summary)
            return
        # The demo accounts' passwords are public: keep them off a real network by accident.
        if not settings.DEBUG and not options["public_demo"]:
            raise CommandError(
                "DEBUG is off, so this looks like a real network, and the demo accounts have "
                "published passwords. Run with --public-demo to create them anyway."
            )
        started = time.monotonic()
        summary = demo_network_create()
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the demo network in {seconds:.1f} s: {summary.members} synthetic "
                f"members in {summary.countries} countries."
            )
        )
        stages = ", ".join(f"{label} {count}" for label, count in summary.stages)
        self.stdout.write(f"  Stages: {stages}")
        self.stdout.write(
            f"  Specialties: {summary.specialties} · open to mentoring: "
            f"{summary.open_to_mentoring} · looking for a mentor: {summary.looking_for_mentor}"
        )
        self.stdout.write(
            f"  Organizers: {summary.organizers} · moderators: {summary.moderators} · "
            f"blocks between members: {summary.blocks}"
        )
        self._extend_demo()
        self._write_sign_ins(summary)

    def _extend_demo(self) -> None:
        """Let each app add its part (sessions, newsletter, ...) to the demo members.

        An app opts in with a `create_demo(*, stdout)` method on its AppConfig, which must do
        nothing when its part already exists. Going through the app registry keeps the
        members app from importing the apps above it.
        """
        for config in apps.get_app_configs():
            create_demo = getattr(config, "create_demo", None)
            if create_demo is not None:
                create_demo(stdout=self.stdout)

    def _write_sign_ins(self, summary: DemoSummary) -> None:
        self.stdout.write("Sign in with:")
        width = max(len(sign_in.email) for sign_in in summary.sign_ins)
        for sign_in in summary.sign_ins:
            self.stdout.write(
                f"  {sign_in.email.ljust(width)}  {sign_in.password.ljust(14)}  {sign_in.role}"
            )
