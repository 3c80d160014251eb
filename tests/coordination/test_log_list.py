"""The list of contact logs: access, each filter, sort, pages, query count, and the export."""

import csv
import io
from datetime import date, time
from urllib.parse import quote

import openpyxl
import pytest
from django.urls import reverse

from accounts.models import Office, User
from coordination.clients.models import Client
from coordination.followups.services import follow_up_create
from coordination.logs import services
from coordination.logs.models import ActivityType, ContactLog, ContactMethod
from directory.models import CounterpartCategory, Provider

pytestmark = pytest.mark.django_db

LIST = reverse("log_list")


def export_url(file_format: str) -> str:
    return reverse("log_export", args=[file_format])


def make_log(
    office,
    coordinator,
    *,
    occurred_on=date(2025, 5, 12),
    method="phone",
    activity_types=("listening",),
    counterparts=(("party-parent-mother", None, ""),),
    follow_up_action="",
    follow_up_due_on=None,
    **fields,
) -> ContactLog:
    log = services.contact_log_create(
        office=office,
        coordinator=coordinator,
        occurred_on=occurred_on,
        method=ContactMethod.objects.get(code=method),
        activity_types=[ActivityType.objects.get(code=code) for code in activity_types],
        counterparts=[
            services.CounterpartEntry(
                category=CounterpartCategory.objects.get(code=category), provider=provider, organization_name=name
            )
            for category, provider, name in counterparts
        ],
        **fields,
    )
    if follow_up_action:
        follow_up_create(
            office=office, created_by=coordinator, action=follow_up_action, due_on=follow_up_due_on, contact_log=log
        )
    return log


def listed(response) -> list[ContactLog]:
    return list(response.context["page"].object_list)


def all_listed(client, params: dict) -> list[ContactLog]:
    return listed(client.get(LIST, {**params, "per_page": "200"}))


@pytest.fixture
def other_office_log():
    office = Office.objects.create(name="板橋区医療的ケア児等コーディネーター事業", municipality="板橋区")
    someone = User.objects.create(username="itabashi", office=office, last_name="板橋", first_name="一郎")
    return make_log(office, someone, report_summary="板橋区だけの記録")


@pytest.fixture
def signed_in(client, coordinator):
    client.force_login(coordinator)
    return client


# --- access ------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (LIST, export_url("xlsx")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_ward_staff_may_neither_list_nor_export_logs(client, ward_staff):
    client.force_login(ward_staff)
    for url in (LIST, export_url("xlsx"), export_url("csv")):
        assert client.get(url).status_code == 403


def test_a_supervisor_reads_the_list_but_is_offered_no_entry_or_import(client, supervisor):
    client.force_login(supervisor)
    response = client.get(LIST)
    page = response.content.decode()
    assert response.status_code == 200
    assert "相談・支援・活動記録の一覧" in page
    assert reverse("log_create") not in page
    assert reverse("imports:start") not in page


def test_a_coordinator_sees_the_offices_logs_newest_first_50_a_page(signed_in, demo_office):
    response = signed_in.get(LIST)
    logs = listed(response)
    page = response.content.decode()
    assert len(logs) == 50
    assert response.context["page"].paginator.count == ContactLog.objects.for_office(demo_office).count()
    assert [log.occurred_on for log in logs] == sorted((log.occurred_on for log in logs), reverse=True)
    assert "Excel・CSV から取り込む" in page
    first = logs[0]
    assert reverse("log_detail", args=[first.pk]) in page
    assert f"{first.occurred_on.year}年{first.occurred_on.month}月{first.occurred_on.day}日" in page


def test_a_row_links_its_client_and_shows_method_counterparts_and_types(signed_in, demo_office, coordinator):
    client_ = Client.objects.for_office(demo_office).first()
    provider = Provider.objects.get(name="あおば訪問リハビリステーション")
    log = make_log(
        demo_office,
        coordinator,
        occurred_on=date(2025, 12, 30),
        method="visit-home",
        client=client_,
        started_at=time(9, 5),
        duration_minutes=45,
        activity_types=("home-medical-nursing", "listening"),
        counterparts=(("party-parent-mother", None, ""), ("medical-visiting-rehab", provider, "")),
        report_summary="訪問リハの回数を相談",
        follow_up_action="回数を確認",
        follow_up_due_on=date(2026, 1, 9),
    )
    page = signed_in.get(LIST, {"date_from": "2025-12-30", "date_to": "2025-12-30"}).content.decode()
    assert reverse("log_detail", args=[log.pk]) in page
    assert reverse("client_detail", args=[client_.pk]) in page
    for text in (
        "2025年12月30日",
        "9:05（45分）",
        "訪問 ▸ 自宅",
        "当事者 ▸ 親 ▸ 母",
        "あおば訪問リハビリステーション",
        "在宅医療 ▸ 訪問看護",
        "生活上の相談・不安の傾聴",
        "訪問リハの回数を相談",
        "青木 ひかり",
        "回数を確認",
        "期限 2026年1月9日",
    ):
        assert text in page


