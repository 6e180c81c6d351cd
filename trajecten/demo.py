"""Demo data of the trajectory app, run by ``python manage.py seed_demo``.

``seed(rng)`` is appended to ``ocmw.registries.demo_seeders`` in
``TrajectenConfig.ready()`` and runs after the core demo data (two OCMWs, the
general and SPI teams, the demo staff and 40 clients of the main OCMW), inside
the command's transaction.

What it makes, for the clients of the main OCMW:

- about 30 open trajectories spread over the seven phases: ``counsellor`` holds
  20, ``counsellor2`` 8 (mostly the French-speaking clients), and two clients
  started directly in phase 1 with their social worker;
- five closed trajectories (sustainable work, social-economy job, moved,
  unreachable, and an earlier trajectory ended with the leefloon of a client who
  is now back in a second one), and one trajectory closed for medical reasons
  and reopened;
- referrals from the general social service with readiness checklists: the
  accepted ones that opened the trajectories, two still waiting for a decision
  and one declined with a reason; three clients have no trajectory yet;
- a realistic history: phase changes forward, skips with a reason ("werktraject
  vanaf dag 1"), moves back (a relapse, a childcare problem, an eviction, an
  employer gone bankrupt), needs analyses (five W² domains and the work part) in
  the client's language, plan goals with actions, 3-10 journal contacts per
  client (some confidential), evaluations with progress per goal and the next
  evaluation date.

Outcomes and aftercare belong to the SPI app (``spi/demo.py``, which runs after
this seeder): the stories here that end in a job stop before aftercare, in
job placement (or, for a social-economy hire, in work experience), and are
closed without an outcome. The SPI demo records the starts of work, moves some
of those clients on to aftercare and adds the outcomes of the closed ones.

**How the history gets into the past.** Everything is written through
``trajecten.services`` (so permissions, gates and the PhaseChange trail are the
real ones) in chronological order. The services stamp what they create with
"now", and ``time_machine`` is a test-only dependency, so right after the
services have run, the timestamps of the rows this seeder created are moved to
their story date with queryset updates (``bulk_update``) in the same
transaction: ``PhaseChange.at``, ``Trajectory.phase_since/opened_on/closed_on/
created_at``, ``Referral.proposed_at/decided_at``, ``created_at`` of goals,
actions, contacts, needs analyses and evaluations, ``Action.done_on``,
and the in-app notifications the referrals sent (older ones marked read). Dates
that the services accept as input (``Contact.date``, ``Evaluation.date``,
``Goal.set_on``, ``NeedsAnalysis.date``) are passed
directly. This is acceptable for demo data only; real writes never back-date.

**Idempotent.** A client that already has a trajectory, a referral or a
journal contact is left alone, so running ``seed_demo`` again changes nothing.
Which client gets which story depends only on the clients (ordered by their
leefloon decision date) and the seeded random generator; all dates are
relative to ``timezone.localdate()`` when seeding.
"""

from __future__ import annotations

import datetime
import heapq
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max
from django.utils import timezone

from ocmw.models import Client, Notification, Ocmw, Team, User
from trajecten import services
from trajecten.models import (
    PHASES,
    Action,
    ActionOwner,
    ClosingReason,
    Contact,
    ContactType,
    Domain,
    DrivingLicence,
    Evaluation,
    Goal,
    GoalStatus,
    Horizon,
    NeedsAnalysis,
    Phase,
    PhaseChange,
    Progress,
    Readiness,
    ReadinessItem,
    Referral,
    Trajectory,
)

MAIN_OCMW = "OCMW Brussel-Demo / CPAS Bruxelles-Démo"
GENERAL_TEAM = "Algemene sociale dienst"
SPI_TEAM = "Trajectbegeleiding (SPI)"
STAFF = ("socialworker", "counsellor", "counsellor2", "teamlead")

PRE, SCR, SOC, WEX, PRO, JOB, AFT = (
    Phase.PRECONDITIONS,
    Phase.SCREENING,
    Phase.SOCIAL_ACTIVATION,
    Phase.WORK_EXPERIENCE,
    Phase.PROFESSIONAL_ACTIVATION,
    Phase.JOB_PLACEMENT,
    Phase.AFTERCARE,
)
NL, FR = "nl", "fr"

# --- the stories -----------------------------------------------------------------
# A step is one of:
#   ("refer", phase)           the social worker refers, the SPI team accepts in `phase`
#   ("sw_open",)               the social worker starts phase 1 directly
#   ("refer_reassign",)        a phase-1 trajectory of the social worker is referred
#                              and accepted: the counsellor takes it over
#   ("go", target, reason)     next phase, skip forward or back (reason key or None)
#   ("close", reason, note)    close with a structured reason
#   ("reopen", target, note)   reopen a closed trajectory


@dataclass(frozen=True)
class Story:
    key: str
    counsellor: str
    profile: str
    steps: tuple[tuple, ...]


C1, C2 = "counsellor", "counsellor2"
WORK_FOUND = (
    ClosingReason.SUSTAINABLE_WORK,
    ClosingReason.SOCIAL_ECONOMY,
    ClosingReason.LEEFLOON_ENDED,
)
STORIES: list[Story] = [
    # counsellor: 20 open trajectories
    # These two found work; spi/demo.py records it and moves them on to aftercare.
    Story(
        "aftercare_full",
        C1,
        "anxiety",
        (("refer", SCR), ("go", SOC), ("go", WEX), ("go", PRO), ("go", JOB)),
    ),
    Story("aftercare_day_one", C1, "strong", (("refer", SCR), ("go", JOB, "day_one"))),
    Story(
        "job_long", C1, "back", (("refer", SCR), ("go", SOC), ("go", WEX), ("go", PRO), ("go", JOB))
    ),
    Story(
        "job_skip_social",
        C1,
        "language",
        (("refer", SCR), ("go", WEX, "skip_social"), ("go", PRO), ("go", JOB)),
    ),
    Story("job_day_one", C1, "strong", (("refer", SCR), ("go", PRO, "day_one"), ("go", JOB))),
    Story("pro_diploma", C1, "diploma", (("refer", SCR), ("go", SOC), ("go", WEX), ("go", PRO))),
    Story("pro_skip", C1, "strong", (("refer", SCR), ("go", WEX, "skip_social"), ("go", PRO))),
    Story(
        "pro_childcare",
        C1,
        "childcare",
        (
            ("refer", SCR),
            ("go", SOC),
            ("go", WEX),
            ("go", SOC, "childcare"),
            ("go", WEX, "childcare_solved"),
            ("go", PRO),
        ),
    ),
    Story("wex_plain", C1, "debts", (("refer", SCR), ("go", SOC), ("go", WEX))),
    Story("wex_skip", C1, "strong", (("refer", SCR), ("go", WEX, "skip_social"))),
    Story(
        "wex_from_phase_one",
        C1,
        "housing",
        (("sw_open",), ("refer_reassign",), ("go", SCR), ("go", SOC), ("go", WEX)),
    ),
    Story(
        "wex_bankrupt",
        C1,
        "back",
        (("refer", SCR), ("go", SOC), ("go", WEX), ("go", PRO), ("go", WEX, "bankrupt")),
    ),
    Story(
        "soc_relapse",
        C1,
        "relapse",
        (("refer", SCR), ("go", SOC), ("go", WEX), ("go", SOC, "relapse")),
    ),
    Story(
        "soc_reopened",
        C1,
        "medical",
        (
            ("refer", SCR),
            ("go", SOC),
            ("close", ClosingReason.MEDICAL, "medical"),
            ("reopen", SOC, "health_ok"),
        ),
    ),
    Story("soc_mental", C1, "mental", (("refer", SCR), ("go", SOC))),
    Story("soc_language", C1, "language", (("refer", SCR), ("go", SOC))),
    Story("scr_strong", C1, "strong", (("refer", SCR),)),
    Story("scr_diploma", C1, "diploma", (("refer", SCR),)),
    Story("scr_anxiety", C1, "anxiety", (("refer", SCR),)),
    Story("pre_eviction", C1, "housing", (("refer", SCR), ("go", SOC), ("go", PRE, "eviction"))),
    # counsellor2: 8 open trajectories
    # Hired by the social-economy enterprise of the placement (spi/demo.py).
    Story("aftercare_social_economy", C2, "language", (("refer", SCR), ("go", SOC), ("go", WEX))),
    Story("job_c2", C2, "strong", (("refer", SCR), ("go", PRO, "day_one"), ("go", JOB))),
    Story("pro_c2", C2, "back", (("refer", SCR), ("go", SOC), ("go", WEX), ("go", PRO))),
    Story("wex_c2", C2, "childcare", (("refer", SCR), ("go", SOC), ("go", WEX))),
    Story(
        "wex_second_trajectory",
        C2,
        "debts",
        (
            ("refer", SCR),
            ("go", SOC),
            ("go", WEX),
            ("close", ClosingReason.LEEFLOON_ENDED, "found_job"),
            ("refer", SCR),
            ("go", WEX, "known_client"),
        ),
    ),
    Story("soc_c2", C2, "housing", (("refer", SCR), ("go", SOC))),
    Story(
        "soc_c2_childcare",
        C2,
        "childcare",
        (("refer", SCR), ("go", SOC), ("go", WEX), ("go", SOC, "childcare")),
    ),
    Story("scr_c2", C2, "language", (("refer", SCR),)),
    # closed trajectories
    Story(
        "closed_work",
        C1,
        "strong",
        (
            ("refer", SCR),
            ("go", WEX, "skip_social"),
            ("go", PRO),
            ("go", JOB),
            ("close", ClosingReason.SUSTAINABLE_WORK, "sustainable"),
        ),
    ),
    Story(
        "closed_social_economy",
        C2,
        "back",
        (
            ("refer", SCR),
            ("go", SOC),
            ("go", WEX),
            ("close", ClosingReason.SOCIAL_ECONOMY, "social_economy"),
        ),
    ),
    Story(
        "closed_moved",
        C1,
        "housing",
        (("refer", SCR), ("go", SOC), ("close", ClosingReason.MOVED, "moved")),
    ),
    Story(
        "closed_unreachable",
        C1,
        "mental",
        (("refer", SCR), ("close", ClosingReason.UNREACHABLE, "unreachable")),
    ),
]

# The clients still with the general social service (most recent decisions first):
# (what happened so far, profile).
WAITING = [
    ("none", "strong"),
    ("none", "language"),
    ("none", "debts"),
    ("pending", "childcare"),
    ("pending", "debts"),
    ("declined", "relapse"),
    ("phase_one", "housing"),
    ("phase_one", "language"),
]

# Days spent in a phase before moving on, and in the phase the client is in now.
STAY = {PRE: (40, 100), SCR: (25, 60), SOC: (60, 150), WEX: (120, 260), PRO: (50, 120),
        JOB: (30, 90), AFT: (90, 200), Phase.CLOSED: (60, 150)}  # fmt: skip
STAY_NOW = {PRE: (12, 50), SCR: (6, 40), SOC: (15, 100), WEX: (20, 180), PRO: (15, 90),
            JOB: (10, 70), AFT: (20, 150), Phase.CLOSED: (15, 200)}  # fmt: skip


# --- texts (Dutch, French) ---------------------------------------------------------

