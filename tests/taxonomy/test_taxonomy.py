import pytest

from hemonc.core.errors import DomainError, PermissionDenied
from hemonc.core.models import AuditEntry
from hemonc.core.permissions import OPERATOR
from hemonc.members.enums import Role
from hemonc.taxonomy.enums import TopicKind
from hemonc.taxonomy.hashtags import ConferenceTag, conference_tag
from hemonc.taxonomy.models import CareerPath, Topic
from hemonc.taxonomy.services import topic_create, topic_delete, topic_for_hashtag, topic_update
from tests.factories import make_member


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("#ASH21", ConferenceTag("ASH", 2021)),
        ("asco2022", ConferenceTag("ASCO", 2022)),
        ("#EHA24", ConferenceTag("EHA", 2024)),
        ("#ESMO2023", ConferenceTag("ESMO", 2023)),
        ("#BMTTandem25", ConferenceTag("BMTTandem", 2025)),
    ],
)
def test_conference_tag_recognizes_society_and_year(tag, expected):
    assert conference_tag(tag) == expected


@pytest.mark.parametrize("tag", ["#ASH", "#ASH123", "#bcsm", "#ASHTrainee", "#ASH2021x"])
def test_conference_tag_rejects_other_tags(tag):
    assert conference_tag(tag) is None


@pytest.mark.django_db
def test_seed_holds_the_reference_hashtags_and_career_paths():
    assert Topic.objects.get(hashtag="bcsm").name == "Breast cancer"
    assert Topic.objects.get(hashtag="mmsm").kind == TopicKind.TUMOR
    assert Topic.objects.get(hashtag="hemetwitter").kind == TopicKind.COMMUNITY
    assert Topic.objects.filter(kind=TopicKind.TUMOR).count() == 32
    assert CareerPath.objects.count() == 11
    assert CareerPath.objects.first().name == "Classical hematology"


@pytest.mark.django_db
def test_topic_for_hashtag_finds_existing_topics_case_insensitively():
    assert topic_for_hashtag(tag="#BCSM", actor=OPERATOR) == Topic.objects.get(hashtag="bcsm")


@pytest.mark.django_db
def test_topic_for_hashtag_creates_a_conference_topic_once():
    first = topic_for_hashtag(tag="#EHA2026", actor=OPERATOR)
    again = topic_for_hashtag(tag="#eha26", actor=OPERATOR)
    assert first == again
    assert first.kind == TopicKind.CONFERENCE
    assert first.hashtag == "EHA26"
    assert first.name == "EHA 2026"


@pytest.mark.django_db
def test_topic_for_hashtag_ignores_unknown_tags():
    count = Topic.objects.count()
    assert topic_for_hashtag(tag="#sometag", actor=OPERATOR) is None
    assert Topic.objects.count() == count


@pytest.mark.django_db
def test_topic_create_refuses_a_duplicate_hashtag():
    topic_create(name="Cardio-onc fellows", hashtag="#CardioOncFellows", actor=OPERATOR)
    with pytest.raises(DomainError, match="already exists"):
        topic_create(name="Duplicate", hashtag="cardiooncfellows", actor=OPERATOR)


@pytest.mark.django_db
def test_topic_create_refuses_a_member():
    with pytest.raises(PermissionDenied):
        topic_create(name="Cardio-onc fellows", hashtag="CardioOncFellows", actor=make_member())
    assert not Topic.objects.filter(hashtag="CardioOncFellows").exists()


@pytest.mark.django_db
def test_topic_for_hashtag_refuses_a_member():
    with pytest.raises(PermissionDenied):
        topic_for_hashtag(tag="#EHA2026", actor=make_member())
    assert not Topic.objects.filter(hashtag="EHA26").exists()


@pytest.mark.django_db
def test_topic_update_renames_keeps_the_slug_and_audits_field_names():
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    topic = Topic.objects.get(hashtag="bcsm")
    slug = topic.slug
    topic_update(topic=topic, actor=organizer, name="Breast oncology", hashtag="#BCSM")
    topic.refresh_from_db()
    assert (topic.name, topic.hashtag, topic.slug) == ("Breast oncology", "BCSM", slug)
    entry = AuditEntry.objects.filter(action="topic.update").latest("id")
    assert (entry.actor, entry.changes) == (organizer, {"fields": ["hashtag", "name"]})


@pytest.mark.django_db
def test_topic_update_refuses_a_member_and_a_taken_hashtag():
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    topic = Topic.objects.get(hashtag="bcsm")
    with pytest.raises(PermissionDenied):
        topic_update(topic=topic, actor=make_member(), name="Spam")
    with pytest.raises(DomainError, match="already exists"):
        topic_update(topic=topic, actor=organizer, hashtag="mmsm")
    topic.refresh_from_db()
    assert (topic.name, topic.hashtag) == ("Breast cancer", "bcsm")


@pytest.mark.django_db
def test_topic_delete_removes_the_interest_and_is_audited():
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    topic = Topic.objects.get(hashtag="bcsm")
    member = make_member(interests=[topic])
    with pytest.raises(PermissionDenied):
        topic_delete(topic=topic, actor=member)
    topic_delete(topic=topic, actor=organizer)
    assert not member.profile.interests.exists()
    entry = AuditEntry.objects.get(action="topic.delete")
    assert (entry.actor, entry.changes) == (organizer, {"hashtag": "bcsm"})


@pytest.mark.django_db
def test_topic_create_without_hashtag_gets_a_free_slug_from_its_name():
    first = topic_create(name="Rare anemias", actor=OPERATOR)
    second = topic_create(name="Rare  anemias!", actor=OPERATOR)
    third = topic_create(name="???", actor=OPERATOR)

    assert (first.slug, second.slug) == ("rare-anemias", "rare-anemias-2")
    assert (first.hashtag, second.hashtag) == ("", "")
    assert third.slug == "topic"


@pytest.mark.django_db
def test_topic_update_of_the_description_only_keeps_the_name():
    topic = Topic.objects.get(hashtag="bcsm")
    name = topic.name
    topic_update(topic=topic, actor=OPERATOR, description="Breast cancer social media")
    topic.refresh_from_db()
    assert (topic.name, topic.description) == (name, "Breast cancer social media")
    entry = AuditEntry.objects.filter(action="topic.update").latest("id")
    assert entry.changes == {"fields": ["description"]}


@pytest.mark.django_db
def test_topic_for_hashtag_of_an_empty_tag_is_none():
    count = Topic.objects.count()
    assert topic_for_hashtag(tag="#", actor=OPERATOR) is None
    assert topic_for_hashtag(tag="", actor=OPERATOR) is None
    assert Topic.objects.count() == count
