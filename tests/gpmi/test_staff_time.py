"""The staff time report for the GPMI subsidy, on a hand-built data set whose answers
are known, its scope per persona, bad periods, the XLSX export and its query count.

Clock: 15/12/2026. ``counsellor`` (A, SPI team) follows these clients:

=== =========================================== ========================================
key GPMI                                        contacts by A (minutes)
=== =========================================== ========================================
g1  signed 01/03/2026, runs 01/03/2026–28/02/27 15/12/2025: 10 · 28/02: 45 (before the
                                                start) · 10/03: 60 · 01/04: 20
g2  signed 01/04/2026, runs 01/04/2026–31/03/27 (group session only)
g3  runs 01/01/2026–31/12/2026, ended 15/05/26  15/05: 30 (the day it ended: GPMI) ·
                                                16/05: 30 (not)
n1  none                                        31/03: 30
n2  none                                        (group session only)
n3  none                                        absent from the group session
d1  a draft only                                10/06: 15 (not a GPMI)
e1  an exemption (type 8)                       11/06: 15 (not a GPMI)
=== =========================================== ========================================

A group session of 120 minutes on 28/04/2026, facilitated by A: g1, g2, n1 and n2
present, n3 absent. It gives A 120 minutes, 60 of them on GPMI clients (g1, g2).

So A in 2026: February 45 (0 GPMI) · March 90 (60, 66.7 %) · April 140 (80, 57.1 %) ·
May 60 (30, 50 %) · June 30 (0) · year 365 (170, 46.6 %).

``colleague`` (B, SPI team): 45 minutes with a client of theirs on 10/06/2026.
``other_team`` (youth cell): 50 minutes on 10/06/2026. ``outsider`` (another OCMW):
70 minutes on 10/06/2026.
"""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from gpmi import services as gpmi_services
from gpmi import staff_time
from gpmi.models import EndReason, GpmiType
from ocmw.models import AccessLog
from spi import services as spi_services
from tests.factories import ClientFactory
from tests.gpmi.conftest import gpmi_version_data
from trajecten import services as trajecten_services
from trajecten.models import ContactType, Phase

pytestmark = pytest.mark.django_db

D = datetime.date
URL = "/gpmi/staff-time/"
EXPORT = "/gpmi/staff-time/export.xlsx"


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 10, 0), tick=False)


@pytest.fixture(autouse=True)
def clock():
    with at(D(2026, 12, 15)):
        yield


def contact(actor, client, day, minutes, type=ContactType.INTERVIEW):
    return trajecten_services.contact_record(
        actor=actor,
        client=client,
        data={"date": day, "type": type, "duration_minutes": minutes, "summary": "Gesprek"},
    )


class Gpmis:
    """Clients of ``counsellor`` with an open trajectory in the SPI team and a GPMI."""

    def __init__(self, counsellor, team, sign):
        self.counsellor, self.team, self.sign = counsellor, team, sign

    def client(self):
        client = ClientFactory(responsible_social_worker=self.counsellor)
        with at(D(2025, 11, 1)):
            trajectory = trajecten_services.trajectory_open(
                actor=self.counsellor,
                client=client,
                counsellor=self.counsellor,
                team=self.team,
                phase=Phase.SCREENING,
            )
            trajecten_services.needs_analysis_record(
                actor=self.counsellor, client=client, data={"own_project": "Werk vinden"}
            )
        client.trajectory = trajectory
        return client

    def with_gpmi(self, *, start, end, signed=None, ended=None, type=GpmiType.GENERAL):
        client = self.client()
        with at(D(2025, 12, 1)):
            gpmi = gpmi_services.gpmi_create(
                actor=self.counsellor,
                trajectory=client.trajectory,
                type=type,
                leefloon_decision_date=D(2025, 11, 15),
                **({"exemption_reason": "Medische redenen"} if type == GpmiType.EXEMPTION else {}),
            )
        if type == GpmiType.EXEMPTION:
            return client
        version = gpmi_services.version_create(
            actor=self.counsellor,
            gpmi=gpmi,
            data=gpmi_version_data(start_date=start, end_date=end),
        )
        if signed:
            with at(signed):
                gpmi_services.version_present(
                    actor=self.counsellor, version=version, on=signed - datetime.timedelta(days=7)
                )
                self.sign(version, signed, actor=self.counsellor)
        if ended:
            with at(ended):
                gpmi_services.version_end(
                    actor=self.counsellor, version=version, reason=EndReason.LEEFLOON_ENDED
                )
        return client


