"""The 課題解決状況 (the council's report on the needs register): its counts, its period and office,
and its anonymity: no client, family or staff name, no log text, and 1–2 families shown 「3未満」."""

import io
import json
import re
from dataclasses import replace
from datetime import date

import pdfplumber
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from coordination.events.models import Event, EventKind
from coordination.fiscal import FiscalPeriod
from coordination.needs.models import Need, NeedStatus
from coordination.needs.services import need_add_log, need_create, need_move
from reporting.needs import LEFT_OUT, build_needs_report, masked
from reporting.render import FORMATS
from reporting.render.json import report_from_dict, report_to_dict
from tests.coordination.client_factories import district, make_client, make_guardian, make_log, make_office, make_user
from tests.coordination.need_factories import a_category

pytestmark = pytest.mark.django_db
YEAR = FiscalPeriod(2025)  # 2025-04-01 … 2026-03-31
LOG_TEXTS = ("秘匿の記録本文：母の体調が悪い", "記録の要約：夜間の介護が限界")
ONE_FAMILY_NAME, FIVE_FAMILY_NAME = "鷹司 一葉", "五十嵐 真琴"


def a_need(office, user, title, category="respite", *, clients=(), on=date(2025, 4, 10), **fields):
    """A need found on `on` in one log of each client (log texts that must never be printed)."""
    logs = [
        make_log(
            client,
            user,
            on,
            confidential_notes=LOG_TEXTS[0],
            report_summary=LOG_TEXTS[1],
            include_in_report=True,
        )
        for client in clients
    ]
    return need_create(
        office=office,
        created_by=user,
        title=title,
        category=a_category(category),
        description="内容欄は報告書に出さない説明文",
        logs=logs,
        on=on,
        **fields,
    ).need


def move(need, user, status, on, text="", **fields):
    need.refresh_from_db()
    return need_move(
        need=need, expected_version=need.version, user=user, status=status, on=on, text=text, **fields
    ).need


@pytest.fixture
def office():
    return make_office("課題区医療的ケア児等コーディネーター事業")


@pytest.fixture
def user(office):
    user = make_user(office, "needs-report-coordinator", last_name="調整役")
    user.first_name = "晴美"
    user.save()
    return user


@pytest.fixture
def register(office, user):
    """Needs of 0, 1, 2, 3 and 5 families, one carried over and resolved, one resolved last year,
    a note naming a client, a meeting; and another office's need."""
    one = make_client(office, name=ONE_FAMILY_NAME, name_kana="タカツカサ カズハ")
    make_guardian(one, name="鷹司 美和子")
    five = [make_client(office, name=FIVE_FAMILY_NAME, name_kana="イガラシ マコト")]
    five += [make_client(office, name=f"五家族 {given}", name_kana="ゴカゾク") for given in ("一", "二", "三", "四")]
    meeting = Event.objects.create(
        office=office, kind=EventKind.MEETING, held_on=date(2025, 7, 15), name="自立支援協議会 子ども部会"
    )
    needs = {
        "one": a_need(
            office,
            user,
            "夜間のレスパイト先が足りない",
            clients=[one],
            life_stages=["elementary", "preschool"],
            districts=[district(office, 1), district(office, 2)],
        ),
        "two": a_need(office, user, "通学の送迎手段がない", "mobility", clients=five[1:3]),
        "three": a_need(office, user, "災害時の電源確保", "disaster", clients=five[2:5]),
        "five": a_need(office, user, "訪問看護の事業所が少ない", "medical", clients=five),
        "none": a_need(office, user, "相談窓口の情報がまとまっていない", "information"),
        "carried": a_need(office, user, "保育園の看護師配置", "childcare-education", on=date(2024, 6, 1)),
        "old": a_need(office, user, "昨年度に解決した課題", "childcare-education", on=date(2024, 5, 1)),
    }
    move(needs["one"], user, NeedStatus.CONSIDERING, date(2025, 5, 1), "短期入所の事業所と受け入れ枠を相談中")
    move(needs["one"], user, NeedStatus.RAISED, date(2025, 7, 15), "部会で報告", raised_at=meeting)
    move(needs["five"], user, NeedStatus.ACTING, date(2025, 6, 1), f"{FIVE_FAMILY_NAME}さんの件から事業所に打診")
    move(needs["carried"], user, NeedStatus.ACTING, date(2024, 9, 1), "園と協議")
    move(needs["carried"], user, NeedStatus.RESOLVED, date(2025, 8, 20), "看護師の加配が決まった")
    move(needs["old"], user, NeedStatus.RESOLVED, date(2025, 3, 1), "昨年度に解決")
    other = make_office("別区医療的ケア児等コーディネーター事業")
    other_user = make_user(other, "other-needs-coordinator")
    a_need(other, other_user, "別区だけの課題", clients=[make_client(other, name="別区 太郎")])
    return needs


