from __future__ import annotations

import json

import pytest
from django.urls import reverse

from hemonc.members.enums import Role
from hemonc.outreach.models import FollowerSnapshot
from tests.factories import PASSWORD, make_member
from tests.outreach.conftest import ALL_X


@pytest.fixture
def organizer_client(client, db):  # type: ignore[no-untyped-def]
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    client.login(email=organizer.email, password=PASSWORD)
    return client


def test_dashboard_shows_monthly_figures_with_tables_to_organizers(organizer_client, import_x):
    import_x(*ALL_X)

    response = organizer_client.get(reverse("analytics:dashboard"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Impressions per month" in html and "<svg" in html
    assert '<th scope="row">2022-07</th>' in html
    assert "#HOFellows" in html and "Conference" in html  # #ASH21 is a conference tag


def test_dashboard_is_hidden_from_members(client, member):
    client.login(email=member.email, password=PASSWORD)

    assert client.get(reverse("analytics:dashboard")).status_code == 403
    assert client.get(reverse("analytics:report")).status_code == 403


def test_dashboard_period_picker_with_bad_dates_shows_an_error(organizer_client):
    response = organizer_client.get(
        reverse("analytics:dashboard"), {"start": "2022-07-01", "end": "2022-06-01"}
    )

    assert response.status_code == 200
    assert "must end on or after" in response.content.decode()


def test_report_page_shows_results_and_downloads_pdf(organizer_client, import_x):
    import_x(*ALL_X)

    page = organizer_client.get(reverse("analytics:report"))
    pdf = organizer_client.get(reverse("analytics:report"), {"format": "pdf"})

    assert "The mean engagement per post was 3.4%." in page.content.decode()
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


def test_organizer_enters_a_follower_count(organizer_client, import_x):
    import_x(*ALL_X)
    account = FollowerSnapshot._meta.get_field("account").related_model.objects.get()

    response = organizer_client.post(
        reverse("outreach:followers"),
        {"account": account.pk, "date": "2022-08-01", "followers": "3500"},
        follow=True,
    )

    assert "Saved: 3,500 followers on 2022-08-01." in response.content.decode()
    assert FollowerSnapshot.objects.get().followers == 3500


def test_follower_count_from_the_future_is_refused(organizer_client, import_x):
    import_x(*ALL_X)
    account = FollowerSnapshot._meta.get_field("account").related_model.objects.get()

    response = organizer_client.post(
        reverse("outreach:followers"),
        {"account": account.pk, "date": "2999-01-01", "followers": "-3"},
    )

    html = response.content.decode()
    assert "cannot be from the future" in html
    assert FollowerSnapshot.objects.count() == 0


def test_report_downloads_json_markdown_and_html(organizer_client, import_x):
    import_x(*ALL_X)
    url = reverse("analytics:report")

    data = organizer_client.get(url, {"format": "json"})
    period = json.loads(data.content)["period"]
    markdown = organizer_client.get(url, {"format": "md"})
    html = organizer_client.get(url, {"format": "html"})

    name = f"network-report-{period['from']}-{period['to']}"
    assert data["Content-Type"] == "application/json"
    assert data["Content-Disposition"] == f'attachment; filename="{name}.json"'
    assert markdown["Content-Type"] == "text/markdown; charset=utf-8"
    assert markdown["Content-Disposition"] == f'attachment; filename="{name}.md"'
    assert "The mean engagement per post was 3.4%." in markdown.content.decode()
    assert html["Content-Type"] == "text/html; charset=utf-8"
    assert "<svg" in html.content.decode()


def test_report_page_with_a_start_after_the_data_shows_why(organizer_client, import_x):
    import_x(*ALL_X)

    response = organizer_client.get(reverse("analytics:report"), {"start": "2999-01-01"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "before it starts (2999-01-01)." in page
    assert "The mean engagement per post was 3.4%." in page  # the whole period instead


def test_dashboard_and_report_leads_read_as_sentences(organizer_client, import_x):
    import_x(*ALL_X)

    dashboard = organizer_client.get(reverse("analytics:dashboard")).content.decode()
    report = organizer_client.get(reverse("analytics:report")).content.decode()

    assert "Figures from 2022-06-" in dashboard and ", with exact counts: do not share" in dashboard
    assert "subscribers from 0 countries today; these figures do not depend on" in dashboard
    assert "(today, whatever the period)" not in dashboard
    assert "Figures from 2022-06-" in report and "Download the report:" in report


def test_dashboard_counts_of_posts_have_thousands_separators(organizer_client, monkeypatch):
    from hemonc.outreach import selectors

    real = selectors.hashtag_performance

    def many(**kwargs):  # type: ignore[no-untyped-def]
        import dataclasses

        return [dataclasses.replace(h, posts=2810) for h in real(**kwargs)]

    monkeypatch.setattr(selectors, "hashtag_performance", many)
    # One hashtag is enough to show the column.
    from django.core.management import call_command

    from tests.outreach.conftest import JUNE

    call_command("import-x-analytics", str(JUNE), "--account", "ExampleNet")
    html = organizer_client.get(reverse("analytics:dashboard")).content.decode()
    assert '<td class="number">2,810</td>' in html


def test_report_page_hides_small_counts_of_members_and_mentorships(organizer_client):
    """The shareable HTML (and so the PDF) reads "<5" for few people, as the Markdown does,
    with plurals that fit the count."""
    from hemonc.analytics.render import report_html, report_markdown
    from hemonc.analytics.report import network_report

    data = network_report()
    data["members"].update(members=1, countries=1, joined_in_period=3)
    data["mentorship"] = {"mentorships_started": 1, "mentorships_active": 2,
                          "mentorships_completed": 0, "mentors_accepting": 1}  # fmt: skip

    for text in (report_html(data, exact=False), report_markdown(data, exact=False)):
        text = text.replace("&lt;", "<")
        assert "<5 members in 1 country; <5 joined in the period." in text
        assert "<5 mentorships started in the period; <5 active, 0 completed; " in text
        assert "<5 mentors accepting mentees." in text
    exact = report_html(data, exact=True)
    assert "1 member in 1 country; 3 joined in the period." in exact
    assert "1 mentorship started in the period; 2 active, 0 completed; 1 mentor accepting" in exact
