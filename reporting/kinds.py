"""The kinds of report: a plain registry of builders (office and period in, a Report out).

Every kind renders through the same formats (reporting/render) and can be made for any period,
the whole fiscal year included, with the prior year's figures beside its counts. Only the
業務報告書 is finalized and kept in versions; the others are always computed from the data.
"""

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from accounts.models import Office
from coordination.fiscal import FiscalPeriod

from .tables import Report


@dataclass(frozen=True)
class ReportKind:
    identifier: str  # in URLs and the CLI's --kind
    title: str  # 業務報告書, 受付状況, 課題解決状況
    builder: str  # "module:function" under reporting, taking (office, period)
    description: str = ""  # one line on the report page
    permission: str = "reporting.view_quarterlyreport"  # what a user needs to see it

    @property
    def build(self) -> Callable[[Office, FiscalPeriod], Report]:
        # Imported on use, like the renderers: a kind's builder may import what the others need not.
        module, function = self.builder.split(":")
        return getattr(import_module(f"reporting.{module}"), function)

    def file_name(self, period_label: str, extension: str) -> str:
        """`受付状況_令和7年度_第1-3四半期.xlsx`."""
        return f"{self.title}_{period_label}.{extension}"


QUARTERLY = "quarterly"

KINDS = {
    kind.identifier: kind
    for kind in [
        ReportKind(QUARTERLY, "業務報告書", "quarterly:build_quarterly_report"),
        ReportKind(
            "centre",
            "受付状況",
            "centre:build_centre_report",
            "個別支援・地域支援の件数、相談の内容と相手先（重複あり）、実人数・新規・延べ、月別の件数です。",
        ),
        ReportKind(
            "needs",
            "課題解決状況",
            "needs:build_needs_report",
            "協議会に出すニーズ・課題のまとめです。名前や記録の本文は載らず、1～2家族は「3未満」と表示します。",
            permission="coordination.view_need",
        ),
    ]
}
