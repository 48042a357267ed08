import os

os.environ.setdefault("HUEY_IMMEDIATE", "1")

import pytest  # noqa: E402

# Accounts made by the tests are hashed with a quick hasher: the project's (PBKDF2) takes most of a
# second per account and the factories make many. The project's hasher still verifies the
# accounts of the demo data set, which the tests are moving off.
QUICK_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                 "django.contrib.auth.hashers.PBKDF2PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def jobs_run_at_once():
    """Background jobs run in the test process (settings may be read before the variable above)."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database holds the shipped reference data and the demo data set, as `make run` does."""
    from yibao.demo import load_demo
    from yibao.regions.services import load_reference_data

    with django_db_blocker.unblock():
        load_reference_data()
        load_demo()


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
def users(db):
    from yibao.accounts.models import User

    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def client_for(client, db):
    """The test client, signed in as the given user (or, for tests not yet moved to the factories,
    the demo user of that name)."""
    from yibao.accounts.models import User

    def sign_in(user):
        if isinstance(user, str):
            user = User.objects.get(username=user)
        client.force_login(user)
        return client

    return sign_in
