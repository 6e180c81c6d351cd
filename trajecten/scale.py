"""Synthetic big-city data of the trajectory app, run by ``seed_scale``.

``seed(plan)`` is appended to ``ocmw.registries.scale_seeders`` in
``TrajectenConfig.ready()`` and runs after the core (clients, staff). It makes,
per client on average: one trajectory (a few very recent leefloon files wait for
the SPI team with a pending referral instead), ~5 phase changes, ~12 journal
contacts, 3 goals with their actions, ~3 evaluations, a needs analysis once past
screening, and the accepted referral that opened about half of the trajectories.

**The story of a trajectory** is simulated forward from the leefloon decision:
opened a few weeks later in phase 1 or 2 (a few "work from day one" straight in
phase 4 or 5), then a stay in each phase (the demo's durations, slower or
faster per client) ending in the next phase, a skip ahead, a step back (relapse,
childcare, eviction ...) or a closing with a reason that fits the phase; what is
still running today is open. So the open trajectories spread over the seven
phases (most in work experience, as in real caseloads) and about a quarter is
closed. Some counsellors were replaced on the way (a "counsellor changed" step).

**Deadlines, met and missed**: about 15 % of the open files are dormant (no
contact for 6 weeks to 7 months), the others had a contact in the last five
weeks; about one evaluation in eight was skipped and some planned next
evaluations lie in the past; only part of the files had a home visit at the
opening and every year. So the reminders scan has real work.

The number of contacts per trajectory grows with its length; the rate is set
so that the average over all clients is 12 (the bench clients have 200 each).
Texts (contacts, evaluations, goals, reasons, needs analyses) are the demo's, in
the client's language (Dutch or French), worded for one of the demo's sectors.

What later seeders need is left in ``plan.shared["trajectories"]``: one
:class:`TrajectorySeed` per trajectory, with its phase path.
"""

from __future__ import annotations

import bisect
import datetime
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass

from ocmw.scale import DAY, ClientSeed, ScalePlan, Timer, at, copy_rows, reserve_ids, weighted
from trajecten import demo
from trajecten.models import (
    PHASES,
    Action,
    ClosingReason,
    Contact,
    ContactType,
    Domain,
    DrivingLicence,
    Evaluation,
    Goal,
    GoalStatus,
    NeedsAnalysis,
    Phase,
    PhaseChange,
    Readiness,
    ReadinessItem,
    Referral,
    ReferralStatus,
    Trajectory,
    TransitionKind,
)

PRE, SCR, SOC, WEX, PRO, JOB, AFT = range(7)
CLOSED = Phase.CLOSED
CONTACTS_PER_CLIENT = 12

# Days in a phase before the next step (times the client's own pace).
STAY = [(30, 90), (25, 60), (45, 120), (120, 300), (60, 160), (45, 160), (300, 420)]
# Chance that a phase ends with closing the file (aftercare always does).
CLOSE_CHANCE = [0.06, 0.036, 0.042, 0.036, 0.036, 0.072, 1.0]
BACK_CHANCE = 0.34
SKIP_CHANCE = 0.10
REASSIGN_CHANCE = 0.4
DORMANT_CHANCE = 0.15

CLOSING = {
    AFT: [(ClosingReason.SUSTAINABLE_WORK, 80), (ClosingReason.LEEFLOON_ENDED, 10),
          (ClosingReason.MOVED, 5), (ClosingReason.OTHER, 5)],
    JOB: [(ClosingReason.SUSTAINABLE_WORK, 35), (ClosingReason.TRAINING, 10),
          (ClosingReason.UNREACHABLE, 20), (ClosingReason.MOVED, 15),
          (ClosingReason.LEEFLOON_ENDED, 15), (ClosingReason.MEDICAL, 5)],
    WEX: [(ClosingReason.SOCIAL_ECONOMY, 25), (ClosingReason.UNREACHABLE, 15),
          (ClosingReason.MOVED, 15), (ClosingReason.MEDICAL, 15),
          (ClosingReason.LEEFLOON_ENDED, 15), (ClosingReason.TRAINING, 10),
          (ClosingReason.OTHER, 5)],
    None: [(ClosingReason.MOVED, 25), (ClosingReason.UNREACHABLE, 25),
           (ClosingReason.MEDICAL, 20), (ClosingReason.LEEFLOON_ENDED, 20),
           (ClosingReason.DEATH, 2), (ClosingReason.OTHER, 8)],
}  # fmt: skip
CLOSING_NOTE_KEY = {
    ClosingReason.SUSTAINABLE_WORK: "sustainable",
    ClosingReason.SOCIAL_ECONOMY: "social_economy",
    ClosingReason.MOVED: "moved",
    ClosingReason.UNREACHABLE: "unreachable",
    ClosingReason.MEDICAL: "medical",
    ClosingReason.LEEFLOON_ENDED: "found_job",
}
OTHER_NOTE = (
    "Cliënt vraagt zelf om het traject stop te zetten (mantelzorg voor een ziek familielid).",
    "La personne demande d'arrêter le trajet (aidant proche d'un parent malade).",
)
REASSIGN_NOTE = (
    "Herverdeling van de caseload na het vertrek van een collega.",
    "Répartition des dossiers après le départ d'un collègue.",
)
BACK_REASONS = {SOC: ["relapse", "eviction"], WEX: ["relapse", "childcare", "eviction"],
                PRO: ["bankrupt", "childcare"], JOB: ["bankrupt", "relapse"],
                AFT: ["bankrupt"]}  # fmt: skip
