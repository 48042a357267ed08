"""Money, once: ``Decimal`` yuan, rounding by named rules, parsing of typed-in amounts, and the
settings every money column uses. Pure Python (no Django), shared by the policy engine and the
apps.

Every rounding names its rule (``ROUNDINGS``); a policy file names the rule a notice implies,
application code names the one it applies. Nothing here knows a notice's figures.
"""

from __future__ import annotations

import decimal
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
YUAN = Decimal("1")

#: Rounding rules by name: (quantum, Decimal rounding mode, Chinese description).
ROUNDINGS: dict[str, tuple[Decimal, str, str]] = {
    "half_up_to_fen": (FEN, ROUND_HALF_UP, "四舍五入到分"),
    "up_to_fen": (FEN, ROUND_CEILING, "进位到分"),
    "half_up_to_yuan": (YUAN, ROUND_HALF_UP, "四舍五入到元"),
    "up_to_yuan": (YUAN, ROUND_CEILING, "进位到元（不足一元的部分进为一元）"),
}

#: Exact arithmetic for computations (60 significant digits; invalid operations raise).
EXACT = decimal.Context(prec=60, rounding=ROUND_HALF_UP, traps=[InvalidOperation, decimal.DivisionByZero])

#: The settings of every money column (``DecimalField(**MONEY_FIELD)``): up to 999,999,999,999.99 yuan.
MONEY_FIELD = {"max_digits": 14, "decimal_places": 2}

#: A declared monthly amount (a wage, a pension, a chosen base) must stay below this: larger
#: figures are typing errors (a wage typed in fen, a year's total in a month's column).
DECLARED_LIMIT = Decimal("100000000")


def round_money(amount: Decimal, rule: str = "half_up_to_fen") -> Decimal:
    """Round with a named rule; the result always carries two decimal places."""
    quantum, mode, _ = ROUNDINGS[rule]
    return amount.quantize(quantum, rounding=mode).quantize(FEN)


def to_decimal(value) -> Decimal:
    """A finite number from ``Decimal``, int, float or text ("1,234.5" and "1，234.5" too)."""
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
    """Yuan, rounded to the fen half up (any sign)."""
    amount = to_decimal(value)
    if abs(amount) >= Decimal("1e15"):
        raise ValueError(f"金额“{value}”过大")
    return round_money(amount)


def parse_amount(value) -> Decimal:
    """A declared amount as a person types it: a positive number of yuan below
    ``DECLARED_LIMIT``, rounded to the fen half up. ``ValueError`` with a Chinese message otherwise."""
    try:
        amount = to_decimal(value)
    except ValueError:
        raise ValueError(f"“{value}”不是有效的金额") from None
    if amount <= 0:
        raise ValueError("金额必须大于0")
    if amount >= DECLARED_LIMIT:
        raise ValueError("金额过大，请核对（单位：元/月）")
    return round_money(amount)


def payment_amount(value) -> Decimal:
    """An amount paid, as a payer or channel states it: a positive number of yuan with at most two
    places (no rounding: 10.005 is refused, not taken as 10.01) that a money column holds.
    ``ValueError`` with a Chinese message otherwise."""
    try:
        amount = Decimal(value) if not isinstance(value, float) else Decimal(repr(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError("金额不是有效的数字。") from None
    if not amount.is_finite() or amount <= 0:
        raise ValueError("缴费金额必须大于 0 元。")
    if amount.adjusted() >= MONEY_FIELD["max_digits"] - MONEY_FIELD["decimal_places"]:
        raise ValueError("金额过大，请核对金额（以元为单位）。")
    if amount != amount.quantize(FEN):
        raise ValueError("金额以元为单位，最多两位小数（到分）。")
    return amount.quantize(FEN)


def to_fen(amount: Decimal) -> int:
    """Whole fen of an amount (rounded to the fen half up first when it has more places)."""
    scaled = amount.scaleb(2)
    whole = int(scaled)
    return whole if scaled == whole else int(scaled.quantize(YUAN, rounding=ROUND_HALF_UP))


def from_fen(fen: int) -> Decimal:
    """Yuan with two places from whole fen."""
    return Decimal(int(fen)).scaleb(-2)


#: The one rule money is printed with (bills, lists, workbooks): to the fen, half up.
PRINT_ROUNDING = "half_up_to_fen"


def cents(value) -> Decimal | None:
    """An amount as it is printed: rounded to the fen by ``PRINT_ROUNDING``; ``None`` stays ``None``.
    Floats are read by their shortest text (``to_decimal``), never by their binary value."""
    if value is None:
        return None
    return round_money(to_decimal(value), PRINT_ROUNDING)


def fen_text(fen: int) -> str:
    """Whole fen as exact yuan text with two places ("-0.01", "123456789012.34"), for writing to a
    database without passing through a float."""
    fen = int(fen)
    sign, fen = ("-", -fen) if fen < 0 else ("", fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def yuan(amount: Decimal) -> str:
    """Money for Chinese text: "1234.50"."""
    return f"{amount.quantize(FEN)}"


CAPITAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"


def capital_yuan(amount: Decimal) -> str:
    """An amount in capital figures as a receipt writes it (125.50 → 壹佰贰拾伍元伍角)."""
    fen = int((amount * 100).to_integral_value())
    if fen <= 0:
        return "零元整"
    whole, rest = divmod(fen, 100)
    out = ""
    if whole:
        digits = str(whole)
        zero = False
        for i, ch in enumerate(digits):
            pos = len(digits) - 1 - i
            if ch == "0":
                zero = True
            else:
                out += ("零" if zero else "") + CAPITAL_DIGITS[int(ch)] + ("", "拾", "佰", "仟")[pos % 4]
                zero = False
            if pos % 4 == 0 and pos and int(digits[max(0, i - 3):i + 1]):
                out += ("", "万", "亿", "万亿")[pos // 4]
        out += "元"
    jiao, f = divmod(rest, 10)
    if not rest:
        return out + "整"
    if jiao:
        out += CAPITAL_DIGITS[jiao] + "角"
    elif out:
        out += "零"
    return out + (CAPITAL_DIGITS[f] + "分" if f else "")
