"""Time the rendering of a realistic GPMI contract.

    python manage.py bench_pdf [--runs 20] [--language nl|fr] [--long] [--output contract.pdf]

Builds a client, trajectory, needs analysis, GPMI and presented version through
the services, inside a transaction that is rolled back at the end: nothing is
left in the database. Then renders the contract ``--runs`` times as a draft and
as the signed PDF/A-3u and prints the median and p95 (target: median under
300 ms for a 3-page contract).
"""

from __future__ import annotations

import datetime
import json
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from gpmi import pdf, services
from gpmi.models import GpmiType
from ocmw import insz
from ocmw import services as ocmw_services
from ocmw.management.commands.bench import percentile
from ocmw.models import LanguageRegion, Role, TeamService
from trajecten import services as trajecten_services

SAMPLE = {
    "nl": {
        "objectives": [
            "Nederlands oefenen tot niveau A2 (mondeling), zodat gesprekken met werkgevers "
            "en diensten zonder tolk kunnen verlopen.",
            "Een beroepskeuze maken in de logistiek of de groenzorg na twee snuffelstages.",
            "Werkervaring opbouwen via een tewerkstelling art. 60§7 in de groendienst.",
            "Een rijbewijs B halen om ook werk buiten de gemeente te kunnen aannemen.",
        ],
        "commitments_client": [
            "Ik volg de taalles op maandag en woensdag en verwittig de leerkracht als ik "
            "niet kan komen.",
            "Ik kom naar de afspraken met mijn trajectbegeleider of laat tijdig weten dat "
            "ik verhinderd ben.",
            "Ik schrijf me in bij VDAB als werkzoekende en houd mijn dossier up-to-date.",
        ],
        "commitments_ocmw": [
            "Het OCMW betaalt het inschrijvingsgeld voor de taalles en het rijexamen.",
            "De trajectbegeleider ziet de cliënt minstens eenmaal per maand.",
            "Het OCMW zoekt samen met de cliënt een geschikte werkplek voor art. 60§7.",
        ],
        "commitments_third_parties": [
            {
                "party": "VDAB",
                "commitment": "Begeleidt de cliënt bij de beroepskeuze en "
                "organiseert twee snuffelstages.",
            },
        ],
        "activity_domains": [
            "Taal (Nederlands)",
            "Opleiding",
            "Werkervaring",
            "Mobiliteit",
            "Sollicitatietraining",
        ],
        "deadlines": "Inschrijving taalles: uiterlijk 15 september.\n"
        "Eerste snuffelstage: vóór eind oktober.\n"
        "Start art. 60§7: ten laatste in januari.",
        "evaluation_arrangements": "Elke vier maanden een evaluatiegesprek op het OCMW met "
        "de cliënt en de trajectbegeleider; tussendoor kan een evaluatie telefonisch. De "
        "cliënt mag een vertrouwenspersoon meebrengen.",
        "extra_aid": "Een premie voor de terugbetaling van het abonnement van De Lijn "
        "gedurende de opleiding.",
        "covers_other": "Kinderopvang tijdens de taalles (max. 2 halve dagen per week).",
        "partners": ["VDAB"],
        "assisting_person": "Fatima El Amrani (zus)",
        "signatory": ("Marleen Peeters", "algemeen directeur"),
    },
    "fr": {
        "objectives": [
            "Pratiquer le français jusqu'au niveau A2 (oral), afin de mener les entretiens "
            "avec les employeurs et les services sans interprète.",
            "Choisir un métier dans la logistique ou les espaces verts après deux stages "
            "de découverte.",
            "Acquérir une expérience de travail par un emploi article 60§7 au service des "
            "espaces verts.",
            "Obtenir le permis de conduire B pour pouvoir accepter un emploi hors de la commune.",
        ],
        "commitments_client": [
            "Je suis les cours de langue le lundi et le mercredi et je préviens l'enseignant "
            "si je ne peux pas venir.",
            "Je me présente aux rendez-vous avec mon accompagnateur ou je préviens à temps.",
            "Je m'inscris chez Actiris comme demandeur d'emploi et je tiens mon dossier à jour.",
        ],
        "commitments_ocmw": [
            "Le CPAS paie les frais d'inscription au cours de langue et à l'examen de conduite.",
            "L'accompagnateur rencontre le bénéficiaire au moins une fois par mois.",
            "Le CPAS cherche avec le bénéficiaire un poste adapté pour l'article 60§7.",
        ],
        "commitments_third_parties": [
            {
                "party": "Actiris",
                "commitment": "Accompagne le bénéficiaire dans son choix "
                "professionnel et organise deux stages de découverte.",
            },
        ],
        "activity_domains": [
            "Langue (français)",
            "Formation",
            "Expérience de travail",
            "Mobilité",
            "Recherche d'emploi",
        ],
        "deadlines": "Inscription au cours de langue : au plus tard le 15 septembre.\n"
        "Premier stage de découverte : avant fin octobre.\n"
        "Début de l'article 60§7 : au plus tard en janvier.",
        "evaluation_arrangements": "Tous les quatre mois, un entretien d'évaluation au CPAS "
        "avec le bénéficiaire et l'accompagnateur ; entre-temps, une évaluation peut se "
        "faire par téléphone. Le bénéficiaire peut se faire accompagner d'une personne de "
        "confiance.",
        "extra_aid": "Une prime couvrant l'abonnement STIB pendant la formation.",
        "covers_other": "Garde d'enfants pendant les cours (max. 2 demi-journées par semaine).",
        "partners": ["Actiris"],
        "assisting_person": "Fatima El Amrani (sœur)",
        "signatory": ("Marleen Peeters", "directrice générale"),
    },
}


