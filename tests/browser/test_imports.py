"""A coordinator brings a spreadsheet in: template, upload, preview, then confirm, or fix the file."""

import re

import openpyxl
import pytest
from playwright.sync_api import expect

from accounts.models import User
from coordination.clients.models import Client
from demo.builders import DEMO_PASSWORD
from directory.models import Provider

from .conftest import in_worker

pytestmark = pytest.mark.browser

# Nobody in the demo data is called 取込; each test removes what it imported, before and after.
CLIENT_SURNAME = "取込"
ICHIRO = {
    "氏名": "取込 一郎",
    "フリガナ": "とりこみ いちろう",
    "生年月日": "H31.4.20",
    "地区": "王子",
    "状況": "支援中",
}
FUTABA = {
    "氏名": "取込 二葉",
    "フリガナ": "トリコミ フタバ",
    "生年月日": "2021/12/3",
    "医療的ケア": "あり",
    "医療的ケアの内容": "吸引",
}
PROVIDER_NAME = "取込テスト小児訪問看護ステーション"


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    """Uploads wait for their confirmation here, not in the project's var/imports/ (the server thread
    reads the same settings)."""
    settings.TSUNAGU_IMPORT_DIR = tmp_path / "staged"
    return settings.TSUNAGU_IMPORT_DIR


@pytest.fixture
def clean_imports(django_db_blocker):
    """Browser tests commit for real: remove the clients and provider these tests import, with their history."""

    def delete():
        with django_db_blocker.unblock():
            clients = list(Client.objects.filter(name__startswith=CLIENT_SURNAME).values_list("pk", flat=True))
            Client.objects.filter(pk__in=clients).delete()
            client_records = Client.history.filter(id__in=clients)
            Client.history.model.procedures.model.objects.filter(history__in=client_records).delete()
            client_records.delete()
            providers = list(Provider.objects.filter(name=PROVIDER_NAME).values_list("pk", flat=True))
            acceptance_model = Provider.acceptances.rel.related_model
            acceptance_model.history.filter(provider_id__in=providers).delete()
            Provider.objects.filter(pk__in=providers).delete()
            Provider.history.filter(id__in=providers).delete()

    in_worker(delete)
    yield
    in_worker(delete)


def count_in_db(django_db_blocker, model, **lookups) -> int:
    def count():
        with django_db_blocker.unblock():
            return model.objects.filter(**lookups).count()

    return in_worker(count)


def sign_in(page, demo_site, path: str):
    page.goto(f"{demo_site}{path}")
    page.get_by_label("ユーザー名").fill("coordinator")
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(f"{demo_site}{path}")


def open_import_from_list_link(page, preselected: str):
    """Follows the list's "Excel・CSV から取り込む" to the upload page, the list's kind already chosen."""
    page.get_by_role("link", name="Excel・CSV から取り込む").click()
    expect(page.get_by_role("heading", level=1, name="Excel・CSV から取り込む")).to_be_visible()
    expect(page.get_by_role("radio", name=preselected, exact=True)).to_be_checked()


def filled_template(page, tmp_path, kind: str, rows: list[dict], file_name: str, *, like_example=False):
    """Downloads the kind's .xlsx template from the upload page, replaces its example row with
    `rows` (cells by header; the others blank, or `like_example` as in the example row) and saves it
    where the file picker can take it. Returns the path and the example row."""
    template_row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=kind, exact=True))
    with page.expect_download() as download:
        template_row.get_by_role("link", name="Excel（.xlsx）").click()
    template = tmp_path / download.value.suggested_filename
    assert template.name == f"取込ひな形_{kind}.xlsx"
    download.value.save_as(template)
    workbook = openpyxl.load_workbook(template)
    sheet = workbook.active
    headers = [cell.value for cell in sheet[1]]
    example = {header: cell.value for header, cell in zip(headers, sheet[2])}
    sheet.delete_rows(2, sheet.max_row)
    for row in rows:
        assert set(row) <= set(headers), set(row) - set(headers)
        sheet.append([row.get(header, example[header] if like_example else "") for header in headers])
    path = tmp_path / file_name
    workbook.save(path)
    return path, example


