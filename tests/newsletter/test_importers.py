from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from hemonc.newsletter.enums import SubscriberStatus
from hemonc.newsletter.models import Subscriber
from tests.newsletter.conftest import FIXTURES

MAILCHIMP_FILES = [
    str(FIXTURES / "subscribed_members_export_3f9a1c2b7e.csv"),
    str(FIXTURES / "unsubscribed_members_export_3f9a1c2b7e.csv"),
    str(FIXTURES / "cleaned_members_export_3f9a1c2b7e.csv"),
]


def _import(*paths: str, source: str, **kwargs) -> str:  # type: ignore[no-untyped-def]
    from io import StringIO

    out = StringIO()
    call_command("import-subscribers", *paths, f"--source={source}", stdout=out, **kwargs)
    return out.getvalue()


@pytest.mark.django_db
def test_mailchimp_files_keep_their_statuses_and_consent():
    output = _import(*MAILCHIMP_FILES, source="mailchimp")

    assert "created: 8, updated: 0, unchanged: 0" in output
    ana = Subscriber.objects.get(email="ana.lopez@example.org")
    assert ana.status == SubscriberStatus.SUBSCRIBED
    assert (ana.stage, ana.specialty, ana.country, ana.gender) == (
        "fellow",
        "hematology_oncology",
        "US",
        "female",
    )
    assert ana.institution == "Lakeside University & Cancer Center"
    assert ana.consented_at.isoformat() == "2021-03-01T14:05:40+00:00"
    assert ana.consent_ip == "203.0.113.8"
    assert ana.consent_source == "mailchimp"
    assert Subscriber.objects.get(email="gina@example.org").status == "unsubscribed"
    assert Subscriber.objects.get(email="hugo@example.org").status == "bounced"


@pytest.mark.django_db
def test_mailchimp_zip_imports_like_its_three_files():
    _import(str(FIXTURES / "members_export_3f9a1c2b7e.zip"), source="mailchimp")

    statuses = dict(Subscriber.objects.values_list("email", "status"))
    assert len(statuses) == 8
    assert statuses["gina@example.org"] == "unsubscribed"
    assert statuses["hugo@example.org"] == "bounced"


@pytest.mark.django_db
def test_mailchimp_empty_country_falls_back_to_cc_and_unmapped_values_are_listed():
    output = _import(*MAILCHIMP_FILES, source="mailchimp")

    assert Subscriber.objects.get(email="chen@example.org").country == "CA"
    assert Subscriber.objects.get(email="dana@example.org").country == "US"
    assert "line 7, stage: 'Hospital administrator'" in output
    assert "line 7, country: 'Atlantis'" in output
    # The note with a newline inside quotes made line 2's record two lines long.
    assert Subscriber.objects.get(email="eve@example.org").stage == ""


@pytest.mark.django_db
def test_importing_the_same_files_twice_changes_nothing():
    _import(*MAILCHIMP_FILES, source="mailchimp")

    output = _import(*MAILCHIMP_FILES, source="mailchimp")

    assert "created: 0, updated: 0, unchanged: 8" in output


@pytest.mark.django_db
def test_reimport_of_an_old_export_does_not_resubscribe_anyone_who_left():
    _import(*MAILCHIMP_FILES, source="mailchimp")
    ana = Subscriber.objects.get(email="ana.lopez@example.org")
    ana.status = SubscriberStatus.UNSUBSCRIBED
    ana.save()
    Subscriber.objects.filter(email="ben@example.org").update(status="bounced")

    _import(str(FIXTURES / "members_export_3f9a1c2b7e.zip"), source="mailchimp")

    assert Subscriber.objects.get(email="ana.lopez@example.org").status == "unsubscribed"
    assert Subscriber.objects.get(email="ben@example.org").status == "bounced"


@pytest.mark.django_db
def test_a_broken_file_fails_the_whole_import_and_writes_nothing():
    with pytest.raises(CommandError) as failure:
        _import(MAILCHIMP_FILES[0], str(FIXTURES / "broken_members_export.csv"), source="mailchimp")

    assert "broken_members_export.csv, line 4, field 'OPTIN_TIME'" in str(failure.value)
    assert Subscriber.objects.count() == 0


@pytest.mark.django_db
def test_csv_without_email_column_is_refused():
    with pytest.raises(CommandError, match=r"no_email_column\.csv, line 1, field 'email'"):
        _import(str(FIXTURES / "no_email_column.csv"), source="csv")


@pytest.mark.django_db
def test_substack_rows_subscribe_except_disabled_emails():
    _import(
        str(FIXTURES / "substack_subscribers.csv"),
        str(FIXTURES / "substack_subscribers_old.csv"),
        source="substack",
    )

    ines = Subscriber.objects.get(email="ines@example.org")
    assert ines.status == "subscribed"
    assert ines.consented_at.isoformat() == "2018-08-27T15:06:27.713000+00:00"
    assert ines.country == "PT"
    assert Subscriber.objects.get(email="joao@example.org").status == "unsubscribed"
    assert Subscriber.objects.get(email="kim@example.org").country == "KR"
    assert Subscriber.objects.get(email="lena@example.org").status == "subscribed"


@pytest.mark.django_db
def test_listmonk_fields_come_from_attributes():
    _import(
        str(FIXTURES / "listmonk_subscribers.csv"),
        source="listmonk",
        field=["stage=trainingStage"],
    )

    mia = Subscriber.objects.get(email="mia@example.org")
    assert (mia.name, mia.stage, mia.specialty, mia.country, mia.gender) == (
        "Mia Novak",
        "resident",
        "internal_medicine",
        "SI",
        "female",
    )
    assert mia.consent_source == "import"
    assert Subscriber.objects.get(email="noah@example.org").stage == "fellow"


@pytest.mark.django_db
def test_csv_columns_named_by_field_options():
    _import(str(FIXTURES / "plain_subscribers.csv"), source="csv", field=["country=Where"])

    olga = Subscriber.objects.get(email="olga@example.org")
    assert (olga.stage, olga.country) == ("phd_trainee", "RU")
    paul = Subscriber.objects.get(email="paul@example.org")
    assert (paul.stage, paul.specialty, paul.country) == ("fellow", "hematology_oncology", "GH")


@pytest.mark.django_db
def test_unknown_field_column_is_an_error():
    with pytest.raises(CommandError, match="no such column"):
        _import(str(FIXTURES / "plain_subscribers.csv"), source="csv", field=["country=Nowhere"])