def build_version(*, language: str = "nl", long: bool = False):
    """A presented contract version made through the services (call inside a transaction
    that is rolled back)."""
    sample = SAMPLE[language]
    ocmw = ocmw_services.ocmw_ensure(
        name="OCMW Benchmarkstad / CPAS Benchmarkville", language_region=LanguageRegion.BILINGUAL
    )
    team = ocmw_services.team_ensure(ocmw=ocmw, name="Trajectbegeleiding", service=TeamService.SPI)
    counsellor = ocmw_services.staff_ensure(
        ocmw=ocmw,
        username="bench_pdf_counsellor",
        first_name="Koen",
        last_name="De Backer",
        roles=[Role.SOCIAL_WORKER, Role.COUNSELLOR],
        teams=[team],
    )
    born = datetime.date(1991, 3, 14)
    today = timezone.localdate()
    client = ocmw_services.client_register(
        actor=counsellor,
        data={
            "insz": insz.build(born, 123),
            "first_name": "Youssef" if not long else "يوسف",
            "last_name": "El Amrani" if not long else "אלעמרני El Amrani",
            "birth_date": born,
            "preferred_language": language,
            "street": "Stationsstraat 12 bus 3",
            "postal_code": "1000",
            "city": "Brussel" if language == "nl" else "Bruxelles",
            "leefloon_decision_date": today - datetime.timedelta(days=40),
        },
        confirm_possible_duplicate=True,
    )
    trajectory = trajecten_services.trajectory_open(
        actor=counsellor, client=client, counsellor=counsellor, team=team
    )
    trajecten_services.needs_analysis_record(
        actor=counsellor, client=client, data={"own_project": sample["objectives"][1]}
    )
    gpmi = services.gpmi_create(actor=counsellor, trajectory=trajectory, type=GpmiType.GENERAL)
    objectives = list(sample["objectives"])
    deadlines = sample["deadlines"]
    if long:
        objectives = [f"{objectives[i % len(objectives)]} ({i}/50)" for i in range(1, 51)]
        deadlines = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 90)[:5000]
    version = services.version_create(
        actor=counsellor,
        gpmi=gpmi,
        data={
            "language": language,
            "objectives": objectives,
            "commitments_client": sample["commitments_client"],
            "commitments_ocmw": sample["commitments_ocmw"],
            "commitments_third_parties": sample["commitments_third_parties"],
            "activity_domains": sample["activity_domains"],
            "start_date": today,
            "end_date": today + datetime.timedelta(days=364),
            "deadlines": deadlines,
            "evaluation_arrangements": sample["evaluation_arrangements"],
            "extra_aid": sample["extra_aid"],
            "covers_other": sample["covers_other"],
            "partners": sample["partners"],
            "assisting_person": sample["assisting_person"],
        },
    )
    return services.version_present(
        actor=counsellor, version=version, on=today - datetime.timedelta(days=6)
    )


def sign_in_memory(version) -> None:
    """The signature fields as version_sign records them, without saving or storing a PDF."""
    today = timezone.localdate()
    version.ocmw_signatory_name, version.ocmw_signatory_capacity = SAMPLE[version.language][
        "signatory"
    ]
    version.client_signed_on = version.ocmw_signed_on = today
    version.counsellor_signed_on = version.partners_signed_on = today


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time rendering a realistic GPMI contract PDF (median and p95)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--runs", type=int, default=20, help="renders per variant (20)")
        parser.add_argument("--language", choices=["nl", "fr"], default="nl")
        parser.add_argument(
            "--long", action="store_true", help="50 objectives and a 5,000-character paragraph"
        )
        parser.add_argument("--output", help="also write the signed PDF to this file")
        parser.add_argument("--draft-output", help="also write the draft PDF to this file")
        parser.add_argument("--json", help="also write the figures to this JSON file")

    def handle(self, *args, runs: int, language: str, long: bool, **options) -> None:
        if runs < 1:
            raise CommandError("--runs must be at least 1.")
        try:
            with transaction.atomic():
                self._bench(runs, language, long, options)
                raise _Rollback
        except _Rollback:
            pass

    def _bench(self, runs: int, language: str, long: bool, options) -> None:
        version = build_version(language=language, long=long)
        draft = pdf.render_contract(version, signed=False)  # warm-up (fonts, templates)
        pages = len(pdf.render_document(version, signed=False).pages)
        sign_in_memory(version)
        signed = pdf.render_contract(version, signed=True)
        for option, data in (("draft_output", draft), ("output", signed)):
            if options.get(option):
                with open(options[option], "wb") as handle:
                    handle.write(data)
        self.stdout.write(
            f"GPMI contract ({language}, {pages} pages, draft {len(draft) // 1024} KiB, "
            f"signed {len(signed) // 1024} KiB), {runs} runs each:"
        )
        figures: dict = {"pages": pages, "runs": runs, "language": language}
        for label, signed_flag in (("draft", False), ("signed PDF/A-3u", True)):
            wall, cpu = [], []
            for _ in range(runs):
                start, start_cpu = time.perf_counter(), time.process_time()
                pdf.render_contract(version, signed=signed_flag)
                wall.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
            median = statistics.median(wall)
            figures["signed" if signed_flag else "draft"] = {
                "median_ms": round(median, 1),
                "p95_ms": round(percentile(wall, 0.95), 1),
                "cpu_median_ms": round(statistics.median(cpu), 1),
            }
            self.stdout.write(
                f"  {label:<16} median {median:5.0f} ms   p95 {percentile(wall, 0.95):5.0f} ms"
                f"   ({median / pages:.0f} ms/page; CPU median {statistics.median(cpu):.0f} ms)"
            )
        if options.get("json"):
            with open(options["json"], "w", encoding="utf-8") as handle:
                json.dump(figures, handle, indent=2)
