"""Shared fixtures: the reference lists and the demo office, loaded once per test session."""
import pytest
from django.conf import settings

from coordination.demo import DEMO_PASSWORD, demo_load
from coordination.models import Office, User
from coordination.reference import reference_lists_load

# Hashing demo passwords with the real hasher costs seconds per test database set-up.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load_reference_and_demo():
    settings.PASSWORD_HASHERS = FAST_HASHERS
    reference_lists_load()
    demo_load()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference_and_demo()


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
