"""The time rules of a GPMI, with a fixed clock: the 5-day reflection period, the
legal deadline (decision + 3 months), the subsidy year and the evaluation rule
(≥ 3 evaluations per 12 months, ≥ 2 in person)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from gpmi import selectors, services
from gpmi.models import GpmiType, GpmiVersion, VersionStatus, legal_deadline_for, subsidy_period
from tests.gpmi.conftest import gpmi_version_data
from trajecten import services as trajecten_services

pytestmark = pytest.mark.django_db

D = datetime.date


def at(year, month, day, hour=10):
    return time_machine.travel(datetime.datetime(year, month, day, hour, 0), tick=False)


def fresh(version) -> GpmiVersion:
    return GpmiVersion.objects.get(pk=version.pk)


# --- the reflection period: 5 calendar days ------------------------------------------------


@pytest.fixture
def presented(counsellor, gpmi_draft, gpmi_needs_analysis):
    """Presented on Monday 02/03/2026 (day 0): the client may sign from 07/03/2026."""
    with at(2026, 3, 2):
        return services.version_present(actor=counsellor, version=gpmi_draft)


def test_signing_on_day_4_is_refused_with_the_date_the_client_may_sign(presented, gpmi_sign):
    with at(2026, 3, 6), pytest.raises(ValidationError) as error:
        gpmi_sign(presented, D(2026, 3, 6))
    message = error.value.message_dict["client_signed_on"][0]
    assert "07/03/2026" in message
    assert "5" in message
    version = fresh(presented)
    assert version.status == VersionStatus.PRESENTED
    assert version.client_signed_on is None
    assert not version.pdf


def test_signing_on_day_5_is_allowed(presented, gpmi_sign):
    with at(2026, 3, 7):
        gpmi_sign(presented, D(2026, 3, 7))
    version = fresh(presented)
    assert version.status == VersionStatus.ACTIVE
    assert not version.reflection_waived


def test_a_signature_dated_inside_the_period_is_refused_even_when_recorded_later(
    presented, gpmi_sign
):
    with at(2026, 3, 20), pytest.raises(ValidationError):
        gpmi_sign(presented, D(2026, 3, 5))
    assert fresh(presented).status == VersionStatus.PRESENTED


def test_a_waiver_needs_a_note_of_how_the_client_gave_it(presented, gpmi_sign):
    with at(2026, 3, 4), pytest.raises(ValidationError) as error:
        gpmi_sign(presented, D(2026, 3, 4), reflection_waived=True, reflection_waiver_note=" ")
    assert "reflection_waiver_note" in error.value.message_dict
    assert fresh(presented).status == VersionStatus.PRESENTED


def test_with_the_clients_explicit_waiver_signing_on_day_2_is_allowed(presented, gpmi_sign):
    note = "De cliënt vroeg schriftelijk om meteen te tekenen (start opleiding maandag)."
    with at(2026, 3, 4):
        gpmi_sign(presented, D(2026, 3, 4), reflection_waived=True, reflection_waiver_note=note)
    version = fresh(presented)
    assert version.status == VersionStatus.ACTIVE
    assert version.reflection_waived
    assert version.reflection_waiver_note == note
    assert version.client_signed_on == D(2026, 3, 4)


# --- the legal deadline: decision + 3 months ------------------------------------------------


@pytest.mark.parametrize(
    "decision,deadline",
    [
        (D(2025, 11, 30), D(2026, 2, 28)),
        (D(2027, 11, 30), D(2028, 2, 29)),  # leap year
        (D(2026, 1, 15), D(2026, 4, 15)),
        (D(2026, 5, 31), D(2026, 8, 31)),
    ],
)
def test_the_legal_deadline_is_three_calendar_months_after_the_decision(decision, deadline):
    assert legal_deadline_for(decision) == deadline


@pytest.mark.parametrize(
    "decision,deadline",
    [(D(2025, 11, 30), D(2026, 2, 28)), (D(2027, 11, 30), D(2028, 2, 29))],
)
def test_the_list_computes_the_same_deadline_in_the_database(
    counsellor, gpmi_trajectory, decision, deadline
):
    with at(2028, 1, 10):
        gpmi = services.gpmi_create(
            actor=counsellor,
            trajectory=gpmi_trajectory,
            type=GpmiType.GENERAL,
            leefloon_decision_date=decision,
        )
        row = selectors.gpmi_list(user=counsellor).get(pk=gpmi.pk)
    assert gpmi.legal_deadline == deadline
    assert row.legal_deadline_on == deadline
    assert row.days_to_deadline == (deadline - D(2028, 1, 10)).days


def test_days_left_and_overdue_before_signing(counsellor, gpmi_trajectory):
    with at(2026, 2, 20):
        gpmi = services.gpmi_create(
            actor=counsellor,
            trajectory=gpmi_trajectory,
            type=GpmiType.GENERAL,
            leefloon_decision_date=D(2025, 11, 30),
        )
    before = selectors.deadline_info(gpmi, D(2026, 2, 20))
    assert (before.legal_deadline, before.days_left) == (D(2026, 2, 28), 8)
    assert (before.overdue, before.met, before.signed_on) == (False, None, None)
    on_the_day = selectors.deadline_info(gpmi, D(2026, 2, 28))
    assert (on_the_day.days_left, on_the_day.overdue) == (0, False)
    after = selectors.deadline_info(gpmi, D(2026, 3, 2))
    assert (after.days_left, after.overdue) == (-2, True)


@pytest.mark.parametrize(
    "signed_on,met",
    [(D(2026, 2, 3), True), (D(2026, 2, 4), False)],
    ids=["on the deadline", "a day late"],
)
def test_signing_meets_the_deadline_or_not(
    counsellor, gpmi_draft, gpmi_needs_analysis, gpmi_sign, signed_on, met
):
    # spi_case: leefloon decision 03/11/2025, so the deadline is 03/02/2026.
    with at(2026, 2, 10):
        services.version_present(actor=counsellor, version=gpmi_draft, on=D(2026, 1, 20))
        gpmi_sign(gpmi_draft, signed_on)
    info = selectors.deadline_info(gpmi_draft.gpmi, D(2026, 2, 10))
    assert info.legal_deadline == D(2026, 2, 3)
    assert (info.signed_on, info.met, info.overdue) == (signed_on, met, False)
    row = selectors.gpmi_list(user=counsellor).get()
    assert selectors.deadline_info(row, D(2026, 2, 10)) == info


def test_an_exemption_has_no_deadline_to_meet(counsellor, gpmi_trajectory):
    gpmi = services.gpmi_create(
        actor=counsellor,
        trajectory=gpmi_trajectory,
        type=GpmiType.EXEMPTION,
        exemption_reason="Gezondheid",
    )
    info = selectors.deadline_info(gpmi, D(2026, 11, 1))
    assert (info.applies, info.overdue, info.met) == (False, False, None)


# --- the subsidy year --------------------------------------------------------------------


def test_signed_15_march_gives_a_subsidy_from_1_march_to_28_february():
    assert subsidy_period(D(2026, 3, 15)) == (D(2026, 3, 1), D(2027, 2, 28))
    assert subsidy_period(D(2027, 3, 31)) == (D(2027, 3, 1), D(2028, 2, 29))
    assert subsidy_period(None) == (None, None)


@pytest.fixture
def signed_15_march(counsellor, gpmi_draft, gpmi_needs_analysis, gpmi_sign):
    with at(2026, 3, 16):
        services.version_present(actor=counsellor, version=gpmi_draft, on=D(2026, 3, 9))
        return gpmi_sign(gpmi_draft, D(2026, 3, 15))


def test_the_gpmi_shows_the_subsidy_period_of_its_signing(counsellor, signed_15_march):
    version = fresh(signed_15_march)
    assert (version.subsidy_starts, version.subsidy_ends) == (D(2026, 3, 1), D(2027, 2, 28))
    row = selectors.gpmi_list(user=counsellor).get()
    assert (row.signed_on, row.subsidy_end) == (D(2026, 3, 15), D(2027, 2, 28))
    assert selectors.subsidy_dates(row) == (D(2026, 3, 1), D(2027, 2, 28))


def test_an_amendment_does_not_restart_the_subsidy_year(counsellor, signed_15_march, gpmi_sign):
    gpmi = signed_15_march.gpmi
    with at(2026, 9, 20):
        amendment = services.version_create(
            actor=counsellor, gpmi=gpmi, data=services.version_prefill(gpmi=gpmi)
        )
        services.version_present(actor=counsellor, version=amendment, on=D(2026, 9, 10))
        gpmi_sign(amendment, D(2026, 9, 20))
        row = selectors.gpmi_list(user=counsellor).get()
    assert row.current_version_number == 2
    assert row.current_version_status == VersionStatus.ACTIVE
    assert (row.signed_on, row.subsidy_end) == (D(2026, 3, 15), D(2027, 2, 28))


def test_the_contract_is_signed_when_the_last_party_signs(
    counsellor, gpmi_draft, gpmi_needs_analysis
):
    with at(2026, 4, 2):
        services.version_present(actor=counsellor, version=gpmi_draft, on=D(2026, 3, 20))
        services.version_sign(
            actor=counsellor,
            version=gpmi_draft,
            ocmw_signatory_name="Marc Voorzitter",
            ocmw_signatory_capacity="Voorzitter",
            client_signed_on=D(2026, 3, 31),
            counsellor_signed_on=D(2026, 3, 31),
            ocmw_signed_on=D(2026, 4, 1),
        )
    assert fresh(gpmi_draft).signed_on == D(2026, 4, 1)
    assert fresh(gpmi_draft).subsidy_starts == D(2026, 4, 1)
    assert selectors.gpmi_list(user=counsellor).get().subsidy_end == D(2027, 3, 31)


def test_the_list_filters_on_subsidy_years_ending_soon(counsellor, signed_15_march):
    with at(2027, 2, 10):
        assert selectors.gpmi_list(user=counsellor, subsidy_ends_within_days=30).count() == 1
        assert selectors.gpmi_list(user=counsellor, subsidy_ends_within_days=10).count() == 0
    with at(2027, 3, 1):  # already over
        assert selectors.gpmi_list(user=counsellor, subsidy_ends_within_days=30).count() == 0
    with pytest.raises(ValidationError):
        selectors.gpmi_list(user=counsellor, subsidy_ends_within_days=-1)


def test_the_list_filters_on_type_and_status(counsellor, signed_15_march, gpmi_trajectory):
    services.gpmi_create(
        actor=counsellor,
        trajectory=gpmi_trajectory,
        type=GpmiType.EXEMPTION,
        exemption_reason="Gezondheid",
    )
    assert selectors.gpmi_list(user=counsellor).count() == 2
    assert selectors.gpmi_list(user=counsellor, type=GpmiType.EXEMPTION).count() == 1
    assert selectors.gpmi_list(user=counsellor, status="active").count() == 1
    assert selectors.gpmi_list(user=counsellor, status="none").get().is_exemption
    assert not selectors.gpmi_list(user=counsellor, status="draft").exists()


# --- the evaluation rule ----------------------------------------------------------------------


def evaluate(counsellor, trajectory, day: datetime.date, in_person: bool = True):
    return trajecten_services.evaluation_record(
        actor=counsellor,
        trajectory=trajectory,
        data={"date": day, "in_person": in_person, "conclusion": "Evaluatie"},
    )


def check(gpmi, today: datetime.date) -> selectors.Compliance:
    with at(today.year, today.month, today.day):
        return selectors.compliance(gpmi, today)


@pytest.fixture
def running(gpmi_signed):
    """Contract year 01/03/2026–28/02/2027, law minimum 3 evaluations, 2 in person."""
    return gpmi_signed.gpmi


def test_on_schedule_with_one_evaluation_after_four_and_a_half_months(
    counsellor, running, gpmi_trajectory
):
    with at(2026, 7, 15):
        evaluate(counsellor, gpmi_trajectory, D(2026, 5, 1))
    result = check(running, D(2026, 7, 15))
    assert result.status == "ok"
    assert (result.required, result.required_in_person) == (3, 2)
    assert (result.period_start, result.period_end) == (D(2026, 3, 1), D(2027, 2, 28))
    assert (result.in_period, result.missing) == (1, 2)
    assert result.text == "1 of 3 evaluations in the last 12 months, 1 in person"
    assert not result.is_red


def test_behind_without_an_evaluation_after_four_and_a_half_months(running):
    result = check(running, D(2026, 7, 15))
    assert result.status == "behind"
    assert (result.missing, result.days_left_in_period) == (3, 228)
    assert result.text == "0 of 3 evaluations in the last 12 months, 0 in person"


def test_cannot_be_met_when_the_missing_evaluations_no_longer_fit(
    counsellor, running, gpmi_trajectory
):
    # 39 days left (21/01 → 28/02): room for 2 more at one per 30 days, 3 are missing.
    result = check(running, D(2027, 1, 20))
    assert result.days_left_in_period == 39
    assert (result.status, result.missing) == ("cannot_be_met", 3)
    assert result.is_red
    # One evaluation more and the remaining two still fit: behind, not red.
    with at(2027, 1, 20):
        evaluate(counsellor, gpmi_trajectory, D(2027, 1, 20))
    assert check(running, D(2027, 1, 20)).status == "behind"


def test_in_person_evaluations_are_counted_separately(counsellor, running, gpmi_trajectory):
    with at(2027, 2, 10):
        for day in (D(2026, 5, 1), D(2026, 9, 1), D(2027, 1, 5)):
            evaluate(counsellor, gpmi_trajectory, day, in_person=False)
    # Three evaluations, none in person; 18 days left: room for one, two in person missing.
    result = check(running, D(2027, 2, 10))
    assert (result.last_12_months, result.last_12_months_in_person) == (3, 0)
    assert (result.status, result.missing) == ("cannot_be_met", 2)
    assert result.text == "3 of 3 evaluations in the last 12 months, 0 in person"
    with at(2027, 2, 10):
        evaluate(counsellor, gpmi_trajectory, D(2027, 2, 10), in_person=True)
    # The second in-person one is due by the end of the year (one every 6 months): it
    # still fits, and the pro-rata schedule does not ask it yet.
    result = check(running, D(2027, 2, 10))
    assert (result.status, result.missing) == ("ok", 1)


def test_the_rule_met_in_full(counsellor, running, gpmi_trajectory):
    with at(2027, 2, 1):
        evaluate(counsellor, gpmi_trajectory, D(2026, 5, 1))
        evaluate(counsellor, gpmi_trajectory, D(2026, 9, 1), in_person=False)
        evaluate(counsellor, gpmi_trajectory, D(2027, 1, 5))
    result = check(running, D(2027, 2, 1))
    assert (result.status, result.missing) == ("ok", 0)
    assert result.text == "3 of 3 evaluations in the last 12 months, 2 in person"


def test_a_new_contract_year_starts_counting_again(counsellor, running, gpmi_trajectory):
    with at(2027, 3, 10):
        for day in (D(2026, 5, 1), D(2026, 9, 1), D(2027, 1, 5)):
            evaluate(counsellor, gpmi_trajectory, day)
        # Older than 12 months: counts for nothing.
        evaluate(counsellor, gpmi_trajectory, D(2026, 3, 5))
    result = check(running, D(2027, 3, 10))
    assert (result.period_start, result.period_end) == (D(2027, 3, 1), D(2028, 2, 29))
    assert (result.in_period, result.last_12_months) == (0, 3)
    assert result.status == "ok"  # nine days into the year, nothing is due yet


def test_a_contract_may_ask_for_more_evaluations(
    counsellor, gpmi_contract, gpmi_needs_analysis, gpmi_sign
):
    version = services.version_create(
        actor=counsellor,
        gpmi=gpmi_contract,
        data=gpmi_version_data(evaluations_per_year=6, evaluations_in_person=4),
    )
    with at(2026, 3, 10):
        services.version_present(actor=counsellor, version=version, on=D(2026, 3, 2))
        gpmi_sign(version, D(2026, 3, 9))
    result = check(gpmi_contract, D(2026, 5, 15))
    assert (result.required, result.required_in_person) == (6, 4)
    assert result.status == "behind"  # one every two months: one is due by mid-May
    assert result.text == "0 of 6 evaluations in the last 12 months, 0 in person"


def test_the_rule_does_not_apply_without_a_running_contract(gpmi_draft):
    result = selectors.compliance(gpmi_draft.gpmi, D(2026, 7, 1))
    assert result.status == "not_applicable"
    assert not result.applies
    assert (result.required, result.required_in_person) == (3, 2)


def test_compliance_of_many_gpmis_takes_one_query(
    counsellor, running, gpmi_trajectory, django_assert_num_queries
):
    other = services.gpmi_create(
        actor=counsellor,
        trajectory=gpmi_trajectory,
        type=GpmiType.EXEMPTION,
        exemption_reason="Gezondheid",
    )
    with django_assert_num_queries(1):
        results = selectors.compliance_for_many([running, other], D(2026, 7, 15))
    assert results[running.pk].status == "behind"
    assert results[other.pk].status == "not_applicable"
    with django_assert_num_queries(0):
        assert selectors.compliance_for_many([], D(2026, 7, 15)) == {}
