from coordination.fiscal import FiscalPeriod
from reporting.forms import QUARTER_CHOICES, PeriodForm


def test_every_quarter_choice_of_the_picker_reads_back_as_its_own_value():
    values = [value for value, _ in QUARTER_CHOICES]
    assert [FiscalPeriod.parse_range(2025, value).quarter_range for value in values] == values


def test_the_picked_range_is_the_period_and_the_period_fills_the_picker_again():
    form = PeriodForm({"fiscal_year": "2025", "quarters": "1-3"}, fiscal_years=[2024, 2025])
    assert form.is_valid(), form.errors
    assert form.period == FiscalPeriod(2025, 1, 3)
    assert PeriodForm.initial_for(form.period) == {"fiscal_year": 2025, "quarters": "1-3"}
