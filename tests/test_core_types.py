"""The shared value types of the pure core: money, months and the application error."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yibao.errors import AppError, Conflict, NotFound, RuleRefused
from yibao.money import ROUNDINGS, from_fen, parse_amount, round_money, to_fen, to_money
from yibao.months import Month

months = st.builds(Month, st.integers(1900, 2200), st.integers(1, 12))


@given(months, st.integers(-600, 600))
def test_month_arithmetic_agrees_with_counting(m, n):
    later = m + n
    assert later - m == n and later - n == m
    assert str(Month.parse(str(later))) == str(later)
    assert (m.next().previous(), m.previous().next()) == (m, m)


def test_months_cross_years_and_order():
    assert Month(2024, 12).next() == Month(2025, 1) and Month(2025, 1).previous() == Month(2024, 12)
    assert Month(2024, 7) > Month(2024, 6) and Month.first_of(2024) == Month.parse("2024-01")
    assert [str(m) for m in Month(2024, 11).until(Month(2025, 2))] == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert Month.coerce(dt.date(2024, 3, 31)) == Month(2024, 3) and Month(2024, 2).last_day == dt.date(2024, 2, 29)


@pytest.mark.parametrize("bad", ["2024-13", "2024/01", "", "24-01", "2024-00"])
def test_a_bad_month_is_refused_in_chinese(bad):
    with pytest.raises(ValueError, match="月份"):
        Month.parse(bad)


def test_month_field_stores_text_and_reads_a_month(db):
    from yibao.employer.models import ApprovedBase

    field = ApprovedBase._meta.get_field("month_from")
    assert field.get_prep_value(Month(2024, 7)) == "2024-07" and field.get_prep_value("2024-7") == "2024-07"
    assert field.to_python("2024-07") == Month(2024, 7)


@pytest.mark.parametrize(("rule", "amount", "expected"), [
    ("half_up_to_fen", "4241.405", "4241.41"), ("up_to_fen", "4241.401", "4241.41"),
    ("half_up_to_yuan", "4241.5", "4242.00"), ("up_to_yuan", "4241.4", "4242.00"),
])
def test_every_rounding_has_a_name(rule, amount, expected):
    assert rule in ROUNDINGS and round_money(Decimal(amount), rule) == Decimal(expected)


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2))
def test_fen_round_trip(amount):
    assert from_fen(to_fen(amount)) == amount


@pytest.mark.parametrize(("raw", "message"), [("abc", "不是有效的金额"), ("0", "大于0"), ("-5", "大于0"),
                                              ("100000000", "过大"), ("NaN", "不是有效的金额")])
def test_a_declared_amount_is_checked_in_chinese(raw, message):
    with pytest.raises(ValueError, match=message):
        parse_amount(raw)


def test_typed_amounts_are_parsed():
    assert parse_amount(" 4,242.005 ") == Decimal("4242.01") and to_money(1.1) == Decimal("1.10")


def test_errors_carry_a_code_a_status_and_fields():
    e = AppError("金额必须大于0", code="invalid_input", fields={"amount": "0"})
    assert (e.status, e.to_dict()) == (400, {"code": "invalid_input", "message": "金额必须大于0",
                                             "fields": {"amount": "0"}})
    assert (NotFound("x").status, Conflict("x").status) == (404, 409)
    refused = RuleRefused.from_answer({"code": "not_configured", "message": "未规定", "missing": ["a.b"]})
    assert refused.status == 422 and refused.to_dict()["missing"] == ["a.b"] and refused.code == "not_configured"
