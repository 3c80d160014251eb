from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, transaction

from common.encryption import KEYS_ENV, FieldKeyError, encrypted_fields, rewrite_column, rotate_token


class Command(BaseCommand):
    help = (
        f"暗号化された項目（要配慮のメモ・記録、内部メモと、その変更履歴）をすべて、{KEYS_ENV} の"
        "先頭の鍵で暗号化し直します。鍵のローテーションで新しい鍵を先頭に足したあとに実行し、"
        "終わってから古い鍵を外します。表ごとに、全部を書き換えるか何も変えないかのどちらかです。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="settings.DATABASES の別名（既定 default）")
        parser.add_argument("--chunk-size", type=int, default=500, help="一度に読み書きする行数（既定 500）")

    def handle(self, *args, database, chunk_size, **options):
        total = 0
        for model, names in encrypted_fields(apps.get_models()):
            table = model._meta.db_table
            try:
                # One table at a time: a value no key opens rolls its table back, and the tables
                # done before it stay under the new key (running the command again is harmless).
                with transaction.atomic(using=database):
                    count = sum(
                        rewrite_column(
                            model,
                            name,
                            lambda token, label=f"{model._meta.label}.{name}": rotate_token(token, label=label),
                            using=database,
                            chunk_size=chunk_size,
                        )
                        for name in names
                    )
            except FieldKeyError as error:
                raise CommandError(f"{table}: {error} この表は何も変えていません。") from error
            self.stdout.write(f"{table}: {count} 件を暗号化し直しました。")
            total += count
        self.stdout.write(f"合計 {total} 件。{KEYS_ENV} から古い鍵を外してかまいません。")