def rows_by_title(report):
    table = report.event_sections[0].tables[0]
    return {row[1]: dict(zip(table.columns, row, strict=True)) for row in table.rows}


def counts(report):
    return {row.key: row.values for row in report.section(1).rows}


def test_the_counts_per_category_and_the_header(office, register):
    report = build_needs_report(office, YEAR)
    assert (report.kind, report.title, report.office) == ("needs", "課題解決状況", office.name)
    assert (report.business_days, report.out_of_hours, report.activities) == (0, 0, 0)
    section = report.section(1)
    assert [row.path[0] for row in section.rows] == [
        "医療",
        "福祉サービス",
        "保育・教育",
        "移動・外出",
        "レスパイト",
        "災害",
        "制度・手続",
        "情報",
        "その他",
    ]
    by_category = counts(report)
    assert by_category["respite"] == {"found": 1, "resolved": 0, "ongoing": 1}
    assert by_category["medical"] == {"found": 1, "resolved": 0, "ongoing": 1}
    # Recorded last year and resolved in this one: resolved, not found; last year's resolved need: nothing.
    assert by_category["childcare-education"] == {"found": 0, "resolved": 1, "ongoing": 0}
    assert by_category["welfare-services"] == {"found": 0, "resolved": 0, "ongoing": 0}
    assert section.total == {"found": 5, "resolved": 1, "ongoing": 5}
    assert report.summary == (
        "令和7年度 第1～4四半期（2025年4月1日～2026年3月31日）",
        "期間中に扱った課題：6件（新たに把握 5件）",
        "解決：1件　継続中（期末）：5件",
        "関係する家族（実人数）：6",
    )


def test_each_need_open_or_resolved_in_the_period_is_listed_by_category(office, register):
    rows = rows_by_title(build_needs_report(office, YEAR))
    assert list(rows) == [
        "訪問看護の事業所が少ない",
        "保育園の看護師配置",
        "通学の送迎手段がない",
        "夜間のレスパイト先が足りない",
        "災害時の電源確保",
        "相談窓口の情報がまとまっていない",
    ]
    assert "昨年度に解決した課題" not in rows and "別区だけの課題" not in rows
    respite = rows["夜間のレスパイト先が足りない"]
    assert respite == {
        "分類": "レスパイト",
        "課題": "夜間のレスパイト先が足りない",
        "期末の状況": "会議体へ提起",
        "年齢・地域": f"未就学児、小学生／東地区{office.pk}、西地区{office.pk}",
        "最新の経過": "2025年7月15日 部会で報告",
        "提起した会議": "自立支援協議会 子ども部会（2025年7月15日）",
        "家族数": "3未満",
    }
    assert rows["保育園の看護師配置"]["期末の状況"] == "解決"
    assert rows["保育園の看護師配置"]["最新の経過"] == "2025年8月20日 看護師の加配が決まった"


def test_families_of_one_and_two_are_shown_under_3_and_zero_as_0(office, register):
    rows = rows_by_title(build_needs_report(office, YEAR))
    families = {title: row["家族数"] for title, row in rows.items()}
    assert families["夜間のレスパイト先が足りない"] == "3未満"  # 1
    assert families["通学の送迎手段がない"] == "3未満"  # 2
    assert families["災害時の電源確保"] == "3"
    assert families["訪問看護の事業所が少ない"] == "5"
    assert families["相談窓口の情報がまとまっていない"] == "0"
    texts = {row.key: row.text for row in build_needs_report(office, YEAR).section(1).rows}
    assert texts["respite"] == "3未満" and texts["medical"] == "5" and texts["welfare-services"] == "0"


