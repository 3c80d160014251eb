"""Checks a printed 業務報告書 (our PDF, or LibreOffice's print of our Excel) from the text on its pages.

pdfplumber gives every word on a page with its position. A cell's text on one line is one word
(cells are padded apart), so the checks below need nothing from the renderer but the Report:

- every row label of sections 1–5 and every 参加者数 value is whole: its words on one line (a
  label's spaces part words), or a long label wrapped only at a natural point (NATURAL_BREAKS),
  never inside a word (「地域づく / り」);
- a group's label is on the page of the group's first row (「就学」 is not left at the foot of a
  page while 小学校 starts the next), and a group of up to KEPT_TOGETHER rows is on one page;
- every page a table continues on starts with the table's heading row above its rows.

`layout_problems` returns the problems found, in Japanese-free plain words, for an assert.
"""

import io
from dataclasses import dataclass

import pdfplumber

from reporting.tables import EventTable, Report, Section

# Where a long label may wrap: after these (a space, a particle, a list mark, a closing bracket)
# or before an opening bracket; never elsewhere inside a word.
BREAK_AFTER = (" ", "等", "・", "、", "）", ")", "の", "との", "に対する")
BREAK_BEFORE = ("（", "(")
KEPT_TOGETHER = 10
# An event table's column that holds one short date per row: the rows are found by it.
DATE_COLUMNS = {"実施日", "開催日", "期間"}
PARTICIPANTS = "参加者数"


@dataclass(frozen=True)
class Word:
    page: int  # 1-based
    top: float
    x0: float
    text: str
    bottom: float = 0.0


def words(pdf: bytes) -> list[Word]:
    """Every word of the document in reading order: page by page, top to bottom, left to right."""
    found = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, start=1):
            for word in page.extract_words(x_tolerance=1.5, y_tolerance=2, keep_blank_chars=False):
                found.append(Word(number, round(word["top"], 1), word["x0"], word["text"], word["bottom"]))
    return sorted(found, key=lambda word: (word.page, word.top, word.x0))


class _Reader:
    """Finds a report's rows in the word stream, in order, remembering what it could not find."""

    def __init__(self, pdf: bytes):
        self.words = words(pdf)
        self.cursor = 0
        self.problems: list[str] = []

    def next_equal(self, text: str, start: int | None = None) -> int | None:
        start = self.cursor if start is None else start
        return next((i for i in range(start, len(self.words)) if self.words[i].text == text), None)

    def next_label(self, label: str, start: int | None = None, stop: int | None = None) -> int | None:
        """The index of the label's first word: the whole label on one line, or wrapped at natural points."""
        start = self.cursor if start is None else start
        stop = len(self.words) if stop is None else stop
        return next((i for i in range(start, stop) if self._spells(i, label)), None)

    def _spells(self, index: int, label: str) -> bool:
        word = self.words[index]
        if not label.startswith(word.text):
            return False
        rest = label[len(word.text) :]
        if not rest:
            return True
        spaced = rest.startswith(" ")
        if not (spaced or word.text.endswith(BREAK_AFTER) or rest.startswith(BREAK_BEFORE)):
            return False  # broken inside a word
        following = self._next_in_cell(index, same_line=spaced)
        return following is not None and self._spells(following, rest.lstrip(" "))

    def _next_in_cell(self, index: int, same_line: bool) -> int | None:
        """The word after words[index] in its cell: to its right on the line, or starting the next line."""
        word = self.words[index]
        for i in range(index + 1, min(index + 200, len(self.words))):
            other = self.words[i]
            if other.page != word.page:
                return None
            if same_line and abs(other.top - word.top) < 1.5 and other.x0 > word.x0:
                return i
            height = word.bottom - word.top
            if not same_line and word.bottom - 0.5 <= other.top <= word.bottom + height and abs(other.x0 - word.x0) < 2:
                return i
        return None

    def section_start(self, number: int, title: str) -> int | None:
        """The index of the section's heading (「3.」 followed by its title's first word)."""
        first = title.split()[0]
        index = self.cursor
        while (index := self.next_equal(f"{number}.", index)) is not None:
            following = self.words[index + 1].text if index + 1 < len(self.words) else ""
            if following.startswith(first) or first.startswith(following):
                return index
            index += 1
        self.problems.append(f"section {number}: heading not found")
        return None

    def heading_above(self, index: int, heading: str) -> bool:
        """Whether `heading` is a word on the same page as words[index], above it."""
        row = self.words[index]
        return any(w.page == row.page and w.text == heading and w.top < row.top for w in self.words)

    def continuation_pages(self, name: str, heading: str, row_indexes: list[int]):
        """Each page after the first that holds rows of a table must show its heading above them."""
        first_on_page: dict[int, int] = {}
        for index in row_indexes:
            first_on_page.setdefault(self.words[index].page, index)
        for page, index in sorted(first_on_page.items())[1:]:
            if not self.heading_above(index, heading):
                self.problems.append(f"{name}: page {page} continues the table without its heading {heading!r}")


