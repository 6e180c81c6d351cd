"""Query counts of the SPI pages: they must not grow with the data.

Each test measures the same page with 1 and with 20 rows (enrolments,
participants, placements ...) and asserts one fixed count for both; the comment
names every query.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from spi import services
from spi.models import AttendanceStatus
from tests.factories import ClientFactory
from tests.spi.conftest import day

pytestmark = pytest.mark.django_db

SIZES = [1, 20]


# --- the Activities tab of the client file --------------------------------------------------------
#
# The client file page is assembled by the core from every app's panels, so its
# total moves when another app adds a panel. Here the SPI panels alone are
# selected and rendered (``spi.hooks.client_panels``), for a counsellor:
#   1. the enrolments, measure, partner, user organisation and creator joined
#   2. their work-floor visits, staff joined (prefetch)
#   3. the referrals to partners, partner, contact person and sender joined
#   4. the outcomes, recorder joined
#   5. their aftercare checkpoints, done-by joined (prefetch)
#   6. the OCMW's SPI settings (the art. 60 warning period)
#   7. the current trajectory, counsellor and team joined
# (the "move to aftercare" offer asks nothing more of the assigned counsellor;
# the client's OCMW, the employer of record, came with the client)
ACTIVITIES_QUERIES = 7


@pytest.fixture
def render_spi_panels():
    """``render(client, user)``: the SPI panels of the file, selected and rendered."""
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from ocmw import selectors
    from spi import hooks

    def prepare(case, user):
        request = RequestFactory().get(f"/clients/{case.pk}/")
        request.user = user
        client = selectors.client_get(user=user, pk=case.pk)
        return lambda: "".join(
            render_to_string(panel.template, {"panel": panel}, request=request)
            for panel in hooks.client_panels(request, client)
        )

    return prepare


def add_activities(size, *, counsellor, client, trajectory, measures, partner):
    """``size`` enrolments (one running art. 60, the others completed courses), each
    with a visit; ``size`` referrals; ``size`` starts of work with their checkpoints."""
    for n in range(size):
        start = day("01/01/2026") - datetime.timedelta(days=30 * n)
        code = "art60" if n == 0 else "language_nl"
        enrolment = services.enrolment_create(
            actor=counsellor,
            client=client,
            data={
                "measure": measures[code],
                "partner": partner,
                "user_organisation": partner,
                "start_date": start,
                "planned_end_date": start + datetime.timedelta(days=200),
            },
        )
        enrolment = services.enrolment_start(actor=counsellor, enrolment=enrolment, on=start)
        services.followup_visit_record(
            actor=counsellor,
            enrolment=enrolment,
            data={"date": start + datetime.timedelta(days=7), "situation": f"Bezoek {n}"},
        )
        if n:
            services.enrolment_complete(
                actor=counsellor, enrolment=enrolment, on=start + datetime.timedelta(days=20)
            )
        services.partner_referral_create(
            actor=counsellor,
            client=client,
            data={"partner": partner, "purpose": f"Verwijzing {n}", "sent_on": start},
        )
        services.outcome_record(
            actor=counsellor,
            trajectory=trajectory,
            data={"type": "regular_job", "employer": f"Werkgever {n}", "start_date": start},
        )


@pytest.mark.parametrize("size", SIZES)
def test_the_activities_tab_costs_the_same_for_1_or_20_rows(
    size,
    django_assert_num_queries,
    render_spi_panels,
    clock,
    counsellor,
    spi_case,
    spi_trajectory,
    measures,
    zonnehof,
):
    add_activities(
        size,
        counsellor=counsellor,
        client=spi_case,
        trajectory=spi_trajectory,
        measures=measures,
        partner=zonnehof,
    )
    render = render_spi_panels(spi_case, counsellor)

    with django_assert_num_queries(ACTIVITIES_QUERIES):
        page = render()

    assert len(re.findall(r'id="enrolment-\d+"', page)) == size
    assert page.count('class="spi-visit"') == 1  # the running placement's; the others are past
    assert page.count('class="spi-referral ') == size
    assert page.count('class="spi-outcome ') == size
    assert page.count('id="checkpoint-') == 4 * size
    assert 'id="spi-currently-title"' in page


# --- the group-session page -----------------------------------------------------------------------

# The group-session page, for the counsellor who runs it:
#   1. the session  2. the user
#   3. the session, facilitator and measure joined, with its counts
#   4. its participants, client joined, each with "may the user read this file"
#   5. the clients of the user's caseload not yet taking part (the add form)
#   6. the header's counters (unread notifications, open tasks)
#   7. the user's OCMW, named in the header
SESSION_PAGE_QUERIES = 7


@pytest.mark.parametrize("size", SIZES)
def test_the_group_session_page_costs_the_same_for_1_or_20_participants(
    size, login, django_assert_num_queries, clock, counsellor, session_with
):
    clients = [ClientFactory(responsible_social_worker=counsellor) for _ in range(size)]
    session = session_with(clients)
    services.attendance_record(
        actor=counsellor,
        session=session,
        statuses={client: AttendanceStatus.PRESENT for client in clients},
    )
    ClientFactory(responsible_social_worker=counsellor)  # one left to add
    browser = login(counsellor)
    url = reverse("spi:group_session_detail", args=[session.pk])
    browser.get(url)  # warm up: the first request of a session loads more

    with django_assert_num_queries(SESSION_PAGE_QUERIES):
        response = browser.get(url)

    assert response.content.decode().count("spi-journal-link") == size


# The group-session list, for a counsellor (who may plan one):
#   1. the session  2. the user
#   3. the number of sessions (the paginator's count)
#   4. the measures (the create form)  5. the staff who may facilitate
#   6. the clients of the user's caseload (the participants to choose from)
#   7. the header's counters  8. the user's OCMW
#   9. one page of sessions, facilitator and measure joined, with their counts
SESSION_LIST_QUERIES = 9


@pytest.mark.parametrize("size", SIZES)
def test_the_group_session_list_costs_the_same_for_1_or_20_sessions(
    size, login, django_assert_num_queries, clock, counsellor, spi_case, session_with
):
    for n in range(size):
        session_with([spi_case], on=day("04/05/2026") + datetime.timedelta(days=n - 10))
    browser = login(counsellor)
    browser.get(reverse("spi:group_session_list"))

    with django_assert_num_queries(SESSION_LIST_QUERIES):
        response = browser.get(reverse("spi:group_session_list"))

    assert len(response.context["sessions"]) == size


# --- the partner pages ----------------------------------------------------------------------------

# The partner page, for a counsellor:
#   1. the session  2. the user
#   3. the partner, with its counts of running enrolments and placements
#   4. its contact people
#   5. the enrolments and placements there of clients the user reads
#   6. the referrals to it of those clients
#   7. the header's counters  8. the user's OCMW
PARTNER_PAGE_QUERIES = 8


@pytest.mark.parametrize("size", SIZES)
def test_the_partner_page_costs_the_same_for_1_or_20_placements(
    size,
    login,
    django_assert_num_queries,
    clock,
    counsellor,
    teamlead,
    spi_team,
    measures,
    zonnehof,
):
    from trajecten import services as trajecten_services

    for n in range(size):
        client = ClientFactory(responsible_social_worker=counsellor)
        trajecten_services.trajectory_open(
            actor=teamlead,
            client=client,
            counsellor=counsellor,
            team=spi_team,
            phase="work_experience",
        )
        enrolment = services.enrolment_create(
            actor=counsellor,
            client=client,
            data={
                "measure": measures["art60"],
                "user_organisation": zonnehof,
                "start_date": day("01/03/2026"),
                "job_title": f"Job {n}",
            },
        )
        services.enrolment_start(actor=counsellor, enrolment=enrolment, on=day("01/03/2026"))
        services.partner_referral_create(
            actor=counsellor, client=client, data={"partner": zonnehof, "purpose": "Kennismaking"}
        )
    browser = login(counsellor)
    url = reverse("spi:partner_detail", args=[zonnehof.pk])
    browser.get(url)

    with django_assert_num_queries(PARTNER_PAGE_QUERIES):
        response = browser.get(url)

    page = response.content.decode()
    assert page.count("Job ") >= size
    assert len(response.context["enrolments"]) == size


# The partner list:
#   1. the session  2. the user
#   3. the number of partners (the paginator's count)
#   4. the header's counters  5. the user's OCMW
#   6. one page of partners, with their counts of running enrolments and placements
PARTNER_LIST_QUERIES = 6


@pytest.mark.parametrize("size", SIZES)
def test_the_partner_list_costs_the_same_for_1_or_20_partners(
    size, login, django_assert_num_queries, counsellor, teamlead
):
    for n in range(size):
        services.partner_create(
            actor=teamlead, data={"name": f"Partner {n:02d}", "kind": "non_profit"}
        )
    browser = login(counsellor)
    browser.get(reverse("spi:partner_list"))

    with django_assert_num_queries(PARTNER_LIST_QUERIES):
        response = browser.get(reverse("spi:partner_list") + "?kind=non_profit")

    assert len(response.context["partners"]) == size
