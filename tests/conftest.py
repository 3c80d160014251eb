"""Shared fixtures: the reference lists and the demo office, loaded once per test session."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import setup_databases, teardown_databases

from accounts.models import Office, User
from coordination.reference import reference_lists_load
from demo.builders import DEMO_PASSWORD, demo_load

# Hashing demo passwords with the real hasher costs seconds per test database set-up.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load_reference_and_demo():
    settings.PASSWORD_HASHERS = FAST_HASHERS
    reference_lists_load()
    demo_load()


def pytest_collection_modifyitems(items):
    """Browser tests run last, in their collected order.

    Playwright's sync API keeps its event loop registered on the main thread from the first
    browser test to the end of the session, and Django refuses ORM calls from a thread with a
    running loop; tests that commit through `committed_db` would then fail after them.
    """
    items.sort(key=lambda item: "browser" in item.fixturenames)


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker):
    """Always create the test database, even when only browser tests (no db mark) run.

    The browser tests' server thread reads it; without this, a run of those tests alone would
    leave Django pointing at the development database.
    """
    with django_db_blocker.unblock():
        databases = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        load_reference_and_demo()
    yield
    with django_db_blocker.unblock():
        end_other_sessions()
        teardown_databases(databases, verbosity=0)


def end_other_sessions():
    """Threads that used the test database (the browser tests' workers, concurrency tests) may
    still hold a connection, and PostgreSQL refuses to drop a database anyone is connected to."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker):
    """The session's database with no wrapping transaction: other threads see what the test commits.

    Not pytest-django's `transactional_db`, which empties every table afterwards (groups and the
    demo office included): a test using this deletes what it created itself.
    """
    with django_db_blocker.unblock():
        yield


@pytest.fixture(autouse=True)
def mfa_off_unless_a_test_turns_it_on(settings):
    """Two-factor sign-in is off in tests whatever TSUNAGU_REQUIRE_MFA says; its own tests turn it on."""
    settings.TSUNAGU_REQUIRE_MFA = False


# Background tasks (the report files' worker, reporting/tasks.py) run at once, inside the request or the
# service that enqueues them, so tests that download a PDF get it in the answer. Tests of the worker
# itself ask for `task_queue` (tests/reporting/worker.py): the database queue, and a real worker run.
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings):
    settings.TASKS = IMMEDIATE_TASKS


@pytest.fixture
def task_queue(settings):
    """Tasks go to the database queue, as in production, and wait there for a worker."""
    settings.TASKS = DATABASE_TASKS


@pytest.fixture
def demo_office(db) -> Office:
    return Office.objects.get(name="北区医療的ケア児等コーディネーター事業")


@pytest.fixture
def coordinator(db) -> User:
    return User.objects.get(username="coordinator")


@pytest.fixture
def supervisor(db) -> User:
    return User.objects.get(username="supervisor")


@pytest.fixture
def ward_staff(db) -> User:
    return User.objects.get(username="ward")


@pytest.fixture
def admin_user(db) -> User:
    return User.objects.get(username="admin")


@pytest.fixture
def demo_password() -> str:
    return DEMO_PASSWORD
