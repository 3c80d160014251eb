from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from maintenance.backups import BackupError, backup_create
from maintenance.encryption import KEY_ENV, BackupKeyError, key_from_environment


def size_label(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.1f} KB"


class Command(BaseCommand):
    help = (
        "動いているデータベースの一貫したバックアップを DIR に書きます（SQLite はオンラインバックアップ、"
        "PostgreSQL は pg_dump -Fc）。TSUNAGU_BACKUP_KEY があれば暗号化し、古い世代を消します。"
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="バックアップを置くディレクトリ（なければ作ります）")
        parser.add_argument("--keep", type=int, default=14, help="残す世代の数（既定 14）")
        parser.add_argument("--encrypt", action="store_true", help=f"暗号化を必須にする（{KEY_ENV} がなければ失敗）")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="settings.DATABASES の別名（既定 default）")

    def handle(self, *args, directory, keep, encrypt, database, **options):
        try:
            key = key_from_environment()
            if encrypt and key is None:
                raise BackupKeyError(f"--encrypt が指定されましたが、環境変数 {KEY_ENV} がありません。")
            result = backup_create(
                database=connections[database].settings_dict, directory=Path(directory), keep=keep, key=key
            )
        except (BackupError, BackupKeyError) as error:
            raise CommandError(str(error)) from error
        state = "暗号化あり" if key else "暗号化なし"
        self.stdout.write(
            f"バックアップを書きました: {result.path}（{size_label(result.size)}、{state}、{result.seconds:.1f} 秒）"
        )
        removed = f"、古い {len(result.deleted)} 件を削除" if result.deleted else ""
        self.stdout.write(f"世代: {len(result.kept)} 件を保存しています（最大 {keep} 件{removed}）。")
