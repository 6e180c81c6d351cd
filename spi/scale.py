"""Synthetic big-city activation data, run by ``seed_scale`` after the trajectories.

``seed(plan)`` is appended to ``ocmw.registries.scale_seeders`` in
``SpiConfig.ready()``; it reads ``plan.shared["trajectories"]`` (with each
trajectory's phase path) and makes:

- the measures catalogue (``spi.services.measure_catalogue_seed``) and about 30
  partners with a contact person per OCMW;
- enrolments that fit the phases each client went through, ~1.5 per client:
  workshops and volunteering in social activation, language courses, an art.
  60§7 placement in work experience (running ones with their planned end around
  today: some past it, many within the 60-day warning period, half of those
  with the next step planned; finished ones completed or stopped early), art. 61,
  IBO, ACTIVA or training in professional activation, the job club in job
  placement; work-floor visits during placements;
- referrals to partners (registration with the employment service, training);
- outcomes, ~0.3 per client: the start of work of everyone who reached
  aftercare or left with work, temporary work in job placement, training and
  participation; a start of work has its aftercare checkpoints at +1/+3/+6/+12
  months, most of the past ones recorded, some missed.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator

from dateutil.relativedelta import relativedelta

from ocmw.models import LanguageRegion, Ocmw
from ocmw.scale import DAY, ScalePlan, Timer, at, copy_rows, reserve_ids, weighted
from spi.demo import ART60_PLACES, T
from spi.models import (
    Checkpoint,
    ContactPerson,
    ContractType,
    Enrolment,
    EnrolmentStatus,
    FollowUpVisit,
    Outcome,
    OutcomeType,
    Partner,
    PartnerKind,
    PartnerReferral,
    PartnerReferralStatus,
)
from spi.services import art60_max_end, measure_catalogue_seed
from trajecten.models import ClosingReason
from trajecten.scale import AFT, JOB, PRO, SOC, WEX, TrajectorySeed

CHECKPOINT_MONTHS = [1, 3, 6, 12]
WORK_TYPES = weighted(
    [(OutcomeType.REGULAR_JOB, 55), (OutcomeType.SOCIAL_ECONOMY, 20),
     (OutcomeType.TEMP_WORK, 20), (OutcomeType.SELF_EMPLOYED, 5)]
)  # fmt: skip
PROFESSIONAL = ["art61", "ibo", "activa_sine", "vocational_training"]
MONTHS = {
    "workshop": 6, "volunteering": 9, "language_nl": 10, "language_fr": 10, "art60": 18,
    "art61": 12, "ibo": 4, "activa_sine": 12, "vocational_training": 8, "job_club": 3,
    "job_exploration": 1,
}  # fmt: skip
NOTES = {
    "workshop": "workshop_notes", "volunteering": "volunteer_notes",
    "language_nl": "language_notes", "language_fr": "language_notes", "ibo": "ibo_notes",
    "job_club": "jobclub_notes",
    "vocational_training": "training_notes", "art60": "art60_notes",
}  # fmt: skip
EMPLOYMENT_SERVICE = {
    LanguageRegion.DUTCH: ["VDAB"],
    LanguageRegion.FRENCH: ["Forem"],
    LanguageRegion.BILINGUAL: ["Actiris", "VDAB Brussel"],
}
# (name, kind, sector)
PARTNERS = [
    ("WZC Zonnehof", PartnerKind.INTERNAL, "Zorg / soins"),
    ("WZC De Linde", PartnerKind.INTERNAL, "Zorg / soins"),
    ("OCMW-poetsdienst / service de nettoyage du CPAS", PartnerKind.INTERNAL,
     "Schoonmaak / nettoyage"),
    ("Kinderdagverblijf 't Rakkertje", PartnerKind.INTERNAL, "Kinderopvang / accueil d'enfants"),
    ("Groendienst / service des espaces verts", PartnerKind.INTERNAL, "Groenonderhoud"),
    ("Sociaal restaurant / restaurant social", PartnerKind.INTERNAL, "Keuken / cuisine"),
    ("Maatwerkbedrijf De Groene Ploeg", PartnerKind.SOCIAL_ECONOMY, "Groenonderhoud"),
    ("Kringwinkel Centrum", PartnerKind.SOCIAL_ECONOMY, "Tweedehands / seconde main"),
    ("Entreprise de formation par le travail Le Pivot", PartnerKind.SOCIAL_ECONOMY,
     "Bâtiment / bouw"),
    ("Les Petits Riens", PartnerKind.NON_PROFIT, "Seconde main / tweedehands"),
    ("Buurthuis De Brug", PartnerKind.NON_PROFIT, "Vrijwilligerswerk"),
    ("Lire et Écrire", PartnerKind.TRAINING_CENTRE, "Cours de français / alpha"),
    ("Huis van het Nederlands", PartnerKind.TRAINING_CENTRE, "Taalcursussen NT2"),
    ("Centre de formation Bâti-Pro", PartnerKind.TRAINING_CENTRE, "Bouw / bâtiment"),
    ("Opleidingscentrum Logistiek", PartnerKind.TRAINING_CENTRE, "Logistiek"),
    ("Logistiek Noord BV", PartnerKind.EMPLOYER, "Logistiek"),
    ("Brasserie De Markt", PartnerKind.EMPLOYER, "Horeca"),
    ("Nettoyage Iris SRL", PartnerKind.EMPLOYER, "Nettoyage"),
    ("Interim Plus", PartnerKind.EMPLOYER, "Uitzendarbeid / intérim"),
    ("Supermarché Les Halles", PartnerKind.EMPLOYER, "Retail"),
    ("Bouwbedrijf Van Acker & Zonen", PartnerKind.EMPLOYER, "Bouw"),
    ("Transports Lemaître", PartnerKind.EMPLOYER, "Transport"),
    ("Hôtel Régina", PartnerKind.EMPLOYER, "Horeca"),
    ("Zorggroep Sint-Jozef", PartnerKind.EMPLOYER, "Zorg"),
    ("Boulangerie Dupré", PartnerKind.EMPLOYER, "Voeding / alimentation"),
    ("Schoonmaakbedrijf Net & Proper", PartnerKind.EMPLOYER, "Schoonmaak"),
]  # fmt: skip
CONTACT_NAMES = ["Greet Van Hove", "Marc Dierickx", "Els Peeters", "Sofie Lenaerts",
                 "Karim Haddad", "Nadia Benali", "Anne Dubois", "Tom Maes", "Jef Wouters",
                 "Hélène Renard", "Peter Claes", "Loïc Fontaine"]  # fmt: skip
STOP_REASON = ("Afgebroken: langdurig ziek.", "Arrêté : maladie de longue durée.")

ENROLMENT_COLUMNS = [
    "id", "client_id", "trajectory_id", "measure_id", "is_art60", "partner_id", "start_date",
    "planned_end_date", "actual_end_date", "hours_per_week", "status", "stop_reason",
    "costs_covered", "notes", "user_organisation_id", "job_title", "sector", "max_end_date",
    "over_max_reason", "next_step", "created_by_id", "created_at", "updated_at",
]  # fmt: skip
VISIT_COLUMNS = [
    "enrolment_id", "date", "staff_id", "situation", "problems", "agreements",
    "duration_minutes", "created_at",
]  # fmt: skip
OUTCOME_COLUMNS = [
    "id", "trajectory_id", "type", "start_date", "employer", "contract_type", "hours_per_week",
    "recorded_by_id", "created_at",
]  # fmt: skip
CHECKPOINT_COLUMNS = [
    "outcome_id", "months", "due_date", "done_on", "contact_made", "still_employed",
    "same_employer", "problems", "support_given", "done_by_id",
]  # fmt: skip
REFERRAL_COLUMNS = [
    "client_id", "trajectory_id", "partner_id", "contact_person_id", "purpose", "handover_note",
    "status", "sent_on", "accepted_on", "started_on", "ended_on", "result", "created_by_id",
]  # fmt: skip


class OcmwCatalogue:
    """An OCMW's measures and partners, by what the seeder looks for."""

    def __init__(self, ocmw: Ocmw) -> None:
        self.measures = {m.code: m for m in measure_catalogue_seed(ocmw=ocmw)}
        rows = [(name, kind, sector) for name, kind, sector in PARTNERS]
        rows += [(name, PartnerKind.EMPLOYMENT_SERVICE, "Arbeidsbemiddeling / emploi")
                 for name in EMPLOYMENT_SERVICE[ocmw.language_region]]  # fmt: skip
        partners = Partner.objects.bulk_create(
            [
                Partner(
                    ocmw=ocmw,
                    name=name,
                    kind=kind,
                    sector=sector,
                    phone=f"02 555 {10 + index:02d} {10 + index:02d}",
                    email=f"info{index}@partner.invalid",
                )
                for index, (name, kind, sector) in enumerate(rows)
            ]
        )
        people = ContactPerson.objects.bulk_create(
            [
                ContactPerson(partner=p, name=CONTACT_NAMES[i % len(CONTACT_NAMES)], role="")
                for i, p in enumerate(partners)
            ]
        )
        self.contact_of = {person.partner_id: person.pk for person in people}
        self.by_kind: dict[str, list[int]] = {}
        for partner in partners:
            self.by_kind.setdefault(partner.kind, []).append(partner.pk)
        self.names = {p.pk: p.name for p in partners}
        self.placements = [p.pk for p in partners if p.kind in (
            PartnerKind.INTERNAL, PartnerKind.SOCIAL_ECONOMY)]  # fmt: skip
        self.employers = self.by_kind[PartnerKind.EMPLOYER]


