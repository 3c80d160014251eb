"""build_quarterly_report reproduces the seed report from the demo data, in constant queries."""

from datetime import date, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from coordination.fiscal import FiscalPeriod
from coordination.logs.models import ContactLog, ContactMethod
from reporting.quarterly import build_quarterly_report

pytestmark = pytest.mark.django_db
PERIOD = FiscalPeriod(2025, 1, 3)


def rows(section):
    return {row.path: tuple(row.values.values()) for row in section.rows}


def test_header_as_in_the_seed(demo_office):
    report = build_quarterly_report(demo_office, PERIOD)
    assert report.title == "業務報告書 ( 令和7年度 第1～3四半期：2025年4月1日～2025年12月31日現在 )"
    assert report.office == "北区医療的ケア児等コーディネーター事業"
    assert report.schedule == "月・水・金 9:00～17:00"
    assert (report.business_days, report.out_of_hours, report.activities) == (104, 123, 459)


def test_section_1_row_by_row(demo_office):
    section = build_quarterly_report(demo_office, PERIOD).sections[0]
    assert rows(section) == {
        ("未就学児",): (19, 150, 15, 4),
        ("就学児", "小学生"): (3, 33, 2, 1),
        ("就学児", "中学生"): (2, 2, 1, 1),
        ("就学児", "高校生"): (2, 32, 2, 0),
        ("19歳以下",): (2, 22, 2, 0),
        ("20～29歳",): (2, 9, 2, 0),
        ("30～39歳",): (2, 34, 2, 0),
        ("40～49歳",): (0, 0, 0, 0),
        ("50～59歳",): (0, 0, 0, 0),
        ("60～64歳",): (0, 0, 0, 0),
        ("65歳以上",): (0, 0, 0, 0),
        ("不明",): (0, 0, 0, 0),
    }
    assert section.total == {"clients": 32, "contacts": 282, "with_care": 26, "without_care": 6}


def test_section_2_row_by_row(demo_office):
    section = build_quarterly_report(demo_office, PERIOD).sections[1]
    assert [(row.path[0], row.values["clients"]) for row in section.rows] == [
        ("王子地区", 13),
        ("赤羽地区", 14),
        ("滝野川地区", 2),
        ("区外", 3),
        ("不明", 0),
    ]


def test_sections_3_to_5_keep_every_leaf_and_the_seeds_totals(demo_office):
    report = build_quarterly_report(demo_office, PERIOD)
    section_3, section_4, section_5 = report.sections[2:]
    assert (len(section_3.rows), section_3.total["count"]) == (37, 434)
    assert (len(section_4.rows), section_4.total["count"]) == (16, 431)
    assert (len(section_5.rows), section_5.total["count"]) == (63, 463)
    assert rows(section_3)[("当事者", "親", "母")] == (124,)
    assert rows(section_3)[("当事者", "親", "父")] == (0,)
    assert rows(section_4)[("電話",)] == (218,)
    assert rows(section_4)[("会議参加", "その他会議")] == (15,)
    assert rows(section_5)[("在宅医療", "訪問看護")] == (61,)
    assert rows(section_5)[("虐待・DV相談",)] == (0,)


def test_the_counted_sections_carry_the_printed_column_headings(demo_office):
    report = build_quarterly_report(demo_office, PERIOD)
    assert [(section.headings, section.text_heading) for section in report.sections] == [
        (("相談対象 (実人数)", "相談数 (延べ件数)", "医ケア 有", "医ケア 無"), ""),
        (("実人数",), ""),
        (("件数",), "相手先や主な内容"),
        (("件数",), "内容"),  # the seed's §4 has an (empty) 内容 column
        (("件数",), "主な内容"),
    ]


def test_section_5_text_is_the_published_summaries(demo_office):
    section_5 = build_quarterly_report(demo_office, PERIOD).sections[4]
    texts = {row.path: row.text for row in section_5.rows}
    assert (
        texts[("生活上の相談・不安の傾聴",)]
        == "入院中の医ケア児の母の不安傾聴、医ケア者の母より病状や予後などについて不安の傾聴"
    )
    assert texts[("会議・勉強会参加",)] == "別表参照"


def test_sections_6_and_7_list_the_events_in_date_order_outreach_in_ward_first(demo_office):
    report = build_quarterly_report(demo_office, PERIOD)
    outreach, meetings = report.event_sections[0].tables
    trainings = report.event_sections[1].tables[0]
    assert (len(outreach.rows), len(meetings.rows), len(trainings.rows)) == (5, 20, 3)
    # As the seed: 区内 rows before 区外 rows, by date within each, the scope printed once per group.
    assert [row[:3] for row in outreach.rows] == [
        ("区内", "放課後等デイサービス ぴーす", "4月14日"),
        ("区内", "ピアネット北", "4月14日"),
        ("区外", "都立大塚病院連携室 患者地域サポートセンター", "4月4日"),
        ("区外", "区部医ケア児センター", "4月4日"),
        ("区外", "東大病院 地域医療連携室", "4月11日"),
    ]
    assert outreach.grouped and not meetings.grouped
    assert meetings.rows[-1][2] == "12月15日"
    assert "学生70名 教員4名" in [row[6] for row in meetings.rows]


def test_the_number_of_queries_does_not_grow_with_the_logs(demo_office):
    with CaptureQueriesContext(connection) as before:
        build_quarterly_report(demo_office, PERIOD)
    coordinator = User.objects.get(username="coordinator")
    phone = ContactMethod.objects.get(code="phone")
    ContactLog.objects.bulk_create(
        ContactLog(
            office=demo_office, occurred_on=date(2025, 6, 2), started_at=time(10), coordinator=coordinator, method=phone
        )
        for _ in range(200)
    )
    with CaptureQueriesContext(connection) as after:
        report = build_quarterly_report(demo_office, PERIOD)
    assert len(after.captured_queries) == len(before.captured_queries)
    assert report.sections[3].total["count"] == 631


def test_a_client_in_a_district_the_office_does_not_list_still_counts_once(demo_office):
    from coordination.clients.models import Client
    from directory.models import District

    elsewhere = District.objects.create(code="test-minato-shiba", name="芝地区", municipality="港区")
    unlisted = District.objects.create(
        code="test-kita-other", name="北区の別地区", municipality=demo_office.municipality
    )
    logged = list(Client.objects.filter(office=demo_office, contact_logs__occurred_on__year=2025).distinct()[:2])
    Client.objects.filter(pk=logged[0].pk).update(district=elsewhere)
    Client.objects.filter(pk=logged[1].pk).update(district=unlisted)

    report = build_quarterly_report(demo_office, PERIOD)
    section_2 = {row.path[0]: row.values["clients"] for row in report.sections[1].rows}
    assert sum(section_2.values()) == report.sections[0].total["clients"] == 32
    assert section_2["区外"] == 4 and section_2["不明"] == 1