def upload(page, kind: str, path):
    page.get_by_role("radio", name=kind, exact=True).check()
    page.get_by_label("ファイル", exact=True).set_input_files(path)
    page.get_by_role("button", name="内容を確認する（まだ保存しません）").click()
    expect(page.get_by_role("heading", level=1, name=f"取り込みの確認：{kind}")).to_be_visible()
    expect(page.get_by_text(f"ファイル「{path.name}」。まだ何も保存していません。")).to_be_visible()


def expect_counts(page, **counts):
    for label, number in counts.items():
        tally = page.locator(".import-counts > div").filter(has=page.get_by_text(label, exact=True))
        expect(tally.locator("dd")).to_have_text(str(number))


def preview_row(page, number: int):
    return (
        page.get_by_role("region", name="行ごとの結果")
        .get_by_role("row")
        .filter(has=page.get_by_role("cell", name=f"{number}行目", exact=True))
    )


def test_a_coordinator_imports_clients_from_the_excel_template(
    page, demo_site, screenshot, tmp_path, clean_imports, django_db_blocker
):
    sign_in(page, demo_site, "/logs/")
    open_import_from_list_link(page, preselected="相談・支援・活動記録")
    path, _ = filled_template(page, tmp_path, "相談対象者", [ICHIRO, FUTABA], "利用者一覧.xlsx")

    upload(page, "相談対象者", path)
    expect_counts(page, 追加=2, 更新=0, 変更なし=0, エラー=0)
    expect(page.get_by_role("status").filter(has_text="エラーはありません")).to_contain_text(
        "「取り込む」を押すと、追加 2件、更新 0件、変更なし 0件を保存します。"
    )
    expect(preview_row(page, 2)).to_contain_text("追加")
    expect(preview_row(page, 2)).to_contain_text("取込 一郎（とりこみ いちろう）")
    expect(preview_row(page, 3)).to_contain_text("取込 二葉（トリコミ フタバ）")
    screenshot("import-preview")
    # The preview saved nothing.
    assert count_in_db(django_db_blocker, Client, name__startswith=CLIENT_SURNAME) == 0

    page.get_by_role("button", name="取り込む", exact=True).click()
    expect(page).to_have_url(f"{demo_site}/clients/")
    expect(page.get_by_role("status").filter(has_text="相談対象者を取り込みました")).to_have_text(
        "相談対象者を取り込みました（追加 2件、更新 0件、変更なし 0件）。"
    )
    page.get_by_label("氏名・フリガナ", exact=True).fill("とりこみ")
    page.get_by_role("button", name="絞り込む").click()
    expect(page.get_by_role("status").filter(has_text="年齢区分は")).to_have_text(re.compile(r"^2人"))
    clients = page.locator("table.client-table tbody tr")
    expect(clients).to_have_count(2)
    ichiro = clients.filter(has_text="取込 一郎")
    expect(ichiro).to_contain_text("トリコミ イチロウ")  # the フリガナ is kept in katakana
    expect(ichiro).to_contain_text("王子地区")
    expect(clients.filter(has_text="取込 二葉")).to_contain_text("吸引")

    def imported():
        with django_db_blocker.unblock():
            coordinator = User.objects.get(username="coordinator")
            return {
                client.name: (
                    client.birth_date.isoformat(),
                    client.office_id == coordinator.office_id,
                    client.history.first().history_user_id == coordinator.pk,
                )
                for client in Client.objects.filter(name__startswith=CLIENT_SURNAME)
            }

    assert in_worker(imported) == {"取込 一郎": ("2019-04-20", True, True), "取込 二葉": ("2021-12-03", True, True)}


