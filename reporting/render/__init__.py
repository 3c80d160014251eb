"""The report's file formats: a plain registry of thin renderers (Report in, bytes out)."""

from dataclasses import dataclass
from importlib import import_module

from ..tables import Report


@dataclass(frozen=True)
class Format:
    identifier: str
    verbose_name: str
    extension: str
    content_type: str
    takes_previous: bool  # whether the renderer can show a prior-period column

    def render(self, report: Report, previous: Report | None = None) -> bytes:
        # Imported on use: WeasyPrint and openpyxl are slow to import and most pages need neither.
        module = import_module(f"{__name__}.{self.identifier}")
        if self.takes_previous:
            return module.render(report, previous)
        return module.render(report)


FORMATS = {
    format.identifier: format
    for format in [
        Format("html", "HTML", "html", "text/html; charset=utf-8", takes_previous=True),
        Format("xlsx", "Excel", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", True),
        Format("pdf", "PDF", "pdf", "application/pdf", takes_previous=False),
        Format("json", "JSON", "json", "application/json", takes_previous=False),
    ]
}


def file_name(period_label: str, format: Format) -> str:
    """`業務報告書_令和7年度_第1-3四半期.xlsx`."""
    return f"業務報告書_{period_label}.{format.extension}"
