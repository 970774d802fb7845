"""What the publishing desk's tests share: organizers, accounts on the local stand-ins, and
posts at each step of the workflow."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import pytest

from hemonc.core.permissions import OPERATOR
from hemonc.members.enums import Role
from hemonc.members.models import User
from hemonc.outreach.desk import services
from hemonc.outreach.models import DeskPost, SocialAccount
from tests.factories import make_member
from tests.standins import bluesky, mastodon, x

BLUESKY_HANDLE = "hemonc.bsky.social"
MASTODON_HANDLE = "hemonc@mastodon.example"


def organizer(name: str = "Olu Organizer") -> User:
    return make_member(display_name=name, role=Role.ORGANIZER)


def account(platform: str, handle: str, url: str, secret: str, **extra: Any) -> SocialAccount:
    made, _ = services.account_save(
        platform=platform, handle=handle, service=url, secret=secret, actor=OPERATOR, **extra
    )
    return made


def approved(
    text: str, accounts: Sequence[SocialAccount], *, author: Any = OPERATOR, **fields: Any
) -> DeskPost:
    post = services.post_create(actor=author, text=text, accounts=accounts, **fields)
    post = services.post_submit(post=post, actor=author)
    return services.post_approve(post=post, actor=OPERATOR)


def scheduled(
    text: str, accounts: Sequence[SocialAccount], when: datetime | None = None, **fields: Any
) -> DeskPost:
    post = approved(text, accounts, **fields)
    return services.post_schedule(post=post, actor=OPERATOR, when=when)


@pytest.fixture
def fast_retries(settings: Any) -> None:
    """Nothing waits for the undo window, and retries come a moment later."""
    settings.OUTREACH_UNDO_SECONDS = 0
    settings.OUTREACH_RETRY_SECONDS = 0.01


@pytest.fixture
def bsky(db: None) -> Iterator[tuple[SocialAccount, bluesky.BlueskyState]]:
    with bluesky.serve(handle=BLUESKY_HANDLE, password="app-password") as (url, state):
        yield account("bluesky", BLUESKY_HANDLE, url, "app-password"), state


@pytest.fixture
def masto(db: None) -> Iterator[tuple[SocialAccount, mastodon.MastodonState]]:
    with mastodon.serve(token="token", domain="mastodon.example") as (url, state):
        yield account("mastodon", MASTODON_HANDLE, url, "token"), state


@pytest.fixture
def xapi(db: None, settings: Any) -> Iterator[tuple[SocialAccount, x.XState]]:
    settings.OUTREACH_X_CLIENT_ID = "client-id"
    with x.serve(refresh_token="refresh-token", client_id="client-id") as (url, state):
        yield account("x", "hemonc", url, "refresh-token"), state


LONG = (
    "Anemia in pregnancy is common and often missed. Ferritin is the test to order first.\n\n"
    "Oral iron every other day is absorbed better than daily dosing, and it is easier on the "
    "stomach. Recheck hemoglobin after four weeks.\n\n"
    "Intravenous iron is safe in the second and third trimesters and works faster when time "
    "is short before delivery. #hemetwitter #MedEd"
)
