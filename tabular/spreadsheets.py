"""Reading uploaded spreadsheets and writing exported ones, safely.

Uploads are `.xlsx` workbooks (checked to be a real Office Open XML workbook without macros)
or `.csv` text (UTF-8, UTF-8 with BOM or CP932), at most 5 MB. Formula cells are read as their
formula text and reported, never evaluated. Exports put an apostrophe before any text a
spreadsheet program would take for a formula (reporting and directory call `escape_formula` for the
files they write themselves: one rule for every file).
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

import tablib
from django.http import FileResponse
from import_export.formats.base_formats import CSV, XLSX

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
# No import has more than a few dozen columns; a row of millions of empty cells (a line of
# commas) would cost hundreds of MB as Python objects.
MAX_COLUMNS = 200
# Zip bombs: a 5 MB zip can inflate to gigabytes. These limits are checked on the zip's directory
# before openpyxl opens anything; Python's zipfile never inflates a member past the size the
# directory declares (it stops there and fails the CRC), so the declared sizes are the real bound.
# A real workbook of 10,000 rows stays far below each of them: its sheet XML compresses about
# 10-30 times and it has a dozen members, while deflate reaches about 1,000 times on filler.
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_ZIP_MEMBERS = 1_000
MAX_COMPRESSION_RATIO = 200
# Small members (styles, themes) may compress better than the ratio without costing anything.
RATIO_CHECKED_ABOVE_BYTES = 1024 * 1024

FORMATS = {"xlsx": XLSX, "csv": CSV}
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}

# Text a spreadsheet program reads as a formula once leading spaces are gone (OWASP's list).
FORMULA_START = re.compile(r"^[ \u3000]*[=+\-@\t\r]")


class UploadError(Exception):
    """An upload that cannot be read; the message is for the user, in Japanese."""


@dataclass
class Sheet:
    """The first sheet of an upload: the rows under the header, and where they came from."""

    dataset: tablib.Dataset
    # The spreadsheet row number of each dataset row (the header is row 1).
    row_numbers: list[int] = field(default_factory=list)
    # Dataset row index → the headers of its cells that held a formula.
    formula_cells: dict[int, list[str]] = field(default_factory=dict)


def escape_formula(value):
    """`'=1+1` for `=1+1`: text that would start a formula gets a leading apostrophe."""
    if isinstance(value, str) and FORMULA_START.match(value):
        return "'" + value
    return value


def unescape_formula(value):
    """Undoes `escape_formula` on imported text, so an exported file imports unchanged."""
    if isinstance(value, str) and value.startswith("'") and FORMULA_START.match(value[1:]):
        return value[1:]
    return value


def export_bytes(dataset: tablib.Dataset, file_format: str) -> bytes:
    """The dataset as an .xlsx or a .csv (UTF-8 with BOM, which Excel opens as Japanese)."""
    escaped = tablib.Dataset(headers=[escape_formula(h) for h in dataset.headers], title=dataset.title)
    for row in dataset:
        escaped.append([escape_formula(value) for value in row])
    content = FORMATS[file_format]().export_data(escaped)
    if isinstance(content, str):
        return content.encode("utf-8-sig")
    return content


def spreadsheet_response(dataset: tablib.Dataset, file_format: str, *, filename: str) -> FileResponse:
    """The dataset as a download (formula-like text escaped by `export_bytes`); the caller checks the format."""
    return FileResponse(
        io.BytesIO(export_bytes(dataset, file_format)),
        as_attachment=True,
        filename=filename,
        content_type=CONTENT_TYPES[file_format],
    )


def export_cell(value):
    """None as an empty cell; a date stays a date (Excel shows and sorts it as one, the CSV gets 2025-04-01)."""
    return "" if value is None else value


def read_upload(name: str, content: bytes) -> Sheet:
    """Reads an uploaded file after checking its name, size and content; raises UploadError."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if len(content) > MAX_UPLOAD_BYTES:
        raise UploadError("ファイルが大きすぎます。5MB以下のファイルにしてください。")
    if not content:
        raise UploadError("ファイルが空です。")
    if extension in {"xlsm", "xlsb", "xltm"}:
        raise UploadError(
            "マクロを含むブック（.xlsm など）は取り込めません。Excel で「.xlsx」形式で保存し直してください。"
        )
    if extension == "xls":
        raise UploadError("古い Excel 形式（.xls）は取り込めません。Excel で「.xlsx」形式で保存し直してください。")
    if extension == "xlsx":
        return _read_xlsx(content)
    if extension == "csv":
        return _read_csv(content)
    raise UploadError("取り込めるのは Excel（.xlsx）と CSV（.csv）のファイルだけです。")


def file_format_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower()


ZIP_BOMB = (
    "このファイルは展開すると大きくなりすぎるため取り込めません（圧縮された中身が通常のブックと違います）。"
    "Excel で開いて「.xlsx」形式で保存し直すか、行を分けたファイルにしてください。"
)
TOO_MANY_COLUMNS = f"列が多すぎます（{MAX_COLUMNS}列まで）。ダウンロードしたひな形の列だけを使ってください。"


