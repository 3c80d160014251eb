"""The Excel report as LibreOffice prints it: groups kept with their first rows, headings atop every
page a table continues on, no label or 参加者数 broken inside a word (see print_layout)."""

import pytest

from accounts.models import Office
from coordination.fiscal import FiscalPeriod
from reporting.quarterly import build_quarterly_report
from reporting.render.xlsx import render

from .print_layout import layout_problems
from .test_xlsx import DEMO_OFFICE, libreoffice

# The demo quarters the issue was found in: one quarter, three, the whole year.
PERIODS = {"1-1": FiscalPeriod(2025, 1, 1), "1-3": FiscalPeriod(2025, 1, 3), "1-4": FiscalPeriod(2025, 1, 4)}


@pytest.fixture(scope="module")
def printed(django_db_setup, django_db_blocker, tmp_path_factory):
    """Each period's report and LibreOffice's PDF of its workbook, printed in one LibreOffice run."""
    with django_db_blocker.unblock():
        office = Office.objects.get(name=DEMO_OFFICE)
        reports = {name: build_quarterly_report(office, period) for name, period in PERIODS.items()}
    directory = tmp_path_factory.mktemp("print")
    for name, report in reports.items():
        (directory / f"{name}.xlsx").write_bytes(render(report))
    libreoffice("pdf", directory, *(directory / f"{name}.xlsx" for name in reports))
    return {name: (report, (directory / f"{name}.pdf").read_bytes()) for name, report in reports.items()}


@pytest.mark.parametrize("period", PERIODS)
def test_libreoffice_prints_the_demo_workbook_without_layout_problems(printed, period):
    report, pdf = printed[period]
    assert layout_problems(pdf, report) == []
