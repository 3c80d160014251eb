"""No client name, family name, birth date, address, phone or confidential note in any report output."""

import io
import subprocess

import pytest
from openpyxl import load_workbook

from coordination.clients.models import Client, Guardian
from coordination.fiscal import FiscalPeriod
from coordination.logs.models import ContactLog
from reporting.quarterly import build_quarterly_report
from reporting.render import FORMATS

pytestmark = pytest.mark.django_db
PERIOD = FiscalPeriod(2025, 1, 3)


def as_text(identifier: str, content: bytes, tmp_path) -> str:
    if identifier == "xlsx":
        workbook = load_workbook(io.BytesIO(content))
        return "\n".join(
            str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value
        )
    if identifier == "pdf":
        path = tmp_path / "report.pdf"
        path.write_bytes(content)
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return content.decode("utf-8")


def personal_data(office) -> list[str]:
    """Every name, phone, note and birth date the demo office holds about people."""
    values = []
    for client in Client.objects.filter(office=office):
        values += [client.name, client.name_kana, client.name.split()[-1], client.notes]
        if client.birth_date:
            birth = client.birth_date
            values += [
                f"{birth.year}年{birth.month}月{birth.day}日",
                birth.isoformat(),
                f"{birth.year}/{birth.month}/{birth.day}",
            ]
    for guardian in Guardian.objects.filter(client__office=office):
        values += [guardian.name, guardian.phone, guardian.email]
    values += list(ContactLog.objects.for_office(office).values_list("confidential_notes", flat=True))
    # The period's own dates are in every report; a birth date equal to one of them tells nothing.
    period_dates = {PERIOD.start.isoformat(), PERIOD.end.isoformat(), "2025年4月1日", "2025年12月31日"}
    return [value for value in set(values) if value and len(value) > 1 and value not in period_dates]


@pytest.fixture
def planted(demo_office):
    """A client with unmistakable details, a guardian, and a log in the period with a secret note."""
    log = ContactLog.objects.for_office(demo_office).filter(occurred_on__month=7).first()
    client = log.client or Client.objects.filter(office=demo_office).first()
    client.name, client.name_kana, client.notes = "鷹司 𠮷乃", "タカツカサ ヨシノ", "父は区内の会社に勤務（秘匿）"
    client.save()
    Guardian.objects.create(
        client=client, name="鷹司 美和子", relationship="母", phone="03-5555-0199", email="miwako@example.jp"
    )
    log.client = client
    log.confidential_notes = "母の持病について相談あり（要配慮・外部に出さない）"
    log.include_in_report, log.report_summary = True, "保護者から在宅生活の相談"
    log.save()
    return client


@pytest.mark.parametrize("identifier", list(FORMATS))
def test_no_personal_data_in_any_output(demo_office, planted, tmp_path, identifier):
    report = build_quarterly_report(demo_office, PERIOD)
    text = as_text(identifier, FORMATS[identifier].render(report), tmp_path)
    assert "業務報告書" in text  # the output was read, not an empty string
    secrets = personal_data(demo_office)
    assert "鷹司 𠮷乃" in secrets and "03-5555-0199" in secrets and len(secrets) > 100
    leaked = [value for value in secrets if value in text]
    assert leaked == []