SECTORS: dict[str, dict[str, tuple[str, str]]] = {
    "logistics": {
        "job": ("magazijnmedewerker", "magasinier"),
        "art60": (
            "het magazijn van de technische dienst",
            "le magasin du service technique",
        ),
        "training": (
            "de heftruckopleiding van VDAB Brussel",
            "la formation de cariste de Bruxelles Formation",
        ),
        "experience": (
            "Twee jaar interimwerk als orderpicker in Vilvoorde (2021-2023).",
            "Deux ans d'intérim comme préparateur de commandes à Vilvorde (2021-2023).",
        ),
        "competences": (
            "Werkt nauwkeurig en snel, fysiek sterk, kan met een handscanner werken.",
            "Travail précis et rapide, bonne condition physique, sait utiliser un scanner.",
        ),
    },
    "cleaning": {
        "job": ("schoonmaakmedewerker", "agent d'entretien"),
        "art60": ("woonzorgcentrum Ter Linde", "la maison de repos Les Tilleuls"),
        "training": (
            "een opleiding professionele schoonmaak",
            "une formation en nettoyage professionnel",
        ),
        "experience": (
            "Schoonmaak bij particulieren in het zwart; kort dienstenchequewerk in 2022.",
            "Ménages chez des particuliers sans contrat ; brève expérience en titres-services.",
        ),
        "competences": (
            "Zelfstandig, grondig, kent de basis van hygiëne en veilig werken met producten.",
            "Autonome, soigneux, connaît l'hygiène et l'usage sûr des produits.",
        ),
    },
    "care": {
        "job": ("logistiek assistent in de zorg", "aide logistique en maison de repos"),
        "art60": ("woonzorgcentrum Ter Linde", "la maison de repos Les Tilleuls"),
        "training": ("de opleiding zorgkundige bij het CVO", "la formation d'aide-soignant"),
        "experience": (
            "Zorgde jaren voor een zieke ouder; stage in een rusthuis tijdens de schooltijd.",
            "A soigné un parent malade pendant des années ; stage en maison de repos.",
        ),
        "competences": (
            "Geduldig, empathisch, goed in contact met ouderen.",
            "Patient, empathique, bon contact avec les personnes âgées.",
        ),
    },
    "childcare": {
        "job": ("kinderbegeleider", "accueillant d'enfants"),
        "art60": (
            "kinderdagverblijf 't Rakkertje van het OCMW",
            "la crèche « Les Petits Pas » du CPAS",
        ),
        "training": (
            "de opleiding kinderbegeleider baby's en peuters",
            "la formation d'auxiliaire de l'enfance",
        ),
        "experience": (
            "Vrijwilliger in de huiswerkklas van de buurt; babysit regelmatig.",
            "Bénévole à l'école de devoirs du quartier ; garde régulièrement des enfants.",
        ),
        "competences": (
            "Creatief, rustig, kan structuur bieden aan kinderen.",
            "Créatif, calme, sait donner un cadre aux enfants.",
        ),
    },
    "green": {
        "job": ("groenarbeider", "ouvrier des espaces verts"),
        "art60": ("de groendienst van de gemeente", "le service des plantations de la commune"),
        "training": ("een opleiding groenbeheer", "une formation en entretien des espaces verts"),
        "experience": (
            "Seizoenswerk in de fruitpluk en hulp bij een tuinaannemer.",
            "Travail saisonnier (cueillette) et aide chez un jardinier-paysagiste.",
        ),
        "competences": (
            "Werkt graag buiten, handig met gereedschap, houdt van fysiek werk.",
            "Aime travailler dehors, habile avec les outils, apprécie l'effort physique.",
        ),
    },
    "kitchen": {
        "job": ("keukenmedewerker", "commis de cuisine"),
        "art60": ("het sociaal restaurant van het OCMW", "le restaurant social du CPAS"),
        "training": (
            "een opleiding keukenmedewerker bij Horeca Be Pro",
            "une formation de commis de cuisine chez Horeca Be Pro",
        ),
        "experience": (
            "Afwasser en hulpkok in een snackbar (2019-2022).",
            "Plongeur et aide-cuisinier dans un snack (2019-2022).",
        ),
        "competences": (
            "Snel, hygiënisch, kan onder druk werken, kookt graag.",
            "Rapide, respecte l'hygiène, travaille bien sous pression, aime cuisiner.",
        ),
    },
    "retail": {
        "job": ("winkelmedewerker", "employé de magasin"),
        "art60": ("de kringwinkel", "le magasin de seconde main"),
        "training": ("een opleiding winkelbediende", "une formation de vendeur"),
        "experience": (
            "Kassamedewerker in een buurtsupermarkt (studentenjob, 2 zomers).",
            "Caissier dans une supérette (job étudiant, deux étés).",
        ),
        "competences": (
            "Klantvriendelijk, goed met cijfers, meertalig aan de kassa.",
            "Aimable avec les clients, bon en calcul, multilingue à la caisse.",
        ),
    },
    "painting": {
        "job": ("schilder-decorateur", "peintre en bâtiment"),
        "art60": ("de technische dienst van het OCMW", "le service technique du CPAS"),
        "training": (
            "de opleiding schilder-decorateur",
            "la formation de peintre-décorateur de l'EFP",
        ),
        "experience": (
            "Hielp jarenlang een oom met renovatiewerken; geen officiële ervaring.",
            "A aidé un oncle dans des travaux de rénovation ; pas d'expérience déclarée.",
        ),
        "competences": (
            "Handig, nauwkeurig, werkt netjes af.",
            "Habile, précis, finitions soignées.",
        ),
    },
    "admin": {
        "job": ("onthaalmedewerker", "agent d'accueil"),
        "art60": (
            "het onthaal van het administratief centrum",
            "l'accueil du centre administratif",
        ),
        "training": (
            "een opleiding office-assistent",
            "une formation d'employé administratif",
        ),
        "experience": (
            "Administratief bediende in het land van herkomst (5 jaar).",
            "Employé administratif dans le pays d'origine (5 ans).",
        ),
        "competences": (
            "Goed met Word en Excel, meertalig, georganiseerd.",
            "Maîtrise Word et Excel, multilingue, organisé.",
        ),
    },
    "driver": {
        "job": ("chauffeur-koerier", "chauffeur-livreur"),
        "art60": ("de sociale kruidenier (leveringen)", "l'épicerie sociale (livraisons)"),
        "training": ("de opleiding rijbewijs C", "la formation au permis C"),
        "experience": (
            "Koerier met de fiets voor een maaltijdplatform (2022-2023).",
            "Coursier à vélo pour une plateforme de repas (2022-2023).",
        ),
        "competences": (
            "Kent Brussel goed, stipt, rijdt veilig.",
            "Connaît bien Bruxelles, ponctuel, conduite prudente.",
        ),
    },
}

# Domain texts: (situation nl, needs nl, situation fr, needs fr).
DOMAIN_TEXT: dict[str, dict[str, tuple[str, str, str, str]]] = {
    Domain.MATERIAL: {
        "ok": (
            "Leefloon als alleenstaande; huurt een studio op de private markt. "
            "Geen schulden gekend.",
            "Geen bijzondere noden; het budget is in evenwicht.",
            "Revenu d'intégration au taux isolé ; loue un studio sur le marché privé. "
            "Pas de dettes connues.",
            "Pas de besoin particulier ; budget équilibré.",
        ),
        "debts": (
            "Schulden bij energieleverancier, telecomoperator en ziekenhuis (samen ca. 3.800 "
            "euro). Collectieve schuldenregeling aangevraagd.",
            "Budgetbegeleiding en opvolging van de schuldbemiddeling; leren omgaan met post "
            "en facturen.",
            "Dettes auprès du fournisseur d'énergie, de l'opérateur télécom et de l'hôpital "
            "(env. 3 800 euros). Demande de règlement collectif de dettes introduite.",
            "Guidance budgétaire et suivi de la médiation de dettes ; apprendre à gérer le "
            "courrier et les factures.",
        ),
        "housing": (
            "Woont tijdelijk in bij een vriend; ingeschreven voor een sociale woning en bij "
            "het sociaal verhuurkantoor.",
            "Een stabiele, betaalbare woning vinden; hulp bij de huurwaarborg (OCMW).",
            "Vit temporairement chez un ami ; inscrit pour un logement social et auprès "
            "d'une agence immobilière sociale.",
            "Trouver un logement stable et abordable ; aide pour la garantie locative (CPAS).",
        ),
    },
    Domain.PSYCHOLOGICAL: {
        "ok": (
            "Komt gemotiveerd en evenwichtig over; geen signalen van psychische problemen.",
            "Geen.",
            "Bonne motivation et équilibre apparent ; pas de signe de difficulté psychologique.",
            "Aucun.",
        ),
        "addiction": (
            "Problematisch alcoholgebruik in het verleden; vorig jaar een ambulante "
            "behandeling gevolgd. Geeft zelf aan dat stress een risico blijft.",
            "Opvolging door de alcoholconsulent van het CGG; een stabiel dagritme; terugval "
            "snel bespreekbaar maken.",
            "Consommation problématique d'alcool par le passé ; traitement ambulatoire suivi "
            "l'an dernier. Reconnaît que le stress reste un risque.",
            "Suivi par un service d'aide aux personnes dépendantes ; un rythme de vie stable ; "
            "pouvoir parler vite d'une rechute.",
        ),
        "depression": (
            "Somberheid en slaapproblemen sinds de scheiding; de huisarts volgt op.",
            "Doorverwijzing naar het centrum geestelijke gezondheidszorg; activiteiten die "
            "structuur geven.",
            "Humeur dépressive et troubles du sommeil depuis la séparation ; suivi par le "
            "médecin traitant.",
            "Orientation vers un service de santé mentale ; des activités qui structurent "
            "la semaine.",
        ),
        "anxiety": (
            "Weinig zelfvertrouwen na jaren zonder werk; faalangst bij sollicitaties.",
            "Het zelfbeeld versterken; stap voor stap opbouwen, eerst in groep.",
            "Peu de confiance en soi après des années sans emploi ; peur de l'échec lors des "
            "entretiens d'embauche.",
            "Renforcer l'image de soi ; avancer pas à pas, d'abord en groupe.",
        ),
    },
    Domain.MEDICAL: {
        "ok": (
            "Goede gezondheid; geen beperkingen voor werk gekend.",
            "Geen.",
            "Bonne santé ; pas de restriction connue pour le travail.",
            "Aucun.",
        ),
        "back": (
            "Chronische rugklachten (hernia in 2023); volgens de huisarts geen zwaar tilwerk.",
            "Werk zonder zware fysieke belasting; advies van de arbeidsgeneesheer vragen.",
            "Douleurs dorsales chroniques (hernie en 2023) ; pas de port de charges lourdes "
            "selon le médecin.",
            "Un travail sans effort physique lourd ; demander l'avis du médecin du travail.",
        ),
        "surgery": (
            "Knieoperatie gepland, daarna enkele maanden revalidatie.",
            "Het traject afstemmen op de revalidatie; contact met de adviserend arts van het "
            "ziekenfonds.",
            "Opération du genou prévue, suivie de plusieurs mois de revalidation.",
            "Adapter le trajet à la revalidation ; contact avec le médecin-conseil de la "
            "mutualité.",
        ),
        "diabetes": (
            "Diabetes type 2, goed opgevolgd door de huisarts.",
            "Rekening houden met regelmatige pauzes en maaltijden.",
            "Diabète de type 2, bien suivi par le médecin traitant.",
            "Tenir compte de pauses et de repas réguliers.",
        ),
    },
    Domain.SOCIAL: {
        "ok": (
            "Woont samen met de partner; goed netwerk van familie en vrienden.",
            "Geen.",
            "Vit en couple ; bon réseau familial et amical.",
            "Aucun.",
        ),
        "single_parent": (
            "Alleenstaande ouder van twee kinderen (3 en 8 jaar); weinig netwerk in Brussel. "
            "De jongste heeft nog geen plaats in de kinderopvang.",
            "Kinderopvang voor de jongste; voor- en naschoolse opvang voor de oudste.",
            "Parent seul avec deux enfants (3 et 8 ans) ; peu de réseau à Bruxelles. Le plus "
            "jeune n'a pas encore de place d'accueil.",
            "Une place d'accueil pour le plus jeune ; accueil extrascolaire pour l'aîné.",
        ),
        "isolation": (
            "Woont alleen en heeft weinig sociale contacten; de familie woont in het buitenland.",
            "Het sociaal netwerk uitbreiden via groepsactiviteiten of vrijwilligerswerk.",
            "Vit en isolement, avec peu de contacts sociaux ; la famille habite à l'étranger.",
            "Élargir le réseau social par des activités de groupe ou du bénévolat.",
        ),
    },
    Domain.CULTURAL: {
        "ok": (
            "Vindt vlot de weg naar diensten en organisaties.",
            "Geen.",
            "Se débrouille bien avec les services et les organisations.",
            "Aucun.",
        ),
        "language": (
            "Spreekt nog weinig Nederlands of Frans; volgt sinds kort les (niveau A1).",
            "De taalcursus verderzetten; oefenkansen op de werkvloer.",
            "Parle encore peu le français ou le néerlandais ; suit des cours depuis peu "
            "(niveau A1).",
            "Poursuivre les cours de langue ; des occasions de pratiquer au travail.",
        ),
        "diploma": (
            "Diploma behaald in het buitenland, nog niet gelijkgesteld; kent de Belgische "
            "arbeidsmarkt weinig.",
            "De gelijkwaardigheid van het diploma aanvragen; uitleg over de arbeidsmarkt.",
            "Diplôme obtenu à l'étranger, pas encore reconnu ; connaît peu le marché du "
            "travail belge.",
            "Demander l'équivalence du diplôme ; s'informer sur le marché du travail.",
        ),
    },
}

