"""Personas and the shared client files every access test uses.

The main OCMW has three teams:

- "Algemene sociale dienst" (general social service): ``socialworker`` and
  ``sw_colleague``;
- "Trajectbegeleiding" (SPI): ``counsellor`` and ``colleague``;
- "Jongerencel" (SPI youth cell): ``other_team``.

``teamlead`` leads the general and the SPI team (not the youth cell).
``intake`` and ``admin`` belong to no team. ``outsider`` is a counsellor of a
second OCMW. Anonymous is the plain, not logged-in test client.

Client files:

- ``case``: a leefloon file of the general social service; its responsible
  social worker is ``socialworker``. So ``sw_colleague`` reads it (same team),
  ``teamlead`` reads and edits it, ``counsellor``/``colleague``/``other_team``
  do not see it, ``intake`` sees its identity only, ``admin`` sees nothing.
- ``spi_case``: a client followed by ``counsellor`` (the core only knows the
  responsible worker; the trajectory app will add "counsellor of an open
  trajectory" through ``registries.client_handlers``). ``colleague`` reads it
  but cannot edit it.
- ``foreign_case``: a client of the other OCMW, followed by ``outsider``.

Every fixture is plain database data made through ``ocmw.services``, so it
works with the default ``db`` fixture and with ``transactional_db`` /
``live_server`` (browser tests log in with ``PERSONA_PASSWORD``).
"""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import translation

from ocmw import insz, services
from ocmw.models import Client, LanguageRegion, Role, TeamService, User
from tests.factories import PERSONA_PASSWORD, ClientFactory

PERSONAS = (
    "intake",
    "socialworker",
    "sw_colleague",
    "counsellor",
    "colleague",
    "other_team",
    "teamlead",
    "admin",
    "outsider",
    "anonymous",
)


@pytest.fixture(autouse=True, scope="session")
def _static_files_looked_up_on_demand():
    """WhiteNoise would index all ~24,000 collected static files for every new
    test client (0.13 s a test); on-demand lookup serves the same files."""
    with override_settings(WHITENOISE_AUTOREFRESH=True):
        yield


@pytest.fixture(autouse=True)
def _default_language():
    """Start every test in the default language (nl).

    A request by a French-speaking user leaves French active in the thread;
    without this, message checks would depend on the order of the tests.
    """
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def real_translations(settings):
    """Load the project's nl/fr catalogues (off by default in the test settings,
    so that ordinary tests can assert on the English message ids)."""
    settings.LOCALE_PATHS = settings.REAL_LOCALE_PATHS
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


# --- organisations and teams ---------------------------------------------------


@pytest.fixture
def ocmw(db):
    return services.ocmw_ensure(
        name="OCMW Brussel-Test / CPAS Bruxelles-Test", language_region=LanguageRegion.BILINGUAL
    )


@pytest.fixture
def other_ocmw(db):
    return services.ocmw_ensure(name="OCMW Andersgem", language_region=LanguageRegion.DUTCH)


@pytest.fixture
def general_team(ocmw):
    return services.team_ensure(
        ocmw=ocmw, name="Algemene sociale dienst", service=TeamService.GENERAL
    )


@pytest.fixture
def spi_team(ocmw):
    return services.team_ensure(ocmw=ocmw, name="Trajectbegeleiding", service=TeamService.SPI)


@pytest.fixture
def youth_team(ocmw):
    return services.team_ensure(ocmw=ocmw, name="Jongerencel", service=TeamService.SPI)


@pytest.fixture
def other_ocmw_team(other_ocmw):
    return services.team_ensure(
        ocmw=other_ocmw, name="Activering Andersgem", service=TeamService.SPI
    )


def _staff(ocmw, username, first_name, last_name, roles, teams=(), language="nl") -> User:
    return services.staff_ensure(
        ocmw=ocmw,
        username=username,
        first_name=first_name,
        last_name=last_name,
        roles=list(roles),
        teams=list(teams),
        email=f"{username}@ocmw-test.invalid",
        language=language,
        password=PERSONA_PASSWORD,
    )


# --- personas --------------------------------------------------------------------


@pytest.fixture
def intake(ocmw):
    return _staff(ocmw, "intake", "Ilse", "Onthaal", [Role.INTAKE])


@pytest.fixture
def socialworker(ocmw, general_team):
    return _staff(ocmw, "socialworker", "Sarah", "Vermeersch", [Role.SOCIAL_WORKER], [general_team])


@pytest.fixture
def sw_colleague(ocmw, general_team):
    return _staff(ocmw, "sw_colleague", "Pieter", "Goossens", [Role.SOCIAL_WORKER], [general_team])


@pytest.fixture
def counsellor(ocmw, spi_team):
    return _staff(ocmw, "counsellor", "Koen", "De Backer", [Role.COUNSELLOR], [spi_team])


@pytest.fixture
def colleague(ocmw, spi_team):
    return _staff(ocmw, "colleague", "Camille", "Leroy", [Role.COUNSELLOR], [spi_team])


@pytest.fixture
def other_team(ocmw, youth_team):
    return _staff(
        ocmw,
        "other_team",
        "Jonas",
        "Jeugd",
        [Role.SOCIAL_WORKER, Role.COUNSELLOR],
        [youth_team],
    )


@pytest.fixture
def teamlead(ocmw, general_team, spi_team):
    return _staff(
        ocmw, "teamlead", "Tine", "Verstraete", [Role.TEAM_LEAD], [general_team, spi_team]
    )


@pytest.fixture
def admin(ocmw):
    return _staff(ocmw, "admin", "Axel", "Beheer", [Role.ADMIN])


@pytest.fixture
def outsider(other_ocmw, other_ocmw_team):
    return _staff(other_ocmw, "outsider", "Olga", "Anders", [Role.COUNSELLOR], [other_ocmw_team])


@pytest.fixture
def anonymous():
    """Nobody logged in: the persona for "not signed in" rows of a matrix."""
    return None


@pytest.fixture
def persona(request):
    """Look a persona up by name, for ``parametrize`` over persona names."""

    def _get(name: str) -> User | None:
        if name not in PERSONAS:
            raise ValueError(f"unknown persona {name!r}")
        return request.getfixturevalue(name)

    return _get


@pytest.fixture
def login(client):
    """``login(user)`` logs ``user`` into the Django test client; ``None`` stays anonymous."""

    def _login(user: User | None):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _login


# --- client files --------------------------------------------------------------


@pytest.fixture
def case(socialworker) -> Client:
    born = datetime.date(1988, 4, 12)
    return ClientFactory(
        responsible_social_worker=socialworker,
        first_name="Lotte",
        last_name="Vandamme",
        birth_date=born,
        insz=insz.build(born, 124),
        leefloon_decision_date=datetime.date(2026, 1, 15),
        phone="0470 12 34 56",
    )


@pytest.fixture
def spi_case(counsellor) -> Client:
    born = datetime.date(1995, 9, 3)
    return ClientFactory(
        responsible_social_worker=counsellor,
        first_name="Rachid",
        last_name="Tahiri",
        birth_date=born,
        insz=insz.build(born, 37),
        leefloon_decision_date=datetime.date(2025, 11, 3),
    )


@pytest.fixture
def foreign_case(outsider) -> Client:
    born = datetime.date(1979, 2, 28)
    return ClientFactory(
        responsible_social_worker=outsider,
        first_name="Greta",
        last_name="Anders",
        birth_date=born,
        insz=insz.build(born, 58),
        leefloon_decision_date=datetime.date(2025, 6, 1),
    )