GOAL_COUNTS = weighted([(1, 5), (2, 15), (3, 35), (4, 25), (5, 20)])
GOAL_DONE = weighted(
    [(GoalStatus.ACHIEVED, 55), (GoalStatus.PARTLY, 20), (GoalStatus.REVISED, 10),
     (GoalStatus.NOT_ACHIEVED, 15)]
)  # fmt: skip
GOAL_LEFT = weighted(
    [(GoalStatus.NOT_ACHIEVED, 40), (GoalStatus.PARTLY, 35), (GoalStatus.ACHIEVED, 25)]
)
SHORT_LANG = {"nl": 0, "fr": 1}


@dataclass(slots=True)
class TrajectorySeed:
    """One generated trajectory, as the GPMI and SPI seeders see it."""

    id: int
    client_id: int
    ocmw_index: int
    team_id: int
    counsellor_id: int
    lead_id: int
    social_worker_id: int | None
    lang: str  # "nl" or "fr": the language of its texts
    sector: str  # a key of trajecten.demo.SECTORS
    profile: str  # a key of trajecten.demo.PROFILES
    decision: datetime.date | None
    opened: datetime.date
    closed: datetime.date | None
    closing_reason: str
    phase: int  # the current phase (0..6), or the last one before closing
    # (phase, first day as an ordinal) for each step of its path, in order.
    path: tuple[tuple[int, int], ...]
    dormant: bool
    bench: bool
    needs_analysis: datetime.date | None = None
    contacts: float = 0.0  # weight, then the number of contacts

    @property
    def is_open(self) -> bool:
        return self.closed is None

    def end(self, today: datetime.date) -> datetime.date:
        return self.closed or today

    def span(self, phase: int, today: datetime.date) -> tuple[datetime.date, datetime.date] | None:
        """First and last day of the first stay in ``phase`` (None if never there)."""
        for index, (step_phase, start) in enumerate(self.path):
            if step_phase == phase:
                if index + 1 < len(self.path):
                    end = self.path[index + 1][1] - 1
                else:
                    end = self.end(today).toordinal()
                return datetime.date.fromordinal(start), datetime.date.fromordinal(max(start, end))
        return None

    def reached(self, phase: int) -> bool:
        return any(step_phase >= phase for step_phase, _start in self.path)

    def phase_on(self, ordinal: int) -> int:
        phase = self.path[0][0]
        for step_phase, start in self.path:
            if start > ordinal:
                break
            phase = step_phase
        return phase


# --- texts ------------------------------------------------------------------------------