# profile -> {domain: issue}
PROFILES: dict[str, dict[str, str]] = {
    "strong": {},
    "anxiety": {Domain.PSYCHOLOGICAL: "anxiety"},
    "mental": {Domain.PSYCHOLOGICAL: "depression", Domain.SOCIAL: "isolation"},
    "relapse": {Domain.PSYCHOLOGICAL: "addiction", Domain.MATERIAL: "debts"},
    "childcare": {Domain.SOCIAL: "single_parent"},
    "medical": {Domain.MEDICAL: "surgery", Domain.PSYCHOLOGICAL: "depression"},
    "housing": {Domain.MATERIAL: "housing", Domain.SOCIAL: "isolation"},
    "language": {Domain.CULTURAL: "language"},
    "diploma": {Domain.CULTURAL: "diploma", Domain.SOCIAL: "isolation"},
    "back": {Domain.MEDICAL: "back", Domain.MATERIAL: "debts"},
    "debts": {Domain.MATERIAL: "debts"},
}
PROFILE_SECTORS = {
    "childcare": ["childcare", "cleaning", "retail"],
    "back": ["admin", "retail", "driver"],
    "diploma": ["admin", "care"],
    "language": ["cleaning", "kitchen", "green", "logistics"],
}

EDUCATION = [
    ("Diploma secundair onderwijs (BSO verkoop), behaald in 2010.",
     "CESS de l'enseignement professionnel (vente), obtenu en 2010."),
    ("Tweede graad TSO elektriciteit, zonder diploma.",
     "Deuxième degré technique (électricité), sans diplôme."),
    ("Lager onderwijs; geen diploma secundair onderwijs.",
     "Enseignement primaire ; pas de diplôme du secondaire."),
    ("Diploma secundair onderwijs (ASO) en een jaar hoger onderwijs, niet afgemaakt.",
     "CESS général et une année d'études supérieures, non terminée."),
    ("Getuigschrift zesde jaar BSO kinderzorg.", "Certificat de 6e professionnelle puériculture."),
]  # fmt: skip
EDUCATION_ABROAD = (
    "Bachelor boekhouding behaald in het buitenland; gelijkwaardigheid nog niet aangevraagd.",
    "Bachelier en comptabilité obtenu à l'étranger ; équivalence pas encore demandée.",
)
LIKES = [
    ("buiten werken", "travailler dehors"),
    ("met mijn handen bezig zijn", "travailler de mes mains"),
    ("contact met mensen", "le contact avec les gens"),
    ("anderen helpen", "aider les autres"),
    ("orde en structuur", "l'ordre et la structure"),
    ("koken", "cuisiner"),
    ("met kinderen werken", "travailler avec des enfants"),
    ("in team werken", "travailler en équipe"),
    ("met de computer werken", "travailler sur ordinateur"),
]
DISLIKES = [
    ("de hele dag achter een bureau zitten", "rester toute la journée derrière un bureau"),
    ("nachtwerk", "le travail de nuit"),
    ("werken onder tijdsdruk", "travailler sous pression"),
    ("alleen werken", "travailler seul"),
    ("telefoneren met onbekenden", "téléphoner à des inconnus"),
    ("lawaai en drukte", "le bruit et l'agitation"),
]
OWN_PROJECT = [
    ("Ik wil werken als {job} en niet meer afhankelijk zijn van het OCMW.",
     "Je veux travailler comme {job} et ne plus dépendre du CPAS."),
    ("Ik wil een vaste job als {job}, liefst dicht bij huis.",
     "Je voudrais un emploi fixe comme {job}, de préférence près de chez moi."),
    ("Eerst mijn papieren en mijn schulden in orde, dan werken als {job}.",
     "D'abord mettre mes papiers et mes dettes en ordre, puis travailler comme {job}."),
    ("Een opleiding volgen zodat ik als {job} kan beginnen.",
     "Suivre une formation pour pouvoir commencer comme {job}."),
]  # fmt: skip
EXPECTATIONS = [
    ("Hulp bij het vinden van een opleiding en een eerste werkervaring; duidelijke afspraken.",
     "De l'aide pour trouver une formation et une première expérience ; des accords clairs."),
    ("Iemand die meedenkt en me aanmoedigt; niet te snel gaan.",
     "Quelqu'un qui réfléchit avec moi et m'encourage ; ne pas aller trop vite."),
    ("Snel aan het werk; hulp bij sollicitaties en een cv.",
     "Travailler rapidement ; de l'aide pour le CV et les candidatures."),
]  # fmt: skip
LANGUAGE_NAMES = {
    "Arabic": ("Arabisch", "arabe"), "French": ("Frans", "français"),
    "Dutch": ("Nederlands", "néerlandais"), "English": ("Engels", "anglais"),
    "Turkish": ("Turks", "turc"), "Polish": ("Pools", "polonais"), "Twi": ("Twi", "twi"),
    "Fula": ("Fula", "peul"), "Lingala": ("Lingala", "lingala"), "Wolof": ("Wolof", "wolof"),
    "Romanian": ("Roemeens", "roumain"),
}  # fmt: skip

