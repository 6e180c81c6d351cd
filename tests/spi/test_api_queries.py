"""Query counts of the SPI API: the same for 1 row as for 20.

Every request of a logged-in user starts with two queries, named once here:

1. the session, 2. the user (``SessionAuthentication``).

A paginated list then counts its rows (3) before it reads one page (4).
"""

from __future__ import annotations

import pytest

from spi import services
from spi.models import EnrolmentStatus, PartnerKind
from tests.factories import ClientFactory
from tests.spi.conftest import art60_data, day
from trajecten import services as trajecten_services
from trajecten.models import Phase

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

API = "/api/v1"


@pytest.fixture
def make_rows(counsellor, teamlead, spi_team, measures, zonnehof, session_with):
    """``make_rows(n)``: n clients of ``counsellor``, each with an open trajectory, a
    running art. 60 placement with two visits, a referral and a start of work; n
    contact people at WZC Zonnehof; a job table with the n clients."""

    def _make(size: int):
        clients = []
        for index in range(size):
            client = ClientFactory(responsible_social_worker=counsellor)
            trajectory = trajecten_services.trajectory_open(
                actor=counsellor,
                client=client,
                counsellor=counsellor,
                team=spi_team,
                phase=Phase.WORK_EXPERIENCE,
            )
            placement = services.enrolment_create(
                actor=counsellor,
                client=client,
                data={**art60_data(measures, zonnehof), "status": EnrolmentStatus.RUNNING},
            )
            for when in ("13/04/2026", "27/04/2026"):
                services.followup_visit_record(
                    actor=counsellor,
                    enrolment=placement,
                    data={"date": day(when), "situation": "ok"},
                )
            services.partner_referral_create(
                actor=counsellor, client=client, data={"partner": zonnehof, "purpose": "Stage"}
            )
            services.outcome_record(
                actor=counsellor,
                trajectory=trajectory,
                data={"type": "regular_job", "start_date": day("02/03/2026")},
            )
            services.contact_person_create(
                actor=teamlead, partner=zonnehof, data={"name": f"Contact {index}"}
            )
            services.partner_create(
                actor=teamlead, data={"name": f"Werkgever {index}", "kind": PartnerKind.EMPLOYER}
            )
            clients.append(client)
        session = session_with(clients)
        services.attendance_record(
            actor=counsellor, session=session, statuses={c.pk: "present" for c in clients}
        )
        return session

    return _make


def rows(response) -> list:
    body = response.json()
    return body["results"] if isinstance(body, dict) and "results" in body else body


# The enrolments list (a keyset page: no count of the scope):
#   3. one page of enrolments, client, measure, partner and user organisation joined
#   4. the work-floor visits of that page, staff joined (prefetch)
ENROLMENT_LIST_QUERIES = 4


@pytest.mark.parametrize("size", [1, 20])
def test_the_enrolments_list_costs_the_same_for_1_or_20(
    size, make_rows, login, counsellor, django_assert_num_queries
):
    make_rows(size)
    browser = login(counsellor)

    with django_assert_num_queries(ENROLMENT_LIST_QUERIES):
        response = browser.get(f"{API}/enrolments/")

    assert response.status_code == 200
    assert len(rows(response)) == size
    assert all(len(row["visits"]) == 2 for row in rows(response))


# A group session:
#   3. the session, facilitator and measure joined, participant counts annotated
#   4. its participants, clients joined, whether the user reads each file annotated
SESSION_DETAIL_QUERIES = 4


@pytest.mark.parametrize("size", [1, 20])
def test_a_group_session_costs_the_same_for_1_or_20_participants(
    size, make_rows, login, counsellor, django_assert_num_queries
):
    session = make_rows(size)
    browser = login(counsellor)

    with django_assert_num_queries(SESSION_DETAIL_QUERIES):
        response = browser.get(f"{API}/group-sessions/{session.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert (body["participant_count"], body["present_count"]) == (size, size)
    assert len(body["attendance"]) == size


# A partner:
#   3. the partner with its running enrolments and placements counted
#   4. its contact people (prefetch)
PARTNER_DETAIL_QUERIES = 4


@pytest.mark.parametrize("size", [1, 20])
def test_a_partner_costs_the_same_for_1_or_20_contact_people(
    size, make_rows, login, counsellor, zonnehof, django_assert_num_queries
):
    make_rows(size)
    browser = login(counsellor)

    with django_assert_num_queries(PARTNER_DETAIL_QUERIES):
        response = browser.get(f"{API}/partners/{zonnehof.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert len(body["contacts"]) == size + 1
    assert body["running_placements"] == size


# The other lists, each: 3 the keyset page (no count), plus
LIST_QUERIES = {
    "measures": 3,
    "partners": 4,  # 4 the contact people of the page
    "partner-referrals": 3,
    "group-sessions": 3,
    "outcomes": 4,  # 4 the checkpoints of the page
    "checkpoints": 3,
}


@pytest.mark.parametrize("size", [1, 20])
@pytest.mark.parametrize("endpoint", sorted(LIST_QUERIES))
def test_the_other_lists_cost_the_same_for_1_or_20(
    endpoint, size, make_rows, login, counsellor, django_assert_num_queries
):
    make_rows(size)
    browser = login(counsellor)

    with django_assert_num_queries(LIST_QUERIES[endpoint]):
        response = browser.get(f"{API}/{endpoint}/")

    assert response.status_code == 200
    assert rows(response)
