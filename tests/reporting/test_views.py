"""The report page, its downloads, and the supervisor's edit → finalize → new draft workflow."""

import json
import re
from datetime import UTC
from io import BytesIO
from urllib.parse import quote

import pdfplumber
import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Office, User
from coordination.fiscal import FiscalPeriod, fiscal_year_of
from coordination.logs.models import ContactLog, ContactMethod
from reporting.models import ReportVersion

pytestmark = pytest.mark.django_db
PAGE = reverse("reporting:quarterly")
FY2025_Q1_3 = "fiscal_year=2025&quarters=1-3"


def text_of(response) -> str:
    """The page's text as a reader sees it (tags dropped)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode()))


def download(client, format, query=FY2025_Q1_3):
    response = client.get(f"{reverse('reporting:download', args=[format])}?{query}")
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def finalize(client):
    return client.post(f"{reverse('reporting:finalize')}?{FY2025_Q1_3}", follow=True)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in [PAGE, reverse("reporting:download", args=["pdf"]), reverse("reporting:edit_texts")]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_ward_staff_get_403_everywhere(client, ward_staff):
    client.force_login(ward_staff)
    response = client.get(PAGE)
    assert response.status_code == 403 and "このページは表示できません" in response.content.decode()
    assert client.get(f"{reverse('reporting:download', args=['xlsx'])}?{FY2025_Q1_3}").status_code == 403
    assert client.get(f"{reverse('reporting:edit_texts')}?{FY2025_Q1_3}").status_code == 403
    assert client.post(f"{reverse('reporting:finalize')}?{FY2025_Q1_3}").status_code == 403
    assert not ReportVersion.objects.exists()


def test_the_picker_defaults_to_this_year_up_to_the_last_finished_quarter(client, coordinator):
    client.force_login(coordinator)
    default = FiscalPeriod.finished_by(timezone.localdate())
    page = client.get(PAGE).content.decode()
    assert f"{default.label}（{default.date_range_label}）" in page
    assert "令和7年度</option>" in page  # the demo's year can be picked, in wareki


def test_the_picked_period_shows_the_seeds_header(client, coordinator):
    client.force_login(coordinator)
    page = text_of(client.get(f"{PAGE}?{FY2025_Q1_3}"))
    assert "令和7年度 第1～3四半期（2025年4月1日～2025年12月31日）" in page
    assert "104 営業日" in page
    assert "123回 / 459回" in page
    assert "下書き" in page


def test_a_bad_period_gets_a_japanese_message_and_the_default(client, coordinator):
    client.force_login(coordinator)
    response = client.get(f"{PAGE}?fiscal_year=abc&quarters=2-4")
    assert response.status_code == 200
    page = response.content.decode()
    assert "選べる年度から選んでください。" in page and "四半期は一覧から選んでください。" in page
    assert "既定の期間" in page


def test_coordinators_download_but_cannot_edit_or_finalize(client, coordinator):
    client.force_login(coordinator)
    page = client.get(f"{PAGE}?{FY2025_Q1_3}").content.decode()
    assert "をダウンロード" in page and "この内容で確定する" not in page and "文章を編集" not in page
    assert json.loads(download(client, "json"))["out_of_hours"] == {"count": 123, "total": 459}
    assert client.post(f"{reverse('reporting:finalize')}?{FY2025_Q1_3}").status_code == 403
    assert client.get(f"{reverse('reporting:edit_texts')}?{FY2025_Q1_3}").status_code == 403


@pytest.mark.parametrize("format", ["html", "xlsx", "pdf", "json"])
def test_downloads_carry_the_japanese_file_name(client, coordinator, format):
    client.force_login(coordinator)
    response = client.get(f"{reverse('reporting:download', args=[format])}?{FY2025_Q1_3}")
    name = f"業務報告書_令和7年度_第1-3四半期.{format}"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(name)}"


def test_an_unknown_format_or_version_is_404(client, coordinator):
    client.force_login(coordinator)
    assert client.get(f"{reverse('reporting:download', args=['docx'])}?{FY2025_Q1_3}").status_code == 404
    assert client.get(f"{reverse('reporting:download', args=['pdf'])}?{FY2025_Q1_3}&version=3").status_code == 404


def test_the_prior_period_column_appears_on_request(client, coordinator):
    client.force_login(coordinator)
    assert "num prior" not in client.get(f"{PAGE}?{FY2025_Q1_3}").content.decode()
    page = client.get(f"{PAGE}?{FY2025_Q1_3}&compare=on").content.decode()
    assert "前年同期" in page and "num prior" in page


def test_a_supervisor_edits_the_texts_of_the_draft(client, supervisor):
    client.force_login(supervisor)
    url = f"{reverse('reporting:edit_texts')}?{FY2025_Q1_3}"
    form = client.get(url).context["form"]
    data = {name: field.initial for name, field in form.fields.items()}
    data["schedule"] = "月・水・金 9:00～17:00（祝日を除く）"
    data["text_3_party-parent-mother"] = "区内の病院、訪問看護ステーション"
    response = client.post(url, data, follow=True)
    assert "下書きの文章を保存しました。" in response.content.decode()
    report = json.loads(download(client, "json"))
    assert report["schedule"] == "月・水・金 9:00～17:00（祝日を除く）"
    mother = next(row for row in report["sections"][2]["rows"] if row["path"] == ["当事者", "親", "母"])
    assert mother["text"] == "区内の病院、訪問看護ステーション"
    assert mother["count"] == 124  # numbers stay computed


def test_finalized_files_stay_byte_for_byte_after_the_logs_change(client, supervisor, demo_office):
    client.force_login(supervisor)
    response = finalize(client)
    assert "報告書を確定しました。" in response.content.decode()
    before = {format: download(client, format) for format in ["html", "xlsx", "pdf", "json"]}

    log = ContactLog.objects.for_office(demo_office).filter(occurred_on__month=5).first()
    log.method = (
        ContactMethod.objects.get(code="fax") if log.method.code != "fax" else ContactMethod.objects.get(code="phone")
    )
    log.save()

    after = {format: download(client, format) for format in ["html", "xlsx", "pdf", "json"]}
    assert after == before
    page = client.get(f"{PAGE}?{FY2025_Q1_3}").content.decode()
    assert "確定済み 第1版" in page
    assert "確定後に変更された記録" in page and log.occurred_on.strftime("%Y年%-m月%-d日") in page
    assert "この期間の記録が 1 件" in page


def test_a_finalized_excel_is_dated_when_it_was_finalized_also_with_the_prior_period(client, supervisor):
    client.force_login(supervisor)
    finalize(client)
    version = ReportVersion.objects.get()
    stored = load_workbook(BytesIO(download(client, "xlsx"))).properties
    finalized_utc = version.finalized_at.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    assert stored.created == stored.modified == finalized_utc
    compared = download(client, "xlsx", f"{FY2025_Q1_3}&compare=on")
    assert load_workbook(BytesIO(compared)).properties.created == finalized_utc
    assert download(client, "xlsx", f"{FY2025_Q1_3}&compare=on") == compared


def test_a_new_draft_supersedes_and_the_history_is_kept(client, supervisor, demo_office):
    client.force_login(supervisor)
    finalize(client)
    first_pdf = download(client, "pdf")
    ContactLog.objects.for_office(demo_office).filter(occurred_on__month=6).first().delete()

    response = client.post(f"{reverse('reporting:open_draft')}?{FY2025_Q1_3}", follow=True)
    assert "新しい下書きを作成しました。" in response.content.decode()
    assert json.loads(download(client, "json"))["sections"][3]["total"] == {"count": 430}  # live again

    finalize(client)
    page = client.get(f"{PAGE}?{FY2025_Q1_3}").content.decode()
    assert "確定済み 第2版" in page and "置き換え済み" in page
    assert download(client, "pdf", f"{FY2025_Q1_3}&version=1") == first_pdf
    assert json.loads(download(client, "json", f"{FY2025_Q1_3}&version=1"))["sections"][3]["total"] == {"count": 431}
    assert json.loads(download(client, "json"))["sections"][3]["total"] == {"count": 430}


def test_a_finalized_report_refuses_edits_until_a_new_draft(client, supervisor):
    client.force_login(supervisor)
    finalize(client)
    response = finalize(client)
    assert "この報告書は確定済みです。" in response.content.decode()
    assert ReportVersion.objects.count() == 1
    response = client.get(f"{reverse('reporting:edit_texts')}?{FY2025_Q1_3}", follow=True)
    assert "この報告書は確定済みです。" in response.content.decode()


def test_a_period_that_has_not_ended_cannot_be_finalized(client, supervisor):
    client.force_login(supervisor)
    query = f"fiscal_year={fiscal_year_of(timezone.localdate())}&quarters=1-4"
    response = client.post(f"{reverse('reporting:finalize')}?{query}", follow=True)
    assert "期間が終わっていない報告書は確定できません" in response.content.decode()
    assert not ReportVersion.objects.exists()


def test_another_office_sees_neither_the_report_nor_its_versions(client, supervisor):
    client.force_login(supervisor)
    finalize(client)
    other_office = Office.objects.create(name="別の事業所", municipality="港区")
    other = User.objects.create_user("other-supervisor", password="x" * 12, office=other_office)
    other.groups.set(supervisor.groups.all())
    client.force_login(other)
    assert client.get(f"{reverse('reporting:download', args=['pdf'])}?{FY2025_Q1_3}&version=1").status_code == 404
    report = json.loads(download(client, "json"))
    assert report["office"] == "別の事業所" and report["sections"][3]["total"] == {"count": 0}


def test_the_html_and_pdf_downloads_have_the_charts_only_when_asked(client, coordinator):
    client.force_login(coordinator)
    assert b"<svg" not in download(client, "html")
    with_charts = download(client, "html", f"{FY2025_Q1_3}&charts=on").decode()
    assert with_charts.count("<svg") == 2 and "月別の相談・支援・活動方法（延べ件数）" in with_charts
    pdf_text = [
        "".join(page.extract_text() for page in pdfplumber.open(BytesIO(download(client, "pdf", query))).pages)
        for query in (FY2025_Q1_3, f"{FY2025_Q1_3}&charts=on")
    ]
    assert "月別の相談・支援・活動方法" not in pdf_text[0] and "月別の相談・支援・活動方法" in pdf_text[1]


def test_the_charts_box_adds_charts_to_the_html_and_pdf_links_only(client, coordinator):
    client.force_login(coordinator)
    page = client.get(f"{PAGE}?{FY2025_Q1_3}").content.decode()
    assert "グラフを入れる（HTML・PDF）" in page and "charts=on" not in page
    # Without JavaScript the box goes with the picker (表示); the page then writes the links with it.
    page = client.get(f"{PAGE}?{FY2025_Q1_3}&charts=on").content.decode()
    links = dict(re.findall(r'href="/reports/quarterly/download/(\w+)/\?([^"]*)"', page))
    assert "charts=on" in links["html"] and "charts=on" in links["pdf"]
    assert "charts" not in links["xlsx"] and "charts" not in links["json"]
