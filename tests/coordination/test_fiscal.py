from datetime import date

import pytest

from coordination.fiscal import FiscalPeriod, fiscal_year_label, fiscal_year_of, quarter_of


@pytest.mark.parametrize(
    ("day", "fiscal_year", "quarter"),
    [
        (date(2025, 4, 1), 2025, 1),
        (date(2025, 6, 30), 2025, 1),
        (date(2025, 7, 1), 2025, 2),
        (date(2025, 12, 31), 2025, 3),
        (date(2026, 1, 1), 2025, 4),
        (date(2026, 3, 31), 2025, 4),
        (date(2026, 4, 1), 2026, 1),
    ],
)
def test_a_day_belongs_to_a_fiscal_year_and_quarter(day, fiscal_year, quarter):
    assert fiscal_year_of(day) == fiscal_year
    assert quarter_of(day) == quarter


def test_the_seed_reports_period():
    period = FiscalPeriod(2025, 1, 3)
    assert (period.start, period.end) == (date(2025, 4, 1), date(2025, 12, 31))
    assert period.label == "令和7年度 第1～3四半期"
    assert period.date_range_label == "2025年4月1日～2025年12月31日"
    assert period.file_label == "令和7年度_第1-3四半期"


def test_a_single_quarter_and_the_fourth_quarter_cross_the_calendar_year():
    q4 = FiscalPeriod(2025, 4, 4)
    assert (q4.start, q4.end) == (date(2026, 1, 1), date(2026, 3, 31))
    assert q4.label == "令和7年度 第4四半期"
    assert q4.file_label == "令和7年度_第4四半期"


def test_a_whole_year_ends_on_31_march():
    year = FiscalPeriod(2023)
    assert (year.start, year.end) == (date(2023, 4, 1), date(2024, 3, 31))
    assert date(2024, 2, 29) in year
    assert date(2024, 4, 1) not in year


def test_the_fiscal_year_2019_is_reiwa_gannen():
    assert fiscal_year_label(2019) == "令和元年度"
    assert fiscal_year_label(2018) == "平成30年度"


@pytest.mark.parametrize(("first", "last"), [(0, 1), (2, 1), (1, 5), (3, 2)])
def test_an_impossible_quarter_range_is_refused_in_japanese(first, last):
    with pytest.raises(ValueError, match="四半期の範囲が正しくありません"):
        FiscalPeriod(2025, first, last)


def test_the_quarters_of_a_range_and_the_same_quarters_a_year_earlier():
    period = FiscalPeriod(2025, 1, 3)
    assert [q.label for q in period.single_quarters()] == [
        "令和7年度 第1四半期",
        "令和7年度 第2四半期",
        "令和7年度 第3四半期",
    ]
    assert period.previous_year() == FiscalPeriod(2024, 1, 3)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 1, 15), FiscalPeriod(2025, 1, 3)),
        (date(2025, 7, 1), FiscalPeriod(2025, 1, 1)),
        (date(2025, 5, 1), FiscalPeriod(2024, 1, 4)),
        (date(2026, 11, 21), FiscalPeriod(2026, 1, 2)),
    ],
)
def test_the_default_report_runs_to_the_last_finished_quarter(today, expected):
    assert FiscalPeriod.finished_by(today) == expected


@pytest.mark.parametrize(
    ("quarters", "first", "last", "label"),
    [("2", 2, 2, "第2四半期"), ("1-3", 1, 3, "第1～3四半期"), ("1-4", 1, 4, "第1～4四半期"), ("4", 4, 4, "第4四半期")],
)
def test_a_quarter_range_as_urls_write_it_reads_back_as_written(quarters, first, last, label):
    period = FiscalPeriod.parse_range(2025, quarters)
    assert (period.fiscal_year, period.first_quarter, period.last_quarter) == (2025, first, last)
    assert period.quarter_label == label
    assert period.quarter_range == quarters


@pytest.mark.parametrize("quarters", ["", "5", "1-5", "0-2", "1–3", "1~3", "q1", "1-", "-3", " 1-3"])
def test_a_quarter_range_in_another_form_is_refused_in_japanese(quarters):
    with pytest.raises(ValueError, match="四半期は 2 や 1-3 の形で指定してください"):
        FiscalPeriod.parse_range(2025, quarters)


def test_a_backwards_quarter_range_is_refused_in_japanese():
    with pytest.raises(ValueError, match="四半期の範囲が正しくありません"):
        FiscalPeriod.parse_range(2025, "3-1")