@pytest.fixture
def dataset(
    counsellor, colleague, other_team, outsider, foreign_case, spi_team, gpmi_sign, teamlead
):
    b = Gpmis(counsellor, spi_team, gpmi_sign)
    g1 = b.with_gpmi(start=D(2026, 3, 1), end=D(2027, 2, 28), signed=D(2026, 3, 1))
    g2 = b.with_gpmi(start=D(2026, 4, 1), end=D(2027, 3, 31), signed=D(2026, 4, 1))
    g3 = b.with_gpmi(
        start=D(2026, 1, 1), end=D(2026, 12, 31), signed=D(2026, 1, 5), ended=D(2026, 5, 15)
    )
    d1 = b.with_gpmi(start=D(2026, 1, 1), end=D(2026, 12, 31))
    e1 = b.with_gpmi(start=None, end=None, type=GpmiType.EXEMPTION)
    n1, n2, n3 = (ClientFactory(responsible_social_worker=counsellor) for _n in range(3))

    contact(counsellor, g1, D(2025, 12, 15), 10)
    contact(counsellor, g1, D(2026, 2, 28), 45)
    contact(counsellor, g1, D(2026, 3, 10), 60)
    contact(counsellor, n1, D(2026, 3, 31), 30, ContactType.PHONE)
    contact(counsellor, g1, D(2026, 4, 1), 20)
    contact(counsellor, g3, D(2026, 5, 15), 30)
    contact(counsellor, g3, D(2026, 5, 16), 30)
    contact(counsellor, d1, D(2026, 6, 10), 15)
    contact(counsellor, e1, D(2026, 6, 11), 15)
    session = spi_services.group_session_create(
        actor=counsellor,
        data={
            "title": "Jobtafel",
            "date": D(2026, 4, 28),
            "start_time": datetime.time(9, 30),
            "duration_minutes": 120,
            "place": "Zaal 2",
        },
        participants=[g1, g2, n1, n2, n3],
    )
    spi_services.attendance_record(
        actor=counsellor,
        session=session,
        statuses={g1.pk: "present", g2.pk: "present", n1.pk: "present", n2.pk: "present"}
        | {n3.pk: "absent"},
    )

    contact(colleague, ClientFactory(responsible_social_worker=colleague), D(2026, 6, 10), 45)
    contact(other_team, ClientFactory(responsible_social_worker=other_team), D(2026, 6, 10), 50)
    contact(outsider, foreign_case, D(2026, 6, 10), 70)
    return {"g1": g1, "n1": n1}


def year_2026(user, team=None):
    return staff_time.staff_time_for_user(
        user=user, period=staff_time.period_of("2026-01", "2026-12"), team=team
    )


def figures(minutes) -> tuple:
    return (minutes.whole, minutes.gpmi_whole, minutes.share)


def row_of(report, user):
    return next(row for row in report.rows if row.staff_id == user.pk)


# --- the figures ----------------------------------------------------------------------


def test_minutes_per_month_and_share_with_gpmi_clients(dataset, teamlead, counsellor):
    report = year_2026(teamlead)
    a = row_of(report, counsellor)

    months = dict(zip(report.months, a.months, strict=True))
    assert figures(months[D(2026, 1, 1)]) == (0, 0, None)
    assert figures(months[D(2026, 2, 1)]) == (45, 0, 0.0)
    # 60 minutes with a GPMI client + 30 without: 90, two thirds on GPMI.
    assert figures(months[D(2026, 3, 1)]) == (90, 60, 66.7)
    # 20 with g1 + the group session: 120 minutes shared by 4, 2 of them on a GPMI.
    assert figures(months[D(2026, 4, 1)]) == (140, 80, 57.1)
    # The day a contract ended still counts; the day after does not.
    assert figures(months[D(2026, 5, 1)]) == (60, 30, 50.0)
    # A draft and an exemption are not a GPMI.
    assert figures(months[D(2026, 6, 1)]) == (30, 0, 0.0)
    assert figures(a.total) == (365, 170, 46.6)