def test_the_threshold_can_be_changed(office, register):
    report = build_needs_report(office, YEAR, small_count_threshold=5)
    families = {title: row["家族数"] for title, row in rows_by_title(report).items()}
    assert families["災害時の電源確保"] == "5未満"
    assert families["訪問看護の事業所が少ない"] == "5"
    assert families["相談窓口の情報がまとまっていない"] == "0"
    assert "家族数が1～4の場合は「5未満」と表示" in report.footnotes
    unmasked = build_needs_report(office, YEAR, small_count_threshold=1)
    assert rows_by_title(unmasked)["夜間のレスパイト先が足りない"]["家族数"] == "1"
    assert [masked(n) for n in (0, 1, 2, 3, 4)] == ["0", "3未満", "3未満", "3", "4"]
    with pytest.raises(ValueError):
        build_needs_report(office, YEAR, small_count_threshold=0)


def test_a_note_or_title_naming_a_person_is_left_out(office, user, register):
    rows = rows_by_title(build_needs_report(office, YEAR))
    assert rows["訪問看護の事業所が少ない"]["最新の経過"] == f"2025年6月1日 {LEFT_OUT}"
    named = a_need(office, user, "鷹司美和子さんの家庭の送迎", "mobility")
    move(named, user, NeedStatus.CONSIDERING, date(2025, 9, 1), "調整役 晴美が担当")
    rows = rows_by_title(build_needs_report(office, YEAR))
    assert rows[LEFT_OUT]["最新の経過"] == f"2025年9月1日 {LEFT_OUT}"
    # A word that is only a staff member's family name (no given name recorded) is no reason to leave a note out.
    make_user(office, "family-name-only", last_name="試験")
    plain = a_need(office, user, "福祉サービスの試験的な導入", "welfare-services")
    move(plain, user, NeedStatus.CONSIDERING, date(2025, 9, 2), "試験的に区と協議")
    rows = rows_by_title(build_needs_report(office, YEAR))
    assert rows["福祉サービスの試験的な導入"]["最新の経過"] == "2025年9月2日 試験的に区と協議"


def test_the_period_boundaries_and_the_state_at_the_periods_end(office, user, register):
    first_quarter = build_needs_report(office, FiscalPeriod(2025, 1, 1))
    rows = rows_by_title(first_quarter)
    # Before its move in Q2 the carried-over need is still 対応中, and the respite need not yet raised.
    assert rows["保育園の看護師配置"]["期末の状況"] == "対応中"
    assert rows["夜間のレスパイト先が足りない"]["期末の状況"] == "検討中"
    assert rows["夜間のレスパイト先が足りない"]["提起した会議"] == ""
    assert counts(first_quarter)["childcare-education"] == {"found": 0, "resolved": 0, "ongoing": 1}
    second = build_needs_report(office, FiscalPeriod(2025, 2, 2))
    assert counts(second)["childcare-education"] == {"found": 0, "resolved": 1, "ongoing": 0}
    assert counts(second)["respite"] == {"found": 0, "resolved": 0, "ongoing": 1}
    # After the resolution: the need is no longer listed.
    assert "保育園の看護師配置" not in rows_by_title(build_needs_report(office, FiscalPeriod(2025, 3, 4)))
    # Last fiscal year: the old need found, acted on and resolved on 1 March 2025; the carried one found.
    last_year = build_needs_report(office, YEAR.previous_year())
    assert counts(last_year)["childcare-education"] == {"found": 2, "resolved": 1, "ongoing": 1}
    assert set(rows_by_title(last_year)) == {"保育園の看護師配置", "昨年度に解決した課題"}
    # A family found after the period's end does not count in it.
    need = register["one"]
    need_add_log(need=need, log=make_log(make_client(office, name="後日 家族"), user, date(2026, 4, 2)), user=user)
    assert rows_by_title(build_needs_report(office, YEAR))["夜間のレスパイト先が足りない"]["家族数"] == "3未満"


def test_a_status_set_without_a_note_counts_from_its_day(office, register):
    """An admin's edit of the status leaves no note: the need's own status and date count."""
    Need.objects.filter(pk=register["two"].pk).update(status=NeedStatus.RESOLVED, status_changed_on=date(2025, 11, 5))
    assert counts(build_needs_report(office, FiscalPeriod(2025, 3, 3)))["mobility"] == {
        "found": 0,
        "resolved": 1,
        "ongoing": 0,
    }
    assert counts(build_needs_report(office, FiscalPeriod(2025, 2, 2)))["mobility"]["ongoing"] == 1
    assert "通学の送迎手段がない" not in rows_by_title(build_needs_report(office, FiscalPeriod(2025, 4, 4)))


