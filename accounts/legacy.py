"""Adopting a database made while offices and users still lived in `coordination`.

Django's admin and django-otp depend on the user model's first migration. When the user model
moved to accounts, their migrations (applied long ago) came to depend on accounts 0001, which
such a database has never recorded, and Django refuses to migrate it ("InconsistentMigrationHistory").
accounts 0001 has no database operation (the tables stay where they are), so recording it as
applied is exactly what running it would do. Our `migrate` command does that first.
"""

from django.db.migrations.recorder import MigrationRecorder

ACCOUNTS_INITIAL = ("accounts", "0001_initial")
# What accounts 0001 adopts: the schema as coordination and directory left it.
ADOPTED_FROM = [
    ("coordination", "0005_historicalclient_procedures"),
    ("directory", "0005_provider_search_trigram_index"),
]


class LegacyDatabaseError(Exception):
    pass


def adopt_legacy_accounts(connection) -> bool:
    """Record accounts 0001 on a database made before it; True if it did. Leaves a new or current database alone."""
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return False
    applied = recorder.applied_migrations()
    if ACCOUNTS_INITIAL in applied or ("coordination", "0001_initial") not in applied:
        return False
    missing = [migration for migration in ADOPTED_FROM if migration not in applied]
    if missing:
        names = ", ".join(".".join(migration) for migration in missing)
        raise LegacyDatabaseError(
            f"このデータベースは古すぎるため、そのままでは移行できません（未適用: {names}）。"
            "一つ前の版のつなぐで migrate してから、もう一度実行してください。"
        )
    recorder.record_applied(*ACCOUNTS_INITIAL)
    return True
