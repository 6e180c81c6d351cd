"""The GPMI API: the access matrix of the personas, the lifecycle as POST actions,
the PDF, consent and the electronic-social-report package, statistics.

The file under test is ``spi_case`` (tests/gpmi/conftest.py): ``counsellor``
and ``teamlead`` read and change its GPMI; ``colleague`` reads it only (403 on
changes); ``intake`` (identity only), ``socialworker``, ``other_team``,
``admin`` and ``outsider`` (another OCMW) get 404, exactly as for a record that
does not exist; anonymous callers get 401/403.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import zipfile

import pytest
import time_machine

from gpmi import esr
from gpmi import services as gpmi_services
from gpmi.models import Consent, Gpmi, VersionStatus
from ocmw.models import AccessAction, AccessLog
from tests.gpmi.conftest import gpmi_version_data
from tests.gpmi.test_page_queries import make_gpmis  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

API = "/api/v1"
ANON = {401, 403}
NOW = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)

READERS = {"counsellor", "colleague", "teamlead"}
EDITORS = {"counsellor", "teamlead"}


@pytest.fixture(autouse=True)
def _fixed_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def expected(name: str, allowed: set[str], ok: int) -> int | set[int]:
    if name == "anonymous":
        return ANON
    if name in allowed:
        return ok
    return 403 if name in READERS else 404


def check(response, want) -> None:
    codes = want if isinstance(want, set) else {want}
    assert response.status_code in codes, (response.status_code, response.content[:300])


def post(client, url: str, data: dict | None = None):
    return client.post(url, json.dumps(data or {}, default=str), content_type="application/json")


def patch(client, url: str, data: dict):
    return client.patch(url, json.dumps(data, default=str), content_type="application/json")


@pytest.fixture
def presented(counsellor, gpmi_needs_analysis, gpmi_draft):
    """Version 1 presented on 21/11/2026: on 23/11 the client is on day 2 of 5."""
    return gpmi_services.version_present(
        actor=counsellor, version=gpmi_draft, on=datetime.date(2026, 11, 21)
    )


@pytest.fixture
def signed_version(counsellor, gpmi_needs_analysis, gpmi_draft, gpmi_sign):
    gpmi_services.version_present(
        actor=counsellor, version=gpmi_draft, on=datetime.date(2026, 3, 1)
    )
    return gpmi_sign(gpmi_draft, datetime.date(2026, 3, 6))


def sign_body(**fields) -> dict:
    body = {
        "ocmw_signatory_name": "Marc Voorzitter",
        "ocmw_signatory_capacity": "Voorzitter",
        "client_signed_on": "2026-11-23",
        "ocmw_signed_on": "2026-11-23",
        "counsellor_signed_on": "2026-11-23",
    }
    body.update(fields)
    return body


# --- GPMIs ---------------------------------------------------------------------------------

PERSONA_NAMES = [
    "counsellor",
    "colleague",
    "teamlead",
    "intake",
    "socialworker",
    "other_team",
    "admin",
    "outsider",
    "anonymous",
]


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_gpmis_are_listed_and_read_within_the_users_scope(
    login, persona, gpmi_contract, signed_version, name
):
    client = login(persona(name))
    listed = client.get(f"{API}/gpmis/")
    check(listed, ANON if name == "anonymous" else 200)
    if name != "anonymous":
        ids = [row["id"] for row in listed.json()["results"]]
        assert (gpmi_contract.pk in ids) is (name in READERS)
    check(client.get(f"{API}/gpmis/{gpmi_contract.pk}/"), expected(name, READERS, 200))


def test_a_gpmi_reads_with_its_deadline_subsidy_current_version_and_compliance(
    login, counsellor, gpmi_contract, signed_version
):
    data = login(counsellor).get(f"{API}/gpmis/{gpmi_contract.pk}/").json()
    assert data["type"] == 11
    assert data["leefloon_decision_date"] == "2025-11-03"
    assert data["legal_deadline"] == "2026-02-03"
    assert data["signed_on"] == "2026-03-06"
    assert data["subsidy_start"] == "2026-03-01"
    assert data["subsidy_end"] == "2027-02-28"
    assert data["current_version"] == {
        "id": signed_version.pk,
        "number": 1,
        "status": VersionStatus.ACTIVE,
    }
    assert data["compliance"]["status"] == "behind"
    assert data["compliance"]["last_12_months"] == 0
    assert AccessLog.objects.filter(user=counsellor, action=AccessAction.VIEW).exists()


def test_the_gpmi_list_filters_and_refuses_unknown_values(
    login, counsellor, gpmi_contract, signed_version
):
    client = login(counsellor)

    def ids(**params):
        response = client.get(f"{API}/gpmis/", params)
        assert response.status_code == 200
        return [row["id"] for row in response.json()["results"]]

    assert ids(subsidy_ends_within_days=97) == [gpmi_contract.pk]
    assert ids(subsidy_ends_within_days=96) == []
    assert ids(type=11, status="active") == [gpmi_contract.pk]
    assert ids(type=9) == []
    for params in ({"type": 42}, {"status": "afgesloten"}, {"subsidy_ends_within_days": "x"}):
        response = client.get(f"{API}/gpmis/", params)
        assert response.status_code == 400
        assert set(response.json()) == set(params)


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_starting_a_gpmi_follows_the_access_matrix(login, persona, gpmi_trajectory, name):
    response = post(
        login(persona(name)),
        f"{API}/gpmis/",
        {"trajectory": gpmi_trajectory.pk, "type": 11},
    )
    check(response, expected(name, EDITORS, 201))
    assert Gpmi.objects.exists() is (name in EDITORS)
    if name in EDITORS:
        assert response.json()["legal_deadline"] == "2026-02-03"


@pytest.mark.parametrize("code", [12, 15, 16])
def test_a_community_service_type_is_refused_by_the_api(login, counsellor, gpmi_trajectory, code):
    response = post(
        login(counsellor), f"{API}/gpmis/", {"trajectory": gpmi_trajectory.pk, "type": code}
    )
    assert response.status_code == 400
    assert "type" in response.json()
    assert not Gpmi.objects.exists()


def test_an_exemption_is_recorded_with_its_reason_through_the_api(
    login, counsellor, spi_case, gpmi_trajectory
):
    client = login(counsellor)
    missing = post(client, f"{API}/gpmis/", {"client": spi_case.pk, "type": 8})
    assert missing.status_code == 400 and "exemption_reason" in missing.json()
    response = post(
        client,
        f"{API}/gpmis/",
        {"client": spi_case.pk, "type": 8, "exemption_reason": "Langdurig ziek"},
    )
    assert response.status_code == 201
    assert response.json()["compliance"] is None
    assert response.json()["current_version"] is None


# --- versions and their lifecycle ----------------------------------------------------------


def test_a_version_created_with_only_its_gpmi_is_proposed_from_the_needs_analysis(
    login, counsellor, gpmi_needs_analysis, gpmi_contract
):
    client = login(counsellor)
    # The commitments are not in the needs analysis: they are negotiated.
    missing = post(client, f"{API}/gpmi-versions/", {"gpmi": gpmi_contract.pk})
    assert missing.status_code == 400
    assert {"commitments_client", "commitments_ocmw"} <= set(missing.json())
    response = post(
        client,
        f"{API}/gpmi-versions/",
        {
            "gpmi": gpmi_contract.pk,
            "commitments_client": ["Elke afspraak nakomen"],
            "commitments_ocmw": ["Inschrijvingsgeld betalen"],
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == VersionStatus.DRAFT and data["number"] == 1
    assert data["objectives"] == ["Magazijnier worden"]
    assert data["language"] == "nl"
    assert data["pdf_url"].endswith(f"/gpmi-versions/{data['id']}/pdf/")


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_versions_follow_the_access_matrix(login, persona, gpmi_contract, gpmi_draft, name):
    client = login(persona(name))
    check(client.get(f"{API}/gpmi-versions/{gpmi_draft.pk}/"), expected(name, READERS, 200))
    check(
        patch(client, f"{API}/gpmi-versions/{gpmi_draft.pk}/", {"deadlines": "Nieuw"}),
        expected(name, EDITORS, 200),
    )
    check(
        post(client, f"{API}/gpmi-versions/", {"gpmi": gpmi_contract.pk}),
        # A second version while one is a draft: refused (400) for those who may write.
        expected(name, EDITORS, 400),
    )
    gpmi_draft.refresh_from_db()
    assert (gpmi_draft.deadlines == "Nieuw") is (name in EDITORS)


def test_a_stale_update_of_a_draft_is_a_409_and_changes_nothing(login, counsellor, gpmi_draft):
    client = login(counsellor)
    read = client.get(f"{API}/gpmi-versions/{gpmi_draft.pk}/").json()
    with time_machine.travel(NOW + datetime.timedelta(minutes=1), tick=False):
        gpmi_services.version_update(
            actor=counsellor, version=gpmi_draft, data={"deadlines": "Door een collega"}
        )
    response = patch(
        client,
        f"{API}/gpmi-versions/{gpmi_draft.pk}/",
        {"deadlines": "Mijn versie", "updated_at": read["updated_at"]},
    )
    assert response.status_code == 409
    gpmi_draft.refresh_from_db()
    assert gpmi_draft.deadlines == "Door een collega"
    fresh = client.get(f"{API}/gpmi-versions/{gpmi_draft.pk}/").json()
    ok = patch(
        client,
        f"{API}/gpmi-versions/{gpmi_draft.pk}/",
        {"deadlines": "Mijn versie", "updated_at": fresh["updated_at"]},
    )
    assert ok.status_code == 200 and ok.json()["deadlines"] == "Mijn versie"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"end_date": "2026-01-01"}, "end_date"),
        ({"objectives": []}, "objectives"),
        ({"evaluations_per_year": 2}, "evaluations_per_year"),
        ({"commitments_third_parties": [{"party": "VDAB"}]}, "commitments_third_parties"),
        ({"language": "de"}, "language"),
        ({"objectives": ["x"] * 101}, "objectives"),
    ],
)
def test_bad_version_contents_are_400_field_errors(login, counsellor, gpmi_draft, body, field):
    response = patch(login(counsellor), f"{API}/gpmi-versions/{gpmi_draft.pk}/", body)
    assert response.status_code == 400
    assert field in response.json()


def test_presenting_without_a_needs_analysis_is_refused(login, counsellor, gpmi_draft):
    response = post(login(counsellor), f"{API}/gpmi-versions/{gpmi_draft.pk}/present/")
    assert response.status_code == 400
    gpmi_draft.refresh_from_db()
    assert gpmi_draft.status == VersionStatus.DRAFT


def test_signing_on_day_2_is_refused_and_allowed_with_a_waiver(login, counsellor, presented):
    client = login(counsellor)
    url = f"{API}/gpmi-versions/{presented.pk}/sign/"
    refused = post(client, url, sign_body())
    assert refused.status_code == 400
    assert "client_signed_on" in refused.json()
    presented.refresh_from_db()
    assert presented.status == VersionStatus.PRESENTED
    no_note = post(client, url, sign_body(reflection_waived=True))
    assert no_note.status_code == 400 and "reflection_waiver_note" in no_note.json()
    signed = post(
        client, url, sign_body(reflection_waived=True, reflection_waiver_note="Vroeg het zelf")
    )
    assert signed.status_code == 200, signed.content
    data = signed.json()
    assert data["status"] == VersionStatus.ACTIVE  # started on 01/03/2026
    assert len(data["pdf_sha256"]) == 64
    assert data["reflection_waived"] is True


def test_day_5_signs_without_a_waiver(login, counsellor, presented):
    with time_machine.travel(datetime.datetime(2026, 11, 26, 9, 0, tzinfo=datetime.UTC)):
        response = post(
            login(counsellor),
            f"{API}/gpmi-versions/{presented.pk}/sign/",
            sign_body(
                client_signed_on="2026-11-26",
                ocmw_signed_on="2026-11-26",
                counsellor_signed_on="2026-11-26",
            ),
        )
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("sign", sign_body()),
        ("present", {}),
        ("withdraw", {"reason": "Liever niet"}),
    ],
)
def test_transitions_not_allowed_from_the_running_version_are_refused(
    login, counsellor, signed_version, action, body
):
    response = post(login(counsellor), f"{API}/gpmi-versions/{signed_version.pk}/{action}/", body)
    assert response.status_code == 400
    signed_version.refresh_from_db()
    assert signed_version.status == VersionStatus.ACTIVE


def test_an_ended_version_cannot_end_again(login, counsellor, signed_version):
    client = login(counsellor)
    url = f"{API}/gpmi-versions/{signed_version.pk}/end/"
    assert post(client, url, {"reason": "end_of_term", "on": "2026-11-01"}).status_code == 200
    assert post(client, url, {"reason": "end_of_term"}).status_code == 400


def test_a_signed_version_cannot_be_edited_or_withdrawn(login, counsellor, signed_version):
    client = login(counsellor)
    edit = patch(client, f"{API}/gpmi-versions/{signed_version.pk}/", {"deadlines": "Anders"})
    assert edit.status_code == 400
    withdraw = post(
        client, f"{API}/gpmi-versions/{signed_version.pk}/withdraw/", {"reason": "Liever niet"}
    )
    assert withdraw.status_code == 400
    signed_version.refresh_from_db()
    assert signed_version.status == VersionStatus.ACTIVE
    assert signed_version.deadlines != "Anders"


def test_ending_and_withdrawing_need_their_reason(login, counsellor, signed_version, gpmi_contract):
    client = login(counsellor)
    end_url = f"{API}/gpmi-versions/{signed_version.pk}/end/"
    assert post(client, end_url, {"reason": "replaced"}).status_code == 400
    ended = post(client, end_url, {"reason": "moved", "on": "2026-11-20", "note": "Naar Gent"})
    assert ended.status_code == 200
    assert ended.json()["status"] == VersionStatus.ENDED
    draft = gpmi_services.version_create(
        actor=counsellor, gpmi=gpmi_contract, data=gpmi_version_data()
    )
    withdraw_url = f"{API}/gpmi-versions/{draft.pk}/withdraw/"
    assert post(client, withdraw_url, {"reason": ""}).status_code == 400
    withdrawn = post(client, withdraw_url, {"reason": "Cliënt wil iets anders"})
    assert withdrawn.json()["status"] == VersionStatus.WITHDRAWN


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_lifecycle_actions_follow_the_access_matrix(login, persona, presented, name):
    response = post(
        login(persona(name)),
        f"{API}/gpmi-versions/{presented.pk}/withdraw/",
        {"reason": "Cliënt wil iets anders"},
    )
    check(response, expected(name, EDITORS, 200))
    presented.refresh_from_db()
    withdrawn = presented.status == VersionStatus.WITHDRAWN
    assert withdrawn is (name in EDITORS)


# --- the PDF -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_the_pdf_follows_the_access_matrix_and_a_draft_is_rendered(
    login, persona, gpmi_draft, name
):
    response = login(persona(name)).get(f"{API}/gpmi-versions/{gpmi_draft.pk}/pdf/")
    check(response, expected(name, READERS, 200))
    if name in READERS:
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response).startswith(b"%PDF")


def test_the_signed_pdf_is_returned_byte_for_byte_and_logged(
    login, counsellor, outsider, signed_version
):
    signed_version.refresh_from_db()
    url = f"{API}/gpmi-versions/{signed_version.pk}/pdf/"
    data = b"".join(login(counsellor).get(url, HTTP_ACCEPT="application/pdf"))
    assert hashlib.sha256(data).hexdigest() == signed_version.pdf_sha256
    again = b"".join(login(counsellor).get(url))
    assert again == data
    assert (
        AccessLog.objects.filter(
            client=signed_version.gpmi.client, action=AccessAction.EXPORT
        ).count()
        == 2
    )
    assert login(outsider).get(url).status_code == 404


# --- consent and the package ---------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_consent_follows_the_access_matrix(login, persona, spi_case, gpmi_contract, name):
    client = login(persona(name))
    response = post(
        client,
        f"{API}/consents/",
        {"client": spi_case.pk, "given": True, "date": "2026-11-20", "method": "eid"},
    )
    # A reader who may not change the file: 403; anyone else outside the case: 404.
    check(response, expected(name, EDITORS, 201))
    assert Consent.objects.exists() is (name in EDITORS)
    listed = client.get(f"{API}/consents/", {"client": spi_case.pk})
    check(listed, ANON if name == "anonymous" else 200)
    if name != "anonymous":
        assert len(listed.json()["results"]) == (1 if name in EDITORS else 0)


def test_a_consent_in_the_future_is_refused(login, counsellor, spi_case, gpmi_contract):
    response = post(
        login(counsellor),
        f"{API}/consents/",
        {"client": spi_case.pk, "given": True, "date": "2026-12-24", "method": "written"},
    )
    assert response.status_code == 400 and "date" in response.json()


def test_without_consent_the_package_is_a_409_and_the_refusal_is_logged(
    login, counsellor, spi_case, signed_version
):
    response = login(counsellor).get(f"{API}/esr-packages/{spi_case.pk}/")
    assert response.status_code == 409
    assert response.json()["detail"] == esr.ConsentMissing().messages[0]
    assert AccessLog.objects.filter(client=spi_case, action=AccessAction.REFUSED).count() == 1


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_the_package_follows_the_access_matrix(
    login, persona, counsellor, spi_case, signed_version, name
):
    gpmi_services.consent_record(
        actor=counsellor, client=spi_case, given=True, date=datetime.date(2026, 3, 6), method="eid"
    )
    response = login(persona(name)).get(f"{API}/esr-packages/{spi_case.pk}/")
    check(response, ANON if name == "anonymous" else (200 if name in READERS else 404))
    if name in READERS:
        assert response["Content-Type"] == "application/zip"
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response)))
        document = json.loads(archive.read("gpmi.json"))
        assert document["consent"]["date"] == "2026-03-06"
        assert [v["status"] for v in document["versions"]] == [VersionStatus.ACTIVE]


# --- statistics ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_statistics_are_for_team_leads(login, persona, signed_version, name):
    response = login(persona(name)).get(f"{API}/gpmi-statistics/", {"year": 2026})
    check(response, ANON if name == "anonymous" else (200 if name == "teamlead" else 403))
    if name == "teamlead":
        data = response.json()
        assert data["year"] == 2026
        assert data["total"]["signed"] == 1 and data["total"]["running"] == 1
        assert [b["key"] for b in data["breakdowns"]] == ["type", "age_group", "gender", "team"]


@pytest.mark.parametrize("year", ["6202", "1999", "", "abc"])
def test_an_absurd_statistics_year_is_a_400(login, teamlead, year):
    response = login(teamlead).get(f"{API}/gpmi-statistics/", {"year": year})
    assert response.status_code == 400
    assert "year" in response.json()


# --- query counts --------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 10])
def test_the_gpmi_list_endpoint_queries_do_not_grow(
    login, counsellor, request, django_assert_num_queries, count
):
    request.getfixturevalue("make_gpmis")(count)
    client = login(counsellor)
    # 1 session, 2 user, 3 the keyset page of GPMIs with their dates (no count),
    # 4 the compliance of that page.
    with django_assert_num_queries(4):
        response = client.get(f"{API}/gpmis/")
    assert len(response.json()["results"]) == count


def test_a_second_contract_on_the_same_trajectory_is_refused(
    login, counsellor, gpmi_trajectory, gpmi_contract
):
    response = post(
        login(counsellor), f"{API}/gpmis/", {"trajectory": gpmi_trajectory.pk, "type": 9}
    )
    assert response.status_code == 400 and "trajectory" in response.json()
    assert Gpmi.objects.count() == 1


API_NEVER_500 = [
    ("get", "/gpmis/?sort=insz", None),
    ("get", "/gpmi-versions/?gpmi=abc", None),
    ("get", "/gpmi-versions/?status=x", None),
    ("get", "/consents/?client=abc", None),
    ("get", "/esr-packages/987654321/", None),
    ("get", "/gpmi-versions/987654321/pdf/", None),
    ("post", "/gpmis/", {"trajectory": "abc", "type": "elf"}),
    ("post", "/gpmis/", {"trajectory": [1], "type": 11}),
    ("post", "/gpmi-versions/", {"gpmi": 987654321}),
    ("post", "/gpmi-versions/{draft}/sign/", {"client_signed_on": "31/02/2026"}),
    ("post", "/gpmi-versions/{draft}/present/", {"on": "2999-01-01"}),
    ("post", "/gpmi-versions/{draft}/end/", {"reason": None}),
    ("patch", "/gpmi-versions/{draft}/", {"updated_at": "gisteren"}),
    ("patch", "/gpmi-versions/{draft}/", {"commitments_third_parties": "VDAB"}),
    ("patch", "/gpmi-versions/{draft}/", {"objectives": [{"a": 1}]}),
    ("post", "/consents/", {"client": 987654321, "given": "soms"}),
]


@pytest.mark.parametrize(("method", "url", "data"), API_NEVER_500)
def test_odd_api_input_never_gives_a_server_error(login, counsellor, gpmi_draft, method, url, data):
    client = login(counsellor)
    url = API + url.format(draft=gpmi_draft.pk)
    if method == "get":
        response = client.get(url)
    elif method == "post":
        response = post(client, url, data)
    else:
        response = patch(client, url, data)
    assert 400 <= response.status_code < 500, response.content[:300]
    gpmi_draft.refresh_from_db()
    assert gpmi_draft.status == VersionStatus.DRAFT
