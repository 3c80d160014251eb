"""Django's `migrate`, after adopting a database made before the accounts app (accounts/legacy.py)."""

from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import connections

from accounts.legacy import LegacyDatabaseError, adopt_legacy_accounts


class Command(DjangoMigrateCommand):
    def handle(self, *args, **options):
        connection = connections[options["database"]]
        try:
            adopted = adopt_legacy_accounts(connection)
        except LegacyDatabaseError as error:
            raise CommandError(str(error)) from error
        if adopted and options["verbosity"] >= 1:
            self.stdout.write("利用者と事業所の表を accounts に引き継ぎました（accounts 0001 を適用済みとして記録）。")
        return super().handle(*args, **options)