class Texts:
    """The demo's texts per language and sector, formatted once."""

    def __init__(self) -> None:
        self.contacts: dict[tuple[int, str, int], list[tuple[str, str]]] = {}
        self.evaluations: dict[tuple[int, str, int], list[str]] = {}
        self.reasons: dict[tuple[int, str, str], str] = {}
        self.goals: dict[tuple[int, str], dict[str, tuple]] = {}
        for lang in (0, 1):
            for sector, words in demo.SECTORS.items():
                fill = {key: value[lang] for key, value in words.items()}
                for phase_index, phase in enumerate(PHASES):
                    self.contacts[lang, sector, phase_index] = [
                        (kind, texts[lang].format(**fill)) for kind, *texts in demo.CONTACTS[phase]
                    ]
                    self.evaluations[lang, sector, phase_index] = [
                        texts[lang].format(**fill) for texts in demo.EVALUATIONS[phase]
                    ]
                for key, texts in demo.REASONS.items():
                    self.reasons[lang, sector, key] = texts[lang].format(**fill)
                self.goals[lang, sector] = self._goals(lang, fill)
        self.generic = [
            [(kind, texts[lang]) for kind, *texts in demo.GENERIC_CONTACTS] for lang in (0, 1)
        ]
        self.social_worker = [
            [(kind, texts[lang]) for kind, *texts in demo.SW_CONTACTS] for lang in (0, 1)
        ]
        self.confidential = [
            [texts[lang] for texts in demo.CONFIDENTIAL.values()] for lang in (0, 1)
        ]
        self.home_visit = [demo.SW_CONTACTS[0][1], demo.SW_CONTACTS[0][2]]
        self.analyses = {
            (lang, profile): self._analysis(lang, profile)
            for lang in (0, 1)
            for profile in demo.PROFILES
        }
        self.checklists = {
            (lang, profile): self._checklist(lang, profile)
            for lang in (0, 1)
            for profile in demo.PROFILES
        }
        self.motivation = [
            demo.MOTIVATION[0].format(name="De cliënt"),
            demo.MOTIVATION[1].format(name="La personne", e="(e)"),
        ]

    @staticmethod
    def _goals(lang: int, fill: dict[str, str]) -> dict[str, tuple]:
        """Goal templates (title, horizon, domain, [(action, owner, days)]) by key."""

        def make(template: tuple) -> tuple:
            title_nl, title_fr, horizon, domain, actions = template
            title = (title_nl, title_fr)[lang].format(**fill)
            return (
                title,
                horizon,
                domain,
                [(a[lang].format(**fill), owner, days) for *a, owner, days in actions],
            )

        goals = {f"issue:{key}": make(t) for key, t in demo.ISSUE_GOALS.items()}
        goals |= {f"phase:{PHASES.index(p)}": make(t) for p, t in demo.PHASE_GOALS.items()}
        goals["start"] = make(demo.START_GOAL)
        goals["medium"] = make(demo.MEDIUM_GOAL)
        goals["long"] = make(demo.LONG_GOAL)
        return goals

    @staticmethod
    def _analysis(lang: int, profile: str) -> dict[str, str]:
        issues = demo.PROFILES[profile]
        domains = {}
        for domain in (
            Domain.MATERIAL,
            Domain.PSYCHOLOGICAL,
            Domain.MEDICAL,
            Domain.SOCIAL,
            Domain.CULTURAL,
        ):
            issue = issues.get(domain)
            s_nl, n_nl, s_fr, n_fr = demo.DOMAIN_TEXT[domain][issue or "ok"]
            domains[str(domain)] = {
                "situation": (s_nl, s_fr)[lang],
                "needs": (n_nl, n_fr)[lang],
                "support_needed": bool(issue) and issue != "diabetes",
            }
        local = [("Nederlands", "néerlandais"), ("Frans", "français")]
        mother = ("moedertaal", "langue maternelle")[lang]
        languages = [
            {"language": local[lang][lang], "level": mother},
            {
                "language": local[1 - lang][lang],
                "level": "A2" if "language" in issues.values() else "B1",
            },
        ]
        return {"domains": json.dumps(domains), "languages": json.dumps(languages)}

    @staticmethod
    def _checklist(lang: int, profile: str) -> str:
        flagged = {
            demo.ISSUE_ITEMS[i] for i in demo.PROFILES[profile].values() if i in demo.ISSUE_ITEMS
        }
        items = {}
        for item in ReadinessItem.values:
            ok_nl, ok_fr, att_nl, att_fr = demo.CHECKLIST_NOTES[item]
            if item in flagged:
                items[item] = {"status": Readiness.ATTENTION, "note": (att_nl, att_fr)[lang]}
            else:
                items[item] = {"status": Readiness.OK, "note": (ok_nl, ok_fr)[lang]}
        return json.dumps(items)


# --- the stories ------------------------------------------------------------------------


def _closing_reason(rng: random.Random, phase: int) -> str:
    values, cumulative = CLOSING_WEIGHTS.get(phase, CLOSING_WEIGHTS[None])
    return rng.choices(values, cum_weights=cumulative)[0]


