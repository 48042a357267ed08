"""The assistance fund's ledger (资助参保台账) and statement, as a reader may see them: per hardship
category, and per township, how many people and how much the fund paid for a region and year
(refunds of the fund's part, negative rows, counted against them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from yibao.access.scoping import scope_of
from yibao.money import FEN

from ..models import Payer, Payment

ZERO = Decimal("0.00")


@dataclass
class LedgerRow:
    key: str            # the category, or the township's division key
    label: str
    people: int         # the fund's payments recorded
    refunds: int        # of which refunded
    amount: Decimal     # paid less refunded


@dataclass
class Ledger:
    region: str
    region_name: str
    insurance_year: int
    by_category: list[LedgerRow] = field(default_factory=list)
    by_township: list[LedgerRow] = field(default_factory=list)

    @property
    def people(self) -> int:
        return sum(r.people for r in self.by_category)

    @property
    def refunds(self) -> int:
        return sum(r.refunds for r in self.by_category)

    @property
    def amount(self) -> Decimal:
        return sum((r.amount for r in self.by_category), ZERO)


def fund_payments(user, region: str, insurance_year: int) -> QuerySet[Payment]:
    """The fund's payments (and their refunds) of a region and year in the reader's scope."""
    return scope_of(user).filter(Payment.objects.filter(region_id=region, insurance_year=insurance_year,
                                                        payer=Payer.FUND))


def _rows(qs: QuerySet[Payment], key: str, label: str) -> list[LedgerRow]:
    rows = (qs.values(key, label).annotate(people=Count("id", filter=Q(refund_of__isnull=True)),
                                           refunds=Count("id", filter=Q(refund_of__isnull=False)),
                                           amount=Sum("amount")).order_by(key))
    # SQLite sums lose the scale: every amount is given in yuan and fen
    return [LedgerRow(r[key] or "", r[label] or "", r["people"], r["refunds"], Decimal(r["amount"] or 0).quantize(FEN))
            for r in rows]


def ledger(user, region, insurance_year: int) -> Ledger:
    """The ledger of ``region`` (a pooling Division) for the year: one row per category (the
    category the engine's subsidy named) and one per township."""
    qs = fund_payments(user, region.key, insurance_year)
    return Ledger(region.key, region.name, insurance_year, _rows(qs, "category", "category"),
                  _rows(qs, "division__parent_id", "division__parent__name"))


def statement_lines(user, region: str, insurance_year: int) -> QuerySet[Payment]:
    """The statement's lines: every payment of the fund (and refund), by village, then person."""
    return (fund_payments(user, region, insurance_year).select_related("division", "division__parent")
            .order_by("division__parent_id", "division_id", "id_number", "id"))
