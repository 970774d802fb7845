from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from hemonc.core.permissions import OPERATOR
from hemonc.newsletter.enums import SubscriberStatus
from hemonc.newsletter.importers import ImportFailure
from hemonc.newsletter.imports import import_files
from hemonc.newsletter.models import Subscriber
from tests.bombs import zip_bomb
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


# ---------------------------------------------------------------------------------------------
# Hostile files: each is refused with its file, line and field named, and nothing is written.

REPOSITORY = Path(__file__).resolve().parents[2]
LONG_EMAIL = "a" * 64 + "@" + ".".join(["b" * 62] * 4) + ".org"  # 318 characters, valid form
MAILCHIMP_HEADER = (
    "Email Address,First Name,Last Name,Institution,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP\n"
)
MAILCHIMP_GOOD = "ok@example.org,Ana,Lopez,Lakeside,2021-03-01 14:05:40,203.0.113.8,,\n"


def _mailchimp(row: str) -> bytes:
    return (MAILCHIMP_HEADER + MAILCHIMP_GOOD + row).encode()


SUBSTACK_HEADER = "email,active_subscription,expiry,plan,email_disabled,created_at\n"
SUBSTACK_GOOD = "ok@example.org,true,,free,false,2021-03-01T10:00:00.000Z\n"
LISTMONK_HEADER = "email,name,attributes\n"
LISTMONK_GOOD = 'ok@example.org,Ana,"{""stage"": ""fellow""}"\n'
CSV_HEADER = "email,name,institution\n"
CSV_GOOD = "ok@example.org,Ana,Lakeside\n"

HOSTILE_SUBSCRIBER_FILES = [
    # (source, file content, the field or problem named)
    ("mailchimp", _mailchimp(f"{LONG_EMAIL},B,C,,,,,\n"), "Email Address"),
    ("mailchimp", _mailchimp("b@example.org,Be\x00a,C,,,,,\n"), "First Name"),
    ("mailchimp", _mailchimp("b@example.org,B,C\x1b[31m,,,,,\n"), "Last Name"),
    ("mailchimp", _mailchimp(f"b@example.org,{'B' * 500},C,,,,,\n"), "First Name"),
    ("mailchimp", _mailchimp(f"b@example.org,B,C,{'I' * 500},,,,\n"), "Institution"),
    ("mailchimp", _mailchimp("b@example.org,B,C,,2021-03-01 10:00:00,not-an-ip,,\n"), "OPTIN_IP"),
    ("mailchimp", _mailchimp("b@example.org,B,C,,0001-01-01 00:00:00+05:00,,,\n"), "OPTIN_TIME"),
    ("mailchimp", _mailchimp("b@example.org,B,C,,,,9999-12-31 23:59:59-05:00,\n"), "CONFIRM_TIME"),
    ("mailchimp", (MAILCHIMP_HEADER + MAILCHIMP_GOOD).encode() + b"b@example.org,Zo\xeb,C,,,,,\n",
     "First Name"),
    ("substack", (SUBSTACK_HEADER + SUBSTACK_GOOD + f"{LONG_EMAIL},true,,free,false,\n").encode(),
     "email"),
    ("substack", (SUBSTACK_HEADER + SUBSTACK_GOOD + "b@exa\x00mple.org,true,,free,false,\n")
     .encode(), "email"),
    ("substack", (SUBSTACK_HEADER + SUBSTACK_GOOD
                  + "b@example.org,true,,free,false,0001-01-01T00:00:00+01:00\n").encode(),
     "created_at"),
    ("listmonk", (LISTMONK_HEADER + LISTMONK_GOOD + "b@example.org,B," + "[" * 100_000 + "\n")
     .encode(), "attributes"),
    ("listmonk", (LISTMONK_HEADER + LISTMONK_GOOD
                  + f'b@example.org,B,"{{""n"": {"1" * 5000}}}"\n').encode(), "attributes"),
    ("listmonk", (LISTMONK_HEADER + LISTMONK_GOOD
                  + f'b@example.org,B,"{{""institution"": ""{"I" * 500}""}}"\n').encode(),
     "institution"),
    ("listmonk", (LISTMONK_HEADER + LISTMONK_GOOD + "b@example.org,B\x00,\n").encode(), "name"),
    ("csv", (CSV_HEADER + CSV_GOOD + f"{LONG_EMAIL},B,\n").encode(), "email"),
    ("csv", (CSV_HEADER + CSV_GOOD + f"b@example.org,{'B' * 121},\n").encode(), "name"),
    ("csv", (CSV_HEADER + CSV_GOOD + "b@example.org,B,Lake\x00side\n").encode(), "institution"),
    ("csv", (CSV_HEADER + CSV_GOOD).encode() + b"b@example.org,B,Lake\xffside\n", "institution"),
    ("csv", (CSV_HEADER + CSV_GOOD + 'b@example.org,"B"x,\n').encode(), "',' expected after"),
    ("mailchimp", _mailchimp(f"b@example.org,{'B' * 70},{'C' * 70},,,,,\n"), "the name is 141"),
    ("csv", (CSV_HEADER + CSV_GOOD + "b@example.org,B,Lakeside,extra\n").encode(),
     "4 values for 3 columns"),
    ("substack", (SUBSTACK_HEADER + SUBSTACK_GOOD + "b@example.org,true,,free,maybe,\n").encode(),
     "email_disabled"),
    ("listmonk", (LISTMONK_HEADER + LISTMONK_GOOD + "b@example.org,B,{stage: fellow}\n").encode(),
     "invalid JSON"),
    ("listmonk", (LISTMONK_HEADER + LISTMONK_GOOD + 'b@example.org,B,"[1, 2]"\n').encode(),
     "not a JSON object"),
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("source", "content", "field"),
    HOSTILE_SUBSCRIBER_FILES,
    ids=[f"{source}-{index}" for index, (source, *_) in enumerate(HOSTILE_SUBSCRIBER_FILES)],
)
def test_hostile_subscriber_file_names_file_line_and_field_and_writes_nothing(
    tmp_path, source: str, content: bytes, field: str
):
    path = tmp_path / "subscribed_members_export_1.csv"
    path.write_bytes(content)

    with pytest.raises(CommandError) as error:
        _import(str(path), source=source)

    message = str(error.value)
    assert "subscribed_members_export_1.csv, line 3" in message
    assert field in message
    assert Subscriber.objects.count() == 0


