"""Plain values in and out: money as ``Decimal``, dates, months, and their JSON form.

Inputs arrive as JSON values, YAML values or Python objects (``Decimal`` for money, ISO strings
for dates); every coercion here accepts all of them and raises ``ValueError`` with a Chinese
message otherwise.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

# Money is the shared core module's; re-exported here for the engine's modules.
from yibao.money import (  # noqa: F401
    EXACT,
    FEN,
    ROUNDINGS,
    YUAN,
    round_money,
    to_decimal,
    to_money,
    yuan,
)
from yibao.months import Month


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
    return Month.coerce(value)


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
