"""The report as HTML: a fragment for the app's report page, and a standalone document to download."""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from ..tables import Report, Row, Section
from . import charts as chart_svgs

PRIOR = "前年同期"
ABSENT = "—"


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
            cells.append({"label": label, "rowspan": 1, "colspan": depth - level, "group": False})
        elif not _is_group(rows, index - 1, level, prefix):
            span = 1
            while _is_group(rows, index + span, level, prefix):
                span += 1
            cells.append({"label": label, "rowspan": span, "colspan": 1, "group": True})
    return cells


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
    return {
        "number": section.number,
        "title": section.title,
        "depth": depth,
        "columns": columns,
        "has_text": section.has_text,
        "text_heading": section.text_heading,
        "rows": [
            {
                "labels": _label_cells(section.rows, index, depth),
                "values": _values(section, row.values, prior_of(row) if prior_of else None),
                "text": row.text,
            }
            for index, row in enumerate(section.rows)
        ],
        "total": _values(section, section.total, prior_total),
    }


def body(report: Report, previous: Report | None = None, charts: bool = True) -> str:
    """The report as an HTML fragment for the app's report page (styled by static/css/report.css);
    the charts are on screen, and in a file only when asked (the submitted report has none)."""
    activities = next((s for s in report.sections if s.number == 5), None) if charts else None
    return render_to_string(
        "reporting/_report.html",
        {
            "report": report,
            "sections": [_counted(section, previous) for section in report.sections],
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
