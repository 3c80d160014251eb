"""Golden test: the demo's FY2025 Q1–Q3 report is the seed report, row by row, in JSON, Excel and PDF.

`golden/fy2025_q1_q3.json` holds the seed report's header and the rows of sections 1–5
(label path, then the numbers in column order), transcribed from the office's real report.
"""

import json
import re
import subprocess
from pathlib import Path

import pytest

from accounts.models import Office
from coordination.fiscal import FiscalPeriod
from reporting.quarterly import build_quarterly_report
from reporting.render import FORMATS
from reporting.render.json import report_to_dict

from .test_xlsx import column_a, counted_table, recalculated

pytestmark = pytest.mark.django_db
GOLDEN = json.loads((Path(__file__).parent / "golden" / "fy2025_q1_q3.json").read_text(encoding="utf-8"))
SECTIONS = ["1", "2", "3", "4", "5"]
DEMO_OFFICE = "北区医療的ケア児等コーディネーター事業"


@pytest.fixture
def report(demo_office):
    return build_quarterly_report(demo_office, FiscalPeriod(2025, 1, 3))


@pytest.fixture(scope="module")
def pdf_lines(django_db_setup, django_db_blocker, tmp_path_factory) -> list[str]:
    """The demo report's PDF as pdftotext's lines, rendered once for the module."""
    with django_db_blocker.unblock():
        report = build_quarterly_report(Office.objects.get(name=DEMO_OFFICE), FiscalPeriod(2025, 1, 3))
    pdf = tmp_path_factory.mktemp("golden") / "report.pdf"
    pdf.write_bytes(FORMATS["pdf"].render(report))
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.splitlines()


def golden_rows(number: str) -> list[tuple[tuple[str, ...], list[int]]]:
    return [(tuple(row[0]), row[1:]) for row in GOLDEN["sections"][number]]


def test_the_json_is_the_seed_row_by_row(report):
    data = report_to_dict(report)
    assert data["business_days"] == GOLDEN["header"]["business_days"] == 104
    assert (
        [data["out_of_hours"]["count"], data["out_of_hours"]["total"]] == GOLDEN["header"]["out_of_hours"] == [123, 459]
    )
    for section in data["sections"][:5]:
        keys = list(section["total"])
        rows = [(tuple(row["path"]), [row[key] for key in keys]) for row in section["rows"]]
        assert rows == golden_rows(str(section["number"]))


def test_the_excel_is_the_seed_row_by_row(report):
    """Read as LibreOffice opens the file: the totals are formulas it calculates."""
    workbook = recalculated(FORMATS["xlsx"].render(report))
    assert "104 営業日" in column_a(workbook) and "時間外の活動：123回 / 459回" in column_a(workbook)
    for number in SECTIONS:
        rows, total = counted_table(workbook, int(number))
        width = len(golden_rows(number)[0][1])
        assert [(path, cells[:width]) for path, cells in rows.items()] == golden_rows(number)
        assert total[:width] == [sum(column) for column in zip(*(numbers for _, numbers in golden_rows(number)))]
    assert [counted_table(workbook, number)[1][0] for number in (3, 4, 5)] == [434, 431, 463]


def test_the_pdf_text_is_the_seed_row_by_row(pdf_lines):
    lines = pdf_lines
    assert any("104 営業日" in line for line in lines) and any("123回 / 459回" in line for line in lines)
    position = 0
    for number in SECTIONS:
        # Rows in report order: each leaf label followed on its line by its numbers (a long label
        # wraps in its cell, so only its start is on the numbers' line).
        for path, numbers in golden_rows(number):
            label = re.escape(path[-1][:6])
            pattern = re.compile(label + r"\S*(?: \S+){0,3}\s+" + r"\s+".join(map(str, numbers)) + r"(\s|$)")
            found = next((i for i in range(position, len(lines)) if pattern.search(lines[i])), None)
            assert found is not None, (number, path, numbers)
            position = found + 1


def test_the_pdfs_section_6_is_the_seeds_one_table_with_the_outreach_in_the_ward_first(pdf_lines):
    start = next(i for i, line in enumerate(pdf_lines) if "6. ネットワーク構築" in line)
    end = next(i for i, line in enumerate(pdf_lines) if "7. 人材育成" in line)
    lines = pdf_lines[start:end]
    headings = [i for i, line in enumerate(lines) if re.match(r"^\s*(周知活動等|会議参加)\s+(実施機関|会議名)", line)]
    assert [lines[i].split()[0] for i in headings[:2]] == ["周知活動等", "会議参加"]
    outreach = lines[headings[0] + 1 : headings[1]]
    # The seed's rows: 区内 (ぴーす, ピアネット北) then 区外, each scope printed once for its rows.
    dates = [date for line in outreach for date in re.findall(r"\d+月\d+日", line)]
    assert dates == ["4月14日", "4月14日", "4月4日", "4月4日", "4月11日"]
    scopes = [word for line in outreach for word in line.split() if word in ("区内", "区外")]
    assert scopes == ["区内", "区外"]
