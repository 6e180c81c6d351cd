"""The team lead reads the trajectory analytics of the first half of 2026, in Dutch
and in French: every section a chart with its table, no serious axe violation.

The history is the hand-built one of ``tests/trajecten/test_analytics.py``
(phase 2: stays of 10, 20 and 40 days) plus the starts of work of
``tests/spi/test_analytics.py`` (+3 months: 3 of 4 still employed). It is written
with the clock moved to each event's day; the browser then runs on the real clock.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login
from tests.factories import PERSONA_PASSWORD
from tests.spi.test_analytics import start_of_work
from tests.trajecten.test_analytics import make_history, on

pytestmark = pytest.mark.django_db(transaction=True)

SECTIONS = ["phase_times", "flows", "endings", "outcomes", "retention"]


@pytest.fixture
def analytics_world(teamlead, counsellor, spi_team, other_team, youth_team):
    make_history(teamlead, counsellor, spi_team, other_team, youth_team)
    with on("15/07/2026"):
        for kind, start, answers in [
            ("social_economy", "15/10/2025", {3: True, 6: True}),
            ("regular_job", "10/11/2025", {3: True}),
            ("regular_job", "20/01/2026", {3: True}),
            ("temp_work", "01/02/2026", {3: False}),
        ]:
            start_of_work(counsellor, spi_team, kind, start, answers)


def test_the_team_lead_reads_the_analytics_in_dutch_and_french(
    page, live_server, analytics_world, spi_team, shot, axe_check
):
    login(page, live_server, "teamlead", PERSONA_PASSWORD)
    page.goto(
        f"{live_server.url}/team/analytics/?start=01/01/2026&end=30/06/2026&team={spi_team.pk}"
    )
    for key in SECTIONS:
        section = page.locator(f"#section-{key}")
        assert section.locator("svg[role=img] title").count() >= 1
        assert section.locator("table caption").count() >= 1
    phase2 = page.locator("#table-phase_times-1 tbody tr").nth(1)
    assert phase2.locator("th").inner_text().startswith("2 · ")
    assert [c.inner_text() for c in phase2.locator("td").all()] == ["3", "20,0", "32,0", "1"]
    retention = page.locator("#table-retention-1 tbody tr").first
    assert retention.locator("td").last.inner_text() == "75,0"
    assert page.locator("#analytics-scope").inner_text().endswith("01/01/2026 tot 30/06/2026")
    axe_check(page)
    shot(page, "analytics-nl")

    page.click("button[name=language][value=fr]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("#section-retention svg[role=img]").count() == 1
    assert page.locator("#table-retention-1 tbody tr").first.locator("td").last.inner_text() == (
        "75,0"
    )
    axe_check(page)
    shot(page, "analytics-fr")

    page.fill("#a-start", "30/06/2026")
    page.fill("#a-end", "01/01/2026")
    page.click("#analytics-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#period-error").is_visible()
    assert page.locator("#a-start").input_value() == "30/06/2026"
