import pytest

from yibao import registry


@pytest.fixture
def bases_changed():
    """A listener of ``registry.bases_changed``, as the contribution bills register one: the calls."""
    calls: list[dict] = []

    def listener(**kwargs):
        calls.append(kwargs)

    registry.on_bases_changed(listener)
    yield calls
    registry._BASES_CHANGED.remove(listener)


@pytest.fixture
def business_date(settings):
    """A day of the 2024 declaration window (the declarations are made then)."""
    import datetime as dt

    settings.YIBAO_TODAY = dt.date(2024, 1, 15)
    return settings.YIBAO_TODAY
