"""Walks the access log's hash chain (audit/chain.py) and reports the first broken link in Japanese.

Exit status 0 with a one-line summary when the chain holds, 1 with the row id when it does not.
Meant to run daily (cron, next to the backup); its summary names the last row's hash, which a later
run's chain must still contain.
"""

from django.core.management.base import BaseCommand, CommandError

from audit.chain import chain_verify
from audit.selectors import access_events_in_chain_order


class Command(BaseCommand):
    help = (
        "アクセス記録のハッシュの連鎖を先頭から確かめ、改ざん（行の変更・削除・挿入）があれば最初の箇所を報告します。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=2000, help="一度に読む行数（既定 2000）")

    def handle(self, *args, chunk_size, **options):
        summary = chain_verify(access_events_in_chain_order(chunk_size=chunk_size))
        if summary.broken is not None:
            raise CommandError(f"{summary.broken.message}（それより前の {summary.count}件は改ざんなし）")
        last = f"（最後の行: id {summary.last_id}、ハッシュ {summary.last_hash}）" if summary.last_id else ""
        self.stdout.write(f"{summary.count}件、改ざんなし{last}")