@pytest.mark.django_db
def test_zip_bomb_is_refused_within_bounded_memory_naming_zip_and_member(tmp_path):
    bomb = zip_bomb(
        tmp_path / "members_export.zip",
        "subscribed_members_export_1.csv",
        head=(MAILCHIMP_HEADER + MAILCHIMP_GOOD).encode(),
    )
    assert bomb.stat().st_size < 1024 * 1024

    tracemalloc.start()
    try:
        with pytest.raises(CommandError) as error:
            _import(str(bomb), source="mailchimp")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    message = str(error.value)
    assert "members_export.zip:subscribed_members_export_1.csv" in message
    assert "compressed size" in message
    assert peak < 64 * 1024 * 1024
    assert Subscriber.objects.count() == 0


@pytest.mark.django_db
def test_zip_member_past_the_size_limit_is_refused_before_it_is_read(tmp_path, settings):
    settings.IMPORT_ARCHIVE_MAX_BYTES = 1024 * 1024
    path = tmp_path / "members_export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        rows = "".join(f"person{n}@example.org,Name {n},,,,,,\n" for n in range(40_000))
        archive.writestr("subscribed_members_export_1.csv", MAILCHIMP_HEADER + rows)

    with pytest.raises(CommandError) as error:
        _import(str(path), source="mailchimp")

    assert "members_export.zip:subscribed_members_export_1.csv" in str(error.value)
    assert "more than the 1 MB an import reads" in str(error.value)
    assert Subscriber.objects.count() == 0


@pytest.mark.django_db
def test_damaged_zip_member_is_refused_naming_it(tmp_path):
    path = tmp_path / "members_export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("subscribed_members_export_1.csv", MAILCHIMP_HEADER + MAILCHIMP_GOOD * 50)
    data = bytearray(path.read_bytes())
    data[60:80] = bytes(20)  # inside the member's compressed data
    path.write_bytes(bytes(data))

    with pytest.raises(CommandError) as error:
        _import(str(path), source="mailchimp")

    assert "members_export.zip:subscribed_members_export_1.csv" in str(error.value)
    assert Subscriber.objects.count() == 0


