"""The report as an Excel workbook laid out like the printed 業務報告書, paginated for A4 portrait.

Every table sits on one grid of columns: label columns (group ▸ subgroup ▸ leaf), then value
columns. Wider cells (a shallow leaf, a free text, an event's name) are merged spans. Neither
Excel nor LibreOffice sizes a row to a merged cell's text, so row heights are estimated here from
the text's width, and with them the workbook is paginated here rather than by the spreadsheet:

- The sheet prints at a fixed scale that fits the grid to the page width, so a page holds a known
  height of rows. Manual row breaks fall only between blocks that must stay together: a section's
  heading with its column headings and first group, each top-level group (its merged label cell
  with its rows), the last group with 合計.
- A sheet repeats one band of rows atop its pages (its print titles), and only on the pages after
  the one where the band first appears. So the report is split into sheets (named by their
  sections, e.g. 「1〜4」) such that at most one table on a sheet runs over a page break, its
  heading row being the sheet's print titles; what follows that table on its sheet fits on the
  page where it ends. A table that fits on a page starts a page rather than being split. Each
  sheet opens with the report's title; the first one also with the header lines.

Every text passes through `tabular.spreadsheets.escape_formula`, like every other file we write:
an event's name or a supervisor's text starting with `=` is shown as text, never run. The only
formulas are the report's own: each 合計 is the SUM of its column's rows.
"""

import math
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.writer.excel import ExcelWriter

from tabular.spreadsheets import escape_formula

from ..tables import EventSection, EventTable, Report, Row, Section
from .wrapping import NATURAL_BREAK

# IPAexGothic is installed with the app for the PDFs, so LibreOffice prints the sheet with it as
# laid out; its kana and kanji are all one em wide, which the width estimates below rely on.
# Charset 128 (Shift_JIS) makes Excel substitute a Japanese font on a PC that lacks it. It is
# also the workbook's default font, which is what a column width is measured in.
FONT_NAME, FONT_SIZE = "IPAexGothic", 10
SHEET_TITLE = "業務報告書"  # a sheet with no section
# Column widths in Excel's units: the width of a digit of the default font, in IPAexGothic 0.63 em,
# so 6.3 points (as LibreOffice prints it; Excel rounds it to whole pixels); a kanji is one em.
# The label columns hold on one line: a top group's label across the first two
# (「障害福祉サービス提供事業所」), a subgroup's in the third (「家族」), a date of the event
# tables in the fourth (「12月15日」), a leaf below a group across the last three
# (「区内相談支援事業者等に対する人材育成支援」).
LABEL_WIDTHS = (9, 13, 5, 8, 21)
LEAF_COLUMNS = 3  # a leaf below a group spans the last three label columns; a top group's label the others
VALUE_WIDTH = 9  # 「(延べ件数)」, 「100名程度」
VALUE_COLUMNS = 6  # room for the event tables' spans below
UNIT_POINTS, CELL_PADDING = 6.3, 6  # points
NARROW_EM = 0.63  # IPAexGothic's digits; its other half-width letters are at most as wide, mostly
LINE_HEIGHT, ROW_PADDING = 12.5, 4  # points, for a line of FONT_SIZE text
# Grid columns each column of an event table spans, by the table's number of columns: the long
# texts (name, method, topic, audience) get the wide spans. Other tables get one column each.
EVENT_SPANS = {7: (1, 2, 1, 1, 3, 2, 1), 5: (3, 1, 1, 4, 2)}

# A4 portrait less the margins below, in points; pages are filled to SAFETY of it, as the
# estimated heights may fall short of the printed ones.
PAGE_WIDTH, PAGE_HEIGHT = 595.3 - 72, 841.9 - 86.4
SAFETY = 0.92

PREVIOUS, MISSING = "前年同期", "—"

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", start_color="FFE8E8E8")


def render(report: Report, previous: Report | None = None, made_at: datetime | None = None) -> bytes:
    """The report as .xlsx bytes; with `previous`, the counted tables get 前年同期 columns.

    `made_at` (aware; default now) is the file's creation date: a finalized version passes the
    time it was finalized, so its file comes out the same whenever it is rendered again.
    """
    layout = _Layout(report, with_previous=previous is not None)
    layout.header(report)
    for section in report.sections:
        layout.counted(section, _same_section(previous, section.number), previous is not None)
    for section in report.event_sections:
        layout.event_section(section)
    layout.footnotes(report.footnotes)
    workbook = Workbook()
    font = Font(name=FONT_NAME, size=FONT_SIZE, charset=128)
    workbook._fonts = IndexedList([font])  # the default font, which column widths are measured in
    workbook._named_styles["Normal"].font = font
    layout.write(workbook)
    return _save(workbook, report, made_at or timezone.now())


