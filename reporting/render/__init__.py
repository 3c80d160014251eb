"""The report's file formats: a plain registry of thin renderers (Report in, bytes out)."""

from dataclasses import dataclass
from datetime import datetime
from importlib import import_module

from ..tables import Report


@dataclass(frozen=True)
class Format:
    identifier: str
    verbose_name: str
    extension: str
    content_type: str
    takes_previous: bool  # whether the renderer can show a prior-period column
    dated: bool = False  # whether the file records when it was made (Excel's created/modified)
    takes_charts: bool = False  # whether the file can carry the charts (off by default: the seed has none)
    # Made by the background worker and kept under its data (reporting/files.py): a second or more of CPU.
    background: bool = False

    def render(
        self, report: Report, previous: Report | None = None, made_at: datetime | None = None, charts: bool = False
    ) -> bytes:
        """The file; `made_at` (default now) dates a dated format, e.g. a finalized version's finalization time;
        `charts` adds the screen's charts where the format can show them."""
        # Imported on use: WeasyPrint and openpyxl are slow to import and most pages need neither.
        module = import_module(f"{__name__}.{self.identifier}")
        options = {"made_at": made_at} if self.dated else {}
        if self.takes_charts:
            options["charts"] = charts
        if self.takes_previous:
            return module.render(report, previous, **options)
        return module.render(report, **options)


FORMATS = {
    format.identifier: format
    for format in [
        Format("html", "HTML", "html", "text/html; charset=utf-8", takes_previous=True, takes_charts=True),
        Format(
            "xlsx",
            "Excel",
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            takes_previous=True,
            dated=True,
            background=True,
        ),
        Format("pdf", "PDF", "pdf", "application/pdf", takes_previous=True, takes_charts=True, background=True),
        Format("json", "JSON", "json", "application/json", takes_previous=False),
    ]
}


def file_name(period_label: str, format: Format) -> str:
    """`業務報告書_令和7年度_第1-3四半期.xlsx`."""
    return f"業務報告書_{period_label}.{format.extension}"
