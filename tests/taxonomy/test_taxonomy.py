import pytest

from hemonc.core.errors import DomainError
from hemonc.core.permissions import OPERATOR
from hemonc.taxonomy.enums import TopicKind
from hemonc.taxonomy.hashtags import ConferenceTag, conference_tag
from hemonc.taxonomy.models import CareerPath, Topic
from hemonc.taxonomy.services import topic_create, topic_for_hashtag


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