CLOSING_WEIGHTS = {phase: weighted(pairs) for phase, pairs in CLOSING.items()}
PROFILE_KEYS = list(demo.PROFILES)
SECTOR_KEYS = list(demo.SECTORS)


def simulate(
    plan: ScalePlan, rng: random.Random, client: ClientSeed, trajectory_id: int
) -> tuple[TrajectorySeed, list[tuple[str, int, int, int, str]]] | None:
    """The trajectory of ``client`` and its steps (kind, from, to, day ordinal, reason
    key), or None when the file is too recent to have one yet."""
    rnd = rng.random
    today = plan.today.toordinal()
    if client.bench:
        opened = today - 700
    elif client.decision is not None:
        opened = client.decision.toordinal() + 2 + int(rnd() * 25)
    else:
        opened = today - int(1300 * rnd() ** 1.5)
    if opened > today - 2:
        return None
    ocmw = plan.ocmw_plans[client.ocmw_index]
    if client.bench:
        team = ocmw.spi_teams[0]
        counsellor = team.counsellor_ids[0]
    else:
        team = ocmw.spi_teams[int(rnd() * len(ocmw.spi_teams))]
        counsellor = team.counsellor_ids[int(rnd() * len(team.counsellor_ids))]
    pace = rng.lognormvariate(0, 0.35)
    u = rnd()
    phase = PRE if u < 0.35 else SCR if u < 0.95 else (WEX if rnd() < 0.5 else PRO)
    if client.bench:  # from the start, so that it reaches (and stays in) work experience
        phase = PRE
    steps = [("opened", -1, phase, opened, "day_one" if phase > SCR else "")]
    path = [(phase, opened)]
    day = opened
    closed = None
    reason = ""
    while True:
        low, high = STAY[phase]
        stay = int((low + rnd() * (high - low)) * pace) + 1
        if client.bench:
            stay = max(stay, 800) if phase == WEX else min(stay, 60)
        if day + stay > today:
            break
        day += stay
        if rnd() < CLOSE_CHANCE[phase] and not client.bench:
            closed, reason = day, _closing_reason(rng, phase)
            steps.append(("close", phase, -1, day, reason))
            break
        x = rnd()
        if phase >= SOC and x < BACK_CHANCE and not client.bench:
            target = max(PRE, phase - (2 if rnd() < 0.25 else 1))
            key = rng.choice(BACK_REASONS.get(phase, ["relapse"]))
            steps.append(("back", phase, target, day, key))
        elif phase <= PRO and x < BACK_CHANCE + SKIP_CHANCE and not client.bench:
            target = phase + 2
            steps.append(
                ("skip", phase, target, day, "skip_social" if target == WEX else "day_one")
            )
        else:
            target = phase + 1
            steps.append(("advance", phase, target, day, ""))
        phase = target
        path.append((phase, day))
    if rnd() < REASSIGN_CHANCE and (closed or today) - opened > 60:
        when = opened + 30 + int(rnd() * ((closed or today) - opened - 30))
        at_phase = path[bisect.bisect_right([start for _p, start in path], when) - 1][0]
        steps.append(("reassign", at_phase, at_phase, when, ""))
        steps.sort(key=lambda step: step[3])
    profile = PROFILE_KEYS[int(rnd() * len(PROFILE_KEYS))]
    sectors = demo.PROFILE_SECTORS.get(profile, SECTOR_KEYS)
    seed = TrajectorySeed(
        id=trajectory_id,
        client_id=client.id,
        ocmw_index=client.ocmw_index,
        team_id=team.id,
        counsellor_id=counsellor,
        lead_id=team.lead_id,
        social_worker_id=client.social_worker_id,
        lang=client.text_language,
        sector=sectors[int(rnd() * len(sectors))],
        profile=profile,
        decision=client.decision,
        opened=datetime.date.fromordinal(opened),
        closed=datetime.date.fromordinal(closed) if closed else None,
        closing_reason=reason,
        phase=phase,
        path=tuple(path),
        dormant=closed is None and not client.bench and rnd() < DORMANT_CHANCE,
        bench=client.bench,
    )
    # The needs analysis: some days into screening (or right away for a file that
    # starts further on), if that day has come.
    screening = seed.span(SCR, plan.today)
    if screening or path[0][0] > SCR:
        start = screening[0] if screening else seed.opened
        done = start + DAY * (5 + int(rnd() * 20))
        if screening and screening[1] > start:
            done = min(done, screening[1])
        if done <= seed.end(plan.today) and done < plan.today:
            seed.needs_analysis = done
    length = (closed or (today - int(43 + rnd() * 160) if seed.dormant else today)) - opened + 20
    seed.contacts = length / 30.4 * rng.lognormvariate(0, 0.45)
    return seed, steps


