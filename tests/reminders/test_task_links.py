"""Each task links to the exact place where it is resolved: the page answers the
responsible counsellor and holds the form that records the fact. The task page
shows those links in a fixed number of queries, whatever the number of tasks.

On 10/07/2026 ``counsellor`` has a task of every kind:

- ``spi_case`` (trajectory opened 05/01/2026): no contact, evaluation and home
  visit due; its GPMI without a version (to conclude); an art. 60 placement
  ending 31/08/2026 without a next step; a start of work on 01/06/2026 (the +1
  month checkpoint);
- ``presented_case``: a GPMI version presented on 20/02/2026, not signed;
- ``running_case``: a GPMI running since 01/03/2026, never evaluated.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from gpmi import services as gpmi_services
from gpmi.models import GpmiType
from ocmw import insz
from ocmw.models import ClosedReason, Task, TaskStatus
from ocmw.reminders import rules_by_kind
from spi import services as spi_services
from spi.models import OutcomeType, PartnerKind
from tests.factories import ClientFactory
from tests.gpmi.conftest import gpmi_version_data
from tests.reminders.conftest import at
from trajecten import services as trajecten_services
from trajecten.forms import ContactForm
from trajecten.models import ContactType

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 7, 10)
KINDS = {
    "no_contact",
    "evaluation_due",
    "home_visit",
    "gpmi_to_conclude",
    "gpmi_reflection_end",
    "gpmi_evaluation",
    "art60_end",
    "aftercare_checkpoint",
}

# kind: (the URL name the link leads to, a field of the form that resolves the task)
PLACES = {
    "no_contact": ("/contacts/new/", "summary"),
    "home_visit": ("/contacts/new/", "summary"),
    "evaluation_due": ("/evaluations/new/", "conclusion"),
    "gpmi_to_conclude": ("/versions/new/", "objectives"),
    "gpmi_reflection_end": ("/sign/", "client_signed_on"),
    "gpmi_evaluation": ("/evaluations/new/", "in_person"),
    "art60_end": ("/edit/", "next_step"),
    "aftercare_checkpoint": ("/checkpoints/", "contact_made"),
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def new_client(counsellor, n: int, decision=D(2025, 11, 3)):
    born = D(1980, 1, 1) + datetime.timedelta(days=97 * n)
    return ClientFactory(
        responsible_social_worker=counsellor,
        birth_date=born,
        insz=insz.build(born, 301 + 2 * n),
        leefloon_decision_date=decision,
    )


def presented_gpmi(client, counsellor, open_trajectory):
    trajectory = open_trajectory(client, counsellor, on=D(2025, 11, 10))
    with at(D(2026, 2, 20)):
        gpmi = gpmi_services.gpmi_create(
            actor=counsellor, trajectory=trajectory, type=GpmiType.GENERAL
        )
        trajecten_services.needs_analysis_record(
            actor=counsellor, client=client, data={"own_project": "Magazijnier"}
        )
        version = gpmi_services.version_create(
            actor=counsellor, gpmi=gpmi, data=gpmi_version_data()
        )
        return gpmi_services.version_present(actor=counsellor, version=version, on=D(2026, 2, 20))


def running_gpmi(client, counsellor, open_trajectory):
    version = presented_gpmi(client, counsellor, open_trajectory)
    day = D(2026, 3, 2)
    with at(day):
        return gpmi_services.version_sign(
            actor=counsellor,
            version=version,
            ocmw_signatory_name="Marc Voorzitter",
            ocmw_signatory_capacity="Voorzitter",
            client_signed_on=day,
            ocmw_signed_on=day,
            counsellor_signed_on=day,
        )


@pytest.fixture
def world(spi_trajectory, spi_case, counsellor, teamlead, ocmw, open_trajectory, scan):
    with at(D(2026, 1, 5)):
        gpmi_services.gpmi_create(
            actor=counsellor, trajectory=spi_trajectory, type=GpmiType.GENERAL
        )
    measures = {m.code: m for m in spi_services.measure_catalogue_seed(ocmw=ocmw)}
    zonnehof = spi_services.partner_create(
        actor=teamlead, data={"name": "WZC Zonnehof", "kind": PartnerKind.INTERNAL}
    )
    with at(D(2026, 3, 1)):
        placement = spi_services.enrolment_create(
            actor=counsellor,
            client=spi_case,
            data={
                "measure": measures["art60"],
                "user_organisation": zonnehof,
                "start_date": D(2026, 3, 1),
                "planned_end_date": D(2026, 8, 31),
                "hours_per_week": Decimal("38"),
            },
        )
        spi_services.enrolment_start(actor=counsellor, enrolment=placement, on=D(2026, 3, 1))
    with at(D(2026, 6, 1)):
        spi_services.outcome_record(
            actor=counsellor,
            trajectory=spi_trajectory,
            data={"type": OutcomeType.REGULAR_JOB, "start_date": D(2026, 6, 1)},
        )
    presented_gpmi(new_client(counsellor, 1), counsellor, open_trajectory)
    running_gpmi(new_client(counsellor, 2), counsellor, open_trajectory)
    scan(TODAY)


def task_of(kind: str, client=None) -> Task:
    tasks = Task.objects.filter(kind=kind, status=TaskStatus.OPEN)
    if client is not None:
        tasks = tasks.filter(client=client)
    return tasks.order_by("id").first()


def link_of(task: Task) -> str:
    from ocmw.reminders import task_links

    task_links([task])
    return task.link


def form_holding(html: str, field: str, url: str) -> str:
    """The POST form with ``field`` that submits to ``url`` (its own page); "" if none."""
    for form in re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.DOTALL | re.IGNORECASE):
        head = form[: form.index(">") + 1]
        if 'method="post"' not in head.lower() or f'name="{field}"' not in form:
            continue
        action = re.search(r'action="([^"]*)"', head)
        if action is None or action.group(1) in ("", url):
            return form
    return ""


def test_every_rule_has_a_link(world):
    assert set(rules_by_kind()) >= KINDS
    assert {kind for kind in KINDS if task_of(kind) is None} == set()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_link_opens_the_form_that_resolves_the_task(world, login, counsellor, spi_case, kind):
    # gpmi_to_conclude: spi_case's GPMI, which has no version yet (the others' do).
    task = task_of(kind, spi_case if kind == "gpmi_to_conclude" else None)
    assert task.responsible == counsellor
    url = link_of(task)
    fragment, field = PLACES[kind]
    assert fragment in url
    with at(TODAY):
        response = login(counsellor).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    path = url.split("#")[0].split("?")[0]
    assert form_holding(html, field, path), f"no form with {field} posting to {path}"


def test_the_home_visit_link_preselects_the_type(world):
    url = link_of(task_of("home_visit"))
    assert url.endswith(f"?type={ContactType.HOME_VISIT}")
    from django.http import QueryDict

    query = QueryDict(url.split("?", 1)[1])
    html = str(ContactForm(initial=ContactForm.initial_from_query(query))["type"])
    assert re.search(r'<option value="home_visit"[^>]*selected', html)
    assert ContactForm.initial_from_query(QueryDict("type=nonsense")) == {}


def test_the_art60_link_lands_on_the_next_step_field(world):
    assert link_of(task_of("art60_end")).endswith("#id_next_step")


def test_another_counsellor_following_the_link_gets_a_404(world, login, other_team):
    for kind in ("no_contact", "aftercare_checkpoint", "art60_end", "gpmi_reflection_end"):
        with at(TODAY):
            assert login(other_team).get(link_of(task_of(kind))).status_code == 404


def test_submitting_the_linked_forms_resolves_the_tasks(world, login, counsellor, scan):
    client = login(counsellor)
    home_visit, checkpoint = task_of("home_visit"), task_of("aftercare_checkpoint")
    with at(TODAY):
        response = client.post(
            link_of(home_visit).split("?")[0],
            {
                "date": "10/07/2026",
                "type": "home_visit",
                "duration_minutes": "45",
                "summary": "Huisbezoek",
            },
        )
        assert response.status_code == 302
        response = client.post(
            link_of(checkpoint),
            {"done_on": "10/07/2026", "contact_made": "yes", "still_employed": "yes"},
        )
        assert response.status_code == 302
    scan(TODAY)
    for task in (home_visit, checkpoint):
        task.refresh_from_db()
        assert (task.status, task.closed_reason) == (TaskStatus.DONE, ClosedReason.RESOLVED)


def test_the_task_page_shows_each_kind_as_a_link_next_to_the_client(world, login, counsellor):
    with at(TODAY):
        response = login(counsellor).get("/tasks/")
    html = response.content.decode()
    tasks = list(response.context["page"].object_list)
    assert {task.kind for task in tasks} >= KINDS
    for task in tasks:
        row = html.split(f'id="task-{task.pk}"', 1)[1].split("</tr>", 1)[0]
        assert f'class="task-link" href="{task.link.replace("&", "&amp;")}"' in row
        assert f'href="/clients/{task.client_id}/"' in row


@pytest.mark.parametrize("extra_running", [0, 2])
def test_task_page_queries_do_not_grow_with_the_tasks_or_their_kinds(
    world, login, counsellor, open_trajectory, scan, extra_running, django_assert_num_queries
):
    for n in range(extra_running):
        running_gpmi(new_client(counsellor, 10 + n), counsellor, open_trajectory)
    scan(TODAY)
    client = login(counsellor)
    # 1 session, 2 user, 3 COUNT of my tasks (paginator), 4 one page of tasks with
    # their client and responsible, 5 the trajectories of the GPMI versions
    # (gpmi_evaluation links, one query for all of them), 6 tasks due + unread
    # notifications (header, one query), 7 the user's OCMW (header).
    with at(TODAY), django_assert_num_queries(7):
        response = client.get("/tasks/")
    tasks = list(response.context["page"].object_list)
    assert sum(task.kind == "gpmi_evaluation" for task in tasks) == 1 + extra_running
    assert all(task.link for task in tasks)
