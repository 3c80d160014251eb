from pathlib import Path

import dj_database_url
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from maintenance.backups import BackupError, restore
from maintenance.encryption import BackupKeyError, key_from_environment


class Command(BaseCommand):
    help = (
        "backup で作ったファイルを空のデータベースに復元します。表が一つでもあるデータベースには復元しません。"
        "暗号化されたファイルは TSUNAGU_BACKUP_KEY の鍵で復号します。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="バックアップのファイル（.sqlite3 / .dump、暗号化なら .enc 付き）")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="settings.DATABASES の別名（既定 default）")
        parser.add_argument(
            "--database-url",
            help="復元先を DATABASE_URL の形で指定（例: postgres://tsunagu@127.0.0.1/tsunagu_drill、"
            "sqlite:////srv/drill.sqlite3）。復元の訓練用",
        )

    def handle(self, *args, file, database, database_url, **options):
        target = dj_database_url.parse(database_url) if database_url else connections[database].settings_dict
        try:
            result = restore(path=Path(file), database=target, key=key_from_environment())
        except (BackupError, BackupKeyError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"復元しました: {file} → {target['NAME']}")
        if result.kind == "sqlite":
            self.stdout.write("整合性検査（PRAGMA integrity_check）: ok")
        width = max((len(table) for table in result.row_counts), default=0)
        for table, rows in result.row_counts.items():
            self.stdout.write(f"  {table.ljust(width)}  {rows:>9,} 行")
        self.stdout.write(f"表 {len(result.row_counts)} 個、合計 {result.total_rows:,} 行。")
