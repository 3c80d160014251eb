from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Office
from coordination.fiscal import FiscalPeriod
from reporting.files import NoSuchVersion, report_file
from reporting.render import FORMATS, file_name


class Command(BaseCommand):
    help = "Writes an office's quarterly 業務報告書 to a file (for scheduled jobs and checks)."

    def add_arguments(self, parser):
        parser.add_argument("--fiscal-year", type=int, required=True, help="e.g. 2025 for 令和7年度")
        parser.add_argument("--quarters", default="1-4", help="a quarter (2) or a range (1-3)")
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

    def handle(self, *args, fiscal_year, quarters, format, office, output, version, compare, charts, **options):
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
        try:
            content = report_file(offices.get(), period, format, version_number=version, compare=compare, charts=charts)
        except NoSuchVersion:
            raise CommandError(f"{period.label} の第{version}版はありません。") from None
        path = Path(output)
        if path.is_dir():
            path = path / file_name(period.file_label, FORMATS[format])
        path.write_bytes(content)
        self.stdout.write(f"{path}: 業務報告書 {period.label}")