# --- rows ---------------------------------------------------------------------------------

TRAJECTORY_COLUMNS = [
    "id", "client_id", "team_id", "counsellor_id", "phase", "phase_since", "version", "opened_on",
    "closed_on", "closing_reason", "closing_note", "created_at",
]  # fmt: skip
CHANGE_COLUMNS = [
    "trajectory_id", "kind", "from_phase", "to_phase", "by_id", "at", "reason", "left_at",
    "team_id",
]  # fmt: skip
CONTACT_COLUMNS = [
    "client_id", "trajectory_id", "date", "type", "duration_minutes", "staff_id", "shared_with",
    "summary", "confidential", "created_at",
]  # fmt: skip
GOAL_COLUMNS = [
    "id", "trajectory_id", "title", "description", "horizon", "domain", "status", "set_on",
    "created_by_id", "created_at", "updated_at",
]  # fmt: skip
ACTION_COLUMNS = [
    "goal_id", "description", "owner", "due_date", "done", "done_on", "created_by_id", "created_at",
]  # fmt: skip
EVALUATION_COLUMNS = [
    "trajectory_id", "date", "in_person", "conclusion", "next_evaluation_on", "author_id",
    "created_at",
]  # fmt: skip
ANALYSIS_COLUMNS = [
    "client_id", "trajectory_id", "version", "date", "author_id", "created_at", "domains",
    "education", "work_experience", "languages", "driving_licence", "competences", "likes",
    "dislikes", "own_project", "expectations",
]  # fmt: skip
REFERRAL_COLUMNS = [
    "client_id", "team_id", "proposed_by_id", "proposed_at", "checklist", "motivation", "status",
    "decided_by_id", "decided_at", "decline_reason", "trajectory_id",
]  # fmt: skip


