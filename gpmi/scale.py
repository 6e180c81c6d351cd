"""Synthetic big-city GPMIs, run by ``seed_scale`` after the trajectory seeder.

``seed(plan)`` is appended to ``ocmw.registries.scale_seeders`` in
``GpmiConfig.ready()``; it reads the trajectories the trajectory seeder left in
``plan.shared["trajectories"]``. About nine clients in ten with a leefloon
decision get a GPMI on their trajectory: mostly general (type 11), some for
studies (9, 10), a few exemptions (8, with the reason, no versions).

**Versions in every state**, on average 1.2 per client: most contracts were
presented after the needs analysis and signed within the legal 3 months of the
leefloon decision, some late, some never (still a draft or presented: the
legal deadline is missed, or still ahead for recent files); a contract that
ran its year was renewed by a new version or ended; some were amended midway
(the earlier version "replaced"), a few versions were withdrawn, and the
contract of a closed trajectory ended with it. Each lifecycle step has its
``VersionChange`` row. About half of the signed clients gave their consent for
the electronic social report.

Signed versions have no stored PDF (``pdf`` is empty): rendering 200,000
contracts is not what this data is for; the benchmark renders one.
"""

from __future__ import annotations

import datetime
import json
import random

from dateutil.relativedelta import relativedelta

from gpmi.demo import TEXTS
from gpmi.models import (
    CONCLUDED_STATUSES,
    Consent,
    ConsentMethod,
    EndReason,
    Gpmi,
    GpmiType,
    GpmiVersion,
    VersionChange,
    VersionStatus,
)
from ocmw.scale import DAY, ScalePlan, Timer, at, copy_rows, reserve_ids, weighted
from trajecten.models import ClosingReason
from trajecten.scale import TrajectorySeed

YEAR = relativedelta(years=1)
TYPES = weighted(
    [(GpmiType.GENERAL, 86), (GpmiType.STUDIES_FULL_TIME, 4), (GpmiType.STUDENT_WORKING, 4),
     (GpmiType.EXEMPTION, 6)]
)  # fmt: skip
SIGNATORY = {
    "nl": ("Voorzitter van het BCSD", "Algemeen directeur"),
    "fr": ("Président du CSSS", "Directeur général"),
}
SIGNATORY_NAMES = ["Marc Janssens", "Anne Dupuis", "Hilde Verhoeven", "Jean-Luc Gérard"]
WAIVER = {
    "nl": "De cliënt zag af van de bedenktijd: start van de opleiding volgende week.",
    "fr": "La personne a renoncé au délai de réflexion : la formation commence la semaine "
    "prochaine.",
}
END_BY_CLOSING = {
    ClosingReason.LEEFLOON_ENDED: EndReason.LEEFLOON_ENDED,
    ClosingReason.SUSTAINABLE_WORK: EndReason.LEEFLOON_ENDED,
    ClosingReason.SOCIAL_ECONOMY: EndReason.LEEFLOON_ENDED,
    ClosingReason.MOVED: EndReason.MOVED,
}

GPMI_COLUMNS = [
    "id", "client_id", "trajectory_id", "type", "leefloon_decision_date", "exemption_reason",
    "created_by_id", "created_at", "concluded",
]  # fmt: skip
VERSION_COLUMNS = [
    "id", "gpmi_id", "number", "status", "language", "objectives", "commitments_client",
    "commitments_ocmw", "commitments_third_parties", "activity_domains", "start_date", "end_date",
    "deadlines", "evaluations_per_year", "evaluations_in_person", "evaluation_arrangements",
    "extra_aid", "covers_enrolment", "covers_insurance", "covers_work_clothing", "covers_travel",
    "covers_other", "partners", "assisting_person", "presented_on", "reflection_waived",
    "reflection_waiver_note", "ocmw_signatory_name", "ocmw_signatory_capacity", "counsellor_id",
    "client_signed_on", "ocmw_signed_on", "counsellor_signed_on", "partners_signed_on",
    "ended_on", "end_reason", "pdf", "pdf_sha256", "created_by_id", "created_at", "updated_at",
]  # fmt: skip
CHANGE_COLUMNS = ["version_id", "from_status", "to_status", "by_id", "at", "reason"]
CONSENT_COLUMNS = ["client_id", "given", "date", "method", "note", "recorded_by_id", "recorded_at"]


class Contents:
    """The contract texts (the demo's), dumped to JSON once per language."""

    def __init__(self) -> None:
        self.by_lang = {}
        for lang, t in TEXTS.items():
            objectives = t["objectives"]
            self.by_lang[lang] = {
                "objectives": [
                    json.dumps(objectives[:2]),
                    json.dumps(objectives[1:]),
                    json.dumps([objectives[0], objectives[2]]),
                ],
                "studies": [json.dumps(t["studies"])],
                "client": json.dumps(t["client"]),
                "ocmw": json.dumps(t["ocmw"]),
                "third": json.dumps([{"party": "VDAB / Actiris", "commitment": t["partner"]}]),
                "domains": json.dumps(t["domains"]),
                "deadlines": t["deadlines"],
                "evaluation": t["evaluation"],
                "exemption": t["exemption"],
                "withdraw": t["withdraw"],
            }


