"""The client scope, written as index-friendly SQL, against the rule written out in Python.

``Client.objects.visible_to`` asks "who handles this client" as a ``UNION ALL`` of
index scans (for sets of clients) and as ``EXISTS`` on the client's own rows (for
the ``access_*`` annotations). Both must say exactly what the rule says:

- a client is handled by its responsible social worker and by the counsellor of
  its open trajectory (a closed one hands nothing);
- a user reads the clients handled by themselves, and also by their teammates
  when they handle cases or lead a team; they edit those handled by themselves,
  and by their teammates when they lead a team;
- the intake desk sees every client of its OCMW (identity), and edits them;
- never another OCMW's client.

The rule is evaluated here row by row in Python, for every persona and for staff
with unusual role mixes, over files handled in every way the rule knows.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from ocmw import services
from ocmw.models import Client, Role, User, reads_case_of, teammate_ids
from tests.factories import ClientFactory
from tests.trajecten.conftest import full_checklist
from trajecten import services as trajectory_services
from trajecten.models import Phase, Referral, Trajectory, case_clients, handled_by_counsellor

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed_staff(ocmw, spi_team, general_team):
    """Staff whose roles combine in ways the personas do not."""

    def make(username, roles, teams):
        return services.staff_ensure(
            ocmw=ocmw,
            username=username,
            first_name=username.title(),
            last_name="Test",
            roles=roles,
            teams=teams,
            password="x",
        )

    return [
        make("intake_lead", [Role.INTAKE, Role.TEAM_LEAD], [spi_team]),
        make("loner", [Role.COUNSELLOR], []),
        make("sw_lead", [Role.SOCIAL_WORKER, Role.TEAM_LEAD], [general_team]),
        make("intake_worker", [Role.INTAKE, Role.SOCIAL_WORKER], [general_team]),
    ]


@pytest.fixture
def files(
    case,
    spi_case,
    foreign_case,
    teamlead,
    counsellor,
    colleague,
    other_team,
    spi_team,
    socialworker,
    intake,
):
    """Client files handled in every way the rule knows (and one handled by nobody)."""
    by_colleague = ClientFactory(responsible_social_worker=socialworker, last_name="Colleague")
    trajectory_services.trajectory_open(
        actor=teamlead, client=by_colleague, counsellor=colleague, team=spi_team
    )
    closed = ClientFactory(responsible_social_worker=socialworker, last_name="Closed")
    old = trajectory_services.trajectory_open(
        actor=teamlead, client=closed, counsellor=counsellor, team=spi_team
    )
    trajectory_services.trajectory_transition(
        actor=teamlead, trajectory=old, target=Phase.CLOSED, closing_reason="moved"
    )
    # Only the trajectory (open or closed) is left to say who handles these two.
    Client.objects.filter(pk__in=[by_colleague.pk, closed.pk]).update(
        responsible_social_worker=None
    )
    nobody = ClientFactory(actor=intake, last_name="Nobody")
    youth = ClientFactory(responsible_social_worker=other_team, last_name="Youth")
    # The case of the general service, also in an SPI trajectory: handled twice.
    trajectory_services.trajectory_open(
        actor=teamlead, client=case, counsellor=counsellor, team=spi_team
    )
    return [case, spi_case, foreign_case, by_colleague, closed, nobody, youth]


def teammates(user: User) -> set[int]:
    teams = set(user.teams.values_list("pk", flat=True))
    return set(User.objects.filter(teams__in=teams).values_list("pk", flat=True))


def handlers(client: Client) -> set[int]:
    found = {client.responsible_social_worker_id} - {None}
    found |= set(
        Trajectory.objects.open().filter(client=client).values_list("counsellor_id", flat=True)
    )
    return found


def expected(user: User) -> set[tuple[int, bool, bool]]:
    """(client, access_case, access_edit) by the rule, one client at a time."""
    if user.ocmw_id is None:
        return set()
    read = {user.pk} | (teammates(user) if user.is_team_lead or user.handles_cases else set())
    edit = {user.pk} | (teammates(user) if user.is_team_lead else set())
    rows = set()
    for client in Client.objects.filter(ocmw_id=user.ocmw_id):
        by = handlers(client)
        case, editable = bool(by & read), bool(by & edit)
        if user.is_intake:
            rows.add((client.pk, case, True))
        elif case:
            rows.add((client.pk, True, editable))
    return rows


def staff(persona, mixed_staff) -> list[User]:
    names = ["intake", "socialworker", "sw_colleague", "counsellor", "colleague"]
    names += ["other_team", "teamlead", "admin", "outsider"]
    return [persona(name) for name in names] + mixed_staff


def rows_of(qs) -> set[tuple[int, bool, bool]]:
    # SQL says NULL where a file has no responsible worker (as it always has):
    # falsy, like False, wherever it is read.
    return {(pk, bool(case), bool(edit)) for pk, case, edit in qs}


def test_the_scope_says_what_the_rule_says_for_everyone(files, persona, mixed_staff):
    for user in staff(persona, mixed_staff):
        want = expected(user)
        rows = rows_of(
            Client.objects.visible_to(user).values_list("pk", "access_case", "access_edit")
        )
        assert rows == want, user.username
        editable = set(Client.objects.visible_to(user, for_edit=True).values_list("pk", flat=True))
        assert editable == {pk for pk, _case, edit in want if edit}, user.username
        readable = {pk for pk, case, _edit in want if case}
        assert set(case_clients(user).values_list("pk", flat=True)) == readable, user.username


def test_one_client_looked_up_by_id_gets_the_same_answer(files, persona, mixed_staff):
    """``pk=`` is pushed into every branch of the scope: it must not change the answer."""
    for user in staff(persona, mixed_staff):
        want = {row[0]: row for row in expected(user)}
        for client in files:
            found = Client.objects.visible_to(user).filter(pk=client.pk)
            row = rows_of(found.values_list("pk", "access_case", "access_edit"))
            assert row == ({want[client.pk]} if client.pk in want else set()), (
                user.username,
                client.last_name,
            )


def test_the_scope_follows_team_changes_from_the_next_request(files, counsellor, colleague):
    """The teammates are read once per user object (a request's user): leaving the
    team hides the colleague's files from the next request on; a role change at once."""
    by_colleague = files[3]
    assert case_clients(counsellor).filter(pk=by_colleague.pk).exists()
    counsellor.teams.clear()
    again = User.objects.get(pk=counsellor.pk)
    assert not case_clients(again).filter(pk=by_colleague.pk).exists()
    assert (
        not Trajectory.objects.visible_to(again, open_only=True)
        .filter(client=by_colleague)
        .exists()
    )
    counsellor.roles = [Role.INTAKE]
    assert not Client.objects.visible_to(counsellor).get(pk=by_colleague.pk).access_case


def test_the_login_loads_the_teammates_with_the_user(client, counsellor, colleague):
    """The auth backend reads the teammates in the user's own query: the scope of a
    request costs no query of its own."""
    client.force_login(counsellor)
    request = RequestFactory().get("/")
    request.session = client.session
    with CaptureQueriesContext(connection) as queries:
        user = get_user(request)
        assert sorted(user.teammate_ids) == sorted({counsellor.pk, colleague.pk})
        case_clients(user).exists()
    assert len(queries) == 3  # session, user with teammates, the scoped query


def test_a_referral_is_seen_through_its_file_or_its_team(
    files, persona, mixed_staff, socialworker, spi_team, youth_team
):
    """Through the file (its case is read) or through the team it is addressed to
    (counsellors and team leads of that team), never across OCMWs."""
    referrals = [
        trajectory_services.referral_propose(
            actor=socialworker,
            client=ClientFactory(responsible_social_worker=socialworker),
            team=team,
            checklist=full_checklist(),
        )
        for team in (spi_team, youth_team)
    ]
    for user in staff(persona, mixed_staff):
        readable = {pk for pk, case, _edit in expected(user) if case}
        teams = set(user.teams.values_list("pk", flat=True))
        want = {
            r.pk
            for r in referrals
            if r.client.ocmw_id == user.ocmw_id
            and (
                r.client_id in readable
                or ((user.is_counsellor or user.is_team_lead) and r.team_id in teams)
            )
        }
        assert set(Referral.objects.visible_to(user).values_list("pk", flat=True)) == want
        for referral in referrals:
            one = Referral.objects.visible_to(user).filter(client=referral.client)
            assert one.filter(pk=referral.pk).exists() is (referral.pk in want)


def test_a_file_read_for_its_user_needs_no_scope_and_any_other_falls_back(
    files, persona, mixed_staff, teamlead
):
    """``of_client`` reads one file's rows by the client's id alone only when the
    client object was scoped for this very user with case access; a plain client
    object, or one scoped for someone else, gets the scope applied."""
    for user in staff(persona, mixed_staff):
        for client in files:
            want = set(
                Trajectory.objects.visible_to(user)
                .filter(client=client)
                .values_list("pk", flat=True)
            )
            plain = Client.objects.get(pk=client.pk)
            for_lead = Client.objects.visible_to(teamlead).filter(pk=client.pk).first()
            mine = Client.objects.visible_to(user).filter(pk=client.pk).first()
            for instance in (plain, for_lead, mine):
                if instance is None:
                    continue
                found = Trajectory.objects.of_client(user, instance)
                assert set(found.values_list("pk", flat=True)) == want, user.username
                scoped_for_user = instance is mine or (instance is for_lead and user == teamlead)
                shortcut = scoped_for_user and bool(instance.access_case)
                assert reads_case_of(user, instance) is shortcut
                assert ("UNION ALL" in str(found.query)) is not shortcut


# --- the indexes the scope reads --------------------------------------------------------------


def index_columns(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
        row = cursor.fetchone()
    return row[0] if row else ""


def test_the_scope_indexes_exist():
    assert "(responsible_social_worker_id, id)" in index_columns("client_worker_idx")
    assert "(id) INCLUDE (ocmw_id)" in index_columns("client_id_ocmw_idx")
    handler = index_columns("trajectory_open_handler_idx")
    assert "(counsellor_id, client_id)" in handler
    assert "WHERE (NOT ((phase)::text = 'closed'::text))" in handler


def explain(sql: str, params, *disabled: str) -> str:
    with connection.cursor() as cursor:
        for setting in disabled:
            cursor.execute(f"SET LOCAL enable_{setting} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_scope_of_a_team_is_read_from_indexes(files, counsellor):
    """The set of clients a counsellor's team handles comes from index scans (the
    planner picks them on big data; here the sequential scan is forbidden to see
    that it can)."""
    sql, params = case_clients(counsellor).values("pk").query.sql_with_params()
    plan = explain(sql, params, "seqscan", "bitmapscan")
    assert "Seq Scan" not in plan


@pytest.mark.parametrize(
    "branch, index",
    [
        (lambda user: handled_by_counsellor([user.pk]).values("client_id").order_by("client_id"),
         "trajectory_open_handler_idx"),
        (lambda user: Client.objects.filter(responsible_social_worker=user).values("pk")
         .order_by("pk"), "client_worker_idx"),
    ],
    ids=["open-trajectories", "responsible-worker"],
)  # fmt: skip
def test_each_branch_of_the_scope_is_one_index_alone(files, counsellor, branch, index):
    """Each index holds both the staff member and the client id: it answers its
    branch of the scope without reading a row (and in client order, so no sort)."""
    sql, params = branch(counsellor).query.sql_with_params()
    plan = explain(sql, params, "seqscan", "bitmapscan", "sort")
    assert f"Index Only Scan using {index}" in plan


def test_open_trajectories_per_row_are_the_same_rows_as_the_set(files, persona, mixed_staff):
    """``visible_to(open_only=True)`` tests the rule per row (both forms: with the
    client row joined, and for counting): the same open trajectories as the set
    form, for every persona and mix of roles, never another OCMW's."""
    for user in staff(persona, mixed_staff):
        want = set(Trajectory.objects.visible_to(user).open().values_list("pk", flat=True))
        joined = Trajectory.objects.visible_to(user, open_only=True)
        counted = Trajectory.objects.visible_to(user, open_only=True, client_joined=False)
        assert set(joined.values_list("pk", flat=True)) == want, user.username
        assert set(counted.values_list("pk", flat=True)) == want, user.username
        assert counted.count() == len(want), user.username
        readable = {pk for pk, case, _edit in expected(user) if case}
        clients = set(joined.values_list("client_id", flat=True))
        assert clients == readable & clients, user.username


def test_a_teammate_of_another_ocmw_does_not_open_its_files(
    files, persona, spi_team, foreign_case, other_ocmw_team
):
    """A staff member of another OCMW put in one's team (a misconfiguration) is not
    a teammate: their trajectories stay out of the per-row and the set scope."""
    outsider = persona("outsider")
    foreign = trajectory_services.trajectory_open(
        actor=outsider, client=foreign_case, counsellor=outsider, team=other_ocmw_team
    )
    outsider.teams.add(spi_team)
    lead = User.objects.get(pk=persona("teamlead").pk)
    assert outsider.pk not in teammate_ids(lead)
    assert not Trajectory.objects.visible_to(lead, open_only=True).filter(pk=foreign.pk).exists()
    assert not Trajectory.objects.visible_to(lead).filter(pk=foreign.pk).exists()
    assert Trajectory.objects.visible_to(outsider, open_only=True).filter(pk=foreign.pk).exists()
