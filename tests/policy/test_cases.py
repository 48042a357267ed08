"""Comparison rules of case files."""

import datetime as dt
from decimal import Decimal

import pytest

from yibao.policy.cases import matches


@pytest.mark.parametrize(("expected", "actual", "result"), [
    (5, Decimal("5.00"), True),
    (114, Decimal("114.00"), True),
    (114, Decimal("114.01"), False),
    (0.5, Decimal("0.50"), True),
    ("4242.00", Decimal("4242"), True),
    (True, True, True),
    (True, 1, False),
    (1, True, False),
    (None, None, True),
    (None, Decimal("0"), False),
    (dt.date(2024, 1, 1), "2024-01-01", True),
    ("2024-07", "2024-07", True),
    ("2024-07", "2024-7", False),
    ([1, 2], [Decimal(1), Decimal(2)], True),
    ([1, 2], [Decimal(1)], False),
    ({"code": "x"}, {"code": "x", "title": "y"}, True),
    ({"code": "x", "retiree": True}, {"code": "x", "retiree": False}, False),
    (7, "abc", False),
])
def test_matches(expected, actual, result):
    assert matches(expected, actual) is result
