"""After each test of an app that writes enrolments or payments: the progress counters the writes
kept (``yibao.resident.tallies``, ``yibao.collection.tallies``) equal a recomputation from the
enrolments and payments. So every write path those tests take (registration, the bulk import,
payments by channel, agent, family account and the fund, refunds, cancellations) is checked.
A test that writes enrolments or payments directly, as existing data, is marked
``tallies_unchecked``."""

import pytest


@pytest.fixture(autouse=True)
def tallies_agree(request):
    uses_db = any(f in request.fixturenames for f in ("db", "transactional_db", "django_db_setup")) \
        or request.node.get_closest_marker("django_db") is not None
    if not uses_db or request.node.get_closest_marker("tallies_unchecked"):
        yield
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
    yield
    from yibao.reporting.services import tallies

    found = tallies.differences()
    assert not found, "\n".join(found[:10])