def _status(
    rng: random.Random,
    start: datetime.date,
    planned: datetime.date,
    left: datetime.date | None,
    today: datetime.date,
    overrun: float = 0.15,
) -> tuple[str, datetime.date | None]:
    """Status and actual end of a measure started on ``start``, planned until
    ``planned``, in a phase the client ``left`` on that day (None: still in it);
    ``overrun`` is the chance that a measure past its planned end still runs."""
    if start > today:
        return EnrolmentStatus.PLANNED, None
    if left is not None and left < planned:
        if rng.random() < 0.15:
            return EnrolmentStatus.STOPPED, max(start, left)
        return EnrolmentStatus.COMPLETED, max(start, left)
    if planned < today and (left is not None or rng.random() >= overrun):
        return EnrolmentStatus.COMPLETED, planned
    return EnrolmentStatus.RUNNING, None


class Writer:
    def __init__(self, plan: ScalePlan, catalogues: list[OcmwCatalogue]) -> None:
        self.plan = plan
        self.today = plan.today
        self.catalogues = catalogues
        self.enrolment_id = 0
        self.outcome_id = 0
        self.reset()

    def reset(self) -> None:
        self.rows: dict[str, list[tuple]] = {k: [] for k in ("e", "v", "o", "cp", "r")}

    def enrol(
        self,
        rng: random.Random,
        t: TrajectorySeed,
        code: str,
        start: datetime.date,
        left: datetime.date | None,
        partner: int | None,
    ) -> None:
        today = self.today
        end = t.end(today)
        if start > end or start > today + DAY * 30:
            return
        catalogue = self.catalogues[t.ocmw_index]
        lang = 0 if t.lang == "nl" else 1
        rnd = rng.random
        months = MONTHS.get(code, 6)
        planned = start + relativedelta(months=months) - DAY
        if t.closed is not None and (left is None or t.closed < left):
            left = t.closed
        art60 = code == "art60"
        max_end = art60_max_end(start, 24) if art60 else None
        job_title = sector = next_step = ""
        user_organisation = None
        if art60:
            place, job_nl, job_fr, sector = ART60_PLACES[int(rnd() * len(ART60_PLACES))]
            job_title = (job_nl, job_fr)[lang]
            user_organisation = catalogue.placements[int(rnd() * len(catalogue.placements))]
            partner = user_organisation
            if left is None:
                # Still in work experience: the planned end lies around today.
                planned = today + DAY * (int(rnd() * 230) - 30)
                planned = min(max(planned, start + DAY * 180), max_end)
        status, actual = _status(rng, start, planned, left, today, 0.5 if art60 else 0.15)
        stop_reason = STOP_REASON[lang] if status == EnrolmentStatus.STOPPED else ""
        if art60 and status == EnrolmentStatus.RUNNING and planned - today < DAY * 60:
            next_step = T["next_ibo"][lang] if rnd() < 0.5 else ""
        created = at(min(start, today), 600 + int(rnd() * 300))
        enrolment_id = self.enrolment_id
        self.enrolment_id += 1
        hours = "38.0" if art60 or rnd() < 0.3 else "19.0"
        self.rows["e"].append(
            (enrolment_id, t.client_id, t.id, catalogue.measures[code].pk, art60, partner, start,
             planned, actual, hours, status, stop_reason,
             T["costs"][lang] if art60 else "", T[NOTES[code]][lang] if code in NOTES else "",
             user_organisation, job_title, sector, max_end, "", next_step, t.counsellor_id,
             created, created)
        )  # fmt: skip
        if art60 and status != EnrolmentStatus.PLANNED:
            last = min(actual or today, today)
            day = start + DAY * (5 + int(rnd() * 10))
            keys = ["visit_start", "visit_ok", "visit_problem"]
            for key in keys[: 1 + int(rnd() * 3)]:
                if day > last:
                    break
                self.rows["v"].append(
                    (enrolment_id, day, t.counsellor_id, T[key][lang],
                     T["visit_problem"][lang] if key == "visit_problem" else "",
                     T["visit_agree"][lang] if key == "visit_problem" else "", 60,
                     at(day, 800))
                )  # fmt: skip
                day += DAY * (40 + int(rnd() * 60))

    def outcome(
        self, rng: random.Random, t: TrajectorySeed, kind: str, start: datetime.date
    ) -> None:
        today = self.today
        if start > today:
            return
        rnd = rng.random
        catalogue = self.catalogues[t.ocmw_index]
        outcome_id = self.outcome_id
        self.outcome_id += 1
        work = kind in (OutcomeType.REGULAR_JOB, OutcomeType.SOCIAL_ECONOMY,
                        OutcomeType.TEMP_WORK, OutcomeType.SELF_EMPLOYED)  # fmt: skip
        employer = catalogue.names[catalogue.employers[int(rnd() * len(catalogue.employers))]]
        contract = (ContractType.OPEN_ENDED if rnd() < 0.5 else ContractType.FIXED_TERM) if (
            work and kind != OutcomeType.SELF_EMPLOYED) else ContractType.NONE  # fmt: skip
        self.rows["o"].append(
            (outcome_id, t.id, kind, start, employer if work else "", contract,
             "38.0" if rnd() < 0.6 else "30.4", t.counsellor_id, at(start, 700))
        )  # fmt: skip
        if not work:
            return
        lang = 0 if t.lang == "nl" else 1
        followed_until = min(t.closed or today, today)
        for months in CHECKPOINT_MONTHS:
            due = start + relativedelta(months=months)
            if due <= followed_until and rnd() < 0.85:
                done = min(today, due + DAY * (int(rnd() * 15) - 3))
                employed = rnd() < 0.82
                self.rows["cp"].append(
                    (outcome_id, months, due, done, True, employed, employed and rnd() < 0.9,
                     "" if employed else T["interim_ended"][lang],
                     T["checkpoint_support"][lang] if rnd() < 0.3 else "", t.counsellor_id)
                )  # fmt: skip
            else:
                self.rows["cp"].append(
                    (outcome_id, months, due, None, None, None, None, "", "", None)
                )

    def refer(self, rng: random.Random, t: TrajectorySeed, sent: datetime.date, key: str) -> None:
        today = self.today
        if sent >= today:
            return
        rnd = rng.random
        catalogue = self.catalogues[t.ocmw_index]
        lang = 0 if t.lang == "nl" else 1
        kinds = (PartnerKind.EMPLOYMENT_SERVICE if key == "ref_register"
                 else PartnerKind.TRAINING_CENTRE)  # fmt: skip
        options = catalogue.by_kind[kinds]
        partner = options[int(rnd() * len(options))]
        steps = [sent]
        for _ in range(3):
            following = steps[-1] + DAY * (3 + int(rnd() * 20))
            if following >= today or rnd() < 0.15:
                break
            steps.append(following)
        status = [
            PartnerReferralStatus.SENT,
            PartnerReferralStatus.ACCEPTED,
            PartnerReferralStatus.STARTED,
            PartnerReferralStatus.ENDED,
        ][len(steps) - 1]
        accepted, started, ended = (steps[1:] + [None, None, None])[:3]  # fmt: skip
        self.rows["r"].append(
            (t.client_id, t.id, partner, catalogue.contact_of.get(partner), T[key][lang],
             T[f"{key}_note"][lang].format(lang=("Frans", "français")[lang]), status, sent,
             accepted, started, ended,
             T["ref_register_result"][lang] if ended and key == "ref_register" else "",
             t.counsellor_id)
        )  # fmt: skip

    def trajectory(self, rng: random.Random, t: TrajectorySeed) -> None:
        rnd = rng.random
        today = self.today
        end = t.end(today)

        def after(span_start: datetime.date, low: int, spread: int) -> datetime.date:
            return span_start + DAY * (low + int(rnd() * spread))

        if rnd() < (0.7 if t.profile == "language" else 0.08):
            code = "language_nl" if t.lang == "fr" and rnd() < 0.6 else "language_fr"
            self.enrol(rng, t, code, after(t.opened, 10, 50), None, None)
        soc = t.span(SOC, today)
        if soc:
            left = soc[1] + DAY if soc[1] < end else None
            if rnd() < 0.5:
                self.enrol(rng, t, "workshop", after(soc[0], 3, 15), left, None)
            if rnd() < 0.2:
                self.enrol(rng, t, "volunteering", after(soc[0], 20, 40), left, None)
            if rnd() < 0.06 and soc[0] + DAY * 60 < end:
                self.outcome(rng, t, OutcomeType.PARTICIPATION, after(soc[0], 30, 30))
        wex = t.span(WEX, today)
        if wex:
            left = wex[1] + DAY if wex[1] < end else None
            if rnd() < 0.82 or t.bench:
                self.enrol(rng, t, "art60", after(wex[0], 7, 21), left, None)
            else:
                self.enrol(rng, t, "vocational_training", after(wex[0], 7, 21), left, None)
            if rnd() < 0.2:
                self.refer(rng, t, after(wex[0], 30, 60), "ref_training")
        pro = t.span(PRO, today)
        if pro:
            left = pro[1] + DAY if pro[1] < end else None
            if rnd() < 0.7:
                code = PROFESSIONAL[int(rnd() * len(PROFESSIONAL))]
                self.enrol(rng, t, code, after(pro[0], 5, 15), left, None)
            if rnd() < 0.5:
                self.refer(rng, t, after(pro[0], 2, 10), "ref_register")
        job = t.span(JOB, today)
        if job:
            left = job[1] + DAY if job[1] < end else None
            if rnd() < 0.5:
                self.enrol(rng, t, "job_club", after(job[0], 3, 12), left, None)
            if not pro and rnd() < 0.5:
                self.refer(rng, t, after(job[0], 2, 10), "ref_register")
            if not t.reached(AFT) and rnd() < 0.5:
                # Temporary work found in job placement (the client may be back since).
                self.outcome(rng, t, OutcomeType.TEMP_WORK, after(job[0], 20, 40))
        aft = t.span(AFT, today)
        if aft:
            kind = rng.choices(WORK_TYPES[0], cum_weights=WORK_TYPES[1])[0]
            self.outcome(rng, t, kind, aft[0] - DAY * int(rnd() * 10))
        elif t.closed is not None:
            reason = t.closing_reason
            if reason == ClosingReason.SUSTAINABLE_WORK:
                self.outcome(rng, t, OutcomeType.REGULAR_JOB, t.closed - DAY * int(rnd() * 20))
            elif reason == ClosingReason.SOCIAL_ECONOMY:
                self.outcome(rng, t, OutcomeType.SOCIAL_ECONOMY, t.closed - DAY * int(rnd() * 20))
            elif reason == ClosingReason.TRAINING:
                self.outcome(rng, t, OutcomeType.TRAINING, t.closed - DAY * int(rnd() * 20))

    def flush(self) -> None:
        rows = self.rows
        copy_rows(Enrolment, ENROLMENT_COLUMNS, rows["e"])
        copy_rows(FollowUpVisit, VISIT_COLUMNS, rows["v"])
        copy_rows(Outcome, OUTCOME_COLUMNS, rows["o"])
        copy_rows(Checkpoint, CHECKPOINT_COLUMNS, rows["cp"])
        copy_rows(PartnerReferral, REFERRAL_COLUMNS, rows["r"])


