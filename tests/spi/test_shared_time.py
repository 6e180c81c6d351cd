"""Group-session time is shared by the participants present (``Contact.shared_with``),
and the notes of excused or absent participants are not staff time.

A 150-minute job table of ``counsellor`` on 28/04/2026 (clock: 04/05/2026).
"""

from __future__ import annotations

import pytest
from django.db.models import F, FloatField, Sum
from django.db.models.functions import Cast

from spi import services
from spi.models import Attendance
from tests.factories import ClientFactory
from trajecten.models import Contact
from trajecten.report import staff_time_contacts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock", "english")]


@pytest.fixture
def four(counsellor, spi_case):
    """``spi_case`` and three more clients of ``counsellor``."""
    return [spi_case] + [ClientFactory(responsible_social_worker=counsellor) for _n in range(3)]


def shares(session) -> dict[int, tuple[int, int]]:
    """``{client id: (duration_minutes, shared_with)}`` of each participant's contact."""
    rows = Attendance.objects.filter(session=session, contact__isnull=False)
    return {
        row.client_id: (row.contact.duration_minutes, row.contact.shared_with)
        for row in rows.select_related("contact")
    }


def staff_minutes(staff) -> float:
    """The staff time the staff time report reads: duration / shared_with, summed."""
    total = (
        staff_time_contacts()
        .filter(staff=staff)
        .aggregate(m=Sum(Cast(F("duration_minutes"), FloatField()) / F("shared_with")))["m"]
    )
    return round(total or 0, 6)


def test_every_present_participant_shares_the_session_with_the_others_present(
    counsellor, four, session_with
):
    session = session_with(four, minutes=150)

    services.attendance_record(
        actor=counsellor, session=session, statuses={c.pk: "present" for c in four}
    )

    assert shares(session) == {c.pk: (150, 4) for c in four}
    assert staff_minutes(counsellor) == 150


def test_absent_and_excused_keep_one_and_do_not_count_as_staff_time(counsellor, four, session_with):
    session = session_with(four, minutes=150)
    a, b, c, d = four

    services.attendance_record(
        actor=counsellor,
        session=session,
        statuses={a.pk: "present", b.pk: "present", c.pk: "excused", d.pk: "absent"},
    )

    assert shares(session) == {a.pk: (150, 2), b.pk: (150, 2), c.pk: (1, 1), d.pk: (1, 1)}
    # 150 minutes for the facilitator: the two one-minute notes are not staff time.
    assert staff_minutes(counsellor) == 150
    assert Contact.objects.filter(staff=counsellor).count() == 4
    assert staff_time_contacts().filter(staff=counsellor).count() == 2


def test_a_later_correction_updates_the_contacts_of_everyone_present(
    counsellor, teamlead, four, session_with
):
    session = session_with(four, minutes=120)
    a, b, c, d = four
    services.attendance_record(
        actor=counsellor, session=session, statuses={a.pk: "present", b.pk: "present"}
    )
    assert shares(session) == {a.pk: (120, 2), b.pk: (120, 2)}

    # Two more turn out to have been there: the first two now share with four.
    services.attendance_record(
        actor=counsellor, session=session, statuses={c.pk: "present", d.pk: "present"}
    )
    assert shares(session) == {x.pk: (120, 4) for x in four}
    assert staff_minutes(counsellor) == 120

    # And one of them was not there after all: the three others share with three.
    services.attendance_record(actor=teamlead, session=session, statuses={b.pk: "absent"})
    assert shares(session) == {a.pk: (120, 3), b.pk: (1, 1), c.pk: (120, 3), d.pk: (120, 3)}
    assert staff_minutes(counsellor) == 120

    # Back to present: every present contact is shared by four again.
    services.attendance_record(actor=counsellor, session=session, statuses={b.pk: "present"})
    assert shares(session) == {x.pk: (120, 4) for x in four}


def test_sessions_do_not_share_with_each_other(counsellor, four, session_with):
    first = session_with(four[:2], minutes=60)
    second = session_with(four, minutes=90)

    services.attendance_record(
        actor=counsellor, session=first, statuses={c.pk: "present" for c in four[:2]}
    )
    services.attendance_record(
        actor=counsellor, session=second, statuses={c.pk: "present" for c in four[:3]}
    )

    assert set(shares(first).values()) == {(60, 2)}
    assert set(shares(second).values()) == {(90, 3)}
    assert staff_minutes(counsellor) == 150


def test_a_refused_attendance_changes_no_share(counsellor, four, session_with):
    from django.core.exceptions import ValidationError

    session = session_with(four[:2], minutes=60)
    services.attendance_record(
        actor=counsellor, session=session, statuses={c.pk: "present" for c in four[:2]}
    )
    stranger = ClientFactory(responsible_social_worker=counsellor)

    with pytest.raises(ValidationError):
        services.attendance_record(
            actor=counsellor,
            session=session,
            statuses={four[0].pk: "absent", stranger.pk: "present"},
        )

    assert shares(session) == {c.pk: (60, 2) for c in four[:2]}
