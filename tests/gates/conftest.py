import pytest
from django.db import transaction


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The gates' data, built once per module inside a transaction that is rolled back at its end;
    every test of the module runs in a savepoint inside it (pytest-django's ``db``)."""
    from django.conf import settings

    from .world import build_world

    today = settings.YIBAO_TODAY
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        try:
            yield built
        finally:
            transaction.set_rollback(True)
            settings.YIBAO_TODAY = today


@pytest.fixture
def gate(world, db, settings):
    """The world, for a test that may touch the database (pinned to the business date)."""
    from .world import BUSINESS_DATE

    settings.YIBAO_TODAY = BUSINESS_DATE
    return world
