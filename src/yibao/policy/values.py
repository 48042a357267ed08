"""Plain values in and out: money as ``Decimal``, dates, months, and their JSON form.

Inputs arrive as JSON values, YAML values or Python objects (``Decimal`` for money, ISO strings
for dates); every coercion here accepts all of them and raises ``ValueError`` with a Chinese
message otherwise.
"""

from __future__ import annotations

import datetime as dt
import decimal
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation

from .periods import Month

FEN = Decimal("0.01")
YUAN = Decimal("1")

#: Rounding rules a policy file may name: (quantum, Decimal rounding mode, Chinese description).
ROUNDINGS: dict[str, tuple[Decimal, str, str]] = {
    "half_up_to_fen": (FEN, ROUND_HALF_UP, "四舍五入到分"),
    "up_to_fen": (FEN, ROUND_CEILING, "进位到分"),
    "half_up_to_yuan": (YUAN, ROUND_HALF_UP, "四舍五入到元"),
    "up_to_yuan": (YUAN, ROUND_CEILING, "进位到元（不足一元的部分进为一元）"),
}

#: Exact arithmetic for every computation of the engine.
EXACT = decimal.Context(prec=60, rounding=ROUND_HALF_UP, traps=[InvalidOperation, decimal.DivisionByZero])


def round_money(amount: Decimal, rule: str = "half_up_to_fen") -> Decimal:
    """Round with a named rule; the result always carries two decimal places."""
    quantum, mode, _ = ROUNDINGS[rule]
    return amount.quantize(quantum, rounding=mode).quantize(FEN)


def to_decimal(value) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ValueError(f"“{value}”不是数值")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{value}”不是数值") from None
    else:
        raise ValueError(f"“{value}”不是数值")
    if not result.is_finite():
        raise ValueError(f"“{value}”不是有限数值")
    return result


def to_money(value) -> Decimal:
    """Yuan, rounded to the fen half up."""
    amount = to_decimal(value)
    if abs(amount) >= Decimal("1e15"):
        raise ValueError(f"金额“{value}”过大")
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def to_int(value) -> int:
    if isinstance(value, bool) or value is None:
        raise ValueError(f"“{value}”不是整数")
    if isinstance(value, int):
        return value
    number = to_decimal(value)
    if number != number.to_integral_value():
        raise ValueError(f"“{value}”不是整数")
    return int(number)


def to_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"“{value}”不是 YYYY-MM-DD 格式的日期") from None
    raise ValueError(f"“{value}”不是日期")


def to_month(value) -> Month:
    if isinstance(value, Month):
        return value
    if isinstance(value, dt.date):
        return Month.of(value)
    if isinstance(value, str):
        return Month.parse(value)
    raise ValueError(f"“{value}”不是 YYYY-MM 格式的月份")


def to_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "yes", "y", "1", "是"):
            return True
        if text in ("false", "no", "n", "0", "否", ""):
            return False
    raise ValueError(f"“{value}”不是是/否值（true/false）")


def to_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return str(value).strip()
    raise ValueError(f"“{value}”不是文字")


def to_text_list(value) -> list[str]:
    """A list of names; a string is split on commas (as typed on a command line or a form)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [p.strip() for p in value.replace("，", ",").replace("、", ",").split(",") if p.strip()]
    if isinstance(value, (list, tuple)):
        out = []
        for item in value:
            if not isinstance(item, str):
                raise ValueError(f"“{item}”不是名称")
            if item.strip():
                out.append(item.strip())
        return out
    raise ValueError(f"“{value}”不是名称列表")


def json_safe(value):
    """Plain JSON values: ``Decimal`` as a string ("1234.50"), dates "YYYY-MM-DD", months "YYYY-MM"."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return value
    if isinstance(value, (dt.date, Month)):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return str(value)


def yuan(amount: Decimal) -> str:
    """Money for Chinese text: "1234.50"."""
    return f"{amount.quantize(FEN)}"