def _counted(reader: _Reader, section: Section):
    if reader.section_start(section.number, section.title) is None:
        return
    reader.cursor += 1
    leaves: list[int | None] = []
    for row in section.rows:
        index = reader.next_label(row.path[-1])
        if index is None:
            reader.problems.append(f"section {section.number}: label {row.path[-1]!r} is broken inside a word")
        else:
            reader.cursor = index + 1
        leaves.append(index)
    _groups(reader, section, leaves)
    heading = (section.headings or section.keys)[0].split()[0]
    reader.continuation_pages(f"section {section.number}", heading, [i for i in leaves if i is not None])


def _groups(reader: _Reader, section: Section, leaves: list[int | None]):
    """A group's label lies between the row before the group and the group's last row (a merged
    cell prints its label at the top, or in the middle); it must be on its first row's page."""
    rows = section.rows
    for level in range(max((len(row.path) for row in rows), default=1) - 1):
        start = 0
        while start < len(rows):
            prefix = rows[start].path[: level + 1]
            end = start
            while (
                end + 1 < len(rows)
                and rows[end + 1].path[: level + 1] == prefix
                and len(rows[end + 1].path) > level + 1
            ):
                end += 1
            if len(rows[start].path) > level + 1 and leaves[start] is not None:
                before = next((leaves[i] for i in range(start - 1, -1, -1) if leaves[i] is not None), None)
                after = next((leaves[i] for i in range(end + 1, len(rows)) if leaves[i] is not None), None)
                window = range(
                    before + 1 if before is not None else 0, after if after is not None else len(reader.words)
                )
                label = reader.next_label(prefix[-1], window.start, window.stop)
                if label is None:
                    reader.problems.append(
                        f"section {section.number}: group label {prefix[-1]!r} is broken inside a word"
                    )
                elif reader.words[label].page != reader.words[leaves[start]].page:
                    reader.problems.append(
                        f"section {section.number}: group {prefix[-1]!r} is on page {reader.words[label].page},"
                        f" its first row {rows[start].path[-1]!r} on page {reader.words[leaves[start]].page}"
                    )
                pages = {reader.words[i].page for i in leaves[start : end + 1] if i is not None}
                if len(pages) > 1 and end - start < KEPT_TOGETHER:
                    reader.problems.append(
                        f"section {section.number}: group {prefix[-1]!r} is split over pages {sorted(pages)}"
                    )
            start = end + 1


def _events(reader: _Reader, number: int, table: EventTable):
    date_column = next((i for i, column in enumerate(table.columns) if column in DATE_COLUMNS), None)
    participants = table.columns.index(PARTICIPANTS) if PARTICIPANTS in table.columns else None
    heading = reader.next_equal(table.columns[0])
    if heading is None:
        reader.problems.append(f"section {number} {table.title}: heading row not found")
        return
    reader.cursor = heading + 1
    dates = []
    for row in table.rows:
        start = reader.cursor
        index = reader.next_equal(row[date_column]) if date_column is not None else None
        if index is None:
            reader.problems.append(f"section {number} {table.title}: row {row[:3]!r} not found")
            continue
        reader.cursor = index + 1
        dates.append(index)
        # 参加者数 may wrap between its parts (「学生70名 教員4名」), never inside one.
        for part in row[participants].split() if participants is not None else []:
            window = range(max(start - 40, 0), min(index + 40, len(reader.words)))
            if not any(reader.words[i].text == part for i in window):
                reader.problems.append(f"section {number}: 参加者数 {part!r} is not whole on one line")
    reader.continuation_pages(f"section {number} {table.title}", table.columns[0], dates)


def layout_problems(pdf: bytes, report: Report) -> list[str]:
    """What is wrong with the printed report's pages (empty when nothing is)."""
    reader = _Reader(pdf)
    for section in report.sections:
        _counted(reader, section)
    for section in report.event_sections:
        if reader.section_start(section.number, section.title) is not None:
            reader.cursor += 1
        for table in section.tables:
            _events(reader, section.number, table)
    return reader.problems
