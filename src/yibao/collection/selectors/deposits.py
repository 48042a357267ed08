"""Village agents' collections, deposits and 申报清单 as a reader may see them, and where each
village's money is (collected, deposited, declared, transferred), through the reader's scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from yibao.access.scoping import scope_of
from yibao.regions.models import Division, Level

from ..models import Deposit, DepositStatus, Payer, Payment


def collections_for(user) -> QuerySet[Payment]:
    """Cash collected by village agents (refunds are rows of their own, left out here)."""
    return scope_of(user).filter(Payment.objects.filter(payer=Payer.AGENT, refund_of__isnull=True)
                                 .select_related("division", "deposit"))


def collection_for(user, pk: int) -> Payment | None:
    return collections_for(user).filter(pk=pk).first()


def deposits_for(user) -> QuerySet[Deposit]:
    return scope_of(user).filter(Deposit.objects.select_related("division", "township"))


def deposit_for(user, pk: int) -> Deposit | None:
    return deposits_for(user).filter(pk=pk).first()


def deposits_by_pk(user, pks) -> list[Deposit]:
    return list(deposits_for(user).filter(pk__in=list(pks)))


def lines_of(deposit: Deposit) -> QuerySet[Payment]:
    """The persons and amounts behind a deposit (its 申报清单), in receipt order."""
    return Payment.objects.filter(deposit=deposit).order_by("receipt_number", "id")


@dataclass
class Money:
    people: int = 0
    amount: Decimal = Decimal("0.00")

    def add(self, people: int, amount) -> None:
        self.people += people
        self.amount += amount or Decimal("0")


@dataclass
class VillageMoney:
    """Where a village's cash of an insurance year is: collected in all; of it, not yet deposited;
    deposited with the list not yet declared (open, submitted or returned); declared; transferred."""

    village: Division
    insurance_year: int | None
    collected: Money = field(default_factory=Money)
    undeposited: Money = field(default_factory=Money)
    deposited: Money = field(default_factory=Money)
    returned: Money = field(default_factory=Money)
    declared: Money = field(default_factory=Money)
    transferred: Money = field(default_factory=Money)
    deposits: list[Deposit] = field(default_factory=list)

    @property
    def cells(self) -> list[Money]:
        """The steps in the order the money goes: collected, not deposited, deposited and waiting
        for the declaration, declared and waiting for the transfer, transferred."""
        return [self.collected, self.undeposited, self.deposited, self.declared, self.transferred]

    @property
    def stage(self) -> str:
        """The earliest step where some of the village's money still is (for colouring)."""
        for name in ("returned", "undeposited", "deposited", "declared"):
            if getattr(self, name).people:
                return name
        return "transferred" if self.collected.people else "none"

    @property
    def where(self) -> str:
        """In a few words: where the village's money is now."""
        if not self.collected.people:
            return "尚无代收"
        parts = []
        if self.undeposited.people:
            parts.append("有代收款待缴存")
        if self.returned.people:
            parts.append("申报清单被退回待更正")
        if self.deposited.people - self.returned.people:
            parts.append("已缴存待税务申报")
        if self.declared.people:
            parts.append("已申报待划缴")
        return "；".join(parts) or "已全部划缴"


def village_money(user, insurance_year: int | None = None, *, township: str = "") -> list[VillageMoney]:
    """Each village of the reader's area with its cash collections (for one insurance year, or
    each year collected): a township clerk and a village agent see every village of their area,
    others the villages where something was collected."""
    scope = scope_of(user)
    payments = collections_for(user)
    deposits = deposits_for(user)
    if insurance_year:
        payments = payments.filter(insurance_year=insurance_year)
        deposits = deposits.filter(insurance_year=insurance_year)
    if township:
        payments = payments.filter(division__parent_id=township)
        deposits = deposits.filter(township_id=township)
    rows: dict[tuple[str, int | None], VillageMoney] = {}
    villages: dict[str, Division] = {}
    sums = (payments.values("division_id", "insurance_year", "deposit__status")
            .annotate(n=Count("id"), amount=Sum("amount")).order_by())
    wanted = {s["division_id"] for s in sums} | set(deposits.values_list("division_id", flat=True))
    division = getattr(user, "division", None)
    listed = scope.filter(Division.objects.filter(level=Level.VILLAGE))
    if township:
        listed = listed.filter(parent_id=township)
    if division is not None and division.level in (Level.TOWNSHIP, Level.VILLAGE):
        villages.update({v.key: v for v in listed.select_related("parent")})
    villages.update({v.key: v for v in Division.objects.filter(key__in=wanted - set(villages))
                     .select_related("parent")})

    def row(village: str, year: int | None) -> VillageMoney:
        key = (village, year)
        if key not in rows:
            rows[key] = VillageMoney(villages[village], year)
        return rows[key]

    for s in sums:
        r = row(s["division_id"], s["insurance_year"])
        r.collected.add(s["n"], s["amount"])
        status = s["deposit__status"]
        if status is None:
            r.undeposited.add(s["n"], s["amount"])
        elif status in (DepositStatus.OPEN, DepositStatus.SUBMITTED, DepositStatus.RETURNED):
            r.deposited.add(s["n"], s["amount"])
            if status == DepositStatus.RETURNED:
                r.returned.add(s["n"], s["amount"])
        elif status == DepositStatus.DECLARED:
            r.declared.add(s["n"], s["amount"])
        else:
            r.transferred.add(s["n"], s["amount"])
    for d in deposits.order_by("created_at", "id"):
        row(d.division_id, d.insurance_year).deposits.append(d)
    seen = {v for v, _ in rows}
    for key in villages:
        if key not in seen:
            row(key, insurance_year)
    return sorted(rows.values(), key=lambda r: (r.village.path, -(r.insurance_year or 0)))


def totals(rows: list[VillageMoney]) -> VillageMoney | None:
    if not rows:
        return None
    out = VillageMoney(rows[0].village, None)
    for r in rows:
        for name in ("collected", "undeposited", "deposited", "returned", "declared", "transferred"):
            getattr(out, name).add(getattr(r, name).people, getattr(r, name).amount)
    return out


def counts_by_status(user, insurance_year: int | None = None) -> dict[str, int]:
    qs = deposits_for(user)
    if insurance_year:
        qs = qs.filter(insurance_year=insurance_year)
    found = dict(qs.values_list("status").annotate(n=Count("id")).values_list("status", "n").order_by())
    return {s: found.get(s, 0) for s in DepositStatus.values}