def test_only_the_offices_own_needs(office, register):
    other = make_office("三つめの区医療的ケア児等コーディネーター事業")
    report = build_needs_report(other, YEAR)
    assert report.event_sections[0].tables[0].rows == ()
    assert report.section(1).total == {"found": 0, "resolved": 0, "ongoing": 0}


def test_a_constant_number_of_queries(office, user, register):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            build_needs_report(office, YEAR)
        return len(captured)

    before = queries()
    clients = [make_client(office, name=f"追加 家族{index}") for index in range(4)]
    for index in range(6):
        need = a_need(office, user, f"追加の課題{index}", "other", clients=clients[: index % 4])
        move(need, user, NeedStatus.CONSIDERING, date(2025, 10, 1), "検討を始めた")
    assert queries() == before == 6


def as_text(identifier: str, content: bytes) -> str:
    """Every string of the output, run together without spaces (a name may wrap between its parts)."""
    if identifier == "xlsx":
        workbook = load_workbook(io.BytesIO(content))
        strings = [str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value]
    elif identifier == "pdf":
        with pdfplumber.open(io.BytesIO(content)) as document:
            # The page's lines, and each table cell's text whole (a cell's lines run together).
            strings = [page.extract_text() or "" for page in document.pages]
            strings += [
                cell or ""
                for page in document.pages
                for table in page.extract_tables()
                for row in table
                for cell in row
            ]
    elif identifier == "json":

        def walk(value):
            if isinstance(value, dict):
                return [text for item in value.values() for text in walk(item)]
            if isinstance(value, list):
                return [text for item in value for text in walk(item)]
            return [str(value)]

        strings = walk(json.loads(content))
    else:
        strings = [re.sub(r"<[^>]+>", "", content.decode("utf-8"))]
    return re.sub(r"\s+", "", "".join(strings))


@pytest.mark.parametrize("with_previous", [False, True])
@pytest.mark.parametrize("identifier", list(FORMATS))
def test_no_name_nor_log_text_in_any_format(office, user, register, identifier, with_previous):
    report = build_needs_report(office, YEAR)
    previous = build_needs_report(office, YEAR.previous_year()) if with_previous else None
    text = as_text(identifier, FORMATS[identifier].render(report, previous))
    assert "課題解決状況" in text and "訪問看護の事業所が少ない" in text and "3未満" in text
    if with_previous and FORMATS[identifier].takes_previous:
        assert "前年同期" in text
    secrets = [ONE_FAMILY_NAME, FIVE_FAMILY_NAME, "五家族一", "鷹司美和子", "調整役晴美", "別区太郎", "別区だけの課題"]
    secrets += [*LOG_TEXTS, "内容欄は報告書に出さない説明文", "needs-report-coordinator"]
    leaked = [secret for secret in secrets if re.sub(r"\s+", "", secret) in text]
    assert leaked == []
    # Nor any part of them.
    parts = ["鷹司", "一葉", "五十嵐", "真琴", "美和子", "調整役", "晴美", "五家族", "太郎", "秘匿", "介護", "説明文"]
    assert [part for part in parts if part in text] == []


@pytest.mark.parametrize("identifier", list(FORMATS))
def test_the_search_for_names_finds_one_that_got_into_a_cell(office, register, identifier):
    """The check above would see a name: one planted in a cell of the needs table is found."""
    report = build_needs_report(office, YEAR)
    section = report.event_sections[0]
    table = section.tables[0]
    planted_row = ("医療", f"{FIVE_FAMILY_NAME}さんの訪問看護が見つからない件について", *table.rows[0][2:])
    planted = replace(
        report,
        event_sections=(replace(section, tables=(replace(table, rows=(planted_row, *table.rows[1:])),)),),
    )
    assert re.sub(r"\s+", "", FIVE_FAMILY_NAME) in as_text(identifier, FORMATS[identifier].render(planted))


def test_json_round_trips(office, register):
    report = build_needs_report(office, YEAR)
    assert report_from_dict(report_to_dict(report)) == report
