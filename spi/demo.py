"""Demo data of the SPI app, run by ``python manage.py seed_demo``.

``seed(rng)`` is appended to ``ocmw.registries.demo_seeders`` in
``SpiConfig.ready()``. ``spi`` comes after ``trajecten`` and ``gpmi`` in
``INSTALLED_APPS``, so it runs after their seeders, on the demo trajectories.

What it makes:

- the measures catalogue (Belgian defaults) of both demo OCMWs;
- the partners of the main OCMW with their contact people: internal services
  (WZC Zonnehof, the cleaning service, the childcare centre), VDAB and Actiris,
  De Groene Ploeg (social-economy enterprise), Les Petits Riens, training
  centres and employers, plus one duplicate ("Actiris Brussel") to merge in the
  admin; two partners of the second OCMW;
- enrolments that fit each client's phase: workshops, volunteering and language
  courses in social activation; art. 60§7 placements in work experience (one
  ending within the warning period without a next step, one with its next step
  planned, one stopped early after a relapse), with work-floor visits; IBO,
  art. 61 and ACTIVA in professional activation; the job club in job placement;
- referrals to partners with their handover notes (sent, accepted, started,
  ended);
- the job table: a session last week with attendance (so it is in each
  participant's journal) and the next one planned, plus an information session;
- outcomes: the starts of work of three clients, who move on to aftercare
  with checkpoints done and due, and the outcomes of the trajectories that were
  closed because the client found work.

Everything is written through ``spi.services`` (and
``trajecten.services.trajectory_transition`` for the move to aftercare) with
dates in the past where the services take them; the timestamps the services
stamp with "now" (``created_at``, the phase change into aftercare) are then
moved to their story date, as the trajectory demo does. Demo data only.

**Idempotent.** Measures and partners are looked up by code and name; the
enrolments, outcomes and sessions are made only when the main OCMW has none yet.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from ocmw.models import Client, Ocmw, User
from spi import services
from spi.models import (
    AttendanceStatus,
    ContractType,
    Enrolment,
    FollowUpVisit,
    GroupSession,
    Measure,
    Outcome,
    OutcomeType,
    Partner,
    PartnerKind,
    PartnerReferral,
    PartnerReferralStatus,
)
from trajecten import services as trajecten_services
from trajecten.demo import REASONS
from trajecten.models import ClosingReason, Contact, Phase, PhaseChange, Trajectory, case_clients

MAIN_OCMW = "OCMW Brussel-Demo / CPAS Bruxelles-Démo"
OTHER_OCMW = "OCMW Andersgem"
STAFF = ("counsellor", "counsellor2", "teamlead")
DAY = datetime.timedelta(days=1)
NL, FR = "nl", "fr"

# name, kind, sector, address, phone, e-mail, [(contact, role, phone, e-mail)]
PARTNERS = [
    ("WZC Zonnehof", PartnerKind.INTERNAL, "Zorg / soins", "Zonnelaan 12, 1000 Brussel",
     "02 555 10 10", "zonnehof@ocmw-demo.invalid",
     [("Greet Van Hove", "Hoofdverpleegkundige, mentor art. 60", "02 555 10 12",
       "greet.vanhove@ocmw-demo.invalid"),
      ("Luc Janssens", "Directeur", "02 555 10 11", "")]),
    ("OCMW-poetsdienst / service de nettoyage du CPAS", PartnerKind.INTERNAL,
     "Schoonmaak / nettoyage", "Koningsstraat 40, 1000 Brussel", "02 555 20 20", "",
     [("Marc Dierickx", "Ploegbaas / chef d'équipe", "0475 11 22 33", "")]),
    ("Kinderdagverblijf 't Rakkertje", PartnerKind.INTERNAL, "Kinderopvang / accueil d'enfants",
     "Antwerpsesteenweg 8, 1000 Brussel", "02 555 30 30", "",
     [("Els Peeters", "Verantwoordelijke", "02 555 30 31", "")]),
    ("VDAB Brussel", PartnerKind.EMPLOYMENT_SERVICE, "Arbeidsbemiddeling",
     "Rogierplein 11, 1210 Sint-Joost-ten-Node", "0800 30 700", "brussel@vdab.invalid",
     [("Sofie Lenaerts", "Trajectbegeleider", "02 506 15 40", "sofie.lenaerts@vdab.invalid")]),
    ("Actiris", PartnerKind.EMPLOYMENT_SERVICE, "Emploi / arbeidsbemiddeling",
     "Boulevard Anspach 65, 1000 Bruxelles", "02 800 42 42", "info@actiris.invalid",
     [("Karim Haddad", "Conseiller emploi / jobcoach", "02 505 79 00",
       "k.haddad@actiris.invalid")]),
    ("Actiris Brussel", PartnerKind.EMPLOYMENT_SERVICE, "", "", "", "", []),
    ("Maatwerkbedrijf De Groene Ploeg", PartnerKind.SOCIAL_ECONOMY, "Groenonderhoud",
     "Kanaalweg 3, 1080 Molenbeek", "02 410 22 00", "info@groeneploeg.invalid",
     [("Jef Wouters", "Begeleider op de werkvloer", "0486 44 55 66",
       "jef@groeneploeg.invalid")]),
    ("Les Petits Riens", PartnerKind.NON_PROFIT, "Seconde main / tweedehands",
     "Rue Américaine 101, 1050 Ixelles", "02 537 30 26", "",
     [("Nadia Benali", "Responsable des bénévoles", "02 537 30 27", "")]),
    ("Bruxelles Formation", PartnerKind.TRAINING_CENTRE, "Formation professionnelle",
     "Rue de Stalle 67, 1180 Uccle", "02 371 73 50", "",
     [("Anne Dubois", "Conseillère formation", "02 371 73 51", "")]),
    ("Huis van het Nederlands Brussel", PartnerKind.TRAINING_CENTRE, "Taalcursussen NT2",
     "Philippe de Champagnestraat 23, 1000 Brussel", "02 501 66 60", "",
     [("Tom Maes", "Taalconsulent", "02 501 66 61", "")]),
    ("Lire et Écrire Bruxelles", PartnerKind.TRAINING_CENTRE, "Cours de français / alpha",
     "Rue Charles Parenté 10, 1070 Anderlecht", "02 412 56 10", "", []),
    ("Logistiek Noord BV", PartnerKind.EMPLOYER, "Logistiek",
     "Havenlaan 86, 1000 Brussel", "02 203 40 40", "",
     [("Peter Claes", "HR-verantwoordelijke", "02 203 40 41", "")]),
    ("Brasserie De Markt", PartnerKind.EMPLOYER, "Horeca", "Grote Markt 7, 1000 Brussel",
     "02 511 00 11", "", [("Hilde Maes", "Zaakvoerder", "0477 12 12 12", "")]),
    ("Nettoyage Iris SRL", PartnerKind.EMPLOYER, "Nettoyage", "Rue de Brabant 150, 1030 Schaerbeek",
     "02 215 77 00", "", []),
    ("Interim Plus Brussel", PartnerKind.EMPLOYER, "Uitzendarbeid / intérim",
     "Nieuwstraat 20, 1000 Brussel", "02 217 88 00", "", []),
]  # fmt: skip
OTHER_PARTNERS = [
    ("VDAB Andersgem", PartnerKind.EMPLOYMENT_SERVICE, "Arbeidsbemiddeling", "", "", "", []),
    ("WZC De Linde", PartnerKind.INTERNAL, "Zorg", "Lindelaan 1, Andersgem", "", "",
     [("Karel Smet", "Mentor art. 60", "", "")]),
]  # fmt: skip

# Art. 60 workplaces: (partner, job nl, job fr, sector)
ART60_PLACES = [
    ("WZC Zonnehof", "logistiek assistent", "aide logistique", "Zorg / soins"),
    ("OCMW-poetsdienst / service de nettoyage du CPAS", "schoonmaakmedewerker",
     "agent d'entretien", "Schoonmaak / nettoyage"),
    ("Maatwerkbedrijf De Groene Ploeg", "groenarbeider", "ouvrier des espaces verts",
     "Groenonderhoud"),
    ("Kinderdagverblijf 't Rakkertje", "kinderbegeleider", "accueillant d'enfants",
     "Kinderopvang / accueil d'enfants"),
]  # fmt: skip

T = {
    "costs": ("Werkkledij, veiligheidsschoenen en MIVB-abonnement.",
              "Vêtements de travail, chaussures de sécurité et abonnement STIB."),
    "art60_notes": ("Contract om het recht op werkloosheidsuitkering te openen; halftijds de "
                    "eerste maand, daarna voltijds.",
                    "Contrat pour ouvrir le droit aux allocations de chômage ; mi-temps le "
                    "premier mois, puis temps plein."),
    "next_ibo": ("IBO als magazijnmedewerker bij Logistiek Noord, gesprek gepland.",
                 "FPI comme magasinier chez Logistiek Noord, entretien prévu."),
    "visit_ok": ("Werkt zelfstandig, komt stipt; collega's zijn tevreden.",
                 "Travaille de manière autonome, ponctuel ; les collègues sont satisfaits."),
    "visit_problem": ("Twee keer te laat na het weekend; vermoeid.",
                      "Deux retards après le week-end ; fatigué."),
    "visit_agree": ("Wekker en vervoer besproken; over drie weken opnieuw langs.",
                    "Réveil et transport discutés ; nouvelle visite dans trois semaines."),
    "visit_start": ("Eerste week: rondleiding, afspraken met de mentor, werkrooster bekeken.",
                    "Première semaine : visite, accords avec le tuteur, horaire parcouru."),
    "relapse_stop": ("Terugval in alcoholgebruik; in overleg met de werkplek stopgezet.",
                     "Rechute (alcool) ; arrêté en accord avec le lieu de travail."),
    "workshop_notes": ("Groepswerking twee voormiddagen per week: zelfbeeld, dagritme.",
                       "Atelier deux matinées par semaine : image de soi, rythme de vie."),
    "volunteer_notes": ("Vrijwilliger in de winkel, sortering van kleding.",
                        "Bénévole au magasin, tri des vêtements."),
    "language_notes": ("Avondcursus, twee keer per week.", "Cours du soir, deux fois par semaine."),
    "ibo_notes": ("Werkgever engageert na de IBO minstens even lang.",
                  "L'employeur engage au moins aussi longtemps après la FPI."),
    "jobclub_notes": ("Sollicitatiebrieven en oefengesprekken in groep.",
                      "Lettres de motivation et simulations d'entretien en groupe."),
    "training_notes": ("Start na de infosessie; inschrijving via de consulent.",
                       "Début après la séance d'information ; inscription via la conseillère."),
    "ref_register": ("Inschrijving als werkzoekende en jobcoaching",
                     "Inscription comme chercheur d'emploi et jobcoaching"),
    "ref_register_note": ("Gemotiveerd om te werken; cv is klaar. Spreekt vlot {lang}. "
                          "Graag een jobcoach die ook de nazorg kent.",
                          "Motivé à travailler ; le CV est prêt. Parle couramment {lang}. "
                          "Un jobcoach qui connaît aussi le suivi serait bienvenu."),
    "ref_register_result": ("Ingeschreven; jobcoach toegewezen.",
                            "Inscrit ; un jobcoach a été désigné."),
    "ref_training": ("Oriëntatie naar een beroepsopleiding", "Orientation vers une formation"),
    "ref_training_note": ("Wil een opleiding in de logistiek; heeft al heftruckervaring. Geen "
                          "rijbewijs, dus een werkplek met het openbaar vervoer.",
                          "Souhaite une formation en logistique ; a déjà conduit un chariot "
                          "élévateur. Pas de permis : lieu accessible en transports en commun."),
    "ref_language": ("Taaltest en inschrijving voor een taalcursus",
                     "Test de langue et inscription à un cours"),
    "ref_language_note": ("Spreekt nog weinig {lang}; lessen 's avonds (kinderopvang overdag).",
                          "Parle encore peu {lang} ; cours le soir (garde d'enfants en "
                          "journée)."),
    "hired": ("Vaste aanwerving bij De Groene Ploeg na het contract.",
              "Engagement fixe chez De Groene Ploeg après le contrat."),
    "checkpoint_ok": ("Geen problemen; tevreden over de job.",
                      "Pas de problème ; satisfait de l'emploi."),
    "checkpoint_support": ("Vragen over de eindafrekening van het leefloon beantwoord.",
                           "Questions sur le décompte final du revenu d'intégration."),
    "checkpoint_tired": ("Vermoeid door de vroege diensten.",
                         "Fatigué par les horaires matinaux."),
    "checkpoint_tired_support": ("Kinderopvang aan huis aangevraagd.",
                                 "Garde d'enfants à domicile demandée."),
    "interim_ended": ("Interimcontract niet verlengd.", "Contrat intérimaire non prolongé."),
    "interim_support": ("Terug naar het OCMW; nieuw traject besproken.",
                        "Retour au CPAS ; nouveau trajet discuté."),
}  # fmt: skip
LANGUAGE_WORD = {"Dutch": ("Nederlands", "néerlandais"), "French": ("Frans", "français")}
EMPLOYERS = {
    OutcomeType.REGULAR_JOB: ["Logistiek Noord BV", "Brasserie De Markt", "Nettoyage Iris SRL"],
    OutcomeType.TEMP_WORK: ["Interim Plus Brussel"],
    OutcomeType.SOCIAL_ECONOMY: ["Maatwerkbedrijf De Groene Ploeg", "Les Petits Riens"],
}


def _lang(client: Client) -> str:
    if client.preferred_language in (NL, FR):
        return client.preferred_language
    spoken = client.languages_spoken or []
    return FR if "French" in spoken and "Dutch" not in spoken else NL


def _t(client: Client, key: str, **extra: str) -> str:
    text = T[key][0 if _lang(client) == NL else 1]
    return text.format(**extra) if extra else text


def _at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class _Seeder:
    def __init__(self, ocmw: Ocmw, users: dict[str, User], rng: random.Random) -> None:
        self.ocmw = ocmw
        self.users = users
        self.rng = rng
        self.today = timezone.localdate()
        self.partners: dict[str, Partner] = {}
        self.measures: dict[str, Measure] = {}

    # --- catalogue and partners -----------------------------------------------------------

    def catalogue(self) -> None:
        self.measures = {m.code: m for m in services.measure_catalogue_seed(ocmw=self.ocmw)}

    def partner_list(self, rows: list[tuple], actor: User) -> None:
        existing = {p.name: p for p in Partner.objects.filter(ocmw=self.ocmw)}
        for name, kind, sector, address, phone, email, contacts in rows:
            partner = existing.get(name)
            if partner is None:
                partner = services.partner_create(
                    actor=actor,
                    data={
                        "name": name,
                        "kind": kind,
                        "sector": sector,
                        "address": address,
                        "phone": phone,
                        "email": email,
                    },
                )
                for person, role, person_phone, person_email in contacts:
                    services.contact_person_create(
                        actor=actor,
                        partner=partner,
                        data={
                            "name": person,
                            "role": role,
                            "phone": person_phone,
                            "email": person_email,
                        },
                    )
            self.partners[name] = partner

    # --- helpers -----------------------------------------------------------------------------

    def day(self, lo: datetime.date, hi: datetime.date) -> datetime.date:
        """A random day in [lo, hi] (hi at most yesterday)."""
        hi = min(hi, self.today - DAY)
        if hi <= lo:
            return min(lo, hi)
        return lo + datetime.timedelta(days=self.rng.randint(0, (hi - lo).days))

    def enrol(
        self,
        trajectory: Trajectory,
        code: str,
        start: datetime.date,
        *,
        partner: str | None = None,
        end: datetime.date | None = None,
        hours: str | None = None,
        notes: str = "",
        run: bool = True,
        complete_on: datetime.date | None = None,
        stop: tuple[datetime.date, str] | None = None,
        **extra,
    ) -> Enrolment:
        actor = trajectory.counsellor
        data = {
            "measure": self.measures[code],
            "partner": self.partners[partner] if partner else None,
            "start_date": start,
            "planned_end_date": end,
            "hours_per_week": Decimal(hours) if hours else None,
            "notes": notes,
            **extra,
        }
        enrolment = services.enrolment_create(actor=actor, client=trajectory.client, data=data)
        if run and start <= self.today:
            enrolment = services.enrolment_start(actor=actor, enrolment=enrolment, on=start)
        if complete_on:
            enrolment = services.enrolment_complete(
                actor=actor, enrolment=enrolment, on=complete_on
            )
        if stop:
            on, reason = stop
            enrolment = services.enrolment_stop(
                actor=actor, enrolment=enrolment, reason=reason, on=on
            )
        stamp = _at(min(start, self.today - DAY), 9)
        Enrolment.objects.filter(pk=enrolment.pk).update(created_at=stamp)
        return enrolment

    def visit(
        self, enrolment: Enrolment, day: datetime.date, situation: str, **extra
    ) -> FollowUpVisit:
        client = enrolment.client
        visit = services.followup_visit_record(
            actor=self.trajectory_of(client).counsellor,
            enrolment=enrolment,
            data={"date": day, "situation": situation, "duration_minutes": 45, **extra},
        )
        FollowUpVisit.objects.filter(pk=visit.pk).update(created_at=_at(day, 14))
        return visit

    def trajectory_of(self, client: Client) -> Trajectory:
        return self._trajectories[client.pk]

    def refer(
        self,
        trajectory: Trajectory,
        partner: str,
        purpose_key: str,
        note_key: str,
        sent_on: datetime.date,
        steps: tuple[tuple[str, datetime.date], ...] = (),
        result_key: str = "",
        **words: str,
    ) -> PartnerReferral:
        client, actor = trajectory.client, trajectory.counsellor
        contact = self.partners[partner].contacts.order_by("pk").first()
        referral = services.partner_referral_create(
            actor=actor,
            client=client,
            data={
                "partner": self.partners[partner],
                "contact_person": contact,
                "purpose": _t(client, purpose_key),
                "handover_note": _t(client, note_key, **words),
                "sent_on": sent_on,
            },
        )
        for status, on in steps:
            ending = status in (PartnerReferralStatus.ENDED, PartnerReferralStatus.REFUSED)
            referral = services.partner_referral_advance(
                actor=actor,
                referral=referral,
                status=status,
                on=on,
                result=_t(client, result_key) if ending else "",
            )
        return referral

    # --- enrolments per phase ----------------------------------------------------------------

    def activities(self, trajectories: list[Trajectory]) -> None:
        self._trajectories = {t.client_id: t for t in trajectories}
        by_phase: dict[str, list[Trajectory]] = {}
        for trajectory in trajectories:
            by_phase.setdefault(trajectory.phase, []).append(trajectory)
        for trajectory in by_phase.get(Phase.PRECONDITIONS, []):
            self.language_course(trajectory, trajectory.phase_since.date())
        for index, trajectory in enumerate(by_phase.get(Phase.SCREENING, [])):
            since = trajectory.phase_since.date()
            if index % 2 == 0:
                self.refer(
                    trajectory,
                    self.employment_service(trajectory.client),
                    "ref_register",
                    "ref_register_note",
                    self.day(since, since + 5 * DAY),
                    lang=self.spoken(trajectory.client),
                )
            else:
                self.enrol(
                    trajectory,
                    "vocational_training",
                    self.today + 21 * DAY,
                    partner="Bruxelles Formation",
                    end=self.today + 21 * DAY + datetime.timedelta(days=180),
                    hours="30",
                    notes=_t(trajectory.client, "training_notes"),
                    run=False,
                )
        for index, trajectory in enumerate(by_phase.get(Phase.SOCIAL_ACTIVATION, [])):
            self.social_activation(trajectory, index)
        wex = sorted(by_phase.get(Phase.WORK_EXPERIENCE, []), key=lambda t: t.phase_since)
        for index, trajectory in enumerate(wex):
            self.art60(trajectory, index)
        for index, trajectory in enumerate(by_phase.get(Phase.PROFESSIONAL_ACTIVATION, [])):
            self.professional(trajectory, index)
        for trajectory in by_phase.get(Phase.JOB_PLACEMENT, []):
            self.job_placement(trajectory)

    def spoken(self, client: Client) -> str:
        words = LANGUAGE_WORD["Dutch" if _lang(client) == NL else "French"]
        return words[0 if _lang(client) == NL else 1]

    def employment_service(self, client: Client) -> str:
        return "VDAB Brussel" if _lang(client) == NL else "Actiris"

    def language_course(self, trajectory: Trajectory, since: datetime.date) -> Enrolment:
        client = trajectory.client
        spoken = client.languages_spoken or []
        code = "language_nl" if "Dutch" not in spoken else "language_fr"
        partner = "Huis van het Nederlands Brussel" if code == "language_nl" else None
        partner = partner or "Lire et Écrire Bruxelles"
        start = self.day(since, since + 20 * DAY)
        return self.enrol(
            trajectory,
            code,
            start,
            partner=partner,
            end=start + datetime.timedelta(days=270),
            hours="6",
            notes=_t(client, "language_notes"),
        )

    def social_activation(self, trajectory: Trajectory, index: int) -> None:
        client, since = trajectory.client, trajectory.phase_since.date()
        last = PhaseChange.objects.filter(trajectory=trajectory).order_by("-at", "-id").first()
        went_back = last is not None and last.kind == "back"
        if went_back:
            # Back from work experience: the art. 60 placement was stopped early,
            # for the reason of the move back.
            start = max(
                since - datetime.timedelta(days=self.rng.randint(60, 120)), trajectory.opened_on
            )
            place, job_nl, job_fr, sector = ART60_PLACES[index % len(ART60_PLACES)]
            self.enrol(
                trajectory,
                "art60",
                start,
                partner=None,
                user_organisation=self.partners[place],
                job_title=job_nl if _lang(client) == NL else job_fr,
                sector=sector,
                end=start + datetime.timedelta(days=365),
                hours="38",
                costs_covered=_t(client, "costs"),
                stop=(max(since - 2 * DAY, start), last.reason or _t(client, "relapse_stop")),
            )
        if index % 3 == 1:
            self.enrol(
                trajectory,
                "volunteering",
                self.day(since, since + 15 * DAY),
                partner="Les Petits Riens",
                hours="8",
                notes=_t(client, "volunteer_notes"),
            )
        else:
            start = self.day(since, since + 10 * DAY)
            self.enrol(
                trajectory,
                "workshop",
                start,
                end=start + datetime.timedelta(days=120),
                hours="6",
                notes=_t(client, "workshop_notes"),
            )
        if index % 3 == 2 or set(client.languages_spoken or []).isdisjoint({"Dutch", "French"}):
            self.language_course(trajectory, since)
            self.refer(
                trajectory,
                "Huis van het Nederlands Brussel",
                "ref_language",
                "ref_language_note",
                self.day(since, since + 5 * DAY),
                steps=((PartnerReferralStatus.ACCEPTED, self.day(since + 6 * DAY, self.today)),),
                lang=self.spoken(client),
            )

    def art60(self, trajectory: Trajectory, index: int) -> Enrolment:
        """A running art. 60 placement with work-floor visits. The first (longest
        running) ends within 60 days without a next step; the second has one."""
        client, since = trajectory.client, trajectory.phase_since.date()
        place, job_nl, job_fr, sector = ART60_PLACES[index % len(ART60_PLACES)]
        start = min(since + self.rng.randint(3, 10) * DAY, self.today - 2 * DAY)
        if index == 0:
            end = self.today + self.rng.randint(25, 45) * DAY
        elif index == 1:
            end = self.today + self.rng.randint(30, 55) * DAY
        else:
            end = start + datetime.timedelta(days=self.rng.choice([365, 450, 540]))
        enrolment = self.enrol(
            trajectory,
            "art60",
            start,
            user_organisation=self.partners[place],
            job_title=job_nl if _lang(client) == NL else job_fr,
            sector=sector,
            end=end,
            hours="38",
            costs_covered=_t(client, "costs"),
            notes=_t(client, "art60_notes"),
            next_step=_t(client, "next_ibo") if index == 1 else "",
        )
        contact = self.partners[place].contacts.order_by("pk").first()
        mentor = f" ({contact.name})" if contact else ""
        first = self.day(start + 5 * DAY, start + 12 * DAY)
        if first < self.today:
            self.visit(enrolment, first, _t(client, "visit_start") + mentor)
        if (self.today - start).days > 60:
            day = self.day(start + 40 * DAY, self.today - 7 * DAY)
            self.visit(
                enrolment,
                day,
                _t(client, "visit_ok"),
                problems=_t(client, "visit_problem") if index % 2 == 0 else "",
                agreements=_t(client, "visit_agree") if index % 2 == 0 else "",
            )
        return enrolment

    def professional(self, trajectory: Trajectory, index: int) -> None:
        client, since = trajectory.client, trajectory.phase_since.date()
        # The art. 60 placement that led here, completed.
        place, job_nl, job_fr, sector = ART60_PLACES[(index + 1) % len(ART60_PLACES)]
        done = max(since - self.rng.randint(2, 10) * DAY, trajectory.opened_on)
        start = max(
            done - datetime.timedelta(days=self.rng.randint(300, 420)), trajectory.opened_on
        )
        self.enrol(
            trajectory,
            "art60",
            start,
            user_organisation=self.partners[place],
            job_title=job_nl if _lang(client) == NL else job_fr,
            sector=sector,
            end=done,
            hours="38",
            costs_covered=_t(client, "costs"),
            complete_on=done,
        )
        first = self.day(since, since + 14 * DAY)
        kind = index % 3
        if kind == 0:
            self.enrol(
                trajectory,
                "ibo",
                first,
                partner="Logistiek Noord BV",
                end=first + datetime.timedelta(days=150),
                hours="38",
                notes=_t(client, "ibo_notes"),
            )
        elif kind == 1:
            self.enrol(
                trajectory,
                "art61",
                first,
                partner="Brasserie De Markt",
                end=first + datetime.timedelta(days=365),
                hours="30",
            )
        else:
            self.refer(
                trajectory,
                "Bruxelles Formation",
                "ref_training",
                "ref_training_note",
                first,
                steps=(
                    (PartnerReferralStatus.ACCEPTED, self.day(first + 3 * DAY, first + 10 * DAY)),
                ),
            )

    def job_placement(self, trajectory: Trajectory) -> None:
        client, since = trajectory.client, trajectory.phase_since.date()
        start = self.day(since, since + 7 * DAY)
        self.enrol(
            trajectory,
            "job_club",
            start,
            end=start + datetime.timedelta(days=90),
            hours="4",
            notes=_t(client, "jobclub_notes"),
        )
        sent = self.day(since, since + 3 * DAY)
        accepted = self.day(sent + DAY, sent + 5 * DAY)
        ended = self.day(accepted + DAY, accepted + 10 * DAY)
        steps = ((PartnerReferralStatus.ACCEPTED, accepted),)
        if ended > accepted:
            steps += ((PartnerReferralStatus.ENDED, ended),)
        self.refer(
            trajectory,
            self.employment_service(client),
            "ref_register",
            "ref_register_note",
            sent,
            steps=steps,
            result_key="ref_register_result",
            lang=self.spoken(client),
        )

    # --- outcomes and aftercare ------------------------------------------------------------------

    def checkpoints(
        self,
        outcome: Outcome,
        actor: User,
        until: datetime.date,
        *,
        leave_last_open: bool = False,
        lost_job_at: int | None = None,
    ) -> None:
        client = outcome.trajectory.client
        due = [c for c in outcome.checkpoints.order_by("months") if c.due_date <= until]
        if leave_last_open and due:
            due = due[:-1]
        for checkpoint in due:
            done_on = min(checkpoint.due_date + self.rng.randint(0, 6) * DAY, until)
            lost = lost_job_at is not None and checkpoint.months >= lost_job_at
            tired = checkpoint.months == 1 and self.rng.random() < 0.4
            services.checkpoint_record(
                actor=actor,
                checkpoint=checkpoint,
                data={
                    "done_on": done_on,
                    "contact_made": True,
                    "still_employed": not lost,
                    "same_employer": None if lost else True,
                    "problems": _t(client, "interim_ended")
                    if lost
                    else (_t(client, "checkpoint_tired") if tired else _t(client, "checkpoint_ok")),
                    "support_given": _t(client, "interim_support")
                    if lost
                    else (
                        _t(client, "checkpoint_tired_support")
                        if tired
                        else _t(client, "checkpoint_support")
                    ),
                },
            )

    def record_outcome(
        self, trajectory: Trajectory, actor: User, kind: str, start: datetime.date
    ) -> Outcome:
        employer = self.rng.choice(EMPLOYERS[kind])
        outcome = services.outcome_record(
            actor=actor,
            trajectory=trajectory,
            data={
                "type": kind,
                "start_date": start,
                "employer": employer,
                "contract_type": ContractType.OPEN_ENDED
                if kind != OutcomeType.TEMP_WORK
                else ContractType.FIXED_TERM,
                "hours_per_week": Decimal(self.rng.choice(["38", "30", "24"])),
            },
        )
        Outcome.objects.filter(pk=outcome.pk).update(created_at=_at(min(start, self.today), 16))
        return outcome

    def aftercare(
        self, trajectory: Trajectory, kind: str, start: datetime.date, *, leave_last_open: bool
    ) -> None:
        """The client started work on ``start``: the outcome, the move to aftercare a
        few days later, and the checkpoints due since then."""
        counsellor = trajectory.counsellor
        entered = min(start + self.rng.randint(1, 3) * DAY, self.today - DAY)
        outcome = self.record_outcome(trajectory, counsellor, kind, start)
        reason = ""
        if trajectory.phase != Phase.JOB_PLACEMENT:
            reason = REASONS["social_economy_hired"][0 if _lang(trajectory.client) == NL else 1]
        moved = trajecten_services.trajectory_transition(
            actor=counsellor, trajectory=trajectory, target=Phase.AFTERCARE, reason=reason
        )
        at = _at(entered, 15, 30)
        change = PhaseChange.objects.filter(trajectory=moved).order_by("-id").first()
        PhaseChange.objects.filter(pk=change.pk).update(at=at)
        Trajectory.objects.filter(pk=moved.pk).update(phase_since=at)
        trajecten_services.phase_changes_refresh_left_at([moved.pk])
        self.checkpoints(outcome, counsellor, self.today - DAY, leave_last_open=leave_last_open)

    def closed_outcomes(self, trajectories: list[Trajectory]) -> None:
        """Outcomes of the trajectories closed because the client found work; the
        checkpoints until the closing are done."""
        kinds = {
            ClosingReason.SUSTAINABLE_WORK: OutcomeType.REGULAR_JOB,
            ClosingReason.SOCIAL_ECONOMY: OutcomeType.SOCIAL_ECONOMY,
            ClosingReason.LEEFLOON_ENDED: OutcomeType.TEMP_WORK,
        }
        for trajectory in trajectories:
            kind = kinds.get(trajectory.closing_reason)
            if kind is None or trajectory.closed_on is None:
                continue
            actor = self.editor(trajectory.client)
            if actor is None:
                continue
            start = max(trajectory.closed_on - self.rng.randint(35, 70) * DAY, trajectory.opened_on)
            outcome = self.record_outcome(trajectory, actor, kind, start)
            back = Trajectory.objects.open().filter(client=trajectory.client).exists()
            self.checkpoints(
                outcome,
                actor,
                min(trajectory.closed_on + 100 * DAY if back else trajectory.closed_on,
                    self.today - DAY),
                lost_job_at=3 if back else None,
            )  # fmt: skip

    def editor(self, client: Client) -> User | None:
        for name in ("counsellor", "counsellor2", "teamlead"):
            user = self.users[name]
            if case_clients(user).filter(pk=client.pk, access_edit=True).exists():
                return user
        return None

    # --- group sessions ------------------------------------------------------------------------

    def sessions(self, trajectories: list[Trajectory]) -> None:
        counsellor, counsellor2 = self.users["counsellor"], self.users["counsellor2"]
        job_table = self.measures["job_table"]
        seekers = [
            t
            for t in trajectories
            if t.counsellor_id == counsellor.pk
            and t.phase in (Phase.JOB_PLACEMENT, Phase.PROFESSIONAL_ACTIVATION)
        ][:7]
        clients = [t.client for t in seekers]
        last_week = self.today - datetime.timedelta(days=7)
        past = self.session(
            counsellor,
            {
                "title": "Jobtafel / table emploi",
                "measure": job_table,
                "date": last_week,
                "start_time": datetime.time(9, 30),
                "duration_minutes": 150,
                "place": "OCMW, zaal 2 / CPAS, salle 2",
            },
            clients,
        )
        statuses = {}
        for index, client in enumerate(clients):
            statuses[client.pk] = (
                AttendanceStatus.EXCUSED
                if index == 2
                else AttendanceStatus.ABSENT
                if index == 4
                else AttendanceStatus.PRESENT
            )
        if statuses:
            services.attendance_record(actor=counsellor, session=past, statuses=statuses)
            Contact.objects.filter(pk__in=past.attendance.values("contact_id")).update(
                created_at=_at(last_week, 12, 15)
            )
        self.session(
            counsellor,
            {
                "title": "Jobtafel / table emploi",
                "measure": job_table,
                "date": self.today + datetime.timedelta(days=7),
                "start_time": datetime.time(9, 30),
                "duration_minutes": 150,
                "place": "OCMW, zaal 2 / CPAS, salle 2",
            },
            clients,
        )
        others = [
            t.client
            for t in trajectories
            if t.counsellor_id == counsellor2.pk
            and t.phase in (Phase.SOCIAL_ACTIVATION, Phase.WORK_EXPERIENCE, Phase.SCREENING)
        ][:5]
        info_day = self.today - datetime.timedelta(days=14)
        info = self.session(
            counsellor2,
            {
                "title": "Infosessie art. 60 / séance d'information article 60",
                "measure": self.measures["art60"],
                "date": info_day,
                "start_time": datetime.time(14, 0),
                "duration_minutes": 90,
                "place": "OCMW, zaal 1 / CPAS, salle 1",
            },
            others,
        )
        if others:
            services.attendance_record(
                actor=counsellor2,
                session=info,
                statuses={
                    client.pk: AttendanceStatus.PRESENT if index != 1 else AttendanceStatus.EXCUSED
                    for index, client in enumerate(others)
                },
            )
            Contact.objects.filter(pk__in=info.attendance.values("contact_id")).update(
                created_at=_at(info_day, 15, 45)
            )

    def session(self, actor: User, data: dict, clients: list[Client]) -> GroupSession:
        session = services.group_session_create(actor=actor, data=data, participants=clients)
        GroupSession.objects.filter(pk=session.pk).update(
            created_at=_at(min(data["date"] - 10 * DAY, self.today - DAY), 11)
        )
        return session

    # --- the whole story ------------------------------------------------------------------------

    def run(self) -> None:
        open_trajectories = list(
            Trajectory.objects.open()
            .filter(client__ocmw=self.ocmw)
            .select_related("client", "counsellor")
            .order_by("client_id")
        )
        has_outcomes = Outcome.objects.filter(trajectory__client__ocmw=self.ocmw).exists()
        if not has_outcomes:
            movers = self.pick_movers(open_trajectories)
            for index, trajectory in enumerate(movers):
                kind = (
                    OutcomeType.SOCIAL_ECONOMY
                    if trajectory.phase == Phase.WORK_EXPERIENCE
                    else [OutcomeType.REGULAR_JOB, OutcomeType.TEMP_WORK][index % 2]
                )
                self._trajectories = {trajectory.client_id: trajectory}
                first_day = self.history_before_work(trajectory)
                self.aftercare(trajectory, kind, first_day, leave_last_open=index == 1)
            closed = list(
                Trajectory.objects.filter(client__ocmw=self.ocmw, phase=Phase.CLOSED)
                .select_related("client", "counsellor")
                .order_by("client_id", "opened_on")
            )
            self.closed_outcomes(closed)
            open_trajectories = [t for t in open_trajectories if t not in movers]
        if not Enrolment.objects.filter(
            client__ocmw=self.ocmw, status__in=["planned", "running"]
        ).exists():
            self.activities(open_trajectories)
        if not GroupSession.objects.filter(ocmw=self.ocmw).exists():
            self.sessions(open_trajectories)

    def pick_movers(self, trajectories: list[Trajectory]) -> list[Trajectory]:
        """Two clients of ``counsellor`` longest in job placement, and the client of
        ``counsellor2`` longest in work experience (hired where they were placed)."""
        counsellor, counsellor2 = self.users["counsellor"], self.users["counsellor2"]
        jobs = sorted(
            (
                t
                for t in trajectories
                if t.phase == Phase.JOB_PLACEMENT and t.counsellor_id == counsellor.pk
            ),
            key=lambda t: (t.phase_since, t.pk),
        )
        hired = sorted(
            (
                t
                for t in trajectories
                if t.phase == Phase.WORK_EXPERIENCE and t.counsellor_id == counsellor2.pk
            ),
            key=lambda t: (t.phase_since, t.pk),
        )
        return jobs[:2] + hired[:1]

    def history_before_work(self, trajectory: Trajectory) -> datetime.date:
        """What the client did before the job (the job club, or the art. 60 placement
        at the enterprise that then hired them); returns the first day of work."""
        client, since = trajectory.client, trajectory.phase_since.date()
        span = max((self.today - since).days, 2)
        if trajectory.phase == Phase.JOB_PLACEMENT:
            first_day = since + max(1, min(4, span // 5)) * DAY
            self.enrol(
                trajectory,
                "job_club",
                since,
                end=since + datetime.timedelta(days=90),
                hours="4",
                notes=_t(client, "jobclub_notes"),
                complete_on=first_day - DAY,
            )
            return first_day
        first_day = since + max(2, span * 2 // 3) * DAY
        place = "Maatwerkbedrijf De Groene Ploeg"
        enrolment = self.enrol(
            trajectory,
            "art60",
            since + DAY,
            user_organisation=self.partners[place],
            job_title="groenarbeider" if _lang(client) == NL else "ouvrier des espaces verts",
            sector="Groenonderhoud",
            end=since + datetime.timedelta(days=365),
            hours="38",
            costs_covered=_t(client, "costs"),
            next_step=_t(client, "hired"),
        )
        if first_day - since > 8 * DAY:
            self.visit(enrolment, since + 6 * DAY, _t(client, "visit_start"))
        services.enrolment_complete(
            actor=trajectory.counsellor, enrolment=enrolment, on=first_day - DAY
        )
        return first_day


def seed(rng: random.Random) -> None:
    """Catalogue, partners, enrolments, referrals, sessions, outcomes (idempotent)."""
    ocmw = Ocmw.objects.filter(name=MAIN_OCMW).first()
    other = Ocmw.objects.filter(name=OTHER_OCMW).first()
    if other is not None:
        other_seeder = _Seeder(other, {}, rng)
        other_seeder.catalogue()
        actor = User.objects.filter(ocmw=other, username="other").first()
        if actor is not None:
            other_seeder.partner_list(OTHER_PARTNERS, actor)
    if ocmw is None:
        return
    users = {u.username: u for u in User.objects.filter(ocmw=ocmw, username__in=STAFF)}
    if len(users) < len(STAFF):
        return
    seeder = _Seeder(ocmw, users, rng)
    seeder.catalogue()
    seeder.partner_list(PARTNERS, users["teamlead"])
    seeder.run()
