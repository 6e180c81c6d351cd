"""Demo GPMIs, run by ``python manage.py seed_demo`` after the trajectory demo.

``seed(rng)`` is appended to ``ocmw.registries.demo_seeders`` in
``GpmiConfig.ready()``. It works on whatever open trajectories of the main demo
OCMW exist (``trajecten/demo.py`` makes about 30): every GPMI goes through
``gpmi.services`` (so signing renders and stores the real PDF), with dates
relative to ``timezone.localdate()`` and chosen from each client's leefloon
decision and trajectory.

What it makes, one GPMI per scenario, each on its own trajectory:

- **amended**: version 1 signed, version 2 signed later, so version 1 ended
  "replaced" and version 2 runs; consent given;
- **running**: a signed, running contract on schedule with its evaluations;
  consent given;
- **studies** (type 9): signed and running;
- **too few evaluations**: running, but behind on the evaluation rule (chosen
  among the trajectories so that the trajectory's evaluations fall short);
- **ended**: signed, then ended because the leefloon ended; consent given, later
  withdrawn;
- **signed, not started**: signed, starting in two weeks (type 10);
- **presented**: in its 5-day reflection period;
- **draft**: being prepared, the legal deadline still ahead;
- **overdue**: a draft whose legal deadline (decision + 3 months) has passed;
- **withdrawn**: presented, then withdrawn by the client;
- **exemption** (type 8): no GPMI for health reasons, with the reason.

**Idempotent.** Nothing happens once the main OCMW has any GPMI. Scenarios
for which no trajectory fits are skipped, so the seeder also runs on partial data.

**Back-dating.** The services stamp what they create with "now". Right after
they ran, the timestamps of the rows made here (``VersionChange.at``,
``created_at`` of GPMIs and versions, ``Consent.recorded_at``) are moved to
their story date with queryset updates, as ``trajecten/demo.py`` does. Demo
data only: real writes never back-date.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from gpmi import services
from gpmi.models import (
    ConsentMethod,
    EndReason,
    Gpmi,
    GpmiType,
    GpmiVersion,
    VersionChange,
    VersionStatus,
    legal_deadline_for,
)
from ocmw.models import Ocmw, Role, User
from trajecten import services as trajecten_services
from trajecten.models import Evaluation, NeedsAnalysis, Trajectory

MAIN_OCMW = "OCMW Brussel-Demo / CPAS Bruxelles-Démo"
DAY = datetime.timedelta(days=1)

TEXTS = {
    "nl": {
        "objectives": [
            "Een beroepsopleiding kiezen en starten",
            "Nederlands verbeteren tot niveau B1",
            "Een stabiele dagstructuur opbouwen",
        ],
        "studies": [
            "Het bachelordiploma verpleegkunde behalen",
            "Slagen voor de examens van het eerste jaar",
        ],
        "client": [
            "Aanwezig zijn op de afspraken en lessen",
            "Afwezigheid vooraf melden aan de trajectbegeleider",
            "Actief zoeken naar een stageplaats",
        ],
        "ocmw": [
            "Maandelijks een begeleidingsgesprek",
            "Inschrijvingsgeld, verzekering en vervoerskosten betalen",
            "Contact opnemen met de opleidingspartner",
        ],
        "partner": "Opleiding aanbieden en aanwezigheden doorgeven",
        "domains": ["Opleiding", "Taal", "Sociale activering"],
        "deadlines": "Opleiding gestart binnen drie maanden; evaluatie na vier maanden.",
        "evaluation": "Drie evaluatiegesprekken per jaar, waarvan minstens twee op gesprek.",
        "amendment": "Na de opleiding: start van een werkervaring in de kringwinkel",
        "withdraw": "De cliënt koos een andere opleiding; een nieuw voorstel volgt.",
        "exemption": (
            "Gezondheidsredenen: langdurige behandeling volgens attest van de huisarts. "
            "Herbekijken bij de volgende evaluatie van het leefloon."
        ),
    },
    "fr": {
        "objectives": [
            "Choisir et commencer une formation qualifiante",
            "Améliorer le néerlandais jusqu'au niveau B1",
            "Construire un rythme de journée stable",
        ],
        "studies": [
            "Obtenir le bachelier en soins infirmiers",
            "Réussir les examens de première année",
        ],
        "client": [
            "Être présent aux rendez-vous et aux cours",
            "Prévenir le conseiller de toute absence",
            "Chercher activement un lieu de stage",
        ],
        "ocmw": [
            "Un entretien d'accompagnement par mois",
            "Payer l'inscription, l'assurance et les frais de déplacement",
            "Prendre contact avec le partenaire de formation",
        ],
        "partner": "Organiser la formation et transmettre les présences",
        "domains": ["Formation", "Langue", "Activation sociale"],
        "deadlines": "Formation commencée dans les trois mois ; évaluation après quatre mois.",
        "evaluation": "Trois évaluations par an, dont au moins deux en entretien.",
        "amendment": "Après la formation : expérience de travail au magasin de seconde main",
        "withdraw": "Le client a choisi une autre formation ; une nouvelle proposition suivra.",
        "exemption": (
            "Raisons de santé : traitement de longue durée selon l'attestation du médecin "
            "traitant. À revoir lors de la prochaine révision du revenu d'intégration."
        ),
    },
}


@dataclass
class _Candidate:
    trajectory: Trajectory
    decision: datetime.date
    base: datetime.date  # the later of the decision and the opening of the trajectory
    evaluations: list[tuple[datetime.date, bool]]

    @property
    def client(self):
        return self.trajectory.client

    @property
    def counsellor(self) -> User:
        return self.trajectory.counsellor


def _rule_status(
    evaluations: list[tuple[datetime.date, bool]],
    start: datetime.date,
    today: datetime.date,
    required: int = 3,
    required_in_person: int = 2,
) -> str:
    """The evaluation rule of ``gpmi.selectors.compliance`` for a contract starting on
    ``start`` and never amended (used only to pick the demo cases; the demo test
    checks the result with the real selector)."""
    years = 0
    while _add_years(start, years + 1) <= today:
        years += 1
    period_start, period_end = _add_years(start, years), _add_years(start, years + 1) - DAY
    done = [ip for day, ip in evaluations if period_start <= day <= today]
    in_person = sum(done)
    missing = max(required - len(done), required_in_person - in_person, 0)
    elapsed, length = (today - period_start).days, (period_end - period_start).days + 1
    if missing > (period_end - today).days // 30 + 1:
        return "cannot_be_met"
    if len(done) >= required * elapsed // length and (
        in_person >= required_in_person * elapsed // length
    ):
        return "ok"
    return "behind"


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class _Seeder:
    def __init__(self, ocmw: Ocmw, rng: random.Random):
        self.rng = rng
        self.today = timezone.localdate()
        # Timestamp updates, applied once every service call has run.
        self.fixes: list[Callable[[], None]] = []
        trajectories = (
            Trajectory.objects.open()
            .filter(client__ocmw=ocmw, counsellor__roles__contains=[Role.COUNSELLOR])
            .select_related("client", "counsellor", "team")
            .prefetch_related(Prefetch("evaluations", queryset=Evaluation.objects.order_by("date")))
            .order_by("opened_on", "pk")
        )
        self.pool: list[_Candidate] = []
        for trajectory in trajectories:
            decision = trajectory.client.leefloon_decision_date or trajectory.opened_on
            self.pool.append(
                _Candidate(
                    trajectory=trajectory,
                    decision=decision,
                    base=max(decision, trajectory.opened_on),
                    evaluations=[(e.date, e.in_person) for e in trajectory.evaluations.all()],
                )
            )

    # --- picking trajectories ------------------------------------------------------

    def take(self, fits: Callable[[_Candidate], bool], *, newest: bool = False):
        for candidate in reversed(self.pool) if newest else self.pool:
            if fits(candidate):
                self.pool.remove(candidate)
                return candidate
        return None

    def days_ago(self, day: datetime.date) -> int:
        return (self.today - day).days

    # --- writing through the services --------------------------------------------------

    def texts(self, candidate: _Candidate) -> dict:
        language = candidate.client.preferred_language
        return TEXTS["fr" if language == "fr" else "nl"]

    def ensure_needs_analysis(self, candidate: _Candidate, on: datetime.date) -> None:
        if NeedsAnalysis.objects.filter(client=candidate.client).exists():
            return
        trajecten_services.needs_analysis_record(
            actor=candidate.counsellor,
            client=candidate.client,
            data={
                "date": min(on, self.today),
                "own_project": self.texts(candidate)["objectives"][0],
            },
        )

    def gpmi(self, candidate: _Candidate, type: int, created: datetime.date, reason="") -> Gpmi:
        gpmi = services.gpmi_create(
            actor=candidate.counsellor,
            trajectory=candidate.trajectory,
            type=type,
            leefloon_decision_date=candidate.decision,
            exemption_reason=reason,
        )
        self.stamp(Gpmi, gpmi.pk, "created_at", created)
        return gpmi

    def draft(
        self,
        candidate: _Candidate,
        gpmi: Gpmi,
        *,
        start: datetime.date,
        created: datetime.date,
        objectives_key: str = "objectives",
        extra_objective: str = "",
        **data,
    ) -> GpmiVersion:
        text = self.texts(candidate)
        proposal = services.version_prefill(gpmi=gpmi)
        objectives = list(text[objectives_key])
        if extra_objective:
            objectives.append(extra_objective)
        proposal.update(
            {
                "language": proposal.get("language") or "nl",
                "objectives": objectives,
                "commitments_client": text["client"],
                "commitments_ocmw": text["ocmw"],
                "commitments_third_parties": [
                    {
                        "party": "VDAB" if proposal.get("language") != "fr" else "Actiris",
                        "commitment": text["partner"],
                    }
                ],  # fmt: skip
                "activity_domains": text["domains"],
                "start_date": start,
                "end_date": _add_years(start, 1) - DAY,
                "deadlines": text["deadlines"],
                "evaluation_arrangements": text["evaluation"],
                "partners": ["VDAB" if proposal.get("language") != "fr" else "Actiris"],
                **data,
            }
        )
        version = services.version_create(actor=candidate.counsellor, gpmi=gpmi, data=proposal)
        self.stamp(GpmiVersion, version.pk, "created_at", created)
        self.stamp_change(version, VersionStatus.DRAFT, created)
        return version

    def present(self, candidate, version, on: datetime.date) -> GpmiVersion:
        self.ensure_needs_analysis(candidate, on - 7 * DAY)
        version = services.version_present(actor=candidate.counsellor, version=version, on=on)
        self.stamp_change(version, VersionStatus.PRESENTED, on)
        return version

    def sign(self, candidate, version, on: datetime.date) -> GpmiVersion:
        version = services.version_sign(
            actor=candidate.counsellor,
            version=version,
            ocmw_signatory_name="Marc Janssens",
            ocmw_signatory_capacity="Voorzitter van het BCSD / Président du CSSS",
            client_signed_on=on,
            ocmw_signed_on=on,
            counsellor_signed_on=on,
        )
        self.stamp_change(version, VersionStatus.SIGNED, on)
        self.stamp_change(version, VersionStatus.ACTIVE, max(on, version.start_date))
        return version

    def signed_contract(
        self, candidate, gpmi, *, presented: datetime.date, signed: datetime.date, **data
    ) -> GpmiVersion:
        version = self.draft(candidate, gpmi, start=signed, created=presented - 6 * DAY, **data)
        version = self.present(candidate, version, presented)
        return self.sign(candidate, version, signed)

    def consent(self, candidate, given: bool, on: datetime.date, method=ConsentMethod.WRITTEN):
        consent = services.consent_record(
            actor=candidate.counsellor,
            client=candidate.client,
            given=given,
            date=on,
            method=method,
        )
        self.stamp(type(consent), consent.pk, "recorded_at", on)

    # --- back-dating ---------------------------------------------------------------------

    def _at(self, day: datetime.date) -> datetime.datetime:
        hour = self.rng.randint(9, 15)
        return timezone.make_aware(
            datetime.datetime.combine(day, datetime.time(hour, self.rng.randint(0, 59)))
        )

    def stamp(self, model, pk: int, field: str, day: datetime.date) -> None:
        at = self._at(min(day, self.today))
        self.fixes.append(lambda: model.objects.filter(pk=pk).update(**{field: at}))

    def stamp_change(self, version: GpmiVersion, to_status: str, day: datetime.date) -> None:
        at = self._at(min(day, self.today))
        self.fixes.append(
            lambda: VersionChange.objects.filter(version=version, to_status=to_status).update(at=at)
        )

    def apply(self) -> None:
        for fix in self.fixes:
            fix()

    # --- the scenarios ------------------------------------------------------------------

    def run(self) -> None:
        today = self.today
        old = lambda days: lambda c: self.days_ago(c.base) >= days  # noqa: E731

        # A running contract on schedule, amended once.
        candidate = self.take(
            lambda c: old(240)(c) and _rule_status(c.evaluations, c.base + 27 * DAY, today) == "ok"
        )
        if candidate:
            gpmi = self.gpmi(candidate, GpmiType.GENERAL, candidate.base + 5 * DAY)
            first = candidate.base + 20 * DAY
            self.signed_contract(candidate, gpmi, presented=first, signed=first + 7 * DAY)
            self.consent(candidate, True, first + 7 * DAY)
            presented = today - 40 * DAY
            version = self.draft(
                candidate,
                gpmi,
                start=today - 30 * DAY,
                created=presented - 3 * DAY,
                extra_objective=self.texts(candidate)["amendment"],
            )
            version = self.present(candidate, version, presented)
            self.sign(candidate, version, today - 30 * DAY)
            self.stamp_change_replaced(gpmi, today - 30 * DAY)

        # A running contract on schedule.
        candidate = self.take(
            lambda c: old(150)(c) and _rule_status(c.evaluations, c.base + 30 * DAY, today) == "ok"
        )
        if candidate:
            gpmi = self.gpmi(candidate, GpmiType.GENERAL, candidate.base + 6 * DAY)
            presented = candidate.base + 23 * DAY
            self.signed_contract(candidate, gpmi, presented=presented, signed=presented + 7 * DAY)
            self.consent(candidate, True, presented + 7 * DAY)

        # Studies with a full-time curriculum (type 9).
        candidate = self.take(old(90))
        if candidate:
            gpmi = self.gpmi(candidate, GpmiType.STUDIES_FULL_TIME, candidate.base + 4 * DAY)
            presented = candidate.base + 30 * DAY
            self.signed_contract(
                candidate,
                gpmi,
                presented=presented,
                signed=presented + 6 * DAY,
                objectives_key="studies",
            )

        # Too few evaluations: the contract start that leaves the trajectory's
        # evaluations furthest behind, preferably past saving this contract year.
        best = None
        for candidate in self.pool:
            for offset in range(14, max(self.days_ago(candidate.base) - 125, 14), 7):
                start = candidate.base + offset * DAY
                status = _rule_status(candidate.evaluations, start, today)
                rank = {"cannot_be_met": 2, "behind": 1}.get(status, 0)
                if rank and (best is None or rank > best[0]):
                    best = (rank, candidate, start)
        if best:
            _rank, candidate, start = best
            self.pool.remove(candidate)
            gpmi = self.gpmi(candidate, GpmiType.GENERAL, start - 14 * DAY)
            self.signed_contract(candidate, gpmi, presented=start - 7 * DAY, signed=start)

        # Ended with the leefloon; consent given, later withdrawn.
        candidate = self.take(old(120))
        if candidate:
            gpmi = self.gpmi(candidate, GpmiType.GENERAL, candidate.base + 5 * DAY)
            presented = candidate.base + 25 * DAY
            version = self.signed_contract(
                candidate, gpmi, presented=presented, signed=presented + 8 * DAY
            )
            self.consent(candidate, True, presented + 8 * DAY)
            ended = today - 12 * DAY
            services.version_end(
                actor=candidate.counsellor,
                version=version,
                reason=EndReason.LEEFLOON_ENDED,
                on=ended,
                note="",
            )
            self.stamp_change(version, VersionStatus.ENDED, ended)
            self.consent(candidate, False, today - 5 * DAY, ConsentMethod.ORAL)

        # Overdue: the decision is more than 3 months old and nothing is signed yet.
        candidate = self.take(
            lambda c: legal_deadline_for(c.decision) < today - 7 * DAY, newest=True
        )
        if candidate:
            gpmi = self.gpmi(candidate, GpmiType.GENERAL, candidate.base + 3 * DAY)
            self.draft(candidate, gpmi, start=today + 14 * DAY, created=today - 9 * DAY)

        # Presented, in its reflection period; the deadline preferably still ahead.
        candidate = self.take(
            lambda c: legal_deadline_for(c.decision) >= today and self.days_ago(c.base) >= 4,
            newest=True,
        ) or self.take(lambda c: self.days_ago(c.base) >= 4, newest=True)
        if candidate:
            gpmi = self.gpmi(candidate, GpmiType.GENERAL, today - 6 * DAY)
            version = self.draft(candidate, gpmi, start=today + 7 * DAY, created=today - 5 * DAY)
            self.present(candidate, version, today - 2 * DAY)

        # Signed, starting in two weeks (student with income from work, type 10).
        candidate = self.take(lambda c: self.days_ago(c.base) >= 12, newest=True)
        if candidate:
            gpmi = self.gpmi(candidate, GpmiType.STUDENT_WORKING, today - 11 * DAY)
            version = self.draft(
                candidate,
                gpmi,
                start=today + 14 * DAY,
                created=today - 10 * DAY,
                objectives_key="studies",
            )
            version = self.present(candidate, version, today - 9 * DAY)
            self.sign(candidate, version, today - 3 * DAY)
            self.consent(candidate, True, today - 3 * DAY)

        # A draft being prepared, preferably with the deadline still ahead.
        candidate = self.take(
            lambda c: legal_deadline_for(c.decision) >= today, newest=True
        ) or self.take(lambda c: True, newest=True)
        if candidate:
            gpmi = self.gpmi(candidate, GpmiType.GENERAL, today - 2 * DAY)
            self.draft(candidate, gpmi, start=today + 10 * DAY, created=today - 1 * DAY)

        # Withdrawn after it was presented.
        candidate = self.take(lambda c: self.days_ago(c.base) >= 15, newest=True)
        if candidate:
            gpmi = self.gpmi(candidate, GpmiType.GENERAL, today - 14 * DAY)
            version = self.draft(candidate, gpmi, start=today, created=today - 13 * DAY)
            version = self.present(candidate, version, today - 10 * DAY)
            services.version_withdraw(
                actor=candidate.counsellor,
                version=version,
                reason=self.texts(candidate)["withdraw"],
            )
            self.stamp_change(version, VersionStatus.WITHDRAWN, today - 6 * DAY)

        # Exemption for health reasons (type 8).
        candidate = self.take(lambda c: True)
        if candidate:
            self.gpmi(
                candidate,
                GpmiType.EXEMPTION,
                min(candidate.base + 20 * DAY, today),
                reason=self.texts(candidate)["exemption"],
            )

    def stamp_change_replaced(self, gpmi: Gpmi, day: datetime.date) -> None:
        at = self._at(min(day, self.today))
        self.fixes.append(
            lambda: VersionChange.objects.filter(
                version__gpmi=gpmi, to_status=VersionStatus.ENDED
            ).update(at=at)
        )


def seed(rng: random.Random) -> None:
    """Demo GPMIs in every state for the demo trajectories (idempotent)."""
    ocmw = Ocmw.objects.filter(name=MAIN_OCMW).first()
    if ocmw is None or Gpmi.objects.filter(client__ocmw=ocmw).exists():
        return
    seeder = _Seeder(ocmw, rng)
    seeder.run()
    seeder.apply()
