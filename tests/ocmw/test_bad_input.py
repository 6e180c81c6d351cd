"""Bad input gives a clear field error in the user's own language, and saves nothing."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext
from rest_framework.fields import CharField

from ocmw import insz, services
from ocmw.models import Client
from tests.factories import client_form_data

# These tests are about the messages people read, so the real catalogues are loaded.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("real_translations")]

SCRIPT = "<script>alert(1)</script>"
MAX_LENGTH_SINGULAR = (
    "Ensure this value has at most %(limit_value)d character (it has %(show_value)d)."
)
MAX_LENGTH_PLURAL = (
    "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d)."
)
STALE = (
    "This file was changed by someone else meanwhile. "
    "Your changes were not saved; review the current data and try again."
)


def translated(language: str, message: str, **params) -> str:
    with translation.override(language):
        text = gettext(message)
    return text % params if params else text


def max_length_message(language: str, limit: int, actual: int) -> str:
    with translation.override(language):
        text = ngettext(MAX_LENGTH_SINGULAR, MAX_LENGTH_PLURAL, limit)
    return text % {"limit_value": limit, "show_value": actual}


def field_error(page: str, field: str) -> str:
    """The text of the error shown under ``field`` (empty when there is none)."""
    match = re.search(rf'id="id_{field}_error">(.*?)</div>', page, re.S)
    return html.unescape(match.group(1)).strip() if match else ""


@pytest.fixture
def french_socialworker(socialworker):
    services.user_set_language(user=socialworker, language="fr")
    return socialworker


def register(client, **fields):
    return client.post("/clients/new/", client_form_data(**fields))


# --- the registration form --------------------------------------------------------------


@pytest.mark.parametrize("name", ["", "   "])
def test_an_empty_name_is_a_field_error_in_dutch(login, socialworker, name):
    response = register(login(socialworker), first_name=name)
    page = response.content.decode()
    assert response.status_code == 200
    assert field_error(page, "first_name") == translated("nl", "This field is required.")
    assert field_error(page, "first_name") == "Dit veld is vereist."
    assert not Client.objects.exists()


def test_an_empty_name_is_a_field_error_in_french_for_a_french_speaking_user(
    login, french_socialworker
):
    response = register(login(french_socialworker), last_name="")
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert field_error(page, "last_name") == "Ce champ est obligatoire."
    assert not Client.objects.exists()


def test_a_whitespace_name_is_refused_by_the_register_service(intake):
    with pytest.raises(services.ValidationError) as error:
        services.client_register(
            actor=intake,
            data={"insz": insz.build(datetime.date(1985, 7, 30), 33), "first_name": "  "},
        )
    assert error.value.message_dict["first_name"] == [gettext("This name cannot be empty.")]
    assert not Client.objects.exists()


def test_a_10000_character_name_gets_the_max_length_message_in_dutch(login, socialworker):
    response = register(login(socialworker), first_name="A" * 10_000)
    page = response.content.decode()
    expected = max_length_message("nl", 100, 10_000)
    assert expected != max_length_message("en", 100, 10_000)
    assert field_error(page, "first_name") == expected
    assert not Client.objects.exists()


def test_a_10000_character_name_gets_the_max_length_message_in_french(login, french_socialworker):
    response = register(login(french_socialworker), last_name="B" * 10_000)
    page = response.content.decode()
    expected = max_length_message("fr", 100, 10_000)
    assert expected.startswith("Assurez-vous que cette valeur comporte au plus 100 caractères")
    assert field_error(page, "last_name") == expected
    assert '<html lang="fr">' in page
    assert not Client.objects.exists()


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("85.07.30-033.29", "The check digits do not match: please check the number for a typo."),
        ("85.07.30-033", "A national register number has 11 digits; this one has %(count)d."),
        (
            "85.O7.30-033.28",
            "A national register number contains only digits (e.g. 85.07.30-033.28).",
        ),
    ],
)
def test_an_invalid_insz_is_a_field_error(login, socialworker, number, message):
    response = register(login(socialworker), insz=number)
    page = response.content.decode()
    params = {"count": 9} if "%(count)d" in message else {}
    assert field_error(page, "insz") == translated("nl", message, **params)
    assert not Client.objects.exists()


def test_an_invalid_insz_is_explained_in_french(login, french_socialworker):
    response = register(login(french_socialworker), insz="85.07.30-033.29")
    page = response.content.decode()
    expected = translated(
        "fr", "The check digits do not match: please check the number for a typo."
    )
    assert expected != "The check digits do not match: please check the number for a typo."
    assert field_error(page, "insz") == expected


@pytest.mark.parametrize(
    "date",
    [
        "31/02/1985",  # no 31st of February
        "32/13/1985",
        "1985-30-07",  # year, day, month: reversed
        "07/30/1985",  # American month/day
        "30/07",
        "gisteren",
    ],
)
def test_an_impossible_or_reversed_birth_date_is_a_field_error(login, socialworker, date):
    response = register(login(socialworker), birth_date=date)
    page = response.content.decode()
    assert field_error(page, "birth_date") == translated("nl", "Enter a valid date.")
    assert field_error(page, "birth_date") == "Voer een geldige datum in."
    assert not Client.objects.exists()


def test_an_impossible_date_is_explained_in_french(login, french_socialworker):
    response = register(login(french_socialworker), leefloon_decision_date="31/02/2026")
    page = response.content.decode()
    assert field_error(page, "leefloon_decision_date") == "Saisissez une date valide."
    assert not Client.objects.exists()


def test_a_birth_date_that_contradicts_the_insz_names_the_right_date(login, socialworker):
    response = register(login(socialworker), birth_date="30/06/1985")
    page = response.content.decode()
    expected = translated(
        "nl",
        "The birth date does not match the national register number (%(date)s).",
        date="30/07/1985",
    )
    assert field_error(page, "birth_date") == expected
    assert not Client.objects.exists()


def test_the_whole_form_says_nothing_was_saved(login, socialworker):
    page = register(login(socialworker), first_name="").content.decode()
    assert 'id="form-errors"' in page
    assert translated("nl", "Nothing was saved.") in page


# --- HTML in text fields ------------------------------------------------------------------


def test_a_script_as_name_is_stored_as_text_and_shown_escaped(login, socialworker):
    client = login(socialworker)
    response = register(client, first_name=SCRIPT, street='"><img src=x onerror=alert(2)>')
    assert response.status_code == 302
    saved = Client.objects.get()
    assert saved.first_name == SCRIPT

    page = client.get(response.url).content.decode()
    assert SCRIPT not in page
    assert "onerror=alert(2)>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    listing = client.get("/clients/").content.decode()
    assert SCRIPT not in listing
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing


def test_the_success_message_escapes_the_name_too(login, socialworker):
    client = login(socialworker)
    page = client.post("/clients/new/", client_form_data(last_name=SCRIPT), follow=True)
    text = page.content.decode()
    assert page.status_code == 200
    assert SCRIPT not in text
    assert "&lt;script&gt;" in text


def test_the_api_returns_the_name_as_plain_data(login, socialworker):
    api = login(socialworker)
    created = api.post(
        "/api/v1/clients/",
        {"insz": "85073003328", "first_name": SCRIPT, "last_name": "X"},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["first_name"] == SCRIPT
    assert created["Content-Type"].startswith("application/json")


# --- the same file changed by two people ----------------------------------------------------


def test_a_stale_edit_form_is_refused_with_a_clear_message_and_nothing_saved(
    login, socialworker, teamlead, case
):
    client = login(socialworker)
    form_page = client.get(f"/clients/{case.pk}/edit/").content.decode()
    assert 'name="row_version" value="1"' in form_page

    # Meanwhile the team lead saves a change.
    services.client_update(
        actor=teamlead,
        client=Client.objects.visible_to(teamlead, for_edit=True).get(pk=case.pk),
        data={"phone": "02 111 11 11"},
    )

    data = client_form_data(
        insz=case.insz,
        first_name=case.first_name,
        last_name=case.last_name,
        birth_date="",
        phone="0499 99 99 99",
        row_version=1,
    )
    response = client.post(f"/clients/{case.pk}/edit/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert translated("nl", STALE) in html.unescape(page)
    assert translated("nl", STALE) != STALE
    case.refresh_from_db()
    assert case.phone == "02 111 11 11"
    assert case.row_version == 2


def test_a_stale_edit_is_explained_in_french(login, french_socialworker, teamlead, case):
    services.client_update(
        actor=teamlead,
        client=Client.objects.visible_to(teamlead, for_edit=True).get(pk=case.pk),
        data={"phone": "02 111 11 11"},
    )
    data = client_form_data(
        insz=case.insz,
        first_name=case.first_name,
        last_name=case.last_name,
        birth_date="",
        row_version=1,
    )
    page = login(french_socialworker).post(f"/clients/{case.pk}/edit/", data).content.decode()
    assert translated("fr", STALE) in html.unescape(page)


def test_an_edit_with_the_current_row_version_is_saved(login, socialworker, case):
    data = client_form_data(
        insz=case.insz,
        first_name=case.first_name,
        last_name=case.last_name,
        birth_date="",
        phone="0499 99 99 99",
        row_version=1,
    )
    assert login(socialworker).post(f"/clients/{case.pk}/edit/", data).status_code == 302
    case.refresh_from_db()
    assert (case.phone, case.row_version) == ("0499 99 99 99", 2)


def test_an_api_patch_with_an_old_row_version_is_a_conflict(login, socialworker, teamlead, case):
    api = login(socialworker)
    assert (
        api.patch(
            f"/api/v1/clients/{case.pk}/",
            {"city": "Gent", "row_version": 1},
            content_type="application/json",
        ).json()["row_version"]
        == 2
    )

    response = login(teamlead).patch(
        f"/api/v1/clients/{case.pk}/",
        {"city": "Brugge", "row_version": 1},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["detail"] == translated("nl", STALE)
    case.refresh_from_db()
    assert (case.city, case.row_version) == ("Gent", 2)


# --- the API speaks the user's language -------------------------------------------------------


def test_the_api_explains_a_too_long_name_in_dutch(login, socialworker):
    response = login(socialworker).post(
        "/api/v1/clients/",
        {"insz": "85073003328", "first_name": "A" * 10_000, "last_name": "X"},
        content_type="application/json",
    )
    assert response.status_code == 400
    with translation.override("nl"):
        expected = str(CharField.default_error_messages["max_length"]).format(max_length=100)
    assert response.json()["first_name"] == [expected]
    assert not Client.objects.exists()


def test_the_api_explains_an_invalid_insz_in_french(login, french_socialworker):
    response = login(french_socialworker).post(
        "/api/v1/clients/",
        {"insz": "85073003329", "first_name": "A", "last_name": ""},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["insz"] == [
        translated("fr", "The check digits do not match: please check the number for a typo.")
    ]
    assert body["last_name"] == ["Ce champ ne peut être vide."]
    assert not Client.objects.exists()
