from datetime import date

import pytest

from tabular.wareki import era_year, era_year_of_calendar_year, format_date, format_wareki


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2020, 1, 1), "令和2年1月1日"),
        (date(2025, 4, 1), "令和7年4月1日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(1926, 12, 25), "昭和元年12月25日"),
        (date(1912, 7, 30), "大正元年7月30日"),
    ],
)
def test_the_era_is_computed_from_the_date(day, label):
    assert format_wareki(day) == label


def test_the_first_year_of_an_era_is_gannen():
    assert str(era_year(date(2019, 12, 31))) == "令和元年"


def test_a_year_takes_the_era_in_effect_by_its_end():
    assert str(era_year_of_calendar_year(2019)) == "令和元年"
    assert str(era_year_of_calendar_year(1988)) == "昭和63年"
    assert str(era_year_of_calendar_year(2025)) == "令和7年"


def test_a_later_era_would_follow_from_the_table_not_from_hard_coding():
    assert era_year(date(2040, 4, 1)).era.name == "令和"
    assert era_year(date(2040, 4, 1)).year == 22


def test_the_western_form_for_the_reports_title():
    assert format_date(date(2025, 12, 31)) == "2025年12月31日"
