from datetime import date

import pytest

from lms.people.ages import AGE_BANDS_BY_KEY, age_on, band_for
from lms.people.phone import InvalidPhone, format_phone, normalise_phone


@pytest.mark.parametrize("text", ["0912 345 678", "+84912345678", "84912345678", "0912.345.678",
                                  "(+84) 912-345-678", " 0912345678 "])
def test_written_forms_of_one_number_are_the_same(text):
    assert normalise_phone(text) == "0912345678"


@pytest.mark.parametrize("text", ["", "12345", "0212345678", "091234567", "09123456789",
                                  "+1 912 345 678", "abc0912345678", "849123456789"])
def test_non_mobile_numbers_are_refused(text):
    with pytest.raises(InvalidPhone):
        normalise_phone(text)


def test_format_groups_digits():
    assert format_phone("0912345678") == "0912 345 678"


def test_age_counts_by_birth_year_and_bands_cover_all_ages():
    on = date(2026, 11, 28)
    assert age_on(1966, on) == 60
    assert age_on(None, on) is None
    assert band_for(29).key == "under-30"
    assert band_for(30).key == "30-44"
    assert band_for(59).key == "45-59"
    assert band_for(60).key == "60-plus"
    assert AGE_BANDS_BY_KEY["45-59"].birth_years(on) == (1967, 1981)
    assert AGE_BANDS_BY_KEY["60-plus"].birth_years(on) == (None, 1966)
