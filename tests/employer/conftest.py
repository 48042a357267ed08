import datetime as dt

import pytest

from yibao.employer.models import Declaration

from .factories import open_declaration

IN_WINDOW = dt.date(2024, 1, 15)


@pytest.fixture
def business_date(settings):
    settings.YIBAO_TODAY = IN_WINDOW
    return IN_WINDOW


@pytest.fixture
def declaration(people, business_date):
    """Open a unit's declaration as its operator, on a day of the 2024 declaration window: the
    潍坊 unit's (``people.weifang_unit``) 2024 declaration of its staff in service by default."""

    def make(unit=None, year=2024, kind="active") -> Declaration:
        return open_declaration(unit or people.weifang_unit, year, kind)

    return make
