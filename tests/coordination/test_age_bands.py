"""Report section 1's age bands: school-year cohorts, fixed at 1 April of the fiscal year."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from coordination.clients.age_bands import AgeBand, age_band, age_on, school_entry_year
from coordination.clients.models import Client

FY = 2025  # bands as of 2025-04-01


@pytest.mark.parametrize(
    ("birth", "entry"),
    [
        (date(2018, 4, 1), 2024),  # born 1 April goes with the earlier grade
        (date(2018, 4, 2), 2025),
        (date(2019, 3, 31), 2025),
        (date(2019, 1, 1), 2025),
        (date(2016, 2, 29), 2022),
    ],
)
def test_school_entry_follows_the_1_april_2_april_boundary(birth, entry):
    assert school_entry_year(birth) == entry


@pytest.mark.parametrize(
    ("birth", "band"),
    [
        (date(2019, 4, 2), AgeBand.PRESCHOOL),  # enters school April 2026
        (date(2019, 4, 1), AgeBand.ELEMENTARY),  # grade 1 in FY2025
        (date(2013, 4, 2), AgeBand.ELEMENTARY),  # grade 6
        (date(2013, 4, 1), AgeBand.JUNIOR_HIGH),  # grade 7
        (date(2010, 4, 2), AgeBand.JUNIOR_HIGH),  # grade 9
        (date(2010, 4, 1), AgeBand.HIGH_SCHOOL),  # grade 10
        (date(2007, 4, 2), AgeBand.HIGH_SCHOOL),  # grade 12, 17 on 1 April
        (date(2007, 4, 1), AgeBand.UP_TO_19),  # turns 18 on 1 April: past grade 12
        (date(2006, 4, 1), AgeBand.UP_TO_19),  # turns 19 on 1 April
        (date(2005, 4, 2), AgeBand.UP_TO_19),  # 19 on 1 April, turns 20 the next day
        (date(2005, 4, 1), AgeBand.AGE_20S),  # turns 20 on 1 April
        (date(1995, 4, 2), AgeBand.AGE_20S),
        (date(1995, 4, 1), AgeBand.AGE_30S),
        (date(1985, 4, 1), AgeBand.AGE_40S),
        (date(1975, 4, 1), AgeBand.AGE_50S),
        (date(1965, 4, 1), AgeBand.AGE_60_64),
        (date(1960, 4, 2), AgeBand.AGE_60_64),
        (date(1960, 4, 1), AgeBand.AGE_65_PLUS),
        (None, AgeBand.UNKNOWN),
    ],
)
def test_band_on_1_april_of_fiscal_2025(birth, band):
    assert age_band(birth, FY) == band


def test_a_29_february_birthday():
    born = date(2012, 2, 29)
    assert age_on(born, date(2025, 2, 28)) == 12
    assert age_on(born, date(2025, 3, 1)) == 13
    assert age_on(born, date(2024, 2, 29)) == 12
    assert school_entry_year(born) == 2018
    assert age_band(born, 2023) == AgeBand.ELEMENTARY  # grade 6
    assert age_band(born, 2024) == AgeBand.JUNIOR_HIGH  # grade 7


def test_the_band_is_the_same_all_fiscal_year_even_after_a_birthday():
    born = date(2007, 6, 15)  # turns 18 in June 2025, still grade 12 all year
    assert age_band(born, 2025) == AgeBand.HIGH_SCHOOL
    assert age_band(born, 2026) == AgeBand.UP_TO_19


def test_the_bands_are_in_the_reports_row_order():
    assert [band.label for band in AgeBand] == [
        "未就学児",
        "小学生",
        "中学生",
        "高校生",
        "19歳以下",
        "20～29歳",
        "30～39歳",
        "40～49歳",
        "50～59歳",
        "60～64歳",
        "65歳以上",
        "不明",
    ]


@pytest.mark.django_db
def test_an_override_with_a_reason_wins_over_the_birth_date(demo_office):
    client = Client(
        office=demo_office,
        name="試験 太郎",
        birth_date=date(2018, 6, 1),
        age_band_override=AgeBand.PRESCHOOL,
        age_band_override_reason="就学猶予",
    )
    client.full_clean()
    assert age_band(client.birth_date, FY) == AgeBand.ELEMENTARY
    assert client.age_band_for(FY) == AgeBand.PRESCHOOL


@pytest.mark.django_db
def test_an_override_without_a_reason_is_refused(demo_office):
    client = Client(office=demo_office, name="試験 花子", age_band_override=AgeBand.HIGH_SCHOOL)
    with pytest.raises(ValidationError) as error:
        client.full_clean()
    assert "理由を入力してください" in str(error.value)
    with pytest.raises(IntegrityError):
        client.save()