class Writer:
    """Generates the rows of one chunk of trajectories, table by table."""

    def __init__(self, plan: ScalePlan, texts: Texts) -> None:
        self.plan = plan
        self.texts = texts
        self.today = plan.today
        self.rows: dict[str, list[tuple]] = {}

    def reset(self) -> None:
        self.rows = {key: [] for key in ("t", "pc", "c", "g", "a", "e", "na", "r")}

    def trajectory(
        self, rng: random.Random, seed: TrajectorySeed, steps: list[tuple], goal_id: int
    ) -> int:
        rnd = rng.random
        lang = SHORT_LANG[seed.lang]
        rows = self.rows
        sector = seed.sector
        texts = self.texts
        # Phase changes, each with when the stay it began ended (``left_at``): the
        # next move's time; the moves are on different days, in order, and a change
        # of counsellor ends no stay (it gets none).
        changes: list[list] = []
        last_at = at(seed.opened, 540)
        previous: list | None = None
        for kind, source, target, day, key in steps:
            when = at(datetime.date.fromordinal(day), 480 + int(rnd() * 540))
            by = seed.lead_id if kind == "reassign" else seed.counsellor_id
            if kind == "close":
                reason = texts.reasons.get((lang, sector, CLOSING_NOTE_KEY.get(key, "")), "")
                if key == ClosingReason.OTHER:
                    reason = OTHER_NOTE[lang]
                changes.append(
                    [seed.id, TransitionKind.CLOSE, PHASES[source], CLOSED, by, when, reason, None]
                )
            elif kind == "reassign":
                changes.append(
                    [seed.id, TransitionKind.REASSIGN, PHASES[source], PHASES[target], by, when,
                     REASSIGN_NOTE[lang], None]
                )  # fmt: skip
            else:
                reason = texts.reasons[lang, sector, key] if key else ""
                changes.append(
                    [seed.id, kind, PHASES[source] if source >= 0 else "", PHASES[target], by,
                     when, reason, None]
                )  # fmt: skip
            if kind != "reassign":
                if previous is not None:
                    previous[7] = when
                previous = changes[-1]
                last_at = when
        # Each change carries the trajectory's team (``PhaseChange.team``).
        rows["pc"].extend((*change, seed.team_id) for change in changes)
        closing_note = ""
        if seed.closed:
            closing_note = changes[-1][6] if steps[-1][0] == "close" else ""
        rows["t"].append(
            (seed.id, seed.client_id, seed.team_id, seed.counsellor_id,
             CLOSED if seed.closed else PHASES[seed.phase], last_at, len(steps), seed.opened,
             seed.closed, seed.closing_reason, closing_note, at(seed.opened, 540))
        )  # fmt: skip
        self.contacts(rng, seed)
        self.evaluations(rng, seed)
        self.analysis(rng, seed)
        if rnd() < 0.55 and seed.social_worker_id:
            proposed = at(seed.opened - DAY * (2 + int(rnd() * 18)), 600)
            rows["r"].append(
                (seed.client_id, seed.team_id, seed.social_worker_id, proposed,
                 texts.checklists[lang, seed.profile], texts.motivation[lang],
                 ReferralStatus.ACCEPTED, seed.lead_id, at(seed.opened, 560), "", seed.id)
            )  # fmt: skip
        return self.goals(rng, seed, goal_id)

    def contacts(self, rng: random.Random, seed: TrajectorySeed) -> None:
        rnd = rng.random
        count = int(seed.contacts)
        if count <= 0:
            return
        lang = SHORT_LANG[seed.lang]
        texts = self.texts
        today = self.today.toordinal()
        opened = seed.opened.toordinal()
        first = opened - 20 if seed.social_worker_id else opened
        if seed.closed:
            last = seed.closed.toordinal()
        elif seed.dormant:
            last = today - 43 - int(rnd() * 160)
        else:
            # An active file: the latest contact is at most five weeks old.
            last = today - int(rnd() * 36)
        last = max(first, last)
        days = sorted(first + int(rnd() * (last - first + 1)) for _ in range(count - 1))
        days.append(last)
        # Home visits at the opening and then yearly, for part of the files.
        visit_due = opened if rnd() < 0.8 else None
        yearly = rnd() < 0.75
        append = self.rows["c"].append
        durations = demo.DURATIONS
        path_starts = [start for _phase, start in seed.path]
        counsellor, worker = seed.counsellor_id, seed.social_worker_id
        for day in days:
            index = bisect.bisect_right(path_starts, day) - 1
            phase = seed.path[max(0, index)][0]
            trajectory_id = seed.id
            staff = counsellor
            confidential = False
            if visit_due is not None and day >= visit_due:
                kind, summary = ContactType.HOME_VISIT, texts.home_visit[lang]
                visit_due = visit_due + 365 if yearly else None
            elif day < opened:
                kind, summary = texts.social_worker[lang][int(rnd() * 4)]
                staff, trajectory_id = worker, None
            else:
                u = rnd()
                if u < 0.03:
                    kind, summary = ContactType.INTERVIEW, rng.choice(texts.confidential[lang])
                    confidential = True
                elif u < 0.25:
                    kind, summary = rng.choice(texts.generic[lang])
                elif u < 0.30 and worker:
                    kind, summary = texts.social_worker[lang][1 + int(rnd() * 3)]
                    staff = worker
                else:
                    options = texts.contacts[lang, seed.sector, phase]
                    kind, summary = options[int(rnd() * len(options))]
                    if kind == ContactType.HOME_VISIT:
                        kind = ContactType.INTERVIEW
            low, high = durations[kind]
            date = datetime.date.fromordinal(day)
            append(
                (seed.client_id, trajectory_id, date, kind, low + int(rnd() * (high - low)), staff,
                 5 + int(rnd() * 8) if kind == ContactType.GROUP else 1, summary, confidential,
                 at(date, 510 + int(rnd() * 500)))
            )  # fmt: skip

    def evaluations(self, rng: random.Random, seed: TrajectorySeed) -> None:
        rnd = rng.random
        lang = SHORT_LANG[seed.lang]
        today = self.today.toordinal()
        end = seed.closed.toordinal() if seed.closed else today
        if seed.dormant:
            end -= 60
        day = seed.opened.toordinal() + 90 + int(rnd() * 30)
        rows = []
        while day <= end:
            if rnd() >= 0.12:  # about one in eight is skipped
                phase = seed.phase_on(day)
                options = self.texts.evaluations[lang, seed.sector, phase]
                rows.append([day, rnd() < 0.78, options[int(rnd() * len(options))], None])
            day += 95 + int(rnd() * 25)
        for index, row in enumerate(rows):
            if index + 1 < len(rows):
                row[3] = rows[index + 1][0] if rnd() < 0.6 else None
            elif seed.closed is None and rnd() < 0.7:
                row[3] = row[0] + 110 + int(rnd() * 15)
        append = self.rows["e"].append
        for day, in_person, conclusion, next_day in rows:
            date = datetime.date.fromordinal(day)
            append(
                (seed.id, date, in_person, conclusion,
                 datetime.date.fromordinal(next_day) if next_day else None, seed.counsellor_id,
                 at(date, 600 + int(rnd() * 400)))
            )  # fmt: skip

    def analysis(self, rng: random.Random, seed: TrajectorySeed) -> None:
        if seed.needs_analysis is None:
            return
        rnd = rng.random
        lang = SHORT_LANG[seed.lang]
        words = demo.SECTORS[seed.sector]
        stored = self.texts.analyses[lang, seed.profile]
        job = words["job"][lang]
        dates = [seed.needs_analysis]
        later = seed.needs_analysis + DAY * (180 + int(rnd() * 220))
        if rnd() < 0.1 and later < seed.end(self.today):
            dates.append(later)
        abroad = demo.PROFILES[seed.profile].get(Domain.CULTURAL) == "diploma"
        for version, date in enumerate(dates, start=1):
            likes = rng.sample(demo.LIKES, 2)
            education = demo.EDUCATION_ABROAD if abroad else rng.choice(demo.EDUCATION)
            self.rows["na"].append(
                (seed.client_id, seed.id, version, date, seed.counsellor_id,
                 at(date, 600 + int(rnd() * 400)), stored["domains"], education[lang],
                 words["experience"][lang], stored["languages"],
                 rng.choice([DrivingLicence.NONE, DrivingLicence.NONE, DrivingLicence.B,
                             DrivingLicence.LEARNER]),
                 words["competences"][lang],
                 (", ".join(like[lang] for like in likes)).capitalize() + ".",
                 rng.choice(demo.DISLIKES)[lang].capitalize() + ".",
                 rng.choice(demo.OWN_PROJECT)[lang].format(job=job),
                 rng.choice(demo.EXPECTATIONS)[lang])
            )  # fmt: skip

    def goals(self, rng: random.Random, seed: TrajectorySeed, goal_id: int) -> int:
        rnd = rng.random
        lang = SHORT_LANG[seed.lang]
        templates = self.texts.goals[lang, seed.sector]
        today = self.today
        end = seed.end(today)
        values, cumulative = GOAL_COUNTS
        count = rng.choices(values, cum_weights=cumulative)[0]
        # Candidates in the order a counsellor would set them: (key, set on, phase done?)
        candidates: list[tuple[str, datetime.date, bool]] = []
        screening = seed.span(SCR, today)
        candidates.append(("start", (screening or (seed.opened, end))[0], bool(screening)))
        for issue in demo.PROFILES[seed.profile].values():
            if f"issue:{issue}" in templates:
                candidates.append((f"issue:{issue}", seed.opened, seed.phase > SOC))
        for phase in range(SOC, AFT + 1):
            span = seed.span(phase, today)
            if span:
                left = seed.phase != phase or seed.closed is not None
                candidates.append((f"phase:{phase}", span[0], left))
        candidates.append(("medium", seed.opened + DAY * 20, seed.phase > WEX))
        candidates.append(("long", seed.opened + DAY * 25, seed.closing_reason in (
            ClosingReason.SUSTAINABLE_WORK, ClosingReason.SOCIAL_ECONOMY)))  # fmt: skip
        chosen = candidates[:count]
        for key, set_on, finished in chosen:
            set_on = min(set_on, end)
            title, horizon, domain, actions = templates[key]
            if finished:
                status = rng.choices(GOAL_DONE[0], cum_weights=GOAL_DONE[1])[0]
            elif seed.closed:
                status = rng.choices(GOAL_LEFT[0], cum_weights=GOAL_LEFT[1])[0]
            else:
                status = GoalStatus.OPEN
            created = at(set_on, 600 + int(rnd() * 400))
            self.rows["g"].append(
                (goal_id, seed.id, title, "", horizon, domain, status, set_on, seed.counsellor_id,
                 created, created)
            )  # fmt: skip
            for index, (description, owner, days) in enumerate(actions):
                if rnd() >= (0.8 if index == 0 else 0.35):
                    continue
                due = set_on + DAY * days
                done = due < today and (finished or rnd() < 0.6)
                done_on = min(today, max(set_on, due + DAY * int(rnd() * 15 - 5))) if done else None
                self.rows["a"].append(
                    (goal_id, description, owner, due, done, done_on, seed.counsellor_id, created)
                )
            goal_id += 1
        return goal_id

    def flush(self) -> None:
        rows = self.rows
        copy_rows(Trajectory, TRAJECTORY_COLUMNS, rows["t"])
        copy_rows(PhaseChange, CHANGE_COLUMNS, rows["pc"])
        copy_rows(Contact, CONTACT_COLUMNS, rows["c"])
        copy_rows(Goal, GOAL_COLUMNS, rows["g"])
        copy_rows(Action, ACTION_COLUMNS, rows["a"])
        copy_rows(Evaluation, EVALUATION_COLUMNS, rows["e"])
        copy_rows(NeedsAnalysis, ANALYSIS_COLUMNS, rows["na"])
        copy_rows(Referral, REFERRAL_COLUMNS, rows["r"])


