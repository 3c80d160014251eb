"""Our `migrate` adopts a database made before the accounts app, and leaves every other one alone."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from accounts.legacy import ACCOUNTS_INITIAL, LegacyDatabaseError, adopt_legacy_accounts

pytestmark = pytest.mark.django_db


def recorded(app: str, name: str) -> bool:
    return (app, name) in MigrationRecorder(connection).applied_migrations()


def forget(app: str, name: str) -> None:
    MigrationRecorder.Migration.objects.filter(app=app, name=name).delete()


def test_a_current_database_is_left_alone():
    assert adopt_legacy_accounts(connection) is False
    assert recorded(*ACCOUNTS_INITIAL)


def test_a_database_from_before_the_move_gets_accounts_0001_recorded():
    forget(*ACCOUNTS_INITIAL)
    assert adopt_legacy_accounts(connection) is True
    assert recorded(*ACCOUNTS_INITIAL)


def test_a_database_older_than_the_previous_release_is_refused_in_japanese_and_left_as_it_was():
    forget(*ACCOUNTS_INITIAL)
    forget("coordination", "0005_historicalclient_procedures")
    with pytest.raises(LegacyDatabaseError, match="一つ前の版"):
        adopt_legacy_accounts(connection)
    assert not recorded(*ACCOUNTS_INITIAL)
    with pytest.raises(CommandError, match="coordination.0005_historicalclient_procedures"):
        call_command("migrate", verbosity=0)
    assert not recorded(*ACCOUNTS_INITIAL)
