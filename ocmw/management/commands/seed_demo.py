"""Small, realistic demo data. Idempotent: running it twice changes nothing.

Demo users (password ``demo``): intake, socialworker, counsellor, counsellor2,
teamlead, admin, and other (a counsellor of a second OCMW).
"""

from __future__ import annotations

import datetime
import random

import pghistory
from django.core.management.base import BaseCommand
from django.db import transaction

from ocmw import insz, registries, services
from ocmw.models import Client, LanguageRegion, Role, TeamService

DEMO_PASSWORD = "demo"  # noqa: S105 - demo data only

# (first name, last name, gender, preferred language, languages spoken)
CLIENTS = [
    ("Mohamed", "Elidrissi", "M", "fr", ["Arabic", "French"]),
    ("Céline", "Dubois", "F", "fr", ["French"]),
    ("Jan", "Peeters", "M", "nl", ["Dutch"]),
    ("Fatima", "El Amrani", "F", "nl", ["Arabic", "Dutch", "French"]),
    ("Kevin", "Janssens", "M", "nl", ["Dutch", "English"]),
    ("Marie", "Lambert", "F", "fr", ["French"]),
    ("Emre", "Yılmaz", "M", "nl", ["Turkish", "Dutch"]),
    ("Aïcha", "Bakkali", "F", "fr", ["Arabic", "French"]),
    ("Pieter", "De Smet", "M", "nl", ["Dutch"]),
    ("Nathalie", "Maes", "F", "nl", ["Dutch", "French"]),
    ("Jean-Pierre", "Lemaire", "M", "fr", ["French"]),
    ("Agnieszka", "Kowalska", "F", "nl", ["Polish", "English"]),
    ("Youssef", "Benali", "M", "fr", ["Arabic", "French", "Dutch"]),
    ("Sofie", "Claes", "F", "nl", ["Dutch"]),
    ("Kofi", "Mensah", "M", "fr", ["Twi", "English", "French"]),
    ("Hanne", "Wouters", "F", "nl", ["Dutch"]),
    ("Ahmed", "Al-Hassan", "M", "other", ["Arabic"]),
    ("Laura", "Goossens", "F", "nl", ["Dutch", "English"]),
    ("Mamadou", "Diallo", "M", "fr", ["Fula", "French"]),
    ("Ines", "Vermeulen", "F", "nl", ["Dutch"]),
    ("Olivier", "Dupont", "M", "fr", ["French"]),
    ("Elif", "Demir", "F", "nl", ["Turkish", "Dutch"]),
    ("Bram", "Willems", "M", "nl", ["Dutch"]),
    ("Chantal", "Mbuyi", "F", "fr", ["Lingala", "French"]),
    ("Tom", "Mertens", "M", "nl", ["Dutch"]),
    ("Samira", "Ouali", "F", "fr", ["Arabic", "French"]),
    ("Stijn", "Jacobs", "M", "nl", ["Dutch", "French"]),
    ("Isabelle", "Lefèvre", "F", "fr", ["French"]),
    ("Rachid", "Tahiri", "M", "nl", ["Arabic", "Dutch"]),
    ("Evelien", "Van den Broeck", "F", "nl", ["Dutch"]),
    ("Nicolas", "Martin", "M", "fr", ["French", "Dutch"]),
    ("Zeynep", "Aydın", "F", "nl", ["Turkish", "Dutch"]),
    ("Dries", "Hermans", "M", "nl", ["Dutch"]),
    ("Amina", "Diop", "F", "fr", ["Wolof", "French"]),
    ("Lucas", "Michiels", "M", "nl", ["Dutch", "English"]),
    ("Anaïs", "Renard", "F", "fr", ["French"]),
    ("Bilal", "Chaouki", "M", "nl", ["Arabic", "Dutch"]),
    ("Ana", "Popescu", "F", "other", ["Romanian", "French"]),
    ("Wout", "Van Damme", "M", "nl", ["Dutch"]),
    ("Grace", "Kabila", "F", "fr", ["Lingala", "French", "English"]),
]

STREETS = [
    ("Koningsstraat", "1000", "Brussel"),
    ("Rue Royale", "1000", "Bruxelles"),
    ("Chaussée de Haecht", "1030", "Schaerbeek"),
    ("Rogierstraat", "1210", "Sint-Joost-ten-Node"),
    ("Rue de Brabant", "1030", "Schaerbeek"),
    ("Antwerpsesteenweg", "1000", "Brussel"),
]


