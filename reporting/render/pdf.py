"""The report as an A4 PDF: the standalone HTML document through WeasyPrint (print rules in report.css)."""

from weasyprint import HTML

from ..tables import Report
from . import html


def render(report: Report, previous: Report | None = None, charts: bool = False) -> bytes:
    """The PDF, with the prior-period column when `previous` is given and the charts when asked (as
    the HTML it prints); the same report gives the same bytes (WeasyPrint writes no dates unless asked)."""
    return HTML(string=html.render(report, previous, charts=charts).decode("utf-8")).write_pdf()
