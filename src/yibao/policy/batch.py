"""Batch evaluation over numpy arrays, in integer fen (int64), with the single-case path's results.

* ``resident_premium``: one category bit-mask per person (bit ``i`` = the ``i``-th name of the
  hardship-category vocabulary in ``national.yaml``: bit 0 特困人员, bit 1 低保对象, bit 2 返贫致贫人口,
  bit 3 易返贫致贫人口, …) → standard, subsidy and payable per person. Every mask value is answered
  once by the single-case path (``engine.ask``) and the table is kept with the engine, so the
  batch cannot disagree with it; the people are then a table look-up.
* ``employee_base``: declared wages in fen → base in fen and a clamp code per line (0 none,
  1 floor, 2 ceiling), with the bounds read once from the single-case path.

A line the single-case path would refuse gets that refusal's status code (see ``STATUS``) and
zeros in the value arrays; ``BatchResult.errors`` holds one example refusal per refusal code the
rule table can produce. An output that is the same for everyone in the batch (the standard
premium, the status when nobody is refused) is a read-only broadcast array rather than a copy
per person; ``np.array(result["standard"])`` makes a writable one.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from .errors import ERROR_CODES

STATUS = ("ok", *ERROR_CODES)                  # status array values: index into this tuple
STATUS_CODE = {name: i for i, name in enumerate(STATUS)}
CLAMP_CODES = ("none", "floor", "ceiling")     # clamp array values
_TABLE_LIMIT = 12                              # up to 2**12 masks are tabulated in full


@dataclass
class BatchResult:
    region: str
    question: str
    arrays: dict[str, np.ndarray]
    status: np.ndarray
    constants: dict = field(default_factory=dict)
    errors: dict[str, dict] = field(default_factory=dict)
    explanation: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool((self.status == 0).all())

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]


def to_fen(amount: Decimal) -> int:
    return int(amount.scaleb(2).to_integral_value())


def fen_array(values) -> np.ndarray:
    """Exact fen from yuan amounts given as ``Decimal``, ``int`` or numeric strings."""
    return np.fromiter((to_fen(Decimal(str(v))) for v in values), dtype=np.int64)


def category_mask(vocabulary: list[str], categories) -> int:
    mask = 0
    for name in categories:
        mask |= 1 << vocabulary.index(name)
    return mask


def mask_categories(vocabulary: list[str], mask: int) -> list[str]:
    return [name for i, name in enumerate(vocabulary) if mask >> i & 1]


def _premium_row(engine, region: str, year: int, mask: int):
    answer = engine.ask(region, "resident.premium",
                        {"insurance_year": year, "categories": mask_categories(engine.hardship_categories, mask)})
    if not answer.ok:
        return (0, 0, 0, STATUS_CODE[answer.error["code"]]), answer
    v = answer.values
    return (to_fen(v["standard"]), to_fen(v["subsidy"]), to_fen(v["payable"]), 0), answer


@dataclass
class _PremiumTable:
    """Single-case answers for every mask value (the last row answers masks out of range)."""

    columns: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    errors: dict
    explanation: list
    fiscal_subsidy: Decimal | None


def _premium_table(engine, region: str, year: int, limit: int) -> _PremiumTable:
    cache = engine.batch_cache
    key = (region, year)
    if key not in cache:
        rows = np.zeros((limit + 1, 4), dtype=np.int64)
        rows[limit] = (0, 0, 0, STATUS_CODE["invalid_input"])
        errors: dict[str, dict] = {}
        explanation: list = []
        fiscal = None
        for mask in range(limit):
            rows[mask], answer = _premium_row(engine, region, year, mask)
            if not answer.ok:
                errors.setdefault(answer.error["code"], answer.error)
            elif mask == 0:
                fiscal = answer.values["fiscal_subsidy"]
            if mask == 0:
                explanation = answer.explanation
        columns = (np.ascontiguousarray(rows[:, 0]), np.ascontiguousarray(rows[:, 1]),
                   np.ascontiguousarray(rows[:, 2]), rows[:, 3].astype(np.int8))
        cache[key] = _PremiumTable(columns, errors, explanation, fiscal)
    return cache[key]


_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()
_PARALLEL_FROM = 200_000                       # gather columns in threads from this many people on


def _pool() -> ThreadPoolExecutor:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1)),
                                       thread_name_prefix="policy-batch")
        return _POOL


def _gather(columns, index: np.ndarray, reach: int) -> list[np.ndarray]:
    """``column[index]`` for each column, where ``0 <= index < reach``.

    A column that is constant over the rows the index can reach comes back as a read-only
    broadcast array (no memory per person); the others are gathered, in threads when large
    (numpy releases the GIL while gathering)."""

    def constant(column: np.ndarray) -> bool:
        rows = column[:reach]
        return bool(reach) and bool((rows == rows[0]).all())

    out: list = [np.broadcast_to(c[0], index.shape) if constant(c) else None for c in columns]
    todo = [i for i, o in enumerate(out) if o is None]
    if len(todo) > 1 and index.size >= _PARALLEL_FROM:
        gathered = _pool().map(lambda i: columns[i][index], todo)
    else:
        gathered = (columns[i][index] for i in todo)
    for i, array in zip(todo, gathered, strict=True):
        out[i] = array
    return out


def resident_premium(engine, region: str, insurance_year: int, masks) -> BatchResult:
    """Standard, subsidy and payable (fen) per person from category bit-masks.

    Every mask value (2**len(vocabulary) of them) is answered once by ``engine.ask`` and kept
    with the engine (policy files do not change while it lives); people are then looked up."""
    masks = np.asarray(masks)
    if masks.dtype.kind not in "iu":
        raise TypeError("类别位掩码应为整数数组")
    n = len(engine.hardship_categories)
    if n > _TABLE_LIMIT:
        raise ValueError(f"类别词表超过 {_TABLE_LIMIT} 类，不能按位掩码批量计算")
    limit = 1 << n
    table = _premium_table(engine, region, int(insurance_year), limit)
    errors = dict(table.errors)
    low = 0 if masks.dtype.kind == "u" or not masks.size else int(masks.min())
    high = int(masks.max()) if masks.size else 0
    index = masks
    if low < 0 or high >= limit:
        index = masks.astype(np.intp)
        index[(index < 0) | (index >= limit)] = limit
        high = limit
        errors.setdefault("invalid_input", {"code": "invalid_input", "message": f"类别位掩码应在 0 至 {limit - 1} 之间"})
    standard, subsidy, payable, status = _gather(table.columns, index, high + 1)
    return BatchResult(region, "resident.premium", {"standard": standard, "subsidy": subsidy, "payable": payable},
                       status, {"fiscal_subsidy": table.fiscal_subsidy}, errors, table.explanation)


def employee_base(engine, region: str, month: str, wages_fen, *, annual_average_wage=None,
                  published_on=None) -> BatchResult:
    wages = np.asarray(wages_fen)
    if wages.dtype.kind not in "iu":
        raise TypeError("工资应为以分计的整数数组（int64）")
    wages = wages.astype(np.int64, copy=False)
    extra = {}
    if annual_average_wage is not None or published_on is not None:
        extra = {"annual_average_wage": annual_average_wage, "published_on": published_on}
    # Bounds and the clamp rule from the single-case path: a one-fen wage shows whether the
    # policy clamps to the floor.
    probe = engine.ask(region, "employee.base", {"month": month, "wage": "0.01", **extra})
    n = wages.shape[0]
    # A wage of 0 or less is refused before the policy is read, as in ``employee.base``.
    any_invalid = bool(n) and int(wages.min()) <= 0
    invalid = wages <= 0 if any_invalid else None
    errors = {"invalid_input": {"code": "invalid_input", "message": "申报工资应大于 0"}} if any_invalid else {}
    if not probe.ok:
        status = np.full(n, STATUS_CODE[probe.error["code"]], dtype=np.int8)
        if any_invalid:
            status[invalid] = STATUS_CODE["invalid_input"]
        zeros = np.zeros(n, dtype=np.int64)
        return BatchResult(region, "employee.base", {"base": zeros, "clamp": zeros.astype(np.int8)},
                           status, {}, {probe.error["code"]: probe.error, **errors}, probe.explanation)
    floor, ceiling = to_fen(probe.values["floor"]), to_fen(probe.values["ceiling"])
    clamps = probe.values["clamped"] == "floor"
    if clamps:
        base = np.clip(wages, floor, ceiling)
        clamp = (wages < floor).view(np.int8) + (wages > ceiling).view(np.int8) * np.int8(2)
    else:
        base = wages.copy()
        clamp = np.zeros(n, dtype=np.int8)
    status = np.zeros(n, dtype=np.int8)
    if any_invalid:
        status[invalid] = STATUS_CODE["invalid_input"]
        base[invalid] = 0
        clamp[invalid] = 0
    return BatchResult(region, "employee.base", {"base": base, "clamp": clamp}, status,
                       {"floor": probe.values["floor"], "ceiling": probe.values["ceiling"]}, errors,
                       probe.explanation)


# --- contributions ----------------------------------------------------------------------------------

def _times_rate(bases: np.ndarray, rate: Decimal, rounding: str) -> np.ndarray:
    """``base × rate`` in whole fen with the named rounding, exactly (integer arithmetic: the rate
    as numerator / 10**k), as ``yibao.money.round_money`` rounds the Decimal product."""
    sign, digits, exponent = rate.as_tuple()
    numerator = int("".join(map(str, digits)) or "0") * (10 ** max(exponent, 0))
    scale = 10 ** max(-exponent, 0)
    product = bases * np.int64(numerator)             # fen × numerator; exact share = product / scale
    if rounding == "half_up_to_fen":
        return (product * 2 + scale) // (2 * scale)
    if rounding == "up_to_fen":
        return -((-product) // scale)
    if rounding == "half_up_to_yuan":
        return (product * 2 + 100 * scale) // (200 * scale) * 100
    if rounding == "up_to_yuan":
        return -((-product) // (100 * scale)) * 100
    raise ValueError(f"未知的取整规则 {rounding}")


def employee_contribution(engine, region: str, month: str, bases_fen) -> BatchResult:
    """Unit and individual shares (fen) for many bases (fen) of one month: the rates and the
    rounding are read once through the single-case path (``employee.contribution``), the products
    are exact integer arithmetic with the same named rounding."""
    bases = np.asarray(bases_fen)
    if bases.dtype.kind not in "iu":
        raise TypeError("缴费基数应为以分计的整数数组（int64）")
    bases = bases.astype(np.int64, copy=False)
    n = bases.shape[0]
    probe = engine.ask(region, "employee.contribution", {"month": month, "base": "0"})
    if not probe.ok:
        zeros = np.zeros(n, dtype=np.int64)
        status = np.full(n, STATUS_CODE[probe.error["code"]], dtype=np.int8)
        return BatchResult(region, "employee.contribution", {"unit_share": zeros, "individual_share": zeros},
                           status, {}, {probe.error["code"]: probe.error}, probe.explanation)
    v = probe.values
    unit = _times_rate(bases, v["unit_rate"], v["rounding"])
    individual = _times_rate(bases, v["individual_rate"], v["rounding"])
    status = np.zeros(n, dtype=np.int8)
    errors = {}
    if n and int(bases.min()) < 0:
        negative = bases < 0
        status[negative] = STATUS_CODE["invalid_input"]
        unit[negative] = 0
        individual[negative] = 0
        errors["invalid_input"] = {"code": "invalid_input", "message": "缴费基数不能为负数"}
    return BatchResult(region, "employee.contribution", {"unit_share": unit, "individual_share": individual},
                       status, {"unit_rate": v["unit_rate"], "individual_rate": v["individual_rate"],
                                "rounding": v["rounding"]}, errors, probe.explanation)