def test_cli_exits_non_zero_without_a_traceback_on_a_bomb_and_a_hostile_file(tmp_path):
    bomb = zip_bomb(tmp_path / "members_export.zip", "subscribed_members_export_1.csv")
    hostile = tmp_path / "plain.csv"
    hostile.write_bytes((CSV_HEADER + CSV_GOOD + f"{LONG_EMAIL},B,\n").encode())

    for path, expected in (
        (bomb, "members_export.zip:subscribed_members_export_1.csv"),
        (hostile, "plain.csv, line 3, field 'email'"),
    ):
        result = subprocess.run(
            [sys.executable, "-m", "hemonc", "import-subscribers", str(path), "--source=csv"],
            cwd=REPOSITORY,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
            capture_output=True,
            text=True,
            check=False,
        )

        assert result.returncode == 1
        assert expected in result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("source", "content", "problem"),
    [
        ("csv", b"", "line 1: the file is empty"),
        ("csv", b'email,"name"x\nok@example.org,Ana\n', "line 1"),
        ("mailchimp", b"Mail,First Name\nok@example.org,Ana\n", "field 'Email Address': missing"),
        ("substack", b"mail,created_at\nok@example.org,\n", "field 'email': missing column"),
        ("listmonk", b"mail,name\nok@example.org,Ana\n", "field 'email': missing column"),
    ],
)
def test_subscriber_file_without_a_readable_header_is_refused(tmp_path, source, content, problem):
    path = tmp_path / "list.csv"
    path.write_bytes(content)

    with pytest.raises(CommandError) as error:
        _import(str(path), source=source)

    assert str(error.value).startswith("Nothing was imported. list.csv, ")
    assert problem in str(error.value)
    assert Subscriber.objects.count() == 0


@pytest.mark.django_db
def test_mailchimp_files_named_cleaned_or_unsubscribed_give_the_status_without_its_column(
    tmp_path,
):
    for name, email in (
        ("cleaned_1.csv", "gone@example.org"),
        ("unsubscribed_1.csv", "left@example.org"),
    ):
        (tmp_path / name).write_text(f"Email Address,First Name\n{email},Ana\n", encoding="utf-8")

    _import(
        str(tmp_path / "cleaned_1.csv"), str(tmp_path / "unsubscribed_1.csv"), source="mailchimp"
    )

    assert dict(Subscriber.objects.values_list("email", "status")) == {
        "gone@example.org": "bounced",
        "left@example.org": "unsubscribed",
    }


@pytest.mark.django_db
def test_missing_file_and_bad_field_option_are_refused(tmp_path):
    with pytest.raises(CommandError, match=r"nowhere.csv: No such file"):
        _import(str(tmp_path / "nowhere.csv"), source="csv")
    with pytest.raises(CommandError, match=r"--field 'planet=Mars': write NAME=COLUMN"):
        _import(str(FIXTURES / "plain_subscribers.csv"), source="csv", field=["planet=Mars"])

    assert Subscriber.objects.count() == 0


@pytest.mark.django_db
def test_csv_blank_lines_are_skipped_and_an_unknown_gender_is_listed_not_guessed(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(
        "email,gender\nana@example.org,female\n\n,\nbo@example.org,Martian\n", encoding="utf-8"
    )

    output = _import(str(path), source="csv")

    assert dict(Subscriber.objects.values_list("email", "gender")) == {
        "ana@example.org": "female",
        "bo@example.org": "",
    }
    assert "line 5, gender: 'Martian'" in output


@pytest.mark.django_db
def test_import_from_an_unknown_source_is_refused_naming_the_file():
    with pytest.raises(ImportFailure, match=r"plain_subscribers.csv.*unknown source mailerlite"):
        import_files(
            [str(FIXTURES / "plain_subscribers.csv")],
            source="mailerlite",
            fields={},
            actor=OPERATOR,
        )

    assert Subscriber.objects.count() == 0