def test_a_group_session_counts_once_for_its_facilitator(dataset, teamlead, counsellor):
    period = staff_time.period_of("2026-04", "2026-04")
    report = staff_time.staff_time_for_user(user=teamlead, period=period)
    a = row_of(report, counsellor)

    # 20 + 120, not 20 + 4 × 120 (and the absent participant's note is no time at all).
    assert figures(a.total) == (140, 80, 57.1)


def test_month_boundaries_and_the_period(dataset, teamlead, counsellor):
    december = staff_time.staff_time_for_user(
        user=teamlead, period=staff_time.period_of("2025-12", "2026-03")
    )
    a = row_of(december, counsellor)
    assert december.months == [D(2025, 12, 1), D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)]
    assert [m.whole for m in a.months] == [10, 0, 45, 90]
    assert december.period.end == D(2026, 3, 31)

    april = staff_time.staff_time_for_user(
        user=teamlead, period=staff_time.period_of("2026-04", "2026-05")
    )
    assert [m.whole for m in row_of(april, counsellor).months] == [140, 60]


def test_totals_per_month_and_overall(dataset, teamlead, counsellor, colleague):
    report = year_2026(teamlead)

    june = report.months.index(D(2026, 6, 1))
    assert figures(report.month_totals[june]) == (75, 0, 0.0)  # A 30 + B 45
    assert figures(row_of(report, colleague).total) == (45, 0, 0.0)
    assert figures(report.total) == (410, 170, 41.5)


# --- scope -------------------------------------------------------------------------------


def names(report) -> list[str]:
    return [row.name for row in report.rows]


def test_a_team_lead_sees_the_staff_of_the_teams_they_lead(
    dataset, teamlead, spi_team, socialworker, sw_colleague
):
    # Staff with contact time, and the other social workers and counsellors (0).
    assert names(year_2026(teamlead)) == [
        "Camille Leroy",
        "Koen De Backer",
        "Pieter Goossens",
        "Sarah Vermeersch",
    ]
    assert names(year_2026(teamlead, team=spi_team)) == ["Camille Leroy", "Koen De Backer"]


def test_an_ocmw_administrator_sees_the_whole_ocmw(dataset, admin):
    report = year_2026(admin)
    assert "Jonas Jeugd" in names(report)
    assert "Olga Anders" not in names(report)
    assert figures(report.total) == (460, 170, 37.0)


def test_another_team_gives_nobody(dataset, teamlead, youth_team):
    assert year_2026(teamlead, team=youth_team).rows == []


@pytest.mark.parametrize(
    "name, status",
    [
        ("teamlead", 200),
        ("admin", 200),
        ("counsellor", 403),
        ("colleague", 403),
        ("other_team", 403),
        ("socialworker", 403),
        ("intake", 403),
        ("outsider", 403),
    ],
)
def test_who_may_open_the_report(dataset, persona, login, name, status):
    client = login(persona(name))
    assert client.get(URL).status_code == status
    assert client.get(EXPORT).status_code == status


def test_anonymous_is_sent_to_the_login(dataset, login):
    client = login(None)
    for url in (URL, EXPORT):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_page_shows_the_figures(dataset, login, teamlead, socialworker, sw_colleague):
    response = login(teamlead).get(URL, {"start": "2026-01", "end": "2026-12"})
    assert response.status_code == 200
    text = response.content.decode()
    assert reverse("gpmi:staff_time") == URL
    assert "Koen De Backer" in text
    assert "Jonas Jeugd" not in text and "Olga Anders" not in text
    assert "01/01/2026 – 31/12/2026" in text
    months = response.context["rows"][1]
    assert months["name"] == "Koen De Backer"
    march = months["cells"][2]
    assert (march["minutes"], march["gpmi"]) == ("90", "60")
    assert march["share"] in ("66.7 %", "66,7 %")
    assert response.context["total"]["minutes"] == "410"
    assert 'id="staff-time-months"' in text and "<svg" in text


def test_the_default_period_is_the_current_year(dataset, login, teamlead):
    response = login(teamlead).get(URL)
    report = response.context["report"]
    assert (report.period.start, report.period.end) == (D(2026, 1, 1), D(2026, 12, 31))


def test_the_team_filter_on_the_page(dataset, login, teamlead, spi_team, youth_team):
    client = login(teamlead)
    response = client.get(URL, {"team": spi_team.pk})
    assert [row["name"] for row in response.context["rows"]] == ["Camille Leroy", "Koen De Backer"]

    refused = client.get(URL, {"team": youth_team.pk})
    assert refused.status_code == 400
    assert "Choose one of your teams." in refused.content.decode()
    assert "Jonas Jeugd" not in refused.content.decode()
    assert client.get(EXPORT, {"team": youth_team.pk}).status_code == 400