# Goals: (title nl, title fr, horizon, domain, [(action nl, action fr, owner, due in days)])
ISSUE_GOALS: dict[str, tuple] = {
    "debts": ("Het afbetalingsplan volhouden met de schuldbemiddelaar",
              "Tenir le plan d'apurement avec le médiateur de dettes",
              Horizon.SHORT, Domain.MATERIAL,
              [("Alle openstaande facturen verzamelen en meebrengen",
                "Rassembler et apporter toutes les factures ouvertes", ActionOwner.CLIENT, 14),
               ("Afspraak met de dienst schuldbemiddeling",
                "Rendez-vous avec le service de médiation de dettes", ActionOwner.OCMW, 21)]),
    "housing": ("Een stabiele woning vinden", "Trouver un logement stable",
                Horizon.SHORT, Domain.MATERIAL,
                [("Inschrijven bij een tweede sociaal verhuurkantoor",
                  "S'inscrire auprès d'une deuxième agence immobilière sociale",
                  ActionOwner.CLIENT, 21),
                 ("Huurwaarborg via het OCMW aanvragen", "Demander la garantie locative au CPAS",
                  ActionOwner.OCMW, 30)]),
    "addiction": ("De behandeling bij het CGG volhouden",
                  "Poursuivre le traitement au service de santé mentale",
                  Horizon.SHORT, Domain.PSYCHOLOGICAL,
                  [("Wekelijkse afspraak bij de alcoholconsulent",
                    "Rendez-vous hebdomadaire avec le conseiller en alcoologie",
                    ActionOwner.PARTNER, 30)]),
    "depression": ("Begeleiding opstarten bij het centrum geestelijke gezondheidszorg",
                   "Commencer un suivi au service de santé mentale",
                   Horizon.SHORT, Domain.PSYCHOLOGICAL,
                   [("Aanmelding bij het CGG samen met de huisarts",
                     "Inscription au service de santé mentale avec le médecin traitant",
                     ActionOwner.CLIENT, 21)]),
    "anxiety": ("Zelfvertrouwen opbouwen via de groepswerking",
                "Reprendre confiance grâce au travail en groupe",
                Horizon.SHORT, Domain.PSYCHOLOGICAL,
                [("Deelnemen aan de groep 'Zelfbeeld' (6 sessies)",
                  "Participer au groupe « Image de soi » (6 séances)", ActionOwner.CLIENT, 45)]),
    "single_parent": ("Kinderopvang regelen voor de jongste",
                      "Trouver une place d'accueil pour le plus jeune",
                      Horizon.SHORT, Domain.SOCIAL,
                      [("Aanmelden bij het Lokaal Loket Kinderopvang",
                        "S'inscrire au guichet local de l'accueil de l'enfance",
                        ActionOwner.CLIENT, 14),
                       ("Voorrang voor werkzoekende ouders aanvragen",
                        "Demander la priorité pour parents en recherche d'emploi",
                        ActionOwner.OCMW, 21)]),
    "isolation": ("Wekelijks deelnemen aan een activiteit buitenshuis",
                  "Participer chaque semaine à une activité à l'extérieur",
                  Horizon.SHORT, Domain.SOCIAL,
                  [("Kennismaken met het buurtcentrum", "Découvrir la maison de quartier",
                    ActionOwner.CLIENT, 21)]),
    "surgery": ("De revalidatie na de knieoperatie afronden",
                "Terminer la revalidation après l'opération du genou",
                Horizon.SHORT, Domain.MEDICAL,
                [("Attest van de kinesist bezorgen", "Remettre l'attestation du kinésithérapeute",
                  ActionOwner.CLIENT, 30)]),
    "back": ("Advies over de belastbaarheid vragen", "Demander un avis sur la capacité de travail",
             Horizon.SHORT, Domain.MEDICAL,
             [("Afspraak bij de arbeidsgeneesheer", "Rendez-vous chez le médecin du travail",
               ActionOwner.PARTNER, 30)]),
    "language": ("Niveau A2 halen in de taalcursus", "Atteindre le niveau A2 au cours de langue",
                 Horizon.MEDIUM, Domain.CULTURAL,
                 [("Inschrijven bij het Huis van het Nederlands / la Maison des langues",
                   "S'inscrire à la Maison des langues / het Huis van het Nederlands",
                   ActionOwner.CLIENT, 14),
                  ("Taalcursus volgen (2 avonden per week)",
                   "Suivre le cours de langue (2 soirs par semaine)", ActionOwner.CLIENT, 120)]),
    "diploma": ("De gelijkwaardigheid van het diploma aanvragen",
                "Demander l'équivalence du diplôme",
                Horizon.MEDIUM, Domain.CULTURAL,
                [("Vertaalde diploma's en puntenlijsten verzamelen",
                  "Rassembler les diplômes et relevés de notes traduits", ActionOwner.CLIENT, 30),
                 ("Aanvraag indienen bij NARIC", "Introduire la demande auprès de la cellule "
                  "équivalences", ActionOwner.OCMW, 60)]),
}  # fmt: skip
START_GOAL = (
    "Inschrijven als werkzoekende en een cv opmaken",
    "S'inscrire comme chercheur d'emploi et rédiger un CV",
    Horizon.SHORT,
    Domain.WORK,
    [
        ("Inschrijving bij Actiris", "Inscription chez Actiris", ActionOwner.CLIENT, 7),
        ("Cv opmaken met de oriëntatietabel", "Rédiger le CV avec le tableau d'orientation",
         ActionOwner.OCMW, 21),
    ],
)  # fmt: skip
MEDIUM_GOAL = (
    "Werkervaring opdoen als {job}",
    "Acquérir une expérience comme {job}",
    Horizon.MEDIUM,
    Domain.WORK,
    [
        ("Kennismaking met mogelijke werkplekken", "Découverte de lieux de travail possibles",
         ActionOwner.OCMW, 45),
        ("Infosessie over {training}", "Séance d'information sur {training}",
         ActionOwner.CLIENT, 60),
    ],
)  # fmt: skip
LONG_GOAL = (
    "Duurzaam werk vinden als {job}",
    "Trouver un emploi durable comme {job}",
    Horizon.LONG,
    Domain.WORK,
    [("Vacatures opvolgen met de jobclub", "Suivre les offres avec le job club",
      ActionOwner.CLIENT, 150)],
)  # fmt: skip
PHASE_GOALS: dict[str, tuple] = {
    SOC: ("Deelnemen aan de groepswerking 'Aan de slag' (2 voormiddagen per week)",
          "Participer à l'atelier « En route » (2 matinées par semaine)",
          Horizon.SHORT, Domain.SOCIAL,
          [("Proefdeelname aan de groep", "Participation d'essai à l'atelier",
            ActionOwner.CLIENT, 14)]),
    WEX: ("Een art. 60§7-contract afronden bij {art60}",
          "Mener à bien un contrat article 60§7 à {art60}",
          Horizon.MEDIUM, Domain.WORK,
          [("Kennismakingsgesprek op de werkplek",
            "Entretien de présentation sur le lieu de travail", ActionOwner.OCMW, 10),
           ("Arbeidsgeneeskundig onderzoek", "Examen médical d'embauche", ActionOwner.PARTNER, 14),
           ("Werkkledij en veiligheidsschoenen aankopen (kosten OCMW)",
            "Acheter vêtements de travail et chaussures de sécurité (frais CPAS)",
            ActionOwner.OCMW, 14)]),
    PRO: ("Een IBO of art. 61-plaats vinden bij een werkgever",
          "Trouver une FPI ou un poste article 61 chez un employeur",
          Horizon.MEDIUM, Domain.WORK,
          [("Gesprek met de jobcoach van Actiris", "Entretien avec le jobcoach d'Actiris",
            ActionOwner.PARTNER, 21),
           ("Drie werkgevers contacteren voor een job als {job}",
            "Contacter trois employeurs pour un poste de {job}", ActionOwner.CLIENT, 30)]),
    JOB: ("Vijf sollicitaties per maand via de jobclub",
          "Cinq candidatures par mois avec le job club",
          Horizon.SHORT, Domain.WORK,
          [("Cv en motivatiebrief actualiseren", "Mettre à jour le CV et la lettre de motivation",
            ActionOwner.CLIENT, 10),
           ("Oefenen op een sollicitatiegesprek", "S'entraîner à l'entretien d'embauche",
            ActionOwner.OCMW, 21)]),
    AFT: ("De job behouden", "Garder l'emploi", Horizon.LONG, Domain.WORK,
          [("Nazorggesprek na 1 maand", "Entretien de suivi après 1 mois", ActionOwner.OCMW, 30),
           ("Nazorggesprek na 3 maanden", "Entretien de suivi après 3 mois",
            ActionOwner.OCMW, 90)]),
}  # fmt: skip
BACK_GOALS: dict[str, tuple] = {
    "relapse": ("De behandeling hervatten na de terugval",
                "Reprendre le traitement après la rechute",
                Horizon.SHORT, Domain.PSYCHOLOGICAL,
                [("Afspraak bij de alcoholconsulent",
                  "Rendez-vous chez le conseiller en alcoologie", ActionOwner.PARTNER, 10)]),
    "childcare": ("Een nieuwe opvangplaats vinden", "Trouver une nouvelle place d'accueil",
                  Horizon.SHORT, Domain.SOCIAL,
                  [("Aanvraag bij drie kinderdagverblijven", "Demande auprès de trois crèches",
                    ActionOwner.CLIENT, 14)]),
    "eviction": ("Huisvesting stabiliseren", "Stabiliser le logement",
                 Horizon.SHORT, Domain.MATERIAL,
                 [("Dossier bij de vrederechter voorbereiden met de maatschappelijk werker",
                   "Préparer le dossier pour le juge de paix avec l'assistant social",
                   ActionOwner.OCMW, 14)]),
}  # fmt: skip

REASONS: dict[str, tuple[str, str]] = {
    "day_one": (
        "Werktraject vanaf dag 1: recente ervaring als {job}, sterk gemotiveerd en geen "
        "drempels; sociale activering en werkervaring zijn niet nodig.",
        "Trajet emploi dès le premier jour : expérience récente comme {job}, très motivé et "
        "sans frein ; l'activation sociale et l'expérience de travail ne sont pas nécessaires.",
    ),
    "skip_social": (
        "Sociale activering overgeslagen: goede arbeidsattitude en stabiele situatie; "
        "meteen werkervaring via art. 60 bij {art60}.",
        "Activation sociale passée : bonne attitude au travail et situation stable ; "
        "directement une expérience article 60 à {art60}.",
    ),
    "known_client": (
        "Gekende cliënt (vorig traject tot werkervaring): screening kort gehouden, meteen "
        "een nieuw art. 60-contract.",
        "Personne connue (trajet précédent jusqu'à l'expérience de travail) : screening "
        "courte, directement un nouveau contrat article 60.",
    ),
    "social_economy_hired": (
        "Vaste aanwerving in de sociale economie na het art. 60-contract; professionele "
        "activering en toeleiding zijn niet meer nodig. Start van de nazorg.",
        "Engagement fixe dans l'économie sociale après le contrat article 60 ; l'activation "
        "professionnelle et la mise à l'emploi ne sont plus nécessaires. Début du suivi.",
    ),
    "relapse": (
        "Terugval in alcoholgebruik; in overleg met de werkplek is het art. 60-contract "
        "geschorst. Eerst terug naar een laagdrempelig aanbod en de behandeling hervatten.",
        "Rechute (alcool) ; en accord avec le lieu de travail, le contrat article 60 est "
        "suspendu. D'abord retour à une offre accessible et reprise du traitement.",
    ),
    "childcare": (
        "Kinderopvang weggevallen (kinderdagverblijf gesloten); voltijds werken is niet "
        "haalbaar. Tijdelijk terug naar sociale activering, alleen in de voormiddag.",
        "Plus de garde d'enfant (crèche fermée) ; un temps plein n'est pas possible. Retour "
        "temporaire à l'activation sociale, seulement en matinée.",
    ),
    "childcare_solved": (
        "Nieuwe opvangplaats gevonden; het werkervaringstraject wordt hervat.",
        "Nouvelle place d'accueil trouvée ; reprise de l'expérience de travail.",
    ),
    "eviction": (
        "Uithuiszetting aangekondigd door de huisbaas; eerst de huisvesting stabiliseren "
        "samen met de maatschappelijk werker.",
        "Expulsion annoncée par le propriétaire ; d'abord stabiliser le logement avec "
        "l'assistant social.",
    ),
    "bankrupt": (
        "Art. 61-plaatsing stopgezet: de werkgever is failliet. Terug naar werkervaring om "
        "het opgebouwde werkritme te behouden.",
        "Mise à disposition article 61 arrêtée : l'employeur a fait faillite. Retour à "
        "l'expérience de travail pour garder le rythme acquis.",
    ),
    "health_ok": (
        "Gezondheid gestabiliseerd na de revalidatie; de cliënt vraagt zelf om het traject "
        "te hervatten.",
        "Santé stabilisée après la revalidation ; la personne demande elle-même de reprendre "
        "le trajet.",
    ),
    # closing notes
    "medical": (
        "Knieoperatie met complicaties en lange revalidatie; traject stopgezet op medisch advies.",
        "Opération du genou avec complications et longue revalidation ; trajet arrêté sur avis "
        "médical.",
    ),
    "found_job": (
        "Werk gevonden via interim na het art. 60-contract; het leefloon is stopgezet.",
        "Emploi trouvé en intérim après le contrat article 60 ; le revenu d'intégration a pris "
        "fin.",
    ),
    "sustainable": (
        "Aan het werk met een contract van onbepaalde duur; de cliënt wil geen verdere "
        "begeleiding.",
        "En emploi avec un contrat à durée indéterminée ; la personne ne souhaite plus "
        "d'accompagnement.",
    ),
    "social_economy": (
        "Vaste job in het maatwerkbedrijf na het art. 60-contract.",
        "Emploi fixe dans l'entreprise d'économie sociale après le contrat article 60.",
    ),
    "moved": (
        "Verhuisd naar Gent; het dossier is overgedragen aan het OCMW van Gent.",
        "Déménagement à Gand ; le dossier a été transmis au CPAS de Gand.",
    ),
    "unreachable": (
        "Drie afspraken gemist; brieven en telefoons bleven onbeantwoord.",
        "Trois rendez-vous manqués ; courriers et appels restés sans réponse.",
    ),
}

