"""With debug off, as in production: the pages shown when a request fails, and the favicon."""

from __future__ import annotations

import io

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from PIL import Image

from tests.factories import make_member

SITE_FRAME = 'class="site-header"'
HOME_LINK = 'href="/"'


@pytest.fixture
def production(settings):  # type: ignore[no-untyped-def]
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.core.error_urls"
    return settings


@pytest.fixture
def web() -> Client:
    """A client that gets the 500 page, as a browser does, instead of the exception."""
    return Client(raise_request_exception=False)


def _page(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


@pytest.mark.django_db
def test_missing_page_answers_404_with_the_site_page_and_a_way_home(production, web) -> None:
    response = web.get("/no-such-page/")

    assert response.status_code == 404
    page = _page(response)
    assert "We could not find this page." in page
    assert SITE_FRAME in page
    assert 'aria-label="Main"' in page  # the navigation, to go on from here
    assert f'href="{reverse("home")}"' in page
    assert "Not Found" not in page


@pytest.mark.django_db
def test_missing_page_offers_visitors_to_sign_in_and_come_back(production, web) -> None:
    page = _page(web.get("/no-such-page/"))

    assert f'href="{reverse("account_login")}?next=/no-such-page/"' in page


@pytest.mark.django_db
def test_forbidden_page_answers_403_and_offers_to_sign_in_as_someone_else(production, web) -> None:
    member = make_member(display_name="Ana Lopez")
    web.force_login(member)

    response = web.get("/failing/403/")

    assert response.status_code == 403
    page = _page(response)
    assert "This page is not open to you." in page
    assert f"You are signed in as {member.email}" in page
    assert "Sign in as someone else" in page
    assert f'action="{reverse("account_logout")}"' in page
    assert "403 Forbidden" not in page


@pytest.mark.django_db
def test_sign_in_as_someone_else_signs_out_and_opens_the_sign_in_page(production) -> None:
    web = Client()
    web.force_login(make_member(display_name="Ana Lopez"))

    response = web.post(
        reverse("account_logout"), {"next": f"{reverse('account_login')}?next=/failing/403/"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/failing/403/"
    assert not web.get(reverse("home")).wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_forbidden_page_asks_visitors_to_sign_in(production, web) -> None:
    response = web.get("/failing/403/")

    assert response.status_code == 403
    page = _page(response)
    assert "This page is for members." in page
    assert f'href="{reverse("account_login")}?next=/failing/403/"' in page


@pytest.mark.django_db
def test_server_error_answers_500_with_the_site_page(production, web) -> None:
    response = web.get("/failing/500/")

    assert response.status_code == 500
    page = _page(response)
    assert "Something went wrong on our side." in page
    assert SITE_FRAME in page
    assert HOME_LINK in page
    assert "A bug in a view." not in page


@pytest.mark.django_db
def test_bad_request_answers_400_with_the_site_page(production, web) -> None:
    response = web.get("/failing/400/")

    assert response.status_code == 400
    page = _page(response)
    assert "This request could not be understood." in page
    assert HOME_LINK in page
    assert "A request no page can answer." not in page


@pytest.mark.django_db
def test_form_with_a_stale_token_answers_403_and_offers_to_reload_the_form(production) -> None:
    web = Client(enforce_csrf_checks=True)
    form = f"http://testserver{reverse('account_login')}"

    response = web.post(reverse("account_login"), {"login": "a@example.org"}, HTTP_REFERER=form)

    assert response.status_code == 403
    page = _page(response)
    assert "This form could not be sent." in page
    assert "Reload the form and try again." in page
    assert f'href="{form}"' in page
    assert SITE_FRAME in page


@pytest.mark.django_db
def test_stale_token_page_never_links_to_another_site(production) -> None:
    web = Client(enforce_csrf_checks=True)

    response = web.post(
        reverse("account_login"), {"login": "a@example.org"}, HTTP_REFERER="https://evil.example/"
    )

    assert response.status_code == 403
    page = _page(response)
    assert "evil.example" not in page
    assert "Reload the form" not in page.replace("Reload the form and try again.", "")


@pytest.mark.parametrize("template", ["500.html", "400.html"])
def test_error_pages_rendered_without_a_request_need_no_database(template: str) -> None:
    """Django renders these with no request and no context processors; they must not query
    (this test may not touch the database) and still show the site and a way home."""
    page = render_to_string(template)

    assert SITE_FRAME in page
    assert HOME_LINK in page
    assert "/static/css/site.css" in page


@pytest.mark.django_db
def test_favicon_is_a_real_icon(client) -> None:
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    icon = Image.open(io.BytesIO(response.content))
    assert icon.format == "ICO"
    assert {(16, 16), (32, 32)} <= set(icon.info["sizes"])


@pytest.mark.django_db
def test_pages_link_the_icons_that_exist(client) -> None:
    page = _page(client.get(reverse("home")))

    assert '<link rel="icon" href="/favicon.ico"' in page
    assert 'rel="apple-touch-icon" href="/static/img/apple-touch-icon.png"' in page
    with Image.open(finders.find("img/apple-touch-icon.png")) as touch_icon:
        assert touch_icon.size == (180, 180)


@pytest.mark.django_db
def test_header_has_a_menu_button_that_controls_the_navigation(client) -> None:
    page = _page(client.get(reverse("home")))

    assert (
        '<button type="button" class="menu-button" aria-expanded="false" aria-controls="site-nav">'
        in " ".join(page.split())
    )
    assert '<nav id="site-nav" class="site-nav" aria-label="Main">' in page
    assert 'class="skip-link" href="#main">Skip to content</a>' in page