def test_another_offices_logs_are_never_listed_or_exported(signed_in, other_office_log):
    assert other_office_log.pk not in {log.pk for log in all_listed(signed_in, {"q": "板橋区だけ"})}
    assert other_office_log.pk not in {log.pk for log in all_listed(signed_in, {})}
    exported = signed_in.get(export_url("csv")).getvalue().decode("utf-8-sig")
    assert "板橋区だけの記録" not in exported


# --- filters -----------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["2025-06-01", "2025/6/1", "R7.6.1", "令和7年6月1日", "２０２５／６／１"])
def test_the_period_accepts_the_japanese_date_forms(signed_in, typed):
    logs = all_listed(signed_in, {"date_from": typed, "date_to": "2025/6/30"})
    assert logs
    assert all(date(2025, 6, 1) <= log.occurred_on <= date(2025, 6, 30) for log in logs)


def test_a_date_that_cannot_be_read_gets_a_japanese_message(signed_in):
    response = signed_in.get(LIST, {"date_from": "きのう"})
    assert "日付として読み取れません" in response.content.decode()


def test_a_period_ending_before_it_starts_is_refused(signed_in):
    response = signed_in.get(LIST, {"date_from": "2025/6/30", "date_to": "2025/6/1"})
    assert "期間の終わりは始まりと同じ日か後の日にしてください" in response.content.decode()


def test_a_fiscal_quarter_selects_its_three_months(signed_in, demo_office):
    logs = all_listed(signed_in, {"quarter": "2025-2"})
    expected = ContactLog.objects.for_office(demo_office).between(date(2025, 7, 1), date(2025, 9, 30)).count()
    assert len(logs) == min(expected, 200)
    assert all(date(2025, 7, 1) <= log.occurred_on <= date(2025, 9, 30) for log in logs)
    assert "令和7年度 第2四半期（7～9月）" in signed_in.get(LIST).content.decode()


def test_a_coordinator_filter_lists_only_their_logs(signed_in, demo_office):
    other = User.objects.get(username="coordinator2")
    response = signed_in.get(LIST, {"coordinator": other.pk, "per_page": "200"})
    logs = listed(response)
    assert logs and all(log.coordinator == other for log in logs)
    assert (
        response.context["page"].paginator.count
        == ContactLog.objects.for_office(demo_office).filter(coordinator=other).count()
    )


def test_a_client_filter_lists_their_logs_and_no_client_lists_community_work(signed_in, demo_office, coordinator):
    client_ = Client.objects.for_office(demo_office).filter(contact_logs__isnull=False).first()
    logs = all_listed(signed_in, {"client": client_.pk})
    assert logs and all(log.client == client_ for log in logs)
    make_log(demo_office, coordinator, report_summary="地域の連絡会")
    community = all_listed(signed_in, {"client": "null"})
    assert community and all(log.client is None for log in community)


def test_choosing_a_method_group_includes_all_its_leaves(signed_in, demo_office, coordinator):
    make_log(demo_office, coordinator, method="visit-home", report_summary="自宅に訪問")
    make_log(demo_office, coordinator, method="visit-other", report_summary="病院に訪問")
    make_log(demo_office, coordinator, method="phone", report_summary="電話の相談")
    group = {
        log.report_summary
        for log in all_listed(signed_in, {"method": "visit", "date_from": "2025/5/12", "date_to": "2025/5/12"})
    }
    leaf = {
        log.report_summary
        for log in all_listed(signed_in, {"method": "visit-home", "date_from": "2025/5/12", "date_to": "2025/5/12"})
    }
    assert {"自宅に訪問", "病院に訪問"} <= group and "電話の相談" not in group
    assert "自宅に訪問" in leaf and "病院に訪問" not in leaf