def _pending_referrals(plan: ScalePlan, waiting: list[ClientSeed], texts: Texts) -> Iterator[tuple]:
    """Recent leefloon files the SPI team has not decided on yet."""
    rng = plan.rng("trajecten", "pending")
    for client in waiting:
        if not client.social_worker_id or rng.random() < 0.4:
            continue
        ocmw = plan.ocmw_plans[client.ocmw_index]
        team = ocmw.spi_teams[int(rng.random() * len(ocmw.spi_teams))]
        lang = SHORT_LANG[client.text_language]
        day = min(plan.today, (client.decision or plan.today) + DAY * int(rng.random() * 5))
        profile = PROFILE_KEYS[int(rng.random() * len(PROFILE_KEYS))]
        yield (
            client.id, team.id, client.social_worker_id, at(day, 600),
            texts.checklists[lang, profile], texts.motivation[lang], ReferralStatus.PROPOSED,
            None, None, "", None,
        )  # fmt: skip


def _stories(
    plan: ScalePlan, chunk_no: int, chunk: list[ClientSeed], next_id: int
) -> Iterator[tuple[ClientSeed, tuple[TrajectorySeed, list[tuple]] | None]]:
    """The simulated story of each client of a chunk (None: no trajectory yet).

    Deterministic, so the second pass simulates again instead of keeping every
    trajectory's steps in memory."""
    rng = plan.rng("trajecten", "story", chunk_no)
    for client in chunk:
        made = simulate(plan, rng, client, next_id)
        if made is not None:
            next_id += 1
        yield client, made