def test_a_file_with_a_bad_row_shows_the_errors_and_saves_nothing(
    page, demo_site, screenshot, tmp_path, clean_imports, django_db_blocker
):
    sign_in(page, demo_site, "/imports/")
    bad = {**FUTABA, "生年月日": "2021/2/30", "地区": "月面"}
    path, _ = filled_template(page, tmp_path, "相談対象者", [ICHIRO, bad], "利用者一覧.xlsx")

    upload(page, "相談対象者", path)
    expect_counts(page, 追加=1, エラー=1)
    expect(page.get_by_role("alert")).to_contain_text(
        "エラーのある行が1行あります。ファイルを直して、もう一度選んでください。エラーが1行でもあると、どの行も取り込みません。"
    )
    errors = page.get_by_role("region", name="エラー", exact=True).locator("tbody tr")
    expect(errors).to_have_count(2)
    # In the file's column order: 生年月日 comes before 地区.
    expect(errors.nth(0).get_by_role("cell")).to_have_text(
        ["3行目", "生年月日", "2021年2月30日という日付はありません。"]
    )
    expect(errors.nth(1).get_by_role("cell").nth(0)).to_have_text("3行目")
    expect(errors.nth(1).get_by_role("cell").nth(1)).to_have_text("地区")
    expect(errors.nth(1).get_by_role("cell").nth(2)).to_contain_text("「月面」はこの事業所の地区にありません")
    expect(preview_row(page, 2)).to_contain_text("追加")
    expect(preview_row(page, 3)).to_contain_text("エラー")
    expect(page.get_by_role("button", name="取り込む", exact=True)).to_have_count(0)
    screenshot("import-preview-errors")

    # Confirming anyway (an old tab, a crafted request) is refused, the good row included.
    csrf_token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    confirm_url = re.sub(r"/$", "/confirm/", page.url)
    response = page.request.post(confirm_url, form={"csrfmiddlewaretoken": csrf_token})
    assert response.status == 422
    assert "何も取り込みませんでした" in response.text()
    assert count_in_db(django_db_blocker, Client, name__startswith=CLIENT_SURNAME) == 0

    page.get_by_role("button", name="ファイルを選び直す").click()
    # Back to the upload page with 相談対象者 still chosen.
    expect(page).to_have_url(f"{demo_site}/imports/?kind=clients")
    expect(page.get_by_role("radio", name="相談対象者", exact=True)).to_be_checked()
    expect(page.get_by_role("status").filter(has_text="取り込みをやめました")).to_have_text(
        "取り込みをやめました。何も保存していません。"
    )
    screenshot("import-start")
    assert count_in_db(django_db_blocker, Client, name__startswith=CLIENT_SURNAME) == 0


def test_a_coordinator_imports_a_provider_and_finds_it_in_the_directory(
    page, demo_site, screenshot, tmp_path, clean_imports, django_db_blocker
):
    sign_in(page, demo_site, "/directory/")
    open_import_from_list_link(page, preselected="機関・事業所")
    # The template's example row with another name: every other cell as the example shows it.
    path, example = filled_template(
        page,
        tmp_path,
        "機関・事業所",
        [{"名称": PROVIDER_NAME, "フリガナ": "トリコミテスト ショウニホウモンカンゴ", "住所": "東京都北区王子9-9-9"}],
        "事業所一覧.xlsx",
        like_example=True,
    )
    first_procedure = list(example)[list(example).index("最終確認日") + 1]

    upload(page, "機関・事業所", path)
    expect_counts(page, 追加=1, 更新=0, エラー=0)
    expect(preview_row(page, 2)).to_contain_text(f"{PROVIDER_NAME}（北区）")
    assert count_in_db(django_db_blocker, Provider, name=PROVIDER_NAME) == 0

    page.get_by_role("button", name="取り込む", exact=True).click()
    expect(page).to_have_url(f"{demo_site}/directory/")
    expect(page.get_by_role("status").filter(has_text="機関・事業所を取り込みました")).to_have_text(
        "機関・事業所を取り込みました（追加 1件、更新 0件、変更なし 0件）。"
    )
    page.get_by_label("名称・フリガナ・住所").fill("とりこみてすと")
    page.get_by_role("button", name="検索").click()
    rows = page.locator("table.directory-table tbody tr")
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name=PROVIDER_NAME).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(PROVIDER_NAME)
    expect(page.get_by_text("東京都北区王子9-9-9")).to_be_visible()
    acceptance = page.locator("table.acceptance-table tr", has=page.get_by_role("rowheader", name=first_procedure))
    expect(acceptance.locator(".acceptance")).to_have_text(example[first_procedure])
    screenshot("import-provider")
    assert count_in_db(django_db_blocker, Provider, name=PROVIDER_NAME) == 1