def _inflates_too_much(members: list[zipfile.ZipInfo]) -> bool:
    """Too many members, too much in total once inflated, or a large member compressed like filler."""
    if len(members) > MAX_ZIP_MEMBERS:
        return True
    if sum(member.file_size for member in members) > MAX_UNCOMPRESSED_BYTES:
        return True
    return any(
        member.file_size > RATIO_CHECKED_ABOVE_BYTES
        and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)
        for member in members
    )


def _check_workbook_zip(content: bytes) -> None:
    not_a_workbook = UploadError(
        "Excel のブック（.xlsx）として読めません。ファイルが壊れているか、別の形式のファイルです。"
    )
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise not_a_workbook
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
                raise not_a_workbook
            if any(name.lower().endswith("vbaproject.bin") for name in names) or (
                b"macroEnabled" in archive.read("[Content_Types].xml")
            ):
                raise UploadError("マクロを含むブックは取り込めません。Excel で「.xlsx」形式で保存し直してください。")
            if _inflates_too_much(members):
                raise UploadError(ZIP_BOMB)
    except zipfile.BadZipFile:
        raise not_a_workbook from None


def _read_xlsx(content: bytes) -> Sheet:
    import openpyxl

    _check_workbook_zip(content)
    try:
        # data_only=False: a formula cell gives its formula, so it can be refused, not its cached result.
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:
        raise UploadError(
            "Excel のブック（.xlsx）として読めません。ファイルが壊れているか、別の形式のファイルです。"
        ) from None
    try:
        rows = []
        for cells in workbook.worksheets[0].iter_rows():
            row = [(cell.value, getattr(cell, "data_type", None) == "f") for cell in cells]
            # Rows come padded to the sheet's declared width: only cells up to the last value count.
            while row and row[-1][0] is None:
                row.pop()
            if len(row) > MAX_COLUMNS:
                raise UploadError(TOO_MANY_COLUMNS)
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                raise UploadError(f"一度に取り込めるのは{MAX_ROWS:,}行までです。ファイルを分けてください。")
    finally:
        workbook.close()
    return _sheet(rows)


# The longest cell a CSV may have: the csv module's default field size limit.
MAX_CSV_FIELD = 131_072


def _read_csv(content: bytes) -> Sheet:
    if b"\x00" in content:
        raise UploadError("CSV ファイルとして読めません。文字のファイルではないようです。")
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UploadError("文字コードを判別できません。CSV は UTF-8 または Shift_JIS（CP932）で保存してください。")
    rows = []
    try:
        # Row by row, so a line of a million commas is refused before it becomes a million cells.
        for row in csv.reader(io.StringIO(text, newline="")):
            if len(row) > MAX_COLUMNS:
                raise UploadError(TOO_MANY_COLUMNS)
            # The csv module's own limit is process-wide and a library may raise it: ours is explicit.
            if any(len(value) > MAX_CSV_FIELD for value in row):
                raise UploadError(f"CSV ファイルとして読めません。1つのセルが長すぎます（{MAX_CSV_FIELD:,}文字まで）。")
            rows.append([(value, False) for value in row])
            if len(rows) > MAX_ROWS + 1:
                raise UploadError(f"一度に取り込めるのは{MAX_ROWS:,}行までです。ファイルを分けてください。")
    except csv.Error:
        raise UploadError('CSV ファイルとして読めません。区切りや引用符（"）を確かめてください。') from None
    return _sheet(rows)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _sheet(rows: list[list[tuple[object, bool]]]) -> Sheet:
    """A Sheet from (value, is_formula) cells: header from row 1, blank rows dropped, row numbers kept."""
    if not rows or all(_blank(value) for value, _ in rows[0]):
        raise UploadError("1行目に見出し（列名）がありません。ダウンロードしたひな形の1行目を残してください。")
    headers = [str(value).strip() if value is not None else "" for value, _ in rows[0]]
    while headers and not headers[-1]:
        headers.pop()
    if len(set(filter(None, headers))) != len([h for h in headers if h]):
        raise UploadError("同じ名前の列が複数あります。1行目の見出しを確かめてください。")
    width = len(headers)
    # Columns without a header cannot be mapped to anything; give them a placeholder name.
    headers = [header or f"（見出しなし{index + 1}）" for index, header in enumerate(headers)]
    sheet = Sheet(dataset=tablib.Dataset(headers=headers))
    for number, cells in enumerate(rows[1:], start=2):
        cells = (cells + [(None, False)] * width)[:width]
        if all(_blank(value) for value, _ in cells):
            continue
        formulas = [headers[i] for i, (_, is_formula) in enumerate(cells) if is_formula]
        if formulas:
            sheet.formula_cells[len(sheet.row_numbers)] = formulas
        sheet.dataset.append([None if is_formula else _plain(value) for value, is_formula in cells])
        sheet.row_numbers.append(number)
    return sheet


def _plain(value):
    """Strings stripped and un-escaped; dates, times and numbers as the workbook gave them."""
    if isinstance(value, str):
        return unescape_formula(value.strip())
    return value
