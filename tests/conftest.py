import os

os.environ.setdefault("HUEY_IMMEDIATE", "1")

import pytest  # noqa: E402

# Accounts made by the tests are hashed with a quick hasher: the project's (PBKDF2) takes most of a
# second per account and the factories make many. test_accounts checks the project's own.
QUICK_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def jobs_run_at_once():
    """Background jobs run in the test process (settings may be read before the variable above)."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database holds the shipped reference data (divisions, agencies, enrolment targets),
    as `yibao init` loads it. Everything else a test needs it makes with the factories."""
    from yibao.regions.services import load_reference_data

    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    settings.PASSWORD_HASHERS = QUICK_HASHERS


@pytest.fixture
def people(db):
    """Staff of every role, three units with operators and employees, a flexible worker and a
    resident (``people.People``), made afresh for the test by the factories."""
    from people import make_people

    return make_people()


@pytest.fixture
def client_for(client):
    """The test client, signed in as the given user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
