"""The health check (database and broker) and the per-user language switch."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils.translation import gettext

from ocmw.celery import app as celery_app
from ocmw.models import User

# These tests are about the messages people read, so the real catalogues are loaded.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("real_translations")]

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


def test_healthz_reports_database_and_broker_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.fixture
def broker_down(settings):
    """Point Celery at a port where nothing listens, and put it back afterwards."""
    saved = {
        "broker_url": celery_app.conf.broker_url,
        "broker_transport_options": celery_app.conf.broker_transport_options,
    }
    settings.CELERY_BROKER_URL = CLOSED_PORT_BROKER
    celery_app.conf.broker_url = CLOSED_PORT_BROKER
    celery_app.conf.broker_transport_options = {}
    yield
    celery_app.conf.update(saved)


def test_healthz_is_503_and_names_the_broker_while_the_broker_is_down(client, broker_down):
    # One request only: kombu waits ~2 s before its single retry.
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error")


def test_the_broker_is_back_after_the_broker_down_test(client):
    # Guards the fixture: a leaked broker setting would break every later test.
    assert celery_app.conf.broker_url == settings.CELERY_BROKER_URL != CLOSED_PORT_BROKER
    assert client.get("/healthz").status_code == 200


def test_healthz_needs_no_login(client):
    assert client.get("/healthz").status_code == 200


# --- language ---------------------------------------------------------------------------


def test_pages_are_dutch_by_default(login, socialworker):
    page = login(socialworker).get("/").content.decode()
    assert '<html lang="nl">' in page


def test_switching_to_french_is_stored_on_the_user_and_used_on_the_next_page(login, socialworker):
    client = login(socialworker)
    response = client.post("/language/", {"language": "fr", "next": "/clients/"})
    assert response.status_code == 302
    assert response.url == "/clients/"
    assert User.objects.get(pk=socialworker.pk).language == "fr"

    page = client.get("/clients/").content.decode()
    assert '<html lang="fr">' in page
    # The switch now offers the way back.
    assert 'value="nl"' in page
    assert "Nederlands" in page


def test_the_stored_language_follows_the_user_to_a_new_session(login, socialworker, client):
    login(socialworker).post("/language/", {"language": "fr", "next": "/"})
    client.cookies.clear()
    client.force_login(User.objects.get(pk=socialworker.pk))
    page = client.get("/").content.decode()
    assert '<html lang="fr">' in page


def test_switching_back_to_dutch(login, socialworker):
    client = login(socialworker)
    client.post("/language/", {"language": "fr", "next": "/"})
    client.post("/language/", {"language": "nl", "next": "/"})
    assert User.objects.get(pk=socialworker.pk).language == "nl"
    assert '<html lang="nl">' in client.get("/").content.decode()


def test_the_users_language_wins_over_the_browsers(login, socialworker):
    client = login(socialworker)
    client.post("/language/", {"language": "fr", "next": "/"})
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="nl-BE,nl;q=0.9").content.decode()
    assert '<html lang="fr">' in page


def test_an_unknown_language_is_not_stored(login, socialworker):
    client = login(socialworker)
    response = client.post("/language/", {"language": "de", "next": "/"})
    assert response.status_code == 302
    assert User.objects.get(pk=socialworker.pk).language == "nl"


def test_the_switch_never_redirects_to_another_site(login, socialworker):
    response = login(socialworker).post(
        "/language/", {"language": "fr", "next": "https://evil.example/phish"}
    )
    assert response.status_code == 302
    assert response.url == "/"


def test_the_switch_only_accepts_post(login, socialworker):
    assert login(socialworker).get("/language/?language=fr").status_code == 405
    assert User.objects.get(pk=socialworker.pk).language == "nl"


def test_an_anonymous_visitor_can_switch_the_login_page_to_french(client):
    response = client.post("/language/", {"language": "fr", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    page = client.get("/accounts/login/").content.decode()
    assert '<html lang="fr">' in page


def test_french_pages_show_french_labels(login, socialworker):
    from django.utils import translation

    client = login(socialworker)
    client.post("/language/", {"language": "fr", "next": "/"})
    page = client.get("/clients/new/").content.decode()
    with translation.override("fr"):
        label = gettext("Register a new client")
    assert label != "Register a new client"
    assert label in page
