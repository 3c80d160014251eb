"""The other kinds of report (受付状況, 課題解決状況): their page, downloads in every format, the prior
year beside the whole fiscal year, and the CLI's --kind."""

import json
import re
from io import BytesIO
from urllib.parse import quote

import pdfplumber
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from coordination.fiscal import FiscalPeriod
from reporting.kinds import KINDS, QUARTERLY
from reporting.render import FORMATS
from reporting.render.html import PRIOR

pytestmark = pytest.mark.django_db
OTHER_KINDS = [kind for kind in KINDS.values() if kind.identifier != QUARTERLY]
YEAR = "fiscal_year=2025&quarters=1-4"


def xlsx_texts(content: bytes) -> list[str]:
    workbook = load_workbook(BytesIO(content))
    return [str(cell.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row if cell.value]


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode()))


def test_there_are_the_centre_and_the_council_reports_beside_the_quarterly_one():
    assert {kind.title for kind in KINDS.values()} == {"業務報告書", "受付状況", "課題解決状況"}


@pytest.mark.parametrize("kind", OTHER_KINDS, ids=lambda kind: kind.identifier)
def test_the_page_shows_the_report_with_tabs_and_a_download_per_format(client, supervisor, kind):
    client.force_login(supervisor)
    response = client.get(f"{reverse('reporting:kind', args=[kind.identifier])}?{YEAR}")
    assert response.status_code == 200
    text = text_of(response)
    assert f"{kind.title} 令和7年度" in text or kind.title in text
    for title in ("業務報告書", "受付状況", "課題解決状況"):
        assert title in text  # the tabs between the kinds
    page = response.content.decode()
    for format in FORMATS:
        assert reverse("reporting:kind_download", args=[kind.identifier, format]) in page


@pytest.mark.parametrize("kind", OTHER_KINDS, ids=lambda kind: kind.identifier)
def test_every_format_downloads_with_the_kinds_name(client, coordinator, kind):
    client.force_login(coordinator)
    for format in FORMATS.values():
        response = client.get(f"{reverse('reporting:kind_download', args=[kind.identifier, format.identifier])}?{YEAR}")
        assert response.status_code == 200, (format.identifier, response.status_code)
        content = b"".join(response.streaming_content)
        assert quote(f"{kind.title}_令和7年度") in response["Content-Disposition"]
        if format.identifier == "json":
            assert json.loads(content)["kind"] == kind.identifier
        elif format.identifier == "pdf":
            with pdfplumber.open(BytesIO(content)) as pdf:
                assert kind.title in pdf.pages[0].extract_text()
        elif format.identifier == "xlsx":
            assert kind.title in xlsx_texts(content)
        else:
            assert kind.title in content.decode()


@pytest.mark.parametrize("kind", OTHER_KINDS, ids=lambda kind: kind.identifier)
def test_the_whole_year_with_the_prior_year_beside_it(client, supervisor, kind):
    client.force_login(supervisor)
    page = client.get(f"{reverse('reporting:kind', args=[kind.identifier])}?{YEAR}&compare=on")
    assert PRIOR in text_of(page)
    url = reverse("reporting:kind_download", args=[kind.identifier, "xlsx"])
    content = b"".join(client.get(f"{url}?{YEAR}&compare=on").streaming_content)
    assert any(PRIOR in cell for cell in xlsx_texts(content))  # 「前年同期」 or 「前年同期 個別支援」 heads a column
    without = b"".join(client.get(f"{url}?{YEAR}").streaming_content)
    assert not any(PRIOR in cell for cell in xlsx_texts(without))


def test_an_unknown_kind_or_format_is_not_found_and_the_quarterly_report_keeps_its_own_page(client, supervisor):
    client.force_login(supervisor)
    assert client.get(f"{reverse('reporting:kind', args=['nothing'])}?{YEAR}").status_code == 404
    assert client.get(f"{reverse('reporting:kind_download', args=['centre', 'docx'])}?{YEAR}").status_code == 404
    assert client.get(f"{reverse('reporting:kind_download', args=['centre', 'pdf'])}").status_code == 404
    # /reports/quarterly/ is the 業務報告書's own page, with its finalized versions.
    assert reverse("reporting:kind", args=["quarterly"]) == reverse("reporting:quarterly")


def test_ward_staff_may_open_none_of_them(client, ward_staff):
    client.force_login(ward_staff)
    for kind in OTHER_KINDS:
        assert client.get(f"{reverse('reporting:kind', args=[kind.identifier])}?{YEAR}").status_code == 403
        url = reverse("reporting:kind_download", args=[kind.identifier, "json"])
        assert client.get(f"{url}?{YEAR}").status_code == 403


@pytest.mark.parametrize("kind", OTHER_KINDS, ids=lambda kind: kind.identifier)
def test_the_cli_writes_each_kind(demo_office, tmp_path, kind):
    call_command(
        "quarterly_report",
        "--kind",
        kind.identifier,
        "--fiscal-year",
        "2025",
        "--quarters",
        "1-4",
        "--format",
        "json",
        "--office",
        demo_office.name,
        "--output",
        str(tmp_path),
    )
    written = tmp_path / f"{kind.title}_{FiscalPeriod(2025, 1, 4).file_label}.json"
    data = json.loads(written.read_text(encoding="utf-8"))
    assert data["kind"] == kind.identifier and data["period"]["quarters"] == [1, 4]
    with pytest.raises(CommandError, match="確定した版がありません"):
        call_command(
            "quarterly_report",
            *("--kind", kind.identifier, "--fiscal-year", "2025", "--report-version", "1"),
            *("--office", demo_office.name, "--output", str(tmp_path)),
        )
