"""The national register number (INSZ) and bis numbers, and how a client's
birth date and gender must agree with it."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from ocmw import insz, services
from ocmw.models import Client
from tests.factories import insz_with_check

BORN = datetime.date(1985, 7, 30)
NUMBER = "85073003328"  # 85.07.30-033.28: a man born 30 July 1985


def test_the_example_number_is_built_with_the_right_check_digits():
    assert insz.build(BORN, 33) == NUMBER


@pytest.mark.parametrize(
    "written",
    [
        "85073003328",
        "85.07.30-033.28",
        "85 07 30 033 28",
        "85-07-30-033-28",
        "850730/033.28",
        "  85.07.30-033.28 ",
    ],
)
def test_a_valid_number_is_accepted_in_any_usual_formatting(written):
    assert insz.validate(written) == NUMBER


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("85073003329", "checksum"),  # last check digit off by one
        ("85073003382", "checksum"),  # check digits swapped
        ("85073003428", "checksum"),  # serial typo
        (insz_with_check("851330033"), "date"),  # month 13, check digits right
        (insz_with_check("850030033")[:4] + "99" + "03328", "checksum"),
        ("8507300332", "length"),  # 10 digits
        ("850730033288", "length"),  # 12 digits
        ("85.07.30-033", "length"),
        ("85O73003328", "format"),  # letter O instead of zero
        ("abc", "format"),
        ("", "required"),
        ("  ", "required"),
    ],
)
def test_an_invalid_number_is_rejected_with_the_reason(written, code):
    with pytest.raises(ValidationError) as error:
        insz.validate(written)
    assert error.value.code == code


def test_a_month_13_gives_the_impossible_birth_date_message():
    with pytest.raises(ValidationError) as error:
        insz.validate(insz_with_check("851330033"))
    assert error.value.messages == [gettext("The first six digits are not a possible birth date.")]


def test_a_day_32_with_right_check_digits_is_read_as_an_unknown_birth_day():
    # python-stdnum (which DOMAIN.md says to use) accepts a day beyond the end of
    # the month as "day not known when the number was issued". The number is
    # valid, but it tells no birth date, so the date must be typed in.
    number = insz_with_check("850732033")
    assert insz.validate(number) == number
    assert insz.birth_date(number) is None


def test_a_day_32_with_wrong_check_digits_is_rejected():
    with pytest.raises(ValidationError) as error:
        insz.validate("85073203300")
    assert error.value.code == "checksum"


def test_a_person_born_before_2000_is_checked_without_the_2_prefix():
    number = insz.build(datetime.date(1999, 12, 31), 2)
    assert insz.validate(number) == number
    assert insz.birth_date(number) == datetime.date(1999, 12, 31)
    assert insz.gender(number) == "F"


def test_a_person_born_in_2000_or_later_is_checked_with_the_2_prefix():
    number = insz.build(datetime.date(2003, 2, 14), 41)
    assert insz.validate(number) == number
    assert insz.birth_date(number) == datetime.date(2003, 2, 14)
    assert insz.gender(number) == "M"


def test_the_same_nine_digits_with_old_check_digits_belong_to_someone_born_a_century_earlier():
    number = insz_with_check("030214041")
    assert number != insz.build(datetime.date(2003, 2, 14), 41)
    assert insz.birth_date(number) == datetime.date(1903, 2, 14)


@time_machine.travel(datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_a_number_of_someone_born_last_year_is_valid():
    number = insz.build(datetime.date(2025, 5, 20), 11)
    assert insz.validate(number) == number
    assert insz.birth_date(number) == datetime.date(2025, 5, 20)


@time_machine.travel(datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_a_2000s_number_of_someone_born_next_year_is_not_valid_yet():
    # The "2" prefix is only tried for years that are not in the future.
    number = insz.build(datetime.date(2027, 3, 1), 11)
    with pytest.raises(ValidationError) as error:
        insz.validate(number)
    assert error.value.code == "checksum"
    with time_machine.travel(datetime.datetime(2027, 3, 2, tzinfo=datetime.UTC), tick=False):
        assert insz.validate(number) == number


def test_a_bis_number_with_month_plus_20_has_no_gender():
    number = insz.build(BORN, 33, bis_offset=20)
    assert number[2:4] == "27"
    assert insz.validate(number) == number
    assert insz.is_bis(number)
    assert insz.birth_date(number) == BORN
    assert insz.gender(number) is None


def test_a_bis_number_with_month_plus_40_has_a_gender():
    male = insz.build(BORN, 33, bis_offset=40)
    female = insz.build(BORN, 34, bis_offset=40)
    assert male[2:4] == "47"
    assert insz.validate(male) == male
    assert insz.is_bis(male)
    assert insz.birth_date(male) == BORN
    assert insz.gender(male) == "M"
    assert insz.gender(female) == "F"


def test_a_bis_number_with_an_impossible_month_is_rejected():
    with pytest.raises(ValidationError) as error:
        insz.validate(insz_with_check("853330033"))  # 33 = 20 + 13
    assert error.value.code == "date"


def test_an_ordinary_number_is_not_a_bis_number():
    assert not insz.is_bis(NUMBER)


def test_a_number_is_shown_with_dots_and_a_dash():
    assert insz.format_insz("85073003328") == "85.07.30-033.28"
    assert insz.format_insz("85 07 30 033 28") == "85.07.30-033.28"
    assert insz.format_insz("12345") == "12345"


def test_looks_like_insz_tells_numbers_from_names():
    assert insz.looks_like_insz("85.07.30")
    assert insz.looks_like_insz("85 07 30-033")
    assert not insz.looks_like_insz("8507")
    assert not insz.looks_like_insz("Peeters")


# --- the client's birth date and gender must agree with the number ---------------


def _client(ocmw, **changes) -> Client:
    fields = {
        "ocmw": ocmw,
        "insz": "85.07.30-033.28",
        "first_name": "Mohamed",
        "last_name": "Elidrissi",
        "birth_date": BORN,
        "gender": "M",
    }
    fields.update(changes)
    return Client(**fields)


@pytest.mark.django_db
def test_a_client_whose_data_agrees_with_the_number_is_valid_and_stored_compact(ocmw):
    client = _client(ocmw)
    client.full_clean()
    assert client.insz == NUMBER


@pytest.mark.django_db
def test_birth_date_and_gender_are_taken_from_the_number_when_left_empty(ocmw):
    client = _client(ocmw, birth_date=None, gender="")
    client.full_clean()
    assert client.birth_date == BORN
    assert client.gender == "M"


@pytest.mark.django_db
def test_a_birth_date_contradicting_the_number_is_rejected_by_full_clean(ocmw):
    client = _client(ocmw, birth_date=datetime.date(1985, 7, 31))
    with pytest.raises(ValidationError) as error:
        client.full_clean()
    assert "birth_date" in error.value.message_dict
    assert "30/07/1985" in error.value.message_dict["birth_date"][0]


@pytest.mark.django_db
def test_a_gender_contradicting_the_number_is_rejected_by_full_clean(ocmw):
    client = _client(ocmw, gender="F")
    with pytest.raises(ValidationError) as error:
        client.full_clean()
    assert set(error.value.message_dict) == {"gender"}


@pytest.mark.django_db
def test_any_gender_fits_a_bis_number_without_gender(ocmw):
    client = _client(ocmw, insz=insz.build(BORN, 33, bis_offset=20), gender="F")
    client.full_clean()
    assert client.gender == "F"


@pytest.mark.django_db
def test_an_invalid_number_is_a_field_error_of_full_clean(ocmw):
    client = _client(ocmw, insz="85073003329")
    with pytest.raises(ValidationError) as error:
        client.full_clean()
    assert error.value.message_dict["insz"] == [
        gettext("The check digits do not match: please check the number for a typo.")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"birth_date": datetime.date(1958, 7, 30)}, "birth_date"),
        ({"gender": "F"}, "gender"),
        ({"insz": "85.07.30-033.29"}, "insz"),
    ],
)
def test_the_register_service_refuses_data_contradicting_the_number_and_saves_nothing(
    intake, changes, field
):
    data = {
        "insz": NUMBER,
        "first_name": "Mohamed",
        "last_name": "Elidrissi",
        "birth_date": BORN,
        "gender": "M",
        **changes,
    }
    with pytest.raises(ValidationError) as error:
        services.client_register(actor=intake, data=data)
    assert field in error.value.message_dict
    assert not Client.objects.exists()


@pytest.mark.django_db
def test_the_register_service_saves_a_bis_number_client_with_the_birth_date_it_encodes(intake):
    number = insz.build(BORN, 34, bis_offset=40)
    client = services.client_register(
        actor=intake,
        data={"insz": insz.format_insz(number), "first_name": "Ana", "last_name": "Popescu"},
    )
    client.refresh_from_db()
    assert client.insz == number
    assert client.birth_date == BORN
    assert client.gender == "F"
