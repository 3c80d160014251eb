"""The report as HTML: a fragment for the app's report page, and a standalone document to download."""

import math
import unicodedata
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from ..tables import EventSection, EventTable, Report, Row, Section
from . import charts as chart_svgs
from .wrapping import NATURAL_BREAK

PRIOR = "前年同期"
ABSENT = "—"
CLOSING = ("）", ")", "、", "・")
# A label up to this width (in em) prints on one line; a longer one wraps at its natural breaks.
WHOLE_LABEL = 13
# An event's value whose words are all this short (in em) never breaks inside one: 「100名程度」.
SHORT_WORD = 5
# Label columns' print widths are classes report-w-<em> in report.css (no inline styles: the CSP).
LABEL_WIDTHS = range(3, 25)
# A counted table's first block (kept with its heading) and last block (kept with the total).
FIRST_ROWS, LAST_ROWS = 3, 2
# A table without text of up to this many rows is kept on one page (about half an A4 page).
WHOLE_ROWS = 30


def _width(text: str) -> float:
    """The printed width of a text in em: full-width characters 1, others about half."""
    return sum(1 if unicodedata.east_asian_width(char) in "WFA" else 0.55 for char in text)


def _words(text: str) -> list[list[str]]:
    """The text's space-separated words, each cut at its natural breaks (a closing mark stays on
    the piece before it, so a line never starts with 「）」)."""
    words = []
    for word in text.split():
        pieces = []
        for piece in NATURAL_BREAK.split(word):
            if pieces and (piece.startswith(CLOSING) or not piece):
                pieces[-1] += piece
            elif piece:
                pieces.append(piece)
        words.append(pieces)
    return words


def _unbroken(words: list[list[str]]) -> SafeString:
    """Words joined by spaces, each piece kept on one line, lines breaking only between pieces."""
    return mark_safe(
        " ".join(
            "<wbr>".join(format_html_join("", '<span class="nobr">{}</span>', [(piece,)]) for piece in pieces)
            for pieces in words
        )
    )


def _kept_whole(text: str, short_only: bool = False) -> dict:
    """A text that never breaks inside a word, as a cell's content and classes: one piece is kept
    on one line by its cell ("nobr", fewer elements for WeasyPrint to style), several wrap between
    them only. With `short_only`, a text with a long piece wraps anywhere (free text)."""
    words = _words(text)
    pieces = [piece for pieces in words for piece in pieces]
    if short_only and not all(_width(piece) <= SHORT_WORD for piece in pieces):
        return {"value": text, "classes": []}
    if len(pieces) == 1:
        return {"value": text, "classes": ["nobr"]}
    return {"value": _unbroken(words), "classes": []}


def _label_cell(label: str, rowspan: int, colspan: int, group: bool) -> dict:
    """A row label that wraps at a space or a natural break only."""
    content = _kept_whole(label)
    classes = " ".join((["group"] if group else []) + content["classes"])
    return {"label": content["value"], "rowspan": rowspan, "colspan": colspan, "group": group, "class": classes}


def _label_need(label: str) -> float:
    """The print width a label needs (em, padding included): the whole label when short, at least
    its longest piece when long."""
    longest = max((_width(piece) for pieces in _words(label) for piece in pieces), default=0)
    return max(longest, min(_width(label), WHOLE_LABEL)) + 1.2


def _number(value: int | None) -> str:
    return ABSENT if value is None else f"{value:,}"


def _is_group(rows: tuple[Row, ...], index: int, level: int, prefix: tuple[str, ...]) -> bool:
    """Whether rows[index] sits under `prefix` as a group (not as its own leaf)."""
    return 0 <= index < len(rows) and rows[index].path[: level + 1] == prefix and len(rows[index].path) > level + 1


def _label_cells(rows: tuple[Row, ...], index: int, depth: int) -> list[dict]:
    """A row's label cells: a group cell spans its consecutive rows, the leaf spans the columns left."""
    row, cells = rows[index], []
    for level, label in enumerate(row.path):
        prefix = row.path[: level + 1]
        if level == len(row.path) - 1:
            cells.append(_label_cell(label, 1, depth - level, group=False))
        elif not _is_group(rows, index - 1, level, prefix):
            span = 1
            while _is_group(rows, index + span, level, prefix):
                span += 1
            cells.append(_label_cell(label, span, 1, group=True))
    return cells