def test_choosing_an_activity_type_group_includes_its_leaves(signed_in, demo_office, coordinator):
    make_log(
        demo_office,
        coordinator,
        occurred_on=date(2025, 12, 31),
        activity_types=("school-elementary",),
        report_summary="小学校",
    )
    make_log(
        demo_office,
        coordinator,
        occurred_on=date(2025, 12, 31),
        activity_types=("school-high", "listening"),
        report_summary="高校",
    )
    make_log(
        demo_office,
        coordinator,
        occurred_on=date(2025, 12, 31),
        activity_types=("listening",),
        report_summary="傾聴だけ",
    )
    on_the_day = {"date_from": "2025/12/31", "date_to": "2025/12/31"}
    assert {log.report_summary for log in all_listed(signed_in, {**on_the_day, "activity_type": "school"})} == {
        "小学校",
        "高校",
    }
    assert {log.report_summary for log in all_listed(signed_in, {**on_the_day, "activity_type": "school-high"})} == {
        "高校"
    }


def test_choosing_a_counterpart_category_group_includes_its_leaves(signed_in, demo_office, coordinator):
    on_the_day = {"date_from": "2025/12/31", "date_to": "2025/12/31"}
    make_log(
        demo_office,
        coordinator,
        occurred_on=date(2025, 12, 31),
        counterparts=(("party-parent-father", None, ""),),
        report_summary="父",
    )
    make_log(
        demo_office,
        coordinator,
        occurred_on=date(2025, 12, 31),
        counterparts=(("government-staff", None, "保健センター"),),
        report_summary="行政",
    )
    parents = CounterpartCategory.objects.get(label="親", parent__code="party")
    assert {
        log.report_summary for log in all_listed(signed_in, {**on_the_day, "counterpart_category": parents.code})
    } == {"父"}
    assert {log.report_summary for log in all_listed(signed_in, {**on_the_day, "counterpart_category": "party"})} == {
        "父"
    }


def test_a_provider_filter_finds_the_logs_naming_it(signed_in, demo_office, coordinator):
    provider = Provider.objects.get(name="あおば訪問リハビリステーション")
    log = make_log(demo_office, coordinator, counterparts=(("medical-visiting-rehab", provider, ""),))
    logs = all_listed(signed_in, {"provider": provider.pk})
    assert log in logs
    assert all(any(c.provider_id == provider.pk for c in entry.counterparts.all()) for entry in logs)


def test_the_provider_name_finds_the_logs_naming_a_provider_or_an_organization(signed_in, demo_office, coordinator):
    provider = Provider.objects.get(name="あおば訪問リハビリステーション")
    by_provider = make_log(demo_office, coordinator, counterparts=(("medical-visiting-rehab", provider, ""),))
    by_name = make_log(demo_office, coordinator, counterparts=(("other", None, "あおば会"),))
    make_log(demo_office, coordinator, counterparts=(("other", None, "ひまわり財団"),))
    found = all_listed(signed_in, {"provider_name": "あおば", "date_from": "2025-05-12", "date_to": "2025-05-12"})
    assert {by_provider, by_name} <= set(found)
    assert all(
        any("あおば" in (c.provider.name if c.provider else c.organization_name) for c in entry.counterparts.all())
        for entry in found
    )


def test_the_list_offers_no_provider_list_but_keeps_a_chosen_one(signed_in, demo_office, coordinator):
    """The directory's providers are not listed in the filter (a name is typed); a link's choice is shown."""
    provider = Provider.objects.get(name="あおば訪問リハビリステーション")
    page = signed_in.get(reverse("log_list")).content.decode()
    assert 'name="provider_name"' in page
    assert 'name="provider"' not in page
    chosen = signed_in.get(reverse("log_list"), {"provider": provider.pk}).content.decode()
    assert f'<option value="{provider.pk}" selected>{provider.name}</option>' in chosen


@pytest.mark.parametrize(
    ("fields", "word"),
    [
        ({"report_summary": "胃ろうの物品について相談"}, "胃ろう"),
        ({"follow_up_action": "車椅子の業者へ見積り依頼", "follow_up_due_on": date(2025, 6, 1)}, "見積り"),
        ({"counterparts": (("other", None, "ひまわり財団"),)}, "ひまわり財団"),
    ],
)
def test_the_keyword_searches_summary_follow_up_and_organization_names(
    signed_in, demo_office, coordinator, fields, word
):
    log = make_log(demo_office, coordinator, **fields)
    assert [entry.pk for entry in all_listed(signed_in, {"q": word})] == [log.pk]