def _same_section(report: Report | None, number: int) -> Section | None:
    return next((section for section in report.sections if section.number == number), None) if report else None


def _width(text: str) -> float:
    """Width in ems: full-width characters (and ambiguous ones, as Japanese fonts draw them) one, others less."""
    return sum(1 if unicodedata.east_asian_width(char) in "WFA" else NARROW_EM for char in text)


def _lines(text: str, points: float, size: float) -> int:
    """Lines the text wraps to in a cell so many points wide, in a font of `size` points."""
    capacity = max(points - CELL_PADDING, 1) / size  # ems per line
    return sum(max(1, math.ceil(_width(line) / capacity)) for line in text.split("\n"))


@dataclass(frozen=True)
class _Sum:
    """A 合計 cell: the SUM of its column from `first` to `last` (layout rows)."""

    first: int
    last: int


@dataclass
class _Cell:
    row: int
    column: int  # 0-based
    value: object
    last_row: int
    last_column: int
    bold: bool
    size: float
    boxed: bool
    header: bool
    center: bool


@dataclass
class _Part:
    """Rows printed in order that a sheet holds whole: the header, or a table (each of §6's two is one).

    `blocks` are its rows' runs that stay on one page, as (first, last) layout rows, in order;
    `headings` the rows repeated atop a page it continues on.
    """

    sections: tuple[int, ...]
    blocks: list[tuple[int, int]] = field(default_factory=list)
    headings: tuple[int, int] | None = None
    gap: bool = False  # whether its first block is a blank row before it

    @property
    def table(self) -> bool:
        return self.headings is not None

    @property
    def first(self) -> int:
        return self.blocks[0][0]

    @property
    def last(self) -> int:
        return self.blocks[-1][1]


@dataclass
class _Sheet:
    """A worksheet to be: its parts, the rows after which a page ends, the band its pages repeat."""

    parts: list[_Part]
    breaks: list[int] = field(default_factory=list)
    titles: tuple[int, int] | None = None

    @property
    def name(self) -> str:
        numbers = [number for part in self.parts for number in part.sections]
        if not numbers:
            return SHEET_TITLE
        return f"{numbers[0]}" if numbers[0] == numbers[-1] else f"{numbers[0]}〜{numbers[-1]}"


