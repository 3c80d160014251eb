"""`python manage.py export_hsds DIR`: the directory as an Open Referral HSDS data package."""

from pathlib import Path

from django.core.management.base import BaseCommand

from directory import hsds


class Command(BaseCommand):
    help = "有効な機関・事業所を Open Referral HSDS のデータパッケージ（datapackage.json と CSV）として DIR に書き出します。"

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", type=Path, help="書き出し先のフォルダ（なければ作ります）")

    def handle(self, *args, directory: Path, **options):
        package = hsds.directory_package()
        paths = hsds.write_package(directory, package)
        organizations = len(package.tables["organization"].rows)
        self.stdout.write(f"{directory} に {len(paths)} ファイルを書き出しました（機関・事業所 {organizations} 件）。")
        if package.addresses_left_out:
            names = "、".join(package.addresses_left_out[:5]) + ("ほか" if len(package.addresses_left_out) > 5 else "")
            self.stdout.write(
                f"郵便番号のない {len(package.addresses_left_out)} 件（{names}）は住所（addresses.csv）を書き出していません。"
                "HSDS では住所に郵便番号が必要です。機関・事業所の情報に郵便番号を入れてください。"
            )