def _label_columns(rows: tuple[Row, ...], depth: int) -> list[int]:
    """Each label column's print width (em): wide enough for the labels in it alone (groups, and
    leaves at the last level), then widened where a leaf spanning the columns to its right needs more."""
    cells = {
        (level, depth - level if level == len(row.path) - 1 else 1, label)
        for row in rows
        for level, label in enumerate(row.path)
    }
    widths = [float(LABEL_WIDTHS.start)] * depth
    for level, span, label in sorted(cells, key=lambda cell: (cell[1], cell[0], cell[2])):
        widths[level] += max(0.0, _label_need(label) - sum(widths[level : level + span]))
    return [min(math.ceil(width), LABEL_WIDTHS[-1]) for width in widths]


def _blocks(rows: list[dict], paths: list[tuple[str, ...]]) -> list[dict]:
    """The rows as printed row groups (one <tbody> each): a top-level group with its rows, kept on
    one page, and runs of leaf rows between; the first block holds at least FIRST_ROWS rows and
    stays with the heading, the last LAST_ROWS rows stay with the total."""
    units: list[tuple[bool, list[int]]] = []  # (is a group, row indexes)
    for index, path in enumerate(paths):
        grouped = len(path) > 1
        if grouped and units and units[-1][0] and paths[units[-1][1][0]][0] == path[0]:
            units[-1][1].append(index)
        else:
            units.append((grouped, [index]))
    blocks: list[dict] = []
    for grouped, indexes in units:
        if blocks and not grouped and not blocks[-1]["keep"]:
            blocks[-1]["rows"] += indexes
        else:
            blocks.append({"rows": list(indexes), "keep": grouped})
    # The first block: whole units up to FIRST_ROWS rows, or the first FIRST_ROWS of a leaf run.
    while len(blocks) > 1 and len(blocks[0]["rows"]) < FIRST_ROWS:
        blocks[0:2] = [{"rows": blocks[0]["rows"] + blocks[1]["rows"], "keep": True}]
    if blocks and len(blocks[0]["rows"]) > FIRST_ROWS and not blocks[0]["keep"]:
        first = blocks.pop(0)
        blocks[0:0] = [
            {"rows": first["rows"][:FIRST_ROWS], "keep": True},
            {"rows": first["rows"][FIRST_ROWS:], "keep": False},
        ]
    if blocks and len(blocks[-1]["rows"]) > LAST_ROWS and not blocks[-1]["keep"]:
        last = blocks.pop()
        blocks += [
            {"rows": last["rows"][:-LAST_ROWS], "keep": False},
            {"rows": last["rows"][-LAST_ROWS:], "keep": True},
        ]
    if blocks:
        blocks[-1]["keep"] = True  # a group, or the last rows: with the total
    for block in blocks:
        block["rows"] = [rows[index] for index in block["rows"]]
    return _print_classes(blocks or [{"rows": [], "keep": True}])


def _print_classes(blocks: list[dict]) -> list[dict]:
    """Each row group's class for print (report.css): the first kept with the heading row, the
    others kept on one page when they ask to be."""
    for index, block in enumerate(blocks):
        block["class"] = "report-first" if index == 0 else "report-keep" if block["keep"] else ""
    return blocks


def _previous_section(section: Section, previous: Report | None) -> Section | None:
    return next((s for s in previous.sections if s.number == section.number), None) if previous else None


def _prior_values(before: Section | None):
    """Finds a row's values in the previous period's section: by key, else by path ({} when absent)."""
    rows = before.rows if before else ()
    by_key = {row.key: row.values for row in rows if row.key}
    by_path = {row.path: row.values for row in rows}
    return lambda row: by_key[row.key] if row.key in by_key else by_path.get(row.path, {})


def _values(section: Section, values: dict, prior: dict | None) -> list[dict]:
    cells = []
    for key in section.keys:
        cells.append({"value": _number(values.get(key)), "prior": False})
        if prior is not None:
            cells.append({"value": _number(prior.get(key)), "prior": True})
    return cells