class _Layout:
    """The report written top to bottom on the grid as cells (layout rows from 1), split into parts."""

    def __init__(self, report: Report, with_previous: bool):
        self.row = 1
        self.widths = LABEL_WIDTHS + (VALUE_WIDTH,) * max(VALUE_COLUMNS, *_values_needed(report, with_previous))
        self.last_column = len(self.widths) - 1
        self.cells: list[_Cell] = []
        self.needs: list[tuple[int, int, float]] = []  # (first row, last row, points)
        self.parts: list[_Part] = []
        self.heights: dict[int, float] = {}

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
        """Note one cell (0-based column), merged over the given span, and the height it needs."""
        value = value if isinstance(value, _Sum) else escape_formula(value)
        last_column = column if last_column is None else last_column
        last_row = row if last_row is None else last_row
        self.cells.append(_Cell(row, column, value, last_row, last_column, bold, size, boxed, header, center))
        points = UNIT_POINTS * sum(self.widths[column : last_column + 1])
        lines = _lines(value, points, size) if isinstance(value, str) and value else 1
        self.needs.append((row, last_row, lines * LINE_HEIGHT * size / FONT_SIZE + ROW_PADDING))

    def header(self, report: Report):
        self.put(1, 0, report.title, last_column=self.last_column, bold=True, size=14, boxed=False)
        lines = (report.office, *report.header_lines)
        for row, line in enumerate(lines, start=2):
            self.put(row, 0, line, last_column=self.last_column, boxed=False)
        self.parts.append(_Part((), [(1, 1 + len(lines))]))
        self.row = 2 + len(lines)

    def start_part(self, sections: tuple[int, ...], heading: str | None = None) -> _Part:
        """A new part: a blank row (a block of its own, so that a page may end after it), then its heading if any."""
        part = _Part(sections, [(self.row, self.row)], gap=True)
        self.parts.append(part)
        self.row += 1
        if heading:
            self.put(self.row, 0, heading, last_column=self.last_column, bold=True, size=11, boxed=False)
            self.row += 1
        return part

    def counted(self, section: Section, previous: Section | None, with_previous: bool):
        """A counted table: labels, counts, 前年同期 counts when asked, free text, 合計."""
        part = self.start_part((section.number,), f"{section.number}. {section.title}")
        block_start = part.last + 1
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
        part.headings = (self.row, self.row)
        self.row += 1

        previous_rows = _index(previous.rows) if previous else {}
        first = self.row
        for index, row in enumerate(section.rows):
            if index and not _same_top_group(section.rows[index - 1], row):
                part.blocks.append((block_start, self.row - 1))
                block_start = self.row
            self._labels(section.rows, index, first)
            values = [row.values[key] for key in section.keys]
            if with_previous:
                match = previous_rows.get(row.key) or previous_rows.get(row.path)
                values += [match.values.get(key, MISSING) if match else MISSING for key in section.keys]
            self._values(labels, values)
            if section.has_text:
                self.put(self.row, text_column, row.text, last_column=self.last_column)
            self.row += 1

        count = len(section.keys) * (2 if with_previous else 1)
        total = [_Sum(first, self.row - 1) if section.rows else 0 for _ in range(count)]
        if with_previous and not previous:
            total[len(section.keys) :] = [MISSING] * len(section.keys)
        self.put(self.row, 0, "合計", last_column=labels - 1, bold=True)
        self._values(labels, total, bold=True)
        if section.has_text:
            self.put(self.row, text_column, "", last_column=self.last_column)
        part.blocks.append((block_start, self.row))  # the last group with 合計
        self.row += 1

    def _labels(self, rows: tuple[Row, ...], index: int, first: int):
        """A row's labels: a group label once, merged down over its rows; the leaf across to the last label column."""
        path = rows[index].path
        columns = _label_columns(len(path))
        for level, label in enumerate(path[:-1]):
            if index and _group(rows[index - 1], level) == path[: level + 1]:
                continue
            span = 1
            while index + span < len(rows) and _group(rows[index + span], level) == path[: level + 1]:
                span += 1
            start, end = columns[level]
            label = self._wrapped(label, start, end)
            self.put(first + index, start, label, last_column=end, last_row=first + index + span - 1)
        start, _ = columns[len(path) - 1]
        end = len(LABEL_WIDTHS) - 1
        self.put(first + index, start, self._wrapped(path[-1], start, end), last_column=end)

    def _wrapped(self, label: str, column: int, last_column: int) -> str:
        """The label, with a line break at a natural point (after 等, ・, の…, before a bracket) if it
        is too wide for its cell: left to the spreadsheet, it would break anywhere, 「地域づく/り」."""
        points = UNIT_POINTS * sum(self.widths[column : last_column + 1])
        if " " in label or _lines(label, points, FONT_SIZE) == 1:
            return label
        fitting = [
            match.start()
            for match in NATURAL_BREAK.finditer(label, 1, len(label) - 1)
            if _lines(label[: match.start()], points, FONT_SIZE) == 1
        ]
        if not fitting:
            return label
        return label[: fitting[-1]] + "\n" + self._wrapped(label[fitting[-1] :], column, last_column)

    def _values(self, column: int, values: list, bold=False):
        for offset, value in enumerate(values):
            self.put(self.row, column + offset, value, bold=bold, center=value == MISSING)

    def event_section(self, section: EventSection):
        """A section's event tables as one table: each table's heading row, then its rows, directly below."""
        for index, table in enumerate(section.tables):
            if index:
                part = _Part((section.number,), [])
                self.parts.append(part)
                self.events(part, table, self.row)
            else:
                part = self.start_part((section.number,), f"{section.number}. {section.title}")
                self.events(part, table, part.last + 1)

    def events(self, part: _Part, table: EventTable, block_start: int):
        """An event table: its column headings, then one row per event (a grouped table's first column merged down each group)."""
        spans = _spans(table)
        starts = [sum(spans[:index]) for index in range(len(spans))]
        ends = [start + span - 1 for start, span in zip(starts, spans)]
        ends[-1] = self.last_column
        for value, start, end in zip(table.columns, starts, ends):
            self.put(self.row, start, value, last_column=end, header=True)
        part.headings = (self.row, self.row)
        self.row += 1
        first_rows = 2  # the heading row stays with the first two events (or the first group)
        for index, cells in enumerate(table.rows):
            same_group = index and table.grouped and cells[0] == table.rows[index - 1][0]
            if index >= (1 if table.grouped else first_rows) and not same_group:
                part.blocks.append((block_start, self.row - 1))
                block_start = self.row
            for column, (value, start, end) in enumerate(zip(cells, starts, ends)):
                if column == 0 and table.grouped:
                    if same_group:
                        continue
                    span = 1
                    while index + span < len(table.rows) and table.rows[index + span][0] == value:
                        span += 1
                    self.put(self.row, start, value, last_column=end, last_row=self.row + span - 1)
                else:
                    self.put(self.row, start, value, last_column=end)
            self.row += 1
        part.blocks.append((block_start, self.row - 1))

    def footnotes(self, footnotes: tuple[str, ...]):
        """The footnotes, after a blank row, on the last table's sheet."""
        if not footnotes:
            return
        part = self.parts[-1]
        part.blocks.append((self.row, self.row))
        self.row += 1
        for footnote in footnotes:
            self.put(self.row, 0, f"※{footnote}", last_column=self.last_column, boxed=False)
            self.row += 1
        part.blocks.append((part.last + 1, self.row - 1))

    def measure(self):
        """Give every row the height its cells need; a merged cell's shortfall goes to its last row."""
        heights = self.heights
        for first, last, points in sorted(self.needs, key=lambda need: need[1] - need[0]):
            rows = range(first, last + 1)
            shortfall = points - sum(heights.get(row, LINE_HEIGHT + ROW_PADDING) for row in rows)
            for row in rows:
                heights.setdefault(row, LINE_HEIGHT + ROW_PADDING)
            if shortfall > 0:
                heights[last] += shortfall
        for row in range(1, self.row):
            heights.setdefault(row, LINE_HEIGHT + ROW_PADDING)

    @property
    def scale(self) -> int:
        """The print scale (%) that fits the grid to the page's width."""
        return min(100, math.floor(100 * PAGE_WIDTH / (UNIT_POINTS * sum(self.widths) + 2)))

    def paginate(self) -> list[_Sheet]:
        """The sheets and their page breaks: blocks fill pages in order; a table that fits on a page is
        not split; one that does not (or §6's second part, which continues the table above it) runs
        over pages under its repeated heading row, and what follows it stays on its sheet only if it
        fits on the page where it ends."""
        capacity = SAFETY * PAGE_HEIGHT * 100 / self.scale

        def height(first, last):
            return sum(self.heights[row] for row in range(first, last + 1))

        title = self.heights[1]
        sheets = [_Sheet([self.parts[0]])]
        used = height(self.parts[0].first, self.parts[0].last)
        for part in self.parts[1:]:
            sheet = sheets[-1]
            if sheet.titles and used + height(part.first, part.last) > capacity:
                # Past the page where the sheet's running table ends, its heading would top the page.
                sheet = _Sheet([])
                sheets.append(sheet)
                used = title
            sheet.parts.append(part)
            lead, body = (part.blocks[:1], part.blocks[1:]) if part.gap else ([], part.blocks)
            if part.table and body and not sheet.titles and used + height(part.first, part.last) > capacity:
                if height(body[0][0], part.last) > capacity - title or not part.gap:
                    sheet.titles = part.headings  # too tall for a page, or continuing the table above it
                else:
                    body = [(body[0][0], part.last)]  # on the next page, whole
            band = height(*sheet.titles) if sheet.titles else 0
            for first, last in lead + body:
                if height(first, last) <= capacity - title - band:
                    pieces = [(first, last)]
                else:  # taller than a page: broken between its rows
                    pieces = [(row, row) for row in range(first, last + 1)]
                for start, end in pieces:
                    if used + height(start, end) > capacity:
                        sheet.breaks.append(start - 1)
                        used = band if sheet.titles and start > sheet.titles[1] else 0
                    used += height(start, end)
        return sheets

    def write(self, workbook: Workbook):
        """The sheets, each cell on its sheet's row: the first sheet as laid out, a later one under the title."""
        self.measure()
        scale = self.scale
        by_row: dict[int, list[_Cell]] = {}
        for cell in self.cells:
            by_row.setdefault(cell.row, []).append(cell)
        for index, sheet in enumerate(self.paginate()):
            ws = workbook.active if index == 0 else workbook.create_sheet()
            ws.title = _unique(sheet.name, workbook.sheetnames[:index])
            for column, width in enumerate(self.widths, start=1):
                ws.column_dimensions[get_column_letter(column)].width = width
            _page_setup(ws, scale)
            shift = 0 if index == 0 else 2 - sheet.parts[0].first
            rows = {} if index == 0 else {1: 1}  # layout row -> sheet row
            for part in sheet.parts:
                rows.update({row: row + shift for row in range(part.first, part.last + 1)})
            for layout_row, sheet_row in rows.items():
                ws.row_dimensions[sheet_row].height = round(self.heights[layout_row], 1)
                for cell in by_row.get(layout_row, ()):
                    _write_cell(ws, cell, sheet_row - layout_row)
            for row in sheet.breaks:
                ws.row_breaks.append(Break(id=rows[row]))
            if sheet.titles:
                ws.print_title_rows = f"{rows[sheet.titles[0]]}:{rows[sheet.titles[1]]}"