# Journal entries per phase: (type, nl, fr).
CONTACTS: dict[str, list[tuple[str, str, str]]] = {
    PRE: [
        (ContactType.HOME_VISIT,
         "Huisbezoek: woning is vochtig en te klein; contact met de huisbaas besproken.",
         "Visite à domicile : logement humide et trop petit ; contact avec le propriétaire "
         "discuté."),
        (ContactType.CONSULTATION,
         "Gezamenlijk gesprek met de maatschappelijk werker: stand van zaken schuldbemiddeling "
         "en huisvesting.",
         "Entretien conjoint avec l'assistant social : état de la médiation de dettes et du "
         "logement."),
        (ContactType.INTERVIEW,
         "Gesprek over de randvoorwaarden: eerst de woning, daarna verder kijken naar werk.",
         "Entretien sur les conditions préalables : d'abord le logement, ensuite le travail."),
    ],
    SCR: [
        (ContactType.INTERVIEW,
         "Intakegesprek trajectbegeleiding: verwachtingen besproken, uitleg over het traject "
         "en het GPMI.",
         "Entretien d'accueil ISP : attentes discutées, explication du trajet et du PIIS."),
        (ContactType.INTERVIEW,
         "Screening: oefening 'ik hou van / ik hou niet van' en de ervaringsbalans ingevuld.",
         "Screening : exercice « j'aime / je n'aime pas » et bilan d'expériences remplis."),
        (ContactType.INTERVIEW,
         "Levenslijn opgemaakt; belangrijke breuken besproken (migratie, scheiding, ziekte).",
         "Ligne du temps réalisée ; ruptures importantes abordées (migration, séparation, "
         "maladie)."),
        (ContactType.CONSULTATION,
         "Driegesprek met de maatschappelijk werker over de overdracht van het dossier.",
         "Entretien à trois avec l'assistant social sur le passage du dossier."),
    ],
    SOC: [
        (ContactType.GROUP,
         "Groepsactiviteit 'Aan de slag': voorstellingsronde en oefening zelfbeeld.",
         "Atelier « En route » : tour de présentation et exercice sur l'image de soi."),
        (ContactType.GROUP,
         "Groepsactiviteit: bezoek aan de kringwinkel en het sociaal restaurant.",
         "Atelier : visite du magasin de seconde main et du restaurant social."),
        (ContactType.PARTNER_MEETING,
         "Overleg met de verantwoordelijke van het vrijwilligerswerk: komt stipt, goed contact "
         "met collega's.",
         "Concertation avec le responsable du bénévolat : ponctuel, bon contact avec les "
         "collègues."),
        (ContactType.INTERVIEW,
         "Gesprek over het dagritme en de deelname aan de groep; motivatie neemt toe.",
         "Entretien sur le rythme de vie et la participation à l'atelier ; la motivation "
         "augmente."),
    ],
    WEX: [
        (ContactType.PARTNER_MEETING,
         "Werkplekbezoek bij {art60}: de verantwoordelijke is tevreden over inzet en "
         "stiptheid.",
         "Visite sur le lieu de travail à {art60} : le responsable est satisfait de "
         "l'engagement et de la ponctualité."),
        (ContactType.PHONE,
         "Telefoon van de werkplek: twee dagen afwezig zonder verwittigen; gesprek ingepland.",
         "Appel du lieu de travail : deux jours d'absence sans prévenir ; entretien prévu."),
        (ContactType.INTERVIEW,
         "Gesprek na de afwezigheid: problemen met het openbaar vervoer; afspraken gemaakt.",
         "Entretien après l'absence : problèmes de transports en commun ; accords pris."),
        (ContactType.PARTNER_MEETING,
         "Overleg met de mentor op de werkplek over het opleidingsplan.",
         "Concertation avec le tuteur sur le plan de formation."),
    ],
    PRO: [
        (ContactType.PARTNER_MEETING,
         "Voorbereiding IBO: gesprek met de werkgever en de consulent van Actiris.",
         "Préparation de la FPI : entretien avec l'employeur et le conseiller d'Actiris."),
        (ContactType.INTERVIEW,
         "Sollicitatiebrief opgesteld voor een job als {job}.",
         "Lettre de motivation rédigée pour un poste de {job}."),
        (ContactType.EMAIL,
         "Mail van de werkgever: de proefperiode loopt goed.",
         "Courriel de l'employeur : la période d'essai se passe bien."),
    ],
    JOB: [
        (ContactType.GROUP,
         "Jobclub: cv geactualiseerd en drie vacatures als {job} geselecteerd.",
         "Job club : CV mis à jour et trois offres de {job} sélectionnées."),
        (ContactType.INTERVIEW,
         "Oefening sollicitatiegesprek (rollenspel); feedback over lichaamstaal.",
         "Simulation d'entretien d'embauche (jeu de rôle) ; retour sur le langage corporel."),
        (ContactType.GROUP,
         "Jobtafel: vacatures besproken in groep; twee sollicitaties verstuurd.",
         "Table emploi : offres discutées en groupe ; deux candidatures envoyées."),
    ],
    AFT: [
        (ContactType.INTERVIEW,
         "Nazorggesprek: de job valt goed mee, wel vermoeid door de vroege diensten.",
         "Entretien de suivi : le travail se passe bien, mais fatigue due aux horaires "
         "matinaux."),
        (ContactType.PHONE,
         "Telefonisch nazorgcontact: eerste loon ontvangen; vragen over de eindafrekening van "
         "het leefloon.",
         "Suivi téléphonique : premier salaire reçu ; questions sur le décompte final du revenu "
         "d'intégration."),
        (ContactType.PARTNER_MEETING,
         "Overleg met de werkgever: tevreden, contract wordt verlengd.",
         "Concertation avec l'employeur : satisfait, le contrat sera prolongé."),
    ],
}  # fmt: skip
GENERIC_CONTACTS = [
    (ContactType.PHONE, "Telefonisch contact: afspraak verzet wegens ziekte van een kind.",
     "Contact téléphonique : rendez-vous déplacé pour cause d'enfant malade."),
    (ContactType.EMAIL, "Mail met attest van inschrijving ontvangen en in het dossier gestoken.",
     "Attestation d'inscription reçue par courriel et ajoutée au dossier."),
    (ContactType.PHONE, "Herinnering voor de afspraak van morgen; bevestigd.",
     "Rappel du rendez-vous de demain ; confirmé."),
]  # fmt: skip
CONFIDENTIAL = {
    "addiction": (
        "Vertrouwelijk: vertelt over hernieuwd alcoholgebruik na een conflict met de ex-partner. "
        "Contact opgenomen met de alcoholconsulent; afspraak volgende week.",
        "Confidentiel : parle d'une reprise de la consommation d'alcool après un conflit avec "
        "l'ex-partenaire. Contact pris avec le conseiller en alcoologie ; rendez-vous la "
        "semaine prochaine.",
    ),
    "depression": (
        "Vertrouwelijk: gesprek over depressieve klachten en slaapproblemen; de huisarts heeft "
        "medicatie voorgeschreven. Wil niet dat de werkplek dit weet.",
        "Confidentiel : entretien sur des symptômes dépressifs et des troubles du sommeil ; "
        "le médecin a prescrit un traitement. Ne souhaite pas que le lieu de travail le sache.",
    ),
    "anxiety": (
        "Vertrouwelijk: paniekaanvallen voor groepsmomenten; eerder opgenomen geweest "
        "(2019). Stabiel met begeleiding van de psycholoog.",
        "Confidentiel : crises de panique avant les activités de groupe ; hospitalisation "
        "antérieure (2019). Stable avec le suivi du psychologue.",
    ),
}
SW_CONTACTS = [
    (ContactType.HOME_VISIT,
     "Huisbezoek bij de opening van het dossier: gezinssituatie en woning bekeken.",
     "Visite à domicile à l'ouverture du dossier : situation familiale et logement vus."),
    (ContactType.INTERVIEW,
     "Gesprek over het leefloon en de rechten en plichten; documenten meegegeven.",
     "Entretien sur le revenu d'intégration, les droits et obligations ; documents remis."),
    (ContactType.PHONE, "Telefoon: ontbrekende loonfiches besproken.",
     "Téléphone : fiches de paie manquantes discutées."),
    (ContactType.CONSULTATION,
     "Kennismaking samen met de trajectbegeleider; mogelijke doorverwijzing naar SPI "
     "besproken.",
     "Rencontre avec le conseiller ISP ; orientation possible vers le service ISP discutée."),
]  # fmt: skip
DURATIONS = {
    ContactType.INTERVIEW: (30, 75), ContactType.HOME_VISIT: (45, 90),
    ContactType.PHONE: (5, 20), ContactType.GROUP: (90, 180), ContactType.EMAIL: (5, 15),
    ContactType.PARTNER_MEETING: (30, 90), ContactType.CONSULTATION: (30, 60),
}  # fmt: skip

EVALUATIONS: dict[str, list[tuple[str, str]]] = {
    PRE: [("De woonsituatie vraagt eerst alle aandacht; het traject loopt door zodra dat "
           "opgelost is.",
           "Le logement demande d'abord toute l'attention ; le trajet reprendra ensuite.")],
    SCR: [("Screening afgerond; het project is duidelijk. Volgende stap besproken.",
           "Screening terminée ; le projet est clair. Prochaine étape discutée.")],
    SOC: [("Neemt regelmatig deel aan de groep; het dagritme is verbeterd. Werkervaring "
           "komt in zicht.",
           "Participe régulièrement à l'atelier ; le rythme s'est amélioré. L'expérience de "
           "travail est en vue."),
          ("Deelname wisselend; we houden het laagdrempelig en evalueren over vier maanden.",
           "Participation irrégulière ; on garde une offre accessible et on réévalue dans "
           "quatre mois.")],
    WEX: [("Het art. 60-contract loopt goed: stipt, leert snel. Aandacht voor de overstap "
           "naar een reguliere job.",
           "Le contrat article 60 se passe bien : ponctuel, apprend vite. Attention à la "
           "transition vers un emploi régulier."),
          ("Enkele afwezigheden, maar de werkplek blijft positief. Afspraken rond verwittigen "
           "herhaald.",
           "Quelques absences, mais le lieu de travail reste positif. Accords sur le fait de "
           "prévenir rappelés.")],
    PRO: [("De IBO is besproken met een werkgever; de vooruitzichten zijn goed.",
           "La FPI est discutée avec un employeur ; les perspectives sont bonnes.")],
    JOB: [("Solliciteert actief; twee gesprekken gehad. Blijft gemotiveerd.",
           "Postule activement ; deux entretiens obtenus. Reste motivé.")],
    AFT: [("Stabiel aan het werk; nazorg loopt verder volgens de afspraken.",
           "En emploi stable ; le suivi continue comme convenu.")],
}  # fmt: skip
PROGRESS_NOTES = {
    Progress.NONE: ("Nog niet aan begonnen.", "Pas encore commencé."),
    Progress.SOME: ("Eerste stappen gezet.", "Premiers pas faits."),
    Progress.GOOD: ("Loopt goed, bijna rond.", "Avance bien, presque terminé."),
    Progress.ACHIEVED: ("Bereikt.", "Atteint."),
}
CHECKLIST_NOTES: dict[str, tuple[str, str, str, str]] = {
    # item: (ok nl, ok fr, attention nl, attention fr)
    ReadinessItem.HOUSING: ("Huurt een studio; huur is betaalbaar.", "Loue un studio abordable.",
                            "Woont tijdelijk in bij een vriend.",
                            "Hébergé temporairement chez un ami."),
    ReadinessItem.CHILDCARE: ("Geen kinderen ten laste.", "Pas d'enfant à charge.",
                              "Jongste nog geen opvangplaats; aanvraag loopt.",
                              "Le plus jeune n'a pas encore de place ; demande en cours."),
    ReadinessItem.HEALTH: ("Geen beperkingen gekend.", "Pas de restriction connue.",
                           "Medische opvolging loopt; geen zwaar tilwerk.",
                           "Suivi médical en cours ; pas de charges lourdes."),
    ReadinessItem.ADDICTION: ("", "", "In behandeling, stabiel sinds zes maanden.",
                              "En traitement, stable depuis six mois."),
    ReadinessItem.MENTAL_HEALTH: ("", "", "Somberheid; volgt gesprekken bij het CGG.",
                                  "Humeur dépressive ; suivi au service de santé mentale."),
    ReadinessItem.MOBILITY: ("MIVB-abonnement aan sociaal tarief.",
                             "Abonnement STIB au tarif social.",
                             "Geen rijbewijs; werkplek moet met het openbaar vervoer bereikbaar "
                             "zijn.",
                             "Pas de permis ; le lieu de travail doit être accessible en "
                             "transports en commun."),
    ReadinessItem.DEBTS: ("Geen schulden gekend.", "Pas de dettes connues.",
                          "Schuldbemiddeling loopt; afbetalingsplan wordt gevolgd.",
                          "Médiation de dettes en cours ; plan d'apurement respecté."),
    ReadinessItem.LANGUAGE: ("Spreekt vlot Nederlands en/of Frans.",
                             "Parle couramment le français et/ou le néerlandais.",
                             "Niveau A1; volgt taallessen.", "Niveau A1 ; suit des cours."),
    ReadinessItem.ADMINISTRATION: ("Ingeschreven bij Actiris; documenten in orde.",
                                   "Inscrit chez Actiris ; documents en ordre.",
                                   "Inschrijving bij Actiris nog te doen.",
                                   "Inscription chez Actiris encore à faire."),
}  # fmt: skip
ISSUE_ITEMS = {
    "housing": ReadinessItem.HOUSING, "single_parent": ReadinessItem.CHILDCARE,
    "back": ReadinessItem.HEALTH, "surgery": ReadinessItem.HEALTH,
    "diabetes": ReadinessItem.HEALTH, "addiction": ReadinessItem.ADDICTION,
    "depression": ReadinessItem.MENTAL_HEALTH, "anxiety": ReadinessItem.MENTAL_HEALTH,
    "debts": ReadinessItem.DEBTS, "language": ReadinessItem.LANGUAGE,
}  # fmt: skip
MOTIVATION = (
    "{name} is gemotiveerd om aan een traject te beginnen. De randvoorwaarden zijn grotendeels "
    "in orde; de aandachtspunten staan in de checklist. Graag een gezamenlijk "
    "kennismakingsgesprek.",
    "{name} est motivé{e} pour commencer un trajet. Les conditions préalables sont en grande "
    "partie remplies ; les points d'attention figurent dans la liste. Un premier entretien "
    "commun serait bienvenu.",
)
MOTIVATION_DOUBT = (
    "{name} wil graag starten, maar het alcoholgebruik is nog niet onder controle. Graag het "
    "advies van de SPI-dienst: nu al starten of eerst een behandeling?",
    "{name} souhaite commencer, mais la consommation d'alcool n'est pas encore maîtrisée. "
    "Nous aimerions l'avis du service ISP : commencer maintenant ou d'abord un traitement ?",
)
DECLINE_REASON = (
    "Nog niet klaar voor trajectbegeleiding: actief alcoholgebruik zonder behandeling. Eerst "
    "doorverwijzing naar het CGG; een nieuwe aanvraag kan over drie maanden.",
    "Pas encore prêt{e} pour un trajet ISP : consommation active d'alcool sans traitement. "
    "D'abord une orientation vers un service spécialisé ; nouvelle demande possible dans trois "
    "mois.",
)
DECLINED_FOLLOW_UP = (
    ContactType.INTERVIEW,
    "De beslissing van de SPI-dienst besproken; akkoord om eerst naar het CGG te gaan.",
    "Décision du service ISP expliquée ; d'accord pour d'abord consulter un service spécialisé.",
)


