import json
import subprocess

import pytest
from django.core.management import CommandError, call_command

from coordination.fiscal import FiscalPeriod
from reporting.quarterly import build_quarterly_report
from reporting.render.json import report_to_dict

pytestmark = pytest.mark.django_db


def test_the_json_has_the_documented_shape(demo_office):
    data = report_to_dict(build_quarterly_report(demo_office, FiscalPeriod(2025, 1, 3)))
    assert data["period"] == {"fiscal_year": 2025, "quarters": [1, 3], "start": "2025-04-01", "end": "2025-12-31"}
    assert data["business_days"] == 104
    assert data["out_of_hours"] == {"count": 123, "total": 459}
    section_1 = data["sections"][0]
    assert section_1["headings"] == ["相談対象 (実人数)", "相談数 (延べ件数)", "医ケア 有", "医ケア 無"]
    assert "text_heading" not in section_1
    assert section_1["rows"][1] == {
        "path": ["就学児", "小学生"],
        "key": "elementary",
        "clients": 3,
        "contacts": 33,
        "with_care": 2,
        "without_care": 1,
    }
    assert section_1["total"]["contacts"] == 282
    section_3 = data["sections"][2]
    assert section_3["rows"][2]["path"] == ["当事者", "親", "母"]
    assert section_3["rows"][2]["count"] == 124 and "text" in section_3["rows"][2]
    assert (section_3["headings"], section_3["text_heading"]) == (["件数"], "相手先や主な内容")
    assert data["sections"][1]["headings"] == ["実人数"]
    assert [s["number"] for s in data["sections"]] == [1, 2, 3, 4, 5, 6, 7, 8]


def test_the_command_writes_the_same_json(demo_office, tmp_path):
    output = tmp_path / "report.json"
    call_command(
        "quarterly_report", "--fiscal-year", "2025", "--quarters", "1-3", "--format", "json", "--output", str(output)
    )
    data = json.loads(output.read_text(encoding="utf-8"))
    assert data["title"] == "業務報告書 ( 令和7年度 第1～3四半期：2025年4月1日～2025年12月31日現在 )"
    assert data["sections"][3]["total"] == {"count": 431}


@pytest.mark.parametrize("quarters", ["0", "3-2", "1-5", "Q1"])
def test_a_bad_quarter_range_is_refused_in_japanese(demo_office, tmp_path, quarters):
    with pytest.raises(CommandError, match="四半期"):
        call_command(
            "quarterly_report", "--fiscal-year", "2025", "--quarters", quarters, "--output", str(tmp_path / "x.json")
        )
    assert not (tmp_path / "x.json").exists()


def test_a_report_survives_the_round_trip_through_json(demo_office):
    from reporting.render.json import report_from_dict

    report = build_quarterly_report(demo_office, FiscalPeriod(2025, 1, 3))
    assert report_from_dict(json.loads(json.dumps(report_to_dict(report)))) == report


def test_a_version_stored_without_headings_reads_back_with_the_reports_headings(demo_office):
    from reporting.render.json import report_from_dict

    report = build_quarterly_report(demo_office, FiscalPeriod(2025, 1, 3))
    data = report_to_dict(report)
    for section in data["sections"]:  # as finalized before reports carried their headings
        section.pop("headings", None)
        section.pop("text_heading", None)
    assert report_from_dict(data) == report


def test_the_monthly_chart_data_counts_every_log_of_the_period(demo_office):
    monthly = build_quarterly_report(demo_office, FiscalPeriod(2025, 1, 3)).monthly_methods
    assert monthly.months == ("4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月")
    assert sum(sum(counts) for _, counts in monthly.series) == 431
    assert [label for label, _ in monthly.series][:2] == ["電話", "FAX"]


@pytest.mark.parametrize("format", ["html", "xlsx", "pdf"])
def test_the_command_writes_every_format_under_its_download_name(demo_office, tmp_path, format):
    call_command(
        "quarterly_report", "--fiscal-year", "2025", "--quarters", "1-3", "--format", format, "--output", str(tmp_path)
    )
    written = tmp_path / f"業務報告書_令和7年度_第1-3四半期.{format}"
    assert written.stat().st_size > 1000
    assert written.read_bytes()[:4] == {"html": b"<!do", "xlsx": b"PK\x03\x04", "pdf": b"%PDF"}[format]


def test_the_command_refuses_compare_for_json_in_japanese(demo_office, tmp_path):
    output = tmp_path / "report.json"
    with pytest.raises(CommandError, match="前年同期"):
        call_command(
            "quarterly_report",
            *("--fiscal-year", "2025", "--quarters", "1-3", "--format", "json", "--compare", "--output", str(output)),
        )
    assert not output.exists()


def test_the_command_writes_the_pdf_with_the_prior_period_column(demo_office, tmp_path):
    output = tmp_path / "report.pdf"
    call_command(
        "quarterly_report",
        *("--fiscal-year", "2025", "--quarters", "1-3", "--format", "pdf", "--compare", "--output", str(output)),
    )
    layout = subprocess.run(["pdftotext", "-layout", output, "-"], capture_output=True, text=True, check=True).stdout
    assert "前年同期" in layout