def test_the_keyword_does_not_search_confidential_notes(signed_in, demo_office, coordinator):
    make_log(demo_office, coordinator, confidential_notes="秘密のメモ")
    assert all_listed(signed_in, {"q": "秘密のメモ"}) == []


def test_a_choice_not_in_the_list_gets_a_japanese_message(signed_in):
    page = signed_in.get(LIST, {"method": "no-such-method", "sort": "id"}).content.decode()
    assert "方法は一覧から選んでください。" in page
    assert "並び順は一覧から選んでください。" in page


# --- sort and pages ----------------------------------------------------------------------------


def test_sort_by_date_oldest_first(signed_in):
    logs = listed(signed_in.get(LIST, {"sort": "date"}))
    assert [log.occurred_on for log in logs] == sorted(log.occurred_on for log in logs)


def test_sort_by_method_in_report_order(signed_in):
    first = signed_in.get(LIST, {"sort": "method", "per_page": "200"})
    pages = first.context["page"].paginator.num_pages
    last = signed_in.get(LIST, {"sort": "method", "per_page": "200", "page": pages})
    positions = [log.method.position for log in listed(first) + listed(last)]
    assert positions == sorted(positions) and len(set(positions)) > 1


def test_sort_by_coordinator_name(signed_in):
    logs = all_listed(signed_in, {"sort": "coordinator", "quarter": "2025-1"})
    names = [(log.coordinator.last_name, log.coordinator.first_name) for log in logs]
    assert names == sorted(names)


@pytest.mark.parametrize("sort", ["duration", "-duration"])
def test_sort_by_duration(signed_in, demo_office, coordinator, sort):
    for minutes in (15, 90, 40):
        make_log(demo_office, coordinator, occurred_on=date(2025, 12, 29), duration_minutes=minutes)
    logs = all_listed(signed_in, {"sort": sort, "date_from": "2025/12/29", "date_to": "2025/12/29"})
    minutes = [log.duration_minutes for log in logs]
    assert minutes == sorted(minutes, reverse=sort.startswith("-"))


def test_pages_keep_the_filters_and_have_japanese_labels(signed_in):
    response = signed_in.get(LIST, {"quarter": "2025-1", "page": "2"})
    page = response.content.decode()
    assert response.context["page"].number == 2
    for label in ("最初", "前へ", "次へ", "最後", "ページ送り"):
        assert label in page
    assert "?quarter=2025-1&amp;page=3" in page
    assert all(date(2025, 4, 1) <= log.occurred_on <= date(2025, 6, 30) for log in listed(response))


def test_a_page_can_show_200_logs(signed_in):
    assert len(listed(signed_in.get(LIST, {"per_page": "200"}))) == 200


def test_the_list_with_200_logs_on_the_page_makes_a_fixed_number_of_queries(signed_in, django_assert_max_num_queries):
    # Fewer than 15, the product's limit for any page, however many rows the page shows.
    with django_assert_max_num_queries(16):  # 14 + 2: the access log's chain head and row
        response = signed_in.get(LIST, {"per_page": "200"})
    logs = listed(response)
    assert len(logs) == 200
    assert sum(len(log.counterparts.all()) for log in logs) >= 200


# --- export ------------------------------------------------------------------------------------


def read_xlsx(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.getvalue())).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_export_holds_every_filtered_log_on_all_pages_with_japanese_headers(signed_in, demo_office):
    response = signed_in.get(export_url("xlsx"), {"quarter": "2025-1", "page": "2"})
    rows = read_xlsx(response)
    expected = ContactLog.objects.for_office(demo_office).between(date(2025, 4, 1), date(2025, 6, 30))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert rows[0][:4] == ["日付", "開始時刻", "所要時間（分）", "コーディネーター"]
    assert "相談者・相手先" in rows[0] and "種別" in rows[0] and "方法" in rows[0]
    assert len(rows) - 1 == expected.count() > 50
    assert rows[1][0].date() >= rows[-1][0].date()