class Version:
    """One version being written: its dates and status, then its rows."""

    def __init__(self, number: int, created: datetime.date) -> None:
        self.number = number
        self.created = created
        self.presented: datetime.date | None = None
        self.signed: datetime.date | None = None
        self.waived = False
        self.start: datetime.date = created
        self.end: datetime.date = created + YEAR
        self.ended: datetime.date | None = None
        self.end_reason = ""
        self.withdrawn: datetime.date | None = None

    def status(self, today: datetime.date) -> str:
        if self.withdrawn:
            return VersionStatus.WITHDRAWN
        if self.ended:
            return VersionStatus.ENDED
        if self.signed:
            return VersionStatus.ACTIVE if self.start <= today else VersionStatus.SIGNED
        return VersionStatus.PRESENTED if self.presented else VersionStatus.DRAFT


def _contract(
    rng: random.Random, t: TrajectorySeed, decision: datetime.date, today: datetime.date
) -> list[Version]:
    """The versions of one GPMI contract, oldest first."""
    rnd = rng.random
    created = max(decision, t.opened) + DAY * int(rnd() * 10)
    end = t.end(today)
    if created >= end or created >= today:
        return []
    analysis = t.needs_analysis
    if analysis is None:
        return [Version(1, created)] if rnd() < 0.85 else []
    deadline = decision + relativedelta(months=3)
    u = rnd()
    if u < 0.78:
        signed = decision + DAY * (20 + int(rnd() * 60))
    elif u < 0.88:
        signed = deadline + DAY * (5 + int(rnd() * 115))
    else:
        signed = None  # never concluded
    versions: list[Version] = []
    first_created = max(created, analysis - DAY * int(rnd() * 20))
    if signed is not None:
        signed = max(signed, analysis + DAY * (7 + int(rnd() * 10)), first_created + DAY * 8)
    if rnd() < 0.06 and signed is not None:
        # A first proposal the client turned down: withdrawn, then a new version.
        dropped = Version(1, first_created)
        dropped.presented = max(analysis, first_created)
        dropped.withdrawn = dropped.presented + DAY * (3 + int(rnd() * 10))
        if dropped.withdrawn < signed - DAY * 8:
            versions.append(dropped)
            first_created = dropped.withdrawn + DAY
    version = Version(len(versions) + 1, first_created)
    versions.append(version)
    if signed is None or signed >= min(end, today):
        # Not concluded (yet): presented once the analysis is there, or still a draft.
        presented = max(analysis, first_created) + DAY * int(rnd() * 20)
        if rnd() < 0.6 and presented < min(end, today):
            version.presented = presented
        return versions
    version.waived = rnd() < 0.05
    version.presented = signed - DAY * (
        (1 + int(rnd() * 3)) if version.waived else 5 + int(rnd() * 7)
    )
    version.presented = max(version.presented, version.created, analysis)
    version.signed = signed
    version.start = signed + DAY * int(rnd() * 8)
    version.end = version.start + YEAR
    amended = False
    while True:
        running_until = min(version.end, end)
        if version.end <= end and version.end <= today:
            if rnd() < 0.8:
                follow = Version(version.number + 1, version.end - DAY * (25 + int(rnd() * 15)))
            else:
                version.ended, version.end_reason = version.end, EndReason.END_OF_TERM
                break
        elif not amended and rnd() < 0.35 and running_until - version.start > DAY * 90:
            amended = True
            day = version.start + DAY * (
                60 + int(rnd() * ((running_until - version.start).days - 60))
            )
            follow = Version(version.number + 1, day - DAY * 20)
        else:
            break
        follow.presented = follow.created + DAY * (2 + int(rnd() * 5))
        follow.signed = follow.presented + DAY * (5 + int(rnd() * 5))
        if follow.signed >= min(end, today):
            if follow.created < min(end, today):
                if follow.presented >= min(end, today):
                    follow.presented = None
                follow.signed = None
                versions.append(follow)  # the next version is being prepared
            if version.end <= end and version.end <= today:
                version.ended, version.end_reason = version.end, EndReason.END_OF_TERM
            break
        follow.start = max(follow.signed, follow.created + DAY)
        follow.end = follow.start + YEAR
        version.ended, version.end_reason = max(follow.start, version.start), EndReason.REPLACED
        versions.append(follow)
        version = follow
    if t.closed is not None and not version.ended and version.signed:
        version.ended = max(version.start, t.closed)
        version.end_reason = END_BY_CLOSING.get(t.closing_reason, EndReason.OTHER)
    if not t.closed and version.signed and not version.ended and rnd() < 0.04:
        # An amendment in preparation next to the running contract.
        draft_day = today - DAY * int(rnd() * 30)
        if draft_day > version.start:
            versions.append(Version(version.number + 1, draft_day))
    return versions


