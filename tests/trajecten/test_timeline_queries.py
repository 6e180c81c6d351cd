"""The timeline tab of the client file: loaded on its own (htmx) when first shown.

The file page no longer reads every app's history a second time for a tab that
is hidden when the page opens; the tab asks the timeline partial for its first
page. That partial costs a fixed number of queries, whatever the history.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from trajecten import services
from trajecten.models import Phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(request, make_trajectory, case, counsellor):
    """``n`` contacts and evaluations on ``case``'s trajectory."""
    trajectory = make_trajectory(Phase.SCREENING, client=case)
    for index in range(request.param):
        day = datetime.date(2026, 1, 1) + datetime.timedelta(days=index)
        services.contact_record(
            actor=counsellor,
            client=case,
            data={
                "type": "interview",
                "duration_minutes": 30,
                "summary": f"Gesprek {index}",
                "date": day,
            },
        )
        services.evaluation_record(
            actor=counsellor,
            trajectory=trajectory,
            data={"conclusion": f"Evaluatie {index}", "date": day},
        )
    return request.param


def test_the_file_page_leaves_the_timeline_to_its_tab(login, counsellor, case, make_trajectory):
    make_trajectory(Phase.SCREENING, client=case)
    html = login(counsellor).get(reverse("client_detail", args=[case.pk])).content.decode()
    url = reverse("client_timeline", args=[case.pk])
    assert 'id="panel-timeline"' in html
    assert f'hx-get="{url}"' in html and 'hx-trigger="intersect once, click"' in html
    assert f'href="{url}"' in html  # without JavaScript: a link to the same list
    assert "timeline-entry" not in html


# The timeline partial, with every app's sources:
#   1 session, 2 user, 3 the client (scoped, with the access annotations);
#   trajectories: 4 phase changes, 5 contacts (with "may read the summary"),
#     6 evaluations, 7 goals, 8 referrals;
#   GPMI: 9 version changes, 10 GPMIs, 11 consents;
#   SPI: 12 enrolments, 13 work-floor visits, 14 partner referrals, 15 outcomes,
#     16 aftercare checkpoints, 17 group-session attendance.
TIMELINE_QUERIES = 17


@pytest.mark.parametrize("history", [1, 30], indirect=True)
def test_the_timeline_page_costs_the_same_for_a_short_or_a_long_history(
    login, counsellor, case, history, django_assert_num_queries
):
    api = login(counsellor)
    with django_assert_num_queries(TIMELINE_QUERIES):
        response = api.get(reverse("client_timeline", args=[case.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Gesprek {history - 1}" in html
    assert html.count('class="timeline-entry') == min(20, 2 * history + 1)