def _write_cell(ws, spec: _Cell, shift: int):
    """Write a noted cell `shift` rows down from its layout row."""
    row, last_row = spec.row + shift, spec.last_row + shift
    value = spec.value
    if isinstance(value, _Sum):
        letter = get_column_letter(spec.column + 1)
        value = f"=SUM({letter}{value.first + shift}:{letter}{value.last + shift})"
    cell = ws.cell(row=row, column=spec.column + 1, value=None if value == "" else value)
    cell.font = Font(name=FONT_NAME, size=spec.size, bold=spec.bold or spec.header, charset=128)
    cell.alignment = Alignment(
        horizontal="center" if spec.header or spec.center else None,
        vertical="center",
        wrap_text=isinstance(spec.value, str),
    )
    if spec.boxed:
        cell.border = BOX
    if spec.header:
        cell.fill = HEADER_FILL
    if isinstance(spec.value, int | _Sum):
        cell.number_format = "#,##0"
    if (last_row, spec.last_column) != (row, spec.column):
        # Merging copies the top-left cell's border onto the edges of the range.
        ws.merge_cells(start_row=row, start_column=spec.column + 1, end_row=last_row, end_column=spec.last_column + 1)


def _unique(name: str, taken: list[str]) -> str:
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name} ({number})", number + 1
    return candidate


