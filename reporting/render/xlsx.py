"""The report as an Excel workbook: one A4 portrait sheet laid out like the printed 業務報告書.

Every table sits on one grid of columns: three label columns (group ▸ subgroup ▸ leaf), then
value columns. Wider cells (a shallow leaf, a free text, an event's name) are merged spans.
Neither Excel nor LibreOffice sizes a row to a merged cell's text, so row heights are estimated
here from the text's width.

Every text passes through `tabular.spreadsheets.escape_formula`, like every other file we write:
an event's name or a supervisor's text starting with `=` is shown as text, never run. The
report writes no formula of its own (its totals are numbers computed by the builder).
"""

import math
import unicodedata
from datetime import UTC, datetime
from io import BytesIO
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.writer.excel import ExcelWriter

from tabular.spreadsheets import escape_formula

from ..tables import EventSection, EventTable, Report, Row, Section

SHEET_TITLE = "業務報告書"
# IPAexGothic is installed with the app for the PDFs, so LibreOffice prints the sheet with it as
# laid out; its kana and kanji are all one em wide, which the width estimates below rely on.
# Charset 128 (Shift_JIS) makes Excel substitute a Japanese font on a PC that lacks it.
FONT_NAME, FONT_SIZE = "IPAexGothic", 10
LABEL_WIDTHS = (12, 6, 22)  # in Excel's width units; a kanji is about two
VALUE_WIDTH = 9
VALUE_COLUMNS = 9  # room for the event tables' spans below and §1's counts with 前年同期
LINE_HEIGHT, ROW_PADDING = 12.5, 4  # points, for a line of FONT_SIZE text
# Grid columns each column of an event table spans, by the table's number of columns: the long
# texts (name, method, topic, audience) get the wide spans. Other tables get one column each.
EVENT_SPANS = {7: (1, 2, 1, 2, 3, 2, 1), 5: (3, 1, 2, 4, 2)}

PREVIOUS, MISSING = "前年同期", "—"

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", start_color="FFE8E8E8")


def render(report: Report, previous: Report | None = None, made_at: datetime | None = None) -> bytes:
    """The report as .xlsx bytes; with `previous`, the counted tables get 前年同期 columns.

    `made_at` (aware; default now) is the file's creation date: a finalized version passes the
    time it was finalized, so its file comes out the same whenever it is rendered again.
    """
    workbook = Workbook()
    sheet = _Sheet(workbook.active, report)
    sheet.header(report)
    for section in report.sections:
        sheet.counted(section, _same_section(previous, section.number), previous is not None)
    for section in report.event_sections:
        sheet.event_section(section)
    sheet.footnotes(report.footnotes)
    sheet.finish()
    return _save(workbook, report, made_at or timezone.now())


def _same_section(report: Report | None, number: int) -> Section | None:
    return next((section for section in report.sections if section.number == number), None) if report else None