# --- helpers --------------------------------------------------------------------


def _text_language(client: Client) -> str:
    if client.preferred_language in (NL, FR):
        return client.preferred_language
    spoken = client.languages_spoken or []
    return FR if "French" in spoken and "Dutch" not in spoken else NL


def _at(day: datetime.date, order: int, seq: int) -> datetime.datetime:
    """A time of day in office hours that keeps the events of one day in order."""
    minutes = 8 * 60 + 30 + order * 5 + seq % 5
    naive = datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60))
    return timezone.make_aware(naive)


class _Fixes:
    """Timestamps to move into the past, written in a few bulk updates at the end."""

    def __init__(self) -> None:
        self.rows: dict[type, dict[int, dict[str, Any]]] = defaultdict(dict)

    def set(self, model: type, pk: int, **values: Any) -> None:
        self.rows[model].setdefault(pk, {}).update(values)

    def apply(self) -> None:
        for model, rows in self.rows.items():
            groups: dict[tuple[str, ...], list[Any]] = defaultdict(list)
            for pk, values in rows.items():
                groups[tuple(sorted(values))].append(model(pk=pk, **values))
            for fields, objects in groups.items():
                model.objects.bulk_update(objects, fields, batch_size=500)


@dataclass
class _World:
    today: datetime.date
    spi: Team
    general: Team
    users: dict[str, User]
    fixes: _Fixes = field(default_factory=_Fixes)
    notification_mark: int = 0

    def back_date_notifications(self, at: datetime.datetime) -> None:
        """Notifications sent by the last service call get the story time; those older
        than two weeks count as read."""
        new = list(
            Notification.objects.filter(pk__gt=self.notification_mark).values_list("pk", flat=True)
        )
        read = (
            at + datetime.timedelta(hours=3)
            if at.date() < self.today - datetime.timedelta(days=14)
            else None
        )
        for pk in new:
            self.fixes.set(Notification, pk, created_at=at, read_at=read)
        if new:
            self.notification_mark = max(new)


@dataclass
class _Window:
    phase: str
    start: datetime.date
    end: datetime.date  # exclusive
    number: int  # which trajectory of the client
    holder: str  # "sw" or "counsellor"
    open: bool


# --- one client's story -------------------------------------------------------------


