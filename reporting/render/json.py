"""The report as JSON (documented in docs/report-format.md)."""
import json

from ..tables import Report


def report_to_dict(report: Report) -> dict:
    sections = [
        {
            "number": section.number,
            "title": section.title,
            "rows": [
                {"path": list(row.path), **row.values, **({"text": row.text} if section.has_text else {})}
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
                {"title": table.title, "columns": list(table.columns), "rows": [list(row) for row in table.rows]}
                for table in section.tables
            ],
        }
        for section in report.event_sections
    ]
    return {
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
    }


def render(report: Report) -> bytes:
    return json.dumps(report_to_dict(report), ensure_ascii=False, indent=2).encode("utf-8")
