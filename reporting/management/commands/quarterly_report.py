from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Office
from coordination.fiscal import FiscalPeriod
from reporting.files import NoSuchVersion, report_file
from reporting.kinds import KINDS, QUARTERLY
from reporting.render import FORMATS, file_name


class Command(BaseCommand):
    help = (
        "Writes an office's report for a period to a file (for scheduled jobs and checks): the quarterly "
        "業務報告書 by default, or another kind (--kind centre: 受付状況, --kind needs: 課題解決状況)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fiscal-year", type=int, required=True, help="e.g. 2025 for 令和7年度")
        parser.add_argument("--quarters", default="1-4", help="a quarter (2) or a range (1-3)")
        parser.add_argument("--kind", choices=list(KINDS), default=QUARTERLY, help="the kind of report")
        parser.add_argument("--format", choices=list(FORMATS), default="json")
        parser.add_argument(
            "--report-version",
            dest="version",
            type=int,
            help="a finalized version's number (default: the standing one)",
        )
        parser.add_argument("--compare", action="store_true", help="add the prior-period column (HTML, Excel, PDF)")
        parser.add_argument("--charts", action="store_true", help="add the screen's charts (HTML, PDF)")
        parser.add_argument("--office", help="office name (needed when there are several)")
        parser.add_argument("--output", required=True, help="file or directory to write")

    def handle(self, *args, kind, fiscal_year, quarters, format, office, output, version, compare, charts, **options):
        try:
            period = FiscalPeriod.parse_range(fiscal_year, quarters)
        except ValueError as error:
            raise CommandError(f"--quarters: {error}") from error
        if compare and not FORMATS[format].takes_previous:
            raise CommandError(
                f"--compare（前年同期との比較）は {FORMATS[format].verbose_name} では使えません。HTML・Excel・PDF で指定してください。"
            )
        if charts and not FORMATS[format].takes_charts:
            raise CommandError(
                f"--charts（グラフを入れる）は {FORMATS[format].verbose_name} では使えません。HTML・PDF で指定してください。"
            )
        offices = Office.objects.filter(name=office) if office else Office.objects.all()
        if offices.count() != 1:
            raise CommandError("事業所を --office で一つ指定してください。")
        if kind != QUARTERLY:
            self._other_kind(KINDS[kind], offices.get(), period, format, output, version, compare, charts)
            return
        try:
            content = report_file(offices.get(), period, format, version_number=version, compare=compare, charts=charts)
        except NoSuchVersion:
            raise CommandError(f"{period.label} の第{version}版はありません。") from None
        path = Path(output)
        if path.is_dir():
            path = path / file_name(period.file_label, FORMATS[format])
        path.write_bytes(content)
        self.stdout.write(f"{path}: 業務報告書 {period.label}")

    def _other_kind(self, kind, office, period, format, output, version, compare, charts):
        """A kind other than the 業務報告書: computed now (it has no versions and no charts)."""
        if version is not None:
            raise CommandError(f"{kind.title}には確定した版がありません。--report-version を外してください。")
        if charts:
            raise CommandError(f"{kind.title}にはグラフがありません。--charts を外してください。")
        format_ = FORMATS[format]
        report = kind.build(office, period)
        previous = kind.build(office, period.previous_year()) if compare else None
        path = Path(output)
        if path.is_dir():
            path = path / kind.file_name(period.file_label, format_.extension)
        path.write_bytes(format_.render(report, previous))
        self.stdout.write(f"{path}: {kind.title} {period.label}")
