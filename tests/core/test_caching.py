import pytest
from django.db import transaction

from hemonc.core.caching import cache_key, render_fragments
from hemonc.core.versions import data_version, data_version_bump

pytestmark = pytest.mark.django_db

CARD = "members/_member_card.html"


class _Contexts:
    """The contexts render_fragments asks for, and how often it asked."""

    def __init__(self, names):  # type: ignore[no-untyped-def]
        self.names = names
        self.asked: list[list[int]] = []

    def __call__(self, indexes):  # type: ignore[no-untyped-def]
        from types import SimpleNamespace

        self.asked.append(indexes)
        return [
            None
            if self.names[i] is None
            else {"view": SimpleNamespace(profile=_Profile(self.names[i]))}
            for i in indexes
        ]


class _Profile:
    avatar = None
    pronouns = ""
    open_to_mentoring = looking_for_mentor = False

    def __init__(self, name: str) -> None:
        self.display_name = name
        self.initials = name[:1]

    def get_absolute_url(self) -> str:
        return f"/members/{self.display_name}/"


def test_fragments_render_once_then_come_from_the_cache():
    contexts = _Contexts(["Ana", "Ben"])
    first = render_fragments(CARD, [("v1", 1), ("v1", 2)], contexts)
    again = render_fragments(CARD, [("v1", 2), ("v1", 1)], contexts)
    assert "Ana" in first[0] and "Ben" in first[1]
    assert again == [first[1], first[0]]
    assert contexts.asked == [[0, 1]]


def test_a_new_version_renders_the_fragment_anew():
    render_fragments(CARD, [("v1", 1)], _Contexts(["Ana"]))
    renamed = _Contexts(["Ana Maria"])
    [html] = render_fragments(CARD, [("v2", 1)], renamed)
    assert "Ana Maria" in html
    assert renamed.asked == [[0]]


def test_a_fragment_without_context_is_empty_and_not_cached():
    gone = _Contexts([None])
    assert render_fragments(CARD, [("v1", 9)], gone) == [""]
    assert render_fragments(CARD, [("v1", 9)], gone) == [""]
    assert gone.asked == [[0], [0]]


def test_cache_keys_are_short_and_stable():
    key = cache_key("members:directory", "token", ("a", 1), [True])
    assert key == cache_key("members:directory", "token", ("a", 1), [True])
    assert key != cache_key("members:directory", "token", ("a", 2), [True])
    assert key.startswith("members:directory:") and len(key) < 60


def test_data_version_changes_with_each_bump_and_only_when_it_commits():
    assert data_version("things") == ""
    data_version_bump(name="things")
    first = data_version("things")
    data_version_bump(name="things")
    second = data_version("things")
    with transaction.atomic():
        data_version_bump(name="things")
        transaction.set_rollback(True)  # the change fails
    assert first and second and first != second
    assert data_version("things") == second