def _display_width(text: str) -> int:
    """Width in half-width characters: full-width ones (and ambiguous ones, as Japanese fonts draw them) count two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WFA" else 1 for char in text)


def _lines(text: str, pixels: float, size: float) -> int:
    """Lines the text wraps to in a cell so many pixels wide, at 96 dpi, where a kanji is `size` points."""
    capacity = max(pixels - 8, 1) * 1.5 / size  # half-width characters per line, less the cell's padding
    return sum(max(1, math.ceil(_display_width(line) / capacity)) for line in text.split("\n"))


class _Sheet:
    """A worksheet written top to bottom on the grid, remembering the height each cell needs."""

    def __init__(self, worksheet, report: Report):
        self.ws, self.row = worksheet, 1
        self.widths = LABEL_WIDTHS + (VALUE_WIDTH,) * max(VALUE_COLUMNS, *_values_needed(report))
        self.last_column = len(self.widths) - 1
        self.needs: list[tuple[int, int, float]] = []  # (first row, last row, points)
        worksheet.title = SHEET_TITLE
        for index, width in enumerate(self.widths, start=1):
            worksheet.column_dimensions[get_column_letter(index)].width = width
        _page_setup(worksheet)

    def put(
        self,
        row,
        column,
        value,
        *,
        last_column=None,
        last_row=None,
        bold=False,
        size=FONT_SIZE,
        boxed=True,
        header=False,
        center=False,
    ):
        """Write one cell (0-based column), merged over the given span, and note its height."""
        value = escape_formula(value)
        last_column = column if last_column is None else last_column
        last_row = row if last_row is None else last_row
        cell = self.ws.cell(row=row, column=column + 1, value=None if value == "" else value)
        cell.font = Font(name=FONT_NAME, size=size, bold=bold or header, charset=128)
        cell.alignment = Alignment(
            horizontal="center" if header or center else None,
            vertical="center",
            wrap_text=isinstance(value, str),
        )
        if boxed:
            cell.border = BOX
        if header:
            cell.fill = HEADER_FILL
        if isinstance(value, int):
            cell.number_format = "#,##0"
        if (last_row, last_column) != (row, column):
            # Merging copies the top-left cell's border onto the edges of the range.
            self.ws.merge_cells(start_row=row, start_column=column + 1, end_row=last_row, end_column=last_column + 1)
        # Excel draws a column of width w as 7w + 5 pixels (the digits of its default font).
        pixels = sum(7 * width + 5 for width in self.widths[column : last_column + 1])
        lines = _lines(value, pixels, size) if isinstance(value, str) and value else 1
        self.needs.append((row, last_row, lines * LINE_HEIGHT * size / FONT_SIZE + ROW_PADDING))

    def header(self, report: Report):
        self.put(1, 0, report.title, last_column=self.last_column, bold=True, size=14, boxed=False)
        lines = (
            report.office,
            report.schedule,
            f"{report.business_days} 営業日",
            f"時間外の活動：{report.out_of_hours}回 / {report.activities}回",
        )
        for row, line in enumerate(lines, start=2):
            self.put(row, 0, line, last_column=self.last_column, boxed=False)
        self.row = 2 + len(lines) + 1

    def heading(self, text: str):
        self.put(self.row, 0, text, last_column=self.last_column, bold=True, size=11, boxed=False)
        self.row += 1

    def counted(self, section: Section, previous: Section | None, with_previous: bool):
        """A counted table: labels, counts, 前年同期 counts when asked, free text, 合計."""
        self.heading(f"{section.number}. {section.title}")
        labels = len(LABEL_WIDTHS)
        headings = [_narrow(heading) for heading in section.headings or section.keys]
        if with_previous:
            headings += [PREVIOUS if len(section.keys) == 1 else f"{PREVIOUS}\n{heading}" for heading in headings]
        text_column = labels + len(headings)
        self.put(self.row, 0, "", last_column=labels - 1, header=True)
        for offset, heading in enumerate(headings):
            self.put(self.row, labels + offset, heading, header=True)
        if section.has_text:
            self.put(self.row, text_column, section.text_heading, last_column=self.last_column, header=True)
        self.row += 1

        previous_rows = _index(previous.rows) if previous else {}
        first = self.row
        for index, row in enumerate(section.rows):
            self._labels(section.rows, index, first)
            values = [row.values[key] for key in section.keys]
            if with_previous:
                match = previous_rows.get(row.key) or previous_rows.get(row.path)
                values += [match.values.get(key, MISSING) if match else MISSING for key in section.keys]
            self._values(labels, values)
            if section.has_text:
                self.put(self.row, text_column, row.text, last_column=self.last_column)
            self.row += 1

        total = [section.total[key] for key in section.keys]
        if with_previous:
            total += [previous.total.get(key, MISSING) if previous else MISSING for key in section.keys]
        self.put(self.row, 0, "合計", last_column=labels - 1, bold=True)
        self._values(labels, total, bold=True)
        if section.has_text:
            self.put(self.row, text_column, "", last_column=self.last_column)
        self.row += 2

    def _labels(self, rows: tuple[Row, ...], index: int, first: int):
        """A row's labels: a group label once, merged down over its rows; the leaf across to the last label column."""
        path = rows[index].path
        for level, label in enumerate(path[:-1]):
            if index and _group(rows[index - 1], level) == path[: level + 1]:
                continue
            span = 1
            while index + span < len(rows) and _group(rows[index + span], level) == path[: level + 1]:
                span += 1
            self.put(first + index, level, label, last_row=first + index + span - 1)
        self.put(first + index, len(path) - 1, path[-1], last_column=len(LABEL_WIDTHS) - 1)

    def _values(self, column: int, values: list, bold=False):
        for offset, value in enumerate(values):
            self.put(self.row, column + offset, value, bold=bold, center=value == MISSING)

    def event_section(self, section: EventSection):
        """A section's event tables, one under the other."""
        self.heading(f"{section.number}. {section.title}")
        for table in section.tables:
            self.events(table)
            self.row += 1

    def events(self, table: EventTable):
        """An event table: its column headings, then one row per event."""
        spans = _spans(table)
        starts = [sum(spans[:index]) for index in range(len(spans))]
        ends = [start + span - 1 for start, span in zip(starts, spans)]
        ends[-1] = self.last_column
        for cells, header in [(table.columns, True)] + [(row, False) for row in table.rows]:
            for value, start, end in zip(cells, starts, ends):
                self.put(self.row, start, value, last_column=end, header=header)
            self.row += 1

    def footnotes(self, footnotes: tuple[str, ...]):
        for footnote in footnotes:
            self.put(self.row, 0, f"※{footnote}", last_column=self.last_column, boxed=False)
            self.row += 1

    def finish(self):
        """Give every row the height its cells need; a merged cell's shortfall goes to its last row."""
        heights: dict[int, float] = {}
        for first, last, points in sorted(self.needs, key=lambda need: need[1] - need[0]):
            rows = range(first, last + 1)
            shortfall = points - sum(heights.get(row, LINE_HEIGHT + ROW_PADDING) for row in rows)
            for row in rows:
                heights.setdefault(row, LINE_HEIGHT + ROW_PADDING)
            if shortfall > 0:
                heights[last] += shortfall
        for row, height in heights.items():
            self.ws.row_dimensions[row].height = round(height, 1)


