"""The team overview counts GPMIs past their legal deadline with a plain comparison
on the decision date (``decided_before``) instead of month arithmetic per row; it
must draw the line exactly where the deadline rule does, month ends and leap
years included."""

from __future__ import annotations

import datetime

from gpmi.figures import decided_before
from gpmi.models import legal_deadline_for

DAY = datetime.timedelta(days=1)


def test_decided_before_splits_the_decisions_exactly_where_the_deadline_passes():
    today = datetime.date(2027, 1, 1)
    while today <= datetime.date(2029, 3, 31):
        cutoff = decided_before(today)
        for offset in range(80, 100):
            decision = today - offset * DAY
            assert (legal_deadline_for(decision) < today) == (decision < cutoff), (today, decision)
        today += DAY


def test_examples():
    # 23/08 + 3 months = 23/11: due today, not past; the day before is.
    assert decided_before(datetime.date(2026, 11, 23)) == datetime.date(2026, 8, 23)
    # 30/11 and 01/12 have their deadline on 28/02 and 01/03: on 01/03/2027 every
    # decision up to 30/11/2026 is past.
    assert decided_before(datetime.date(2027, 3, 1)) == datetime.date(2026, 12, 1)
    # In a leap year 29/11 → 29/02, 30/11 → 29/02.
    assert decided_before(datetime.date(2028, 2, 29)) == datetime.date(2027, 11, 29)
