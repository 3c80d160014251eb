"""The report as JSON (documented in docs/report-format.md)."""

import json
from datetime import date

from ..quarterly import COLUMN_HEADINGS, TEXT_HEADINGS
from ..tables import EventSection, EventTable, MonthlyCounts, Report, Row, Section


def report_to_dict(report: Report) -> dict:
    sections = [
        {
            "number": section.number,
            "title": section.title,
            "headings": list(section.headings),
            **({"text_heading": section.text_heading} if section.has_text else {}),
            "rows": [
                {
                    "path": list(row.path),
                    "key": row.key,
                    **row.values,
                    **({"text": row.text} if section.has_text else {}),
                }
                for row in section.rows
            ],
            "total": section.total,
        }
        for section in report.sections
    ]
    sections += [
        {
            "number": section.number,
            "title": section.title,
            "tables": [
                {
                    "title": table.title,
                    "columns": list(table.columns),
                    "rows": [list(row) for row in table.rows],
                    **({"grouped": True} if table.grouped else {}),
                }
                for table in section.tables
            ],
        }
        for section in report.event_sections
    ]
    return {
        **({"kind": report.kind} if report.kind != "quarterly" else {}),
        "title": report.title,
        "office": report.office,
        "schedule": report.schedule,
        "period": {
            "fiscal_year": report.fiscal_year,
            "quarters": list(report.quarters),
            "start": report.start.isoformat(),
            "end": report.end.isoformat(),
        },
        "business_days": report.business_days,
        "out_of_hours": {"count": report.out_of_hours, "total": report.activities},
        "sections": sections,
        "footnotes": list(report.footnotes),
        **({"summary": list(report.summary)} if report.summary else {}),
        "monthly_methods": {
            "months": list(report.monthly_methods.months),
            "series": [{"label": label, "counts": list(counts)} for label, counts in report.monthly_methods.series],
        },
    }


def report_from_dict(data: dict) -> Report:
    """The inverse of report_to_dict: a finalized report's stored data back as a Report."""
    sections, event_sections = [], []
    for section in data["sections"]:
        if "tables" in section:
            tables = tuple(
                EventTable(
                    table["title"],
                    tuple(table["columns"]),
                    tuple(tuple(row) for row in table["rows"]),
                    grouped=table.get("grouped", False),
                )
                for table in section["tables"]
            )
            event_sections.append(EventSection(section["number"], section["title"], tables))
            continue
        number, keys = section["number"], tuple(section["total"])
        has_text = "text_heading" in section or any("text" in row for row in section["rows"])
        rows = tuple(
            Row(tuple(row["path"]), {key: row[key] for key in keys}, row.get("text", ""), row.get("key", ""))
            for row in section["rows"]
        )
        if "headings" in section:
            headings = tuple(section["headings"])
        else:  # a version finalized before reports carried their headings: the builder's, where they fit
            defaults = COLUMN_HEADINGS.get(number, ())
            headings = defaults if len(defaults) == len(keys) else ()
        text_heading = section.get("text_heading", TEXT_HEADINGS.get(number, "")) if has_text else ""
        sections.append(Section(number, section["title"], keys, rows, has_text, headings, text_heading))
    monthly = data.get("monthly_methods", {"months": [], "series": []})
    return Report(
        title=data["title"],
        office=data["office"],
        schedule=data["schedule"],
        fiscal_year=data["period"]["fiscal_year"],
        quarters=tuple(data["period"]["quarters"]),
        start=date.fromisoformat(data["period"]["start"]),
        end=date.fromisoformat(data["period"]["end"]),
        business_days=data["business_days"],
        out_of_hours=data["out_of_hours"]["count"],
        activities=data["out_of_hours"]["total"],
        sections=tuple(sections),
        event_sections=tuple(event_sections),
        footnotes=tuple(data["footnotes"]),
        monthly_methods=MonthlyCounts(
            tuple(monthly["months"]), tuple((s["label"], tuple(s["counts"])) for s in monthly["series"])
        ),
        kind=data.get("kind", "quarterly"),
        summary=tuple(data.get("summary", ())),
    )


def render(report: Report) -> bytes:
    return json.dumps(report_to_dict(report), ensure_ascii=False, indent=2).encode("utf-8")