def _narrow(heading: str) -> str:
    """The heading with a line break before its bracket, to fit a value column: 相談対象 over (実人数)."""
    return heading.replace(" (", "\n(")


def _values_needed(report: Report) -> list[int]:
    """Value columns each table needs beyond the labels (with room for 前年同期 and a text)."""
    counted = [2 * len(section.keys) + section.has_text for section in report.sections]
    events = [sum(_spans(table)) - len(LABEL_WIDTHS) for section in report.event_sections for table in section.tables]
    return counted + events + [0]


def _spans(table: EventTable) -> tuple[int, ...]:
    return EVENT_SPANS.get(len(table.columns), (1,) * len(table.columns))


def _group(row: Row, level: int) -> tuple[str, ...] | None:
    """The row's group path down to `level`, or None when the label there is the row's leaf."""
    return row.path[: level + 1] if len(row.path) > level + 1 else None


def _index(rows: tuple[Row, ...]) -> dict:
    """Rows by key and by path, for finding last year's row of this year's."""
    return {**{row.path: row for row in rows}, **{row.key: row for row in rows if row.key}}


def _page_setup(worksheet):
    worksheet.page_setup.paperSize = worksheet.PAPERSIZE_A4
    worksheet.page_setup.orientation = worksheet.ORIENTATION_PORTRAIT
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    worksheet.page_setup.fitToWidth, worksheet.page_setup.fitToHeight = 1, 0
    worksheet.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    worksheet.print_options.horizontalCentered = True
    # Excel repeats one band of rows on every page; the tables' headings differ, so the band is
    # the report's title, which says on every page which report and period it is.
    worksheet.print_title_rows = "1:1"
    worksheet.oddFooter.center.text = "&P / &N"
    worksheet.oddFooter.center.font = f"{FONT_NAME},Regular"


def _save(workbook: Workbook, report: Report, made_at: datetime) -> bytes:
    """The workbook's bytes, the same for the same report and `made_at`: that date inside and on the zip entries."""
    # openpyxl writes the properties' dates as UTC ("…Z") and drops any tzinfo; zip entries hold local time.
    workbook.properties.created = workbook.properties.modified = made_at.astimezone(UTC).replace(
        tzinfo=None, microsecond=0
    )
    stamp = timezone.localtime(made_at)
    workbook.properties.creator = workbook.properties.lastModifiedBy = "Tsunagu"
    workbook.properties.title = report.title
    written = BytesIO()
    # Not workbook.save(): it stamps the modified date with the clock.
    ExcelWriter(workbook, ZipFile(written, "w", ZIP_DEFLATED, allowZip64=True)).save()
    output = BytesIO()
    with ZipFile(written) as source, ZipFile(output, "w", ZIP_DEFLATED) as target:
        for entry in source.infolist():  # the writer dates each entry with the clock, too
            target.writestr(
                ZipInfo(entry.filename, date_time=stamp.timetuple()[:6]), source.read(entry), compress_type=ZIP_DEFLATED
            )
    return output.getvalue()
