import os

os.environ.setdefault("HUEY_IMMEDIATE", "1")

import pytest  # noqa: E402


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


@pytest.fixture
def users(db):
    from yibao.accounts.models import User

    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def client_for(client, users):
    """A test client signed in as the named demo user."""

    def make(username):
        client.force_login(users[username])
        return client

    return make
