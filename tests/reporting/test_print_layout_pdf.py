"""The PDF report's pages: groups kept with their first rows, headings atop every page a table
continues on, no label or 参加者数 broken inside a word (see print_layout)."""

import pytest

from accounts.models import Office
from coordination.fiscal import FiscalPeriod
from reporting.quarterly import build_quarterly_report
from reporting.render import pdf

from .print_layout import layout_problems
from .test_xlsx import DEMO_OFFICE

# The demo quarters the issue was found in: one quarter, three, the whole year.
PERIODS = {"1-1": FiscalPeriod(2025, 1, 1), "1-3": FiscalPeriod(2025, 1, 3), "1-4": FiscalPeriod(2025, 1, 4)}


@pytest.fixture(scope="module")
def reports(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        office = Office.objects.get(name=DEMO_OFFICE)
        return {name: build_quarterly_report(office, period) for name, period in PERIODS.items()}


@pytest.mark.parametrize("period", PERIODS)
def test_the_demo_pdf_has_no_layout_problems(reports, period):
    report = reports[period]
    assert layout_problems(pdf.render(report), report) == []


def test_the_pdf_with_charts_has_no_layout_problems(reports):
    """The charts push every table down the pages: the same rules still hold."""
    report = reports["1-1"]
    assert layout_problems(pdf.render(report, charts=True), report) == []