# --- bad periods -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, end, message",
    [
        ("2026-05", "2026-02", "The last month comes before the first month: swap them."),
        ("1999-01", "1999-12", "Choose months from 2002 to 2026."),
        ("2026-01", "2027-01", "Choose months from 2002 to 2026."),
        ("2024-01", "2026-12", "Choose at most 24 months."),
        ("abc", "2026-12", "Give a month as year and month, e.g. 2026-03."),
        ("2026-13", "2026-12", "Give a month as year and month, e.g. 2026-03."),
        ("2026-01", "99999-01", "Give a month as year and month, e.g. 2026-03."),
    ],
)
def test_a_bad_period_gets_a_clear_message(dataset, login, teamlead, start, end, message):
    client = login(teamlead)
    response = client.get(URL, {"start": start, "end": end})
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text
    assert "Koen De Backer" not in text
    # What was typed stays in the form.
    assert f'value="{start}"' in text or start == "99999-01"
    assert client.get(EXPORT, {"start": start, "end": end}).status_code == 400


def test_a_period_of_24_months_is_allowed(dataset, login, teamlead):
    response = login(teamlead).get(URL, {"start": "2025-01", "end": "2026-12"})
    assert response.status_code == 200
    assert len(response.context["months"]) == 24


# --- export ------------------------------------------------------------------------------


def test_the_xlsx_export_reads_back(dataset, login, teamlead, socialworker, sw_colleague):
    response = login(teamlead).get(EXPORT, {"start": "2026-01", "end": "2026-12"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="staff-time-2026-01-2026-12.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["Per staff member and month", "Per staff member", "Per month"]

    detail = list(workbook["Per staff member and month"].iter_rows(values_only=True))
    assert detail[0][0] == "Staff time for the GPMI subsidy"
    header = detail.index(
        (
            "Staff member",
            "Month",
            "Contact minutes",
            "Minutes with GPMI clients",
            "Share with GPMI clients (%)",
        )
    )
    rows = [row for row in detail[header + 1 :] if row[0]]
    assert len(rows) == 4 * 12
    assert ("Koen De Backer", "2026-03", 90, 60, 66.7) in rows
    assert ("Koen De Backer", "2026-04", 140, 80, 57.1) in rows
    assert ("Camille Leroy", "2026-06", 45, 0, 0.0) in rows
    assert ("Sarah Vermeersch", "2026-06", 0, 0, None) in rows

    per_staff = list(workbook["Per staff member"].iter_rows(values_only=True))
    assert ("Koen De Backer", 365, 6.1, 170, 46.6) in per_staff
    assert ("Total", 410, 6.8, 170, 41.5) in per_staff

    log = AccessLog.objects.get(user=teamlead)
    assert (log.action, log.client_id) == ("export", None)
    assert log.what == "Staff time 2026-01–2026-12 (XLSX)"


# --- queries ---------------------------------------------------------------------------


def more_contacts(counsellor, colleague, client_of_a, n: int) -> None:
    extra = ClientFactory(responsible_social_worker=colleague)
    for day in range(1, n + 1):
        contact(counsellor, client_of_a, D(2026, 7, day), 10)
        contact(colleague, extra, D(2026, 8, day), 10)


def test_the_page_takes_the_same_queries_whatever_the_data(
    dataset, login, teamlead, counsellor, colleague, django_assert_num_queries
):
    client = login(teamlead)
    client.get(URL)  # warm up (content types, translations)

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    before = count()
    more_contacts(counsellor, colleague, dataset["g1"], 20)
    for _n in range(3):
        ClientFactory(responsible_social_worker=counsellor)
    # session, user, the header's task and notification counters, the lead's teams (scope
    # and choices), the minutes per staff member and month, the staff rows, the OCMW
    with django_assert_num_queries(7):
        client.get(URL)
    assert count() == before == 7


def test_the_selector_is_two_queries(dataset, teamlead, django_assert_num_queries):
    period = staff_time.period_of("2026-01", "2026-12")
    # the minutes per staff member and month (one aggregate), the staff rows
    with django_assert_num_queries(2):
        staff_time.staff_time_for_user(user=teamlead, period=period)
