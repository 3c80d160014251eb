"""センター職員: signing in leads to the page of every office's figures; the export downloads; no client page opens."""

import csv
import io

import pytest
from playwright.sync_api import expect

from demo.builders import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, demo_site, username):
    page.goto(f"{demo_site}/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()


def test_the_centre_sees_every_office_exports_and_opens_no_client(page, demo_site, screenshot, tmp_path):
    sign_in(page, demo_site, "centre")
    expect(page.get_by_role("heading", level=1, name="事業所別集計")).to_be_visible()
    page.get_by_label("年度", exact=True).select_option(label="令和7年度")
    page.get_by_label("四半期", exact=True).select_option(label="第1～3四半期")
    page.get_by_role("button", name="表示").click()

    row = page.get_by_role("row").filter(has_text="北区医療的ケア児等コーディネーター事業")
    # The demo office's §1 totals (実人数 32, 延べ 282) and 時間外 123, live: 速報.
    expect(row.get_by_role("cell").nth(0)).to_have_text("32")
    expect(row.get_by_role("cell").nth(2)).to_have_text("282")
    expect(row.get_by_role("cell").nth(5)).to_have_text("123")
    expect(row).to_contain_text("速報")
    expect(page.get_by_text("新規・個別支援・地域支援は業務報告書にない項目")).to_be_visible()
    screenshot("centre", for_docs=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV で書き出す").click()
    download = download_info.value
    assert download.suggested_filename == "事業所別集計_令和7年度_第1-3四半期.csv"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[-1][0] == "合計"

    # Only its own page in the menu; a client list is refused.
    expect(page.get_by_role("link", name="相談対象者")).to_have_count(0)
    response = page.goto(f"{demo_site}/clients/")
    assert response.status == 403
