"""Query counts of the GPMI list and statistics pages: the same for 1 and for 20
GPMIs, so the pages stay fast as an OCMW's caseload grows."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from gpmi import services as gpmi_services
from gpmi.models import Gpmi, GpmiType
from tests.factories import ClientFactory
from tests.gpmi.conftest import gpmi_version_data
from trajecten import services as trajecten_services
from trajecten.models import Phase

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _fixed_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def make_gpmis(counsellor, spi_team):
    """``make_gpmis(n)``: n clients of ``counsellor``, each with a GPMI in another
    state (drafts, presented, running, an exemption), all through the services."""

    def _make(n: int) -> None:
        for index in range(n):
            client = ClientFactory(
                responsible_social_worker=counsellor,
                leefloon_decision_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=index),
            )
            trajectory = trajecten_services.trajectory_open(
                actor=counsellor,
                client=client,
                counsellor=counsellor,
                team=spi_team,
                phase=Phase.SCREENING,
            )
            if index % 5 == 4:
                gpmi_services.gpmi_create(
                    actor=counsellor,
                    trajectory=trajectory,
                    type=GpmiType.EXEMPTION,
                    exemption_reason="Medische redenen",
                )
                continue
            trajecten_services.needs_analysis_record(
                actor=counsellor, client=client, data={"own_project": "Werken"}
            )
            gpmi = gpmi_services.gpmi_create(
                actor=counsellor, trajectory=trajectory, type=GpmiType.GENERAL
            )
            version = gpmi_services.version_create(
                actor=counsellor, gpmi=gpmi, data=gpmi_version_data()
            )
            if index % 5 in (1, 2, 3):
                gpmi_services.version_present(
                    actor=counsellor, version=version, on=datetime.date(2026, 3, 1)
                )
            if index % 5 == 3:
                trajecten_services.evaluation_record(
                    actor=counsellor,
                    trajectory=trajectory,
                    data={"date": datetime.date(2026, 6, 1), "conclusion": "Goed"},
                )
                gpmi_services.version_sign(
                    actor=counsellor,
                    version=version,
                    ocmw_signatory_name="Marc Voorzitter",
                    ocmw_signatory_capacity="Voorzitter",
                    client_signed_on=datetime.date(2026, 3, 6),
                    ocmw_signed_on=datetime.date(2026, 3, 6),
                    counsellor_signed_on=datetime.date(2026, 3, 6),
                )

    return _make


@pytest.mark.parametrize("count", [1, 20])
def test_the_gpmi_list_page_queries_do_not_grow_with_the_gpmis(
    login, counsellor, make_gpmis, django_assert_num_queries, count
):
    make_gpmis(count)
    client = login(counsellor)
    url = reverse("gpmi:list") + "?sort=-deadline"
    # 1 session, 2 user, 3 count of the GPMIs in scope (paginator), 4 the page of
    # GPMIs with client, team, counsellor and their dates (one query of subqueries),
    # 5 the compliance of that page (one query), 6 the unread-notifications badge,
    # 7 the user's OCMW (its name in the header).
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == count + 1  # header + one row each
    assert Gpmi.objects.count() == count


@pytest.mark.parametrize("count", [1, 20])
def test_the_filtered_gpmi_list_costs_the_same(
    login, teamlead, make_gpmis, django_assert_num_queries, count
):
    make_gpmis(count)
    client = login(teamlead)
    url = reverse("gpmi:list") + "?type=11&status=draft&sort=-signed"
    # The same seven queries: the filters are conditions of the same GPMI queries.
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == 1 + (count + 4) // 5  # the drafts


@pytest.mark.parametrize("count", [1, 20])
def test_the_statistics_page_queries_do_not_grow_with_the_gpmis(
    login, teamlead, make_gpmis, django_assert_num_queries, count
):
    make_gpmis(count)
    client = login(teamlead)
    # 1 session, 2 user, 3 every figure, in total and per type, age group, gender
    # and team (one query with grouping sets), 4 the names of the teams, 5 the
    # user's OCMW (header and scope line), 6 the unread-notifications badge.
    with django_assert_num_queries(6):
        response = client.get(reverse("gpmi:statistics"), {"year": 2026})
    assert response.status_code == 200
    assert 'id="total-signed"' in response.content.decode()


def test_the_gpmi_panel_costs_the_same_for_one_or_many_versions_and_consents(
    login, counsellor, spi_case, gpmi_needs_analysis, gpmi_draft, gpmi_sign
):
    """The client file holds every app's panels, so this compares counts instead of
    fixing them. The GPMI tab and badge read: the open trajectory, the client's
    GPMIs, their versions (prefetched), the compliance (one query), the consents;
    the timeline adds version changes, GPMIs and consents (one query each)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(counsellor)
    url = reverse("client_detail", args=[spi_case.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    gpmi_services.version_present(
        actor=counsellor, version=gpmi_draft, on=datetime.date(2026, 3, 1)
    )
    gpmi_sign(gpmi_draft, datetime.date(2026, 3, 6))
    gpmi_services.consent_record(
        actor=counsellor,
        client=spi_case,
        given=True,
        date=datetime.date(2026, 3, 6),
        method="written",
    )
    one = count()
    for number in (2, 3):
        amendment = gpmi_services.version_create(
            actor=counsellor, gpmi=gpmi_draft.gpmi, data=gpmi_version_data()
        )
        gpmi_services.version_present(
            actor=counsellor, version=amendment, on=datetime.date(2026, 11, number)
        )
        gpmi_sign(amendment, datetime.date(2026, 11, 10 + number))
        gpmi_services.consent_record(
            actor=counsellor,
            client=spi_case,
            given=number % 2 == 1,
            date=datetime.date(2026, 11, 10 + number),
            method="oral",
        )
    assert gpmi_draft.gpmi.versions.count() == 3
    assert count() == one