class _ClientStory:
    def __init__(self, world: _World, client: Client, rng: random.Random, profile: str) -> None:
        self.world = world
        self.client = client
        self.rng = rng
        self.lang = _text_language(client)
        self.social_worker = client.responsible_social_worker or world.users["socialworker"]
        self.issues = dict(PROFILES[profile])
        if profile not in ("strong",) and rng.random() < 0.3:
            self.issues.setdefault(Domain.MEDICAL, "diabetes")
        sectors = PROFILE_SECTORS.get(profile) or list(SECTORS)
        self.sector = SECTORS[rng.choice(sectors)]
        self.words = {
            k: self.t(v) for k, v in self.sector.items() if k in ("job", "art60", "training")
        }
        # French agreement: "motivé" / "motivée".
        self.words["e"] = "e" if client.gender == "F" else ""
        self.events: list[tuple[datetime.date, int, int, Callable[[datetime.datetime], None]]] = []
        self.seq = 0
        self.trajectory: Trajectory | None = None
        self.goals: dict[int, list[Goal]] = defaultdict(list)
        self.windows: list[_Window] = []
        self.contacts = 0

    # text
    def t(self, pair: tuple[str, str] | tuple[str, ...], **extra: str) -> str:
        text = pair[0] if self.lang == NL else pair[1]
        return text.format(**self.words, **extra) if "{" in text else text

    def add(self, day: datetime.date, order: int, action: Callable[[datetime.datetime], None]):
        """Schedule ``action`` on ``day``; within a day, lower ``order`` runs first."""
        day = min(day, self.world.today - datetime.timedelta(days=1))
        self.seq += 1
        heapq.heappush(self.events, (day, order, self.seq, action))

    def run(self) -> None:
        """Play the story in time order (an event may schedule later ones)."""
        while self.events:
            day, order, seq, action = heapq.heappop(self.events)
            action(_at(day, order, seq))

    # --- building blocks, each stamped with its story time -------------------------

    def contact(
        self, day: datetime.date, entry: tuple[str, str, str], staff: User, confidential=False
    ):
        kind, nl, fr = entry
        self.contacts += 1

        def do(at):
            lo, hi = DURATIONS[kind]
            contact = services.contact_record(
                actor=staff,
                client=self.client,
                data={
                    "date": at.date(),
                    "type": kind,
                    "duration_minutes": 5 * (self.rng.randint(lo, hi) // 5) or 5,
                    "summary": self.t((nl, fr)),
                    "confidential": confidential,
                },
            )
            self.world.fixes.set(Contact, contact.pk, created_at=at)

        self.add(day, 5, do)

    def checklist(self, blocking: str = "") -> dict[str, dict[str, str]]:
        flagged = {ISSUE_ITEMS[i] for i in self.issues.values() if i in ISSUE_ITEMS}
        items = {}
        for item in ReadinessItem.values:
            ok_nl, ok_fr, att_nl, att_fr = CHECKLIST_NOTES[item]
            if item == blocking:
                status, note = (
                    Readiness.BLOCKING,
                    self.t(
                        (
                            "Actief gebruik, geen behandeling.",
                            "Consommation active, sans traitement.",
                        )
                    ),
                )
            elif item in flagged:
                status, note = Readiness.ATTENTION, self.t((att_nl, att_fr))
            else:
                status, note = Readiness.OK, self.t((ok_nl, ok_fr))
            items[item] = {"status": status, "note": note}
        return items

    def propose(self, day: datetime.date, blocking: str = "") -> Callable[[], Referral]:
        box: dict[str, Referral] = {}

        def do(at):
            referral = services.referral_propose(
                actor=self.social_worker,
                client=self.client,
                team=self.world.spi,
                checklist=self.checklist(blocking),
                motivation=self.t(
                    MOTIVATION_DOUBT if blocking else MOTIVATION, name=self.client.first_name
                ),
            )
            self.world.fixes.set(Referral, referral.pk, proposed_at=at)
            self.world.back_date_notifications(at)
            box["referral"] = referral

        self.add(day, 0, do)
        return lambda: box["referral"]

    def record_phase_change(self, at: datetime.datetime, moved: bool = True) -> None:
        change = PhaseChange.objects.filter(trajectory=self.trajectory).order_by("-id").first()
        self.world.fixes.set(PhaseChange, change.pk, at=at)
        if moved:
            self.world.fixes.set(Trajectory, self.trajectory.pk, phase_since=at)

    def opened(self, at: datetime.datetime) -> None:
        self.world.fixes.set(
            Trajectory, self.trajectory.pk, opened_on=at.date(), created_at=at, phase_since=at
        )
        self.record_phase_change(at)

    def needs_analysis(self, day: datetime.date, author: Callable[[], User]) -> None:
        def do(at):
            domains = {}
            for domain in (
                Domain.MATERIAL,
                Domain.PSYCHOLOGICAL,
                Domain.MEDICAL,
                Domain.SOCIAL,
                Domain.CULTURAL,
            ):
                issue = self.issues.get(domain)
                s_nl, n_nl, s_fr, n_fr = DOMAIN_TEXT[domain][issue or "ok"]
                domains[domain] = {
                    "situation": self.t((s_nl, s_fr)),
                    "needs": self.t((n_nl, n_fr)),
                    "support_needed": bool(issue) and issue != "diabetes",
                }
            abroad = self.issues.get(Domain.CULTURAL) == "diploma"
            likes = self.rng.sample(LIKES, 2)
            analysis = services.needs_analysis_record(
                actor=author(),
                client=self.client,
                data={
                    "date": at.date(),
                    "domains": domains,
                    "education": self.t(EDUCATION_ABROAD if abroad else self.rng.choice(EDUCATION)),
                    "work_experience": self.t(self.sector["experience"]),
                    "languages": self.languages(),
                    "driving_licence": self.rng.choice(
                        [
                            DrivingLicence.NONE,
                            DrivingLicence.NONE,
                            DrivingLicence.B,
                            DrivingLicence.LEARNER,
                        ]
                    ),  # fmt: skip
                    "competences": self.t(self.sector["competences"]),
                    "likes": ", ".join(self.t(like) for like in likes).capitalize() + ".",
                    "dislikes": self.t(self.rng.choice(DISLIKES)).capitalize() + ".",
                    "own_project": self.t(self.rng.choice(OWN_PROJECT)),
                    "expectations": self.t(self.rng.choice(EXPECTATIONS)),
                },
            )
            self.world.fixes.set(NeedsAnalysis, analysis.pk, created_at=at)

        self.add(day, 10, do)

    def languages(self) -> list[dict[str, str]]:
        spoken = list(self.client.languages_spoken or [])
        for local in ("Dutch", "French"):
            if local not in spoken:
                spoken.append(local)
        rows = []
        for index, name in enumerate(spoken):
            nl, fr = LANGUAGE_NAMES.get(name, (name, name))
            if index == 0:
                level = self.t(("moedertaal", "langue maternelle"))
            elif name not in (self.client.languages_spoken or []):
                level = "A1" if self.issues.get(Domain.CULTURAL) == "language" else "A2"
            else:
                level = self.rng.choice(["B1", "B2", "C1"])
            rows.append({"language": self.t((nl, fr)), "level": level})
        return rows

    def goal(
        self,
        day: datetime.date,
        spec: tuple,
        author: Callable[[], User],
        number: int,
        plan: bool = False,
    ):
        """A goal with its first action (and the second one too when ``plan``)."""
        title_nl, title_fr, horizon, domain, actions = spec

        def do(at):
            actor = author()
            goal = services.goal_create(
                actor=actor,
                trajectory=self.trajectory,
                data={
                    "title": self.t((title_nl, title_fr)),
                    "horizon": horizon,
                    "domain": domain,
                    "set_on": at.date(),
                },
            )
            self.world.fixes.set(Goal, goal.pk, created_at=at, updated_at=at)
            self.goals[number].append(goal)
            for a_nl, a_fr, owner, due_in in actions[: 2 if plan else 1]:
                due = at.date() + datetime.timedelta(days=due_in)
                action = services.action_create(
                    actor=actor,
                    goal=goal,
                    data={"description": self.t((a_nl, a_fr)), "owner": owner, "due_date": due},
                )
                self.world.fixes.set(Action, action.pk, created_at=at)
                done_on = due - datetime.timedelta(days=self.rng.randint(0, 7))
                done_on = max(done_on, at.date())
                holder = "sw" if actor.pk == self.social_worker.pk else "counsellor"
                if self.window_at(number, done_on, holder) and self.rng.random() < 0.55:
                    self.add(done_on, 30, self.done(action, actor))

        self.add(day, 20, do)

    def done(self, action: Action, actor: User) -> Callable[[datetime.datetime], None]:
        def do(at):
            services.action_set_done(actor=actor, action=action, done=True)
            self.world.fixes.set(Action, action.pk, done_on=at.date())

        return do

    def set_goal_status(self, goal: Goal, status: str, actor: User, at: datetime.datetime):
        services.goal_update(actor=actor, goal=goal, data={"status": status})
        goal.status = status
        self.world.fixes.set(Goal, goal.pk, updated_at=at)

    # --- the trajectory story -------------------------------------------------------

    def window_at(
        self, number: int, day: datetime.date, holder: str = "counsellor"
    ) -> _Window | None:
        """The open window of trajectory ``number`` on ``day`` in which ``holder`` may
        write (the counsellor has no access to a closed trajectory)."""
        if day >= self.world.today:
            return None
        for window in self.windows:
            if window.number == number and window.start <= day < window.end:
                return window if window.open and window.holder == holder else None
        return None

    def plan_windows(self, story: Story, span_hint: int | None) -> list[datetime.date]:
        rng, steps = self.rng, story.steps
        phases: list[str] = []
        phase = ""
        for step in steps:
            kind = step[0]
            if kind == "refer":
                phase = step[1]
            elif kind == "sw_open":
                phase = PRE
            elif kind in ("go", "reopen"):
                phase = step[1]
            elif kind == "close":
                phase = Phase.CLOSED
            phases.append(phase)
        stays = []
        for index, phase in enumerate(phases):
            last = index == len(phases) - 1
            if steps[index][0] == "sw_open" and not last:
                lo, hi = (30, 90)
            elif index + 1 < len(steps) and steps[index + 1][0] == "refer_reassign":
                lo, hi = (30, 90)
            else:
                lo, hi = (STAY_NOW if last else STAY)[phase]
            stays.append(rng.randint(lo, hi))
        total = sum(stays)
        if span_hint and span_hint > 30:
            factor = min(max(span_hint / total, 0.6), 1.25)
            stays = [max(3, round(s * factor)) for s in stays]
        stays[-1] = max(stays[-1], 4)
        start = self.world.today - datetime.timedelta(days=sum(stays))
        dates, day = [], start
        for stay in stays:
            dates.append(day)
            day += datetime.timedelta(days=stay)
        # simulate the windows
        self.windows = []
        number, holder, is_open = 0, "counsellor", True
        for index, step in enumerate(steps):
            kind = step[0]
            if kind == "refer":
                number, holder, is_open = number + 1, "counsellor", True
            elif kind == "sw_open":
                number, holder, is_open = number + 1, "sw", True
            elif kind == "refer_reassign":
                holder = "counsellor"
            elif kind == "close":
                is_open = False
            elif kind == "reopen":
                is_open = True
            end = dates[index + 1] if index + 1 < len(dates) else self.world.today
            self.windows.append(_Window(phases[index], dates[index], end, number, holder, is_open))
        return dates

    def tell(self, story: Story, span_hint: int | None) -> None:
        world, rng = self.world, self.rng
        counsellor = world.users[story.counsellor]
        decider = counsellor if rng.random() < 0.3 else world.users["teamlead"]
        dates = self.plan_windows(story, span_hint)

        def day_in(window: _Window, lo: float, hi: float) -> datetime.date:
            length = max((window.end - window.start).days - 1, 0)
            return window.start + datetime.timedelta(days=round(length * rng.uniform(lo, hi)))

        def by_counsellor() -> User:
            return counsellor

        for index, step in enumerate(story.steps):
            kind, day, window = step[0], dates[index], self.windows[index]
            previous = self.windows[index - 1] if index else None
            reason_key = step[2] if len(step) > 2 else None
            if kind in ("refer", "refer_reassign"):
                lead = rng.randint(4, 14)
                referral = self.propose(day - datetime.timedelta(days=lead))
                self.contact(
                    day - datetime.timedelta(days=lead + rng.randint(0, 10)),
                    SW_CONTACTS[3],
                    self.social_worker,
                )
                self.add(day, 1, self.accept(referral, decider, counsellor, window.phase, kind))
                self.contact(day, CONTACTS[SCR][0], counsellor)
            elif kind == "sw_open":
                self.add(day, 1, self.sw_open())
                self.contact(day, SW_CONTACTS[1], self.social_worker)
                self.contact(day_in(window, 0.3, 0.6), CONTACTS[PRE][0], self.social_worker)
            elif kind == "go":
                target = step[1]
                self.add(day, 50, self.move(counsellor, target, reason_key))
                if previous and PHASES.index(target) < PHASES.index(previous.phase):
                    self.revise_work_goal(day, window.number, counsellor)
                if reason_key in BACK_GOALS:
                    self.goal(day + datetime.timedelta(days=rng.randint(1, 6)),
                              BACK_GOALS[reason_key], by_counsellor, window.number)  # fmt: skip
                elif target in PHASE_GOALS and (target != SOC or rng.random() < 0.4):
                    self.goal(
                        day + datetime.timedelta(days=rng.randint(0, 8)),
                        PHASE_GOALS[target],
                        by_counsellor,
                        window.number,
                        plan=target == WEX,
                    )
            elif kind == "close":
                closing, note_key = step[1], step[2]
                self.add(day, 90, self.close(counsellor, closing, note_key, previous.number))
            elif kind == "reopen":
                self.add(day, 2, self.reopen(counsellor, step[1], reason_key))
                if step[1] in PHASE_GOALS:
                    self.goal(day + datetime.timedelta(days=rng.randint(1, 8)),
                              PHASE_GOALS[step[1]], by_counsellor, window.number)  # fmt: skip

        # needs analysis and the first plan, in the first phase-1/2 window with the counsellor
        seen: set[int] = set()
        for window in self.windows:
            if window.number in seen or window.holder != "counsellor" or not window.open:
                continue
            if window.phase not in (PRE, SCR):
                continue
            seen.add(window.number)
            day = day_in(window, 0.35, 0.7)
            self.needs_analysis(day, by_counsellor)
            plan_day = min(day + datetime.timedelta(days=rng.randint(0, 5)), window.end)
            specs = [ISSUE_GOALS[i] for i in self.issues.values() if i in ISSUE_GOALS][:1]
            specs = (specs or [START_GOAL]) + [MEDIUM_GOAL, LONG_GOAL]
            for spec in specs:
                self.goal(plan_day, spec, by_counsellor, window.number, plan=spec is MEDIUM_GOAL)
            self.evaluations(plan_day, window.number, counsellor)
            # an updated version after a longer stretch
            update = plan_day + datetime.timedelta(days=rng.randint(200, 260))
            if window.number == 1 and self.window_at(1, update):
                self.needs_analysis(update, by_counsellor)

        self.journal(counsellor)

    def journal(self, counsellor: User) -> None:
        """3-15 contacts over the open windows, a few confidential ones by the counsellor."""
        rng = self.rng
        open_windows = [w for w in self.windows if w.open and (w.end - w.start).days > 1]
        span = sum((w.end - w.start).days for w in open_windows)
        secret = self.issues.get(Domain.PSYCHOLOGICAL)
        mine = [w for w in open_windows if w.holder == "counsellor"]
        secrets = rng.randint(1, 2) if secret in CONFIDENTIAL and mine else 0
        room = 15 - self.contacts - secrets
        count = max(3 - self.contacts - secrets, min(span // 60, room))
        weights = [(w.end - w.start).days for w in open_windows]
        for _ in range(count):
            window = rng.choices(open_windows, weights)[0]
            day = window.start + datetime.timedelta(
                days=rng.randint(1, (window.end - window.start).days - 1)
            )
            staff = self.social_worker if window.holder == "sw" else counsellor
            if window.holder == "counsellor" and rng.random() < 0.12:
                self.contact(day, SW_CONTACTS[2], self.social_worker)
                continue
            pool = CONTACTS[window.phase] + ([] if rng.random() < 0.8 else GENERIC_CONTACTS)
            self.contact(day, rng.choice(pool), staff)
        for _ in range(secrets):
            window = rng.choice(mine)
            day = window.start + datetime.timedelta(
                days=rng.randint(1, max((window.end - window.start).days - 1, 1))
            )
            nl, fr = CONFIDENTIAL[secret]
            self.contact(day, (ContactType.INTERVIEW, nl, fr), counsellor, confidential=True)

    def evaluations(self, first_plan: datetime.date, number: int, counsellor: User) -> None:
        rng, today = self.rng, self.world.today
        day = first_plan + datetime.timedelta(days=rng.randint(80, 110))
        while day < today:
            next_day = day + datetime.timedelta(days=rng.randint(100, 125))
            window = self.window_at(number, day)
            if window:
                self.add(day, 45, self.evaluate(window.phase, next_day, number, counsellor))
            day = next_day

    def evaluate(self, phase: str, next_day, number: int, counsellor: User):
        def do(at):
            rng = self.rng
            goals = [g for g in self.goals[number] if g.status == GoalStatus.OPEN]
            progress = {}
            for goal in goals:
                age = (at.date() - goal.set_on).days
                if goal.horizon == Horizon.SHORT and age > 60:
                    value = rng.choice([Progress.GOOD, Progress.ACHIEVED, Progress.ACHIEVED])
                elif goal.horizon == Horizon.LONG:
                    value = rng.choice([Progress.NONE, Progress.SOME])
                else:
                    value = rng.choice([Progress.SOME, Progress.GOOD])
                progress[goal.pk] = (value, self.t(PROGRESS_NOTES[value]))
            evaluation = services.evaluation_record(
                actor=counsellor,
                trajectory=self.trajectory,
                data={
                    "date": at.date(),
                    "in_person": rng.random() < 0.8,
                    "conclusion": self.t(rng.choice(EVALUATIONS[phase])),
                    "next_evaluation_on": next_day,
                },
                progress=progress,
            )
            self.world.fixes.set(Evaluation, evaluation.pk, created_at=at)
            for goal in goals:
                if progress[goal.pk][0] == Progress.ACHIEVED:
                    self.set_goal_status(goal, GoalStatus.ACHIEVED, counsellor, at)

        return do

    def revise_work_goal(self, day: datetime.date, number: int, counsellor: User) -> None:
        def do(at):
            work = [
                g
                for g in self.goals[number]
                if g.domain == Domain.WORK and g.status == GoalStatus.OPEN
            ]
            if work:
                self.set_goal_status(work[-1], GoalStatus.REVISED, counsellor, at)

        self.add(day, 55, do)

    # --- moves -----------------------------------------------------------------

    def accept(self, referral, decider: User, counsellor: User, phase: str, kind: str):
        def do(at):
            trajectory = services.referral_accept(
                actor=decider, referral=referral(), counsellor=counsellor, phase=phase
            )
            self.world.fixes.set(Referral, referral().pk, decided_at=at)
            self.world.back_date_notifications(at)
            self.trajectory = trajectory
            if kind == "refer_reassign":
                self.record_phase_change(at, moved=False)
            else:
                self.opened(at)

        return do

    def sw_open(self):
        def do(at):
            self.trajectory = services.trajectory_open(
                actor=self.social_worker,
                client=self.client,
                counsellor=self.social_worker,
                team=self.world.general,
                reason=self.t(
                    (
                        "Eerst werken aan de randvoorwaarden met de maatschappelijk werker.",
                        "D'abord travailler les conditions préalables avec l'assistant social.",
                    )
                ),  # fmt: skip
            )
            self.opened(at)

        return do

    def move(self, actor: User, target: str, reason_key: str | None):
        def do(at):
            self.trajectory = services.trajectory_transition(
                actor=actor,
                trajectory=self.trajectory,
                target=target,
                reason=self.t(REASONS[reason_key]) if reason_key else "",
            )
            self.record_phase_change(at)

        return do

    def close(self, actor: User, closing: str, note_key: str, number: int):
        def do(at):
            # Work found: the long-term goals are achieved; the client left or could
            # not be reached: what was still open was not achieved.
            if closing in WORK_FOUND:
                ending = {Horizon.LONG: GoalStatus.ACHIEVED}
            elif closing in (ClosingReason.MOVED, ClosingReason.UNREACHABLE):
                ending = dict.fromkeys(Horizon.values, GoalStatus.NOT_ACHIEVED)
            else:
                ending = {}
            for goal in self.goals[number]:
                if goal.status == GoalStatus.OPEN and goal.horizon in ending:
                    self.set_goal_status(goal, ending[goal.horizon], actor, at)
            note = self.t(REASONS[note_key])
            self.trajectory = services.trajectory_transition(
                actor=actor,
                trajectory=self.trajectory,
                target=Phase.CLOSED,
                reason=note,
                closing_reason=closing,
                closing_note=note,
            )
            self.record_phase_change(at)
            self.world.fixes.set(Trajectory, self.trajectory.pk, closed_on=at.date())

        return do

    def reopen(self, actor: User, target: str, reason_key: str):
        def do(at):
            self.trajectory = services.trajectory_transition(
                actor=actor,
                trajectory=self.trajectory,
                target=target,
                reason=self.t(REASONS[reason_key]),
            )
            self.record_phase_change(at)
            self.world.fixes.set(Trajectory, self.trajectory.pk, closed_on=None)

        return do

    # --- clients still with the general social service ----------------------------

    def wait(self, kind: str, decision: datetime.date | None) -> None:
        rng, today, world = self.rng, self.world.today, self.world
        first = max(decision or today, today - datetime.timedelta(days=120))
        first = min(first + datetime.timedelta(days=rng.randint(2, 10)), today)
        if kind == "none":
            if rng.random() < 0.7:
                self.contact(first, SW_CONTACTS[0], self.social_worker)
        elif kind == "pending":
            day = today - datetime.timedelta(days=rng.randint(1, 6))
            self.contact(min(first, day), SW_CONTACTS[0], self.social_worker)
            self.contact(day - datetime.timedelta(days=rng.randint(3, 12)), SW_CONTACTS[3],
                         self.social_worker)  # fmt: skip
            self.propose(day)
        elif kind == "declined":
            day = today - datetime.timedelta(days=rng.randint(9, 14))
            self.contact(day - datetime.timedelta(days=rng.randint(20, 30)), SW_CONTACTS[0],
                         self.social_worker)  # fmt: skip
            referral = self.propose(day, blocking=ReadinessItem.ADDICTION)
            decided = day + datetime.timedelta(days=rng.randint(3, 6))

            def decline(at):
                services.referral_decline(
                    actor=world.users["teamlead"],
                    referral=referral(),
                    reason=self.t(DECLINE_REASON),
                )
                world.fixes.set(Referral, referral().pk, decided_at=at)
                world.back_date_notifications(at)

            self.add(decided, 1, decline)
            self.contact(decided + datetime.timedelta(days=rng.randint(1, 3)), DECLINED_FOLLOW_UP,
                         self.social_worker)  # fmt: skip
        elif kind == "phase_one":
            start = today - datetime.timedelta(days=rng.randint(25, 80))
            self.windows = [_Window(PRE, start, today, 1, "sw", True)]
            self.add(start, 1, self.sw_open())
            self.contact(start, SW_CONTACTS[1], self.social_worker)
            self.contact(start + datetime.timedelta(days=rng.randint(3, 10)), SW_CONTACTS[0],
                         self.social_worker)  # fmt: skip
            for _ in range(rng.randint(1, 3)):
                day = start + datetime.timedelta(days=rng.randint(11, (today - start).days - 1))
                self.contact(day, rng.choice(CONTACTS[PRE]), self.social_worker)
            specs = [ISSUE_GOALS[i] for i in self.issues.values() if i in ISSUE_GOALS][:1]
            for spec in specs or [START_GOAL]:
                self.goal(start + datetime.timedelta(days=rng.randint(5, 15)), spec,
                          lambda: self.social_worker, 1)  # fmt: skip


# --- allocation -------------------------------------------------------------------


def _expected_span(story: Story) -> int:
    total = 0
    phase = PRE
    for index, step in enumerate(story.steps):
        if step[0] in ("refer", "go", "reopen"):
            phase = step[1]
        elif step[0] == "close":
            phase = Phase.CLOSED
        lo, hi = (STAY_NOW if index == len(story.steps) - 1 else STAY)[phase]
        total += (lo + hi) // 2
    return total


def _allocate(clients: list[Client], world: _World) -> list[tuple[Client, str, Any]]:
    """Give each client a story: the most recent leefloon decisions wait with the general
    social service, the oldest get the longest trajectories."""
    social_worker = world.users["socialworker"]
    far = datetime.date(1900, 1, 1)
    recent_first = sorted(
        clients, key=lambda c: (c.leefloon_decision_date or far, c.pk), reverse=True
    )
    slots = list(WAITING)
    plan: list[tuple[Client, str, Any]] = []
    rest: list[Client] = []
    for client in recent_first:
        needs_sw = [s for s in slots if s[0] in ("pending", "declined")]
        free = [s for s in slots if s[0] not in ("pending", "declined")]
        fresh = any(s[0] == "none" for s in free)
        if client.responsible_social_worker_id == social_worker.pk and needs_sw and not fresh:
            slot = needs_sw[0]
        elif free:
            slot = free[0]
        else:
            rest.append(client)
            continue
        slots.remove(slot)
        plan.append((client, "wait", slot))
    oldest_first = list(reversed(rest))
    for story in sorted(STORIES, key=_expected_span, reverse=True):
        if not oldest_first:
            break
        window = oldest_first[:5]

        def score(client: Client, story=story) -> int:
            lang = _text_language(client)
            value = 0
            if (story.counsellor == C2) == (lang == FR):
                value += 2
            if story.profile == "childcare" and client.gender == "F":
                value += 2
            return value

        best = max(window, key=score)
        oldest_first.remove(best)
        plan.append((best, "story", story))
    return plan


def seed(rng: random.Random) -> None:
    """Trajectories, referrals and their history for the demo clients (idempotent)."""
    ocmw = Ocmw.objects.filter(name=MAIN_OCMW).first()
    if ocmw is None:
        return
    users = {u.username: u for u in User.objects.filter(ocmw=ocmw, username__in=STAFF)}
    spi = Team.objects.filter(ocmw=ocmw, name=SPI_TEAM).first()
    general = Team.objects.filter(ocmw=ocmw, name=GENERAL_TEAM).first()
    if len(users) < len(STAFF) or spi is None or general is None:
        return
    world = _World(today=timezone.localdate(), spi=spi, general=general, users=users)
    clients = list(Client.objects.filter(ocmw=ocmw).order_by("pk"))
    started = (
        set(Trajectory.objects.filter(client__ocmw=ocmw).values_list("client_id", flat=True))
        | set(Referral.objects.filter(client__ocmw=ocmw).values_list("client_id", flat=True))
        | set(Contact.objects.filter(client__ocmw=ocmw).values_list("client_id", flat=True))
    )
    base = rng.getrandbits(32)
    world.notification_mark = Notification.objects.aggregate(m=Max("pk"))["m"] or 0
    for client, kind, what in _allocate(clients, world):
        if client.pk in started:
            continue
        client_rng = random.Random(f"{base}:{client.insz}")  # noqa: S311 - demo data
        decision = client.leefloon_decision_date
        if kind == "wait":
            slot, profile = what
            story = _ClientStory(world, client, client_rng, profile)
            story.wait(slot, decision)
        else:
            story = _ClientStory(world, client, client_rng, what.profile)
            hint = (world.today - decision).days if decision else None
            story.tell(what, hint)
        story.run()
    world.fixes.apply()
    # The moves were back-dated: when each stay ended follows their new dates.
    moved = PhaseChange.objects.filter(pk__in=list(world.fixes.rows.get(PhaseChange, {})))
    services.phase_changes_refresh_left_at(
        sorted(set(moved.values_list("trajectory_id", flat=True)))
    )
