"""The GPMI statistics of a team lead, on a small dataset whose answers are known,
and the query counts of the statistics and the GPMI list.

The dataset (year 2026, clock at 15/01/2027 so the reference date is 31/12/2026),
all in the SPI team that ``teamlead`` leads unless said otherwise:

=== ==== ===== ====== ============ ========== =========== ============================
key type born  gender decision     signed     start       what happens
=== ==== ===== ====== ============ ========== =========== ============================
A   11   2003  M      10/01/2026   01/03/2026 01/03/2026  running, evaluations on schedule
B   11   1995  F      01/02/2026   15/06/2026 15/06/2026  running, signed late, no evaluations
C   9    1981  M      01/04/2026   20/05/2026 20/05/2026  ended 31/10/2026 (leefloon ended)
D   11   1986  F      01/05/2025   01/06/2025 01/06/2025  running (2-year contract)
E   8    1966  M      01/03/2026   —          —           exemption recorded 01/04/2026
F   11   1999  M      01/10/2026   —          —           draft only
G   10   2001  F      15/09/2026   01/11/2026 01/11/2026  running; amended 01/12/2026
H   11   1990  F      01/02/2026   01/03/2026 01/03/2026  youth cell: not the lead's team
I   11   1979  F      01/02/2026   01/03/2026 01/03/2026  another OCMW
J   11   1970  M      01/12/2024   10/01/2025 10/01/2025  ended 01/08/2025
=== ==== ===== ====== ============ ========== =========== ============================

Durations to the reference date (running) or the end (ended): A 305, B 199, C 164,
D 578, G 60 days.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine

from gpmi import selectors, services
from gpmi.models import EndReason, GpmiType
from ocmw import insz
from ocmw.auth import with_teammate_ids
from ocmw.models import User
from tests.factories import ClientFactory
from tests.gpmi.conftest import gpmi_version_data
from trajecten import services as trajecten_services
from trajecten.models import Phase

pytestmark = pytest.mark.django_db

D = datetime.date
YEAR = datetime.timedelta(days=365)


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 10, 0), tick=False)


class Builder:
    def __init__(self, sign):
        self.sign = sign
        self.serial = 100

    def client(self, worker, born: datetime.date, gender: str):
        self.serial += 1
        serial = self.serial * 2 + (1 if gender == "M" else 0)
        return ClientFactory(
            responsible_social_worker=worker, birth_date=born, insz=insz.build(born, serial)
        )

    def trajectory(self, actor, client, counsellor, team):
        with at(D(2024, 11, 1)):
            trajectory = trajecten_services.trajectory_open(
                actor=actor, client=client, counsellor=counsellor, team=team, phase=Phase.SCREENING
            )
            trajecten_services.needs_analysis_record(
                actor=counsellor, client=client, data={"own_project": "Werk vinden"}
            )
        return trajectory

    def gpmi(
        self,
        counsellor,
        trajectory,
        *,
        type=GpmiType.GENERAL,
        decision: datetime.date,
        signed: datetime.date | None = None,
        end: datetime.date | None = None,
        ended: datetime.date | None = None,
        amended: datetime.date | None = None,
        evaluations=(),
    ):
        with at(decision):
            gpmi = services.gpmi_create(
                actor=counsellor,
                trajectory=trajectory,
                type=type,
                leefloon_decision_date=decision,
            )
        start = signed or decision + datetime.timedelta(days=30)
        version = services.version_create(
            actor=counsellor,
            gpmi=gpmi,
            data=gpmi_version_data(start_date=start, end_date=end or start + YEAR),
        )
        if signed is None:
            return gpmi
        with at(signed):
            services.version_present(
                actor=counsellor, version=version, on=signed - datetime.timedelta(days=7)
            )
            self.sign(version, signed, actor=counsellor)
        if amended:
            with at(amended):
                amendment = services.version_create(
                    actor=counsellor,
                    gpmi=gpmi,
                    data=gpmi_version_data(start_date=amended, end_date=amended + YEAR),
                )
                services.version_present(
                    actor=counsellor, version=amendment, on=amended - datetime.timedelta(days=6)
                )
                self.sign(amendment, amended, actor=counsellor)
        for day, in_person in evaluations:
            with at(day):
                trajecten_services.evaluation_record(
                    actor=counsellor,
                    trajectory=trajectory,
                    data={"date": day, "in_person": in_person, "conclusion": "Evaluatie"},
                )
        if ended:
            with at(ended):
                services.version_end(
                    actor=counsellor, version=version, reason=EndReason.LEEFLOON_ENDED
                )
        return gpmi


@pytest.fixture
def dataset(
    counsellor,
    socialworker,
    other_team,
    outsider,
    foreign_case,
    spi_team,
    youth_team,
    other_ocmw_team,
    gpmi_sign,
    teamlead,
):
    b = Builder(gpmi_sign)

    def spi(born, gender):
        client = b.client(counsellor, born, gender)
        return b.trajectory(counsellor, client, counsellor, spi_team)

    b.gpmi(
        counsellor,
        spi(D(2003, 6, 1), "M"),
        decision=D(2026, 1, 10),
        signed=D(2026, 3, 1),
        evaluations=[(D(2026, 5, 1), True), (D(2026, 9, 1), True), (D(2026, 12, 1), False)],
    )  # A
    b.gpmi(counsellor, spi(D(1995, 3, 3), "F"), decision=D(2026, 2, 1), signed=D(2026, 6, 15))  # B
    b.gpmi(
        counsellor,
        spi(D(1981, 1, 1), "M"),
        type=GpmiType.STUDIES_FULL_TIME,
        decision=D(2026, 4, 1),
        signed=D(2026, 5, 20),
        ended=D(2026, 10, 31),
    )  # C
    b.gpmi(
        counsellor,
        spi(D(1986, 2, 2), "F"),
        decision=D(2025, 5, 1),
        signed=D(2025, 6, 1),
        end=D(2027, 5, 31),
        evaluations=[(D(2025, 9, 1), True), (D(2026, 8, 1), True)],
    )  # D
    trajectory_e = spi(D(1966, 5, 5), "M")
    with at(D(2026, 4, 1)):
        services.gpmi_create(
            actor=counsellor,
            trajectory=trajectory_e,
            type=GpmiType.EXEMPTION,
            leefloon_decision_date=D(2026, 3, 1),
            exemption_reason="Medische redenen",
        )  # E
    b.gpmi(counsellor, spi(D(1999, 9, 9), "M"), decision=D(2026, 10, 1))  # F
    b.gpmi(
        counsellor,
        spi(D(2001, 7, 1), "F"),
        type=GpmiType.STUDENT_WORKING,
        decision=D(2026, 9, 15),
        signed=D(2026, 11, 1),
        amended=D(2026, 12, 1),
    )  # G
    # H: the lead reads this client (its social worker is in the lead's team) but the
    # trajectory is in the youth cell, which the lead does not lead.
    client_h = b.client(socialworker, D(1990, 4, 4), "F")
    b.gpmi(
        other_team,
        b.trajectory(socialworker, client_h, other_team, youth_team),
        decision=D(2026, 2, 1),
        signed=D(2026, 3, 1),
    )
    # I: another OCMW.
    b.gpmi(
        outsider,
        b.trajectory(outsider, foreign_case, outsider, other_ocmw_team),
        decision=D(2026, 2, 1),
        signed=D(2026, 3, 1),
    )
    b.gpmi(
        counsellor,
        spi(D(1970, 10, 10), "M"),
        decision=D(2024, 12, 1),
        signed=D(2025, 1, 10),
        ended=D(2025, 8, 1),
    )  # J


def figures(**values):
    base = {
        "signed": 0,
        "signed_within_deadline": 0,
        "signed_within_deadline_pct": None,
        "running": 0,
        "ended": 0,
        "exemptions": 0,
        "average_duration_days": None,
        "evaluation_rule_met": 0,
        "evaluation_rule_met_pct": None,
    }
    base.update(values)
    return base


def rows(result, breakdown: str) -> dict:
    found = next(b for b in result["breakdowns"] if b["key"] == breakdown)
    return {
        row["key"]: {k: v for k, v in row.items() if k not in ("key", "label")}
        for row in found["rows"]
    }


def test_the_totals_of_the_year(dataset, teamlead):
    with at(D(2027, 1, 15)):
        result = selectors.statistics(user=teamlead, year=2026)
    assert result["year"] == 2026
    assert result["reference_date"] == D(2026, 12, 31)
    assert result["total"] == figures(
        signed=4,  # A, B, C, G (G's amendment is not a new GPMI)
        signed_within_deadline=3,  # A, C, G; B was late
        signed_within_deadline_pct=75.0,
        running=4,  # A, B, D, G
        ended=1,  # C (G's first version was replaced, not ended)
        exemptions=1,  # E
        average_duration_days=261.2,  # (305 + 199 + 164 + 578 + 60) / 5
        evaluation_rule_met=3,  # A, D, G; B is behind
        evaluation_rule_met_pct=75.0,
    )
    labels = [column["label"] for column in result["columns"]]
    assert {"Signed", "Running", "Ended"} <= set(labels)
    assert not any("afgesloten" in label.lower() for label in labels)


def test_the_breakdown_by_type(dataset, teamlead):
    with at(D(2027, 1, 15)):
        result = selectors.statistics(user=teamlead, year=2026)
    assert rows(result, "type") == {
        11: figures(
            signed=2,
            signed_within_deadline=1,
            signed_within_deadline_pct=50.0,
            running=3,
            average_duration_days=360.7,  # (305 + 199 + 578) / 3
            evaluation_rule_met=2,
            evaluation_rule_met_pct=66.7,
        ),
        9: figures(
            signed=1,
            signed_within_deadline=1,
            signed_within_deadline_pct=100.0,
            ended=1,
            average_duration_days=164.0,
        ),
        10: figures(
            signed=1,
            signed_within_deadline=1,
            signed_within_deadline_pct=100.0,
            running=1,
            average_duration_days=60.0,
            evaluation_rule_met=1,
            evaluation_rule_met_pct=100.0,
        ),
        8: figures(exemptions=1),
    }


def test_the_breakdowns_by_age_gender_and_team(dataset, teamlead, spi_team, general_team):
    with at(D(2027, 1, 15)):
        result = selectors.statistics(user=teamlead, year=2026)
    # Age on 1 January 2026: G turned 25 in July but counts as under 25; C was born on
    # 1 January 1981 and is 45 that day.
    assert rows(result, "age_group") == {
        "under_25": figures(
            signed=2,
            signed_within_deadline=2,
            signed_within_deadline_pct=100.0,
            running=2,
            average_duration_days=182.5,
            evaluation_rule_met=2,
            evaluation_rule_met_pct=100.0,
        ),
        "25_44": figures(
            signed=1,
            signed_within_deadline_pct=0.0,
            running=2,
            average_duration_days=388.5,
            evaluation_rule_met=1,
            evaluation_rule_met_pct=50.0,
        ),
        "45_plus": figures(
            signed=1,
            signed_within_deadline=1,
            signed_within_deadline_pct=100.0,
            ended=1,
            exemptions=1,
            average_duration_days=164.0,
        ),
    }
    assert rows(result, "gender") == {
        "M": figures(
            signed=2,
            signed_within_deadline=2,
            signed_within_deadline_pct=100.0,
            running=1,
            ended=1,
            exemptions=1,
            average_duration_days=234.5,
            evaluation_rule_met=1,
            evaluation_rule_met_pct=100.0,
        ),
        "F": figures(
            signed=2,
            signed_within_deadline=1,
            signed_within_deadline_pct=50.0,
            running=3,
            average_duration_days=279.0,
            evaluation_rule_met=2,
            evaluation_rule_met_pct=66.7,
        ),
    }
    teams = rows(result, "team")
    assert set(teams) == {spi_team.pk, general_team.pk}  # the lead's teams; not the youth cell
    assert teams[spi_team.pk] == result["total"]
    assert teams[general_team.pk] == figures()
    assert result["scope"]["teams"] == ["Algemene sociale dienst", "Trajectbegeleiding"]


def test_other_ocmws_and_other_teams_stay_out_and_years_differ(dataset, teamlead, outsider, admin):
    with at(D(2027, 1, 15)):
        last_year = selectors.statistics(user=teamlead, year=2025)
        other_ocmw = selectors.statistics(user=outsider, year=2026)
    # 2025: D and J signed (both in time); D running at 31/12/2025; J ended.
    assert last_year["reference_date"] == D(2025, 12, 31)
    total = last_year["total"]
    assert (total["signed"], total["signed_within_deadline"]) == (2, 2)
    assert (total["running"], total["ended"], total["exemptions"]) == (1, 1, 0)
    # The other OCMW's counsellor sees only I.
    assert other_ocmw["total"]["signed"] == 1
    assert other_ocmw["total"]["running"] == 1
    assert [row["label"] for row in rows_list(other_ocmw, "team")] == ["Activering Andersgem"]
    # The administrator reads no case content: nothing is counted.
    with at(D(2027, 1, 15)):
        assert selectors.statistics(user=admin, year=2026)["total"]["signed"] == 0


def rows_list(result, breakdown):
    return next(b for b in result["breakdowns"] if b["key"] == breakdown)["rows"]


def test_the_current_year_counts_running_contracts_on_today(dataset, teamlead):
    with at(D(2026, 7, 1)):
        result = selectors.statistics(user=teamlead, year=2026)
    assert result["reference_date"] == D(2026, 7, 1)
    # On 01/07/2026: A, B, C and D run; G is not signed yet; C has not ended yet.
    assert (result["total"]["running"], result["total"]["ended"]) == (4, 0)
    assert result["total"]["signed"] == 3


# --- query counts ---------------------------------------------------------------------------


@pytest.fixture
def many_gpmis(counsellor, gpmi_trajectory):
    def make(count: int):
        for index in range(count):
            if index % 2:
                services.gpmi_create(
                    actor=counsellor,
                    trajectory=gpmi_trajectory,
                    type=GpmiType.EXEMPTION,
                    exemption_reason="Gezondheid",
                )
            else:
                gpmi = services.gpmi_create(
                    actor=counsellor, trajectory=gpmi_trajectory, type=GpmiType.GENERAL
                )
                services.version_create(actor=counsellor, gpmi=gpmi, data=gpmi_version_data())

    return make


@pytest.mark.parametrize("count", [1, 20])
def test_statistics_take_three_queries_whatever_the_number_of_gpmis(
    teamlead, many_gpmis, count, django_assert_num_queries
):
    with at(D(2026, 6, 1)):
        many_gpmis(count)
        # The lead as a request has them: loaded with their teammates (ocmw.auth).
        lead = with_teammate_ids(User.objects.all()).get(pk=teamlead.pk)
        # 1 the totals and every breakdown (GROUPING SETS over one row per GPMI),
        # 1 the team names, 1 the lead's OCMW name.
        with django_assert_num_queries(3):
            result = selectors.statistics(user=lead, year=2026)
    assert result["total"]["exemptions"] == count // 2
    assert rows(result, "type")[8]["exemptions"] == count // 2


@pytest.mark.parametrize("count", [1, 20])
def test_the_gpmi_list_takes_one_query_whatever_the_number_of_gpmis(
    counsellor, many_gpmis, count, django_assert_num_queries
):
    many_gpmis(count)
    # 1: the GPMIs with client, trajectory, team and counsellor, the current version
    # and every date computed by PostgreSQL.
    with django_assert_num_queries(1):
        gpmis = list(selectors.gpmi_list(user=counsellor))
    assert len(gpmis) == count
    # Deadlines read the annotations: no query per row.
    with django_assert_num_queries(0):
        for gpmi in gpmis:
            selectors.deadline_info(gpmi, D(2026, 11, 1))
            selectors.subsidy_dates(gpmi)
            str(gpmi.client), str(gpmi.trajectory.team), str(gpmi.trajectory.counsellor)
    # and the compliance of the whole page in one more.
    with django_assert_num_queries(1):
        selectors.compliance_for_many(gpmis, D(2026, 11, 1))
