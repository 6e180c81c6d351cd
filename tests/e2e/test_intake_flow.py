"""The intake desk: register, duplicate warning, misspelled search, French interface."""

from __future__ import annotations

import datetime

import pytest

from ocmw import insz, services
from ocmw.models import Client, LanguageRegion, Role, TeamService
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desk():
    ocmw = services.ocmw_ensure(name="OCMW Teststad", language_region=LanguageRegion.BILINGUAL)
    team = services.team_ensure(ocmw=ocmw, name="Sociale dienst", service=TeamService.GENERAL)
    services.staff_ensure(
        ocmw=ocmw,
        username="sw",
        first_name="Sarah",
        last_name="Vermeersch",
        roles=[Role.SOCIAL_WORKER],
        teams=[team],
    )
    return services.staff_ensure(
        ocmw=ocmw,
        username="desk",
        first_name="Ilse",
        last_name="Onthaal",
        roles=[Role.INTAKE],
        password="correct horse battery",
    )


def register(page, live_server, *, number: str, first: str, last: str) -> None:
    page.goto(f"{live_server.url}/clients/new/")
    page.fill("#id_insz", number)
    page.fill("#id_first_name", first)
    page.fill("#id_last_name", last)
    page.select_option("#id_responsible_social_worker", label="Sarah Vermeersch")
    page.click("form[data-once] button[type=submit]")


def test_intake_registers_is_warned_finds_misspelled_and_switches_to_french(
    page, live_server, desk, shot, axe_check
):
    born = datetime.date(1988, 4, 17)
    first_number = insz.build(born, 57)
    login(page, live_server, "desk", "correct horse battery")
    assert page.locator("html").get_attribute("lang") == "nl"
    axe_check(page)
    shot(page, "intake-home-nl")

    # Register a new client: the file opens with the formatted INSZ.
    register(page, live_server, number=first_number, first="Mohamed", last="Elidrissi")
    page.wait_for_url("**/clients/*/")
    assert page.locator("h1").inner_text() == "Mohamed Elidrissi"
    assert insz.format_insz(first_number) in page.content()
    # The intake desk sees identity and contact, not case content.
    assert page.locator("#case-title").count() == 0
    axe_check(page)
    shot(page, "client-page-nl")

    # A second registration: same birth date, very similar name → warned before saving.
    register(page, live_server, number=insz.build(born, 59), first="Mohammed", last="El Idrissi")
    warning = page.locator("#possible-duplicates")
    warning.wait_for()
    assert "Mohamed Elidrissi" in warning.inner_text()
    assert Client.objects.count() == 1
    # The form kept what was typed.
    assert page.input_value("#id_first_name") == "Mohammed"

    # Find the client with a misspelled name.
    page.goto(f"{live_server.url}/")
    page.fill("#client-q", "Mohammed El Idrisi")
    page.locator("#search-results a", has_text="Elidrissi, Mohamed").wait_for()
    page.press("#client-q", "Enter")
    page.wait_for_url("**/clients/?q=*")
    page.locator(".client-table a", has_text="Elidrissi, Mohamed").click()
    page.wait_for_url("**/clients/*/")

    # Switch the interface to French; it is remembered for the user.
    page.click("button[name=language][value=fr]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "Numéro de registre national" in page.content()
    desk.refresh_from_db()
    assert desk.language == "fr"
    axe_check(page)
    shot(page, "client-page-fr")
    page.goto(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "fr"
    axe_check(page)
    shot(page, "intake-home-fr")