class Command(BaseCommand):
    help = "Load small, realistic demo data (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        with pghistory.context(source="seed_demo"):
            self.seed()
            for seeder in registries.demo_seeders:
                seeder(random.Random(2026))  # noqa: S311 - demo data
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

    def seed(self) -> None:
        rng = random.Random(2026)  # noqa: S311 - demo data, not security
        main = services.ocmw_ensure(
            name="OCMW Brussel-Demo / CPAS Bruxelles-Démo",
            language_region=LanguageRegion.BILINGUAL,
        )
        other = services.ocmw_ensure(name="OCMW Andersgem", language_region=LanguageRegion.DUTCH)
        general = services.team_ensure(
            ocmw=main, name="Algemene sociale dienst", service=TeamService.GENERAL
        )
        spi = services.team_ensure(
            ocmw=main, name="Trajectbegeleiding (SPI)", service=TeamService.SPI
        )
        other_spi = services.team_ensure(
            ocmw=other, name="Activering Andersgem", service=TeamService.SPI
        )

        def staff(username, first, last, roles, teams, ocmw=main, language="nl", login=True):
            return services.staff_ensure(
                ocmw=ocmw,
                username=username,
                first_name=first,
                last_name=last,
                roles=roles,
                teams=teams,
                email=f"{username}@ocmw-demo.invalid",
                language=language,
                password=DEMO_PASSWORD if login else None,
            )

        staff("intake", "Ilse", "Onthaal", [Role.INTAKE], [])
        social_worker = staff(
            "socialworker", "Sarah", "Vermeersch", [Role.SOCIAL_WORKER], [general]
        )
        staff("counsellor", "Koen", "De Backer", [Role.COUNSELLOR], [spi])
        staff("counsellor2", "Camille", "Leroy", [Role.COUNSELLOR], [spi], language="fr")
        staff("teamlead", "Tine", "Verstraete", [Role.TEAM_LEAD], [general, spi])
        staff("admin", "Axel", "Beheer", [Role.ADMIN], [])
        staff("other", "Olga", "Anders", [Role.COUNSELLOR], [other_spi], ocmw=other)
        colleague_nl = staff(
            "mw.dewitte", "Hilde", "De Witte", [Role.SOCIAL_WORKER], [general], login=False
        )
        colleague_fr = staff(
            "as.moreau",
            "Julien",
            "Moreau",
            [Role.SOCIAL_WORKER],
            [general],
            language="fr",
            login=False,
        )
        workers = [social_worker, social_worker, colleague_nl, colleague_fr]

        today = datetime.date(2026, 11, 2)
        for index, (first, last, gender, language, spoken) in enumerate(CLIENTS):
            born = datetime.date(1962 + (index * 7) % 42, 1 + index % 12, 1 + (index * 5) % 28)
            serial = 2 * (index + 10) + (1 if gender == "M" else 0)
            number = insz.build(born, serial)
            if Client.objects.filter(ocmw=main, insz=number).exists():
                continue
            street, postal_code, city = STREETS[index % len(STREETS)]
            worker = workers[index % len(workers)]
            decision = today - datetime.timedelta(days=rng.randint(10, 400))
            services.client_register(
                actor=worker,
                data={
                    "insz": number,
                    "first_name": first,
                    "last_name": last,
                    "birth_date": born,
                    "gender": gender,
                    "preferred_language": language,
                    "languages_spoken": spoken,
                    "phone": "04{} {} {} {}".format(*(rng.randint(10, 99) for _ in range(4))),
                    "street": f"{street} {rng.randint(1, 180)}",
                    "postal_code": postal_code,
                    "city": city,
                    "leefloon_decision_date": decision,
                    "responsible_social_worker": worker,
                },
                confirm_possible_duplicate=True,
            )
        # The same person may be a client of two OCMWs; neither sees the other's record.
        other_worker = staff("other", "Olga", "Anders", [Role.COUNSELLOR], [other_spi], ocmw=other)
        born = datetime.date(1962, 3, 11)
        number = insz.build(born, 25)
        if not Client.objects.filter(ocmw=other, insz=number).exists():
            services.client_register(
                actor=other_worker,
                data={
                    "insz": number,
                    "first_name": "Jan",
                    "last_name": "Peeters",
                    "birth_date": born,
                    "preferred_language": "nl",
                },
                confirm_possible_duplicate=True,
            )
