"""The national register number (INSZ/NISS) and bis numbers.

python-stdnum does the arithmetic (check digits, the 2000+ rule, bis months);
this module turns its answers into the messages and facts the forms need.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.be import bis, nn
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

MALE = "M"
FEMALE = "F"


def compact(value: str) -> str:
    """Strip dots, dashes, slashes and spaces: ``85.07.30-033.28`` → ``85073003328``."""
    return re.sub(r"[\s./-]", "", value or "")


def looks_like_insz(query: str) -> bool:
    """A search term that is mostly digits is an INSZ fragment, not a name."""
    digits = compact(query)
    return len(digits) >= 6 and digits.isdigit()


def _module_for(number: str):
    month = int(number[2:4]) if len(number) >= 4 and number[:4].isdigit() else 0
    return bis if month >= 20 else nn


def validate(value: str) -> str:
    """Return the compact INSZ or raise a ValidationError with a clear message."""
    number = compact(value)
    if not number:
        raise ValidationError(_("Enter the national register number."), code="required")
    if not number.isdigit():
        raise ValidationError(
            _("A national register number contains only digits (e.g. 85.07.30-033.28)."),
            code="format",
        )
    if len(number) != 11:
        raise ValidationError(
            _("A national register number has 11 digits; this one has %(count)d.")
            % {"count": len(number)},
            code="length",
        )
    module = _module_for(number)
    try:
        return module.validate(number)
    except InvalidChecksum:
        raise ValidationError(
            _("The check digits do not match: please check the number for a typo."),
            code="checksum",
        )
    except (InvalidComponent, InvalidFormat, InvalidLength):
        raise ValidationError(_("The first six digits are not a possible birth date."), code="date")


def format_insz(value: str) -> str:
    """``85073003328`` → ``85.07.30-033.28``; anything else is returned unchanged."""
    number = compact(value)
    if len(number) != 11 or not number.isdigit():
        return value or ""
    return f"{number[0:2]}.{number[2:4]}.{number[4:6]}-{number[6:9]}.{number[9:11]}"


def birth_date(value: str) -> datetime.date | None:
    """The birth date encoded in a valid number (None when only partly known)."""
    number = compact(value)
    return _module_for(number).get_birth_date(number)


def gender(value: str) -> str | None:
    """'M' or 'F' from the serial number; None for a bis number without gender."""
    number = compact(value)
    return _module_for(number).get_gender(number)


def is_bis(value: str) -> bool:
    return _module_for(compact(value)) is bis


def build(born: datetime.date, serial: int, *, bis_offset: int = 0) -> str:
    """A valid number for a birth date and serial (odd = male), for demo and test data."""
    month = born.month + bis_offset
    base = f"{born:%y}{month:02d}{born:%d}{serial:03d}"
    prefix = "2" if born.year >= 2000 else ""
    check = 97 - int(prefix + base) % 97
    return f"{base}{check:02d}"