def seed(plan: ScalePlan) -> None:
    texts = Texts()
    first_id = reserve_ids(Trajectory, len(plan.client_seeds))
    trajectories: list[TrajectorySeed] = []
    waiting: list[ClientSeed] = []
    with Timer(plan, "trajectories planned"):
        for chunk_no, chunk in enumerate(plan.chunks(plan.client_seeds)):
            for client, made in _stories(plan, chunk_no, chunk, first_id + len(trajectories)):
                if made is None:
                    waiting.append(client)
                else:
                    trajectories.append(made[0])
        # Contacts grow with the length of the trajectory; scale them to 12 per client.
        bench = sum(1 for t in trajectories if t.bench)
        weight = sum(t.contacts for t in trajectories if not t.bench)
        target = CONTACTS_PER_CLIENT * plan.clients - bench * 200
        rate = max(0.0, target / weight) if weight else 0.0
        rng = plan.rng("trajecten", "contacts")
        for t in trajectories:
            exact = t.contacts * rate
            t.contacts = 200 if t.bench else int(exact) + (rng.random() < exact - int(exact))
        plan.shared["trajectories"] = trajectories
    writer = Writer(plan, texts)
    with Timer(plan, f"{len(trajectories)} trajectories with their history"):
        goal_id = reserve_ids(Goal, 5 * len(trajectories) + 1)
        position = 0
        for chunk_no, chunk in enumerate(plan.chunks(plan.client_seeds)):
            rng = plan.rng("trajecten", "rows", chunk_no)
            writer.reset()
            start_id = first_id + position
            for _client, made in _stories(plan, chunk_no, chunk, start_id):
                if made is None:
                    continue
                trajectory = trajectories[position]
                position += 1
                goal_id = writer.trajectory(rng, trajectory, made[1], goal_id)
            writer.flush()
        copy_rows(Referral, REFERRAL_COLUMNS, _pending_referrals(plan, waiting, texts))