def seed(plan: ScalePlan) -> None:
    trajectories: list[TrajectorySeed] = plan.shared["trajectories"]
    contents = Contents()
    today = plan.today
    gpmi_id = reserve_ids(Gpmi, len(trajectories))
    version_id = reserve_ids(GpmiVersion, 10 * len(trajectories))
    counts = {"gpmis": 0, "versions": 0}
    with Timer(plan, "GPMIs, versions and consents"):
        for chunk_no, chunk in enumerate(plan.chunks(trajectories)):
            rng = plan.rng("gpmi", chunk_no)
            rnd = rng.random
            gpmis, versions, changes, consents = [], [], [], []
            for t in chunk:
                if t.decision is None or (rnd() >= 0.95 and not t.bench):
                    continue
                kind = rng.choices(TYPES[0], cum_weights=TYPES[1])[0]
                if t.bench:
                    kind = GpmiType.GENERAL
                lang = t.lang
                text = contents.by_lang[lang]
                created = max(t.decision, t.opened)
                if created >= today:
                    continue
                row = (gpmi_id, t.client_id, t.id, kind, t.decision,
                       text["exemption"] if kind == GpmiType.EXEMPTION else "", t.counsellor_id,
                       at(created, 600 + int(rnd() * 400)))  # fmt: skip
                concluded = False  # a signed version: signed, running or ended
                if kind != GpmiType.EXEMPTION:
                    studies = kind != GpmiType.GENERAL
                    for version in _contract(rng, t, t.decision, today):
                        _version_rows(
                            rng, plan, t, version, gpmi_id, version_id, studies, text,
                            versions, changes,
                        )  # fmt: skip
                        concluded = concluded or version.status(today) in CONCLUDED_STATUSES
                        if version.signed and version.number <= 2 and rnd() < 0.35:
                            consents.append(
                                (t.client_id, rnd() < 0.93, version.signed,
                                 rng.choice(ConsentMethod.values), "", t.counsellor_id,
                                 at(version.signed, 700))
                            )  # fmt: skip
                        version_id += 1
                gpmis.append((*row, concluded))
                gpmi_id += 1
            copy_rows(Gpmi, GPMI_COLUMNS, gpmis)
            copy_rows(GpmiVersion, VERSION_COLUMNS, versions)
            copy_rows(VersionChange, CHANGE_COLUMNS, changes)
            copy_rows(Consent, CONSENT_COLUMNS, consents)
            counts["gpmis"] += len(gpmis)
            counts["versions"] += len(versions)
    plan.log(f"  {counts['gpmis']} GPMIs, {counts['versions']} versions")


def _version_rows(
    rng: random.Random,
    plan: ScalePlan,
    t: TrajectorySeed,
    v: Version,
    gpmi_id: int,
    version_id: int,
    studies: bool,
    text: dict,
    versions: list,
    changes: list,
) -> None:
    rnd = rng.random
    today = plan.today
    status = v.status(today)
    by = t.counsellor_id
    signed = v.signed
    objectives = text["studies"][0] if studies else rng.choice(text["objectives"])
    capacity = SIGNATORY[t.lang][int(rnd() * 2)] if signed else ""
    name = SIGNATORY_NAMES[t.ocmw_index % len(SIGNATORY_NAMES)] if signed else ""
    last = v.withdrawn or v.ended or (v.start if signed and v.start <= today else signed)
    last = last or v.presented or v.created
    versions.append(
        (version_id, gpmi_id, v.number, status, t.lang, objectives, text["client"], text["ocmw"],
         text["third"] if rnd() < 0.3 else "[]", text["domains"], v.start, v.end,
         text["deadlines"], 3, 2, text["evaluation"], "", True, True, True, True, "", "[]", "",
         v.presented, v.waived, WAIVER[t.lang] if v.waived else "", name, capacity,
         by if signed else None, signed, signed, signed, None, v.ended, v.end_reason, "", "", by,
         at(v.created, 600), at(last, 900))
    )  # fmt: skip
    changes.append((version_id, "", VersionStatus.DRAFT, by, at(v.created, 600), ""))
    if v.presented:
        steps = [(VersionStatus.DRAFT, VersionStatus.PRESENTED, v.presented, "")]
        if signed:
            steps.append((VersionStatus.PRESENTED, VersionStatus.SIGNED, signed, ""))
            if v.start <= today:
                steps.append((VersionStatus.SIGNED, VersionStatus.ACTIVE, max(v.start, signed), ""))
        if v.withdrawn:
            steps.append((VersionStatus.PRESENTED, VersionStatus.WITHDRAWN, v.withdrawn,
                          text["withdraw"]))  # fmt: skip
        if v.ended:
            steps.append((VersionStatus.ACTIVE, VersionStatus.ENDED, v.ended, ""))
        for source, target, day, reason in steps:
            changes.append(
                (version_id, source, target, by, at(day, 660 + int(rnd() * 300)), reason)
            )