def _narrow(heading: str) -> str:
    """The heading with a line break before its bracket, to fit a value column: 相談対象 over (実人数)."""
    return heading.replace(" (", "\n(")


def _label_columns(depth: int) -> list[tuple[int, int]]:
    """The grid columns (first, last) of each level's label in a row `depth` labels deep."""
    labels = len(LABEL_WIDTHS)
    if depth == 1:
        return [(0, labels - 1)]
    top = (0, labels - LEAF_COLUMNS - 1)
    middle = [(labels - LEAF_COLUMNS + level, labels - LEAF_COLUMNS + level) for level in range(depth - 2)]
    return [top, *middle, (labels - LEAF_COLUMNS + depth - 2, labels - 1)]


def _values_needed(report: Report, with_previous: bool) -> list[int]:
    """Value columns each table needs beyond the labels (with room for 前年同期 and a text)."""
    counted = [len(section.keys) * (2 if with_previous else 1) + section.has_text for section in report.sections]
    events = [sum(_spans(table)) - len(LABEL_WIDTHS) for section in report.event_sections for table in section.tables]
    return counted + events + [0]


def _spans(table: EventTable) -> tuple[int, ...]:
    return EVENT_SPANS.get(len(table.columns), (1,) * len(table.columns))


def _group(row: Row, level: int) -> tuple[str, ...] | None:
    """The row's group path down to `level`, or None when the label there is the row's leaf."""
    return row.path[: level + 1] if len(row.path) > level + 1 else None


def _same_top_group(before: Row, row: Row) -> bool:
    return _group(before, 0) is not None and _group(before, 0) == _group(row, 0)


def _index(rows: tuple[Row, ...]) -> dict:
    """Rows by key and by path, for finding last year's row of this year's."""
    return {**{row.path: row for row in rows}, **{row.key: row for row in rows if row.key}}


def _page_setup(worksheet, scale: int):
    worksheet.page_setup.paperSize = worksheet.PAPERSIZE_A4
    worksheet.page_setup.orientation = worksheet.ORIENTATION_PORTRAIT
    worksheet.page_setup.scale = scale
    worksheet.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    worksheet.print_options.horizontalCentered = True
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