def _chunks(plan: ScalePlan, trajectories: list[TrajectorySeed]) -> Iterator[tuple[int, list]]:
    yield from enumerate(plan.chunks(trajectories))


def seed(plan: ScalePlan) -> None:
    trajectories: list[TrajectorySeed] = plan.shared["trajectories"]
    with Timer(plan, "measures and partners"):
        ocmws = Ocmw.objects.in_bulk([o.id for o in plan.ocmw_plans])
        catalogues = [OcmwCatalogue(ocmws[o.id]) for o in plan.ocmw_plans]
    writer = Writer(plan, catalogues)
    writer.enrolment_id = reserve_ids(Enrolment, 8 * len(trajectories))
    writer.outcome_id = reserve_ids(Outcome, 3 * len(trajectories))
    counts = {"e": 0, "o": 0}
    with Timer(plan, "enrolments, outcomes and aftercare"):
        for chunk_no, chunk in _chunks(plan, trajectories):
            rng = plan.rng("spi", chunk_no)
            writer.reset()
            for t in chunk:
                writer.trajectory(rng, t)
            counts["e"] += len(writer.rows["e"])
            counts["o"] += len(writer.rows["o"])
            writer.flush()
    plan.log(f"  {counts['e']} enrolments, {counts['o']} outcomes")