def test_the_export_names_things_and_never_shows_database_ids(signed_in, demo_office, coordinator):
    client_ = Client.objects.for_office(demo_office).first()
    log = make_log(
        demo_office,
        coordinator,
        occurred_on=date(2025, 12, 28),
        client=client_,
        method="visit-home",
        activity_types=("home-medical-nursing",),
        counterparts=(("medical-visiting-nurse", None, "みどり訪問看護"),),
    )
    rows = read_xlsx(signed_in.get(export_url("xlsx"), {"date_from": "2025/12/28", "date_to": "2025/12/28"}))
    row = dict(zip(rows[0], rows[1]))
    assert row["相談対象者 氏名"] == client_.name
    assert row["相談対象者 フリガナ"] == client_.name_kana
    assert row["方法"] == "訪問 ▸ 自宅"
    assert row["種別"] == "在宅医療 ▸ 訪問看護"
    assert row["相談者・相手先"] == "医療機関 ▸ 訪問看護：みどり訪問看護"
    assert row["コーディネーター"] == "青木 ひかり"
    assert str(log.pk) not in [str(value) for value in row.values()]
    assert "id" not in [str(header).lower() for header in rows[0]]


def test_the_export_file_is_named_by_the_period_in_rfc_5987_form(signed_in):
    response = signed_in.get(export_url("xlsx"), {"date_from": "2025/4/1", "date_to": "R7.6.30"})
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "filename*=utf-8''" + quote("相談支援記録_2025-04-01_2025-06-30.xlsx") in disposition
    quarter = signed_in.get(export_url("csv"), {"quarter": "2025-3"})
    assert quote("相談支援記録_2025-10-01_2025-12-31.csv") in quarter["Content-Disposition"]


def test_the_csv_export_is_utf8_with_a_bom_so_excel_reads_the_japanese(signed_in):
    response = signed_in.get(export_url("csv"), {"quarter": "2025-1"})
    content = response.getvalue()
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][0] == "日付"
    assert rows[1][0].startswith("2025-06")


@pytest.mark.parametrize(
    "dangerous", ['=HYPERLINK("http://example.com","x")', "+81-3-1234", "-1+2", "@SUM(A1)", "  =1+1", "\t=1", "\r=1"]
)
def test_cells_that_would_start_a_formula_are_escaped_in_both_formats(signed_in, demo_office, coordinator, dangerous):
    make_log(
        demo_office,
        coordinator,
        occurred_on=date(2025, 12, 27),
        report_summary=dangerous.strip("\t\r") or dangerous,
        follow_up_action=dangerous,
        follow_up_due_on=date(2026, 1, 5),
    )
    params = {"date_from": "2025/12/27", "date_to": "2025/12/27"}
    row = dict(zip(*read_xlsx(signed_in.get(export_url("xlsx"), params))[:2]))
    sheet = openpyxl.load_workbook(io.BytesIO(signed_in.get(export_url("xlsx"), params).getvalue())).active
    assert all(cell.data_type != "f" for row_ in sheet.iter_rows() for cell in row_)
    for column in ("報告書用の要約", "次の対応"):
        assert row[column].startswith("'"), column
        assert row[column][1:].lstrip() in (dangerous.strip(), dangerous.strip("\t\r"))
    text = signed_in.get(export_url("csv"), params).getvalue().decode("utf-8-sig")
    values = list(csv.reader(io.StringIO(text)))[1]
    assert not any(value.lstrip(" \u3000").startswith(("=", "+", "-", "@", "\t", "\r")) for value in values)
    assert "'" + dangerous.strip() in values


def test_ordinary_text_and_numbers_are_not_escaped(signed_in, demo_office, coordinator):
    make_log(demo_office, coordinator, occurred_on=date(2025, 12, 26), duration_minutes=30, report_summary="母と面談")
    rows = read_xlsx(signed_in.get(export_url("xlsx"), {"date_from": "2025/12/26", "date_to": "2025/12/26"}))
    row = dict(zip(rows[0], rows[1]))
    assert row["報告書用の要約"] == "母と面談"
    assert row["所要時間（分）"] == 30


def test_an_export_with_wrong_filters_goes_back_to_the_list_with_a_message(signed_in):
    response = signed_in.get(export_url("xlsx"), {"date_from": "いつか"}, follow=True)
    assert response.redirect_chain[-1][0].startswith(LIST)
    assert "書き出せませんでした" in response.content.decode()


def test_an_unknown_export_format_is_not_found(signed_in):
    assert signed_in.get(export_url("pdf")).status_code == 404


def test_a_supervisor_may_export(client, supervisor):
    client.force_login(supervisor)
    response = client.get(export_url("csv"), {"quarter": "2025-1"})
    assert response.status_code == 200
