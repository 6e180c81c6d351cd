"""factory_boy factories that build data through the project's services.

Nothing here writes with ``Model.objects.create``: staff, teams and clients are
made by ``ocmw.services`` so the tests see exactly what the pages and API make
(validation, normalisation, audit context).
"""

from __future__ import annotations

import datetime

import factory

from ocmw import insz, services
from ocmw.models import Client, LanguageRegion, Ocmw, Role, Team, TeamService, User

# Every persona gets this password, so browser tests can log in through the form.
PERSONA_PASSWORD = "persona-pass-2026"


def insz_with_check(first_nine: str, *, born_2000_or_later: bool = False) -> str:
    """An 11-digit number with correct check digits for any 9 leading digits.

    ``insz.build`` only takes real dates; this makes numbers with impossible
    dates (month 13, day 32) whose check digits are nevertheless right.
    """
    prefix = "2" if born_2000_or_later else ""
    check = 97 - int(prefix + first_nine) % 97
    return f"{first_nine}{check:02d}"


class OcmwFactory(factory.Factory):
    class Meta:
        model = Ocmw

    name = factory.Sequence(lambda n: f"OCMW Teststad {n}")
    language_region = LanguageRegion.BILINGUAL

    @classmethod
    def _create(cls, model_class, **kwargs) -> Ocmw:
        return services.ocmw_ensure(**kwargs)


class TeamFactory(factory.Factory):
    class Meta:
        model = Team

    ocmw = factory.SubFactory(OcmwFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    service = TeamService.SPI

    @classmethod
    def _create(cls, model_class, **kwargs) -> Team:
        return services.team_ensure(**kwargs)


class StaffFactory(factory.Factory):
    """A staff member; pass ``roles`` and ``teams`` (a list) as needed."""

    class Meta:
        model = User

    ocmw = factory.SubFactory(OcmwFactory)
    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Sequence(lambda n: f"Medewerker{n}")
    last_name = "Test"
    roles = factory.LazyFunction(lambda: [Role.COUNSELLOR])
    teams = factory.LazyFunction(list)
    language = "nl"
    password = PERSONA_PASSWORD

    @classmethod
    def _create(cls, model_class, **kwargs) -> User:
        return services.staff_ensure(**kwargs)


FIRST_NAMES = ["Sofie", "Youssef", "Marie", "Emre", "Hanne", "Kofi", "Ines", "Bram", "Elif", "Tom"]
LAST_NAMES = ["Claes", "Benali", "Lambert", "Demir", "Wouters", "Mensah", "Maes", "Willems"]


class ClientFactory(factory.Factory):
    """A client registered by ``actor`` (by default its responsible social worker).

    Birth dates and INSZ numbers differ for every client made, so the
    possible-duplicate check never fires by accident.
    """

    class Meta:
        model = Client
        exclude = ("serial",)

    actor = factory.LazyAttribute(lambda o: o.responsible_social_worker)
    responsible_social_worker = None
    first_name = factory.Iterator(FIRST_NAMES)
    last_name = factory.Iterator(LAST_NAMES)
    birth_date = factory.Sequence(
        lambda n: datetime.date(1950, 1, 1) + datetime.timedelta(days=17 * (n % 1000))
    )
    serial = factory.Sequence(lambda n: 1 + (n * 7) % 997)
    insz = factory.LazyAttribute(lambda o: insz.build(o.birth_date, o.serial))
    preferred_language = "nl"

    @classmethod
    def _create(cls, model_class, actor, **data) -> Client:
        if actor is None:
            raise ValueError("ClientFactory needs an actor or a responsible_social_worker")
        return services.client_register(actor=actor, data=data, confirm_possible_duplicate=True)


def client_form_data(**fields) -> dict:
    """The POST body of the client registration/edit form, as a browser sends it."""
    born = datetime.date(1985, 7, 30)
    data = {
        "insz": insz.format_insz(insz.build(born, 33)),
        "first_name": "Mohamed",
        "last_name": "Elidrissi",
        "birth_date": born.strftime("%d/%m/%Y"),
        "gender": "",
        "preferred_language": "fr",
        "languages_spoken": "Arabic, French",
        "phone": "",
        "email": "",
        "street": "",
        "postal_code": "",
        "city": "",
        "responsible_social_worker": "",
    }
    data.update(fields)
    return data
