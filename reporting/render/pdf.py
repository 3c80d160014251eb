"""The report as an A4 PDF: the standalone HTML document through WeasyPrint (print rules in report.css)."""

from weasyprint import HTML

from ..tables import Report
from . import html


def render(report: Report) -> bytes:
    """The PDF; the same report gives the same bytes (WeasyPrint writes no dates unless asked)."""
    return HTML(string=html.render(report).decode("utf-8")).write_pdf()