def _counted(section: Section, previous: Report | None) -> dict:
    depth = max((len(row.path) for row in section.rows), default=1)
    before = _previous_section(section, previous)
    prior_of = _prior_values(before) if previous else None
    prior_total = (before.total if before else {}) if previous else None
    columns = []
    for heading in section.headings or section.keys:  # the keys only for a section built without headings
        columns.append({"label": heading, "prior": False})
        if previous is not None:
            columns.append({"label": PRIOR, "of": heading, "prior": True})
    rows = [
        {
            "labels": _label_cells(section.rows, index, depth),
            "values": _values(section, row.values, prior_of(row) if prior_of else None),
            "text": row.text,
        }
        for index, row in enumerate(section.rows)
    ]
    return {
        "number": section.number,
        "title": section.title,
        "depth": depth,
        "label_columns": _label_columns(section.rows, depth),
        "columns": columns,
        "has_text": section.has_text,
        "whole": len(section.rows) <= WHOLE_ROWS,
        "text_heading": section.text_heading,
        "bodies": _blocks(rows, [row.path for row in section.rows]),
        "total": _values(section, section.total, prior_total),
    }


def _event_bodies(table: EventTable) -> list[dict]:
    """An event table's rows as row groups: one per group when grouped (its first cell merged down
    the group's rows), else the first row (kept with the heading) and the rest."""
    # A value of short words (a date, 「100名程度」, 「学生70名 教員4名」, 「対面・北とぴあ」) wraps
    # between its words or at a natural break only; a longer text wraps anywhere.
    rows = [[_kept_whole(value, short_only=True) | {"rowspan": 1} for value in row] for row in table.rows]
    if not rows:
        return []
    if not table.grouped:
        return _print_classes(
            [{"rows": rows[:1], "keep": True}] + ([{"rows": rows[1:], "keep": False}] if len(rows) > 1 else [])
        )
    bodies: list[dict] = []
    for row, values in zip(rows, table.rows, strict=True):
        row[0]["group"] = True
        row[0]["classes"] = ["group", *row[0]["classes"]]
        if bodies and bodies[-1]["key"] == values[0]:
            bodies[-1]["rows"][0][0]["rowspan"] += 1
            bodies[-1]["rows"].append(row[1:])
        else:
            bodies.append({"key": values[0], "rows": [row], "keep": True})
    return _print_classes(bodies)


def _events(section: EventSection) -> dict:
    return {
        "number": section.number,
        "title": section.title,
        "tables": [
            {"title": table.title, "columns": table.columns, "bodies": _event_bodies(table)} for table in section.tables
        ],
    }


def body(report: Report, previous: Report | None = None, charts: bool = True) -> str:
    """The report as an HTML fragment for the app's report page (styled by static/css/report.css);
    the charts are on screen, and in a file only when asked (the submitted report has none)."""
    charts = charts and report.kind == "quarterly"  # the charts read the 業務報告書's methods and §5
    activities = next((s for s in report.sections if s.number == 5), None) if charts else None
    return render_to_string(
        "reporting/_report.html",
        {
            "report": report,
            "sections": [_counted(section, previous) for section in report.sections],
            "event_sections": [_events(section) for section in report.event_sections],
            "monthly_chart": mark_safe(chart_svgs.monthly_methods_svg(report.monthly_methods)) if charts else "",
            "activities_chart": mark_safe(chart_svgs.top_activities_svg(activities)) if activities else "",
        },
    )


def stylesheet() -> str:
    """static/css/report.css, to inline in a standalone document."""
    return Path(finders.find("css/report.css")).read_text(encoding="utf-8")


def render(report: Report, previous: Report | None = None, charts: bool = False) -> bytes:
    """A standalone, self-contained UTF-8 HTML document of the report (CSS inlined), for download;
    without the charts unless asked, like the printed report it stands for."""
    return render_to_string(
        "reporting/document.html",
        {
            "report": report,
            "css": mark_safe(stylesheet()),
            "body": body(report, previous, charts=charts),
        },
    ).encode("utf-8")
